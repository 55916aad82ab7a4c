// `fluxion predict`: classifies PNG/JPEG images with the model of a `fluxion train` checkpoint.
#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "fluxion/autograd.h"
#include "fluxion/data/image.h"
#include "fluxion/data/transforms.h"
#include "fluxion/error.h"
#include "fluxion/io/checkpoint.h"
#include "fluxion/models.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/random.h"
#include "fluxion/threading.h"

namespace {

namespace fx = fluxion;
using json = nlohmann::json;

struct PredictOptions {
  std::string checkpoint;
  std::vector<std::string> images;
  int64_t top = 1;
  bool invert = false;
  bool json_out = false;
  int threads = 0;
};

void run_predict(const PredictOptions& o) {
  if (o.threads > 0) fx::set_num_threads(o.threads);
  if (!std::filesystem::exists(o.checkpoint))
    throw fx::cli::CliError("checkpoint '" + o.checkpoint + "' does not exist");
  fx::Checkpoint ckpt = fx::load_checkpoint(o.checkpoint);
  json meta = json::parse(ckpt.metadata, nullptr, false);
  if (!meta.is_object() || !meta.contains("user") || !meta["user"].contains("model"))
    throw fx::cli::CliError("checkpoint '" + o.checkpoint +
                            "' does not say which model it holds (it was not written by `fluxion train`)");
  const json& m = meta["user"]["model"];
  const json& c = m.at("config");
  const fx::models::ModelConfig cfg{c.at("in_channels").get<int64_t>(), c.at("height").get<int64_t>(),
                                    c.at("width").get<int64_t>(), c.at("num_classes").get<int64_t>()};
  fx::nn::Module model = fx::models::create(m.at("name").get<std::string>(), cfg);
  fx::restore_checkpoint(ckpt, model, nullptr, nullptr, /*restore_rng=*/false);
  model.eval();
  std::vector<std::string> classes;
  std::vector<double> mean, sd;  // the standardisation used in training
  if (meta["user"].contains("data")) {
    const json& d = meta["user"]["data"];
    classes = d.value("classes", std::vector<std::string>{});
    mean = d.value("mean", std::vector<double>{});
    sd = d.value("std", std::vector<double>{});
  }

  // Decode every image first, so a bad file fails before any output.
  std::vector<fx::Tensor> inputs;
  fx::Generator gen(0);
  for (const auto& path : o.images) {
    fx::Tensor img = fx::data::read_image(path, static_cast<int>(cfg.in_channels));  // uint8 (H, W, C)
    fx::Tensor x = fx::data::transforms::to_tensor(img);                             // float32 (C, H, W)
    if (x.size(1) != cfg.height || x.size(2) != cfg.width)
      x = fx::data::transforms::Resize(cfg.height, cfg.width)(x, gen);
    if (o.invert) x = 1.0 - x;
    if (!mean.empty() && mean.size() == sd.size()) {
      const int64_t C = x.size(0);
      std::vector<float> m(static_cast<size_t>(C)), s(static_cast<size_t>(C));
      for (size_t c = 0; c < static_cast<size_t>(C); ++c) {
        m[c] = static_cast<float>(mean[mean.size() == 1 ? 0 : c]);
        s[c] = static_cast<float>(sd[sd.size() == 1 ? 0 : c]);
      }
      x = (x - fx::tensor(m, fx::Shape{C, 1, 1})) / fx::tensor(s, fx::Shape{C, 1, 1});
    }
    inputs.push_back(x);
  }
  fx::Tensor probs;
  {
    fx::NoGradGuard g;
    probs = model(fx::stack(inputs, 0)).softmax(1).contiguous();
  }
  const int64_t k = std::min<int64_t>(o.top, cfg.num_classes);
  auto [values, indices] = probs.topk(k, 1);
  values = values.to(fx::kFloat64).contiguous();
  indices = indices.contiguous();
  auto class_name = [&](int64_t i) {
    return i < static_cast<int64_t>(classes.size()) ? classes[static_cast<size_t>(i)] : std::to_string(i);
  };
  json out = json::array();
  for (size_t n = 0; n < o.images.size(); ++n) {
    const double* v = values.data_ptr<double>() + n * k;
    const int64_t* ix = indices.data_ptr<int64_t>() + n * k;
    if (o.json_out) {
      json preds = json::array();
      for (int64_t j = 0; j < k; ++j)
        preds.push_back({{"class", ix[j]}, {"name", class_name(ix[j])}, {"probability", v[j]}});
      out.push_back({{"image", o.images[n]}, {"predictions", preds}});
      continue;
    }
    std::cout << o.images[n] << ":";
    for (int64_t j = 0; j < k; ++j)
      std::cout << (j ? "," : "") << " " << class_name(ix[j]) << " (class " << ix[j] << ", p=" << std::fixed
                << std::setprecision(3) << v[j] << ")";
    std::cout << "\n";
  }
  if (o.json_out) std::cout << out.dump(2) << "\n";
}

void add_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Classify PNG/JPEG images with a trained checkpoint");
  auto o = std::make_shared<PredictOptions>();
  cmd->add_option("--checkpoint", o->checkpoint, "A checkpoint written by `fluxion train`")->required();
  cmd->add_option("images", o->images, "PNG or JPEG files (converted to the model's channels, resized to its input)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--top", o->top, "Show the K most likely classes")->check(CLI::Range(int64_t{1}, int64_t{1000}));
  cmd->add_flag("--invert", o->invert,
                "Invert intensities (Fashion-MNIST/MNIST are light objects on black; photos are usually the reverse)");
  cmd->add_flag("--json", o->json_out, "Print JSON");
  cmd->add_option("--threads", o->threads, "Compute threads")->check(CLI::Range(1, 1024));
  cmd->footer(
      "Examples:\n"
      "  fluxion predict --checkpoint runs/lenet5/best.ckpt shoe.png\n"
      "  fluxion predict --checkpoint runs/lenet5/best.ckpt --top 3 --invert photo1.jpg photo2.png");
  cmd->callback([o] {
    try {
      run_predict(*o);
    } catch (const fx::Error&) {
      throw;
    } catch (const fx::cli::CliError&) {
      throw;
    } catch (const std::exception& e) {  // filesystem, JSON: report as user errors, never terminate
      throw fx::cli::CliError(e.what());
    }
  });
}

}  // namespace

FLUXION_COMMAND(predict, add_predict);
