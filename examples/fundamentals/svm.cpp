// A linear soft-margin SVM: the hinge loss max(0, 1 - y (w.x + b)) plus weight decay, trained by
// mini-batch SGD (TensorDataset + DataLoader) on two seeded Gaussian blobs. Prints the training
// loss per epoch and the test accuracy, and writes svm.svg: the points, the decision boundary
// w.x + b = 0 and the margins w.x + b = +-1.
//
//   svm [--out DIR] [--device cpu|cuda|cuda:N]
//
// ctest: test accuracy 0\.9[5-9]|test accuracy 1\.00
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/args.h"
#include "fluxion/data.h"
#include "fluxion/fluxion.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
namespace data = fluxion::data;

namespace {

// n points per class around (+2, +1) (label +1) and (-2, -1) (label -1), standard deviation 1.
std::shared_ptr<data::TensorDataset> blobs(int64_t n) {
  auto centre = fx::tensor({2.0f, 1.0f});
  auto pos = fx::randn({n, 2}) + centre, neg = fx::randn({n, 2}) - centre;
  auto labels = fx::cat({fx::ones({n}), -fx::ones({n})});
  return std::make_shared<data::TensorDataset>(fx::cat({pos, neg}), labels);
}

void write_svg(const std::string& file, const fx::Tensor& x, const fx::Tensor& y, double w0, double w1, double b) {
  FILE* out = std::fopen(file.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", file.c_str());
    return;
  }
  const double lo = -6, hi = 6, size = 480;
  auto px = [&](double v) { return (v - lo) / (hi - lo) * size; };
  auto py = [&](double v) { return size - (v - lo) / (hi - lo) * size; };
  std::fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%g' height='%g'>\n", size, size);
  std::fprintf(out, "<rect width='%g' height='%g' fill='white' stroke='black'/>\n", size, size);
  for (int64_t i = 0; i < x.size(0); ++i)
    std::fprintf(out, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>\n", px(x[i][0].item<float>()),
                 py(x[i][1].item<float>()), y[i].item<float>() > 0 ? "#e41a1c" : "#377eb8");
  // w0 x + w1 y + b = c  ->  y = (c - b - w0 x) / w1 at the two edges.
  for (double c : {-1.0, 0.0, 1.0}) {
    const double y_lo = (c - b - w0 * lo) / w1, y_hi = (c - b - w0 * hi) / w1;
    std::fprintf(out, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='black' stroke-width='%d'%s/>\n", px(lo),
                 py(y_lo), px(hi), py(y_hi), c == 0 ? 2 : 1, c == 0 ? "" : " stroke-dasharray='6,4'");
  }
  std::fprintf(out, "</svg>\n");
  std::fclose(out);
}

}  // namespace

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"out"});
  const std::string out_dir = args.str("out", ".");
  const fx::Device device = args.device();
  fx::manual_seed(0);
  auto all = blobs(200);
  auto parts = data::random_split(all, {300, 100}, /*seed=*/0);
  data::DataLoader train(parts[0], data::DataLoaderOptions{.batch_size = 32, .shuffle = true, .seed = 0});

  // The loader yields CPU batches; the parameters, and each batch, live on `device`.
  auto w = fx::zeros({2}, fx::TensorOptions().device(device)).requires_grad_(true);
  auto b = fx::zeros({1}, fx::TensorOptions().device(device)).requires_grad_(true);
  // Weight decay on w only: the bias is not part of the margin 2 / |w|.
  std::vector<fx::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<fx::Tensor>{w}, fx::optim::SGDOptions(0.1).weight_decay(0.01));
  groups.emplace_back(std::vector<fx::Tensor>{b});
  fx::optim::SGD opt(std::move(groups), fx::optim::SGDOptions(0.1));
  for (int epoch = 1; epoch <= 20; ++epoch) {
    double total = 0;
    int64_t seen = 0;
    for (const data::Batch& batch : train) {
      const fx::Tensor x = batch.data.to(device), y = batch.target.to(device);
      opt.zero_grad();
      auto score = fx::matmul(x, w) + b;
      auto loss = (1.0 - y * score).clamp_min(0.0).mean();
      loss.backward();
      opt.step();
      total += loss.item<double>() * static_cast<double>(batch.data.size(0));
      seen += batch.data.size(0);
    }
    if (epoch % 5 == 0) std::printf("epoch %2d  hinge loss %.4f\n", epoch, total / static_cast<double>(seen));
  }

  // Test accuracy on the held-out 100 points.
  data::DataLoader test(parts[1], data::DataLoaderOptions{.batch_size = 100});
  fx::NoGradGuard no_grad;
  int64_t correct = 0, count = 0;
  for (const data::Batch& batch : test) {
    auto predicted = (fx::matmul(batch.data.to(device), w) + b).sign();
    correct += (predicted == batch.target.to(device)).sum().item<int64_t>();
    count += batch.data.size(0);
  }
  const double w0 = w[0].item<float>(), w1 = w[1].item<float>(), bias = b.item<float>();
  std::printf("w = (%.3f, %.3f)  b = %.3f  margin width 2/|w| = %.3f\n", w0, w1, bias,
              2.0 / std::sqrt(w0 * w0 + w1 * w1));
  std::printf("test accuracy %.2f (%ld of %ld)\n", static_cast<double>(correct) / static_cast<double>(count),
              static_cast<long>(correct), static_cast<long>(count));
  const auto& full = std::static_pointer_cast<data::TensorDataset>(all);
  write_svg(out_dir + "/svm.svg", full->data(), full->targets(), w0, w1, bias);
  std::printf("wrote %s/svm.svg\n", out_dir.c_str());
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
