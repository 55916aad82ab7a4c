// Thread-local autograd switches: grad mode, inference mode, anomaly mode.
#include "fluxion/autograd.h"

namespace fluxion {

namespace {
thread_local bool t_grad_enabled = true;
thread_local bool t_inference = false;
thread_local bool t_anomaly = false;
}  // namespace

bool is_grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool enabled) { t_grad_enabled = enabled; }
bool is_inference_mode() { return t_inference; }

InferenceModeGuard::InferenceModeGuard(bool enabled) : prev_grad_(t_grad_enabled), prev_inference_(t_inference) {
  if (enabled) {
    t_grad_enabled = false;
    t_inference = true;
  }
}
InferenceModeGuard::~InferenceModeGuard() {
  t_grad_enabled = prev_grad_;
  t_inference = prev_inference_;
}

namespace autograd {
bool is_anomaly_enabled() { return t_anomaly; }
DetectAnomalyGuard::DetectAnomalyGuard() : prev_(t_anomaly) { t_anomaly = true; }
DetectAnomalyGuard::~DetectAnomalyGuard() { t_anomaly = prev_; }
}  // namespace autograd

}  // namespace fluxion
