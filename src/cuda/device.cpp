// CUDA devices, streams and events (fluxion::cuda), error reporting and the per-thread state
// of the backend (current streams, cuBLAS handles).
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "cuda/context.h"
#include "cuda/cuda_check.h"
#include "cuda/handle_pool.h"
#include "fluxion/cuda.h"
#include "fluxion/error.h"

namespace fluxion {

bool cuda_compiled() { return true; }

int cuda_device_count() {
  // Without a driver (or without a GPU) cudaGetDeviceCount returns an error: that means 0 devices.
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      (void)cudaGetLastError();  // clear the sticky-free error so later calls start clean
      return 0;
    }
    return n;
  }();
  return count;
}

namespace cuda {
namespace detail {

namespace {
// The call site as "src/cuda/allocator.cpp:42" (the build may pass absolute or relative paths).
std::string where(const char* file, int line) {
  std::string f = file;
  const size_t p = f.rfind("src/");
  if (p != std::string::npos) f = f.substr(p);
  return f + ":" + std::to_string(line);
}
}  // namespace

void cuda_fail(cudaError_t err, const char* call, const char* file, int line) {
  (void)cudaGetLastError();
  ::fluxion::detail::throw_error(
      file, line,
      ::fluxion::detail::str_cat("CUDA error: ", call, " failed with ", cudaGetErrorName(err), " (",
                                 cudaGetErrorString(err), ") at ", where(file, line)));
}

void cublas_fail(cublasStatus_t st, const char* call, const char* file, int line) {
  ::fluxion::detail::throw_error(
      file, line,
      ::fluxion::detail::str_cat("cuBLAS error: ", call, " failed with ", cublasGetStatusName(st), " (",
                                 cublasGetStatusString(st), ") at ", where(file, line)));
}

void check_device(int device, const char* what) {
  const int n = cuda_device_count();
  if (n == 0) FX_FAIL(what, " on cuda:", device, ": no CUDA device available");
  FX_CHECK(device >= 0 && device < n, what, ": invalid CUDA device index ", device, " (", n,
           " CUDA device(s) available)");
}

namespace {
std::vector<cudaStream_t>& thread_streams() {
  thread_local std::vector<cudaStream_t> streams(static_cast<size_t>(cuda_device_count()), nullptr);
  return streams;
}
std::atomic<bool> g_allow_tf32{false};
}  // namespace

cudaStream_t current_stream(int device) { return thread_streams()[static_cast<size_t>(device)]; }

SetDevice::SetDevice(int device) {
  int cur = 0;
  FX_CUDA_CHECK(cudaGetDevice(&cur));
  if (cur != device) {
    FX_CUDA_CHECK(cudaSetDevice(device));
    prev_ = cur;
  }
}
SetDevice::~SetDevice() {
  if (prev_ >= 0) (void)cudaSetDevice(prev_);
}

cublasHandle_t cublas_handle(int device) {
  // One handle per thread and device (cuBLAS handles must not be shared by concurrent threads),
  // recycled through a pool when threads exit (cuda/handle_pool.h).
  static auto* pool = new HandlePool<cublasHandle_t>();  // never destroyed, see handle_pool.h
  thread_local ThreadHandles<cublasHandle_t> handles(*pool);
  cublasHandle_t& h = handles.at(device);
  if (!h) {
    SetDevice guard(device);
    FX_CUBLAS_CHECK(cublasCreate(&h));
  }
  FX_CUBLAS_CHECK(cublasSetStream(h, current_stream(device)));
  // 16-bit products accumulate in float32 all the way (no reduced-precision split-K reductions).
  const int mode = (g_allow_tf32.load() ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH) |
                   CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
  FX_CUBLAS_CHECK(cublasSetMathMode(h, static_cast<cublasMath_t>(mode)));
  return h;
}

}  // namespace detail

namespace {
int resolve(int device, const char* what) {
  if (device < 0) device = current_device();
  detail::check_device(device, what);
  return device;
}
}  // namespace

bool is_available() { return cuda_device_count() > 0; }
int device_count() { return cuda_device_count(); }

DeviceProperties get_device_properties(int device) {
  detail::check_device(device, "cuda::get_device_properties");
  cudaDeviceProp p{};
  FX_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  DeviceProperties d;
  d.name = p.name;
  d.total_memory = p.totalGlobalMem;
  d.major = p.major;
  d.minor = p.minor;
  d.multi_processor_count = p.multiProcessorCount;
  return d;
}

int current_device() {
  if (cuda_device_count() == 0) return 0;
  int d = 0;
  FX_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}

void set_device(int device) {
  detail::check_device(device, "cuda::set_device");
  FX_CUDA_CHECK(cudaSetDevice(device));
}

void synchronize(int device) {
  device = resolve(device, "cuda::synchronize");
  detail::SetDevice guard(device);
  FX_CUDA_CHECK(cudaDeviceSynchronize());
}

DeviceGuard::DeviceGuard(int device) : prev_(current_device()) { set_device(device); }
DeviceGuard::~DeviceGuard() { (void)cudaSetDevice(prev_); }

// ---- streams --------------------------------------------------------------------------------

struct Stream::Owner {
  int device;
  cudaStream_t stream;
  ~Owner() {
    detail::SetDevice guard(device);
    (void)cudaStreamDestroy(stream);
  }
};

Stream::Stream(int device, void* handle, std::shared_ptr<Owner> owner)
    : device_(device), handle_(handle), owner_(std::move(owner)) {}

Stream Stream::default_stream(int device) {
  device = resolve(device, "cuda::Stream::default_stream");
  return Stream(device, nullptr, nullptr);
}

Stream Stream::current(int device) {
  device = resolve(device, "cuda::Stream::current");
  return Stream(device, detail::current_stream(device), nullptr);
}

Stream Stream::create(int device) {
  device = resolve(device, "cuda::Stream::create");
  detail::SetDevice guard(device);
  cudaStream_t s = nullptr;
  FX_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  auto owner = std::make_shared<Owner>();
  owner->device = device;
  owner->stream = s;
  return Stream(device, s, std::move(owner));
}

void Stream::synchronize() const {
  detail::SetDevice guard(device_);
  FX_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(handle_)));
}

bool Stream::query() const {
  detail::SetDevice guard(device_);
  const cudaError_t e = cudaStreamQuery(static_cast<cudaStream_t>(handle_));
  if (e == cudaErrorNotReady) return false;
  FX_CUDA_CHECK(e);
  return true;
}

StreamGuard::StreamGuard(const Stream& stream)
    : prev_stream_(Stream::current(stream.device())), prev_device_(current_device()) {
  set_device(stream.device());
  detail::thread_streams()[static_cast<size_t>(stream.device())] = static_cast<cudaStream_t>(stream.handle());
}

StreamGuard::~StreamGuard() {
  detail::thread_streams()[static_cast<size_t>(prev_stream_.device())] =
      static_cast<cudaStream_t>(prev_stream_.handle());
  (void)cudaSetDevice(prev_device_);
}

// ---- events ---------------------------------------------------------------------------------

Event::Event() : device_(resolve(-1, "cuda::Event")) {
  cudaEvent_t e = nullptr;
  FX_CUDA_CHECK(cudaEventCreate(&e));
  handle_ = e;
}

Event::~Event() {
  if (handle_) (void)cudaEventDestroy(static_cast<cudaEvent_t>(handle_));
}

void Event::record() { record(Stream::current(device_)); }

void Event::record(const Stream& stream) {
  FX_CHECK(stream.device() == device_, "cuda::Event::record: the event belongs to cuda:", device_,
           " but the stream to cuda:", stream.device());
  detail::SetDevice guard(device_);
  FX_CUDA_CHECK(cudaEventRecord(static_cast<cudaEvent_t>(handle_), static_cast<cudaStream_t>(stream.handle())));
}

void Event::synchronize() const { FX_CUDA_CHECK(cudaEventSynchronize(static_cast<cudaEvent_t>(handle_))); }

bool Event::query() const {
  const cudaError_t e = cudaEventQuery(static_cast<cudaEvent_t>(handle_));
  if (e == cudaErrorNotReady) return false;
  FX_CUDA_CHECK(e);
  return true;
}

float Event::elapsed_time(const Event& start) const {
  float ms = 0;
  FX_CUDA_CHECK(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start.handle_), static_cast<cudaEvent_t>(handle_)));
  return ms;
}

void set_allow_tf32(bool allow) { detail::g_allow_tf32.store(allow); }
bool allow_tf32() { return detail::g_allow_tf32.load(); }

}  // namespace cuda
}  // namespace fluxion
