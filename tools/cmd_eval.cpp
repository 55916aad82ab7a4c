// `fluxion eval`: rebuilds the model of a `fluxion train` checkpoint and reports loss, accuracy, macro
// precision/recall/F1 and the confusion matrix on a data set split.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "fluxion/data/dataloader.h"
#include "fluxion/error.h"
#include "fluxion/io/checkpoint.h"
#include "fluxion/models.h"
#include "fluxion/threading.h"
#include "fluxion/train.h"

namespace {

namespace fx = fluxion;
using json = nlohmann::json;

struct EvalOptions {
  std::string checkpoint;
  std::string data;  // default: the checkpoint's
  std::string data_dir;
  std::string split = "test";
  int64_t batch_size = 256;
  int64_t limit = 0;
  int threads = 0;
  int workers = 0;
  bool json_out = false;
};

/// The model of a `fluxion train` checkpoint, with its weights, and the checkpoint's metadata.
std::pair<fx::nn::Module, json> load_model(const std::string& path) {
  if (!std::filesystem::exists(path)) throw fx::cli::CliError("checkpoint '" + path + "' does not exist");
  fx::Checkpoint ckpt = fx::load_checkpoint(path);
  json meta = json::parse(ckpt.metadata, nullptr, false);
  if (!meta.is_object() || !meta.contains("user") || !meta["user"].contains("model"))
    throw fx::cli::CliError("checkpoint '" + path +
                            "' does not say which model it holds (it was not written by `fluxion train`)");
  const json& m = meta["user"]["model"];
  const json& c = m.at("config");
  fx::models::ModelConfig cfg{c.at("in_channels").get<int64_t>(), c.at("height").get<int64_t>(),
                              c.at("width").get<int64_t>(), c.at("num_classes").get<int64_t>()};
  fx::nn::Module model = fx::models::create(m.at("name").get<std::string>(), cfg);
  fx::restore_checkpoint(ckpt, model, nullptr, nullptr, /*restore_rng=*/false);
  model.eval();
  return {model, meta};
}

void run_eval(const EvalOptions& o) {
  if (o.threads > 0) fx::set_num_threads(o.threads);
  auto [model, meta] = load_model(o.checkpoint);
  const json data_meta = meta["user"].value("data", json::object());
  const std::string data = o.data.empty() ? data_meta.value("name", std::string("fashion-mnist")) : o.data;
  std::string dir = o.data_dir;
  if (dir.empty() && data == data_meta.value("name", std::string())) dir = data_meta.value("dir", std::string());
  if (data == "fashion-mnist" && o.data_dir.empty()) dir = "";  // the default location
  // Standardise as in training (checkpoints record the mean and std they were trained with).
  const bool normalize = !data_meta.value("mean", std::vector<double>{}).empty();
  auto set = fx::train::load_named_dataset(data, dir, o.split == "train", o.limit, normalize);

  fx::data::DataLoaderOptions lo;
  lo.batch_size = o.batch_size;
  lo.num_workers = o.workers;
  fx::data::DataLoader loader(set.dataset, lo);
  auto confusion = std::make_shared<fx::train::PrecisionRecallF1>(set.num_classes);
  fx::train::Trial trial(model, nullptr, fx::train::cross_entropy_loss(),
                         {std::make_shared<fx::train::Accuracy>(), confusion});
  const fx::train::Metrics m = trial.evaluate(loader);
  const fx::Tensor cm = confusion->matrix();
  const int64_t C = cm.size(0);
  const int64_t* counts = cm.contiguous().data_ptr<int64_t>();

  if (o.json_out) {
    json j{{"checkpoint", o.checkpoint}, {"data", set.name}, {"split", o.split}, {"samples", set.dataset->size()}};
    for (const auto& [k, v] : m) j[k] = v;
    json rows = json::array();
    for (int64_t t = 0; t < C; ++t) rows.push_back(std::vector<int64_t>(counts + t * C, counts + (t + 1) * C));
    j["confusion_matrix"] = rows;
    j["classes"] = set.classes;
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "checkpoint " << o.checkpoint << " (" << meta["user"]["model"].value("name", std::string("?"))
            << ", epoch " << meta.value("epoch", 0) << ") on " << set.name << " " << o.split << " ("
            << set.dataset->size() << " images)\n"
            << std::fixed << std::setprecision(4) << "  loss      " << m.at("loss") << "\n  accuracy  " << m.at("acc")
            << "\n  precision " << m.at("precision") << " (macro)\n  recall    " << m.at("recall")
            << " (macro)\n  f1        " << m.at("f1")
            << " (macro)\n\nconfusion matrix (rows: true class, columns: "
               "predicted)\n";
  size_t name_w = 5;
  for (const auto& n : set.classes) name_w = std::max(name_w, n.size());
  std::cout << std::string(name_w + 2, ' ');
  for (int64_t p = 0; p < C; ++p) std::cout << std::setw(6) << p;
  std::cout << "   recall\n";
  for (int64_t t = 0; t < C; ++t) {
    const std::string name = t < static_cast<int64_t>(set.classes.size()) ? set.classes[t] : std::to_string(t);
    std::cout << std::setw(2) << t << " " << std::left << std::setw(static_cast<int>(name_w)) << name << std::right;
    int64_t row = 0;
    for (int64_t p = 0; p < C; ++p) {
      std::cout << std::setw(6) << counts[t * C + p];
      row += counts[t * C + p];
    }
    std::cout << "   " << std::setprecision(3)
              << (row ? static_cast<double>(counts[t * C + t]) / static_cast<double>(row) : 0.0) << "\n";
  }
}

void add_eval(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a checkpoint: loss, accuracy, F1 and the confusion matrix");
  auto o = std::make_shared<EvalOptions>();
  cmd->add_option("--checkpoint", o->checkpoint, "A checkpoint written by `fluxion train` (last.ckpt, best.ckpt)")
      ->required();
  cmd->add_option("--data", o->data, "Data set (default: the one the model was trained on)")
      ->check(CLI::IsMember(fx::train::named_datasets()));
  cmd->add_option("--data-dir", o->data_dir, "Folder of the data set files");
  cmd->add_option("--split", o->split, "test or train")->check(CLI::IsMember({"test", "train"}))->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size, "Batch size")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--limit", o->limit, "Use only the first N images (0: all)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", o->threads, "Compute threads")->check(CLI::Range(1, 1024));
  cmd->add_option("--workers", o->workers, "Data loader worker threads")->check(CLI::Range(0, 64));
  cmd->add_flag("--json", o->json_out, "Print one JSON object (metrics, confusion matrix, classes)");
  cmd->footer(
      "Examples:\n"
      "  fluxion eval --checkpoint runs/lenet5/best.ckpt\n"
      "  fluxion eval --checkpoint runs/lenet5/last.ckpt --split train --limit 10000 --json");
  cmd->callback([o] {
    try {
      run_eval(*o);
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

FLUXION_COMMAND(eval, add_eval);
