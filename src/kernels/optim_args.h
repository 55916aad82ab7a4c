// Arguments of the fused optimiser kernels (kernels/optim_kernels.h): plain structs with no
// library dependency, so the CUDA launchers (nvcc) take exactly what the CPU kernels take.
// Buffers are contiguous and of the parameter's dtype; step-dependent scalars are computed by
// the optimiser on the host in double.
#pragma once

#include <cstdint>

namespace fluxion::kernels {

/// p -= lr * update, with momentum/Nesterov/weight decay (torch.optim.SGD).
struct SGDKernelArgs {
  void* param;
  const void* grad;
  void* momentum_buffer;  // null when momentum == 0
  int64_t n;
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
  bool init_buffer;  // first step with momentum: buffer = grad
};

/// Adam and AdamW (decoupled_weight_decay), NAdam-free.
struct AdamKernelArgs {
  void* param;
  const void* grad;
  void* exp_avg;
  void* exp_avg_sq;
  void* max_exp_avg_sq;  // null unless amsgrad
  int64_t n;
  double lr, beta1, beta2, eps, weight_decay;
  double step_size;              // lr / (1 - beta1^t)
  double bias_correction2_sqrt;  // sqrt(1 - beta2^t)
  bool amsgrad, maximize, decoupled_weight_decay;
};

struct RMSpropKernelArgs {
  void* param;
  const void* grad;
  void* square_avg;
  void* grad_avg;         // null unless centered
  void* momentum_buffer;  // null unless momentum > 0
  int64_t n;
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};

struct AdagradKernelArgs {
  void* param;
  const void* grad;
  void* sum;
  int64_t n;
  double clr, eps, weight_decay;  // clr = lr / (1 + (t - 1) * lr_decay)
  bool maximize;
};

struct AdadeltaKernelArgs {
  void* param;
  const void* grad;
  void* square_avg;
  void* acc_delta;
  int64_t n;
  double lr, rho, eps, weight_decay;
  bool maximize;
};

struct AdamaxKernelArgs {
  void* param;
  const void* grad;
  void* exp_avg;
  void* exp_inf;
  int64_t n;
  double beta1, beta2, eps, weight_decay;
  double clr;  // lr / (1 - beta1^t)
  bool maximize;
};

struct NAdamKernelArgs {
  void* param;
  const void* grad;
  void* exp_avg;
  void* exp_avg_sq;
  int64_t n;
  double lr, beta1, beta2, eps, weight_decay;
  double bias_correction2;  // 1 - beta2^t
  double grad_coef;         // -lr * (1 - mu_t) / (1 - prod mu)
  double exp_avg_coef;      // -lr * mu_{t+1} / (1 - prod mu * mu_{t+1})
  bool maximize, decoupled_weight_decay;
};

struct RAdamKernelArgs {
  void* param;
  const void* grad;
  void* exp_avg;
  void* exp_avg_sq;
  int64_t n;
  double lr, beta1, beta2, eps, weight_decay;
  double bias_correction1, bias_correction2_sqrt;
  double rect;     // rectification term when rectified, else unused
  bool rectified;  // rho_t > 5
  bool maximize, decoupled_weight_decay;
};

}  // namespace fluxion::kernels
