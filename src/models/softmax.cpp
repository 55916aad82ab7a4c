// softmax: multinomial logistic regression, Flatten + Linear(C*H*W, classes) (the loss applies the softmax).
#include "fluxion/models.h"
#include "fluxion/nn.h"

namespace fluxion::models {
namespace {

nn::Module make_softmax(const ModelConfig& c) {
  return nn::Sequential(nn::Flatten(), nn::Linear(c.in_channels * c.height * c.width, c.num_classes));
}

}  // namespace
}  // namespace fluxion::models

FLUXION_REGISTER_MODEL(softmax, "multinomial logistic regression: Flatten, Linear(C*H*W, classes)",
                       ::fluxion::models::make_softmax);
