// resnet18: ResNet-18 (He et al. 2016) with torchvision's BasicBlock, in the CIFAR variant used by
// most reproductions for small images: a 3x3 stride-1 stem without max-pooling, then four stages
// of two BasicBlocks (64, 128, 256, 512 channels; stride 2 at the first block of stages 2-4, with
// a 1x1 conv + BatchNorm projection on the shortcut), global average pooling and a linear layer.
// 11.2M parameters for 10 classes; inputs of any size >= 8x8.
#include "fluxion/error.h"
#include "fluxion/models.h"
#include "fluxion/nn.h"

namespace fluxion::models {
namespace {

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

// out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
struct BasicBlockImpl : nn::ModuleImpl {
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride) {
    conv1 = register_module("conv1", conv3x3(in, out, stride));
    bn1 = register_module("bn1", nn::BatchNorm2d(nn::BatchNormOptions(out)));
    conv2 = register_module("conv2", conv3x3(out, out, 1));
    bn2 = register_module("bn2", nn::BatchNorm2d(nn::BatchNormOptions(out)));
    if (stride != 1 || in != out) {
      downsample->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
      downsample->push_back(nn::BatchNorm2d(nn::BatchNormOptions(out)));
      register_module("downsample", downsample);
    }
  }
  Tensor forward(const Tensor& x) override {
    const Tensor y = bn2(conv2(bn1(conv1(x)).relu()));
    return (y + (downsample->size() ? downsample(x) : x)).relu();
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  nn::Sequential downsample;
};
FX_MODULE(BasicBlock);

nn::Module make_resnet18(const ModelConfig& c) {
  FX_CHECK(c.height >= 8 && c.width >= 8, "resnet18: input ", c.height, "x", c.width, " is too small (at least 8x8)");
  nn::Sequential s;
  s->push_back(conv3x3(c.in_channels, 64, 1));
  s->push_back(nn::BatchNorm2d(nn::BatchNormOptions(64)));
  s->push_back(nn::ReLU());
  int64_t in = 64;
  for (int64_t stage = 0; stage < 4; ++stage) {
    const int64_t out = int64_t{64} << stage;
    s->push_back(BasicBlock(in, out, stage == 0 ? 1 : 2));
    s->push_back(BasicBlock(out, out, 1));
    in = out;
  }
  s->push_back(nn::AdaptiveAvgPool2d(DimList{1, 1}));
  s->push_back(nn::Flatten());
  s->push_back(nn::Linear(512, c.num_classes));
  return s;
}

}  // namespace
}  // namespace fluxion::models

FLUXION_REGISTER_MODEL(resnet18,
                       "ResNet-18, CIFAR variant: 3x3 stem, 4 stages of 2 BasicBlocks (64-512), avgpool, linear",
                       ::fluxion::models::make_resnet18);
