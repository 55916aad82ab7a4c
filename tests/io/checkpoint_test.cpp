// Checkpoints: model + optimizer + scheduler + RNG + metadata survive a save/load and training
// resumes bit for bit; corrupt or mismatched checkpoints throw and change nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "fluxion/fluxion.h"
#include "fluxion/io.h"
#include "fluxion/optim.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fs = std::filesystem;
namespace optim = fluxion::optim;

namespace {

struct TinyImpl : fx::nn::ModuleImpl {
  explicit TinyImpl(int64_t out = 2) {
    weight = register_parameter("weight", fx::rand({out, 3}, fx::TensorOptions(fx::kFloat64)));
    bias = register_parameter("bias", fx::rand({out}, fx::TensorOptions(fx::kFloat64)));
    running = register_buffer("running", fx::full({out}, 0.5, fx::TensorOptions(fx::kFloat64)));
  }
  fx::Tensor weight, bias, running;
};

fx::nn::Module make_model(int64_t out = 2) { return fx::nn::Module(std::make_shared<TinyImpl>(out)); }

std::vector<double> values(const fx::Tensor& t) {
  fx::Tensor c = t.detach().to(fx::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

std::vector<double> all_params(const fx::nn::Module& m) {
  std::vector<double> out;
  for (const auto& p : m.parameters()) {
    auto v = values(p);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

/// A deterministic "gradient" depending on the parameter values.
void set_grads(const fx::nn::Module& m) {
  for (auto p : m.parameters()) {
    auto v = values(p);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.3 * v[i] - 0.1 * static_cast<double>(i) + 0.05;
    p.set_grad(fx::tensor(v, p.sizes(), fx::TensorOptions(fx::kFloat64)));
  }
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("fluxion_ckpt_test_" + std::to_string(::getpid()));
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& n) const { return (path / n).string(); }
};

}  // namespace

TEST(Checkpoint, ResumeIsBitForBit) {
  TempDir dir;
  fx::manual_seed(7);
  auto model = make_model();
  optim::Adam opt(model.parameters(), optim::AdamOptions(0.05).amsgrad(true));
  optim::StepLR sched(opt, 2, 0.5);
  for (int s = 0; s < 3; ++s) {
    set_grads(model);
    opt.step();
    sched.step();
  }
  (void)fx::rand({5});  // advance the RNG past the initial state
  const std::string path = dir.file("ckpt.safetensors");
  fx::save_checkpoint(path, model, &opt, &sched, R"({"epoch": 3, "note": "mid-run"})");
  // Continue the original run: parameters, lrs and random draws after the checkpoint.
  std::vector<std::vector<double>> want_params;
  std::vector<double> want_lrs;
  for (int s = 0; s < 4; ++s) {
    set_grads(model);
    opt.step();
    sched.step();
    want_params.push_back(all_params(model));
    want_lrs.push_back(sched.get_last_lr()[0]);
  }
  auto want_rand = values(fx::rand({4}, fx::TensorOptions(fx::kFloat64)));

  // A fresh process-like setup: other initial values, other RNG position.
  fx::manual_seed(12345);
  auto model2 = make_model();
  optim::Adam opt2(model2.parameters(), optim::AdamOptions(0.05).amsgrad(true));
  optim::StepLR sched2(opt2, 2, 0.5);
  std::string meta = fx::load_checkpoint(path, model2, &opt2, &sched2);
  EXPECT_EQ(nlohmann::json::parse(meta)["epoch"], 3);
  EXPECT_EQ(values(model2.state_dict().at("running")), (std::vector<double>{0.5, 0.5}));
  for (int s = 0; s < 4; ++s) {
    set_grads(model2);
    opt2.step();
    sched2.step();
    EXPECT_EQ(all_params(model2), want_params[static_cast<size_t>(s)]) << "step " << s;
    EXPECT_EQ(sched2.get_last_lr()[0], want_lrs[static_cast<size_t>(s)]);
  }
  EXPECT_EQ(values(fx::rand({4}, fx::TensorOptions(fx::kFloat64))), want_rand);
}

TEST(Checkpoint, ContentsAndFormat) {
  TempDir dir;
  auto model = make_model();
  fx::Tensor x = fx::zeros({2}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  optim::LBFGS lbfgs({x}, optim::LBFGSOptions(1).history_size(3).line_search_fn("strong_wolfe"));
  auto closure = [&] {
    lbfgs.zero_grad();
    auto v = values(x);
    x.set_grad(fx::tensor(std::vector<double>{2 * (v[0] - 1), 8 * (v[1] + 2)}, {2}, fx::TensorOptions(fx::kFloat64)));
    return fx::scalar_tensor((v[0] - 1) * (v[0] - 1) + 4 * (v[1] + 2) * (v[1] + 2), fx::TensorOptions(fx::kFloat64));
  };
  lbfgs.step(closure);
  optim::ReduceLROnPlateau plateau(lbfgs, optim::ReduceLROnPlateauOptions().patience(0));
  plateau.step(1.0);
  const std::string path = dir.file("c.safetensors");
  fx::Checkpoint ck = fx::make_checkpoint(model, &lbfgs, &plateau, "[1, 2.5, null]");
  fx::save_checkpoint(path, ck);
  fx::Checkpoint back = fx::load_checkpoint(path);
  EXPECT_EQ(back.model.keys(), (std::vector<std::string>{"weight", "bias", "running"}));
  ASSERT_TRUE(back.optimizer && back.scheduler && back.rng);
  EXPECT_EQ(*back.rng, *ck.rng);
  EXPECT_EQ(back.metadata, "[1, 2.5, null]");
  EXPECT_EQ(back.scheduler->values.at("best"), 1.0);
  auto& st = back.optimizer->state.at(0);
  EXPECT_EQ(st.keys(), ck.optimizer->state.at(0).keys());
  EXPECT_EQ(values(st.at("old_dirs")), values(ck.optimizer->state.at(0).at("old_dirs")));
  EXPECT_EQ(std::get<std::string>(back.optimizer->param_groups[0].options.at("line_search_fn")), "strong_wolfe");
  EXPECT_EQ(back.optimizer->param_groups[0].extra.count("initial_lr"), 0u);
  // Plain safetensors readers see namespaced tensors and JSON metadata.
  auto raw = fx::load_safetensors(path);
  EXPECT_TRUE(raw.tensors.contains("model.weight"));
  EXPECT_TRUE(raw.tensors.contains("optim.state.0.prev_flat_grad"));
  EXPECT_EQ(raw.metadata.at("format"), "fluxion.checkpoint");
  // Non-finite numbers survive JSON (a fresh plateau scheduler has best = +inf).
  optim::ReduceLROnPlateau fresh(lbfgs);
  ck.scheduler = fresh.state_dict();
  fx::save_checkpoint(path, ck);
  EXPECT_EQ(fx::load_checkpoint(path).scheduler->values.at("best"), std::numeric_limits<double>::infinity());
}

TEST(Checkpoint, BadFilesAndMismatchesChangeNothing) {
  TempDir dir;
  auto model = make_model();
  optim::SGD opt(model.parameters(), optim::SGDOptions(0.1).momentum(0.9));
  optim::ExponentialLR sched(opt, 0.5);
  set_grads(model);
  opt.step();
  sched.step();
  const std::string path = dir.file("ok.safetensors");
  fx::save_checkpoint(path, model, &opt, &sched, R"({"epoch": 1})");

  auto target = make_model();
  optim::SGD topt(target.parameters(), optim::SGDOptions(0.1).momentum(0.9));
  optim::ExponentialLR tsched(topt, 0.5);
  const auto before_params = all_params(target);
  auto before_rng = fx::default_generator().get_state();
  auto unchanged = [&] {
    EXPECT_EQ(all_params(target), before_params);
    EXPECT_TRUE(topt.state().empty());
    EXPECT_EQ(tsched.last_epoch(), 0);
    EXPECT_EQ(topt.param_groups()[0].options().get_lr(), 0.1);
    EXPECT_EQ(fx::default_generator().get_state(), before_rng);
  };

  // Truncated file.
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string cut = dir.file("cut.safetensors");
  std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  EXPECT_FX_ERROR(fx::load_checkpoint(cut, target, &topt, &tsched), cut);
  unchanged();
  // A plain tensor file is not a checkpoint.
  const std::string plain = dir.file("plain.safetensors");
  fx::save(plain, model.state_dict());
  EXPECT_FX_ERROR(fx::load_checkpoint(plain, target, &topt, &tsched), "not a Fluxion checkpoint");
  unchanged();
  // A model of another shape: the error lists the keys; nothing (not even the optimizer) changes.
  auto wide = make_model(5);
  before_rng = fx::default_generator().get_state();  // make_model draws random numbers
  fx::Checkpoint ck = fx::load_checkpoint(path);
  EXPECT_FX_ERROR(fx::restore_checkpoint(ck, wide, nullptr, nullptr), "size mismatch for: weight, bias, running");
  auto ck2 = ck;
  ck2.model.erase("bias");
  ck2.model.insert("extra", fx::zeros({1}));
  EXPECT_FX_ERROR(fx::restore_checkpoint(ck2, target, &topt, &tsched), "missing keys: bias; unexpected keys: extra");
  unchanged();
  // Optimizer state that does not fit (another optimizer type) is caught before the model changes.
  optim::Adam adam(target.parameters());
  EXPECT_FX_ERROR(fx::restore_checkpoint(ck, target, &adam, nullptr), "unknown option");
  unchanged();
  // A scheduler but no scheduler state in the file.
  auto ck3 = ck;
  ck3.scheduler.reset();
  EXPECT_FX_ERROR(fx::restore_checkpoint(ck3, target, &topt, &tsched), "no scheduler state");
  unchanged();
  // Invalid metadata is refused at save time.
  EXPECT_FX_ERROR(fx::save_checkpoint(dir.file("x.safetensors"), model, &opt, &sched, "{epoch: 1"),
                  "metadata is not valid JSON");
  // And the good file restores.
  fx::load_checkpoint(path, target, &topt, &tsched);
  EXPECT_EQ(all_params(target), all_params(model));
  EXPECT_EQ(tsched.get_last_lr(), sched.get_last_lr());
}
