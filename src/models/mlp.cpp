// Multi-layer perceptrons on flattened images.
//   mlp       C*H*W-512-256-classes, ReLU, Dropout(0.2) after each hidden layer: >= 88% on Fashion-MNIST
//             in 5 Adam epochs at about 2 s an epoch on 2 cores (without dropout it overfits to ~87.8%).
//   mlp_1024  C*H*W-1024-1024-classes, ReLU, no dropout: the reference MLP of the benchmarks (DESIGN.md).
#include "fluxion/models.h"
#include "fluxion/nn.h"

namespace fluxion::models {
namespace {

nn::Module make_mlp(const ModelConfig& c, int64_t h1, int64_t h2, double dropout) {
  nn::Sequential s(nn::Flatten(), nn::Linear(c.in_channels * c.height * c.width, h1), nn::ReLU());
  if (dropout > 0) s->push_back(nn::Dropout(dropout));
  s->push_back(nn::Linear(h1, h2));
  s->push_back(nn::ReLU());
  if (dropout > 0) s->push_back(nn::Dropout(dropout));
  s->push_back(nn::Linear(h2, c.num_classes));
  return s;
}

}  // namespace
}  // namespace fluxion::models

FLUXION_REGISTER_MODEL(mlp, "multi-layer perceptron C*H*W-512-256-classes with ReLU and Dropout(0.2)",
                       [](const ::fluxion::models::ModelConfig& c) {
                         return ::fluxion::models::make_mlp(c, 512, 256, 0.2);
                       });
FLUXION_REGISTER_MODEL(mlp_1024, "multi-layer perceptron C*H*W-1024-1024-classes with ReLU (benchmark reference)",
                       [](const ::fluxion::models::ModelConfig& c) {
                         return ::fluxion::models::make_mlp(c, 1024, 1024, 0.0);
                       });
