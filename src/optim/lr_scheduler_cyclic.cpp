// Cosine, warm-restart and 1cycle schedules, the composite schedulers (SequentialLR,
// ChainedScheduler) and ReduceLROnPlateau. Formulas mirror torch/optim/lr_scheduler.py.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "fluxion/optim/lr_scheduler.h"

namespace fluxion::optim {

namespace {
constexpr double kPi = std::numbers::pi;
/// Python's a % b for b > 0.
int64_t floor_mod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}
double need(const SchedulerState& s, const char* key, const std::string& who) {
  auto it = s.values.find(key);
  FX_CHECK(it != s.values.end(), who, ": load_state_dict: missing '", key, "'");
  return it->second;
}
}  // namespace

// ---- CosineAnnealingLR ------------------------------------------------------------------------

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min, int64_t last_epoch)
    : LRScheduler("CosineAnnealingLR", optimizer, last_epoch), T_max_(T_max), eta_min_(eta_min) {
  FX_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const double T = static_cast<double>(T_max_), le = static_cast<double>(last_epoch_);
  if (is_initial_) return lrs;
  if (step_count_ == 1 && last_epoch_ > 0) {
    for (size_t i = 0; i < lrs.size(); ++i)
      lrs[i] = eta_min_ + (base_lrs_[i] - eta_min_) * (1 + std::cos(le * kPi / T)) / 2;
  } else if (floor_mod(last_epoch_ - 1 - T_max_, 2 * T_max_) == 0) {
    for (size_t i = 0; i < lrs.size(); ++i) lrs[i] = lrs[i] + (base_lrs_[i] - eta_min_) * (1 - std::cos(kPi / T)) / 2;
  } else {
    for (auto& lr : lrs)
      lr = (1 + std::cos(kPi * le / T)) / (1 + std::cos(kPi * (le - 1) / T)) * (lr - eta_min_) + eta_min_;
  }
  return lrs;
}

std::optional<std::vector<double>> CosineAnnealingLR::closed_form_lr() const {
  std::vector<double> out;
  for (double b : base_lrs_)
    out.push_back(eta_min_ + (b - eta_min_) *
                                 (1 + std::cos(kPi * static_cast<double>(last_epoch_) / static_cast<double>(T_max_))) /
                                 2);
  return out;
}

// ---- CosineAnnealingWarmRestarts --------------------------------------------------------------

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0, int64_t T_mult,
                                                         double eta_min, int64_t last_epoch)
    : LRScheduler("CosineAnnealingWarmRestarts", optimizer, last_epoch),
      T_0_(T_0),
      T_i_(T_0),
      T_mult_(T_mult),
      eta_min_(eta_min),
      T_cur_(static_cast<double>(last_epoch)) {
  FX_CHECK(T_0 > 0, "CosineAnnealingWarmRestarts: expected positive integer T_0, but got ", T_0);
  FX_CHECK(T_mult >= 1, "CosineAnnealingWarmRestarts: expected integer T_mult >= 1, but got ", T_mult);
  initial_step();
}

std::vector<double> CosineAnnealingWarmRestarts::get_lr() {
  std::vector<double> out;
  for (double b : base_lrs_)
    out.push_back(eta_min_ + (b - eta_min_) * (1 + std::cos(kPi * T_cur_ / static_cast<double>(T_i_))) / 2);
  return out;
}

void CosineAnnealingWarmRestarts::step() {
  if (last_epoch_ < 0) {
    step(0.0);
    return;
  }
  T_cur_ = T_cur_ + 1;
  if (T_cur_ >= static_cast<double>(T_i_)) {
    T_cur_ = std::fmod(T_cur_, static_cast<double>(T_i_));
    T_i_ = T_i_ * T_mult_;
  }
  last_epoch_ = last_epoch_ + 1;
  set_group_lrs(get_lr());
  last_lr_ = group_lrs();
}

void CosineAnnealingWarmRestarts::step(double epoch) {
  FX_CHECK(epoch >= 0, "CosineAnnealingWarmRestarts: expected non-negative epoch, but got ", epoch);
  const double T0 = static_cast<double>(T_0_);
  if (epoch >= T0) {
    if (T_mult_ == 1) {
      T_cur_ = std::fmod(epoch, T0);
    } else {
      const double tm = static_cast<double>(T_mult_);
      const auto n = static_cast<int64_t>(std::log(epoch / T0 * (tm - 1) + 1) / std::log(tm));
      int64_t tm_n = 1;
      for (int64_t k = 0; k < n; ++k) tm_n *= T_mult_;
      T_cur_ = epoch - T0 * static_cast<double>(tm_n - 1) / (tm - 1);
      T_i_ = T_0_ * tm_n;
    }
  } else {
    T_i_ = T_0_;
    T_cur_ = epoch;
  }
  last_epoch_ = static_cast<int64_t>(std::floor(epoch));
  set_group_lrs(get_lr());
  last_lr_ = group_lrs();
}

void CosineAnnealingWarmRestarts::save_extra(SchedulerState& s) const {
  s.values["T_i"] = static_cast<double>(T_i_);
  s.values["T_cur"] = T_cur_;
}

void CosineAnnealingWarmRestarts::load_extra(const SchedulerState& s) {
  double ti = need(s, "T_i", name_), tc = need(s, "T_cur", name_);
  FX_CHECK(ti >= 1 && ti == std::floor(ti), name_, ": load_state_dict: T_i must be a positive integer, got ", ti);
  T_i_ = static_cast<int64_t>(ti);
  T_cur_ = tc;
}

// ---- OneCycleLR -------------------------------------------------------------------------------

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& o, int64_t last_epoch)
    : LRScheduler("OneCycleLR", optimizer, NoInit{}) {
  if (o.total_steps()) {
    FX_CHECK(*o.total_steps() > 0, "OneCycleLR: expected positive integer total_steps, but got ", *o.total_steps());
    total_steps_ = *o.total_steps();
  } else {
    FX_CHECK(o.epochs() && o.steps_per_epoch(),
             "OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)");
    FX_CHECK(*o.epochs() > 0, "OneCycleLR: expected positive integer epochs, but got ", *o.epochs());
    FX_CHECK(*o.steps_per_epoch() > 0, "OneCycleLR: expected positive integer steps_per_epoch, but got ",
             *o.steps_per_epoch());
    total_steps_ = *o.epochs() * *o.steps_per_epoch();
  }
  const double ts = static_cast<double>(total_steps_), pct = o.pct_start();
  FX_CHECK(pct >= 0 && pct <= 1, "OneCycleLR: expected float between 0 and 1 pct_start, but got ", pct);
  FX_CHECK(o.anneal_strategy() == "cos" || o.anneal_strategy() == "linear",
           "OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got ", o.anneal_strategy());
  cos_ = o.anneal_strategy() == "cos";
  if (o.three_phase()) {
    phases_ = {{pct * ts - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {2 * pct * ts - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"},
               {ts - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"}};
  } else {
    phases_ = {{pct * ts - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {ts - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"}};
  }
  auto& groups = optimizer_.param_groups();
  std::vector<double> max_lrs = o.max_lrs();
  if (max_lrs.size() == 1) max_lrs.assign(groups.size(), max_lrs[0]);
  FX_CHECK(max_lrs.size() == groups.size(), "OneCycleLR: max_lr must have the same length as the optimizer's ",
           groups.size(), " param groups, but has ", max_lrs.size(), " values");
  cycle_momentum_ = o.cycle_momentum();
  if (cycle_momentum_) {
    OptionMap d = optimizer_.defaults().to_map();
    FX_CHECK(d.count("momentum") || d.count("betas"),
             "OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
    use_beta1_ = d.count("betas") != 0;
  }
  if (last_epoch == -1) {
    for (size_t i = 0; i < groups.size(); ++i) {
      auto& e = groups[i].extra();
      e["initial_lr"] = max_lrs[i] / o.div_factor();
      e["max_lr"] = max_lrs[i];
      e["min_lr"] = e["initial_lr"] / o.final_div_factor();
      if (cycle_momentum_) {
        set_momentum(groups[i], o.max_momentum());
        e["max_momentum"] = o.max_momentum();
        e["base_momentum"] = o.base_momentum();
      }
    }
  }
  // The base initialisation (initial_lr, base_lrs), now that initial_lr is set.
  last_epoch_ = last_epoch;
  for (size_t i = 0; i < groups.size(); ++i) {
    FX_CHECK(groups[i].extra().count("initial_lr"), name_, ": param 'initial_lr' is not specified in param_groups[", i,
             "] when resuming with last_epoch >= 0");
    base_lrs_.push_back(groups[i].extra().at("initial_lr"));
  }
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (cos_) {
    double cos_out = std::cos(kPi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

void OneCycleLR::set_momentum(OptimizerParamGroup& g, double m) const {
  if (use_beta1_) {
    OptionMap cur = g.options().to_map();
    auto betas = std::get<std::vector<double>>(cur.at("betas"));
    betas[0] = m;
    g.options().from_map({{"betas", betas}});
  } else {
    g.options().from_map({{"momentum", m}});
  }
}

std::vector<double> OneCycleLR::get_lr() {
  const double step_num = static_cast<double>(last_epoch_);
  FX_CHECK(last_epoch_ <= total_steps_, "OneCycleLR: tried to step ", last_epoch_,
           " times. The specified number of total steps is ", total_steps_);
  std::vector<double> lrs;
  for (auto& g : optimizer_.param_groups()) {
    const auto& e = g.extra();
    auto val = [&](const char* key) {
      auto it = e.find(key);
      FX_CHECK(it != e.end(), "OneCycleLR: parameter group lacks '", key, "'");
      return it->second;
    };
    double start_step = 0.0, lr = 0.0, momentum = 0.0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& ph = phases_[i];
      if (step_num <= ph.end_step || i == phases_.size() - 1) {
        double pct = (step_num - start_step) / (ph.end_step - start_step);
        lr = anneal(val(ph.start_lr), val(ph.end_lr), pct);
        if (cycle_momentum_) momentum = anneal(val(ph.start_momentum), val(ph.end_momentum), pct);
        break;
      }
      start_step = ph.end_step;
    }
    lrs.push_back(lr);
    if (cycle_momentum_) set_momentum(g, momentum);
  }
  return lrs;
}

// ---- SequentialLR -----------------------------------------------------------------------------

namespace {
void check_children(const std::vector<std::shared_ptr<LRScheduler>>& schedulers, const Optimizer& optimizer,
                    const char* who) {
  FX_CHECK(!schedulers.empty(), who, " expects at least one scheduler, but got no scheduler");
  for (size_t i = 0; i < schedulers.size(); ++i) {
    FX_CHECK(schedulers[i] != nullptr, who, ": scheduler ", i, " is null");
    FX_CHECK(dynamic_cast<ReduceLROnPlateau*>(schedulers[i].get()) == nullptr, who,
             " does not support `ReduceLROnPlateau` (it needs a metric in step), but got one at index ", i);
    FX_CHECK(&schedulers[i]->optimizer() == &optimizer, who,
             " expects all schedulers to belong to the same optimizer, but scheduler ", i, " (", schedulers[i]->name(),
             ") has another");
  }
}
}  // namespace

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones, int64_t last_epoch)
    : LRScheduler("SequentialLR", optimizer, NoInit{}),
      schedulers_(std::move(schedulers)),
      milestones_(std::move(milestones)) {
  check_children(schedulers_, optimizer, "SequentialLR");
  FX_CHECK(milestones_.size() + 1 == schedulers_.size(),
           "SequentialLR expects the number of schedulers to be one more than the number of milestones, but got ",
           schedulers_.size(), " schedulers and ", milestones_.size(), " milestones");
  last_epoch_ = last_epoch + 1;
  for (auto& g : optimizer_.param_groups()) {
    auto it = g.extra().find("initial_lr");
    FX_CHECK(it != g.extra().end(), "SequentialLR: a parameter group has no 'initial_lr'");
    g.options().set_lr(it->second);
  }
  for (auto& s : schedulers_) undo(*s);  // reset the steps the children took when constructed
  size_t idx = std::upper_bound(milestones_.begin(), milestones_.end(), 0) - milestones_.begin();
  schedulers_[idx]->initial_step();
  last_lr_ = schedulers_[idx]->get_last_lr();
}

void SequentialLR::undo(LRScheduler& s) {
  if (auto* seq = dynamic_cast<SequentialLR*>(&s)) {
    for (auto& c : seq->schedulers()) undo(*c);
  } else if (auto* ch = dynamic_cast<ChainedScheduler*>(&s)) {
    for (auto& c : ch->schedulers()) undo(*c);
  } else {
    s.last_epoch_ -= 1;
  }
}

void SequentialLR::step() {
  last_epoch_ += 1;
  size_t idx = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  auto& s = *schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_)
    s.update_lr(0);
  else
    s.step();
  last_lr_ = s.get_last_lr();
}

SchedulerState SequentialLR::state_dict() const {
  SchedulerState st;
  st.values["last_epoch"] = static_cast<double>(last_epoch_);
  st.lists["last_lr"] = last_lr_;
  for (const auto& s : schedulers_) st.children.push_back(s->state_dict());
  return st;
}

void SequentialLR::load_state_dict(const SchedulerState& st) {
  FX_CHECK(st.children.size() == schedulers_.size(), "SequentialLR: load_state_dict: the state has ",
           st.children.size(), " schedulers but this SequentialLR has ", schedulers_.size());
  double le = need(st, "last_epoch", name_);
  auto it = st.lists.find("last_lr");
  FX_CHECK(it != st.lists.end(), "SequentialLR: load_state_dict: missing 'last_lr'");
  // Children validate before assigning; restore the ones already loaded if a later one throws.
  std::vector<SchedulerState> backup;
  for (const auto& s : schedulers_) backup.push_back(s->state_dict());
  size_t i = 0;
  try {
    for (; i < schedulers_.size(); ++i) schedulers_[i]->load_state_dict(st.children[i]);
  } catch (...) {
    for (size_t k = 0; k < i; ++k) schedulers_[k]->load_state_dict(backup[k]);
    throw;
  }
  last_epoch_ = static_cast<int64_t>(le);
  last_lr_ = it->second;
}

// ---- ChainedScheduler -------------------------------------------------------------------------

ChainedScheduler::ChainedScheduler(std::vector<std::shared_ptr<LRScheduler>> schedulers)
    : LRScheduler(
          "ChainedScheduler",
          [&]() -> Optimizer& {
            FX_CHECK(!schedulers.empty() && schedulers[0] != nullptr,
                     "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler");
            return schedulers[0]->optimizer();
          }(),
          NoInit{}),
      schedulers_(std::move(schedulers)) {
  check_children(schedulers_, optimizer_, "ChainedScheduler");
  last_lr_ = group_lrs();
}

void ChainedScheduler::step() {
  for (auto& s : schedulers_) s->step();
  last_lr_ = group_lrs();
}

SchedulerState ChainedScheduler::state_dict() const {
  SchedulerState st;
  st.lists["last_lr"] = last_lr_;
  for (const auto& s : schedulers_) st.children.push_back(s->state_dict());
  return st;
}

void ChainedScheduler::load_state_dict(const SchedulerState& st) {
  FX_CHECK(st.children.size() == schedulers_.size(), "ChainedScheduler: load_state_dict: the state has ",
           st.children.size(), " schedulers but this ChainedScheduler has ", schedulers_.size());
  auto it = st.lists.find("last_lr");
  FX_CHECK(it != st.lists.end(), "ChainedScheduler: load_state_dict: missing 'last_lr'");
  std::vector<SchedulerState> backup;
  for (const auto& s : schedulers_) backup.push_back(s->state_dict());
  size_t i = 0;
  try {
    for (; i < schedulers_.size(); ++i) schedulers_[i]->load_state_dict(st.children[i]);
  } catch (...) {
    for (size_t k = 0; k < i; ++k) schedulers_[k]->load_state_dict(backup[k]);
    throw;
  }
  last_lr_ = it->second;
}

// ---- ReduceLROnPlateau ------------------------------------------------------------------------

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& o)
    : LRScheduler("ReduceLROnPlateau", optimizer, NoInit{}), opts_(o) {
  FX_CHECK(o.factor() < 1.0, "ReduceLROnPlateau: factor should be < 1.0, got ", o.factor());
  FX_CHECK(o.mode() == "min" || o.mode() == "max", "ReduceLROnPlateau: mode ", o.mode(), " is unknown!");
  FX_CHECK(o.threshold_mode() == "rel" || o.threshold_mode() == "abs", "ReduceLROnPlateau: threshold mode ",
           o.threshold_mode(), " is unknown!");
  const size_t ng = optimizer_.param_groups().size();
  min_lrs_ = o.min_lrs();
  FX_CHECK(min_lrs_.size() == 1 || min_lrs_.size() == ng, "ReduceLROnPlateau: expected ", ng, " min_lrs, got ",
           min_lrs_.size());
  if (min_lrs_.size() == 1) min_lrs_.assign(ng, min_lrs_[0]);
  last_epoch_ = 0;
  last_lr_ = group_lrs();
  base_lrs_ = last_lr_;
  best_ = o.mode() == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

void ReduceLROnPlateau::step() { FX_FAIL("ReduceLROnPlateau: step() needs the monitored metric: call step(metric)"); }

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const bool rel = opts_.threshold_mode() == "rel";
  if (opts_.mode() == "min") return rel ? a < best * (1.0 - opts_.threshold()) : a < best - opts_.threshold();
  return rel ? a > best * (opts_.threshold() + 1.0) : a > best + opts_.threshold();
}

void ReduceLROnPlateau::step(double metric) {
  last_epoch_ += 1;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (in_cooldown()) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;  // ignore any bad epochs in cooldown
  }
  if (num_bad_epochs_ > opts_.patience()) {
    auto& groups = optimizer_.param_groups();
    if (groups.size() != min_lrs_.size()) {
      FX_CHECK(opts_.min_lrs().size() == 1, "ReduceLROnPlateau: the number of param groups in the optimizer (",
               groups.size(), ") differs from when ReduceLROnPlateau was initialized (", min_lrs_.size(), ")");
      min_lrs_.assign(groups.size(), opts_.min_lrs()[0]);
    }
    for (size_t i = 0; i < groups.size(); ++i) {
      double old_lr = groups[i].options().get_lr();
      double new_lr = std::max(old_lr * opts_.factor(), min_lrs_[i]);
      if (old_lr - new_lr > opts_.eps()) groups[i].options().set_lr(new_lr);
    }
    cooldown_counter_ = opts_.cooldown();
    num_bad_epochs_ = 0;
  }
  last_lr_ = group_lrs();
}

void ReduceLROnPlateau::save_extra(SchedulerState& s) const {
  s.values["best"] = best_;
  s.values["num_bad_epochs"] = static_cast<double>(num_bad_epochs_);
  s.values["cooldown_counter"] = static_cast<double>(cooldown_counter_);
  s.lists["min_lrs"] = min_lrs_;
}

void ReduceLROnPlateau::load_extra(const SchedulerState& s) {
  double best = need(s, "best", name_);
  double bad = need(s, "num_bad_epochs", name_), cool = need(s, "cooldown_counter", name_);
  FX_CHECK(bad >= 0 && bad == std::floor(bad) && cool >= 0 && cool == std::floor(cool), name_,
           ": load_state_dict: counters must be non-negative integers");
  auto it = s.lists.find("min_lrs");
  FX_CHECK(it != s.lists.end(), name_, ": load_state_dict: missing 'min_lrs'");
  best_ = best;
  num_bad_epochs_ = static_cast<int64_t>(bad);
  cooldown_counter_ = static_cast<int64_t>(cool);
  min_lrs_ = it->second;
}

}  // namespace fluxion::optim
