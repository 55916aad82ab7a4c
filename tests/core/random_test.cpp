// Random: Philox known answers, determinism (seeds, generators, thread counts), moments,
// permutations, multinomial frequencies, argument errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "core/philox.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fxtest::tensors_equal;

namespace {

// Mean and (population) variance of any tensor, computed in double with raw loops.
std::pair<double, double> moments(const fx::Tensor& t) {
  fx::Tensor d = t.to(fx::kFloat64).contiguous();
  const double* p = d.data_ptr<double>();
  double mean = 0;
  for (int64_t i = 0; i < d.numel(); ++i) mean += p[i];
  mean /= static_cast<double>(d.numel());
  double var = 0;
  for (int64_t i = 0; i < d.numel(); ++i) var += (p[i] - mean) * (p[i] - mean);
  return {mean, var / static_cast<double>(d.numel())};
}

std::vector<double> values(const fx::Tensor& t) {
  fx::Tensor d = t.to(fx::kFloat64).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// Restores the thread count after a test changes it.
struct ThreadGuard {
  int prev = fx::get_num_threads();
  ~ThreadGuard() { fx::set_num_threads(prev); }
};

}  // namespace

TEST(Philox, MatchesRandom123KnownAnswers) {
  using fx::philox_impl::U32x4;
  auto r = fx::philox_impl::philox4x32_10(U32x4{{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(r.v[0], 0x6627e8d5u);
  EXPECT_EQ(r.v[1], 0xe169c58du);
  EXPECT_EQ(r.v[2], 0xbc57ac4cu);
  EXPECT_EQ(r.v[3], 0x9b00dbd8u);
  r = fx::philox_impl::philox4x32_10(U32x4{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu,
                                     0xffffffffu);
  EXPECT_EQ(r.v[0], 0x408f276du);
  EXPECT_EQ(r.v[1], 0x41c83b0eu);
  EXPECT_EQ(r.v[2], 0xa20bc7c6u);
  EXPECT_EQ(r.v[3], 0x6d5451fdu);
  r = fx::philox_impl::philox4x32_10(U32x4{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}, 0xa4093822u,
                                     0x299f31d0u);
  EXPECT_EQ(r.v[0], 0xd16cfe09u);
  EXPECT_EQ(r.v[1], 0x94fdccebu);
  EXPECT_EQ(r.v[2], 0x5001e420u);
  EXPECT_EQ(r.v[3], 0x24126ea1u);
  // The public wrapper: 64-bit counter in words 0-1, key = seed.
  auto p = fx::philox::philox4x32(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
  auto q = fx::philox_impl::philox4x32_10(U32x4{{0x89abcdefu, 0x01234567u, 0, 0}}, 0x76543210u, 0xfedcba98u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(p.v[i], q.v[i]);
}

TEST(Random, SameSeedSameValuesDifferentSeedDifferentValues) {
  fx::manual_seed(42);
  fx::Tensor a = fx::rand({1000});
  fx::Tensor b = fx::rand({1000});
  fx::manual_seed(42);
  fx::Tensor a2 = fx::rand({1000});
  fx::Tensor b2 = fx::rand({1000});
  EXPECT_TRUE(tensors_equal(a, a2));
  EXPECT_TRUE(tensors_equal(b, b2));
  EXPECT_FALSE(a.equal(b));  // successive draws use fresh counters
  fx::manual_seed(43);
  EXPECT_FALSE(fx::rand({1000}).equal(a));
  EXPECT_EQ(fx::default_generator().initial_seed(), 43u);
}

TEST(Random, ExplicitGeneratorIsIndependentOfTheDefault) {
  fx::Generator g1(7), g2(7);
  fx::Tensor x = fx::randn({64}, {}, &g1);
  fx::rand({100});  // the default generator moving does not affect g2
  fx::Tensor y = fx::randn({64}, {}, &g2);
  EXPECT_TRUE(tensors_equal(x, y));
  auto state = g1.get_state();
  fx::Tensor c = fx::randint(0, 1000, {50}, {}, &g1);
  g1.set_state(state);
  EXPECT_TRUE(tensors_equal(fx::randint(0, 1000, {50}, {}, &g1), c));
  g1.manual_seed(7);
  EXPECT_TRUE(tensors_equal(fx::randn({64}, {}, &g1), x));
}

TEST(Random, ElementDependsOnlyOnIndexSoAShortDrawIsAPrefix) {
  for (auto dt : {fx::kFloat32, fx::kFloat64}) {
    fx::Generator g(3);
    fx::Tensor small = fx::randn({5}, dt, &g);
    g.manual_seed(3);
    fx::Tensor big = fx::randn({100000}, dt, &g);
    EXPECT_TRUE(tensors_equal(small, big.slice(0, 0, 5))) << dt;
  }
}

TEST(Random, IdenticalForAnyThreadCount) {
  ThreadGuard tg;
  auto draw_all = [](int threads) {
    fx::set_num_threads(threads);
    fx::Generator g(2024);
    std::vector<fx::Tensor> r;
    r.push_back(fx::rand({300001}, fx::kFloat32, &g));
    r.push_back(fx::rand({150001}, fx::kFloat64, &g));
    r.push_back(fx::randn({300003}, fx::kFloat32, &g));
    r.push_back(fx::randn({150001}, fx::kFloat64, &g));
    r.push_back(fx::randn({70001}, fx::kBFloat16, &g));
    r.push_back(fx::randint(-5, 1000, {200001}, {}, &g));
    r.push_back(fx::randint(0, int64_t{1} << 40, {100001}, {}, &g));
    r.push_back(fx::bernoulli(fx::full({100001}, 0.3), &g));
    fx::Tensor e = fx::empty({100001});
    r.push_back(fx::exponential_(e, 2.0, &g));
    r.push_back(fx::multinomial(fx::ones({4000, 10}), 3, false, &g));
    r.push_back(fx::multinomial(fx::ones({4000, 10}), 5, true, &g));
    r.push_back(fx::randperm(100000, {}, &g));
    return r;
  };
  auto one = draw_all(1);
  auto two = draw_all(2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(tensors_equal(one[i], two[i])) << "draw " << i;
}

TEST(Random, UniformMomentsAndRangeForEveryFloatingDtype) {
  fx::manual_seed(1);
  const int64_t n = 200000;
  for (auto dt : {fx::kFloat32, fx::kFloat64, fx::kFloat16, fx::kBFloat16}) {
    fx::Tensor t = fx::rand({n}, dt);
    EXPECT_EQ(t.dtype(), dt);
    auto v = values(t);
    EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0);
    EXPECT_LE(*std::max_element(v.begin(), v.end()), 1.0);
    if (dt == fx::kFloat32 || dt == fx::kFloat64) {
      EXPECT_LT(*std::max_element(v.begin(), v.end()), 1.0);
    }
    auto [mean, var] = moments(t);
    // sd of the mean is 0.29 / sqrt(n) = 6.5e-4; allow ~6 sd (plus rounding of 16-bit types).
    EXPECT_NEAR(mean, 0.5, 4e-3) << dt;
    EXPECT_NEAR(var, 1.0 / 12.0, 3e-3) << dt;
  }
  fx::Tensor u = fx::empty({n}, fx::kFloat64);
  fx::uniform_(u, -2.0, 6.0);
  auto v = values(u);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -2.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 6.0);
  EXPECT_NEAR(moments(u).first, 2.0, 0.03);
  EXPECT_NEAR(moments(u).second, 64.0 / 12.0, 0.1);
}

TEST(Random, NormalMoments) {
  fx::manual_seed(2);
  const int64_t n = 200000;
  for (auto dt : {fx::kFloat32, fx::kFloat64, fx::kFloat16, fx::kBFloat16}) {
    auto [mean, var] = moments(fx::randn({n}, dt));
    EXPECT_NEAR(mean, 0.0, 0.015) << dt;
    EXPECT_NEAR(var, 1.0, 0.02) << dt;
  }
  auto [m2, v2] = moments(fx::normal(3.0, 2.0, {n}, fx::kFloat64));
  EXPECT_NEAR(m2, 3.0, 0.03);
  EXPECT_NEAR(v2, 4.0, 0.08);
  fx::Tensor t = fx::empty({n});
  fx::normal_(t, -1.0, 0.5);
  EXPECT_NEAR(moments(t).first, -1.0, 0.01);
  EXPECT_NEAR(moments(t).second, 0.25, 0.005);
  // Normal tails: about 0.27% of samples beyond 3 sd, none absurdly far.
  auto v = values(fx::randn({n}, fx::kFloat64));
  double beyond = std::count_if(v.begin(), v.end(), [](double x) { return std::abs(x) > 3; }) / double(n);
  EXPECT_NEAR(beyond, 0.0027, 0.0008);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 7.0);
}

TEST(Random, RandLikeAndRandnLikeKeepSizesAndDtype) {
  fx::Tensor base = fx::zeros({3, 4}, fx::kFloat64);
  fx::Tensor r = fx::rand_like(base);
  fx::Tensor n = fx::randn_like(base);
  EXPECT_EQ(r.sizes(), base.sizes());
  EXPECT_EQ(r.dtype(), fx::kFloat64);
  EXPECT_EQ(n.dtype(), fx::kFloat64);
  EXPECT_FALSE(r.equal(n));
  EXPECT_TRUE(fx::randn({2, 2}, fx::TensorOptions().requires_grad(true)).requires_grad());
}

TEST(Random, ExponentialMoments) {
  fx::manual_seed(3);
  for (auto dt : {fx::kFloat32, fx::kFloat64}) {
    fx::Tensor t = fx::empty({200000}, dt);
    fx::exponential_(t, 2.0);
    auto v = values(t);
    EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0);
    auto [mean, var] = moments(t);
    EXPECT_NEAR(mean, 0.5, 0.006) << dt;
    EXPECT_NEAR(var, 0.25, 0.01) << dt;
  }
}

TEST(Random, RandintCoversTheRangeUniformlyForEveryDtype) {
  fx::manual_seed(4);
  fx::Tensor t = fx::randint(-3, 7, {100000});
  EXPECT_EQ(t.dtype(), fx::kInt64);
  std::vector<int> counts(10, 0);
  const int64_t* p = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    ASSERT_GE(p[i], -3);
    ASSERT_LT(p[i], 7);
    ++counts[p[i] + 3];
  }
  for (int c : counts) EXPECT_NEAR(c / 100000.0, 0.1, 0.005);
  for (auto dt : {fx::kInt8, fx::kUInt8, fx::kInt32, fx::kFloat32, fx::kFloat64, fx::kFloat16, fx::kBFloat16}) {
    fx::Tensor r = fx::randint(0, 100, {5000}, dt);
    EXPECT_EQ(r.dtype(), dt);
    auto v = values(r);
    for (double x : v) {
      ASSERT_EQ(x, std::floor(x));
      ASSERT_GE(x, 0);
      ASSERT_LT(x, 100);
    }
    EXPECT_GT(std::set<double>(v.begin(), v.end()).size(), 90u) << dt;
  }
  fx::Tensor b = fx::zeros({1000}, fx::kBool);
  fx::random_(b, 0, 2);
  auto bv = values(b);
  EXPECT_NEAR(std::accumulate(bv.begin(), bv.end(), 0.0) / 1000, 0.5, 0.08);
  // One-argument form and a range wider than 2^32 (64-bit draw).
  fx::Tensor h = fx::randint(3, {200});
  for (double x : values(h)) EXPECT_TRUE(x == 0 || x == 1 || x == 2);
  fx::Tensor w = fx::randint(0, int64_t{1} << 50, {1000});
  int64_t wmax = *std::max_element(w.data_ptr<int64_t>(), w.data_ptr<int64_t>() + 1000);
  EXPECT_GT(wmax, int64_t{1} << 45);  // would be < 2^32 if only one word were used
}

TEST(Random, RandpermIsAPermutation) {
  fx::manual_seed(5);
  for (int64_t n : {0, 1, 2, 17, 1000}) {
    fx::Tensor p = fx::randperm(n);
    EXPECT_EQ(p.dtype(), fx::kInt64);
    ASSERT_EQ(p.numel(), n);
    std::vector<int64_t> v(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + n);
    std::sort(v.begin(), v.end());
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(v[i], i);
  }
  fx::Tensor p32 = fx::randperm(50, fx::kInt32);
  EXPECT_EQ(p32.dtype(), fx::kInt32);
  auto v = values(p32);
  EXPECT_EQ(std::set<double>(v.begin(), v.end()).size(), 50u);
  // Every element lands in every position equally often.
  std::vector<std::vector<int>> counts(3, std::vector<int>(3, 0));
  for (int k = 0; k < 3000; ++k) {
    fx::Tensor q = fx::randperm(3);
    for (int i = 0; i < 3; ++i) ++counts[i][q.data_ptr<int64_t>()[i]];
  }
  for (auto& row : counts)
    for (int c : row) EXPECT_NEAR(c / 3000.0, 1.0 / 3, 0.04);
  EXPECT_FALSE(fx::randperm(100).equal(fx::randperm(100)));
}

TEST(Random, BernoulliScalarAndTensorProbabilities) {
  fx::manual_seed(6);
  fx::Tensor b = fx::bernoulli(fx::zeros({100000}), 0.3);
  EXPECT_EQ(b.dtype(), fx::kFloat32);
  EXPECT_NEAR(moments(b).first, 0.3, 0.006);
  for (double x : values(b)) ASSERT_TRUE(x == 0 || x == 1);
  fx::Tensor bi = fx::zeros({1000}, fx::kInt64);
  fx::bernoulli_(bi, 1.0);
  EXPECT_EQ(moments(bi).first, 1.0);
  // Per-element probabilities, including exact 0 and 1.
  fx::Tensor p = fx::tensor({0.0, 1.0, 0.25}).expand({20000, 3}).contiguous();
  fx::Tensor s = fx::bernoulli(p);
  EXPECT_EQ(s.dtype(), fx::kFloat64);
  fx::Tensor sc = s.contiguous();
  const double* sp = sc.data_ptr<double>();
  double ones = 0;
  for (int64_t r = 0; r < 20000; ++r) {
    ASSERT_EQ(sp[3 * r], 0.0);
    ASSERT_EQ(sp[3 * r + 1], 1.0);
    ones += sp[3 * r + 2];
  }
  EXPECT_NEAR(ones / 20000, 0.25, 0.015);
  // Non-contiguous p.
  fx::Tensor pt = fx::full({3, 200}, 0.5).t();
  EXPECT_EQ(fx::bernoulli(pt).sizes(), (fx::Shape{200, 3}));
}

TEST(Random, MultinomialWithReplacementMatchesProbabilities) {
  fx::manual_seed(7);
  fx::Tensor probs = fx::tensor({0.1f, 0.2f, 0.7f, 0.0f});
  fx::Tensor s = fx::multinomial(probs, 100000, true);
  EXPECT_EQ(s.dtype(), fx::kInt64);
  EXPECT_EQ(s.sizes(), (fx::Shape{100000}));
  std::vector<double> freq(4, 0);
  for (int64_t i = 0; i < s.numel(); ++i) freq[s.data_ptr<int64_t>()[i]] += 1.0 / 100000;
  EXPECT_NEAR(freq[0], 0.1, 0.006);
  EXPECT_NEAR(freq[1], 0.2, 0.008);
  EXPECT_NEAR(freq[2], 0.7, 0.008);
  EXPECT_EQ(freq[3], 0.0);
  // Unnormalised weights behave the same.
  fx::Tensor s2 = fx::multinomial(fx::tensor({1.0, 3.0}), 40000, true);
  double ones = 0;
  for (int64_t i = 0; i < s2.numel(); ++i) ones += s2.data_ptr<int64_t>()[i];
  EXPECT_NEAR(ones / 40000, 0.75, 0.01);
}

TEST(Random, MultinomialWithoutReplacement) {
  fx::manual_seed(8);
  fx::Tensor w = fx::tensor({{1.0f, 2.0f, 7.0f}}).expand({20000, 3}).contiguous();
  fx::Tensor first = fx::multinomial(w, 1, false);
  EXPECT_EQ(first.sizes(), (fx::Shape{20000, 1}));
  std::vector<double> freq(3, 0);
  for (int64_t i = 0; i < 20000; ++i) freq[first.data_ptr<int64_t>()[i]] += 1.0 / 20000;
  EXPECT_NEAR(freq[0], 0.1, 0.012);
  EXPECT_NEAR(freq[1], 0.2, 0.015);
  EXPECT_NEAR(freq[2], 0.7, 0.015);
  // Second pick given the first: P(second = 1 | first = 2) = 2 / 3.
  fx::Tensor two = fx::multinomial(w, 2, false);
  int64_t n2 = 0, n21 = 0;
  for (int64_t r = 0; r < 20000; ++r) {
    const int64_t* row = two.data_ptr<int64_t>() + 2 * r;
    ASSERT_NE(row[0], row[1]);
    if (row[0] == 2) {
      ++n2;
      n21 += row[1] == 1;
    }
  }
  EXPECT_NEAR(double(n21) / n2, 2.0 / 3, 0.02);
  // All categories drawn: a permutation; zero-weight categories never drawn.
  fx::Tensor all = fx::multinomial(fx::ones({5}), 5, false);
  std::vector<int64_t> v(all.data_ptr<int64_t>(), all.data_ptr<int64_t>() + 5);
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  fx::Tensor z = fx::multinomial(fx::tensor({0.0, 1.0, 1.0, 0.0}), 2, false);
  std::set<int64_t> zs(z.data_ptr<int64_t>(), z.data_ptr<int64_t>() + 2);
  EXPECT_EQ(zs, (std::set<int64_t>{1, 2}));
}

TEST(Random, InPlaceFillsWriteThroughNonContiguousViewsAndBumpVersion) {
  fx::manual_seed(9);
  fx::Tensor base = fx::full({4, 6}, -1.0f);
  fx::Tensor view = base.t();
  uint32_t v0 = base._version();
  fx::uniform_(view, 0.0, 1.0);
  EXPECT_GT(base._version(), v0);
  for (double x : values(base)) {
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
  }
  // Filling only a slice leaves the rest alone.
  fx::Tensor z = fx::zeros({10});
  fx::Tensor part = z.slice(0, 0, 10, 2);
  fx::normal_(part, 5.0, 0.1);
  auto zv = values(z);
  for (int i = 0; i < 10; ++i) {
    if (i % 2)
      EXPECT_EQ(zv[i], 0.0);
    else
      EXPECT_NEAR(zv[i], 5.0, 1.0);
  }
}

TEST(Random, InPlaceOnALeafThatRequiresGradIsAnError) {
  fx::Tensor w = fx::zeros({3}, fx::TensorOptions().requires_grad(true));
  EXPECT_FX_ERROR(fx::uniform_(w), "leaf");
  {
    fx::NoGradGuard ng;
    fx::normal_(w);  // allowed: the usual parameter initialisation
  }
  EXPECT_TRUE(w.requires_grad());
}

TEST(Random, NormalWithTensorArgumentsIsReparameterised) {
  fx::manual_seed(10);
  fx::Tensor mean = fx::full({50000}, 2.0, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  fx::Tensor sd = fx::full({1}, 3.0, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  fx::Tensor s = fx::normal(mean, sd);
  EXPECT_EQ(s.sizes(), (fx::Shape{50000}));
  auto [m, v] = moments(s.detach());
  EXPECT_NEAR(m, 2.0, 0.06);
  EXPECT_NEAR(v, 9.0, 0.25);
  s.sum().backward();
  EXPECT_TRUE(tensors_equal(mean.grad(), fx::ones({50000}, fx::kFloat64)));
  // d/dstd sum(mean + std * eps) = sum(eps) = (sum(s) - sum(mean)) / std.
  double expected = (m - 2.0) * 50000 / 3.0;
  EXPECT_NEAR(sd.grad().item<double>(), expected, 1e-6 * 50000);
}

TEST(Random, ArgumentErrors) {
  EXPECT_FX_ERROR(fx::randint(5, 5, {3}), "low < high");
  EXPECT_FX_ERROR(fx::randint(0, 300, {3}, fx::kInt8), "does not fit dtype int8");
  EXPECT_FX_ERROR(fx::randint(-1, 3, {3}, fx::kUInt8), "does not fit");
  EXPECT_FX_ERROR(fx::rand({3}, fx::kInt64), "floating-point");
  EXPECT_FX_ERROR(fx::randn({3}, fx::kBool), "floating-point");
  EXPECT_FX_ERROR(fx::randperm(-1), "non-negative");
  EXPECT_FX_ERROR(fx::randperm(300, fx::kInt8), "too large");
  EXPECT_FX_ERROR(fx::bernoulli(fx::zeros({2}), 1.5), "0 <= p <= 1");
  EXPECT_FX_ERROR(fx::bernoulli(fx::tensor({0.5f, -0.1f})), "[0, 1]");
  EXPECT_FX_ERROR(fx::bernoulli(fx::tensor({1, 0})), "floating-point");
  EXPECT_FX_ERROR(fx::multinomial(fx::tensor({0.5f, -0.1f}), 1), "non-negative");
  EXPECT_FX_ERROR(fx::multinomial(fx::zeros({2, 3}), 1), "sums to zero");
  EXPECT_FX_ERROR(fx::multinomial(fx::ones({3}), 4, false), "without replacement");
  EXPECT_FX_ERROR(fx::multinomial(fx::tensor({1.0f, 0.0f, 0.0f}), 2, false), "non-zero categories");
  EXPECT_FX_ERROR(fx::multinomial(fx::ones({2, 2, 2}), 1), "1-d or 2-d");
  EXPECT_FX_ERROR(fx::multinomial(fx::ones({3}), 0), "positive");
  EXPECT_FX_ERROR(fx::normal(0.0, -1.0, {3}), "std >= 0");
  EXPECT_FX_ERROR(fx::normal(fx::zeros({3}), fx::full({3}, -1.0f)), "std >= 0");
  fx::Tensor t = fx::zeros({3});
  EXPECT_FX_ERROR(fx::exponential_(t, 0.0), "lambd > 0");
  EXPECT_FX_ERROR(fx::uniform_(t, 2.0, 1.0), "from <= to");
  fx::Tensor i = fx::zeros({3}, fx::kInt32);
  EXPECT_FX_ERROR(fx::normal_(i), "floating-point");
  EXPECT_FX_ERROR(fx::random_(i, 3, 1), "low < high");
}
