// vgg_small: a small VGG-style CNN with BatchNorm for 28x28 / 32x32 images:
//   [conv3x3(32) BN ReLU] x2, maxpool2, [conv3x3(64) BN ReLU] x2, maxpool2, [conv3x3(128) BN ReLU], maxpool2,
//   Flatten, Linear(128*h*w, 256) ReLU Dropout(0.5) Linear(256, classes).
#include "fluxion/error.h"
#include "fluxion/models.h"
#include "fluxion/nn.h"

namespace fluxion::models {
namespace {

void conv_bn_relu(nn::Sequential& s, int64_t in, int64_t out) {
  s->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
  s->push_back(nn::BatchNorm2d(nn::BatchNormOptions(out)));
  s->push_back(nn::ReLU());
}

nn::Module make_vgg_small(const ModelConfig& c) {
  const int64_t h = c.height / 8, w = c.width / 8;
  FX_CHECK(h >= 1 && w >= 1, "vgg_small: input ", c.height, "x", c.width, " is too small (at least 8x8)");
  nn::Sequential s;
  conv_bn_relu(s, c.in_channels, 32);
  conv_bn_relu(s, 32, 32);
  s->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  conv_bn_relu(s, 32, 64);
  conv_bn_relu(s, 64, 64);
  s->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  conv_bn_relu(s, 64, 128);
  s->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  s->push_back(nn::Flatten());
  s->push_back(nn::Linear(128 * h * w, 256));
  s->push_back(nn::ReLU());
  s->push_back(nn::Dropout(0.5));
  s->push_back(nn::Linear(256, c.num_classes));
  return s;
}

}  // namespace
}  // namespace fluxion::models

FLUXION_REGISTER_MODEL(vgg_small, "small VGG-style CNN: 5 conv3x3+BatchNorm+ReLU layers in 3 blocks, 256, classes",
                       ::fluxion::models::make_vgg_small);
