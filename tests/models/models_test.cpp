// The model registry: every registered model builds for its config and maps (B, C, H, W) to (B, classes).
#include <gtest/gtest.h>

#include <algorithm>

#include "fluxion/fluxion.h"
#include "fluxion/models.h"
#include "fluxion/nn.h"
#include "support/test_util.h"

namespace fx = fluxion;

namespace {

TEST(Models, RegistryListsTheBuiltInModels) {
  const auto names = fx::models::available();
  for (const char* n : {"lenet5", "mlp", "mlp_1024", "resnet18", "softmax", "vgg_small"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    EXPECT_TRUE(fx::models::contains(n));
    EXPECT_FALSE(fx::models::info(n).description.empty());
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(Models, EveryModelMapsImagesToClassLogits) {
  fx::manual_seed(0);
  for (const auto& name : fx::models::available()) {
    for (const fx::models::ModelConfig cfg :
         {fx::models::ModelConfig{1, 28, 28, 10}, fx::models::ModelConfig{3, 32, 32, 7}}) {
      fx::nn::Module m = fx::models::create(name, cfg);
      m.eval();
      fx::Tensor x = fx::rand({2, cfg.in_channels, cfg.height, cfg.width});
      fx::Tensor y = m(x);
      ASSERT_EQ(y.dim(), 2) << name;
      EXPECT_EQ(y.size(0), 2) << name;
      EXPECT_EQ(y.size(1), cfg.num_classes) << name;
      EXPECT_TRUE(y.isfinite().all().item<bool>()) << name;
    }
  }
}

TEST(Models, LeNet5HasTheClassicParameterCount) {
  fx::nn::Module m = fx::models::create("lenet5");
  // conv1 156 + conv2 2416 + fc1 48120 + fc2 10164 + fc3 850.
  EXPECT_EQ(m.num_parameters(), 61706);
  EXPECT_EQ(fx::models::create("softmax").num_parameters(), 7850);
  EXPECT_EQ(fx::models::create("mlp_1024").num_parameters(), 784 * 1024 + 1024 + 1024 * 1024 + 1024 + 10250);
}

TEST(Models, ResNet18MatchesTorchvisionsCifarVariant) {
  fx::nn::Module m = fx::models::create("resnet18", {3, 32, 32, 10});
  // torchvision's resnet18(num_classes=10) has 11,181,642 parameters; the CIFAR stem (3x3 conv
  // instead of 7x7) has 3*64*(49-9) = 7,680 fewer.
  EXPECT_EQ(m.num_parameters(), 11181642 - 7680);
  int blocks = 0, projections = 0;
  for (const auto& item : m.named_modules()) {
    const std::string& name = item.key();
    blocks += item.value()->name() == "BasicBlock";
    projections += name.size() > 11 && name.substr(name.size() - 11) == ".downsample";
  }
  EXPECT_EQ(blocks, 8);
  EXPECT_EQ(projections, 3);  // stages 2-4 change width and stride
  fx::Tensor y = m(fx::rand({2, 3, 32, 32}));
  fx::nn::functional::cross_entropy(y, fx::tensor({0L, 9L})).backward();
  for (const auto& p : m.parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(Models, VggSmallHasBatchNormAndTrainsBackward) {
  fx::nn::Module m = fx::models::create("vgg_small", {3, 32, 32, 10});
  bool has_bn = false;
  for (const auto& mod : m.modules()) has_bn = has_bn || mod->name() == "BatchNorm2d";
  EXPECT_TRUE(has_bn);
  EXPECT_GT(m.named_buffers().size(), 0u);  // running statistics
  fx::Tensor y = m(fx::rand({4, 3, 32, 32}));
  fx::nn::functional::cross_entropy(y, fx::tensor({0L, 1L, 2L, 3L})).backward();
  for (const auto& p : m.parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(Models, ErrorsNameTheProblem) {
  EXPECT_FX_ERROR(fx::models::create("resnet9000"), "lenet5");
  EXPECT_FX_ERROR(fx::models::create("lenet5", {1, 8, 8, 10}), "too small");
  EXPECT_FX_ERROR(fx::models::create("mlp", {1, 28, 28, 1}), "num_classes");
}

TEST(Models, RegistrationIsOneCall) {
  fx::models::register_model("test_identity_head", "a test model", [](const fx::models::ModelConfig& c) {
    return fx::nn::Module(
        fx::nn::Sequential(fx::nn::Flatten(), fx::nn::Linear(c.in_channels * c.height * c.width, c.num_classes)));
  });
  EXPECT_TRUE(fx::models::contains("test_identity_head"));
  EXPECT_EQ(fx::models::create("test_identity_head", {1, 2, 2, 3})(fx::rand({5, 1, 2, 2})).size(1), 3);
}

}  // namespace
