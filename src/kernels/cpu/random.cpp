// CPU random kernels: one Philox block per 4 (32-bit) or 2 (64-bit) elements, threaded over
// parallel_for. Chunk boundaries do not matter: every element recomputes its own block (see
// Note [Random stream layout]), so results are identical for any thread count.
#include "kernels/random_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/loops.h"
#include "kernels/random_functors.h"

namespace fluxion::kernels {

FX_DEFINE_KERNEL(uniform_kernel, UniformFn);
FX_DEFINE_KERNEL(normal_kernel, NormalFn);
FX_DEFINE_KERNEL(exponential_kernel, ExponentialFn);
FX_DEFINE_KERNEL(random_int_kernel, RandomIntFn);
FX_DEFINE_KERNEL(bernoulli_scalar_kernel, BernoulliScalarFn);
FX_DEFINE_KERNEL(bernoulli_tensor_kernel, BernoulliTensorFn);
FX_DEFINE_KERNEL(multinomial_kernel, MultinomialFn);
FX_DEFINE_KERNEL(randperm_kernel, RandpermFn);

namespace {

// Elements per thread chunk below which sampling stays on one thread (a block costs ~40 ns).
constexpr int64_t kRandomGrain = 16384;

// Runs f(i, block, lane) over all elements of `out` (contiguous), threaded.
template <class F>
void draw_all(const Tensor& out, uint64_t seed, uint64_t offset, bool wide, const F& f) {
  FX_ASSERT(out.is_contiguous());
  parallel_for(out.numel(), kRandomGrain,
               [&](int64_t b, int64_t e) { rnd::for_each_draw(b, e, seed, offset, wide, f); });
}

template <class T>
void uniform_cpu(const Tensor& out, uint64_t seed, uint64_t offset, double from, double to) {
  T* o = out.data_ptr<T>();
  if constexpr (std::is_same_v<T, double>) {
    const double span = to - from;
    draw_all(out, seed, offset, true,
             [=](int64_t i, const rnd::U32x4& b, int lane) { o[i] = from + span * rnd::uniform64(b, lane); });
  } else {
    const float f = static_cast<float>(from), span = static_cast<float>(to - from);
    draw_all(out, seed, offset, false, [=](int64_t i, const rnd::U32x4& b, int lane) {
      o[i] = cast_value<T>(f + span * rnd::uniform32(b, lane));
    });
  }
}

template <class T>
void normal_cpu(const Tensor& out, uint64_t seed, uint64_t offset, double mean, double std) {
  T* o = out.data_ptr<T>();
  if constexpr (std::is_same_v<T, double>) {
    draw_all(out, seed, offset, true,
             [=](int64_t i, const rnd::U32x4& b, int lane) { o[i] = mean + std * rnd::normal64(b, lane); });
  } else {
    const float m = static_cast<float>(mean), s = static_cast<float>(std);
    draw_all(out, seed, offset, false,
             [=](int64_t i, const rnd::U32x4& b, int lane) { o[i] = cast_value<T>(m + s * rnd::normal32(b, lane)); });
  }
}

template <class T>
void exponential_cpu(const Tensor& out, uint64_t seed, uint64_t offset, double lambd) {
  T* o = out.data_ptr<T>();
  if constexpr (std::is_same_v<T, double>) {
    draw_all(out, seed, offset, true, [=](int64_t i, const rnd::U32x4& b, int lane) {
      o[i] = -std::log1p(-rnd::uniform64(b, lane)) / lambd;  // 1 - u in (0, 1]: finite
    });
  } else {
    const float l = static_cast<float>(lambd);
    draw_all(out, seed, offset, false, [=](int64_t i, const rnd::U32x4& b, int lane) {
      o[i] = cast_value<T>(-std::log1p(-rnd::uniform32(b, lane)) / l);
    });
  }
}

template <class T>
void random_int_cpu(const Tensor& out, uint64_t seed, uint64_t offset, int64_t low, uint64_t range) {
  T* o = out.data_ptr<T>();
  // Modulo reduction (as PyTorch): the bias is < range / 2^32 (or / 2^64 for the wide draw).
  auto store = [=](int64_t i, uint64_t r) {
    int64_t v = static_cast<int64_t>(static_cast<uint64_t>(low) + r % range);
    if constexpr (std::is_same_v<T, bool>)
      o[i] = v != 0;
    else if constexpr (std::is_integral_v<T>)
      o[i] = static_cast<T>(v);
    else
      o[i] = cast_value<T>(static_cast<double>(v));
  };
  if (range > (uint64_t{1} << 32)) {
    draw_all(out, seed, offset, true,
             [=](int64_t i, const rnd::U32x4& b, int lane) { store(i, rnd::word64(b, lane)); });
  } else {
    draw_all(out, seed, offset, false,
             [=](int64_t i, const rnd::U32x4& b, int lane) { store(i, rnd::word32(b, lane)); });
  }
}

template <class T>
void bernoulli_scalar_cpu(const Tensor& out, uint64_t seed, uint64_t offset, double p) {
  T* o = out.data_ptr<T>();
  draw_all(out, seed, offset, true, [=](int64_t i, const rnd::U32x4& b, int lane) {
    o[i] = cast_value<T>(rnd::uniform64(b, lane) < p ? 1.0f : 0.0f);
  });
}

template <class T>
void bernoulli_tensor_cpu(const Tensor& out, const Tensor& p, uint64_t seed, uint64_t offset) {
  FX_ASSERT(p.dtype() == kFloat64 && p.is_contiguous() && p.sizes() == out.sizes());
  T* o = out.data_ptr<T>();
  const double* pp = p.data_ptr<double>();
  draw_all(out, seed, offset, true, [=](int64_t i, const rnd::U32x4& b, int lane) {
    o[i] = cast_value<T>(rnd::uniform64(b, lane) < pp[i] ? 1.0f : 0.0f);
  });
}

void multinomial_cpu(const Tensor& out, const Tensor& weights, bool replacement, uint64_t seed, uint64_t offset) {
  FX_ASSERT(weights.dtype() == kFloat64 && weights.is_contiguous() && weights.dim() == 2);
  FX_ASSERT(out.dtype() == kInt64 && out.is_contiguous() && out.dim() == 2 && out.size(0) == weights.size(0));
  const int64_t rows = weights.size(0), n = weights.size(1), k = out.size(1);
  const int64_t stride = std::max(n, k);  // draw elements per row
  const double* w = weights.data_ptr<double>();
  int64_t* o = out.data_ptr<int64_t>();
  // Uniform number `j` of row `r` in the shared stream.
  auto uniform_at = [=](int64_t r, int64_t j) {
    int64_t i = r * stride + j;
    return rnd::uniform64(philox_impl::block(offset + static_cast<uint64_t>(i / 2), seed), static_cast<int>(i % 2));
  };
  parallel_for(rows, std::max<int64_t>(1, kRandomGrain / std::max<int64_t>(stride, 1)), [&](int64_t rb, int64_t re) {
    std::vector<double> buf(static_cast<size_t>(n));
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t r = rb; r < re; ++r) {
      const double* row = w + r * n;
      int64_t* orow = o + r * k;
      if (replacement) {
        // Inverse CDF: first category whose cumulative weight exceeds u * total.
        double acc = 0;
        for (int64_t j = 0; j < n; ++j) buf[j] = acc += row[j];
        for (int64_t j = 0; j < k; ++j) {
          double x = uniform_at(r, j) * acc;
          int64_t c = std::upper_bound(buf.begin(), buf.end(), x) - buf.begin();
          while (c >= n || row[c] <= 0) --c;  // x rounding up to the total: take the last positive
          orow[j] = c;
        }
      } else {
        // Exponential race: the order of E_j = -log(u_j) / w_j is the order in which sequential
        // sampling without replacement would pick the categories (Efraimidis-Spirakis).
        for (int64_t j = 0; j < n; ++j) {
          double e = -std::log1p(-uniform_at(r, j));
          buf[j] = row[j] > 0 ? e / row[j] : std::numeric_limits<double>::infinity();
          idx[j] = j;
        }
        std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                          [&](int64_t a, int64_t b) { return buf[a] < buf[b] || (buf[a] == buf[b] && a < b); });
        for (int64_t j = 0; j < k; ++j) orow[j] = idx[j];
      }
    }
  });
}

template <class T>
void randperm_cpu(const Tensor& out, uint64_t seed, uint64_t offset) {
  const int64_t n = out.numel();
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  // Fisher-Yates, serial: step s (for position i = n-1-s) uses draw element s.
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t s = n - 1 - i;
    uint64_t bits =
        rnd::word64(philox_impl::block(offset + static_cast<uint64_t>(s / 2), seed), static_cast<int>(s % 2));
    int64_t j = static_cast<int64_t>(bits % static_cast<uint64_t>(i + 1));
    std::swap(p[i], p[j]);
  }
  T* o = out.data_ptr<T>();
  for (int64_t i = 0; i < n; ++i) o[i] = cast_value<T>(p[i]);
}

bool register_all() {
  constexpr auto cpu = DeviceType::CPU;
  auto floating = [&](DType dt, auto tag) {
    using T = decltype(tag);
    uniform_kernel.set(cpu, dt, &uniform_cpu<T>);
    normal_kernel.set(cpu, dt, &normal_cpu<T>);
    exponential_kernel.set(cpu, dt, &exponential_cpu<T>);
  };
  floating(kFloat32, float{});
  floating(kFloat64, double{});
  floating(kFloat16, Half{});
  floating(kBFloat16, BFloat16{});
  for (int t = 0; t < kNumDTypes; ++t) {
    DType dt = static_cast<DType>(t);
    FX_DISPATCH_ALL_TYPES(dt, "register random kernels", [&] {
      random_int_kernel.set(cpu, dt, &random_int_cpu<scalar_t>);
      bernoulli_scalar_kernel.set(cpu, dt, &bernoulli_scalar_cpu<scalar_t>);
      bernoulli_tensor_kernel.set(cpu, dt, &bernoulli_tensor_cpu<scalar_t>);
      if constexpr (!std::is_same_v<scalar_t, bool>) randperm_kernel.set(cpu, dt, &randperm_cpu<scalar_t>);
    });
  }
  multinomial_kernel.set(cpu, kFloat64, &multinomial_cpu);
  return true;
}
const bool registered = register_all();

}  // namespace
}  // namespace fluxion::kernels
