// Elementwise ops over mixed layouts (a transposed operand meeting row-major ones), which take the
// tiled and staged paths of run_pointwise_plan (Note [Staged transposed tiles] in
// src/kernels/cpu/pointwise_cpu.h): every element size (1, 2, 4, 8 bytes), odd sizes, tiles cut
// by the edges, power-of-two strides with offsets, 3-d tensors, broadcasting, transposed outputs
// and in-place ops. The oracle is the same op on contiguous copies; results must match bit for
// bit, since elementwise results do not depend on the iteration order.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "fluxion/fluxion.h"
#include "kernels/cpu/transpose_tile.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fxtest::tensors_equal;

namespace {

const fx::DType kAllDtypes[] = {fx::kBool,  fx::kUInt8,   fx::kInt8,  fx::kFloat16, fx::kBFloat16,
                                fx::kInt32, fx::kFloat32, fx::kInt64, fx::kFloat64};

// Random values of `dt`: normal floats, integers in [-50, 50) (unsigned: [0, 50)), bools ~50/50.
Tensor sample(const fx::Shape& s, fx::DType dt, uint64_t seed) {
  fx::Generator g(seed);
  Tensor f = fx::randn(s, fx::TensorOptions(fx::kFloat64), &g);
  if (dt == fx::kBool) return f > 0.0;
  if (dt == fx::kUInt8) return (f.abs() * 20.0).floor().clamp(0, 49).to(dt);
  if (dt == fx::kInt8 || dt == fx::kInt32 || dt == fx::kInt64) return (f * 20.0).floor().clamp(-50, 49).to(dt);
  return f.to(dt);
}

// A binary op defined for every dtype (bool: logical and, as a product).
Tensor binop(const Tensor& a, const Tensor& b) {
  if (a.dtype() == fx::kBool) return a.logical_and(b);
  return a * b + a;
}

// The shapes (R, C) that the mixed-layout tests walk: odd sizes, exact tiles, tiles cut by edges.
const std::vector<std::pair<int64_t, int64_t>> kShapes = {{1, 7},    {5, 3},   {37, 53},   {64, 128},
                                                          {65, 129}, {16, 16}, {130, 257}, {200, 31}};

}  // namespace

TEST(PointwiseLayout, TransposeTileMatchesReference) {
  // Every element size, the vectorised ones with blocks cut by the edges and unaligned origins.
  for (int64_t es : {1, 2, 3, 4, 8}) {
    for (auto [rows, cols] :
         std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {16, 16}, {37, 53}, {64, 128}, {33, 17}}) {
      const int64_t src_stride = (rows + 5) * es;  // bytes between source columns
      std::vector<unsigned char> src(static_cast<size_t>(cols * src_stride + es + 1));
      for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<unsigned char>(i * 131 + 7);
      const int64_t dst_stride = (cols + 3) * es;
      std::vector<unsigned char> dst(static_cast<size_t>(rows * dst_stride), 0);
      const char* s = reinterpret_cast<const char*>(src.data()) + es;  // not aligned
      fx::kernels::transpose_tile(s, src_stride, reinterpret_cast<char*>(dst.data()), dst_stride, rows, cols, es);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          ASSERT_EQ(std::memcmp(dst.data() + r * dst_stride + c * es, s + r * es + c * src_stride, es), 0)
              << "es " << es << " tile " << rows << "x" << cols << " at (" << r << ", " << c << ")";
    }
  }
}

TEST(PointwiseLayout, TransposedPlusContiguousEveryDtype) {
  uint64_t seed = 1;
  for (fx::DType dt : kAllDtypes) {
    for (auto [R, C] : kShapes) {
      Tensor x = sample({C, R}, dt, seed++), y = sample({R, C}, dt, seed++);
      Tensor xt = x.t();  // (R, C), strides (1, R)
      Tensor expect = binop(xt.contiguous(), y);
      EXPECT_TRUE(tensors_equal(binop(xt, y), expect)) << dt << " " << R << "x" << C;
      EXPECT_TRUE(tensors_equal(binop(y, xt), binop(y, xt.contiguous()))) << dt << " " << R << "x" << C;
      // Both inputs transposed, output row-major (out= variant).
      Tensor out = fx::empty({R, C}, fx::TensorOptions(dt));
      if (dt != fx::kBool) {
        fx::mul_out(out, xt, y.t().contiguous().t());
        EXPECT_TRUE(tensors_equal(out, xt.contiguous() * y)) << dt << " " << R << "x" << C;
      }
      // Comparison (bool output, 1-byte) against transposed inputs.
      EXPECT_TRUE(tensors_equal(xt.eq(y), xt.contiguous().eq(y))) << dt;
    }
  }
}

TEST(PointwiseLayout, TransposedOutput) {
  uint64_t seed = 100;
  for (fx::DType dt : kAllDtypes) {
    if (dt == fx::kBool) continue;
    for (auto [R, C] : kShapes) {
      Tensor a = sample({R, C}, dt, seed++), b = sample({R, C}, dt, seed++);
      Tensor out = fx::empty({C, R}, fx::TensorOptions(dt));
      Tensor out_t = out.t();
      fx::add_out(out_t, a, b);  // out.t() = a + b: writes walk the output's columns
      EXPECT_TRUE(tensors_equal(out.t().contiguous(), a + b)) << dt << " " << R << "x" << C;
    }
  }
}

TEST(PointwiseLayout, UnaryTransposedIntoContiguous) {
  uint64_t seed = 200;
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16, fx::kFloat32, fx::kFloat64}) {
    for (auto [R, C] : kShapes) {
      Tensor xt = sample({C, R}, dt, seed++).t();
      Tensor out = fx::empty({R, C}, fx::TensorOptions(dt));
      fx::exp_out(out, xt);
      EXPECT_TRUE(tensors_equal(out, xt.contiguous().exp())) << dt << " " << R << "x" << C;
      fx::sigmoid_out(out, xt);
      EXPECT_TRUE(tensors_equal(out, xt.contiguous().sigmoid())) << dt << " " << R << "x" << C;
    }
  }
  for (fx::DType dt : {fx::kInt8, fx::kInt32, fx::kInt64}) {
    Tensor xt = sample({53, 37}, dt, seed++).t();
    EXPECT_TRUE(tensors_equal(xt.neg() + xt.contiguous().abs(), xt.contiguous().neg() + xt.contiguous().abs()));
    EXPECT_TRUE(
        tensors_equal(xt.abs() + sample({37, 53}, dt, seed), xt.contiguous().abs() + sample({37, 53}, dt, seed)));
  }
}

TEST(PointwiseLayout, PowerOfTwoStridesWithOffsets) {
  // Windows of a (4096, 4096) float tensor and a (2048, 2048) double tensor: rows 16 KiB apart,
  // window origins not aligned to a SIMD block.
  for (auto [N, dt] : std::vector<std::pair<int64_t, fx::DType>>{{4096, fx::kFloat32}, {2048, fx::kFloat64}}) {
    Tensor base = sample({N, N}, dt, 300 + N);
    Tensor xt = base.t().narrow(0, 5, 133).narrow(1, 7, 1000);  // (133, 1000), strides (1, N)
    Tensor y = sample({133, 1000}, dt, 301);
    EXPECT_TRUE(tensors_equal(xt + y, xt.contiguous() + y)) << dt;
    EXPECT_TRUE(tensors_equal(y - xt, y - xt.contiguous())) << dt;
    // The whole matrix (the benchmark's case), through several threads when configured.
    Tensor yy = sample({N, N}, dt, 302);
    EXPECT_TRUE(tensors_equal(base.t() + yy, base.t().contiguous() + yy)) << dt;
  }
}

TEST(PointwiseLayout, ThreeDimensionalTransposedInnerPair) {
  uint64_t seed = 400;
  for (fx::DType dt : {fx::kBool, fx::kInt8, fx::kFloat16, fx::kFloat32, fx::kInt64, fx::kFloat64}) {
    Tensor x = sample({5, 53, 37}, dt, seed++).transpose(1, 2);  // (5, 37, 53), inner pair transposed
    Tensor y = sample({5, 37, 53}, dt, seed++);
    EXPECT_TRUE(tensors_equal(binop(x, y), binop(x.contiguous(), y))) << dt;
    // A permutation that moves the batch dim inside.
    Tensor z = sample({37, 53, 5}, dt, seed++).permute({2, 0, 1});  // (5, 37, 53)
    EXPECT_TRUE(tensors_equal(binop(z, x), binop(z.contiguous(), x.contiguous()))) << dt;
    // A transposed slice with a step in the batch dim.
    Tensor w = sample({9, 53, 37}, dt, seed++).narrow(0, 1, 5).transpose(1, 2);
    EXPECT_TRUE(tensors_equal(binop(w, y), binop(w.contiguous(), y))) << dt;
  }
}

TEST(PointwiseLayout, BroadcastWithTransposedOperands) {
  uint64_t seed = 500;
  for (fx::DType dt : {fx::kUInt8, fx::kFloat16, fx::kInt32, fx::kFloat32, fx::kFloat64, fx::kInt64}) {
    for (auto [R, C] : kShapes) {
      Tensor xt = sample({C, R}, dt, seed++).t();
      Tensor row = sample({C}, dt, seed++), col = sample({R, 1}, dt, seed++);
      EXPECT_TRUE(tensors_equal(xt + row, xt.contiguous() + row)) << dt << " " << R << "x" << C;
      EXPECT_TRUE(tensors_equal(col * xt, col * xt.contiguous())) << dt << " " << R << "x" << C;
      // Four operands: where(cond.t(), x.t(), row) with a transposed bool condition.
      Tensor cond = sample({C, R}, fx::kBool, seed++).t();
      EXPECT_TRUE(tensors_equal(fx::where(cond, xt, row), fx::where(cond.contiguous(), xt.contiguous(), row)))
          << dt << " " << R << "x" << C;
      // A transposed operand expanded along a new batch dim.
      Tensor b3 = xt.unsqueeze(0).expand({3, R, C});
      Tensor y3 = sample({3, R, C}, dt, seed++);
      EXPECT_TRUE(tensors_equal(b3 + y3, xt.contiguous().unsqueeze(0) + y3)) << dt << " " << R << "x" << C;
    }
  }
}

TEST(PointwiseLayout, InPlaceWithTransposedOther) {
  uint64_t seed = 600;
  for (fx::DType dt : {fx::kInt8, fx::kFloat16, fx::kFloat32, fx::kInt64, fx::kFloat64}) {
    for (auto [R, C] : kShapes) {
      Tensor xt = sample({C, R}, dt, seed++).t();
      Tensor y = sample({R, C}, dt, seed++);
      Tensor expect = y + xt.contiguous();
      y.add_(xt);
      EXPECT_TRUE(tensors_equal(y, expect)) << dt << " " << R << "x" << C;
      // And the transposed tensor updated in place from a row-major one.
      Tensor z = sample({R, C}, dt, seed++);
      Tensor expect_t = xt.contiguous() * z;
      xt.mul_(z);
      EXPECT_TRUE(tensors_equal(xt.contiguous(), expect_t)) << dt << " " << R << "x" << C;
    }
  }
}

TEST(PointwiseLayout, ThreadCountDoesNotChangeResults) {
  const int saved = fx::get_num_threads();
  Tensor xt = sample({1500, 700}, fx::kFloat32, 700).t();
  Tensor y = sample({700, 1500}, fx::kFloat32, 701);
  fx::set_num_threads(1);
  Tensor one = xt * y + xt.exp();
  fx::set_num_threads(2);
  Tensor two = xt * y + xt.exp();
  fx::set_num_threads(saved);
  EXPECT_TRUE(tensors_equal(one, two));
  EXPECT_TRUE(tensors_equal(one, xt.contiguous() * y + xt.contiguous().exp()));
}
