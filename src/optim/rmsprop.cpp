// RMSprop: validates options, keeps square/grad averages and momentum, runs rmsprop_step_kernel.
#include "fluxion/optim/rmsprop.h"

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

std::vector<detail::OptionField> RMSpropOptions::fields() {
  return {{"lr", &lr_},
          {"alpha", &alpha_},
          {"eps", &eps_},
          {"weight_decay", &weight_decay_},
          {"momentum", &momentum_},
          {"centered", &centered_},
          {"maximize", &maximize_}};
}

namespace {
void validate(const RMSpropOptions& o) {
  FX_CHECK(o.lr() >= 0, "RMSprop: invalid learning rate: ", o.lr());
  FX_CHECK(o.eps() >= 0, "RMSprop: invalid epsilon value: ", o.eps());
  FX_CHECK(o.momentum() >= 0, "RMSprop: invalid momentum value: ", o.momentum());
  FX_CHECK(o.weight_decay() >= 0, "RMSprop: invalid weight_decay value: ", o.weight_decay());
  FX_CHECK(o.alpha() >= 0, "RMSprop: invalid alpha value: ", o.alpha());
}
}  // namespace

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults)
    : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
RMSprop::RMSprop(std::vector<OptimizerParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer("RMSprop", std::move(groups), defaults.clone()) {
  validate(defaults);
  for (auto& g : param_groups_) validate(g.options_as<RMSpropOptions>());
}

Tensor RMSprop::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  for_each_param_with_grad<RMSpropOptions>([&](RMSpropOptions& o, const Tensor& p, const Tensor& grad) {
    validate(o);
    auto& st =
        param_state<RMSpropParamState>(p, [&](RMSpropParamState& s) { s.square_avg = zeros(p.sizes(), p.options()); });
    if (o.momentum() > 0 && !st.momentum_buffer.defined()) st.momentum_buffer = zeros(p.sizes(), p.options());
    if (o.centered() && !st.grad_avg.defined()) st.grad_avg = zeros(p.sizes(), p.options());
    st.step += 1;
    DenseParam dp(p);
    kernels::RMSpropKernelArgs a{dp.data().data_ptr(),
                                 grad.data_ptr(),
                                 st.square_avg.data_ptr(),
                                 o.centered() ? st.grad_avg.data_ptr() : nullptr,
                                 o.momentum() > 0 ? st.momentum_buffer.data_ptr() : nullptr,
                                 p.numel(),
                                 o.lr(),
                                 o.alpha(),
                                 o.eps(),
                                 o.weight_decay(),
                                 o.momentum(),
                                 o.centered(),
                                 o.maximize()};
    kernels::rmsprop_step_kernel.get(p.device().type(), p.dtype())(a);
    dp.finish();
  });
  return loss;
}

}  // namespace fluxion::optim
