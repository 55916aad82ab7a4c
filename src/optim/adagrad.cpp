// Adagrad: eager state (sum = initial_accumulator_value) as in PyTorch; runs adagrad_step_kernel.
#include "fluxion/optim/adagrad.h"

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "kernels/optim_kernels.h"

namespace fluxion::optim {

std::vector<detail::OptionField> AdagradOptions::fields() {
  return {{"lr", &lr_},
          {"lr_decay", &lr_decay_},
          {"weight_decay", &weight_decay_},
          {"initial_accumulator_value", &initial_accumulator_value_},
          {"eps", &eps_},
          {"maximize", &maximize_}};
}

namespace {
void validate(const AdagradOptions& o) {
  FX_CHECK(o.lr() >= 0, "Adagrad: invalid learning rate: ", o.lr());
  FX_CHECK(o.lr_decay() >= 0, "Adagrad: invalid lr_decay value: ", o.lr_decay());
  FX_CHECK(o.weight_decay() >= 0, "Adagrad: invalid weight_decay value: ", o.weight_decay());
  FX_CHECK(o.initial_accumulator_value() >= 0,
           "Adagrad: invalid initial_accumulator_value value: ", o.initial_accumulator_value());
  FX_CHECK(o.eps() >= 0, "Adagrad: invalid epsilon value: ", o.eps());
}
void init_state(AdagradParamState& s, const Tensor& p, double init) { s.sum = full(p.sizes(), init, p.options()); }
}  // namespace

Adagrad::Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults)
    : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
Adagrad::Adagrad(std::vector<OptimizerParamGroup> groups, const AdagradOptions& defaults)
    : Optimizer("Adagrad", std::move(groups), defaults.clone()) {
  validate(defaults);
  for (auto& g : param_groups_) {
    auto& o = g.options_as<AdagradOptions>();
    validate(o);
    for (auto& p : g.params())
      param_state<AdagradParamState>(p, [&](AdagradParamState& s) { init_state(s, p, o.initial_accumulator_value()); });
  }
}

Tensor Adagrad::step(LossClosure closure) {
  Tensor loss = run_closure(closure);
  NoGradGuard ng;
  for_each_param_with_grad<AdagradOptions>([&](AdagradOptions& o, const Tensor& p, const Tensor& grad) {
    validate(o);
    auto& st = param_state<AdagradParamState>(
        p, [&](AdagradParamState& s) { init_state(s, p, o.initial_accumulator_value()); });
    st.step += 1;
    const double clr = o.lr() / (1 + static_cast<double>(st.step - 1) * o.lr_decay());
    DenseParam dp(p);
    kernels::AdagradKernelArgs a{dp.data().data_ptr(), grad.data_ptr(), st.sum.data_ptr(), p.numel(), clr, o.eps(),
                                 o.weight_decay(),     o.maximize()};
    kernels::adagrad_step_kernel.get(p.device().type(), p.dtype())(a);
    dp.finish();
  });
  return loss;
}

}  // namespace fluxion::optim
