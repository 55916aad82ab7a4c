// The CUDA caching allocator on a device, pinned host memory, and copies between the CPU and
// CUDA (both directions, non-contiguous sources, non_blocking from pinned memory, copy_).
#include <gtest/gtest.h>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;
using fxtest::kGpu;

namespace {

constexpr size_t kMiB = size_t{1} << 20;

TEST(CudaMemory, CachingAllocatorStats) {
  FX_SKIP_WITHOUT_GPU();
  fx::cuda::synchronize();
  fx::cuda::empty_cache();
  fx::cuda::reset_peak_memory_stats();
  const fx::cuda::MemoryStats s0 = fx::cuda::memory_stats(0);
  void* first = nullptr;
  {
    fx::Tensor t = fx::empty({static_cast<int64_t>(3 * kMiB / 4)}, fx::TensorOptions().device(kGpu));  // 3 MiB
    first = t.data_ptr();
    const fx::cuda::MemoryStats s1 = fx::cuda::memory_stats(0);
    EXPECT_EQ(s1.allocated, s0.allocated + 3 * kMiB);
    EXPECT_GE(s1.reserved, s0.reserved + 3 * kMiB);
    EXPECT_EQ(s1.num_allocs, s0.num_allocs + 1);
    EXPECT_GE(s1.peak_allocated, s1.allocated);
  }
  const fx::cuda::MemoryStats s2 = fx::cuda::memory_stats(0);
  EXPECT_EQ(s2.allocated, s0.allocated);
  EXPECT_GT(s2.reserved, s0.reserved);  // cached, not returned
  {
    fx::Tensor t = fx::empty({static_cast<int64_t>(3 * kMiB / 4)}, fx::TensorOptions().device(kGpu));
    EXPECT_EQ(t.data_ptr(), first);  // reused
    EXPECT_EQ(fx::cuda::memory_stats(0).num_segment_allocs, s2.num_segment_allocs);
  }
  fx::cuda::empty_cache();
  const fx::cuda::MemoryStats s3 = fx::cuda::memory_stats(0);
  EXPECT_LT(s3.reserved, s2.reserved);
  EXPECT_GT(s3.num_segment_frees, s2.num_segment_frees);
  EXPECT_GE(s3.peak_allocated, s0.allocated + 3 * kMiB);
  fx::cuda::reset_peak_memory_stats(0);
  EXPECT_EQ(fx::cuda::memory_stats(0).peak_allocated, s3.allocated);
}

TEST(CudaMemory, AllocationsOnAUserStreamUseTheirOwnBlocks) {
  FX_SKIP_WITHOUT_GPU();
  void* on_default = nullptr;
  {
    fx::Tensor t = fx::empty({1000}, fx::TensorOptions().device(kGpu));
    on_default = t.data_ptr();
  }
  fx::cuda::Stream s = fx::cuda::Stream::create();
  fx::cuda::StreamGuard g(s);
  fx::Tensor u = fx::empty({1000}, fx::TensorOptions().device(kGpu));
  EXPECT_NE(u.data_ptr(), on_default);
}

TEST(CudaMemory, OutOfMemoryIsAnError) {
  FX_SKIP_WITHOUT_GPU();
  const int64_t huge = int64_t{1} << 50;  // 4 PiB of floats
  EXPECT_FX_ERROR(fx::empty({huge}, fx::TensorOptions().device(kGpu)), "out of memory");
  fx::Tensor ok = fx::ones({10}, fx::TensorOptions().device(kGpu));  // the device still works
  EXPECT_EQ(ok.sum().item().to_double(), 10.0);
}

TEST(CudaMemory, CopiesBothWays) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor x = fx::randn({13, 17});
  const fx::Tensor g = x.to(kGpu);
  EXPECT_TRUE(g.is_cuda());
  EXPECT_EQ(g.device(), kGpu);
  EXPECT_TRUE(fxtest::tensors_equal(g.cpu(), x));
  // Non-contiguous sources are made contiguous first, on their own device.
  EXPECT_TRUE(fxtest::tensors_equal(x.t().to(kGpu).cpu(), x.t().contiguous()));
  EXPECT_TRUE(fxtest::tensors_equal(g.t().cpu(), x.t().contiguous()));
  EXPECT_TRUE(fxtest::tensors_equal(g.slice(1, 2, 9, 3).cpu(), x.slice(1, 2, 9, 3).contiguous()));
  // With a dtype change in the same call.
  EXPECT_TRUE(fxtest::tensors_equal(x.to(kGpu, fx::kFloat64).cpu(), x.to(fx::kFloat64)));
  EXPECT_TRUE(fxtest::tensors_equal(g.to(fx::kCPU, fx::kInt64), x.to(fx::kInt64)));
  // Every dtype travels (bytes), even those without CUDA kernels.
  const fx::Tensor h = x.to(fx::kBFloat16);
  EXPECT_TRUE(fxtest::tensors_equal(h.to(kGpu).cpu(), h));
  // copy_ across devices, into a non-contiguous destination, with broadcasting.
  fx::Tensor d = fx::zeros({17, 13}, fx::TensorOptions().device(kGpu));
  d.t().copy_(x);
  EXPECT_TRUE(fxtest::tensors_equal(d.cpu(), x.t().contiguous()));
  fx::Tensor back = fx::zeros({4, 13, 17});
  back.copy_(g);
  EXPECT_TRUE(fxtest::tensors_equal(back, x.expand({4, 13, 17}).contiguous()));
  // 0-element and 0-d tensors.
  EXPECT_EQ(fx::empty({0, 3}).to(kGpu).cpu().numel(), 0);
  EXPECT_EQ(fx::full({}, 4.5).to(kGpu).item().to_double(), 4.5);
}

TEST(CudaMemory, CopyBetweenDevices) {
  if (fx::cuda::device_count() < 2) GTEST_SKIP() << "needs two CUDA devices";
  const fx::Tensor x = fx::randn({100});
  const fx::Tensor g1 = x.to(fx::Device(fx::kCUDA, 1));
  EXPECT_EQ(g1.device().index(), 1);
  EXPECT_TRUE(fxtest::tensors_equal(g1.to(kGpu).cpu(), x));
  EXPECT_FX_ERROR(g1 + x.to(kGpu), "cuda:1");
}

TEST(CudaMemory, PinnedMemoryAndNonBlockingCopies) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor x = fx::randn({1 << 20});
  EXPECT_FALSE(x.is_pinned());
  const fx::Tensor p = x.pin_memory();
  EXPECT_TRUE(p.is_pinned());
  EXPECT_TRUE(p.is_cpu());
  EXPECT_TRUE(fxtest::tensors_equal(p, x));
  EXPECT_TRUE(p.slice(0, 10, 20).is_pinned());         // views share the pinned storage
  EXPECT_EQ(p.pin_memory().data_ptr(), p.data_ptr());  // already pinned: no copy
  EXPECT_GE(fx::cuda::pinned_memory_stats().allocated, 4 * kMiB);
  // Asynchronous upload from pinned memory, ordered on the current stream.
  fx::Tensor g = p.to(kGpu, /*non_blocking=*/true);
  fx::Tensor doubled = g * 2;
  EXPECT_TRUE(fxtest::tensors_equal(doubled.cpu(), x * 2));
  // Asynchronous download into pinned memory: valid after synchronizing.
  fx::Tensor dst = fx::empty({1 << 20}).pin_memory();
  dst.copy_(doubled, /*non_blocking=*/true);
  fx::cuda::synchronize();
  EXPECT_TRUE(fxtest::tensors_equal(dst, x * 2));
  EXPECT_FX_ERROR(g.pin_memory(), "only CPU tensors can be pinned");
}

TEST(CudaMemory, PinnedBlocksInFlightAreNotReusedEarly) {
  FX_SKIP_WITHOUT_GPU();
  fx::Tensor g;
  {
    fx::Tensor p = fx::full({1 << 22}, 7.0f).pin_memory();
    g = p.to(kGpu, /*non_blocking=*/true);
  }  // p's block may still be read by the copy: it must not be handed out and overwritten yet
  fx::Tensor q = fx::full({1 << 22}, -1.0f).pin_memory();
  EXPECT_EQ(g.sum().item().to_double(), 7.0 * (1 << 22));
  EXPECT_EQ(q.sum().item().to_double(), -1.0 * (1 << 22));
}

}  // namespace
