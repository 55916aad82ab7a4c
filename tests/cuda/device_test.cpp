// fluxion::cuda device management, streams and events; the errors of a build or machine without
// a GPU (these run everywhere: they check the answers and messages when no GPU is present).
#include <gtest/gtest.h>

#include <thread>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;

namespace {

// ---- without a GPU ----------------------------------------------------------------------------

TEST(CudaNoDevice, QueriesAnswerNone) {
  if (fx::cuda::device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_FALSE(fx::cuda::is_available());
  EXPECT_EQ(fx::cuda_device_count(), 0);
  EXPECT_EQ(fx::cuda::current_device(), 0);
  EXPECT_EQ(fx::build_info().cuda, fx::cuda_compiled());
  const fx::cuda::MemoryStats s = fx::cuda::memory_stats();
  EXPECT_EQ(s.allocated, 0u);
  EXPECT_EQ(s.reserved, 0u);
  fx::cuda::empty_cache();  // harmless
  fx::cuda::reset_peak_memory_stats();
}

TEST(CudaNoDevice, CreatingACudaTensorIsAClearError) {
  if (fx::cuda::device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  const char* expected = fx::cuda_compiled() ? "no CUDA device available" : "this build of Fluxion has no CUDA support";
  EXPECT_FX_ERROR(fx::empty({2, 3}, fx::TensorOptions().device(fxtest::kGpu)), expected);
  EXPECT_FX_ERROR(fx::zeros({4}, fx::TensorOptions().device(fx::Device("cuda:1"))), expected);
  const fx::Tensor x = fx::ones({3});
  EXPECT_FX_ERROR(x.to(fxtest::kGpu), expected);
  EXPECT_FX_ERROR(x.cuda(), expected);
  EXPECT_FX_ERROR(x.pin_memory(), fx::cuda_compiled() ? "no CUDA device available" : "no CUDA support");
  EXPECT_FALSE(x.is_pinned());
}

TEST(CudaNoDevice, DeviceFunctionsThrow) {
  if (fx::cuda::device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_THROW(fx::cuda::get_device_properties(0), fx::Error);
  EXPECT_THROW(fx::cuda::set_device(0), fx::Error);
  EXPECT_THROW(fx::cuda::synchronize(), fx::Error);
  EXPECT_THROW(fx::cuda::Stream::create(), fx::Error);
  EXPECT_THROW(fx::cuda::Event(), fx::Error);
  EXPECT_THROW({ fx::cuda::DeviceGuard g(0); }, fx::Error);
}

// ---- with a GPU -------------------------------------------------------------------------------

TEST(CudaDevice, PropertiesAndCurrentDevice) {
  FX_SKIP_WITHOUT_GPU();
  EXPECT_TRUE(fx::cuda::is_available());
  EXPECT_TRUE(fx::cuda_compiled());
  const auto p = fx::cuda::get_device_properties(0);
  EXPECT_FALSE(p.name.empty());
  EXPECT_GT(p.total_memory, size_t{1} << 30);
  EXPECT_GE(p.major, 7);
  EXPECT_GT(p.multi_processor_count, 0);
  EXPECT_FX_ERROR(fx::cuda::get_device_properties(fx::cuda::device_count()), "invalid CUDA device index");
  EXPECT_FX_ERROR(fx::empty({2}, fx::TensorOptions().device(fx::Device(fx::kCUDA, fx::cuda::device_count()))),
                  "invalid CUDA device index");
  const int last = fx::cuda::device_count() - 1;
  {
    fx::cuda::DeviceGuard g(last);
    EXPECT_EQ(fx::cuda::current_device(), last);
  }
  EXPECT_EQ(fx::cuda::current_device(), 0);
}

TEST(CudaDevice, StreamsAndGuards) {
  FX_SKIP_WITHOUT_GPU();
  const fx::cuda::Stream def = fx::cuda::Stream::default_stream();
  EXPECT_EQ(def.handle(), nullptr);
  EXPECT_EQ(fx::cuda::Stream::current(), def);
  fx::cuda::Stream s = fx::cuda::Stream::create();
  EXPECT_NE(s.handle(), nullptr);
  {
    fx::cuda::StreamGuard g(s);
    EXPECT_EQ(fx::cuda::Stream::current(), s);
    // Work queued on the user stream: a large fill, then a copy back that waits for it.
    fx::Tensor t = fx::full({1 << 20}, 3.0f, fx::TensorOptions().device(fxtest::kGpu));
    s.synchronize();
    EXPECT_TRUE(s.query());
    EXPECT_EQ(t.sum().item().to_double(), 3.0 * (1 << 20));
  }
  EXPECT_EQ(fx::cuda::Stream::current(), def);
  // The current stream is per thread.
  std::thread th([&] {
    fx::cuda::StreamGuard g(s);
    EXPECT_EQ(fx::cuda::Stream::current(), s);
  });
  th.join();
  EXPECT_EQ(fx::cuda::Stream::current(), def);
  fx::cuda::synchronize();
}

TEST(CudaDevice, EventsTime) {
  FX_SKIP_WITHOUT_GPU();
  fx::cuda::Event start, stop;
  start.record();
  fx::Tensor x = fx::ones({1 << 22}, fx::TensorOptions().device(fxtest::kGpu));
  for (int i = 0; i < 10; ++i) x = x * 1.0001f;
  stop.record();
  stop.synchronize();
  EXPECT_TRUE(stop.query());
  EXPECT_GE(stop.elapsed_time(start), 0.0f);
}

TEST(CudaDevice, Tf32SwitchDefaultsOff) {
  FX_SKIP_WITHOUT_GPU();
  EXPECT_FALSE(fx::cuda::allow_tf32());
  fx::cuda::set_allow_tf32(true);
  EXPECT_TRUE(fx::cuda::allow_tf32());
  fx::cuda::set_allow_tf32(false);
}

}  // namespace
