// Trial: fit / evaluate / predict, custom steps, callback hooks, and resume bit for bit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_util.h"
#include "train/train_test_util.h"

namespace fx = fluxion;
namespace tr = fluxion::train;
using trtest::TempDir;

namespace {

std::shared_ptr<fx::optim::Optimizer> adam(const fx::nn::Module& m, double lr = 1e-2) {
  return std::make_shared<fx::optim::Adam>(m.parameters(), fx::optim::AdamOptions(lr));
}

TEST(Trial, FitLearnsAndRecordsHistory) {
  fx::manual_seed(0);
  auto train = trtest::blobs(256), val = trtest::blobs(128, 2);
  auto tl = trtest::loader(train), vl = trtest::loader(val, 64, false);
  auto net = trtest::make_net();
  tr::Trial trial(net, adam(net), tr::cross_entropy_loss(), tr::make_metrics({"acc", "f1"}));
  trial.fit(tl, 4, vl);
  const auto& h = trial.state().history;
  ASSERT_EQ(h.size(), 4u);
  for (const char* k : {"epoch", "lr", "epoch_time", "loss", "acc", "f1", "precision", "recall", "val_loss", "val_acc"})
    EXPECT_TRUE(h.back().count(k)) << k;
  EXPECT_EQ(h.back().at("epoch"), 4.0);
  EXPECT_DOUBLE_EQ(h.back().at("lr"), 1e-2);
  EXPECT_LT(h.back().at("loss"), h.front().at("loss"));
  EXPECT_GT(h.back().at("val_acc"), 0.9);
  EXPECT_EQ(trial.start_epoch(), 4);

  const tr::Metrics m = trial.evaluate(vl);
  EXPECT_DOUBLE_EQ(m.at("acc"), h.back().at("val_acc"));  // eval mode: dropout off, same as validation
  EXPECT_DOUBLE_EQ(m.at("loss"), h.back().at("val_loss"));
  EXPECT_TRUE(net.is_training());  // evaluate restores the mode
  fx::Tensor p = trial.predict(vl);
  EXPECT_EQ(p.size(0), 128);
  EXPECT_EQ(p.size(1), 4);
}

TEST(Trial, AcceptsAVectorOfBatches) {
  fx::manual_seed(0);
  std::vector<fx::data::Batch> batches;
  for (int i = 0; i < 3; ++i) batches.push_back({fx::randn({5, 8}), fx::randint(0, 4, {5})});
  auto net = trtest::make_net();
  tr::Trial trial(net, adam(net), tr::cross_entropy_loss(), {std::make_shared<tr::Accuracy>()});
  trial.fit(batches, 1);
  EXPECT_EQ(trial.state().num_batches, 3);
  EXPECT_EQ(trial.state().samples, 15);
  EXPECT_EQ(trial.predict(batches).size(0), 15);
}

/// Records the hooks it sees.
struct Recorder : tr::Callback {
  std::string log;
  int batches = 0, backward = 0;
  void on_fit_begin(tr::Trial&) override { log += "F"; }
  void on_epoch_begin(tr::Trial&) override { log += "E"; }
  void on_batch_end(tr::Trial&) override { ++batches; }
  void on_backward_end(tr::Trial&) override { ++backward; }
  void on_epoch_end(tr::Trial& t) override {
    log.push_back('e');
    log.append(std::to_string(t.state().history.size()));
  }
  void on_fit_end(tr::Trial&) override { log += "f"; }
};

TEST(Trial, CallbackHooksRunInOrder) {
  fx::manual_seed(0);
  auto ds = trtest::blobs(64);
  auto dl = trtest::loader(ds, 16);
  auto net = trtest::make_net();
  auto rec = std::make_shared<Recorder>();
  tr::Trial trial(net, adam(net), tr::cross_entropy_loss(), {}, {rec});
  trial.fit(dl, 2);
  EXPECT_EQ(rec->log, "FEe1Ee2f");
  EXPECT_EQ(rec->batches, 8);
  EXPECT_EQ(rec->backward, 8);
}

TEST(Trial, CustomTrainStep) {
  fx::manual_seed(0);
  auto ds = trtest::blobs(64);
  auto dl = trtest::loader(ds, 16);
  auto net = trtest::make_net();
  auto rec = std::make_shared<Recorder>();
  int calls = 0;
  tr::Trial trial(net, adam(net), tr::cross_entropy_loss(), {}, {rec});
  // A hand-written step (as a GAN/VAE loop would): two forward passes, loss averaged.
  trial.set_train_step([&](tr::Trial& t, const fx::Tensor& x, const fx::Tensor& y) {
    ++calls;
    t.optimizer().zero_grad();
    fx::Tensor out = t.model()(x);
    fx::Tensor loss = 0.5 * (t.loss_fn()(out, y) + t.loss_fn()(t.model()(x), y));
    loss.backward();
    t.notify_backward_end();
    t.optimizer().step();
    return tr::StepOutput{out.detach(), loss.detach()};
  });
  trial.fit(dl, 1);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(rec->backward, 4);
  EXPECT_TRUE(std::isfinite(trial.state().history.back().at("loss")));
}

TEST(Trial, SchedulerStepsPerEpochAndPerBatch) {
  fx::manual_seed(0);
  auto ds = trtest::blobs(64);
  auto dl = trtest::loader(ds, 16);
  {
    auto net = trtest::make_net();
    auto opt = std::make_shared<fx::optim::SGD>(net.parameters(), fx::optim::SGDOptions(0.1));
    tr::Trial trial(net, opt, tr::cross_entropy_loss());
    trial.set_scheduler(std::make_shared<fx::optim::StepLR>(*opt, 1, 0.5));
    trial.fit(dl, 3);
    const auto& h = trial.state().history;
    EXPECT_DOUBLE_EQ(h[0].at("lr"), 0.1);
    EXPECT_DOUBLE_EQ(h[1].at("lr"), 0.05);
    EXPECT_DOUBLE_EQ(h[2].at("lr"), 0.025);
  }
  {
    auto net = trtest::make_net();
    auto opt = std::make_shared<fx::optim::SGD>(net.parameters(), fx::optim::SGDOptions(0.1));
    tr::Trial trial(net, opt, tr::cross_entropy_loss());
    trial.set_scheduler(std::make_shared<fx::optim::StepLR>(*opt, 1, 0.5), tr::SchedulerStep::kBatch);
    trial.fit(dl, 2);
    EXPECT_DOUBLE_EQ(trial.state().history[1].at("lr"), 0.1 / 16);  // 4 batches per epoch
  }
}

/// Copies of every parameter and buffer.
std::vector<fx::Tensor> snapshot(const fx::nn::Module& m) {
  std::vector<fx::Tensor> out;
  for (const auto& item : m.state_dict()) out.push_back(item.value().clone());
  return out;
}

TEST(Trial, ResumeContinuesBitForBit) {
  TempDir dir("trial_resume");
  auto train = trtest::blobs(200), val = trtest::blobs(64, 3);
  auto make = [&](uint64_t init_seed, std::vector<tr::CallbackPtr> cbs) {
    fx::manual_seed(init_seed);
    auto net = trtest::make_net();
    auto opt = std::make_shared<fx::optim::Adam>(net.parameters(), fx::optim::AdamOptions(1e-2));
    auto trial = std::make_unique<tr::Trial>(net, opt, tr::cross_entropy_loss(), tr::make_metrics({"acc"}), cbs);
    trial->set_scheduler(std::make_shared<fx::optim::StepLR>(*opt, 1, 0.7));
    return trial;
  };
  // Uninterrupted: 2 epochs.
  auto a = make(5, {std::make_shared<tr::EarlyStopping>("val_loss", 10)});
  {
    auto tl = trtest::loader(train, 16, true, 11), vl = trtest::loader(val, 32, false);
    a->fit(tl, 2, vl);
  }
  const auto rng_a = fx::default_generator().get_state();
  // Interrupted: 1 epoch with a checkpoint...
  const std::string ckpt = dir / "last.ckpt";
  {
    auto b =
        make(5, {std::make_shared<tr::ModelCheckpoint>(ckpt), std::make_shared<tr::EarlyStopping>("val_loss", 10)});
    auto tl = trtest::loader(train, 16, true, 11), vl = trtest::loader(val, 32, false);
    b->fit(tl, 1, vl);
  }
  // ...then a fresh process-like Trial (other init, RNG moved on) resumes for the second epoch.
  auto stopper = std::make_shared<tr::EarlyStopping>("val_loss", 10);
  auto c = make(999, {stopper});
  (void)fx::rand({1000});
  const std::string meta = c->resume(ckpt);
  EXPECT_EQ(c->start_epoch(), 1);
  EXPECT_EQ(nlohmann::json::parse(meta)["epoch"], 1);
  EXPECT_TRUE(std::isfinite(stopper->best()));  // callback state restored
  {
    auto tl = trtest::loader(train, 16, true, 11), vl = trtest::loader(val, 32, false);
    c->fit(tl, 2, vl);
  }
  const auto pa = snapshot(a->model()), pc = snapshot(c->model());
  ASSERT_EQ(pa.size(), pc.size());
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(fxtest::tensors_equal(pc[i], pa[i])) << "tensor " << i;
  ASSERT_EQ(c->state().history.size(), 2u);
  for (const char* k : {"loss", "acc", "val_loss", "val_acc", "lr"})
    for (size_t e = 0; e < 2; ++e)
      EXPECT_EQ(c->state().history[e].at(k), a->state().history[e].at(k)) << k << " epoch " << e + 1;
  EXPECT_EQ(fx::default_generator().get_state(), rng_a);  // dropout drew the same numbers
}

TEST(Trial, ResumeRejectsForeignCheckpoints) {
  TempDir dir("trial_resume_bad");
  fx::manual_seed(0);
  auto net = trtest::make_net();
  fx::save_checkpoint(dir / "plain.ckpt", net);  // no Trial metadata
  tr::Trial trial(net, adam(net), tr::cross_entropy_loss());
  EXPECT_FX_ERROR(trial.resume(dir / "plain.ckpt"), "not a Trial checkpoint");
  EXPECT_FX_ERROR(trial.resume(dir / "missing.ckpt"), "missing.ckpt");
  EXPECT_EQ(trial.start_epoch(), 0);
}

TEST(Trial, MetadataMustBeJson) {
  auto net = trtest::make_net();
  tr::Trial trial(net, adam(net), tr::cross_entropy_loss());
  trial.set_metadata("model", R"({"name": "x"})");
  EXPECT_EQ(trial.metadata("model"), R"({"name": "x"})");
  EXPECT_FX_ERROR(trial.set_metadata("bad", "{oops"), "not valid JSON");
  const auto meta = nlohmann::json::parse(trial.checkpoint_metadata());
  EXPECT_EQ(meta["user"]["model"]["name"], "x");
  EXPECT_EQ(meta["epoch"], 0);
}

TEST(Trial, ReduceLROnPlateauGetsTheMonitoredMetric) {
  fx::manual_seed(0);
  auto ds = trtest::blobs(64);
  auto dl = trtest::loader(ds, 16);
  auto net = trtest::make_net();
  auto opt = std::make_shared<fx::optim::SGD>(net.parameters(), fx::optim::SGDOptions(0.1));
  // A metric that never improves: with patience 0 the lr halves after every epoch but the first.
  tr::Trial trial(
      net, opt, tr::cross_entropy_loss(),
      {std::make_shared<tr::RunningMean>("flat", [](const fx::Tensor&, const fx::Tensor&) { return 1.0; })});
  trial.set_scheduler(std::make_shared<fx::optim::ReduceLROnPlateau>(
                          *opt, fx::optim::ReduceLROnPlateauOptions().factor(0.5).patience(0)),
                      tr::SchedulerStep::kEpoch, "flat");
  trial.fit(dl, 3);
  const auto& h = trial.state().history;
  EXPECT_DOUBLE_EQ(h[0].at("lr"), 0.1);
  EXPECT_DOUBLE_EQ(h[1].at("lr"), 0.1);
  EXPECT_DOUBLE_EQ(h[2].at("lr"), 0.05);
  EXPECT_FX_ERROR(trial.set_scheduler(std::make_shared<fx::optim::StepLR>(*opt, 1)), "already has a scheduler");
}

}  // namespace
