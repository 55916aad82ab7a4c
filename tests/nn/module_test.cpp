// Module base: registration, names, traversal, modes, placement, state dicts, hooks, printing, and
// an end-to-end XOR training run with a user-defined module written the LibTorch way.
#include <gtest/gtest.h>

#include <sstream>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;

namespace {

// A user-defined module, written as in LibTorch.
struct NetImpl : nn::ModuleImpl {
  NetImpl(int64_t in, int64_t hidden, int64_t out) {
    fc1 = register_module("fc1", nn::Linear(in, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, out));
    register_buffer("steps", fx::zeros({1}, fx::kInt64));
    register_buffer("scratch", fx::zeros({2}), /*persistent=*/false);
  }
  fx::Tensor forward(const fx::Tensor& x) override { return fc2(fx::tanh(fc1(x))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
FX_MODULE(Net);

// A module with a nested container, to check dotted names.
struct DeepImpl : nn::ModuleImpl {
  DeepImpl() {
    features = register_module("features", nn::Sequential(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2)));
    scale = register_parameter("scale", fx::ones({2}));
  }
  fx::Tensor forward(const fx::Tensor& x) override { return features(x) * scale; }
  nn::Sequential features{nullptr};
  fx::Tensor scale;
};
FX_MODULE(Deep);

std::vector<std::string> keys_of(const fx::OrderedDict<std::string, fx::Tensor>& d) { return d.keys(); }

}  // namespace

TEST(OrderedDict, InsertionOrderLookupAndErrors) {
  fx::OrderedDict<std::string, int> d;
  d.insert("b", 2);
  d.insert("a", 1);
  d.insert("c", 3);
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(d.values(), (std::vector<int>{2, 1, 3}));
  EXPECT_EQ(d["a"], 1);
  EXPECT_EQ(d.at("c"), 3);
  EXPECT_EQ(d.count("a"), 1u);
  EXPECT_EQ(d.count("z"), 0u);
  EXPECT_TRUE(d.contains("b"));
  EXPECT_EQ(d.find("z"), nullptr);
  EXPECT_FX_ERROR(d.at("zz"), "'zz' is not defined");
  EXPECT_FX_ERROR(d.insert("a", 5), "'a' already defined");
  int sum = 0;
  std::string order;
  for (const auto& it : d) {
    sum += it.value();
    order += it.key();
  }
  EXPECT_EQ(sum, 6);
  EXPECT_EQ(order, "bac");
  d.erase("a");
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(d["c"], 3);
  EXPECT_EQ(d[size_t{1}].key(), "c");
  d.insert_or_assign("b", 9);
  EXPECT_EQ(d.front().value(), 9);
}

TEST(Module, NamedParametersUsePyTorchKeys) {
  Net net(2, 3, 1);
  EXPECT_EQ(keys_of(net->named_parameters()),
            (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}));
  EXPECT_EQ(net->parameters().size(), 4u);
  EXPECT_EQ(keys_of(net->named_parameters(/*recurse=*/false)).size(), 0u);
  EXPECT_EQ(keys_of(net->named_buffers()), (std::vector<std::string>{"steps", "scratch"}));
  Deep deep;
  EXPECT_EQ(keys_of(deep->named_parameters()),
            (std::vector<std::string>{"scale", "features.0.weight", "features.0.bias", "features.2.weight",
                                      "features.2.bias"}));
  EXPECT_EQ(deep->num_parameters(), 2 + 3 * 4 + 4 + 4 * 2 + 2);
  for (const auto& p : deep->parameters()) {
    EXPECT_TRUE(p.requires_grad());
    EXPECT_TRUE(p.is_leaf());
  }
}

TEST(Module, HandlesShareState) {
  Net a(2, 3, 1);
  Net b = a;  // copies the handle, not the module
  EXPECT_EQ(a.get(), b.get());
  EXPECT_TRUE(a->parameters()[0].is_same(b->parameters()[0]));
  nn::Module base = a;  // slicing to the untyped handle still shares
  EXPECT_TRUE(base.parameters()[1].is_same(a->fc1->bias));
  EXPECT_TRUE(a->fc1->weight.is_same(a->named_parameters()["fc1.weight"]));
  nn::Linear empty{nullptr};
  EXPECT_TRUE(empty.is_empty());
  EXPECT_FX_ERROR(empty->parameters(), "empty module handle");
}

TEST(Module, ChildrenModulesApplyAndNames) {
  Deep deep;
  auto children = deep->named_children();
  EXPECT_EQ(children.keys(), (std::vector<std::string>{"features"}));
  auto mods = deep->named_modules();
  EXPECT_EQ(mods.keys(), (std::vector<std::string>{"", "features", "features.0", "features.1", "features.2"}));
  EXPECT_EQ(deep->modules().front().get(), deep.get());
  EXPECT_EQ(deep->modules()[2]->name(), "Linear");
  EXPECT_EQ(deep->name(), "Deep");
  std::vector<std::string> visited;
  deep->apply([&](nn::ModuleImpl& m) { visited.push_back(m.name()); });
  // Children first, then the parent (PyTorch's order).
  EXPECT_EQ(visited, (std::vector<std::string>{"Linear", "ReLU", "Linear", "Sequential", "Deep"}));
  // A stack-allocated module still reports itself.
  NetImpl local(1, 1, 1);
  EXPECT_EQ(local.modules().size(), 3u);
  EXPECT_EQ(local.modules()[0].get(), &local);
}

TEST(Module, RegistrationErrors) {
  NetImpl net(2, 2, 2);
  EXPECT_FX_ERROR(net.register_parameter("fc1", fx::zeros({1})), "already used by a submodule");
  EXPECT_FX_ERROR(net.register_parameter("a.b", fx::zeros({1})), "must not contain a dot");
  EXPECT_FX_ERROR(net.register_parameter("", fx::zeros({1})), "must not be empty");
  EXPECT_FX_ERROR(net.register_parameter("ints", fx::zeros({1}, fx::kInt64)), "floating-point dtype");
  EXPECT_FX_ERROR(net.register_buffer("steps", fx::zeros({1})), "already used by a buffer");
  EXPECT_FX_ERROR(net.register_module("fc2", nn::Linear(1, 1)), "already used by a submodule");
  EXPECT_FX_ERROR(net.register_module("x", nn::Linear(nullptr)), "empty module handle");
  // A non-leaf tensor becomes a leaf parameter.
  fx::Tensor a = fx::ones({2}, fx::TensorOptions().requires_grad(true));
  fx::Tensor& p = net.register_parameter("derived", a * 2);
  EXPECT_TRUE(p.is_leaf());
  EXPECT_TRUE(p.requires_grad());
  // An undefined tensor registers an absent parameter that is skipped everywhere.
  net.register_parameter("nothing", fx::Tensor());
  EXPECT_EQ(net.named_parameters().count("nothing"), 0u);
  EXPECT_EQ(net.state_dict().count("nothing"), 0u);
  net.unregister("derived");
  EXPECT_EQ(net.named_parameters().count("derived"), 0u);
  EXPECT_FX_ERROR(net.unregister("nope"), "no parameter, buffer or submodule named 'nope'");
}

TEST(Module, DefaultForwardThrows) {
  nn::ModuleList list(nn::Linear(1, 1));
  EXPECT_FX_ERROR(list(fx::zeros({1, 1})), "ModuleList: this module has no single-tensor forward");
}

TEST(Module, TrainEvalRecursive) {
  Deep deep;
  EXPECT_TRUE(deep->is_training());
  deep->eval();
  for (const auto& m : deep->modules()) EXPECT_FALSE(m->is_training()) << m->name();
  deep->train();
  for (const auto& m : deep->modules()) EXPECT_TRUE(m->is_training()) << m->name();
}

TEST(Module, ToDtypeKeepsHandlesAndCastsGrads) {
  Net net(2, 3, 1);
  fx::Tensor w = net->fc1->weight;  // a handle held elsewhere (e.g. by an optimiser)
  fx::Tensor before = w.detach().clone();
  net(fx::ones({4, 2})).sum().backward();
  ASSERT_TRUE(w.grad().defined());
  net->to(fx::kFloat64);
  EXPECT_EQ(w.dtype(), fx::kFloat64);  // same handle sees the new storage
  EXPECT_TRUE(w.is_same(net->fc1->weight));
  EXPECT_EQ(w.grad().dtype(), fx::kFloat64);
  EXPECT_TRUE(w.requires_grad());
  EXPECT_TRUE(fxtest::tensors_close(w.detach(), before.to(fx::kFloat64)));
  EXPECT_EQ(net->named_buffers()["steps"].dtype(), fx::kInt64);  // integer buffers keep their dtype
  EXPECT_EQ(net->named_buffers()["scratch"].dtype(), fx::kFloat64);
  // The module still trains in float64.
  fx::Tensor y = net(fx::ones({4, 2}, fx::kFloat64));
  EXPECT_EQ(y.dtype(), fx::kFloat64);
  net->zero_grad();
  y.sum().backward();
  EXPECT_EQ(w.grad().dtype(), fx::kFloat64);
  net->to(fx::kCPU);  // no-op move
  EXPECT_EQ(w.dtype(), fx::kFloat64);
  EXPECT_FX_ERROR(net->to(fx::kInt32), "floating-point dtype");
}

TEST(Module, ZeroGradAndRequiresGrad) {
  Net net(2, 3, 1);
  net(fx::ones({1, 2})).sum().backward();
  for (const auto& p : net->parameters()) EXPECT_TRUE(p.grad().defined());
  net->zero_grad(/*set_to_none=*/false);
  for (const auto& p : net->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_EQ(p.grad().abs().sum().item<float>(), 0.0f);
  }
  net->zero_grad();
  for (const auto& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
  // Freezing fc1 (transfer learning): no gradient reaches it, fc2 still trains.
  net->fc1->requires_grad_(false);
  EXPECT_EQ(net->num_parameters(/*only_trainable=*/true), 3 + 1);
  net(fx::ones({1, 2})).sum().backward();
  EXPECT_FALSE(net->fc1->weight.grad().defined());
  EXPECT_TRUE(net->fc2->weight.grad().defined());
  std::ostringstream os;
  os << net;
  EXPECT_NE(os.str().find("(frozen)"), std::string::npos);
}

TEST(Module, StateDictOrderRoundTripAndSharing) {
  Net a(3, 4, 2);
  auto sd = a->state_dict();
  // Parameters then persistent buffers of each module, children after their parent.
  EXPECT_EQ(sd.keys(), (std::vector<std::string>{"steps", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}));
  EXPECT_FALSE(sd["fc1.weight"].requires_grad());
  // Values share storage with the module (as PyTorch's state_dict()).
  {
    fx::NoGradGuard g;
    sd["fc2.bias"].fill_(7.0);
  }
  EXPECT_EQ(a->fc2->bias[0].item<float>(), 7.0f);
  Net b(3, 4, 2);
  fx::Tensor x = fx::randn({5, 3});
  EXPECT_FALSE(fxtest::tensors_close(a(x), b(x)));
  auto r = b->load_state_dict(a->state_dict());
  EXPECT_TRUE(r.missing_keys.empty());
  EXPECT_TRUE(r.unexpected_keys.empty());
  EXPECT_TRUE(fxtest::tensors_close(a(x), b(x)));
  // Loading copies values: the two modules stay independent.
  {
    fx::NoGradGuard g;
    a->fc1->weight.fill_(0.5);
  }
  EXPECT_FALSE(fxtest::tensors_close(a(x), b(x)));
  // Loading converts dtypes (a float64 checkpoint into a float32 model).
  fx::OrderedDict<std::string, fx::Tensor> sd64;
  for (const auto& it : a->state_dict())
    sd64.insert(it.key(), it.value().is_floating_point() ? it.value().to(fx::kFloat64) : it.value());
  b->load_state_dict(sd64);
  EXPECT_EQ(b->fc1->weight.dtype(), fx::kFloat32);
  EXPECT_TRUE(fxtest::tensors_close(a(x), b(x)));
}

TEST(Module, LoadStateDictErrorsListKeysAndChangeNothing) {
  Net net(3, 4, 2);
  fx::Tensor before = net->fc1->weight.detach().clone();
  auto sd = net->state_dict();
  fx::OrderedDict<std::string, fx::Tensor> bad;
  for (const auto& it : sd)
    if (it.key() != "fc2.bias") bad.insert(it.key(), it.value().clone() + (it.value().is_floating_point() ? 1 : 0));
  bad.insert("fc3.weight", fx::zeros({1}));
  bad.insert("extra", fx::zeros({1}));
  try {
    net->load_state_dict(bad);
    ADD_FAILURE() << "expected an error";
  } catch (const fx::Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("Missing key(s) in state_dict: \"fc2.bias\""), std::string::npos) << m;
    EXPECT_NE(m.find("Unexpected key(s) in state_dict: \"fc3.weight\", \"extra\""), std::string::npos) << m;
  }
  EXPECT_TRUE(fxtest::tensors_equal(net->fc1->weight.detach(), before));  // nothing was copied
  // Non-strict: loads what matches and reports the rest.
  auto r = net->load_state_dict(bad, /*strict=*/false);
  EXPECT_EQ(r.missing_keys, (std::vector<std::string>{"fc2.bias"}));
  EXPECT_EQ(r.unexpected_keys, (std::vector<std::string>{"fc3.weight", "extra"}));
  EXPECT_TRUE(fxtest::tensors_close(net->fc1->weight.detach(), before + 1));
  // Shape mismatches are errors even when not strict, and name every offending key.
  fx::OrderedDict<std::string, fx::Tensor> wrong;
  wrong.insert("fc1.weight", fx::zeros({4, 4}));
  wrong.insert("fc2.weight", fx::zeros({2, 5}));
  EXPECT_FX_ERROR(net->load_state_dict(wrong, false),
                  "size mismatch for \"fc1.weight\": copying a param with shape [4, 4] from checkpoint, the shape in "
                  "current model is [4, 3]");
  EXPECT_FX_ERROR(net->load_state_dict(wrong, false), "size mismatch for \"fc2.weight\"");
  EXPECT_TRUE(fxtest::tensors_close(net->fc1->weight.detach(), before + 1));
}

TEST(Module, ForwardHooks) {
  Net net(2, 3, 1);
  int pre = 0, post = 0;
  fx::Shape seen_out;
  auto h1 = net->register_forward_pre_hook([&](nn::ModuleImpl& m, const fx::Tensor& x) {
    EXPECT_EQ(m.name(), "Net");
    EXPECT_EQ(x.size(1), 2);
    ++pre;
  });
  auto h2 = net->fc1->register_forward_hook([&](nn::ModuleImpl&, const fx::Tensor&, const fx::Tensor& y) {
    seen_out = y.sizes();
    ++post;
  });
  net(fx::ones({5, 2}));
  EXPECT_EQ(pre, 1);
  EXPECT_EQ(post, 1);  // the child hook ran through fc1(x) inside Net::forward
  EXPECT_EQ(seen_out, (fx::Shape{5, 3}));
  // Hooks also run when a module is called through an untyped handle / Sequential.
  nn::Sequential seq(net->fc1, nn::ReLU());
  seq(fx::ones({2, 2}));
  EXPECT_EQ(post, 2);
  net->remove_hook(h1);
  net->fc1->remove_hook(h2);
  net(fx::ones({5, 2}));
  EXPECT_EQ(pre, 1);
  EXPECT_EQ(post, 2);
  EXPECT_FX_ERROR(net->remove_hook(h1), "no hook with handle");
}

TEST(Module, PrintsTreeShapesAndTotal) {
  Deep deep;
  std::ostringstream os;
  os << deep;
  const std::string s = os.str();
  EXPECT_NE(s.find("Deep(\n  (features): Sequential(\n    (0): Linear(in_features=3, out_features=4, bias=true)\n"
                   "    (1): ReLU()\n    (2): Linear(in_features=4, out_features=2, bias=true)\n  )\n)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("features.0.weight"), std::string::npos);
  EXPECT_NE(s.find("[4, 3]"), std::string::npos);
  EXPECT_NE(s.find("Total parameters: 28 (trainable: 28)"), std::string::npos) << s;
}

TEST(Module, TiedParametersAppearOnce) {
  nn::Sequential seq(nn::Linear(3, 3, false), nn::Linear(3, 3, false));
  // Tie the second layer's weight to the first's (weight sharing).
  auto& second = seq->at<nn::LinearImpl>(1);
  second.unregister("weight");
  second.weight = second.register_parameter("weight", seq->at<nn::LinearImpl>(0).weight);
  EXPECT_EQ(seq->parameters().size(), 1u);
  EXPECT_EQ(seq->state_dict().size(), 2u);  // state dicts keep both names, like PyTorch
  seq(fx::ones({1, 3})).sum().backward();
  EXPECT_TRUE(seq->parameters()[0].grad().defined());
}

TEST(Module, ReplaceModuleForTransferLearning) {
  Deep deep;
  auto& features = deep->features;
  features->replace_module("2", nn::Linear(4, 7));
  EXPECT_EQ(deep->named_parameters()["features.2.weight"].size(0), 7);
  EXPECT_EQ(features[2]->name(), "Linear");
  // The container runs the new head.
  EXPECT_EQ(features(fx::ones({3, 3})).size(1), 7);
  EXPECT_FX_ERROR(features->replace_module("9", nn::Linear(1, 1)), "no submodule named '9'");
}

TEST(Module, XorEndToEnd) {
  fx::manual_seed(0);
  Net net(2, 8, 1);
  fx::Tensor x = fx::tensor(std::vector<float>{0, 0, 0, 1, 1, 0, 1, 1}, fx::Shape{4, 2});
  fx::Tensor y = fx::tensor(std::vector<float>{0, 1, 1, 0}, fx::Shape{4, 1});
  const float lr = 0.5f;
  float loss_v = 0;
  for (int step = 0; step < 2000; ++step) {
    net->zero_grad();
    fx::Tensor loss = nn::functional::binary_cross_entropy_with_logits(net(x), y);
    loss.backward();
    {
      fx::NoGradGuard g;
      for (auto& p : net->parameters()) p.sub_(p.grad() * lr);
    }
    loss_v = loss.item<float>();
  }
  EXPECT_LT(loss_v, 0.05f);
  fx::Tensor pred = (net(x) > 0).to(fx::kFloat32);
  EXPECT_TRUE(fxtest::tensors_equal(pred, y)) << pred;
}
