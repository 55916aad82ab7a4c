// Each standard callback: CSV content, TensorBoard file parsed back with CRC checks, checkpoints,
// best-model saving, early stopping, NaN detection, progress output, gradient clipping, plots.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_util.h"
#include "train/train_test_util.h"

namespace fx = fluxion;
namespace tr = fluxion::train;
namespace fs = std::filesystem;
using trtest::TempDir;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string f; std::getline(ss, f, sep);) out.push_back(f);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

/// A trial on the blobs problem with the given callbacks and metrics.
struct Fixture {
  explicit Fixture(std::vector<tr::CallbackPtr> cbs, std::vector<tr::MetricPtr> metrics = tr::make_metrics({"acc"}),
                   double lr = 1e-2)
      : train(trtest::blobs(128)),
        val(trtest::blobs(64, 2)),
        tl(trtest::loader(train, 32)),
        vl(trtest::loader(val, 64, false)) {
    fx::manual_seed(0);
    net = trtest::make_net();
    opt = std::make_shared<fx::optim::Adam>(net.parameters(), fx::optim::AdamOptions(lr));
    trial = std::make_unique<tr::Trial>(net, opt, tr::cross_entropy_loss(), std::move(metrics), std::move(cbs));
  }
  fx::data::DatasetPtr train, val;
  fx::data::DataLoader tl, vl;
  fx::nn::Module net;
  std::shared_ptr<fx::optim::Optimizer> opt;
  std::unique_ptr<tr::Trial> trial;
};

TEST(Callbacks, CSVLoggerWritesOneRowPerEpoch) {
  TempDir dir("cb_csv");
  Fixture f({std::make_shared<tr::CSVLogger>(dir / "log.csv")});
  f.trial->fit(f.tl, 3, f.vl);
  const auto rows = lines(read_file(dir / "log.csv"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], "epoch,acc,epoch_time,loss,lr,val_acc,val_loss");
  const auto header = split(rows[0], ',');
  for (size_t e = 0; e < 3; ++e) {
    const auto cells = split(rows[e + 1], ',');
    ASSERT_EQ(cells.size(), header.size());
    for (size_t i = 0; i < header.size(); ++i)
      EXPECT_NEAR(std::stod(cells[i]), f.trial->state().history[e].at(header[i]),
                  1e-7 * std::abs(f.trial->state().history[e].at(header[i])) + 1e-12)
          << header[i];
  }
  // A second fit (as after resume) rewrites the file from the history, then appends.
  f.trial->fit(f.tl, 4, f.vl);
  EXPECT_EQ(lines(read_file(dir / "log.csv")).size(), 5u);
}

// ---- TensorBoard: a minimal TFRecord + protobuf reader --------------------------------------------

uint64_t varint(const std::string& s, size_t& i) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(s.at(i++));
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
}

struct Event {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;
  std::vector<std::pair<std::string, float>> scalars;
};

/// Parses protobuf fields of `msg`, calling f(field, wire_type, varint value, bytes, fixed bytes).
template <class F>
void parse_fields(const std::string& msg, F&& f) {
  size_t i = 0;
  while (i < msg.size()) {
    const uint64_t key = varint(msg, i);
    const uint32_t field = static_cast<uint32_t>(key >> 3), wt = key & 7;
    if (wt == 0) {
      f(field, wt, varint(msg, i), std::string());
    } else if (wt == 1 || wt == 5) {
      const size_t n = wt == 1 ? 8 : 4;
      f(field, wt, 0, msg.substr(i, n));
      i += n;
    } else if (wt == 2) {
      const uint64_t n = varint(msg, i);
      f(field, wt, 0, msg.substr(i, n));
      i += n;
    } else {
      FAIL() << "unexpected wire type " << wt;
    }
  }
}

std::vector<Event> read_events(const std::string& path) {
  const std::string data = read_file(path);
  std::vector<Event> events;
  size_t i = 0;
  while (i < data.size()) {
    EXPECT_GE(data.size() - i, 12u) << "truncated record header";
    if (data.size() - i < 12) break;
    uint64_t len;
    uint32_t len_crc, data_crc;
    std::memcpy(&len, data.data() + i, 8);
    std::memcpy(&len_crc, data.data() + i + 8, 4);
    EXPECT_EQ(len_crc, tr::masked_crc32c(data.data() + i, 8)) << "length CRC at " << i;
    EXPECT_GE(data.size() - i - 12, len + 4) << "truncated record";
    const std::string payload = data.substr(i + 12, len);
    std::memcpy(&data_crc, data.data() + i + 12 + len, 4);
    EXPECT_EQ(data_crc, tr::masked_crc32c(payload.data(), payload.size())) << "data CRC at " << i;
    i += 12 + len + 4;
    Event e;
    parse_fields(payload, [&](uint32_t field, uint32_t, uint64_t v, const std::string& b) {
      if (field == 1) std::memcpy(&e.wall_time, b.data(), 8);
      if (field == 2) e.step = static_cast<int64_t>(v);
      if (field == 3) e.file_version = b;
      if (field == 5)
        parse_fields(b, [&](uint32_t, uint32_t, uint64_t, const std::string& value) {
          std::string tag;
          float x = 0;
          parse_fields(value, [&](uint32_t vf, uint32_t, uint64_t, const std::string& vb) {
            if (vf == 1) tag = vb;
            if (vf == 2) std::memcpy(&x, vb.data(), 4);
          });
          e.scalars.emplace_back(tag, x);
        });
    });
    events.push_back(e);
  }
  return events;
}

TEST(Callbacks, Crc32cKnownValues) {
  EXPECT_EQ(tr::crc32c("123456789", 9), 0xE3069283u);  // the CRC-32C check value
  const uint32_t c = 0xE3069283u;
  EXPECT_EQ(tr::masked_crc32c("123456789", 9), ((c >> 15) | (c << 17)) + 0xa282ead8u);
}

TEST(Callbacks, TensorBoardEventsParseBack) {
  TempDir dir("cb_tb");
  auto tb = std::make_shared<tr::TensorBoardLogger>(dir.path.string());
  Fixture f({tb});
  f.trial->fit(f.tl, 2, f.vl);
  ASSERT_TRUE(fs::exists(tb->path()));
  EXPECT_NE(fs::path(tb->path()).filename().string().find("tfevents"), std::string::npos);
  const auto events = read_events(tb->path());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_GT(events[0].wall_time, 1.5e9);
  std::map<std::pair<std::string, int64_t>, float> seen;
  for (size_t i = 1; i < events.size(); ++i)
    for (const auto& [tag, v] : events[i].scalars) seen[{tag, events[i].step}] = v;
  for (int64_t e = 1; e <= 2; ++e)
    for (const char* k : {"loss", "acc", "val_loss", "val_acc", "lr"}) {
      const std::pair<std::string, int64_t> key(k, e);
      ASSERT_TRUE(seen.count(key)) << k << " step " << e;
      EXPECT_EQ(seen[key], static_cast<float>(f.trial->state().history[e - 1].at(k))) << k;
    }
}

TEST(Callbacks, CheckpointsEveryEpochAndBestModel) {
  TempDir dir("cb_ckpt");
  auto best = std::make_shared<tr::BestModelCheckpoint>(dir / "best.ckpt", "val_acc");
  Fixture f({std::make_shared<tr::ModelCheckpoint>(dir / "last.ckpt"), best});
  f.trial->set_metadata("data_seed", "7");
  f.trial->fit(f.tl, 3, f.vl);
  ASSERT_TRUE(fs::exists(dir / "last.ckpt"));
  ASSERT_TRUE(fs::exists(dir / "best.ckpt"));
  EXPECT_FALSE(fs::exists(dir / "last.ckpt.tmp"));
  const auto meta = nlohmann::json::parse(fx::load_checkpoint(dir / "last.ckpt").metadata);
  EXPECT_EQ(meta["epoch"], 3);
  EXPECT_EQ(meta["history"].size(), 3u);
  EXPECT_EQ(meta["user"]["data_seed"], 7);
  EXPECT_DOUBLE_EQ(meta["metrics"]["val_acc"].get<double>(), f.trial->state().history.back().at("val_acc"));
  double best_acc = 0;
  int64_t best_epoch = 0;
  for (const auto& h : f.trial->state().history)
    if (h.at("val_acc") > best_acc) best_acc = h.at("val_acc"), best_epoch = static_cast<int64_t>(h.at("epoch"));
  EXPECT_EQ(best->best(), best_acc);
  EXPECT_EQ(best->best_epoch(), best_epoch);
  const auto best_meta = nlohmann::json::parse(fx::load_checkpoint(dir / "best.ckpt").metadata);
  EXPECT_EQ(best_meta["epoch"], best_epoch);
  EXPECT_EQ(meta["callbacks"]["best_checkpoint"]["best_epoch"], best_epoch);
}

TEST(Callbacks, EarlyStoppingStops) {
  // A metric that never improves after the first epoch: with patience 1 training stops after epoch 3.
  auto constant = std::make_shared<tr::RunningMean>("const", [](const fx::Tensor&, const fx::Tensor&) { return 1.0; });
  auto stopper = std::make_shared<tr::EarlyStopping>("const", 1, 0.0, tr::MonitorMode::kMin);
  Fixture f({stopper}, {constant});
  f.trial->fit(f.tl, 10);
  EXPECT_EQ(f.trial->state().history.size(), 3u);
  EXPECT_TRUE(f.trial->state().stop);
  EXPECT_NE(f.trial->state().stop_reason.find("const"), std::string::npos);
  EXPECT_EQ(stopper->wait(), 2);
}

TEST(Callbacks, EarlyStoppingNamesAMissingMetric) {
  Fixture f({std::make_shared<tr::EarlyStopping>("val_loss", 2)});
  EXPECT_FX_ERROR(f.trial->fit(f.tl, 1), "val_loss");
}

TEST(Callbacks, NonFiniteLossFailsAndKeepsTheLastGoodCheckpoint) {
  TempDir dir("cb_nan");
  const std::string last = dir / "last.ckpt";
  Fixture f({std::make_shared<tr::TerminateOnNaN>(last), std::make_shared<tr::ModelCheckpoint>(last)});
  int calls = 0;  // 4 batches per epoch: the 7th loss (epoch 2, batch 3) is NaN
  f.trial->set_train_step([&](tr::Trial& t, const fx::Tensor& x, const fx::Tensor& y) {
    tr::StepOutput out = t.default_train_step(x, y);
    if (++calls == 7) out.loss = fx::full({}, std::nan(""));
    return out;
  });
  EXPECT_FX_ERROR(f.trial->fit(f.tl, 5), "epoch 2, batch 3/4");
  EXPECT_EQ(calls, 7);
  EXPECT_EQ(f.trial->state().history.size(), 1u);
  const auto meta = nlohmann::json::parse(fx::load_checkpoint(last).metadata);
  EXPECT_EQ(meta["epoch"], 1);
}

TEST(Callbacks, NaNMessageMentionsTheCheckpoint) {
  TempDir dir("cb_nan_msg");
  Fixture f({std::make_shared<tr::TerminateOnNaN>(dir / "last.ckpt")});
  f.trial->set_train_step([&](tr::Trial& t, const fx::Tensor& x, const fx::Tensor& y) {
    tr::StepOutput out = t.default_train_step(x, y);
    out.loss = fx::full({}, INFINITY);
    return out;
  });
  EXPECT_FX_ERROR(f.trial->fit(f.tl, 2), "no checkpoint was written yet");
}

TEST(Callbacks, ProgressBarOneLinePerEpochWithoutATerminal) {
  std::ostringstream os;
  Fixture f({std::make_shared<tr::ProgressBar>(&os, false)});
  f.trial->fit(f.tl, 2, f.vl);
  const auto ls = lines(os.str());
  ASSERT_EQ(ls.size(), 2u);
  EXPECT_EQ(ls[0].rfind("epoch 1/2", 0), 0u) << ls[0];
  for (const char* k : {"samples/s", "loss", "acc", "val_loss", "val_acc"}) EXPECT_NE(ls[1].find(k), std::string::npos);
  EXPECT_EQ(os.str().find('\r'), std::string::npos);
}

TEST(Callbacks, ProgressBarLiveOnATerminal) {
  std::ostringstream os;
  Fixture f({std::make_shared<tr::ProgressBar>(&os, true)});
  f.trial->fit(f.tl, 1);
  const std::string s = os.str();
  EXPECT_NE(s.find("\r"), std::string::npos);
  EXPECT_NE(s.find("ETA"), std::string::npos);
  EXPECT_NE(s.find("samples/s"), std::string::npos);
  EXPECT_EQ(s.back(), '\n');
}

/// Checks after clipping (runs after GradientClipping, order 0 < 1).
struct NormProbe : tr::Callback {
  int order() const override { return 1; }
  void on_backward_end(tr::Trial& t) override {
    max_norm = std::max(max_norm, fx::optim::get_total_norm(t.model().parameters()));
  }
  double max_norm = 0;
};

TEST(Callbacks, GradientClipping) {
  auto probe = std::make_shared<NormProbe>();
  Fixture f({std::make_shared<tr::GradientClipping>(0.01), probe});
  f.trial->fit(f.tl, 1);
  EXPECT_GT(probe->max_norm, 0.0);
  EXPECT_LE(probe->max_norm, 0.01 * (1 + 1e-4));
}

TEST(Callbacks, CurvePlotWritesSvgAndPng) {
  TempDir dir("cb_plot");
  Fixture f({std::make_shared<tr::CurvePlotter>(dir / "curve")});
  f.trial->fit(f.tl, 3, f.vl);
  const std::string svg = read_file(dir / "curve.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("val_loss"), std::string::npos);
  EXPECT_NE(svg.find("polyline"), std::string::npos);
  fx::Tensor png = fx::data::read_png(dir / "curve.png");
  EXPECT_EQ(png.size(0), 400);
  EXPECT_EQ(png.size(1), 960);
  EXPECT_EQ(png.size(2), 3);
  // Not blank: some pixels are coloured.
  EXPECT_LT(png.to(fx::kFloat64).mean().item<double>(), 254.9);
  // An empty history still gives valid files.
  tr::write_curve_svg(dir / "empty.svg", {});
  tr::write_curve_png(dir / "empty.png", {});
  EXPECT_EQ(fx::data::read_png(dir / "empty.png").size(1), 960);
}

}  // namespace
