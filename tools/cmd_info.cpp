// `fluxion info`: version, build type, compiler, BLAS and its threads, SIMD level, CUDA.
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "command.h"
#include "fluxion/cuda.h"
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
              << ", \"cuda_devices\": " << gpus << ", \"gpus\": [";
    for (int i = 0; i < gpus; ++i) {
      const fluxion::cuda::DeviceProperties p = fluxion::cuda::get_device_properties(i);
      std::cout << (i ? ", " : "") << "{\"index\": " << i << ", \"name\": \"" << json_escape(p.name)
                << "\", \"memory_bytes\": " << p.total_memory << ", \"capability\": \"" << p.major << "." << p.minor
                << "\", \"sms\": " << p.multi_processor_count << "}";
    }
    std::cout << "]}\n";
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
  row("CUDA", b.cuda ? "compiled in, " + (gpus ? std::to_string(gpus) + " device(s) visible" : std::string("no device"))
                     : "not compiled in");
  for (int i = 0; i < gpus; ++i) {
    const fluxion::cuda::DeviceProperties p = fluxion::cuda::get_device_properties(i);
    std::ostringstream line;
    line << p.name << ", " << std::fixed << std::setprecision(1) << static_cast<double>(p.total_memory) / (1 << 30)
         << " GiB, compute capability " << p.major << "." << p.minor << ", " << p.multi_processor_count << " SMs";
    row(("  cuda:" + std::to_string(i)).c_str(), line.str());
  }
}

void add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Show the build (version, BLAS, threads, SIMD level, CUDA)");
  auto opts = std::make_shared<InfoOptions>();
  cmd->add_flag("--json", opts->json, "Print one JSON object instead of a table");
  cmd->callback([opts] { run_info(*opts); });
}

}  // namespace

FLUXION_COMMAND(info, add_info);
