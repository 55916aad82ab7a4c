// `fluxion info`: version, build type, compiler, BLAS and its threads, SIMD level, CUDA.
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>

#include "command.h"
#include "fluxion/device.h"
#include "fluxion/threading.h"
#include "fluxion/version.h"

namespace {

struct InfoOptions {
  bool json = false;
};

std::string json_escape(const std::string& s) {
  std::string r;
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r;
}

void run_info(const InfoOptions& o) {
  const fluxion::BuildInfo b = fluxion::build_info();
  const int threads = fluxion::get_num_threads();
  const int blas_threads = fluxion::blas_num_threads();
  const int gpus = fluxion::cuda_device_count();
  if (o.json) {
    std::cout << "{\"version\": \"" << json_escape(b.version) << "\", \"build_type\": \"" << json_escape(b.build_type)
              << "\", \"compiler\": \"" << json_escape(b.compiler) << "\", \"blas\": \"" << json_escape(b.blas_vendor)
              << "\", \"blas_threads\": " << blas_threads << ", \"threads\": " << threads << ", \"simd\": \""
              << json_escape(b.simd_level) << "\", \"cuda\": " << (b.cuda ? "true" : "false")
              << ", \"cuda_devices\": " << gpus << "}\n";
    return;
  }
  auto row = [](const char* key, const std::string& value) {
    std::cout << "  " << std::left << std::setw(12) << key << value << "\n";
  };
  std::cout << "Fluxion " << b.version << "\n";
  row("build type", b.build_type);
  row("compiler", b.compiler);
  row("BLAS", b.blas_vendor + ", " + std::to_string(blas_threads) + " threads");
  const char* wait = std::getenv("OMP_WAIT_POLICY");
  row("threads", std::to_string(threads) + " (OpenMP; set OMP_NUM_THREADS to change), idle threads " +
                     (wait && (wait[0] == 'a' || wait[0] == 'A') ? "spin (OMP_WAIT_POLICY=active)" : "sleep"));
  row("SIMD", b.simd_level + " (best level this CPU supports)");
  row("CUDA", b.cuda ? "compiled in, " + std::to_string(gpus) + " device(s) visible" : "not compiled in");
}

void add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Show the build (version, BLAS, threads, SIMD level, CUDA)");
  auto opts = std::make_shared<InfoOptions>();
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of a table");
  cmd->callback([opts] { run_info(*opts); });
}

}  // namespace

FLUXION_COMMAND(info, add_info);
