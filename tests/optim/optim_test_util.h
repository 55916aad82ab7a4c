// Shared by the optim tests: the fixed problems of tests/golden/gen_optim.py (gradients computed
// by hand, so the tests need no tensor ops beyond creation) and optimizer construction from the
// golden files' option dictionaries.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fluxion/fluxion.h"
#include "fluxion/optim.h"
#include "support/golden.h"

namespace fxtest::optim_util {

namespace fx = fluxion;
namespace optim = fluxion::optim;

/// JSON (PyTorch kwargs) -> OptionMap.
inline optim::OptionMap to_option_map(const nlohmann::json& j) {
  optim::OptionMap m;
  for (const auto& [k, v] : j.items()) {
    if (v.is_null())
      m[k] = std::monostate{};
    else if (v.is_boolean())
      m[k] = v.get<bool>();
    else if (v.is_number_integer())
      m[k] = v.get<int64_t>();
    else if (v.is_number())
      m[k] = v.get<double>();
    else if (v.is_string())
      m[k] = v.get<std::string>();
    else
      m[k] = v.get<std::vector<double>>();
  }
  return m;
}

template <class Opts>
std::unique_ptr<optim::OptimizerOptions> options_from(const nlohmann::json& j) {
  auto o = std::make_unique<Opts>();
  o->from_map(to_option_map(j));
  return o;
}

/// Default options of optimizer `name` with `j` applied.
inline std::unique_ptr<optim::OptimizerOptions> make_options(const std::string& name, const nlohmann::json& j) {
  if (name == "SGD") return options_from<optim::SGDOptions>(j);
  if (name == "Adam") return options_from<optim::AdamOptions>(j);
  if (name == "AdamW") return options_from<optim::AdamWOptions>(j);
  if (name == "RMSprop") return options_from<optim::RMSpropOptions>(j);
  if (name == "Adagrad") return options_from<optim::AdagradOptions>(j);
  if (name == "Adadelta") return options_from<optim::AdadeltaOptions>(j);
  if (name == "Adamax") return options_from<optim::AdamaxOptions>(j);
  if (name == "NAdam") return options_from<optim::NAdamOptions>(j);
  if (name == "RAdam") return options_from<optim::RAdamOptions>(j);
  if (name == "LBFGS") return options_from<optim::LBFGSOptions>(j);
  FX_FAIL("unknown optimizer ", name);
}

template <class O, class Opts>
std::unique_ptr<optim::Optimizer> build(std::vector<optim::OptimizerParamGroup> groups,
                                        const optim::OptimizerOptions& defaults) {
  return std::make_unique<O>(std::move(groups), dynamic_cast<const Opts&>(defaults));
}

/// Builds optimizer `name` over `groups` with defaults from JSON options.
inline std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name,
                                                        std::vector<optim::OptimizerParamGroup> groups,
                                                        const nlohmann::json& options) {
  auto d = make_options(name, options);
  if (name == "SGD") return build<optim::SGD, optim::SGDOptions>(std::move(groups), *d);
  if (name == "Adam") return build<optim::Adam, optim::AdamOptions>(std::move(groups), *d);
  if (name == "AdamW") return build<optim::AdamW, optim::AdamWOptions>(std::move(groups), *d);
  if (name == "RMSprop") return build<optim::RMSprop, optim::RMSpropOptions>(std::move(groups), *d);
  if (name == "Adagrad") return build<optim::Adagrad, optim::AdagradOptions>(std::move(groups), *d);
  if (name == "Adadelta") return build<optim::Adadelta, optim::AdadeltaOptions>(std::move(groups), *d);
  if (name == "Adamax") return build<optim::Adamax, optim::AdamaxOptions>(std::move(groups), *d);
  if (name == "NAdam") return build<optim::NAdam, optim::NAdamOptions>(std::move(groups), *d);
  if (name == "RAdam") return build<optim::RAdam, optim::RAdamOptions>(std::move(groups), *d);
  if (name == "LBFGS") return build<optim::LBFGS, optim::LBFGSOptions>(std::move(groups), *d);
  FX_FAIL("unknown optimizer ", name);
}

/// The problems of gen_optim.py. Parameters: quad -> p1 (2, 3), p2 (4); rosen -> one (2,).
struct Problem {
  std::string kind;
  std::vector<double> A, y;  // quad only: A (8 x 10), y (8)

  static Problem load(const std::string& kind) {
    Problem p;
    p.kind = kind;
    for (const auto& c : load_golden("optim.json"))
      if (c.name == "problem/quad") {
        fx::Tensor a = c.at("A").contiguous(), y = c.at("y").contiguous();
        p.A.assign(a.data_ptr<double>(), a.data_ptr<double>() + a.numel());
        p.y.assign(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
      }
    return p;
  }
  int64_t numel() const { return kind == "quad" ? 10 : 2; }

  std::vector<fx::Tensor> make_params(const std::vector<double>& x0, fx::DType dt = fx::kFloat64) const {
    auto opts = fx::TensorOptions(fx::kFloat64);
    std::vector<fx::Tensor> ps;
    if (kind == "quad") {
      ps.push_back(fx::tensor(std::vector<double>(x0.begin(), x0.begin() + 6), {2, 3}, opts).to(dt));
      ps.push_back(fx::tensor(std::vector<double>(x0.begin() + 6, x0.end()), {4}, opts).to(dt));
    } else {
      ps.push_back(fx::tensor(x0, {2}, opts).to(dt));
    }
    for (auto& p : ps) p.requires_grad_(true);
    return ps;
  }

  static std::vector<double> flat(const std::vector<fx::Tensor>& ps) {
    std::vector<double> x;
    for (const auto& p : ps) {
      fx::Tensor c = p.detach().to(fx::kFloat64).contiguous();
      x.insert(x.end(), c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    }
    return x;
  }

  double loss(const std::vector<double>& x) const {
    if (kind == "rosen") return (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]);
    double f = 0;
    for (int i = 0; i < 8; ++i) {
      double r = -y[i];
      for (int j = 0; j < 10; ++j) r += A[i * 10 + j] * x[j];
      f += 0.5 * r * r;
    }
    for (double v : x) f += 0.1 * v * v * v * v;
    return f;
  }

  std::vector<double> grad(const std::vector<double>& x) const {
    if (kind == "rosen") return {-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]), 200 * (x[1] - x[0] * x[0])};
    std::vector<double> r(8), g(10, 0.0);
    for (int i = 0; i < 8; ++i) {
      r[i] = -y[i];
      for (int j = 0; j < 10; ++j) r[i] += A[i * 10 + j] * x[j];
    }
    for (int j = 0; j < 10; ++j) {
      for (int i = 0; i < 8; ++i) g[j] += A[i * 10 + j] * r[i];
      g[j] += 0.4 * x[j] * x[j] * x[j];
    }
    return g;
  }

  /// Sets sign * grad f on each parameter (in its dtype) and returns sign * f.
  double set_grads(const std::vector<fx::Tensor>& ps, double sign = 1.0) const {
    std::vector<double> x = flat(ps), g = grad(x);
    size_t off = 0;
    for (const auto& p : ps) {
      std::vector<double> gi(g.begin() + static_cast<std::ptrdiff_t>(off),
                             g.begin() + static_cast<std::ptrdiff_t>(off + static_cast<size_t>(p.numel())));
      for (auto& v : gi) v *= sign;
      fx::Tensor gt = fx::tensor(gi, p.sizes(), fx::TensorOptions(fx::kFloat64)).to(p.dtype());
      fx::Tensor handle = p;  // shares the TensorImpl
      handle.set_grad(gt);
      off += static_cast<size_t>(p.numel());
    }
    return sign * loss(x);
  }
};

inline std::vector<double> to_vector(const fx::Tensor& t) {
  fx::Tensor c = t.detach().to(fx::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace fxtest::optim_util
