// Library code that reads tensor memory on the host (validation, data-dependent sizes, printing,
// serialisation, host-side losses, initialisers, gradcheck) given CUDA tensors: each copies to the
// CPU first (or raises a clear fluxion::Error), never dereferences a device pointer. Skip without a GPU.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cuda/cuda_test_util.h"
#include "fluxion/fluxion.h"

namespace fx = fluxion;
namespace F = fluxion::nn::functional;
namespace fs = std::filesystem;
using fxtest::kGpu;
using fxtest::matches_cpu;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("fluxion_host_access_" + std::to_string(::getpid()) + "_" + name);
}

}  // namespace

TEST(CudaHostAccess, PrintItemAllcloseEqual) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor a = fx::tensor({1.5, -2.0, 3.25}, fx::kFloat64);
  const fx::Tensor g = a.to(kGpu);
  std::ostringstream cpu_s, gpu_s;
  cpu_s << a;
  gpu_s << g;
  EXPECT_NE(gpu_s.str().find("device='cuda:0'"), std::string::npos) << gpu_s.str();
  const auto values = [](const std::string& text) { return text.substr(0, text.find(']') + 1); };
  EXPECT_EQ(values(gpu_s.str()), values(cpu_s.str()));  // the values print as on the CPU
  EXPECT_EQ(g.sum().item<double>(), 2.75);
  EXPECT_TRUE(fx::allclose(g, g + 1e-12));
  EXPECT_TRUE(fx::equal(g, a.to(kGpu)));
  EXPECT_FALSE(fx::equal(g, (a + 1).to(kGpu)));
}

TEST(CudaHostAccess, WhereAndTernaryWithCpuNumbers) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor a = fx::randn({4, 5}), b = fx::randn({4, 5});
  const fx::Tensor ga = a.to(kGpu), gb = b.to(kGpu);
  EXPECT_TRUE(matches_cpu(fx::where(fx::gt(ga, 0), ga, 0.5), fx::where(fx::gt(a, 0), a, 0.5)));
  EXPECT_TRUE(matches_cpu(fx::where(fx::gt(ga, 0), -1.0, gb), fx::where(fx::gt(a, 0), -1.0, b)));
  const fx::Tensor w = fx::scalar_tensor(0.25, fx::kFloat32);  // a CPU number next to CUDA tensors
  EXPECT_TRUE(matches_cpu(fx::lerp(ga, gb, w), fx::lerp(a, b, w)));
  EXPECT_TRUE(matches_cpu(fx::addcmul(ga, gb, w, 2.0), fx::addcmul(a, b, w, 2.0)));
  fx::Tensor ga2 = ga.clone();
  ga2.addcmul_(gb, w, 0.5);
  EXPECT_TRUE(matches_cpu(ga2, fx::addcmul(a, b, w, 0.5)));
  EXPECT_TRUE(matches_cpu(ga.masked_fill(fx::lt(ga, 0), 0.0), a.masked_fill(fx::lt(a, 0), 0.0)));
  const fx::Tensor zero = fx::scalar_tensor(0.0, fx::kFloat64), yes = fx::scalar_tensor(true, fx::kBool);
  EXPECT_TRUE(matches_cpu(fx::lt(zero, ga), fx::lt(zero, a)));  // a CPU number on the left
  EXPECT_TRUE(matches_cpu(fx::logical_and(yes, fx::gt(ga, 0)), fx::logical_and(yes, fx::gt(a, 0))));
}

TEST(CudaHostAccess, CtcLossOnCuda) {
  FX_SKIP_WITHOUT_GPU();
  fx::manual_seed(1);
  const int64_t T = 12, N = 3, C = 5;
  const fx::Tensor lp = fx::randn({T, N, C}, fx::kFloat64).log_softmax(2);
  const fx::Tensor targets = fx::tensor({1, 2, 2, 0, 3, 1, 0, 0, 4, 4, 1, 0}, fx::kInt64).reshape({N, 4});
  const fx::Tensor in_len = fx::tensor({12, 10, 11}, fx::kInt64), tg_len = fx::tensor({3, 2, 3}, fx::kInt64);
  for (const char* reduction : {"none", "sum", "mean"}) {
    fx::Tensor x = lp.detach().clone().requires_grad_(true);
    fx::Tensor gx = lp.detach().to(kGpu).requires_grad_(true);
    const fx::Tensor cpu = F::ctc_loss(x, targets, in_len, tg_len, 0, reduction);
    const fx::Tensor gpu = F::ctc_loss(gx, targets.to(kGpu), in_len.to(kGpu), tg_len.to(kGpu), 0, reduction);
    EXPECT_TRUE(matches_cpu(gpu.detach(), cpu.detach())) << reduction;
    cpu.sum().backward();
    gpu.sum().backward();
    EXPECT_TRUE(matches_cpu(gx.grad(), x.grad())) << reduction;
  }
  // CPU log_probs with lengths and targets on the GPU: read on the host, no crash.
  const fx::Tensor mixed = F::ctc_loss(lp, targets.to(kGpu), in_len.to(kGpu), tg_len.to(kGpu));
  EXPECT_TRUE(mixed.is_cpu());
  EXPECT_TRUE(tensors_close(mixed, F::ctc_loss(lp, targets, in_len, tg_len)));
  // Validation errors are reported from device inputs too.
  EXPECT_FX_ERROR(
      F::ctc_loss(lp.to(kGpu), targets.to(kGpu), fx::tensor({13, 10, 11}, fx::kInt64).to(kGpu), tg_len.to(kGpu)),
      "input_lengths[0] = 13");
}

TEST(CudaHostAccess, GradcheckOnCudaInputs) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor x = fx::randn({3, 4}, fx::kFloat64).to(kGpu), y = fx::randn({4, 2}, fx::kFloat64).to(kGpu);
  EXPECT_TRUE(fx::autograd::gradcheck(
      [](const fx::TensorList& in) { return fx::TensorList{fx::matmul(in[0], in[1]).tanh()}; }, {x, y}));
}

TEST(CudaHostAccess, TransformsRefuseCudaImagesClearly) {
  FX_SKIP_WITHOUT_GPU();
  fx::Generator gen(0);
  const fx::Tensor img = fx::zeros({4, 4, 3}, fx::kUInt8).to(kGpu);
  EXPECT_FX_ERROR(fx::data::transforms::to_tensor(img), "ToTensor: expected a CPU image");
  EXPECT_FX_ERROR(fx::data::transforms::Normalize({0.5}, {0.5})(fx::zeros({1, 4, 4}).to(kGpu), gen),
                  "Normalize: expected a CPU tensor, got one on cuda:0");
}

TEST(CudaHostAccess, InitialisersOnCudaParameters) {
  FX_SKIP_WITHOUT_GPU();
  namespace init = fx::nn::init;
  fx::Tensor w = fx::empty({6, 4}, fx::TensorOptions(fx::kFloat32).device(kGpu)).requires_grad_(true);
  init::orthogonal_(w);
  EXPECT_TRUE(w.is_cuda());
  const fx::Tensor wc = w.detach().cpu();
  EXPECT_TRUE(tensors_close(fx::matmul(wc.t(), wc), fx::eye(4), 1e-5, 1e-5));
  init::trunc_normal_(w, 0.0, 1.0, -0.5, 0.5);
  EXPECT_LE(w.detach().abs().max().item<double>(), 0.5);
  init::sparse_(w, 0.5);
  EXPECT_GE(fx::eq(w.detach(), 0).sum().item<int64_t>(), 4 * 3);
  fx::Tensor k = fx::empty({4, 2, 3, 3}, fx::TensorOptions(fx::kFloat64).device(kGpu));
  init::dirac_(k, 2);
  EXPECT_EQ(k.sum().item<double>(), 4.0);
  init::kaiming_uniform_(k);
  init::xavier_normal_(k);
  fx::Tensor e = fx::empty({3, 5}, fx::TensorOptions(fx::kFloat32).device(kGpu));
  init::eye_(e);
  EXPECT_TRUE(matches_cpu(e, fx::eye(3, 5)));
}

TEST(CudaHostAccess, HostValidatedOpsOnCuda) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor labels = fx::tensor({2, 0, 1, 2}, fx::kInt64);
  EXPECT_TRUE(matches_cpu(fx::one_hot(labels.to(kGpu), 4), fx::one_hot(labels, 4)));
  EXPECT_FX_ERROR(fx::one_hot(labels.to(kGpu), 2), "one_hot");
  const fx::Tensor x = fx::arange(4, fx::TensorOptions(fx::kFloat32));
  EXPECT_TRUE(matches_cpu(fx::repeat_interleave(x.to(kGpu), labels.to(kGpu)), fx::repeat_interleave(x, labels)));
  const fx::Tensor p = fx::tensor({0.1, 0.0, 0.9}, fx::kFloat64).to(kGpu);
  EXPECT_TRUE(fx::multinomial(p, 2, false).is_cuda());
  EXPECT_FX_ERROR(fx::multinomial(fx::tensor({-1.0, 1.0}).to(kGpu), 1), "multinomial");
  EXPECT_TRUE(fx::bernoulli(p).is_cuda());
  EXPECT_FX_ERROR(fx::bernoulli(fx::tensor({0.5, 1.5}).to(kGpu)), "bernoulli");
  EXPECT_TRUE(fx::normal(p, p).is_cuda());
  EXPECT_FX_ERROR(fx::normal(p, -p), "normal");
  // Losses with a host range check of the targets.
  const fx::Tensor logits = fx::randn({4, 3});
  const fx::Tensor t = fx::tensor({2, 0, 1, 2}, fx::kInt64);
  EXPECT_TRUE(matches_cpu(F::cross_entropy(logits.to(kGpu), t.to(kGpu)), F::cross_entropy(logits, t)));
  EXPECT_TRUE(matches_cpu(F::multi_margin_loss(logits.to(kGpu), t.to(kGpu)), F::multi_margin_loss(logits, t)));
  EXPECT_FX_ERROR(F::cross_entropy(logits.to(kGpu), (t + 3).to(kGpu)), "out of bounds");
  // embedding_bag with offsets on the device.
  const fx::Tensor weight = fx::randn({10, 3});
  const fx::Tensor idx = fx::tensor({1, 2, 4, 5, 4, 3}, fx::kInt64), off = fx::tensor({0, 2, 4}, fx::kInt64);
  EXPECT_TRUE(matches_cpu(F::embedding_bag(idx.to(kGpu), weight.to(kGpu), off.to(kGpu), std::nullopt, 2.0, "sum"),
                          F::embedding_bag(idx, weight, off, std::nullopt, 2.0, "sum")));
  // cumprod's gradient with zeros (host-built masks moved to the device).
  const fx::Tensor c = fx::tensor({2.0, 0.0, 3.0, 4.0}, fx::kFloat64);
  fx::Tensor cc = c.clone().requires_grad_(true), gc = c.to(kGpu).requires_grad_(true);
  fx::cumprod(cc, 0).sum().backward();
  fx::cumprod(gc, 0).sum().backward();
  EXPECT_TRUE(matches_cpu(gc.grad(), cc.grad()));
}

TEST(CudaHostAccess, SaveLoadAndCheckpointsOfCudaModels) {
  FX_SKIP_WITHOUT_GPU();
  fx::manual_seed(3);
  fx::nn::Sequential model(fx::nn::Linear(4, 3), fx::nn::ReLU(), fx::nn::Linear(3, 2));
  model->to(kGpu);
  fx::optim::Adam opt(model->parameters(), fx::optim::AdamOptions(1e-2));
  const fx::Tensor x = fx::randn({5, 4}).to(kGpu);
  for (int i = 0; i < 2; ++i) {
    opt.zero_grad();
    model(x).square().sum().backward();
    fx::optim::clip_grad_norm_(model->parameters(), 0.5);
    opt.step();
  }
  const fs::path st = temp_path("model.safetensors"), ck = temp_path("run.ckpt");
  fx::save(st.string(), model->state_dict());
  const auto loaded = fx::load(st.string());
  for (const auto& it : model->state_dict()) EXPECT_TRUE(tensors_equal(loaded.at(it.key()), it.value().cpu()));
  fx::save_checkpoint(ck.string(), model, &opt);

  // Into a fresh CUDA model and optimiser: host -> device copies, the handles stay on the GPU.
  fx::manual_seed(4);
  fx::nn::Sequential again(fx::nn::Linear(4, 3), fx::nn::ReLU(), fx::nn::Linear(3, 2));
  again->to(kGpu);
  fx::optim::Adam opt2(again->parameters(), fx::optim::AdamOptions(1e-2));
  fx::load_checkpoint(ck.string(), again, &opt2);
  for (const auto& p : again->parameters()) EXPECT_TRUE(p.is_cuda());
  EXPECT_TRUE(tensors_equal(again(x).cpu(), model(x).cpu()));
  for (const auto& [idx, dict] : opt2.state_dict().state)
    for (const auto& it : dict)
      if (it.value().dim() > 0) {
        EXPECT_TRUE(it.value().is_cuda()) << idx << " " << it.key();
      }
  opt.zero_grad();
  opt2.zero_grad();
  model(x).square().sum().backward();
  again(x).square().sum().backward();
  opt.step();
  opt2.step();
  EXPECT_TRUE(tensors_close(again(x).cpu(), model(x).cpu(), 1e-6, 1e-7));
  std::ostringstream os;
  os << model->parameters()[0];  // printing a CUDA parameter copies it back
  EXPECT_NE(os.str().find("cuda:0"), std::string::npos);
  fs::remove(st);
  fs::remove(ck);
}

TEST(CudaHostAccess, LbfgsStateRoundTripOnCuda) {
  FX_SKIP_WITHOUT_GPU();
  fx::Tensor w = fx::zeros({3}, fx::TensorOptions(fx::kFloat64).device(kGpu)).requires_grad_(true);
  const fx::Tensor target = fx::tensor({1.0, -2.0, 0.5}, fx::kFloat64).to(kGpu);
  fx::optim::LBFGS opt({w}, fx::optim::LBFGSOptions(1.0));
  auto closure = [&] {
    opt.zero_grad();
    fx::Tensor loss = (w - target).square().sum();
    loss.backward();
    return loss;
  };
  opt.step(closure);
  const auto sd = opt.state_dict();
  fx::optim::LBFGS opt2({w}, fx::optim::LBFGSOptions(1.0));
  opt2.load_state_dict(sd);
  opt2.step(closure);
  EXPECT_LT((w.detach() - target).abs().max().item<double>(), 1e-6);
}

TEST(CudaHostAccess, ConfusionMatrixOfCudaOutputs) {
  FX_SKIP_WITHOUT_GPU();
  fx::train::ConfusionMatrix cm(3);
  const fx::Tensor out = fx::tensor({{0.1f, 0.8f, 0.1f}, {0.9f, 0.0f, 0.1f}, {0.0f, 0.2f, 0.8f}});
  cm.update(out.to(kGpu), fx::tensor({1, 0, 1}, fx::kInt64).to(kGpu));
  EXPECT_TRUE(tensors_equal(cm.matrix(), fx::tensor({{1, 0, 0}, {0, 1, 1}, {0, 0, 0}}, fx::kInt64)));
}

// `fluxion train --device cuda`: the model trains on the GPU, the run folder is written (checkpoints
// copied back to the host), and --resume loads the checkpoint into the CUDA model.
TEST(CudaHostAccess, CliTrainOnCuda) {
  FX_SKIP_WITHOUT_GPU();
  const fs::path exe = fs::read_symlink("/proc/self/exe");
  const fs::path bin = exe.parent_path().parent_path() / "tools" / "fluxion";
  if (!fs::exists(bin)) GTEST_SKIP() << "fluxion binary not built at " << bin;
  if (!fs::exists(fx::data::default_fashion_mnist_dir() + "/train-labels-idx1-ubyte.gz"))
    GTEST_SKIP() << "Fashion-MNIST not installed";
  const fs::path out = temp_path("cli_run");
  fs::remove_all(out);
  auto run = [&](const std::string& extra) {
    const std::string cmd = "'" + bin.string() +
                            "' train --model lenet5 --limit-train 512 --limit-test 256 --batch-size 64 --threads 2 "
                            "--device cuda --out '" +
                            out.string() + "' " + extra + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string text;
    char buf[4096];
    for (size_t n; p && (n = fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
    const int st = p ? pclose(p) : -1;
    return std::make_pair(WIFEXITED(st) ? WEXITSTATUS(st) : -1, text);
  };
  auto [st1, out1] = run("--epochs 1");
  ASSERT_EQ(st1, 0) << out1;
  EXPECT_NE(out1.find("on cuda:0"), std::string::npos) << out1;
  EXPECT_TRUE(fs::exists(out / "last.ckpt"));
  auto [st2, out2] = run("--epochs 2 --resume");
  EXPECT_EQ(st2, 0) << out2;
  EXPECT_TRUE(fs::exists(out / "metrics.json"));
  fs::remove_all(out);
}

// Advanced indexing takes CPU index tensors for a CUDA tensor, and index_put_ a 0-d CPU value,
// as PyTorch does (the lead's follow-up of this audit).
TEST(CudaHostAccess, CpuIndicesAndNumberValuesForCudaTensors) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor x = fx::arange(0, 12, 1, fx::TensorOptions(fx::kFloat32)).reshape({3, 4});
  const fx::Tensor idx = fx::tensor({2L, 0L, 2L});
  EXPECT_TRUE(fxtest::matches_cpu(fx::index(x.to(fxtest::kGpu), {idx}), fx::index(x, {idx})));
  fx::Tensor g = x.to(fxtest::kGpu), c = x.clone();
  fx::index_put_(g, {idx}, fx::scalar_tensor(-1.0f), false);
  fx::index_put_(c, {idx}, fx::scalar_tensor(-1.0f), false);
  EXPECT_TRUE(fxtest::matches_cpu(g, c));
}
