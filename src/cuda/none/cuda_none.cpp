// fluxion::cuda in a build without CUDA: queries answer "none", everything else throws a clear
// fluxion::Error. The core's CUDA hooks (core/cuda_hooks.h) stay null.
#include "fluxion/cuda.h"
#include "fluxion/error.h"

namespace fluxion {

bool cuda_compiled() { return false; }
int cuda_device_count() { return 0; }

namespace cuda {
namespace {
[[noreturn]] void no_cuda(const char* what) {
  FX_FAIL("cuda::", what,
          ": this build of Fluxion has no CUDA support (configure with -DFLUXION_CUDA=ON on a "
          "machine with the CUDA toolkit)");
}
}  // namespace

bool is_available() { return false; }
int device_count() { return 0; }
DeviceProperties get_device_properties(int) { no_cuda("get_device_properties"); }
int current_device() { return 0; }
void set_device(int) { no_cuda("set_device"); }
void synchronize(int) { no_cuda("synchronize"); }

DeviceGuard::DeviceGuard(int) : prev_(0) { no_cuda("DeviceGuard"); }
DeviceGuard::~DeviceGuard() = default;

struct Stream::Owner {};
Stream::Stream(int device, void* handle, std::shared_ptr<Owner> owner)
    : device_(device), handle_(handle), owner_(std::move(owner)) {}
Stream Stream::default_stream(int) { no_cuda("Stream::default_stream"); }
Stream Stream::current(int) { no_cuda("Stream::current"); }
Stream Stream::create(int) { no_cuda("Stream::create"); }
void Stream::synchronize() const { no_cuda("Stream::synchronize"); }
bool Stream::query() const { no_cuda("Stream::query"); }

StreamGuard::StreamGuard(const Stream& s) : prev_stream_(s), prev_device_(0) { no_cuda("StreamGuard"); }
StreamGuard::~StreamGuard() = default;

Event::Event() { no_cuda("Event"); }
Event::~Event() = default;
void Event::record() { no_cuda("Event::record"); }
void Event::record(const Stream&) { no_cuda("Event::record"); }
void Event::synchronize() const { no_cuda("Event::synchronize"); }
bool Event::query() const { no_cuda("Event::query"); }
float Event::elapsed_time(const Event&) const { no_cuda("Event::elapsed_time"); }

MemoryStats memory_stats(int) { return {}; }
void empty_cache() {}
void reset_peak_memory_stats(int) {}
MemoryStats pinned_memory_stats() { return {}; }

void set_allow_tf32(bool) {}
bool allow_tf32() { return false; }

}  // namespace cuda
}  // namespace fluxion
