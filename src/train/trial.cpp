// Trial: the fit / evaluate / predict loops, checkpoint metadata and resume.
#include "fluxion/train/trial.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "fluxion/autograd.h"
#include "fluxion/error.h"
#include "fluxion/io/checkpoint.h"
#include "fluxion/nn/functional/loss.h"
#include "fluxion/ops/index.h"
#include "fluxion/train/callbacks.h"

namespace fluxion::train {
namespace {

using json = nlohmann::json;

// A batch tensor on `dev` (undefined or already there: as is); asynchronous from pinned memory.
Tensor to_device(const Tensor& t, Device dev) {
  if (!t.defined() || t.device() == dev) return t;
  return t.to(dev, t.dtype(), /*non_blocking=*/true);
}

constexpr const char* kFormat = "fluxion.trial/1";

json metrics_to_json(const Metrics& m) {
  json j = json::object();
  for (const auto& [k, v] : m) {
    if (std::isfinite(v))
      j[k] = v;
    else
      j[k] = std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  }
  return j;
}

Metrics metrics_from_json(const json& j) {
  Metrics m;
  for (const auto& [k, v] : j.items()) {
    if (v.is_number()) {
      m[k] = v.get<double>();
    } else if (v.is_string()) {
      const std::string s = v.get<std::string>();
      m[k] = s == "nan" ? std::nan("") : (s == "inf" ? INFINITY : -INFINITY);
    }
  }
  return m;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Trial::Trial(nn::Module model, std::shared_ptr<optim::Optimizer> optimizer, LossFn loss, std::vector<MetricPtr> metrics,
             std::vector<CallbackPtr> callbacks)
    : model_(std::move(model)),
      optimizer_(std::move(optimizer)),
      loss_(std::move(loss)),
      loss_metric_(std::make_shared<RunningMean>("loss")) {
  FX_CHECK(!model_.is_empty(), "Trial: the model is empty");
  for (auto& m : metrics) add_metric(std::move(m));
  for (auto& c : callbacks) add_callback(std::move(c));
}

Trial::~Trial() = default;

Trial& Trial::add_metric(MetricPtr metric) {
  FX_CHECK(metric != nullptr, "Trial::add_metric: null metric");
  metrics_.push_back(std::move(metric));
  return *this;
}

Trial& Trial::add_callback(CallbackPtr callback) {
  FX_CHECK(callback != nullptr, "Trial::add_callback: null callback");
  callbacks_.push_back(std::move(callback));
  std::stable_sort(callbacks_.begin(), callbacks_.end(),
                   [](const CallbackPtr& a, const CallbackPtr& b) { return a->order() < b->order(); });
  return *this;
}

Trial& Trial::set_scheduler(std::shared_ptr<optim::LRScheduler> scheduler, SchedulerStep every, std::string monitor) {
  FX_CHECK(scheduler != nullptr, "Trial::set_scheduler: null scheduler");
  FX_CHECK(scheduler_ == nullptr, "Trial::set_scheduler: the trial already has a scheduler");
  scheduler_ = scheduler;
  add_callback(std::make_shared<LRSchedulerCallback>(std::move(scheduler), every, std::move(monitor)));
  return *this;
}

Trial& Trial::set_train_step(StepFn step) {
  train_step_fn_ = std::move(step);
  return *this;
}

Trial& Trial::set_eval_step(StepFn step) {
  eval_step_fn_ = std::move(step);
  return *this;
}

Trial& Trial::set_metadata(const std::string& key, const std::string& json_value) {
  FX_CHECK(json::accept(json_value), "Trial::set_metadata('", key, "'): value is not valid JSON: ", json_value);
  user_metadata_[key] = json_value;
  return *this;
}

std::string Trial::metadata(const std::string& key) const {
  auto it = user_metadata_.find(key);
  return it == user_metadata_.end() ? "" : it->second;
}

optim::Optimizer& Trial::optimizer() const {
  FX_CHECK(optimizer_ != nullptr, "Trial: this trial has no optimizer");
  return *optimizer_;
}

template <class F>
void Trial::for_callbacks(F&& f) {
  for (const auto& c : callbacks_) f(*c);
}

void Trial::notify_backward_end() {
  for_callbacks([&](Callback& c) { c.on_backward_end(*this); });
}

void Trial::stop_training(const std::string& reason, bool now) {
  state_.stop = true;
  if (state_.stop_reason.empty()) state_.stop_reason = reason;
  if (now) now_stop_ = true;
}

void Trial::fail(const std::string& reason) {
  if (failure_.empty()) failure_ = reason;
  stop_training(reason, true);
}

Device Trial::data_device() const {
  for (const Tensor& p : model_.parameters()) return p.device();
  return kCPU;
}

StepOutput Trial::default_train_step(const Tensor& data, const Tensor& target) {
  optim::Optimizer& opt = optimizer();
  opt.zero_grad();
  Tensor output = model_(data);
  Tensor loss = loss_(output, target);
  loss.backward();
  notify_backward_end();
  opt.step();
  return {output.detach(), loss.detach()};
}

StepOutput Trial::default_eval_step(const Tensor& data, const Tensor& target) {
  Tensor output = model_(data);
  return {output, loss_(output, target)};
}

StepOutput Trial::train_step(const Tensor& data, const Tensor& target) {
  return train_step_fn_ ? train_step_fn_(*this, data, target) : default_train_step(data, target);
}

StepOutput Trial::eval_step(const Tensor& data, const Tensor& target) {
  return eval_step_fn_ ? eval_step_fn_(*this, data, target) : default_eval_step(data, target);
}

void Trial::reset_metrics() {
  loss_metric_->reset();
  for (auto& m : metrics_) m->reset();
}

Metrics Trial::compute_metrics(const std::string& prefix) const {
  Metrics out;
  for (const auto& [k, v] : loss_metric_->compute()) out[prefix + k] = v;
  for (const auto& m : metrics_)
    for (const auto& [k, v] : m->compute()) out[prefix + k] = v;
  return out;
}

void Trial::fit(const Loader& train, int64_t epochs) { fit_impl(train, epochs, nullptr); }
void Trial::fit(const Loader& train, int64_t epochs, const Loader& val) { fit_impl(train, epochs, &val); }

void Trial::fit_impl(const Loader& train, int64_t epochs, const Loader* val) {
  FX_CHECK(epochs >= 0, "Trial::fit: epochs must be >= 0, got ", epochs);
  state_.epochs = epochs;
  state_.stop = false;
  state_.stop_reason.clear();
  now_stop_ = false;
  failure_.clear();
  for_callbacks([&](Callback& c) { c.on_fit_begin(*this); });
  for (int64_t epoch = start_epoch_; epoch < epochs && !state_.stop; ++epoch) {
    const double t0 = now_seconds();
    state_.epoch = epoch;
    state_.batch = 0;
    state_.samples = 0;
    state_.num_batches = train.num_batches();
    state_.num_samples = train.num_samples();
    state_.metrics.clear();
    train.set_epoch(epoch);
    model_.train();
    reset_metrics();
    const double lr = optimizer_ ? optimizer_->param_groups().at(0).options().get_lr() : 0.0;
    for_callbacks([&](Callback& c) { c.on_epoch_begin(*this); });
    const Device dev = data_device();
    train.for_each([&](const Tensor& batch_data, const Tensor& batch_target) {
      const Tensor data = to_device(batch_data, dev), target = to_device(batch_target, dev);
      for_callbacks([&](Callback& c) { c.on_batch_begin(*this); });
      StepOutput out = train_step(data, target);
      FX_CHECK(out.loss.defined() && out.loss.numel() == 1, "Trial: the train step must return a scalar loss");
      const int64_t n = data.dim() > 0 ? data.size(0) : 1;
      state_.batch_size = n;
      state_.batch_loss = out.loss.item<double>();
      loss_metric_->add(state_.batch_loss, n);
      if (out.output.defined())
        for (auto& m : metrics_) m->update(out.output, target);
      state_.samples += n;
      state_.metrics = compute_metrics("");
      for_callbacks([&](Callback& c) { c.on_batch_end(*this); });
      ++state_.batch;
      return !now_stop_;
    });
    if (now_stop_) break;  // stopped mid-epoch: the partial epoch is neither recorded nor checkpointed
    Metrics m = compute_metrics("");
    if (val != nullptr)
      for (const auto& [k, v] : evaluate(*val, "val_")) m[k] = v;
    m["epoch"] = static_cast<double>(epoch + 1);
    m["lr"] = lr;
    m["epoch_time"] = now_seconds() - t0;
    state_.metrics = m;
    state_.history.push_back(m);
    start_epoch_ = epoch + 1;
    for_callbacks([&](Callback& c) { c.on_epoch_end(*this); });
  }
  for_callbacks([&](Callback& c) { c.on_fit_end(*this); });
  if (!failure_.empty()) FX_FAIL(failure_);
}

Metrics Trial::evaluate(const Loader& loader, const std::string& prefix) {
  const bool was_training = model_.is_training();
  model_.eval();
  reset_metrics();
  {
    NoGradGuard g;
    const Device dev = data_device();
    loader.for_each([&](const Tensor& batch_data, const Tensor& batch_target) {
      const Tensor data = to_device(batch_data, dev), target = to_device(batch_target, dev);
      StepOutput out = eval_step(data, target);
      const int64_t n = data.dim() > 0 ? data.size(0) : 1;
      if (out.loss.defined()) loss_metric_->add(out.loss.item<double>(), n);
      if (out.output.defined())
        for (auto& m : metrics_) m->update(out.output, target);
      return true;
    });
  }
  model_.train(was_training);
  return compute_metrics(prefix);
}

Tensor Trial::predict(const Loader& loader) {
  const bool was_training = model_.is_training();
  model_.eval();
  std::vector<Tensor> outs;
  {
    NoGradGuard g;
    const Device dev = data_device();
    loader.for_each([&](const Tensor& data, const Tensor&) {
      outs.push_back(model_(to_device(data, dev)));
      return true;
    });
  }
  model_.train(was_training);
  FX_CHECK(!outs.empty(), "Trial::predict: the loader yielded no batches");
  return cat(outs, 0);
}

std::string Trial::checkpoint_metadata() const {
  json j;
  j["format"] = kFormat;
  j["epoch"] = start_epoch_;
  j["metrics"] = state_.history.empty() ? json::object() : metrics_to_json(state_.history.back());
  json h = json::array();
  for (const auto& m : state_.history) h.push_back(metrics_to_json(m));
  j["history"] = h;
  json cbs = json::object();
  for (const auto& c : callbacks_) {
    const std::string s = c->state_json();
    if (!s.empty()) cbs[c->name()] = json::parse(s);
  }
  j["callbacks"] = cbs;
  json user = json::object();
  for (const auto& [k, v] : user_metadata_) user[k] = json::parse(v);
  j["user"] = user;
  return j.dump();
}

void Trial::save_checkpoint(const std::string& path) const {
  fluxion::save_checkpoint(path, model_, optimizer_.get(), scheduler_.get(), checkpoint_metadata());
}

std::string Trial::resume(const std::string& path) {
  Checkpoint ckpt = load_checkpoint(path);
  json meta;
  try {
    meta = json::parse(ckpt.metadata);
  } catch (const std::exception& e) {
    FX_FAIL("Trial::resume: ", path, ": metadata is not valid JSON (", e.what(), ")");
  }
  FX_CHECK(meta.is_object() && meta.value("format", "") == kFormat, "Trial::resume: ", path,
           " is not a Trial checkpoint (metadata format is not ", kFormat, ")");
  FX_CHECK(meta.contains("epoch") && meta["epoch"].is_number_integer() && meta["epoch"].get<int64_t>() >= 0,
           "Trial::resume: ", path, ": metadata has no valid 'epoch'");
  FX_CHECK(scheduler_ == nullptr || ckpt.scheduler.has_value(), "Trial::resume: ", path,
           " has no scheduler state but this trial has a scheduler");
  std::vector<Metrics> history;
  for (const auto& h : meta.value("history", json::array())) history.push_back(metrics_from_json(h));
  // Everything validated: restore (restore_checkpoint itself validates before changing anything).
  restore_checkpoint(ckpt, model_, optimizer_.get(), scheduler_.get(), /*restore_rng=*/true);
  start_epoch_ = meta["epoch"].get<int64_t>();
  state_.history = std::move(history);
  state_.metrics = state_.history.empty() ? Metrics{} : state_.history.back();
  const json cbs = meta.value("callbacks", json::object());
  for (const auto& c : callbacks_)
    if (cbs.contains(c->name())) c->load_state_json(cbs[c->name()].dump());
  // A named local: items() would refer to a temporary that dies before the loop body (found by ASan).
  const json user = meta.value("user", json::object());
  for (const auto& [k, v] : user.items())
    if (!user_metadata_.contains(k)) user_metadata_[k] = v.dump();
  return ckpt.metadata;
}

Trial::LossFn cross_entropy_loss() {
  return [](const Tensor& output, const Tensor& target) { return nn::functional::cross_entropy(output, target); };
}

Trial::LossFn mse_loss() {
  return [](const Tensor& output, const Tensor& target) { return nn::functional::mse_loss(output, target); };
}

}  // namespace fluxion::train
