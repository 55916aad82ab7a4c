// The standard Trial callbacks (progress bar, CSV, TensorBoard, checkpoints, early stopping, LR
// scheduling, gradient clipping, NaN detection, curve plots).
#include "fluxion/train/callbacks.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fluxion/error.h"
#include "fluxion/optim/clip_grad.h"
#include "fluxion/train/plot.h"

namespace fluxion::train {
namespace {

using json = nlohmann::json;

bool is_bookkeeping(const std::string& k) { return k == "epoch" || k == "lr" || k == "epoch_time"; }

bool minimize_by_default(const std::string& monitor) {
  for (const char* s : {"loss", "mse", "mae", "err"})
    if (monitor.find(s) != std::string::npos) return true;
  return false;
}

bool resolve_maximize(const std::string& monitor, MonitorMode mode) {
  if (mode == MonitorMode::kMin) return false;
  if (mode == MonitorMode::kMax) return true;
  return !minimize_by_default(monitor);
}

double monitored(const Trial& t, const std::string& monitor, const char* who) {
  const Metrics& m = t.state().metrics;
  auto it = m.find(monitor);
  if (it == m.end()) {
    std::string known;
    for (const auto& [k, v] : m) known += (known.empty() ? "" : ", ") + k;
    FX_FAIL(who, ": monitored metric '", monitor, "' is not among this epoch's metrics (", known,
            "); validation metrics need a validation loader");
  }
  return it->second;
}

bool improved(double v, double best, bool maximize, double min_delta) {
  if (std::isnan(v)) return false;
  return maximize ? v > best + min_delta : v < best - min_delta;
}

double initial_best(bool maximize) {
  return maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  const int64_t t = static_cast<int64_t>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(t / 3600),
                  static_cast<long long>(t / 60 % 60), static_cast<long long>(t % 60));
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(t / 60), static_cast<long long>(t % 60));
  return buf;
}

std::string format_metrics(const Metrics& m) {
  std::ostringstream os;
  os << std::setprecision(4) << std::fixed;
  // Training metrics first, then validation, bookkeeping left out.
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& [k, v] : m) {
      if (is_bookkeeping(k) || (k.rfind("val_", 0) == 0) != (pass == 1)) continue;
      os << "  " << k << " " << v;
    }
  return os.str();
}

/// Writes `content` to `path` through a temporary file and a rename.
void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    FX_CHECK(f.good(), "cannot open ", tmp, " for writing");
    f << content;
    f.flush();
    FX_CHECK(f.good(), "cannot write ", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  FX_CHECK(!ec, "cannot rename ", tmp, " to ", path, ": ", ec.message());
}

void ensure_parent_dir(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

}  // namespace

// ---- ProgressBar ------------------------------------------------------------------------------

ProgressBar::ProgressBar(std::ostream* out, std::optional<bool> tty) : out_(out ? out : &std::cout) {
  tty_ = tty.has_value() ? *tty : (out_ == &std::cout && isatty(fileno(stdout)));
}

void ProgressBar::on_epoch_begin(Trial&) {
  epoch_start_ = last_batch_ = std::chrono::steady_clock::now();
  last_draw_ = epoch_start_ - std::chrono::seconds(1);
}

void ProgressBar::draw(Trial& t, bool final) {
  const TrialState& s = t.state();
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  // Training throughput: up to the last batch (the epoch's end also includes validation).
  const double train_time = std::chrono::duration<double>((final ? last_batch_ : now) - epoch_start_).count();
  const double rate = train_time > 0 ? static_cast<double>(s.samples) / train_time : 0.0;
  std::ostringstream os;
  os << "epoch " << s.epoch + 1 << "/" << s.epochs;
  if (!final && s.num_batches > 0) {
    const int64_t done = s.batch + 1, width = 24;
    const int64_t fill = done * width / s.num_batches;
    os << " [" << std::string(static_cast<size_t>(fill), '=') << (fill < width ? ">" : "")
       << std::string(static_cast<size_t>(std::max<int64_t>(0, width - fill - 1)), ' ') << "] " << done << "/"
       << s.num_batches << " ETA "
       << format_duration(elapsed / static_cast<double>(done) * static_cast<double>(s.num_batches - done));
  } else {
    os << "  " << std::fixed << std::setprecision(1) << elapsed << " s";
  }
  os << "  " << std::fixed << std::setprecision(0) << rate << " samples/s" << format_metrics(s.metrics);
  if (tty_) {
    *out_ << "\r\033[K" << os.str();
    if (final) *out_ << "\n";
    line_open_ = !final;
  } else {
    *out_ << os.str() << "\n";
  }
  out_->flush();
}

void ProgressBar::on_batch_end(Trial& t) {
  const auto now = std::chrono::steady_clock::now();
  last_batch_ = now;
  if (!tty_) return;
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(t, false);
}

void ProgressBar::on_epoch_end(Trial& t) { draw(t, true); }

void ProgressBar::on_fit_end(Trial& t) {
  if (line_open_) {
    *out_ << "\n";
    line_open_ = false;
  }
  if (t.state().stop && !t.state().stop_reason.empty()) *out_ << "stopped: " << t.state().stop_reason << "\n";
  out_->flush();
}

// ---- CSVLogger ----------------------------------------------------------------------------------

void CSVLogger::write_row(std::ostream& os, const Metrics& m) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (i) os << ",";
    auto it = m.find(columns_[i]);
    if (it != m.end()) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.9g", it->second);
      os << buf;
    }
  }
  os << "\n";
}

void CSVLogger::on_fit_begin(Trial& t) {
  columns_.clear();
  const auto& h = t.state().history;
  if (!h.empty()) {
    columns_.push_back("epoch");
    for (const auto& [k, v] : h.front())
      if (k != "epoch") columns_.push_back(k);
  }
  ensure_parent_dir(path_);
  std::ostringstream os;
  if (!columns_.empty()) {
    for (size_t i = 0; i < columns_.size(); ++i) os << (i ? "," : "") << columns_[i];
    os << "\n";
    for (const auto& m : h) write_row(os, m);
  }
  write_file_atomic(path_, os.str());
}

void CSVLogger::on_epoch_end(Trial& t) {
  const Metrics& m = t.state().history.back();
  std::ofstream f(path_, std::ios::app);
  FX_CHECK(f.good(), "CSVLogger: cannot open ", path_);
  if (columns_.empty()) {
    columns_.push_back("epoch");
    for (const auto& [k, v] : m)
      if (k != "epoch") columns_.push_back(k);
    for (size_t i = 0; i < columns_.size(); ++i) f << (i ? "," : "") << columns_[i];
    f << "\n";
  }
  write_row(f, m);
  FX_CHECK(f.good(), "CSVLogger: cannot write ", path_);
}

// ---- TensorBoardLogger --------------------------------------------------------------------------

TensorBoardLogger::TensorBoardLogger(std::string log_dir, bool per_batch)
    : log_dir_(std::move(log_dir)), per_batch_(per_batch) {}

TensorBoardLogger::~TensorBoardLogger() = default;

std::string TensorBoardLogger::path() const {
  return (std::filesystem::path(log_dir_) / "events.out.tfevents.0.fluxion").string();
}

void TensorBoardLogger::on_fit_begin(Trial& t) {
  std::filesystem::create_directories(log_dir_);
  writer_ = std::make_unique<EventWriter>(path());
  for (const auto& m : t.state().history) {
    const int64_t step = static_cast<int64_t>(m.at("epoch"));
    for (const auto& [k, v] : m)
      if (k != "epoch") writer_->add_scalar(k, v, step);
  }
  writer_->flush();
}

void TensorBoardLogger::on_batch_end(Trial& t) {
  if (!per_batch_ || !writer_) return;
  const TrialState& s = t.state();
  const int64_t global = s.num_batches > 0 ? s.epoch * s.num_batches + s.batch : s.batch;
  writer_->add_scalar("batch/loss", s.batch_loss, global);
}

void TensorBoardLogger::on_epoch_end(Trial& t) {
  if (!writer_) return;
  const Metrics& m = t.state().history.back();
  const int64_t step = static_cast<int64_t>(m.at("epoch"));
  for (const auto& [k, v] : m)
    if (k != "epoch") writer_->add_scalar(k, v, step);
  writer_->flush();
}

void TensorBoardLogger::on_fit_end(Trial&) {
  if (writer_) writer_->flush();
}

// ---- checkpoints --------------------------------------------------------------------------------

void ModelCheckpoint::on_epoch_end(Trial& t) {
  const int64_t done = t.state().epoch + 1;
  if (every_ > 1 && done % every_ != 0 && done != t.state().epochs && !t.state().stop) return;
  ensure_parent_dir(path_);
  t.save_checkpoint(path_);
}

BestModelCheckpoint::BestModelCheckpoint(std::string path, std::string monitor, MonitorMode mode, double min_delta)
    : path_(std::move(path)),
      monitor_(std::move(monitor)),
      maximize_(resolve_maximize(monitor_, mode)),
      min_delta_(min_delta),
      best_(initial_best(maximize_)) {}

void BestModelCheckpoint::on_epoch_end(Trial& t) {
  const double v = monitored(t, monitor_, "BestModelCheckpoint");
  if (!improved(v, best_, maximize_, min_delta_)) return;
  best_ = v;
  best_epoch_ = t.state().epoch + 1;
  ensure_parent_dir(path_);
  t.save_checkpoint(path_);
}

std::string BestModelCheckpoint::state_json() const {
  json j;
  j["monitor"] = monitor_;
  j["best"] = std::isfinite(best_) ? json(best_) : json(nullptr);
  j["best_epoch"] = best_epoch_;
  return j.dump();
}

void BestModelCheckpoint::load_state_json(const std::string& s) {
  const json j = json::parse(s);
  best_ = j.value("best", json(nullptr)).is_number() ? j["best"].get<double>() : initial_best(maximize_);
  best_epoch_ = j.value("best_epoch", int64_t{0});
}

// ---- EarlyStopping ------------------------------------------------------------------------------

EarlyStopping::EarlyStopping(std::string monitor, int64_t patience, double min_delta, MonitorMode mode)
    : monitor_(std::move(monitor)),
      patience_(patience),
      min_delta_(min_delta),
      maximize_(resolve_maximize(monitor_, mode)),
      best_(initial_best(maximize_)) {
  FX_CHECK(patience >= 0, "EarlyStopping: patience must be >= 0, got ", patience);
}

void EarlyStopping::on_epoch_end(Trial& t) {
  const double v = monitored(t, monitor_, "EarlyStopping");
  if (improved(v, best_, maximize_, min_delta_)) {
    best_ = v;
    wait_ = 0;
    return;
  }
  if (++wait_ > patience_) {
    std::ostringstream os;
    os << "early stopping: " << monitor_ << " has not improved on " << best_ << " for " << wait_ << " epochs";
    t.stop_training(os.str());
  }
}

std::string EarlyStopping::state_json() const {
  json j;
  j["best"] = std::isfinite(best_) ? json(best_) : json(nullptr);
  j["wait"] = wait_;
  return j.dump();
}

void EarlyStopping::load_state_json(const std::string& s) {
  const json j = json::parse(s);
  best_ = j.value("best", json(nullptr)).is_number() ? j["best"].get<double>() : initial_best(maximize_);
  wait_ = j.value("wait", int64_t{0});
}

// ---- LR scheduling, clipping, NaN -----------------------------------------------------------------

LRSchedulerCallback::LRSchedulerCallback(std::shared_ptr<optim::LRScheduler> scheduler, SchedulerStep every,
                                         std::string monitor)
    : scheduler_(std::move(scheduler)), every_(every), monitor_(std::move(monitor)) {
  FX_CHECK(scheduler_ != nullptr, "LRSchedulerCallback: null scheduler");
}

void LRSchedulerCallback::step(Trial& t) {
  if (auto* plateau = dynamic_cast<optim::ReduceLROnPlateau*>(scheduler_.get()))
    plateau->step(monitored(t, monitor_, "ReduceLROnPlateau"));
  else
    scheduler_->step();
}

void LRSchedulerCallback::on_batch_end(Trial& t) {
  if (every_ == SchedulerStep::kBatch) step(t);
}

void LRSchedulerCallback::on_epoch_end(Trial& t) {
  if (every_ == SchedulerStep::kEpoch) step(t);
}

void GradientClipping::on_backward_end(Trial& t) {
  const auto params = t.model().parameters();
  if (by_value_)
    optim::clip_grad_value_(params, max_norm_);
  else
    optim::clip_grad_norm_(params, max_norm_, norm_type_);
}

void TerminateOnNaN::on_batch_end(Trial& t) {
  const TrialState& s = t.state();
  if (std::isfinite(s.batch_loss)) return;
  std::ostringstream os;
  os << "training stopped: the loss is " << s.batch_loss << " at epoch " << s.epoch + 1 << ", batch " << s.batch + 1;
  if (s.num_batches > 0) os << "/" << s.num_batches;
  os << " (try a lower learning rate or gradient clipping)";
  if (!checkpoint_path_.empty()) {
    if (std::filesystem::exists(checkpoint_path_))
      os << "; the last good checkpoint is " << checkpoint_path_ << " (epoch " << t.start_epoch() << ")";
    else
      os << "; no checkpoint was written yet";
  }
  t.fail(os.str());
}

// ---- CurvePlotter -----------------------------------------------------------------------------

void CurvePlotter::on_epoch_end(Trial& t) {
  ensure_parent_dir(prefix_);
  write_curve_svg(prefix_ + ".svg", t.state().history);
  write_curve_png(prefix_ + ".png", t.state().history);
}

}  // namespace fluxion::train
