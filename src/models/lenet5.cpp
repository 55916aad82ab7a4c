// LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, as commonly taught:
//   conv5x5(6, padding 2) ReLU maxpool2 -> conv5x5(16) ReLU maxpool2 -> 120 ReLU -> 84 ReLU -> classes.
// The padding of the first convolution keeps 28x28 inputs at LeNet's original 32x32 geometry.
#include "fluxion/error.h"
#include "fluxion/models.h"
#include "fluxion/nn.h"

namespace fluxion::models {
namespace {

nn::Module make_lenet5(const ModelConfig& c) {
  // 28x28 -> conv(pad 2) 28 -> pool 14 -> conv 10 -> pool 5.
  const int64_t h = (c.height / 2 - 4) / 2, w = (c.width / 2 - 4) / 2;
  FX_CHECK(h >= 1 && w >= 1, "lenet5: input ", c.height, "x", c.width, " is too small (at least 12x12)");
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(c.in_channels, 6, 5).padding(2)), nn::ReLU(),
                        nn::MaxPool2d(nn::MaxPool2dOptions(2)), nn::Conv2d(nn::Conv2dOptions(6, 16, 5)), nn::ReLU(),
                        nn::MaxPool2d(nn::MaxPool2dOptions(2)), nn::Flatten(), nn::Linear(16 * h * w, 120), nn::ReLU(),
                        nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, c.num_classes));
}

}  // namespace
}  // namespace fluxion::models

FLUXION_REGISTER_MODEL(lenet5, "LeNet-5: conv5x5(6) pool conv5x5(16) pool 120 84 classes, ReLU",
                       ::fluxion::models::make_lenet5);
