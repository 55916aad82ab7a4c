// Adamax: keeps the first moment and the exponentially weighted infinity norm; runs adamax_step_kernel.
#include "fluxion/optim/adamax.h"

#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

std::vector<detail::OptionField> AdamaxOptions::fields() {
  return {{"lr", &lr_}, {"betas", &betas_}, {"eps", &eps_}, {"weight_decay", &weight_decay_}, {"maximize", &maximize_}};
}

namespace {
void validate(const AdamaxOptions& o) {
  FX_CHECK(o.lr() >= 0, "Adamax: invalid learning rate: ", o.lr());
  FX_CHECK(o.eps() >= 0, "Adamax: invalid epsilon value: ", o.eps());
  auto [b1, b2] = o.betas();
  FX_CHECK(b1 >= 0 && b1 < 1, "Adamax: invalid beta parameter at index 0: ", b1);
  FX_CHECK(b2 >= 0 && b2 < 1, "Adamax: invalid beta parameter at index 1: ", b2);
  FX_CHECK(o.weight_decay() >= 0, "Adamax: invalid weight_decay value: ", o.weight_decay());
}
}  // namespace

Adamax::Adamax(std::vector<Tensor> params, const AdamaxOptions& defaults)
    : Adamax(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
Adamax::Adamax(std::vector<OptimizerParamGroup> groups, const AdamaxOptions& defaults)
    : Optimizer("Adamax", std::move(groups), defaults.clone()) {
  validate(defaults);
  for (auto& g : param_groups_) validate(g.options_as<AdamaxOptions>());
}

Tensor Adamax::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  for_each_param_with_grad<AdamaxOptions>([&](AdamaxOptions& o, const Tensor& p, const Tensor& grad) {
    validate(o);
    auto& st = param_state<AdamaxParamState>(p, [&](AdamaxParamState& s) {
      s.exp_avg = zeros(p.sizes(), p.options());
      s.exp_inf = zeros(p.sizes(), p.options());
    });
    st.step += 1;
    auto [b1, b2] = o.betas();
    const double clr = o.lr() / (1 - std::pow(b1, static_cast<double>(st.step)));
    DenseParam dp(p);
    kernels::AdamaxKernelArgs a{dp.data().data_ptr(),
                                grad.data_ptr(),
                                st.exp_avg.data_ptr(),
                                st.exp_inf.data_ptr(),
                                p.numel(),
                                b1,
                                b2,
                                o.eps(),
                                o.weight_decay(),
                                clr,
                                o.maximize()};
    kernels::adamax_step_kernel.get(p.device().type(), p.dtype())(a);
    dp.finish();
  });
  return loss;
}

}  // namespace fluxion::optim
