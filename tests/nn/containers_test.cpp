// Sequential, ModuleList, ModuleDict.
#include <gtest/gtest.h>

#include <sstream>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;

TEST(Sequential, RunsChildrenInOrderWithIndexNames) {
  nn::Sequential seq(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  EXPECT_EQ(seq->size(), 3u);
  EXPECT_EQ(seq->named_children().keys(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(seq->named_parameters().keys(), (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  fx::Tensor x = fx::randn({5, 3});
  auto& l0 = seq->at<nn::LinearImpl>(0);
  auto& l2 = seq->at<nn::LinearImpl>(-1);
  fx::Tensor expected =
      nn::functional::linear(fx::relu(nn::functional::linear(x, l0.weight, l0.bias)), l2.weight, l2.bias);
  EXPECT_TRUE(fxtest::tensors_close(seq(x), expected));
  EXPECT_TRUE(fxtest::tensors_close(seq->forward(x), expected));
  EXPECT_EQ(seq[1]->name(), "ReLU");
  EXPECT_EQ(seq[-1].get(), &l2);
  EXPECT_FX_ERROR(seq[3], "index 3 is out of range for a container of 3 modules");
  EXPECT_FX_ERROR(seq->at<nn::LinearImpl>(1), "element 1 is a ReLU, not the requested type");
  int n = 0;
  for (const auto& m : *seq) n += m->name() == "Linear";
  EXPECT_EQ(n, 2);
}

TEST(Sequential, PushBackNamedExtendAndEmpty) {
  nn::Sequential seq;
  EXPECT_TRUE(seq->is_empty());
  fx::Tensor x = fx::randn({2, 3});
  EXPECT_TRUE(seq(x).is_same(x));  // an empty Sequential is the identity
  seq->push_back(nn::Linear(3, 3));
  seq->push_back("act", nn::Tanh());
  seq->push_back(std::make_shared<nn::LinearImpl>(3, 1));
  EXPECT_EQ(seq->named_children().keys(), (std::vector<std::string>{"0", "act", "2"}));
  nn::Sequential more{nn::Sigmoid()};
  seq->extend(*more);
  EXPECT_EQ(seq->size(), 4u);
  EXPECT_EQ(seq(x).size(1), 1);
  fx::Tensor y = seq(x);
  EXPECT_TRUE(((y > 0) & (y < 1)).all().item<bool>());
  nn::Sequential named(std::vector<std::pair<std::string, nn::Module>>{{"fc", nn::Linear(2, 2)}, {"out", nn::ReLU()}});
  EXPECT_EQ(named->named_parameters().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
  EXPECT_FX_ERROR(seq->push_back(nn::Linear(nullptr)), "cannot add an empty module handle");
  std::ostringstream os;
  os << *named;
  EXPECT_NE(os.str().find("Sequential(\n  (fc): Linear(in_features=2, out_features=2, bias=true)\n  (out): ReLU()\n)"),
            std::string::npos)
      << os.str();
}

TEST(Sequential, ModeAndDtypePropagate) {
  nn::Sequential seq(nn::Linear(2, 2), nn::Dropout(0.5));
  seq->eval();
  EXPECT_FALSE(seq[1]->is_training());
  fx::Tensor x = fx::randn({4, 2});
  EXPECT_TRUE(fxtest::tensors_equal(seq(x), seq(x)));  // dropout off in eval
  seq->to(fx::kFloat64);
  EXPECT_EQ(seq(x.to(fx::kFloat64)).dtype(), fx::kFloat64);
}

TEST(ModuleList, HoldsModulesAndRegistersParameters) {
  nn::ModuleList list(nn::Linear(2, 3), nn::Linear(3, 4));
  list->push_back(nn::Linear(4, 5));
  EXPECT_EQ(list->size(), 3u);
  EXPECT_EQ(list->named_parameters().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"}));
  fx::Tensor x = fx::randn({1, 2});
  for (const auto& m : *list) x = m(x);
  EXPECT_EQ(x.size(1), 5);
  EXPECT_EQ(list->at<nn::LinearImpl>(2).options.out_features(), 5);
  list->extend({nn::ReLU(), nn::Tanh()});
  EXPECT_EQ(list->size(), 5u);
  EXPECT_EQ(list[-1]->name(), "Tanh");
  EXPECT_FX_ERROR(list[7], "out of range");
  // Nested: a ModuleList inside a user module gets dotted keys.
  struct StackImpl : nn::ModuleImpl {
    StackImpl() { layers = register_module("layers", nn::ModuleList(nn::Linear(1, 1), nn::Linear(1, 1))); }
    nn::ModuleList layers{nullptr};
  };
  auto s = std::make_shared<StackImpl>();
  EXPECT_EQ(s->named_parameters().keys()[2], "layers.1.weight");
  list->replace_module("0", nn::Linear(2, 9));
  EXPECT_EQ(list->at<nn::LinearImpl>(0).options.out_features(), 9);
}

TEST(ModuleDict, KeysReplacePopAndErrors) {
  nn::ModuleDict dict(std::vector<std::pair<std::string, nn::Module>>{{"enc", nn::Linear(4, 2)}, {"act", nn::ReLU()}});
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"enc", "act"}));
  EXPECT_TRUE(dict->contains("enc"));
  EXPECT_EQ(dict["act"]->name(), "ReLU");
  EXPECT_EQ(dict->named_parameters().keys(), (std::vector<std::string>{"enc.weight", "enc.bias"}));
  dict->insert("head", nn::Linear(2, 1));
  dict->insert("enc", nn::Linear(4, 3));  // replaces, keeps the position
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"enc", "act", "head"}));
  EXPECT_EQ(dict->at<nn::LinearImpl>("enc").options.out_features(), 3);
  EXPECT_EQ(dict->named_parameters()["enc.weight"].size(0), 3);
  EXPECT_FX_ERROR(dict["missing"], "no module named 'missing' (keys: 'enc', 'act', 'head')");
  nn::Module popped = dict->pop("act");
  EXPECT_EQ(popped->name(), "ReLU");
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_EQ(dict->named_children().keys(), (std::vector<std::string>{"enc", "head"}));
  EXPECT_FX_ERROR(dict->at<nn::ReLUImpl>("head"), "not of the requested type");
  std::vector<std::string> seen;
  for (const auto& it : *dict) seen.push_back(it.key());
  EXPECT_EQ(seen, (std::vector<std::string>{"enc", "head"}));
}
