// Every optimiser from the same start on three test functions: an ill-conditioned quadratic
// bowl, Himmelblau's function (four minima) and the 2-D Rastrigin function (many local minima).
// Prints where each one ends and writes optimisers_<function>.svg: the function as a shaded map
// with each optimiser's path drawn over it.
//
//   optimisers [--steps N] [--out DIR] [--device cpu|cuda|cuda:N]
//
// ctest: bowl +LBFGS +ends at \( *-?0\.0000, *-?0\.0000\)
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/args.h"
#include "fluxion/fluxion.h"
#include "fluxion/optim.h"

namespace fx = fluxion;
namespace optim = fluxion::optim;

namespace {

struct TestFunction {
  std::string name;
  std::function<fx::Tensor(const fx::Tensor& x, const fx::Tensor& y)> f;  // works on tensors of any shape
  double x0, y0;                                                          // the common start
  double lo, hi;                                                          // the plotted square
  double sgd_lr_scale;  // SGD's step grows with the gradient: Rastrigin's cosines (slopes ~60) need a smaller lr
};

std::vector<TestFunction> test_functions() {
  const double pi = std::acos(-1.0);
  return {
      {"bowl", [](const fx::Tensor& x, const fx::Tensor& y) { return x * x + 10.0 * y * y; }, -4.0, 2.0, -5, 5, 1.0},
      {"himmelblau",
       [](const fx::Tensor& x, const fx::Tensor& y) {
         auto a = x * x + y - 11.0, b = x + y * y - 7.0;
         return a * a + b * b;
       },
       0.0, -4.0, -5, 5, 1.0},
      {"rastrigin",
       [pi](const fx::Tensor& x, const fx::Tensor& y) {
         return 20.0 + x * x - 10.0 * (2 * pi * x).cos() + y * y - 10.0 * (2 * pi * y).cos();
       },
       2.3, -1.7, -3, 3, 0.1},
  };
}

// A named factory: each run gets a fresh optimiser over its own parameter.
using Factory = std::function<std::unique_ptr<optim::Optimizer>(const fx::Tensor& p, double sgd_lr_scale)>;

std::vector<std::pair<std::string, Factory>> optimisers() {
  return {
      {"SGD", [](const fx::Tensor& p,
                 double k) { return std::make_unique<optim::SGD>(std::vector{p}, optim::SGDOptions(0.02 * k)); }},
      {"momentum",
       [](const fx::Tensor& p, double k) {
         return std::make_unique<optim::SGD>(std::vector{p}, optim::SGDOptions(0.01 * k).momentum(0.9));
       }},
      {"Nesterov",
       [](const fx::Tensor& p, double k) {
         return std::make_unique<optim::SGD>(std::vector{p}, optim::SGDOptions(0.01 * k).momentum(0.9).nesterov(true));
       }},
      {"Adagrad", [](const fx::Tensor& p,
                     double) { return std::make_unique<optim::Adagrad>(std::vector{p}, optim::AdagradOptions(0.5)); }},
      {"RMSprop", [](const fx::Tensor& p,
                     double) { return std::make_unique<optim::RMSprop>(std::vector{p}, optim::RMSpropOptions(0.05)); }},
      {"Adam", [](const fx::Tensor& p,
                  double) { return std::make_unique<optim::Adam>(std::vector{p}, optim::AdamOptions(0.1)); }},
      {"AdamW", [](const fx::Tensor& p,
                   double) { return std::make_unique<optim::AdamW>(std::vector{p}, optim::AdamWOptions(0.1)); }},
      {"LBFGS",
       [](const fx::Tensor& p, double) {
         return std::make_unique<optim::LBFGS>(std::vector{p},
                                               optim::LBFGSOptions(1.0).max_iter(5).line_search_fn("strong_wolfe"));
       }},
  };
}

// Runs `steps` optimiser steps from the function's start; returns the visited points.
std::vector<std::pair<double, double>> descend(const TestFunction& fn, const Factory& make, int steps,
                                               fx::Device device) {
  auto p = fx::tensor({fn.x0, fn.y0}, fx::TensorOptions(fx::kFloat64).device(device)).requires_grad_(true);
  auto opt = make(p, fn.sgd_lr_scale);
  auto loss = [&] {
    opt->zero_grad();
    auto v = fn.f(p.select(0, 0), p.select(0, 1));
    v.backward();
    return v;
  };
  std::vector<std::pair<double, double>> path{{fn.x0, fn.y0}};
  for (int s = 0; s < steps; ++s) {
    opt->step(loss);  // every optimiser accepts the closure; LBFGS needs it
    path.emplace_back(p[0].item<double>(), p[1].item<double>());
  }
  return path;
}

// The SVG: a grid of cells shaded by log(1 + f), then one polyline per optimiser.
void write_svg(const std::string& file, const TestFunction& fn,
               const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& paths) {
  const int cells = 80, size = 480;
  const double span = fn.hi - fn.lo;
  auto px = [&](double v) { return (v - fn.lo) / span * size; };
  auto py = [&](double v) { return size - (v - fn.lo) / span * size; };
  auto centres = fx::linspace(fn.lo + span / cells / 2, fn.hi - span / cells / 2, cells, fx::kFloat64);
  auto grid = fn.f(centres.unsqueeze(0), centres.unsqueeze(1)).log1p();  // [y, x], on the CPU
  const double gmin = grid.min().item<double>(), gmax = grid.max().item<double>();
  FILE* out = std::fopen(file.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", file.c_str());
    return;
  }
  std::fprintf(out, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d'>\n", size + 130, size);
  const double cw = static_cast<double>(size) / cells;
  for (int i = 0; i < cells; ++i)
    for (int j = 0; j < cells; ++j) {
      const int shade = static_cast<int>(255 * (grid[i][j].item<double>() - gmin) / (gmax - gmin + 1e-12));
      std::fprintf(out, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='rgb(%d,%d,255)'/>\n", j * cw,
                   size - (i + 1) * cw, cw + 0.5, cw + 0.5, shade, shade);
    }
  const char* colours[] = {"#e41a1c", "#ff7f00", "#a65628", "#4daf4a", "#984ea3", "#000000", "#f781bf", "#377eb8"};
  for (size_t k = 0; k < paths.size(); ++k) {
    std::fprintf(out, "<polyline fill='none' stroke='%s' stroke-width='2' points='", colours[k % 8]);
    for (const auto& [x, y] : paths[k].second) std::fprintf(out, "%.1f,%.1f ", px(x), py(y));
    std::fprintf(out, "'/>\n<text x='%d' y='%zu' fill='%s' font-size='14'>%s</text>\n", size + 8, 20 + 18 * k,
                 colours[k % 8], paths[k].first.c_str());
  }
  std::fprintf(out, "</svg>\n");
  std::fclose(out);
}

}  // namespace

int main(int argc, char** argv) try {
  const examples::Args args(argc, argv, {"steps", "out"});
  const int steps = static_cast<int>(args.integer("steps", 100));
  const std::string out_dir = args.str("out", ".");
  const fx::Device device = args.device();
  for (const auto& fn : test_functions()) {
    std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> paths;
    for (const auto& [name, make] : optimisers()) {
      auto path = descend(fn, make, steps, device);
      const auto [x, y] = path.back();
      const double value = fn.f(fx::full({}, x, fx::kFloat64), fx::full({}, y, fx::kFloat64)).item<double>();
      std::printf("%-10s %-9s ends at (%8.4f, %8.4f)  f = %.3e\n", fn.name.c_str(), name.c_str(), x, y, value);
      paths.emplace_back(name, std::move(path));
    }
    const std::string file = out_dir + "/optimisers_" + fn.name + ".svg";
    write_svg(file, fn, paths);
    std::printf("wrote %s\n", file.c_str());
  }
  return 0;
} catch (const std::exception& e) {
  return examples::fail(e);
}
