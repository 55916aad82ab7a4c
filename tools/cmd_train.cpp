// `fluxion train`: trains a registry model on a named data set and fills a run folder with
// config.json, last.ckpt / best.ckpt, log.csv, a TensorBoard events file, curve.svg / curve.png and
// metrics.json. `--resume` continues an interrupted run bit for bit.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "fluxion/data/dataloader.h"
#include "fluxion/device.h"
#include "fluxion/error.h"
#include "fluxion/models.h"
#include "fluxion/optim.h"
#include "fluxion/random.h"
#include "fluxion/threading.h"
#include "fluxion/train.h"

namespace {

namespace fs = std::filesystem;
namespace fx = fluxion;
using json = nlohmann::json;

struct TrainOptions {
  std::string model = "lenet5";
  std::string data = "fashion-mnist";
  std::string data_dir;
  int64_t epochs = 5;
  int64_t batch_size = 128;
  double lr = 2e-3;
  std::string optimizer = "adam";
  double momentum = 0.9;
  double weight_decay = 0.0;
  std::string schedule = "cosine";
  double clip_grad = 0.0;
  int64_t patience = 0;
  uint64_t seed = 0;
  int threads = 0;
  int workers = 0;
  int64_t limit_train = 0;
  int64_t limit_test = 0;
  std::string out;
  bool resume = false;
  bool overwrite = false;
  std::string metrics_json;
  std::string device = "cpu";
};

void write_json_atomic(const fs::path& path, const json& j) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) throw fx::cli::CliError("cannot write " + tmp.string());
    f << j.dump(2) << "\n";
    if (!f) throw fx::cli::CliError("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

/// The options that must match when resuming (everything that changes the computation).
json run_config(const TrainOptions& o) {
  return json{{"model", o.model},
              {"data", o.data},
              {"data_dir", o.data_dir},
              {"epochs", o.epochs},
              {"batch_size", o.batch_size},
              {"lr", o.lr},
              {"optimizer", o.optimizer},
              {"momentum", o.momentum},
              {"weight_decay", o.weight_decay},
              {"schedule", o.schedule},
              {"clip_grad", o.clip_grad},
              {"patience", o.patience},
              {"seed", o.seed},
              {"limit_train", o.limit_train},
              {"limit_test", o.limit_test}};
}

/// --device: cpu, cuda or cuda:N; a CUDA device this build or machine lacks is refused before any work.
fx::Device parse_device(const std::string& spec) {
  const fx::Device d = [&] {
    try {
      return fx::Device(spec);
    } catch (const fx::Error&) {
      throw fx::cli::CliError("--device " + spec + ": expected cpu, cuda or cuda:N");
    }
  }();
  if (d.is_cuda()) {
    if (!fx::cuda_compiled())
      throw fx::cli::CliError("--device " + spec +
                              ": this build of Fluxion has no CUDA backend (configure with -DFLUXION_CUDA=ON, see "
                              "docs/cuda.md); use --device cpu");
    const int count = fx::cuda_device_count();
    if (count == 0) throw fx::cli::CliError("--device " + spec + ": no CUDA device found; use --device cpu");
    if (d.index() >= count)
      throw fx::cli::CliError("--device " + spec + ": there are only " + std::to_string(count) + " CUDA devices");
  }
  return d;
}

std::shared_ptr<fx::optim::Optimizer> make_optimizer(const TrainOptions& o, const std::vector<fx::Tensor>& params) {
  if (o.optimizer == "adam")
    return std::make_shared<fx::optim::Adam>(params, fx::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
  if (o.optimizer == "adamw")
    return std::make_shared<fx::optim::AdamW>(
        params, fx::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay > 0 ? o.weight_decay : 1e-2));
  return std::make_shared<fx::optim::SGD>(
      params, fx::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
}

void run_train(const TrainOptions& o) {
  const fx::Device device = parse_device(o.device);
  if (o.threads > 0) fx::set_num_threads(o.threads);
  const fs::path out = o.out.empty() ? fs::path("runs") / o.model : fs::path(o.out);
  const fs::path last = out / "last.ckpt", best = out / "best.ckpt", config_path = out / "config.json";
  const json config = run_config(o);
  if (o.resume) {
    if (!fs::exists(last))
      throw fx::cli::CliError("--resume: no checkpoint at " + last.string() + "; run without --resume to start");
    if (fs::exists(config_path)) {
      std::ifstream f(config_path);
      json old = json::parse(f, nullptr, /*allow_exceptions=*/false);
      std::string diff;
      for (const auto& [k, v] : config.items())
        if (k != "epochs" && (!old.is_object() || !old.contains(k) || old[k] != v))
          diff += (diff.empty() ? "" : ", ") + k + " (" + (old.is_object() && old.contains(k) ? old[k].dump() : "?") +
                  " -> " + v.dump() + ")";
      if (!diff.empty())
        throw fx::cli::CliError("--resume: the options differ from the run in " + out.string() + ": " + diff +
                                "; resume with the same options or use another --out");
    }
  } else if (fs::exists(last) && !o.overwrite) {
    throw fx::cli::CliError(out.string() + " already holds a run (" + last.string() +
                            "); pass --resume to continue it, --overwrite to start it again, or choose another --out");
  } else if (fs::exists(out) && o.overwrite) {
    // Remove only what a run writes, so other files the user keeps in the folder survive.
    for (const auto& entry : fs::directory_iterator(out)) {
      const std::string name = entry.path().filename().string();
      if (name == "config.json" || name == "last.ckpt" || name == "best.ckpt" || name == "log.csv" ||
          name == "metrics.json" || name == "curve.svg" || name == "curve.png" ||
          name.rfind("events.out.tfevents.", 0) == 0)
        fs::remove(entry.path());
    }
  }
  auto train_set = fx::train::load_named_dataset(o.data, o.data_dir, /*train=*/true, o.limit_train);
  auto test_set = fx::train::load_named_dataset(o.data, o.data_dir, /*train=*/false, o.limit_test);
  fs::create_directories(out);
  const fx::models::ModelConfig cfg{train_set.channels, train_set.height, train_set.width, train_set.num_classes};

  fx::manual_seed(o.seed);
  fx::nn::Module model = fx::models::create(o.model, cfg);
  model.to(device);  // before the optimiser takes the parameters; the Trial moves each batch there
  auto optimizer = make_optimizer(o, model.parameters());

  fx::data::DataLoaderOptions lo;
  lo.batch_size = o.batch_size;
  lo.shuffle = true;
  lo.seed = o.seed;
  lo.num_workers = o.workers;
  fx::data::DataLoader train_loader(train_set.dataset, lo);
  fx::data::DataLoaderOptions eo;
  eo.batch_size = std::max<int64_t>(o.batch_size, 256);
  eo.num_workers = o.workers;
  fx::data::DataLoader test_loader(test_set.dataset, eo);

  fx::train::Trial trial(model, optimizer, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc"}));
  trial.add_callback(std::make_shared<fx::train::TerminateOnNaN>(last.string()));
  trial.add_callback(std::make_shared<fx::train::ProgressBar>());
  trial.add_callback(std::make_shared<fx::train::CSVLogger>((out / "log.csv").string()));
  trial.add_callback(std::make_shared<fx::train::TensorBoardLogger>(out.string()));
  trial.add_callback(std::make_shared<fx::train::CurvePlotter>((out / "curve").string()));
  trial.add_callback(std::make_shared<fx::train::BestModelCheckpoint>(best.string(), "val_acc"));
  trial.add_callback(std::make_shared<fx::train::ModelCheckpoint>(last.string()));
  if (o.clip_grad > 0) trial.add_callback(std::make_shared<fx::train::GradientClipping>(o.clip_grad));
  if (o.patience > 0) trial.add_callback(std::make_shared<fx::train::EarlyStopping>("val_loss", o.patience));
  if (o.schedule == "cosine")
    trial.set_scheduler(std::make_shared<fx::optim::CosineAnnealingLR>(*optimizer, o.epochs));
  else if (o.schedule == "step")
    trial.set_scheduler(std::make_shared<fx::optim::StepLR>(*optimizer, std::max<int64_t>(1, o.epochs / 3), 0.1));

  trial.set_metadata("model", json{{"name", o.model},
                                   {"config",
                                    {{"in_channels", cfg.in_channels},
                                     {"height", cfg.height},
                                     {"width", cfg.width},
                                     {"num_classes", cfg.num_classes}}}}
                                  .dump());
  trial.set_metadata("data", json{{"name", train_set.name},
                                  {"dir", train_set.dir},
                                  {"classes", train_set.classes},
                                  {"mean", train_set.mean},
                                  {"std", train_set.std},
                                  {"limit_train", o.limit_train},
                                  {"limit_test", o.limit_test}}
                                 .dump());
  trial.set_metadata("data_seed", std::to_string(o.seed));
  trial.set_metadata("config", config.dump());

  if (o.resume) {
    const json meta = json::parse(trial.resume(last.string()));
    std::cout << "resuming " << out.string() << " after epoch " << trial.start_epoch() << "\n";
    (void)meta;
  } else {
    write_json_atomic(config_path, config);
  }
  std::cout << "training " << o.model << " (" << model.num_parameters() << " parameters) on " << train_set.name << ": "
            << train_set.dataset->size() << " training / " << test_set.dataset->size() << " test images, " << o.epochs
            << " epochs, batch " << o.batch_size << ", " << o.optimizer << " lr " << o.lr
            << (o.schedule == "none" ? "" : " (" + o.schedule + " schedule)") << ", " << fx::get_num_threads()
            << " threads" << (device.is_cpu() ? "" : ", on " + device.str()) << "\n";
  std::cout.flush();
  if (o.resume) write_json_atomic(config_path, config);  // the epochs may have been raised

  trial.fit(train_loader, o.epochs, test_loader);

  const auto& history = trial.state().history;
  if (history.empty()) throw fx::cli::CliError("no epoch finished");
  const fx::train::Metrics& m = history.back();
  double mean_time = 0;
  for (const auto& h : history) mean_time += h.count("epoch_time") ? h.at("epoch_time") : 0.0;
  mean_time /= static_cast<double>(history.size());
  auto get = [&](const char* k) { return m.count(k) ? json(m.at(k)) : json(nullptr); };
  json metrics{{"model", o.model},
               {"data", train_set.name},
               {"epochs", static_cast<int64_t>(m.at("epoch"))},
               {"train_loss", get("loss")},
               {"train_acc", get("acc")},
               {"test_loss", get("val_loss")},
               {"test_acc", get("val_acc")},
               {"timing", {{"mean_epoch_seconds", mean_time}}}};
  if (trial.state().stop && !trial.state().stop_reason.empty()) metrics["stopped"] = trial.state().stop_reason;
  write_json_atomic(out / "metrics.json", metrics);
  if (!o.metrics_json.empty()) {
    const fs::path p(o.metrics_json);
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    write_json_atomic(p, metrics);
  }
  std::cout << std::fixed << std::setprecision(4) << "test accuracy " << m.at("val_acc") << ", test loss "
            << m.at("val_loss") << " after " << static_cast<int64_t>(m.at("epoch")) << " epochs ("
            << std::setprecision(1) << mean_time << " s/epoch); run folder: " << out.string() << "\n";
}

void add_train(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model on a data set and save a run folder");
  auto o = std::make_shared<TrainOptions>();
  std::string models;
  for (const auto& n : fx::models::available()) models += (models.empty() ? "" : ", ") + n;
  cmd->add_option("--model", o->model, "Model: " + models)
      ->check(CLI::IsMember(fx::models::available()))
      ->capture_default_str();
  cmd->add_option("--data", o->data, "Data set: fashion-mnist (built in), mnist, cifar10, cifar100, imagefolder")
      ->check(CLI::IsMember(fx::train::named_datasets()))
      ->capture_default_str();
  cmd->add_option("--data-dir", o->data_dir,
                  "Folder of the data set files (default for fashion-mnist: "
                  "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--epochs", o->epochs, "Number of epochs (in total, also when resuming)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}))
      ->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size, "Mini-batch size")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
      ->capture_default_str();
  cmd->add_option("--lr", o->lr,
                  "Learning rate (with the cosine schedule, 2e-3 reaches the quality targets in 5 epochs)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--optimizer", o->optimizer, "adam, adamw or sgd (momentum 0.9)")
      ->check(CLI::IsMember({"adam", "adamw", "sgd"}))
      ->capture_default_str();
  cmd->add_option("--momentum", o->momentum, "SGD momentum")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--weight-decay", o->weight_decay, "Weight decay (adamw: 0.01 when 0)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option(
         "--schedule", o->schedule,
         "LR schedule, stepped per epoch: cosine (annealed to 0 over --epochs), step (x0.1 every epochs/3) or none")
      ->check(CLI::IsMember({"none", "cosine", "step"}))
      ->capture_default_str();
  cmd->add_option("--clip-grad", o->clip_grad, "Clip the gradient norm to this value (0: off)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--patience", o->patience,
                  "Early stopping after this many epochs without a better test loss "
                  "(0: off)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", o->seed, "Seed of the initialisation, the data order and dropout")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Compute threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--workers", o->workers, "Data loader worker threads (0: load on the training thread)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  cmd->add_option("--limit-train", o->limit_train, "Use only the first N training images (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit-test", o->limit_test, "Use only the first N test images (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--out", o->out, "Run folder (default: runs/MODEL)");
  cmd->add_flag("--resume", o->resume, "Continue the run in --out from its last checkpoint (same options)");
  cmd->add_flag("--overwrite", o->overwrite, "Start again in --out even if it holds a run (replaces its files)")
      ->excludes("--resume");
  cmd->add_option("--metrics-json", o->metrics_json, "Also write the final metrics as JSON to this path");
  cmd->add_option("--device", o->device, "Device: cpu, cuda or cuda:N (the model, and each batch in turn)")
      ->capture_default_str();
  cmd->footer(
      "Validation runs on the test split after every epoch; the run folder gets config.json, last.ckpt,\n"
      "best.ckpt (best test accuracy), log.csv, events.out.tfevents.* (TensorBoard), curve.svg, curve.png\n"
      "and metrics.json.\n\n"
      "Examples:\n"
      "  fluxion train --model lenet5 --epochs 5 --out runs/lenet5\n"
      "  fluxion train --model mlp --optimizer sgd --lr 0.05 --batch-size 64 --threads 2 --out runs/mlp\n"
      "  fluxion train --model softmax --epochs 1 --limit-train 2000 --limit-test 500 --out runs/quick\n"
      "  fluxion train --model lenet5 --epochs 10 --out runs/lenet5 --resume   # continue to 10 epochs\n"
      "  tensorboard --logdir runs/");
  cmd->callback([o] {
    try {
      run_train(*o);
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

FLUXION_COMMAND(train, add_train);
