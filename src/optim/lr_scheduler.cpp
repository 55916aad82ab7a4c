// LRScheduler base and the simple multiplicative schedules (Lambda, Multiplicative, Step,
// MultiStep, Constant, Linear, Exponential, Polynomial). Formulas mirror
// torch/optim/lr_scheduler.py, including the order of floating-point operations.
#include "fluxion/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>

namespace fluxion::optim {

// ---- base -------------------------------------------------------------------------------------

LRScheduler::LRScheduler(std::string name, Optimizer& optimizer, int64_t last_epoch)
    : optimizer_(optimizer), name_(std::move(name)), last_epoch_(last_epoch) {
  auto& groups = optimizer_.param_groups();
  if (last_epoch == -1) {
    for (auto& g : groups) g.extra().emplace("initial_lr", g.options().get_lr());  // setdefault
  } else {
    for (size_t i = 0; i < groups.size(); ++i)
      FX_CHECK(groups[i].extra().count("initial_lr"), name_, ": param 'initial_lr' is not specified in param_groups[",
               i, "] when resuming with last_epoch >= 0 (load the optimizer's state dict first)");
  }
  for (auto& g : groups) base_lrs_.push_back(g.extra().at("initial_lr"));
}

LRScheduler::LRScheduler(std::string name, Optimizer& optimizer, NoInit)
    : optimizer_(optimizer), name_(std::move(name)) {}

LRScheduler::~LRScheduler() = default;

void LRScheduler::initial_step() {
  step_count_ = 0;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{is_initial_};
  is_initial_ = true;
  step();
}

void LRScheduler::step() {
  step_count_ += 1;
  update_lr();
}

void LRScheduler::update_lr(std::optional<int64_t> epoch) {
  std::vector<double> values;
  if (!epoch) {
    last_epoch_ += 1;
    values = get_lr();
  } else {
    last_epoch_ = *epoch;
    auto cf = closed_form_lr();
    values = cf ? *cf : get_lr();
  }
  set_group_lrs(values);
  last_lr_ = group_lrs();
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> out;
  for (const auto& g : optimizer_.param_groups()) out.push_back(g.options().get_lr());
  return out;
}

void LRScheduler::set_group_lrs(const std::vector<double>& lrs) {
  auto& groups = optimizer_.param_groups();
  FX_CHECK(lrs.size() == groups.size(), name_, ": computed ", lrs.size(), " learning rates for ", groups.size(),
           " parameter groups (was a group added after the scheduler was created?)");
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(lrs[i]);
}

SchedulerState LRScheduler::state_dict() const {
  SchedulerState s;
  s.values["last_epoch"] = static_cast<double>(last_epoch_);
  s.values["step_count"] = static_cast<double>(step_count_);
  s.lists["base_lrs"] = base_lrs_;
  s.lists["last_lr"] = last_lr_;
  save_extra(s);
  return s;
}

namespace {
double need_value(const SchedulerState& s, const char* key, const std::string& who) {
  auto it = s.values.find(key);
  FX_CHECK(it != s.values.end(), who, ": load_state_dict: missing '", key, "'");
  return it->second;
}
const std::vector<double>& need_list(const SchedulerState& s, const char* key, const std::string& who) {
  auto it = s.lists.find(key);
  FX_CHECK(it != s.lists.end(), who, ": load_state_dict: missing '", key, "'");
  return it->second;
}
int64_t need_int(const SchedulerState& s, const char* key, const std::string& who) {
  double v = need_value(s, key, who);
  FX_CHECK(v == std::floor(v) && std::abs(v) < 9.0e15, who, ": load_state_dict: '", key, "' must be an integer, got ",
           v);
  return static_cast<int64_t>(v);
}
}  // namespace

void LRScheduler::load_state_dict(const SchedulerState& s) {
  const int64_t last_epoch = need_int(s, "last_epoch", name_);
  const int64_t step_count = need_int(s, "step_count", name_);
  const auto& base = need_list(s, "base_lrs", name_);
  const auto& last = need_list(s, "last_lr", name_);
  const size_t ng = optimizer_.param_groups().size();
  FX_CHECK(base.size() == ng && last.size() == ng, name_, ": load_state_dict: the state has ", base.size(),
           " base lrs and ", last.size(), " last lrs but the optimizer has ", ng, " parameter groups");
  load_extra(s);  // validates before assigning, so throwing here changes nothing
  last_epoch_ = last_epoch;
  step_count_ = step_count;
  base_lrs_ = base;
  last_lr_ = last;
}

// ---- LambdaLR / MultiplicativeLR -------------------------------------------------------------

namespace {
template <class L>
std::vector<L> per_group(std::vector<L> v, size_t groups, const char* who) {
  if (v.size() == 1 && groups != 1) v.assign(groups, v[0]);
  FX_CHECK(v.size() == groups, who, ": expected ", groups, " lr_lambdas, but got ", v.size());
  for (const auto& f : v) FX_CHECK(static_cast<bool>(f), who, ": lr_lambda is empty");
  return v;
}
}  // namespace

LambdaLR::LambdaLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch)
    : LambdaLR(optimizer, std::vector<Lambda>{std::move(lr_lambda)}, last_epoch) {}
LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch)
    : LRScheduler("LambdaLR", optimizer, last_epoch),
      lambdas_(per_group(std::move(lr_lambdas), optimizer.param_groups().size(), "LambdaLR")) {
  initial_step();
}
std::vector<double> LambdaLR::get_lr() {
  std::vector<double> out;
  for (size_t i = 0; i < base_lrs_.size(); ++i) out.push_back(base_lrs_[i] * lambdas_[i](last_epoch_));
  return out;
}

MultiplicativeLR::MultiplicativeLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch)
    : MultiplicativeLR(optimizer, std::vector<Lambda>{std::move(lr_lambda)}, last_epoch) {}
MultiplicativeLR::MultiplicativeLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch)
    : LRScheduler("MultiplicativeLR", optimizer, last_epoch),
      lambdas_(per_group(std::move(lr_lambdas), optimizer.param_groups().size(), "MultiplicativeLR")) {
  initial_step();
}
std::vector<double> MultiplicativeLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (!is_initial_)
    for (size_t i = 0; i < lrs.size(); ++i) lrs[i] = lrs[i] * lambdas_[i](last_epoch_);
  return lrs;
}

// ---- StepLR / MultiStepLR ---------------------------------------------------------------------

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma, int64_t last_epoch)
    : LRScheduler("StepLR", optimizer, last_epoch), step_size_(step_size), gamma_(gamma) {
  FX_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  initial_step();
}
std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (auto& lr : lrs) lr = lr * gamma_;
  return lrs;
}
std::optional<std::vector<double>> StepLR::closed_form_lr() const {
  std::vector<double> out;
  const int64_t k = last_epoch_ >= 0 ? last_epoch_ / step_size_ : -((-last_epoch_ + step_size_ - 1) / step_size_);
  for (double b : base_lrs_) out.push_back(b * std::pow(gamma_, static_cast<double>(k)));
  return out;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma, int64_t last_epoch)
    : LRScheduler("MultiStepLR", optimizer, last_epoch), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}
std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  auto count = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (count == 0) return lrs;
  for (auto& lr : lrs) lr = lr * std::pow(gamma_, static_cast<double>(count));
  return lrs;
}
std::optional<std::vector<double>> MultiStepLR::closed_form_lr() const {
  auto k = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  std::vector<double> out;
  for (double b : base_lrs_) out.push_back(b * std::pow(gamma_, static_cast<double>(k)));
  return out;
}

// ---- ConstantLR / LinearLR --------------------------------------------------------------------

ConstantLR::ConstantLR(Optimizer& optimizer, double factor, int64_t total_iters, int64_t last_epoch)
    : LRScheduler("ConstantLR", optimizer, last_epoch), factor_(factor), total_iters_(total_iters) {
  FX_CHECK(factor >= 0 && factor <= 1,
           "ConstantLR: constant multiplicative factor expected to be between 0 and 1, got ", factor);
  initial_step();
}
std::vector<double> ConstantLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) {
    for (auto& lr : lrs) lr = lr * factor_;
  } else if (last_epoch_ == total_iters_) {
    for (auto& lr : lrs) lr = lr * (1.0 / factor_);
  }
  return lrs;
}
std::optional<std::vector<double>> ConstantLR::closed_form_lr() const {
  std::vector<double> out;
  for (double b : base_lrs_) out.push_back(b * (factor_ + (last_epoch_ >= total_iters_ ? 1.0 : 0.0) * (1 - factor_)));
  return out;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters,
                   int64_t last_epoch)
    : LRScheduler("LinearLR", optimizer, last_epoch),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  FX_CHECK(start_factor > 0 && start_factor <= 1,
           "LinearLR: starting multiplicative factor expected to be greater than 0 and less or equal to 1, got ",
           start_factor);
  FX_CHECK(end_factor >= 0 && end_factor <= 1,
           "LinearLR: ending multiplicative factor expected to be between 0 and 1, got ", end_factor);
  FX_CHECK(total_iters > 0, "LinearLR: total_iters must be positive, got ", total_iters);
  initial_step();
}
std::vector<double> LinearLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) {
    for (auto& lr : lrs) lr = lr * start_factor_;
    return lrs;
  }
  if (is_initial_ || last_epoch_ > total_iters_) return lrs;
  const double f =
      1.0 + (end_factor_ - start_factor_) / (static_cast<double>(total_iters_) * start_factor_ +
                                             static_cast<double>(last_epoch_ - 1) * (end_factor_ - start_factor_));
  for (auto& lr : lrs) lr = lr * f;
  return lrs;
}
std::optional<std::vector<double>> LinearLR::closed_form_lr() const {
  std::vector<double> out;
  for (double b : base_lrs_)
    out.push_back(
        b * (start_factor_ + (end_factor_ - start_factor_) * static_cast<double>(std::min(total_iters_, last_epoch_)) /
                                 static_cast<double>(total_iters_)));
  return out;
}

// ---- ExponentialLR / PolynomialLR -------------------------------------------------------------

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch)
    : LRScheduler("ExponentialLR", optimizer, last_epoch), gamma_(gamma) {
  initial_step();
}
std::vector<double> ExponentialLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (!is_initial_)
    for (auto& lr : lrs) lr = lr * gamma_;
  return lrs;
}
std::optional<std::vector<double>> ExponentialLR::closed_form_lr() const {
  std::vector<double> out;
  for (double b : base_lrs_) out.push_back(b * std::pow(gamma_, static_cast<double>(last_epoch_)));
  return out;
}

PolynomialLR::PolynomialLR(Optimizer& optimizer, int64_t total_iters, double power, int64_t last_epoch)
    : LRScheduler("PolynomialLR", optimizer, last_epoch), total_iters_(total_iters), power_(power) {
  FX_CHECK(total_iters > 0, "PolynomialLR: total_iters must be positive, got ", total_iters);
  initial_step();
}
std::vector<double> PolynomialLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (is_initial_ || last_epoch_ > total_iters_) return lrs;
  const double ti = static_cast<double>(total_iters_), le = static_cast<double>(last_epoch_);
  const double decay = std::pow((1.0 - le / ti) / (1.0 - (le - 1) / ti), power_);
  for (auto& lr : lrs) lr = lr * decay;
  return lrs;
}
std::optional<std::vector<double>> PolynomialLR::closed_form_lr() const {
  std::vector<double> out;
  const double ti = static_cast<double>(total_iters_);
  for (double b : base_lrs_)
    out.push_back(b * std::pow(1.0 - static_cast<double>(std::min(total_iters_, last_epoch_)) / ti, power_));
  return out;
}

}  // namespace fluxion::optim
