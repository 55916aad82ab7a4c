// Shared by the benchmarks that print `<key> <median seconds>` lines for bench/run_all.sh and,
// given the PyTorch twin's output (--twin FILE), a speed-up table (conv_bench, train_step_bench).
//
//   prog [THREADS] [--threads 2,1] [--reps 9] [--twin FILE] [--cpu-time 1]
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

struct TwinArgs {
  std::vector<int> threads{2, 1};
  int reps = 9;
  std::string twin;       // the twin's output, for the table
  bool cpu_time = false;  // time process CPU instead of the wall clock
};

inline TwinArgs parse_twin_args(int argc, char** argv) {
  TwinArgs a;
  int i = 1;
  if (argc > 1 && std::isdigit(static_cast<unsigned char>(argv[1][0]))) a.threads = {std::stoi(argv[i++])};
  for (; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--threads") {
      a.threads.clear();
      std::stringstream ss(value);
      for (std::string item; std::getline(ss, item, ',');) a.threads.push_back(std::stoi(item));
    } else if (flag == "--reps") {
      a.reps = std::stoi(value);
    } else if (flag == "--twin") {
      a.twin = value;
    } else if (flag == "--cpu-time") {
      a.cpu_time = value == "1";
    }
  }
  return a;
}

// Seconds on the wall clock, or of process CPU time (on a shared machine the CPU time of a
// 1-thread run is what an idle machine's wall clock would show; with 2 threads it also counts
// both threads' spinning, so only the wall clock is meaningful there).
inline double now_s(bool cpu_time) {
  if (cpu_time) {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Median milliseconds per call of fn over `reps` samples, each long enough (min_time / 5) to time.
template <class Fn>
double median_ms(const Fn& fn, int reps, bool cpu_time, double min_time = 0.25) {
  for (int i = 0; i < 3; ++i) fn();
  int n = 1;
  for (;;) {
    const double t0 = now_s(cpu_time);
    for (int i = 0; i < n; ++i) fn();
    if (now_s(cpu_time) - t0 > min_time / 5) break;
    n *= 2;
  }
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_s(cpu_time);
    for (int i = 0; i < n; ++i) fn();
    samples.push_back((now_s(cpu_time) - t0) / n * 1e3);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// Prints `<key> <seconds>` (the twin convention of bench/README.md) and records the time.
inline void report(std::map<std::string, double>& ours, const std::string& key, double ms) {
  ours[key] = ms;
  std::printf("%s %.6g\n", key.c_str(), ms * 1e-3);
  std::fflush(stdout);
}

// The speed-up table against the twin's `<key> <seconds>` lines (> 1: Fluxion is faster).
inline void print_twin_table(const std::map<std::string, double>& ours, const std::string& twin, const char* what) {
  if (twin.empty()) return;
  std::ifstream in(twin);
  std::printf("\n| %s | Fluxion ms | PyTorch ms | speed-up (PyTorch / Fluxion time) |\n|---|---|---|---|\n", what);
  std::string name;
  double secs;
  while (in >> name >> secs) {
    auto it = ours.find(name);
    if (it != ours.end())
      std::printf("| %s | %.3f | %.3f | %.2fx |\n", name.c_str(), it->second, secs * 1e3, secs * 1e3 / it->second);
  }
}

}  // namespace bench
