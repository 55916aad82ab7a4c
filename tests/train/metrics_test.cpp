// Metrics on hand-made predictions with exact expected values.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "fluxion/train.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace tr = fluxion::train;

namespace {

// Predictions argmax: [0, 1, 2, 0]; targets [0, 1, 1, 2].
fx::Tensor logits() {
  return fx::tensor({{2.0f, 1.0f, 0.0f}, {0.0f, 3.0f, 1.0f}, {1.0f, 0.0f, 5.0f}, {4.0f, 0.0f, 1.0f}});
}
fx::Tensor targets() { return fx::tensor({0L, 1L, 1L, 2L}); }

TEST(Metrics, Accuracy) {
  tr::Accuracy acc;
  EXPECT_TRUE(acc.compute().empty());
  acc.update(logits(), targets());
  EXPECT_DOUBLE_EQ(acc.compute().at("acc"), 0.5);
  acc.update(logits().narrow(0, 0, 2), targets().narrow(0, 0, 2));  // 2 more, both right
  EXPECT_DOUBLE_EQ(acc.compute().at("acc"), 4.0 / 6.0);
  acc.reset();
  EXPECT_TRUE(acc.compute().empty());
}

TEST(Metrics, BinaryAccuracyFromOneLogit) {
  tr::Accuracy acc;
  acc.update(fx::tensor({{1.5f}, {-0.5f}, {0.2f}}), fx::tensor({1L, 0L, 0L}));
  EXPECT_DOUBLE_EQ(acc.compute().at("acc"), 2.0 / 3.0);
}

TEST(Metrics, TopK) {
  tr::TopKAccuracy top2(2);
  EXPECT_EQ(top2.name(), "top2_acc");
  top2.update(logits(), targets());  // top-2 sets {0,1} {1,2} {2,0} {0,2}: rows 0, 1, 3 hit
  EXPECT_DOUBLE_EQ(top2.compute().at("top2_acc"), 0.75);
  tr::TopKAccuracy top1(1);
  top1.update(logits(), targets());
  EXPECT_DOUBLE_EQ(top1.compute().at("top1_acc"), 0.5);
}

TEST(Metrics, ConfusionMatrix) {
  tr::ConfusionMatrix cm;
  cm.update(logits(), targets());
  EXPECT_EQ(cm.num_classes(), 3);
  fx::Tensor expected = fx::tensor(std::vector<int64_t>{1, 0, 0, 0, 1, 1, 1, 0, 0}, fx::Shape{3, 3});
  EXPECT_TRUE(fxtest::tensors_equal(cm.matrix(), expected));
  EXPECT_TRUE(cm.compute().empty());
  EXPECT_FX_ERROR(cm.update(logits(), fx::tensor({0L, 1L, 5L, 2L})), "out of range");
}

TEST(Metrics, PrecisionRecallF1Macro) {
  tr::PrecisionRecallF1 prf;
  prf.update(logits(), targets());
  const auto m = prf.compute();
  // class 0: p 1/2 r 1 f 2/3; class 1: p 1 r 1/2 f 2/3; class 2: p 0 r 0 f 0.
  EXPECT_DOUBLE_EQ(m.at("precision"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("recall"), 0.5);
  EXPECT_DOUBLE_EQ(m.at("f1"), (2.0 / 3.0 + 2.0 / 3.0) / 3.0);
}

TEST(Metrics, MseMaeAggregateOverBatches) {
  tr::MeanSquaredError mse;
  tr::MeanAbsoluteError mae;
  for (auto* m : std::vector<tr::Metric*>{&mse, &mae}) {
    m->update(fx::tensor({1.0f, 2.0f, 3.0f}), fx::tensor({1.0f, 0.0f, 6.0f}));  // diffs 0, 2, -3
    m->update(fx::tensor({{1.0f}}), fx::tensor({{2.0f}}));                      // diff -1
  }
  EXPECT_DOUBLE_EQ(mse.compute().at("mse"), 14.0 / 4.0);
  EXPECT_DOUBLE_EQ(mae.compute().at("mae"), 6.0 / 4.0);
}

TEST(Metrics, RunningMeanIsWeightedByBatchSize) {
  tr::RunningMean loss("loss");
  loss.add(1.0, 3);
  loss.add(3.0, 1);
  EXPECT_DOUBLE_EQ(loss.compute().at("loss"), 1.5);
  tr::RunningMean user("max_logit", [](const fx::Tensor& out, const fx::Tensor&) { return out.max().item<double>(); });
  user.update(logits(), targets());                                  // 5, weight 4
  user.update(logits().narrow(0, 0, 2), targets().narrow(0, 0, 2));  // 3, weight 2
  EXPECT_DOUBLE_EQ(user.compute().at("max_logit"), (5.0 * 4 + 3.0 * 2) / 6.0);
}

TEST(Metrics, ByName) {
  EXPECT_EQ(tr::make_metric("acc")->name(), "acc");
  EXPECT_EQ(tr::make_metric("top5")->name(), "top5_acc");
  EXPECT_EQ(tr::make_metric("top3_acc")->name(), "top3_acc");
  EXPECT_EQ(tr::make_metric("mse")->name(), "mse");
  EXPECT_EQ(tr::make_metrics({"precision", "recall", "f1", "acc"}).size(), 2u);
  EXPECT_FX_ERROR(tr::make_metric("auc"), "unknown metric");
}

}  // namespace
