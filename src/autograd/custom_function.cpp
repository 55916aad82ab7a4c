// Custom functions and gradient checkpointing, recorded through the ordinary op-recording API.
#include "fluxion/custom_function.h"

#include "fluxion/func.h"
#include "fluxion/ops/creation.h"

namespace fluxion {

namespace autograd::detail {

void finish_custom_function(const char* name, const std::shared_ptr<AutogradContext>& ctx, const TensorList& inputs,
                            TensorList& outputs,
                            std::function<TensorList(AutogradContext*, const TensorList&)> backward,
                            std::function<TensorList(AutogradContext*, const TensorList&)> jvp) {
  // Outputs that alias inputs would make the input its own grad_fn target: give them fresh handles.
  for (Tensor& o : outputs)
    for (const Tensor& in : inputs)
      if (o.is_same(in)) o = o.detach();
  TensorList diff_outputs;
  for (const Tensor& o : outputs) {
    bool nd = false;
    for (const TensorImpl* p : ctx->non_diff_)
      if (p == o.impl()) nd = true;
    diff_outputs.push_back(nd || !o.is_floating_point() ? Tensor() : o);
  }
  if (!needs_record(inputs)) {
    ctx->saved_for_forward_.clear();
    return;
  }
  std::vector<bool> needs;
  for (const Tensor& in : inputs) needs.push_back(in.defined() && in.requires_grad());
  // The context is shared by the VJP closure; saved tensors go through record() so that
  // outputs among them are held weakly.
  std::weak_ptr<AutogradContext> weak = ctx;
  TensorList to_save = ctx->to_save_;
  ctx->to_save_.clear();
  JvpFn jvp_fn;
  if (jvp) {
    jvp_fn = [ctx, jvp](const TensorList& t) { return jvp(ctx.get(), t); };
  } else {
    std::string n = name;
    jvp_fn = [n](const TensorList&) -> TensorList {
      FX_FAIL("custom Function ", n, " does not define jvp(ctx, tangents); forward-mode AD is unavailable for it");
    };
  }
  record(
      "CustomFunctionBackward", inputs, diff_outputs, to_save,
      [ctx, backward, needs](const BackwardArgs& a, const SavedList& saved) {
        ctx->saved_ = saved;
        ctx->needs_ = a.needs_input_grad;
        TensorList g = backward(ctx.get(), a.grads);
        FX_CHECK(g.size() == a.needs_input_grad.size(), "custom Function backward returned ", g.size(),
                 " gradients but forward had ", a.needs_input_grad.size(), " tensor inputs");
        return g;
      },
      jvp_fn);
  (void)weak;
  ctx->saved_for_forward_.clear();
}

}  // namespace autograd::detail

TensorList checkpoint(const std::function<TensorList(const TensorList&)>& fn, const TensorList& inputs) {
  TensorList outputs;
  {
    NoGradGuard ng;
    outputs = fn(inputs);
  }
  if (!autograd::needs_record(inputs)) return outputs;
  TensorList diff;
  for (Tensor& o : outputs) diff.push_back(o.is_floating_point() ? o : Tensor());
  autograd::record(
      "CheckpointBackward", inputs, diff, inputs,
      [fn](const autograd::BackwardArgs& a, const autograd::SavedList& saved) {
        // Recompute the forward with history, then differentiate it.
        EnableGradGuard eg;
        TensorList xs;
        TensorList wrt;
        for (const Tensor& s : saved) {
          if (!s.defined() || !s.is_floating_point()) {
            xs.push_back(s);
            continue;
          }
          Tensor x = s.detach().requires_grad_(true);
          xs.push_back(x);
          wrt.push_back(x);
        }
        TensorList outs = fn(xs);
        TensorList os, gs;
        for (size_t i = 0; i < outs.size() && i < a.grads.size(); ++i)
          if (outs[i].requires_grad() && a.grads[i].defined()) {
            os.push_back(outs[i]);
            gs.push_back(a.grads[i]);
          }
        TensorList g = os.empty() ? TensorList(wrt.size())
                                  : autograd::grad(os, wrt, gs, false, /*create_graph=*/false, /*allow_unused=*/true);
        TensorList result;
        size_t k = 0;
        for (const Tensor& s : saved) result.push_back(s.defined() && s.is_floating_point() ? g[k++] : Tensor());
        return result;
      },
      [&](const TensorList& tangents) { return func::jvp(fn, inputs, tangents).second; });
  return outputs;
}

}  // namespace fluxion
