// The CUDA kernels of the nn tables (kernels/nn_kernels.h) against the CPU, through the public
// functional ops, forward and backward, float32 and float64: convolutions (cuDNN), max/average/
// adaptive pooling, max-unpool, interpolate, batch/layer/group/instance norm.
//
// Tolerances: fxtest::matches_cpu's for everything but the convolutions. cuDNN picks its own
// algorithms (implicit GEMM, Winograd, FFT, ...) which sum in a different order from the CPU's
// im2col + GEMM, and Winograd/FFT transform the operands (float32 errors of ~1e-5 relative to
// the magnitude of the sums), so the convolution checks use rtol 1e-4 / atol 1e-4 in float32 and
// 1e-10 / 1e-12 in float64. TF32 stays off (the default) except in the test that turns it on.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cuda/cuda_test_util.h"
#include "fluxion/fluxion.h"
#include "fluxion/nn/functional/conv.h"
#include "fluxion/nn/functional/normalization.h"
#include "fluxion/nn/functional/pooling.h"
#include "fluxion/nn/functional/upsample.h"

namespace fx = fluxion;
namespace F = fluxion::nn::functional;
using fxtest::kGpu;
using fxtest::matches_cpu;

namespace {

using Fn = std::function<fx::Tensor(const std::vector<fx::Tensor>&)>;

struct Tol {
  double rtol32 = 2e-5, atol32 = 2e-6, rtol64 = 1e-12, atol64 = 1e-14;
};
const Tol kDefault{};
const Tol kConv{1e-4, 1e-4, 1e-10, 1e-12};

::testing::AssertionResult close(const fx::Tensor& gpu, const fx::Tensor& cpu, const Tol& tol) {
  if (!gpu.is_cuda()) return ::testing::AssertionFailure() << "result is on " << gpu.device().str() << ", not CUDA";
  if (gpu.dtype() != cpu.dtype())
    return ::testing::AssertionFailure() << "dtype " << fx::dtype_name(gpu.dtype()) << " vs "
                                         << fx::dtype_name(cpu.dtype());
  if (cpu.dtype() == fx::kFloat32) return fxtest::tensors_close(gpu.cpu(), cpu, tol.rtol32, tol.atol32);
  if (cpu.dtype() == fx::kFloat64) return fxtest::tensors_close(gpu.cpu(), cpu, tol.rtol64, tol.atol64);
  return fxtest::tensors_equal(gpu.cpu(), cpu);
}

fx::Tensor uniform(const fx::Shape& s, fx::DType dt, double lo = -1, double hi = 1) {
  return (fx::rand(s, fx::TensorOptions(fx::kFloat64)) * (hi - lo) + lo).to(dt);
}

// Runs f on CPU and CUDA copies of `inputs` (cast to dt, all requiring grad), backpropagates the
// same random output gradient on both and compares the output and every input's gradient.
void check(const std::string& name, const Fn& f, const std::vector<fx::Shape>& shapes, const Tol& tol = kDefault,
           const std::vector<fx::Tensor>& values = {}) {
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const std::string what = name + " " + fx::dtype_name(dt);
    std::vector<fx::Tensor> cpu, gpu;
    for (size_t i = 0; i < shapes.size(); ++i) {
      const fx::Tensor v = i < values.size() && values[i].defined() ? values[i].to(dt) : uniform(shapes[i], dt);
      cpu.push_back(v.clone().requires_grad_(true));
      gpu.push_back(v.to(kGpu).requires_grad_(true));
    }
    const fx::Tensor yc = f(cpu);
    const fx::Tensor yg = f(gpu);
    ASSERT_TRUE(close(yg, yc, tol)) << what << ": output";
    const fx::Tensor gy = uniform(yc.sizes(), dt);
    (yc * gy).sum().backward();
    (yg * gy.to(kGpu)).sum().backward();
    for (size_t i = 0; i < cpu.size(); ++i) {
      ASSERT_EQ(cpu[i].grad().defined(), gpu[i].grad().defined()) << what << ": gradient of input " << i;
      if (cpu[i].grad().defined()) {
        EXPECT_TRUE(close(gpu[i].grad(), cpu[i].grad(), tol)) << what << ": grad " << i;
      }
    }
  }
}

fx::Tensor opt(const std::vector<fx::Tensor>& xs, size_t i) { return i < xs.size() ? xs[i] : fx::Tensor(); }

}  // namespace

// ---- convolutions (cuDNN) ---------------------------------------------------------------------------

TEST(CudaNn, Conv1dMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check(
      "conv1d", [](const auto& t) { return F::conv1d(t[0], t[1], t[2], 2, 1, 2, 2); }, {{2, 4, 17}, {6, 2, 3}, {6}},
      kConv);
  check(
      "conv1d no bias", [](const auto& t) { return F::conv1d(t[0], t[1]); }, {{3, 5, 9}, {4, 5, 4}}, kConv);
}

TEST(CudaNn, Conv2dMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check(
      "conv2d 3x3", [](const auto& t) { return F::conv2d(t[0], t[1], t[2], 1, 1); }, {{2, 3, 11, 9}, {8, 3, 3, 3}, {8}},
      kConv);
  check(
      "conv2d strided/dilated/grouped",
      [](const auto& t) {
        return F::conv2d(t[0], t[1], t[2], {2, 1}, F::ConvPadding({1, 2}), {1, 2}, 3);
      },
      {{2, 6, 13, 10}, {9, 2, 3, 2}, {9}}, kConv);
  check(
      "conv2d 1x1", [](const auto& t) { return F::conv2d(t[0], t[1]); }, {{4, 7, 5, 6}, {3, 7, 1, 1}}, kConv);
  check(
      "conv2d depthwise", [](const auto& t) { return F::conv2d(t[0], t[1], t[2], 1, 2, 1, 4); },
      {{2, 4, 8, 8}, {8, 1, 5, 5}, {8}}, kConv);
}

TEST(CudaNn, Conv3dMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check(
      "conv3d",
      [](const auto& t) {
        return F::conv3d(t[0], t[1], t[2], {1, 2, 1}, F::ConvPadding({1, 0, 1}), {2, 1, 1}, 2);
      },
      {{2, 4, 6, 7, 5}, {6, 2, 3, 2, 3}, {6}}, kConv);
  // Depth 1 with padding: a 5-d problem whose input depth is 1.
  check(
      "conv3d depth 1 padded", [](const auto& t) { return F::conv3d(t[0], t[1], opt(t, 2), 1, 1); },
      {{1, 2, 1, 5, 5}, {3, 2, 3, 3, 3}}, kConv);
}

TEST(CudaNn, ConvTransposeMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check(
      "conv_transpose2d", [](const auto& t) { return F::conv_transpose2d(t[0], t[1], t[2], 2, 1, 1, 2, 1); },
      {{2, 4, 5, 6}, {4, 3, 3, 3}, {6}}, kConv);
  check(
      "conv_transpose1d dilated", [](const auto& t) { return F::conv_transpose1d(t[0], t[1], t[2], 3, 2, 2, 1, 2); },
      {{3, 2, 7}, {2, 5, 4}, {5}}, kConv);
}

TEST(CudaNn, ConvTransposeOutputPaddingBeyondStride) {
  FX_SKIP_WITHOUT_GPU();
  // output_padding >= stride (allowed because < dilation): the output (8, 13) is longer than what
  // convolves to the input (4, 5) (it convolves to (5, 7)); the missing outputs have zero
  // gradient and the CUDA kernels zero-pad gy for cuDNN (backward data in the forward, backward
  // filter in the weight gradient). Only the weight requires grad: the CPU op layer itself
  // rejects the input gradient's shape in this configuration.
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor x = uniform({2, 3, 4, 5}, dt), w0 = uniform({3, 2, 2, 3}, dt), g = uniform({2, 2, 8, 13}, dt);
    fx::Tensor wc = w0.clone().requires_grad_(true), wg = w0.to(kGpu).requires_grad_(true);
    const fx::Tensor yc = F::conv_transpose2d(x, wc, fx::Tensor(), 1, 0, {1, 2}, 1, 3);
    const fx::Tensor yg = F::conv_transpose2d(x.to(kGpu), wg, fx::Tensor(), 1, 0, {1, 2}, 1, 3);
    ASSERT_EQ(yc.sizes(), (fx::Shape{2, 2, 8, 13}));
    EXPECT_TRUE(close(yg, yc, kConv)) << fx::dtype_name(dt);
    (yc * g).sum().backward();
    (yg * g.to(kGpu)).sum().backward();
    EXPECT_TRUE(close(wg.grad(), wc.grad(), kConv)) << fx::dtype_name(dt);
  }
}

TEST(CudaNn, ConvEmptyBatchAndTf32) {
  FX_SKIP_WITHOUT_GPU();
  // An empty batch: an empty output, a zero weight gradient.
  const fx::Tensor w = uniform({4, 3, 3, 3}, fx::kFloat32).to(kGpu).requires_grad_(true);
  const fx::Tensor x = fx::zeros({0, 3, 6, 6}, fx::TensorOptions().device(kGpu));
  fx::Tensor y = F::conv2d(x, w, fx::Tensor(), 1, 1);
  EXPECT_EQ(y.sizes(), (fx::Shape{0, 4, 6, 6}));
  y.backward(fx::zeros(y.sizes(), y.options()));
  ASSERT_TRUE(w.grad().defined());
  EXPECT_TRUE(matches_cpu(w.grad(), fx::zeros({4, 3, 3, 3})));
  // TF32 allowed: the result stays close (TF32 keeps 10 mantissa bits).
  struct Tf32 {  // restores the default even when the convolution throws
    Tf32() { fx::cuda::set_allow_tf32(true); }
    ~Tf32() { fx::cuda::set_allow_tf32(false); }
  };
  const fx::Tensor xc = uniform({2, 16, 12, 12}, fx::kFloat32), wc = uniform({16, 16, 3, 3}, fx::kFloat32);
  fx::Tensor yg;
  {
    Tf32 on;
    yg = F::conv2d(xc.to(kGpu), wc.to(kGpu), fx::Tensor(), 1, 1);
  }
  EXPECT_TRUE(fxtest::tensors_close(yg.cpu(), F::conv2d(xc, wc, fx::Tensor(), 1, 1), 2e-2, 5e-2));
}

// Contiguous views at an odd element offset: pointers aligned to the element only (not 16 bytes),
// as cuDNN gets for batch chunks and sliced inputs.
TEST(CudaNn, ConvOnOffsetViewsMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor x = uniform({3, 3, 5, 5}, dt), w = uniform({5, 3, 3, 3}, dt), b = uniform({5}, dt);
    auto run = [](const fx::Tensor& x, const fx::Tensor& w, const fx::Tensor& b) {
      const fx::Tensor xv = x.narrow(0, 1, 2), wv = w.narrow(0, 1, 4), bv = b.narrow(0, 1, 4);  // offsets 75, 27, 1
      const fx::Tensor y = F::conv2d(xv, wv, bv, 1, 1);                                         // (2, 4, 5, 5)
      return std::vector<fx::Tensor>{
          y, F::conv_transpose2d(y.narrow(1, 1, 3).narrow(0, 1, 1), wv.narrow(0, 1, 3), bv.narrow(0, 1, 3), 2)};
    };
    const auto gpu = run(x.to(kGpu), w.to(kGpu), b.to(kGpu)), cpu = run(x, w, b);
    for (size_t i = 0; i < cpu.size(); ++i) EXPECT_TRUE(close(gpu[i], cpu[i], kConv)) << fx::dtype_name(dt) << " " << i;
  }
}

// ---- pooling ----------------------------------------------------------------------------------------

TEST(CudaNn, MaxPoolMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("max_pool2d 2x2", [](const auto& t) { return F::max_pool2d(t[0], 2); }, {{2, 3, 10, 8}});
  check("max_pool2d overlapping ceil",
        [](const auto& t) { return F::max_pool2d(t[0], 3, 2, 1, 1, /*ceil_mode=*/true); }, {{2, 3, 11, 9}});
  check("max_pool2d dilated",
        [](const auto& t) {
          return F::max_pool2d(t[0], {2, 3}, {1, 2}, {1, 1}, {2, 1});
        },
        {{1, 2, 9, 12}});
  check("max_pool1d", [](const auto& t) { return F::max_pool1d(t[0], 3, 2, 1); }, {{2, 4, 15}});
  check("adaptive_max_pool2d", [](const auto& t) { return F::adaptive_max_pool2d(t[0], {4, 3}); }, {{2, 3, 11, 7}});
  // Indices are the CPU's exactly (first maximum wins; ties from repeated values; NaN wins).
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    fx::Tensor x = uniform({2, 2, 9, 9}, dt).mul(3).round();  // many ties
    x.index_put_({0, 1, 4, 4}, std::numeric_limits<double>::quiet_NaN());
    auto [yc, ic] = F::max_pool2d_with_indices(x, 3, 2, 1);
    auto [yg, ig] = F::max_pool2d_with_indices(x.to(kGpu), 3, 2, 1);
    EXPECT_TRUE(matches_cpu(yg, yc)) << fx::dtype_name(dt);
    EXPECT_TRUE(matches_cpu(ig, ic)) << fx::dtype_name(dt);
  }
}

TEST(CudaNn, AvgPoolMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("avg_pool2d", [](const auto& t) { return F::avg_pool2d(t[0], 3, 2, 1); }, {{2, 3, 10, 9}});
  check("avg_pool2d no pad count, ceil",
        [](const auto& t) {
          return F::avg_pool2d(t[0], {3, 2}, {2, 2}, {1, 1}, true, false);
        },
        {{2, 2, 9, 8}});
  check("avg_pool2d divisor_override", [](const auto& t) { return F::avg_pool2d(t[0], 2, 1, 0, false, true, 3); },
        {{1, 3, 6, 7}});
  check("avg_pool1d", [](const auto& t) { return F::avg_pool1d(t[0], 4, 3, 2); }, {{3, 2, 20}});
  check("adaptive_avg_pool2d", [](const auto& t) { return F::adaptive_avg_pool2d(t[0], {5, 3}); }, {{2, 3, 11, 7}});
  check("adaptive_avg_pool1d", [](const auto& t) { return F::adaptive_avg_pool1d(t[0], 6); }, {{2, 3, 17}});
}

TEST(CudaNn, MaxUnpoolMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor x = uniform({2, 3, 8, 6}, fx::kFloat64);
  const fx::Tensor idx = std::get<1>(F::max_pool2d_with_indices(x, 2));
  check("max_unpool2d",
        [idx](const auto& t) {
          return F::max_unpool2d(t[0], idx.to(t[0].device()), 2, 2, 0, {9, 7});
        },
        {{2, 3, 4, 3}});
  const fx::Tensor x1 = uniform({2, 3, 10}, fx::kFloat64);
  const fx::Tensor idx1 = std::get<1>(F::max_pool1d_with_indices(x1, 2));
  check("max_unpool1d", [idx1](const auto& t) { return F::max_unpool1d(t[0], idx1.to(t[0].device()), 2); },
        {{2, 3, 5}});
  // Out-of-range indices: the CPU's error, and nothing written out of bounds.
  fx::Tensor bad = idx.clone();
  bad.index_put_({1, 2, 0, 0}, 1000);
  EXPECT_FX_ERROR(F::max_unpool2d(uniform({2, 3, 4, 3}, fx::kFloat32).to(kGpu), bad.to(kGpu), 2, 2), "out of bounds");
  // The device is still usable after the error.
  EXPECT_TRUE(matches_cpu(fx::ones({3}, fx::TensorOptions().device(kGpu)) * 2, fx::full({3}, 2.0)));
}

// ---- interpolate --------------------------------------------------------------------------------------

TEST(CudaNn, InterpolateMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("nearest x2", [](const auto& t) { return F::interpolate(t[0], F::InterpolateOptions().scale_factor({2.0})); },
        {{2, 3, 5, 4}});
  check("nearest down",
        [](const auto& t) {
          return F::interpolate(t[0], F::InterpolateOptions().size({4, 3}).mode("nearest"));
        },
        {{2, 2, 9, 7}});
  check("nearest-exact",
        [](const auto& t) {
          return F::interpolate(t[0], F::InterpolateOptions().size({7, 5}).mode("nearest-exact"));
        },
        {{1, 3, 4, 3}});
  check("bilinear",
        [](const auto& t) {
          return F::interpolate(t[0], F::InterpolateOptions().size({9, 11}).mode("bilinear").align_corners(false));
        },
        {{2, 3, 5, 4}});
  check("bilinear align_corners",
        [](const auto& t) {
          return F::interpolate(t[0], F::InterpolateOptions().size({4, 7}).mode("bilinear").align_corners(true));
        },
        {{2, 2, 8, 5}});
  check("linear",
        [](const auto& t) {
          return F::interpolate(t[0], F::InterpolateOptions().scale_factor({2.5}).mode("linear").align_corners(false));
        },
        {{2, 3, 6}});
}

// ---- normalisation ------------------------------------------------------------------------------------

TEST(CudaNn, BatchNormTrainMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    // Short rows (B = 1, (N, C) input), medium rows, rows longer than a block (B = 400), and
    // channels with enough elements to be split over several blocks (long and short rows).
    for (const fx::Shape& s : {fx::Shape{16, 5}, fx::Shape{4, 3, 7, 5}, fx::Shape{3, 4, 20, 20},
                               fx::Shape{6, 3, 40, 40}, fx::Shape{10000, 2}}) {
      const int64_t C = s[1];
      const fx::Tensor rm = uniform({C}, dt), rv = uniform({C}, dt, 0.5, 2);
      fx::Tensor rmc = rm.clone(), rvc = rv.clone(), rmg = rm.to(kGpu), rvg = rv.to(kGpu);
      check("batch_norm train",
            [&](const auto& t) {
              const bool gpu = t[0].is_cuda();
              return F::batch_norm(t[0], gpu ? rmg : rmc, gpu ? rvg : rvc, t[1], t[2], true, 0.1, 1e-5);
            },
            {s, {C}, {C}});
      // check() ran two dtypes, each updating the running stats once per device.
      EXPECT_TRUE(matches_cpu(rmg, rmc)) << "running_mean";
      EXPECT_TRUE(matches_cpu(rvg, rvc)) << "running_var";
    }
  }
  // No affine parameters: undefined weight/bias gradients in the kernel.
  check("batch_norm train, no affine",
        [](const auto& t) { return F::batch_norm(t[0], fx::Tensor(), fx::Tensor(), fx::Tensor(), fx::Tensor(), true); },
        {{6, 4, 3, 3}});
}

TEST(CudaNn, BatchNormEvalMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor rm = uniform({5}, fx::kFloat64), rv = uniform({5}, fx::kFloat64, 0.5, 2);
  check("batch_norm eval",
        [&](const auto& t) {
          const fx::Device d = t[0].device();
          return F::batch_norm(t[0], rm.to(d, t[0].dtype()), rv.to(d, t[0].dtype()), t[1], t[2], false);
        },
        {{3, 5, 4, 6}, {5}, {5}});
  check("batch_norm eval, weight only",
        [&](const auto& t) {
          const fx::Device d = t[0].device();
          return F::batch_norm(t[0], rm.to(d, t[0].dtype()), rv.to(d, t[0].dtype()), t[1], fx::Tensor(), false);
        },
        {{8, 5}, {5}});
}

TEST(CudaNn, LayerGroupInstanceNormMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  check("layer_norm",
        [](const auto& t) {
          return F::layer_norm(t[0], {6, 7}, t[1], t[2]);
        },
        {{4, 3, 6, 7}, {6, 7}, {6, 7}});
  check("layer_norm long rows", [](const auto& t) { return F::layer_norm(t[0], {1000}); }, {{3, 1000}});
  check("group_norm", [](const auto& t) { return F::group_norm(t[0], 3, t[1], t[2]); }, {{2, 6, 5, 4}, {6}, {6}});
  check("group_norm, split rows", [](const auto& t) { return F::group_norm(t[0], 2); }, {{2, 4, 64, 64}});
  check("instance_norm", [](const auto& t) { return F::instance_norm(t[0]); }, {{2, 3, 8, 9}});
  // Statistics of a channel with a large mean (two-pass variance in double). In float32 the
  // normalisation x * scale + shift cancels ~1700 to ~1, so the CUDA FMA and the CPU's separate
  // multiply and add differ by up to an ulp of 1700 (1.2e-4).
  const fx::Tensor shifted = uniform({8, 2, 16}, fx::kFloat64) + 1000.0;
  check("batch_norm shifted input",
        [](const auto& t) { return F::batch_norm(t[0], fx::Tensor(), fx::Tensor(), fx::Tensor(), fx::Tensor(), true); },
        {{8, 2, 16}}, Tol{1e-3, 1e-3, 1e-9, 1e-9}, {shifted});
}

// ---- streams ------------------------------------------------------------------------------------------

// Everything above runs on the default (legacy) stream, which orders all work implicitly. On a
// user stream (created non-blocking: no implicit ordering with the legacy stream), the same
// training step must give the same numbers: cuDNN/cuBLAS bound to the current stream, table
// uploads, scratch buffers and read-backs (clip_grad_norm_, the unpool range flag) on it too.
TEST(CudaNn, TrainingStepOnAUserStreamMatchesTheDefaultStream) {
  FX_SKIP_WITHOUT_GPU();
  auto step = [] {
    const fx::TensorOptions o = fx::TensorOptions(fx::kFloat64).device(kGpu);
    fx::manual_seed(11);
    const fx::Tensor x = uniform({4, 3, 12, 12}, fx::kFloat64).to(kGpu);
    fx::Tensor w = uniform({6, 3, 3, 3}, fx::kFloat64).to(kGpu).requires_grad_(true);
    fx::Tensor b = uniform({6}, fx::kFloat64).to(kGpu).requires_grad_(true);
    fx::Tensor gamma = uniform({6}, fx::kFloat64, 0.5, 1.5).to(kGpu).requires_grad_(true);
    fx::Tensor y = F::conv2d(x, w, b, 1, 1);
    y = F::batch_norm(y, fx::Tensor(), fx::Tensor(), gamma, fx::Tensor(), true);
    auto [pooled, idx] = F::max_pool2d_with_indices(fx::relu(y), 2);
    y = F::max_unpool2d(pooled, idx, 2) +
        F::interpolate(F::avg_pool2d(pooled, 3, 2, 1), F::InterpolateOptions().size({12, 12}).mode("bilinear"));
    fx::sum(y * y).backward();
    fx::optim::Adam opt(std::vector<fx::Tensor>{w, b, gamma}, fx::optim::AdamOptions(0.01));
    const double norm = fx::optim::clip_grad_norm_(w, 1.0, 2.0);
    opt.step();
    const fx::Tensor r = fx::randn({257}, o);
    return std::make_pair(
        std::vector<fx::Tensor>{y.detach().cpu(), w.detach().cpu(), b.detach().cpu(), gamma.detach().cpu(), r.cpu()},
        norm);
  };
  const auto [ref, ref_norm] = step();
  fx::cuda::Stream s = fx::cuda::Stream::create(kGpu.index());
  std::vector<fx::Tensor> got;
  double got_norm = 0;
  {
    fx::cuda::StreamGuard g(s);
    std::tie(got, got_norm) = step();
    s.synchronize();
  }
  EXPECT_NEAR(got_norm, ref_norm, 1e-10 * ref_norm);
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_TRUE(fxtest::tensors_close(got[i], ref[i], 1e-10, 1e-12)) << i;
}
