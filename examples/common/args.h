// What every example program shares on its command line: "--name value" options, positional
// arguments, and --device cpu|cuda|cuda:N (default cpu) for the model and tensors, as in
//
//   int main(int argc, char** argv) try {
//     const examples::Args args(argc, argv, {"epochs"});   // the options this program takes
//     const fx::Device device = args.device();
//     const int epochs = args.integer("epochs", 10);
//     ...
//   } catch (const std::exception& e) {
//     return examples::fail(e);   // "error: ..." and exit status 1 instead of std::terminate
//   }
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "fluxion/device.h"
#include "fluxion/error.h"

namespace examples {

class Args {
 public:
  // `known`: the option names this program takes besides "device"; anything else is an error.
  Args(int argc, char** argv, std::initializer_list<const char*> known = {}) {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (!arg.starts_with("--")) {
        positional_.push_back(arg);
        continue;
      }
      const std::string name = arg.substr(2);
      bool ok = name == "device";
      for (const char* k : known) ok = ok || name == k;
      std::string names = "--device";
      for (const char* k : known) names += std::string(", --") + k;
      FX_CHECK(ok, "unknown option ", arg, " (this program takes ", names, ")");
      FX_CHECK(i + 1 < argc, "option ", arg, " needs a value");
      options_[name] = argv[++i];
    }
  }

  bool has(const std::string& name) const { return options_.contains(name); }
  std::string str(const std::string& name, const std::string& fallback) const {
    return has(name) ? options_.at(name) : fallback;
  }
  long long integer(const std::string& name, long long fallback) const {
    return has(name) ? std::atoll(options_.at(name).c_str()) : fallback;
  }
  double real(const std::string& name, double fallback) const {
    return has(name) ? std::atof(options_.at(name).c_str()) : fallback;
  }
  const std::vector<std::string>& positional() const { return positional_; }

  // --device: "cpu" (default), "cuda" or "cuda:N". A CUDA device this build or machine lacks is a
  // fluxion::Error here, before any work starts, rather than a failure deep inside the first op.
  fluxion::Device device() const {
    const fluxion::Device d(str("device", "cpu"));
    if (d.is_cuda()) {
      FX_CHECK(fluxion::cuda_compiled(), "--device ", d.str(),
               ": this build of Fluxion has no CUDA backend (configure with -DFLUXION_CUDA=ON, see docs/cuda.md); "
               "use --device cpu");
      const int count = fluxion::cuda_device_count();
      FX_CHECK(count > 0, "--device ", d.str(), ": no CUDA device found (fluxion::cuda_device_count() is 0)");
      FX_CHECK(d.index() < count, "--device ", d.str(), ": there are only ", count, " CUDA devices");
    }
    return d;
  }

 private:
  std::map<std::string, std::string> options_;
  std::vector<std::string> positional_;
};

// For main's catch: prints the error and returns the exit status 1.
inline int fail(const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}

}  // namespace examples
