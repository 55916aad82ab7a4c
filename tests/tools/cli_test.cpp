// The `fluxion` command line end to end: help and argument errors, a small training run whose run
// folder is checked file by file, eval and predict on its checkpoint, and kill -9 + --resume.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fluxion/data.h"
#include "fluxion/fluxion.h"
#include "fluxion/io.h"

namespace fx = fluxion;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

/// The fluxion binary: <build>/tools/fluxion next to this test's <build>/tests/test_tools.
std::string fluxion_binary() {
  const fs::path exe = fs::read_symlink("/proc/self/exe");
  return (exe.parent_path().parent_path() / "tools" / "fluxion").string();
}

bool have_fashion_mnist() { return fs::exists(fx::data::default_fashion_mnist_dir() + "/train-labels-idx1-ubyte.gz"); }

struct Result {
  int status;
  std::string output;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q.append("'\\''");
    else
      q.push_back(c);
  }
  q.push_back('\'');
  return q;
}

/// Runs `fluxion ARGS` with stdout and stderr captured.
Result run(const std::vector<std::string>& args) {
  std::string cmd = quote(fluxion_binary());
  for (const auto& a : args) {
    cmd.push_back(' ');
    cmd.append(quote(a));
  }
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

json read_json(const fs::path& p) {
  std::ifstream f(p);
  return json::parse(f);
}

struct TempDir {
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("fluxion_cli_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fluxion_binary())) GTEST_SKIP() << "fluxion binary not built at " << fluxion_binary();
  }
};

TEST_F(Cli, HelpShowsExamples) {
  for (const char* sub : {"train", "eval", "predict"}) {
    const Result r = run({sub, "--help"});
    EXPECT_EQ(r.status, 0) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("Examples"), std::string::npos) << sub;
  }
  const Result r = run({"train", "--help"});
  for (const char* opt : {"--model", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed", "--threads", "--out",
                          "--resume", "--metrics-json", "lenet5", "softmax", "vgg_small"})
    EXPECT_NE(r.output.find(opt), std::string::npos) << opt;
}

TEST_F(Cli, BadArgumentsFailClearly) {
  Result r = run({"train", "--model", "resnet9000"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("resnet9000"), std::string::npos) << r.output;
  r = run({"train", "--epochs", "0"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("--epochs"), std::string::npos) << r.output;
  r = run({"train", "--optimizer", "adagrad"});
  EXPECT_NE(r.status, 0);
  r = run({"train", "--data", "mnist", "--out", "/nonexistent-dir/x"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("data-dir"), std::string::npos) << r.output;
  r = run({"eval", "--checkpoint", "/nonexistent.ckpt"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  r = run({"train", "--resume", "--out", "/nonexistent-dir/run"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("no checkpoint"), std::string::npos) << r.output;
  r = run({"train", "--device", "tpu", "--out", "/nonexistent-dir/run"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--device tpu: expected cpu, cuda or cuda:N"), std::string::npos) << r.output;
  if (fx::cuda_device_count() == 0) {
    // Refused before any data is read (the data directory does not exist).
    r = run({"train", "--device", "cuda", "--data", "mnist", "--data-dir", "/nonexistent-dir"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find("--device cuda: "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("use --device cpu"), std::string::npos) << r.output;
  }
  r = run({"train", "--device", "cuda:99", "--data", "mnist", "--data-dir", "/nonexistent-dir"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--device cuda:99: "), std::string::npos) << r.output;
}

// A second run into the same folder is refused unless --overwrite (or --resume) is given;
// --overwrite replaces the run's files and keeps the user's other files.
TEST_F(Cli, ExistingRunNeedsOverwrite) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "Fashion-MNIST not installed (dataset-fashion-mnist)";
  TempDir dir("overwrite");
  const std::string out = (dir.path / "run").string();
  const std::vector<std::string> args = {"train", "--model",      "softmax", "--epochs",  "1", "--limit-train",
                                         "300",   "--limit-test", "100",     "--threads", "1", "--out",
                                         out};
  ASSERT_EQ(run(args).status, 0);
  std::ofstream(dir.path / "run" / "notes.txt") << "mine";
  Result again = run(args);
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("--overwrite"), std::string::npos) << again.output;
  auto with = args;
  with.push_back("--overwrite");
  Result r = run(with);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir.path / "run" / "metrics.json"));
  EXPECT_TRUE(fs::exists(dir.path / "run" / "notes.txt"));
  with.push_back("--resume");
  EXPECT_NE(run(with).status, 0);  // --overwrite and --resume exclude each other
}

TEST_F(Cli, TrainEvalPredictEndToEnd) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "Fashion-MNIST not installed (dataset-fashion-mnist)";
  TempDir tmp("e2e");
  const fs::path out = tmp.path / "run";
  Result r =
      run({"train", "--model", "mlp", "--epochs", "1", "--batch-size", "32", "--limit-train", "2000", "--limit-test",
           "500", "--threads", "2", "--out", out.string(), "--metrics-json", (tmp.path / "m.json").string()});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("test accuracy"), std::string::npos) << r.output;

  const json metrics = read_json(out / "metrics.json");
  EXPECT_EQ(metrics, read_json(tmp.path / "m.json"));
  EXPECT_GT(metrics["test_acc"].get<double>(), 0.55) << metrics.dump();  // chance is 0.1
  EXPECT_EQ(metrics["epochs"], 1);
  const json config = read_json(out / "config.json");
  EXPECT_EQ(config["model"], "mlp");
  EXPECT_EQ(config["limit_train"], 2000);
  for (const char* ck : {"last.ckpt", "best.ckpt"}) {
    const json meta = json::parse(fx::load_checkpoint((out / ck).string()).metadata);
    EXPECT_EQ(meta["user"]["model"]["name"], "mlp") << ck;
    EXPECT_EQ(meta["epoch"], 1);
  }
  std::ifstream csv(out / "log.csv");
  std::string header, row, extra;
  std::getline(csv, header);
  std::getline(csv, row);
  EXPECT_FALSE(std::getline(csv, extra));
  EXPECT_EQ(header, "epoch,acc,epoch_time,loss,lr,val_acc,val_loss");
  EXPECT_EQ(row.rfind("1,", 0), 0u);
  const fs::path events = out / "events.out.tfevents.0.fluxion";
  ASSERT_TRUE(fs::exists(events));
  EXPECT_GT(fs::file_size(events), 100u);
  std::ifstream svg(out / "curve.svg");
  std::string first;
  std::getline(svg, first);
  EXPECT_EQ(first.rfind("<svg", 0), 0u);
  EXPECT_EQ(fx::data::read_png((out / "curve.png").string()).size(1), 960);

  // Training again into the same folder without --resume is refused.
  r = run({"train", "--model", "mlp", "--epochs", "1", "--out", out.string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("--resume"), std::string::npos) << r.output;

  // eval on the same 500 test images gives the same accuracy.
  r = run({"eval", "--checkpoint", (out / "best.ckpt").string(), "--limit", "500", "--json", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r.output;
  const json ev = json::parse(r.output);
  EXPECT_NEAR(ev["acc"].get<double>(), metrics["test_acc"].get<double>(), 1e-9);
  EXPECT_NEAR(ev["loss"].get<double>(), metrics["test_loss"].get<double>(), 1e-4);
  EXPECT_EQ(ev["confusion_matrix"].size(), 10u);
  int64_t total = 0;
  for (const auto& rowj : ev["confusion_matrix"])
    for (const auto& v : rowj) total += v.get<int64_t>();
  EXPECT_EQ(total, 500);
  r = run({"eval", "--checkpoint", (out / "best.ckpt").string(), "--limit", "200"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("confusion matrix"), std::string::npos);
  EXPECT_NE(r.output.find("Ankle boot"), std::string::npos) << r.output;

  // predict on two test images written as PNG.
  auto test = fx::data::read_mnist(fx::data::default_fashion_mnist_dir(), false);
  std::vector<std::string> args = {"predict", "--checkpoint", (out / "best.ckpt").string(), "--top", "2"};
  for (int i = 0; i < 2; ++i) {
    fx::Tensor img = (test.data[i][0] * 255.0).round().to(fx::kUInt8);  // (28, 28)
    const std::string png = (tmp.path / ("img" + std::to_string(i) + ".png")).string();
    fx::data::write_png(png, img);
    args.push_back(png);
  }
  const std::string jpg = (tmp.path / "img2.jpg").string();  // JPEG goes through the same reader
  fx::data::write_jpeg(jpg, (test.data[2][0] * 255.0).round().to(fx::kUInt8));
  args.push_back(jpg);
  r = run(args);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("img0.png:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("p="), std::string::npos) << r.output;
  args.push_back("--json");
  r = run(args);
  ASSERT_EQ(r.status, 0) << r.output;
  const json pj = json::parse(r.output);
  ASSERT_EQ(pj.size(), 3u);
  EXPECT_EQ(pj[0]["predictions"].size(), 2u);
  double p0 = pj[0]["predictions"][0]["probability"].get<double>();
  EXPECT_GT(p0, 0.0);
  EXPECT_LE(p0, 1.0);
  r = run({"predict", "--checkpoint", (out / "best.ckpt").string(), (out / "config.json").string()});
  EXPECT_EQ(r.status, 1) << r.output;  // not an image
}

TEST_F(Cli, KillDashNineThenResumeMatchesAnUninterruptedRun) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "Fashion-MNIST not installed (dataset-fashion-mnist)";
  TempDir tmp("kill");
  const std::vector<std::string> common = {"train", "--model",       "lenet5", "--epochs",     "3",   "--batch-size",
                                           "64",    "--limit-train", "1024",   "--limit-test", "256", "--threads",
                                           "2"};
  auto with_out = [&](const fs::path& out) {
    auto a = common;
    a.push_back("--out");
    a.push_back(out.string());
    return a;
  };
  const Result straight = run(with_out(tmp.path / "straight"));
  ASSERT_EQ(straight.status, 0) << straight.output;

  // Start the same run, kill -9 it as soon as the first checkpoint exists, then --resume.
  const fs::path out = tmp.path / "killed";
  const auto args = with_out(out);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::vector<char*> argv;
    std::string bin = fluxion_binary();
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    FILE* devnull = std::freopen("/dev/null", "w", stdout);
    (void)devnull;
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  bool killed = false;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;  // finished before we could kill it
    if (fs::exists(out / "last.ckpt")) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      killed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(killed || (WIFEXITED(status) && WEXITSTATUS(status) == 0)) << "the run neither finished nor checkpointed";
  if (killed) {
    EXPECT_FALSE(fs::exists(out / "metrics.json"));
    const json meta = json::parse(fx::load_checkpoint((out / "last.ckpt").string()).metadata);
    EXPECT_GE(meta["epoch"].get<int>(), 1);
    std::cout << "[   INFO   ] killed with -9 after epoch " << meta["epoch"] << " of 3\n";
  } else {
    std::cout << "[   INFO   ] the run finished before it could be killed; --resume of a finished run checked\n";
  }
  auto resume_args = args;
  resume_args.push_back("--resume");
  const Result resumed = run(resume_args);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming"), std::string::npos) << resumed.output;

  json a = read_json(tmp.path / "straight" / "metrics.json"), b = read_json(out / "metrics.json");
  a.erase("timing");
  b.erase("timing");
  EXPECT_EQ(a, b) << "uninterrupted " << a.dump() << "\nresumed       " << b.dump();
  // The CSV log holds each epoch once.
  std::ifstream csv(out / "log.csv");
  int n = 0;
  for (std::string l; std::getline(csv, l);) ++n;
  EXPECT_EQ(n, 4);
}

TEST_F(Cli, TrainAndPredictOnAnImageFolder) {
  TempDir tmp("folder");
  // Two classes a human separates at a glance: dark and light 16x16 squares.
  for (const char* split : {"train", "test"})
    for (const auto& [cls, v] : std::vector<std::pair<std::string, int>>{{"dark", 30}, {"light", 225}}) {
      const fs::path dir = tmp.path / "data" / split / cls;
      fs::create_directories(dir);
      for (int i = 0; i < 8; ++i)
        fx::data::write_png((dir / (std::to_string(i) + ".png")).string(),
                            fx::full({16, 16}, v + 2 * i, fx::TensorOptions(fx::kUInt8)));
    }
  const fs::path out = tmp.path / "run";
  Result r = run({"train", "--model", "softmax", "--data", "imagefolder", "--data-dir", (tmp.path / "data").string(),
                  "--epochs", "3", "--batch-size", "4", "--lr", "0.05", "--threads", "1", "--out", out.string()});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(read_json(out / "metrics.json")["test_acc"].get<double>(), 1.0);
  r = run({"predict", "--checkpoint", (out / "last.ckpt").string(),
           (tmp.path / "data" / "test" / "light" / "3.png").string()});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(": light (class 1"), std::string::npos) << r.output;
}

}  // namespace
