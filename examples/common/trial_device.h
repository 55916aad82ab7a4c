// Trial on a device: the data loaders yield CPU batches, so these train and eval steps move each
// batch to `device` before the default step, and hand the model's output back on the CPU, where
// the targets (and so the metrics) are. On the CPU both moves are no-ops.
#pragma once

#include "fluxion/device.h"
#include "fluxion/train.h"

namespace examples {

inline void run_on(fluxion::train::Trial& trial, fluxion::Device device) {
  using fluxion::Tensor;
  using fluxion::train::StepOutput;
  using fluxion::train::Trial;
  trial.set_train_step([device](Trial& t, const Tensor& data, const Tensor& target) {
    StepOutput out = t.default_train_step(data.to(device), target.to(device));
    return StepOutput{out.output.cpu(), out.loss};
  });
  trial.set_eval_step([device](Trial& t, const Tensor& data, const Tensor& target) {
    StepOutput out = t.default_eval_step(data.to(device), target.to(device));
    return StepOutput{out.output.cpu(), out.loss};
  });
}

}  // namespace examples
