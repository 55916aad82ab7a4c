// SGD: validates options and runs the fused sgd_step_kernel per parameter.
#include "fluxion/optim/sgd.h"

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"
#include "optim/step_batch.h"

namespace fluxion::optim {

std::vector<detail::OptionField> SGDOptions::fields() {
  return {{"lr", &lr_},
          {"momentum", &momentum_},
          {"dampening", &dampening_},
          {"weight_decay", &weight_decay_},
          {"nesterov", &nesterov_},
          {"maximize", &maximize_}};
}

namespace {
void validate(const SGDOptions& o) {
  FX_CHECK(o.lr() >= 0, "SGD: invalid learning rate: ", o.lr());
  FX_CHECK(o.momentum() >= 0, "SGD: invalid momentum value: ", o.momentum());
  FX_CHECK(o.weight_decay() >= 0, "SGD: invalid weight_decay value: ", o.weight_decay());
  FX_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
           "SGD: Nesterov momentum requires a momentum and zero dampening");
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDOptions& defaults)
    : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}

SGD::SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults)
    : Optimizer("SGD", std::move(groups), defaults.clone()) {
  validate(defaults);
  for (auto& g : param_groups_) validate(g.options_as<SGDOptions>());
}

Tensor SGD::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  // Options are validated before any state changes (the updates run together at the end).
  for (auto& g : param_groups_) validate(g.options_as<SGDOptions>());
  detail::StepBatch<kernels::SGDKernelArgs> batch;
  for_each_param_with_grad<SGDOptions>([&](SGDOptions& o, const Tensor& p, const Tensor& grad) {
    auto& st = param_state<SGDParamState>(p, [](SGDParamState&) {});
    bool init = false;
    if (o.momentum() != 0 && !st.momentum_buffer.defined()) {
      st.momentum_buffer = empty(p.sizes(), p.options());
      init = true;
    }
    DenseParam dp(p);
    kernels::SGDKernelArgs a{dp.data().data_ptr(),
                             grad.data_ptr(),
                             o.momentum() != 0 ? st.momentum_buffer.data_ptr() : nullptr,
                             p.numel(),
                             o.lr(),
                             o.momentum(),
                             o.dampening(),
                             o.weight_decay(),
                             o.nesterov(),
                             o.maximize(),
                             init};
    batch.add(std::move(dp), a, grad);
  });
  batch.run(kernels::sgd_multi_step_kernel);
  return loss;
}

}  // namespace fluxion::optim
