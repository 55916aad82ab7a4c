// Indexing, scattering, joining, reordering, padding and sorting against PyTorch golden values
// (tests/golden/gen_index.py -> tests/golden/data/index.json).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fluxion/fluxion.h"
#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorIndex;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

// Rebuilds a golden input from its stored tensor and layout (see gen_index.py).
Tensor rebuild(const fxtest::GoldenCase& c, const std::string& key) {
  const Tensor& s = c.at(key);
  const auto& layouts = c.attrs.at("layouts");
  if (!layouts.contains(key)) return s;
  const std::string l = layouts.at(key).get<std::string>();
  if (l == "t") return s.mT();
  if (l == "step2") return s.slice(-1, 0, std::nullopt, 2);
  if (l == "expand") return s.expand(c.attrs.at("shapes").at(key).get<std::vector<int64_t>>());
  ADD_FAILURE() << "unknown layout " << l;
  return s;
}

std::vector<TensorIndex> parse_expr(const fxtest::GoldenCase& c) {
  std::vector<TensorIndex> out;
  for (const auto& it : c.attrs.at("expr")) {
    const std::string k = it.at("k").get<std::string>();
    auto opt = [&](const char* f) -> std::optional<int64_t> {
      if (it.at(f).is_null()) return std::nullopt;
      return it.at(f).get<int64_t>();
    };
    if (k == "int")
      out.emplace_back(it.at("v").get<int64_t>());
    else if (k == "slice")
      out.emplace_back(fx::Slice(opt("start"), opt("stop"), it.at("step").get<int64_t>()));
    else if (k == "none")
      out.emplace_back(fx::None);
    else if (k == "ellipsis")
      out.emplace_back(fx::Ellipsis);
    else if (k == "bool")
      out.emplace_back(it.at("v").get<bool>());
    else
      out.emplace_back(rebuild(c, it.at("name").get<std::string>()));
  }
  return out;
}

std::vector<Tensor> run(const fxtest::GoldenCase& c) {
  const auto& a = c.attrs;
  const std::string op = a.at("op").get<std::string>();
  std::vector<Tensor> in;
  for (const auto& k : a.at("inputs")) in.push_back(rebuild(c, k.get<std::string>()));
  auto i64 = [&](const char* k) { return a.at(k).get<int64_t>(); };
  auto b = [&](const char* k) { return a.at(k).get<bool>(); };
  auto num = [&](const char* k, const Tensor& like) {
    return like.is_floating_point() ? fx::Scalar(a.at(k).get<double>()) : fx::Scalar(a.at(k).get<int64_t>());
  };
  auto shape = [&](const char* k) { return fx::Shape(a.at(k).get<std::vector<int64_t>>()); };
  if (op == "index") return {in[0].index(parse_expr(c))};
  if (op == "index_put_expr") {
    Tensor y = in[0].clone();
    y.index_put_(parse_expr(c), in.back());
    return {y};
  }
  if (op == "index_put") {
    std::vector<Tensor> idx;
    for (int64_t u : a.at("undefined").get<std::vector<int64_t>>()) {
      (void)u;
      idx.emplace_back();
    }
    idx.push_back(in[1]);
    return {fx::index_put(in[0], idx, in[2], b("accumulate"))};
  }
  if (op == "index_select") return {fx::index_select(in[0], i64("dim"), in[1])};
  if (op == "gather") return {fx::gather(in[0], i64("dim"), in[1])};
  if (op == "scatter") return {fx::scatter(in[0], i64("dim"), in[1], in[2])};
  if (op == "scatter_value") return {fx::scatter(in[0], i64("dim"), in[1], num("value", in[0]))};
  if (op == "scatter_add") return {fx::scatter_add(in[0], i64("dim"), in[1], in[2])};
  if (op == "scatter_reduce")
    return {fx::scatter_reduce(in[0], i64("dim"), in[1], in[2], a.at("reduce").get<std::string>(), b("include_self"))};
  if (op == "index_add") return {fx::index_add(in[0], i64("dim"), in[1], in[2], num("alpha", in[0]))};
  if (op == "index_fill") return {fx::index_fill(in[0], i64("dim"), in[1], num("value", in[0]))};
  if (op == "masked_select") return {fx::masked_select(in[0], in[1])};
  if (op == "masked_scatter") return {fx::masked_scatter(in[0], in[1], in[2])};
  if (op == "nonzero") return {fx::nonzero(in[0])};
  if (op == "cat") return {fx::cat(in, i64("dim"))};
  if (op == "stack") return {fx::stack(in, i64("dim"))};
  if (op == "hstack") return {fx::hstack(in)};
  if (op == "vstack") return {fx::vstack(in)};
  if (op == "split") return fx::split(in[0], i64("size"), i64("dim"));
  if (op == "split_sizes") return fx::split(in[0], a.at("sizes").get<std::vector<int64_t>>(), i64("dim"));
  if (op == "chunk") return fx::chunk(in[0], i64("chunks"), i64("dim"));
  if (op == "unbind") return fx::unbind(in[0], i64("dim"));
  if (op == "flip") return {fx::flip(in[0], fx::DimList(shape("dims")))};
  if (op == "roll") return {fx::roll(in[0], fx::DimList(shape("shifts")), fx::DimList(shape("dims")))};
  if (op == "repeat") return {fx::repeat(in[0], shape("repeats"))};
  if (op == "tile") return {fx::tile(in[0], shape("reps"))};
  if (op == "repeat_interleave") {
    std::optional<int64_t> d;
    if (a.contains("dim")) d = i64("dim");
    return {fx::repeat_interleave(in[0], i64("repeats"), d)};
  }
  if (op == "repeat_interleave_t") {
    std::optional<int64_t> d;
    if (a.contains("dim")) d = i64("dim");
    return {fx::repeat_interleave(in[0], in[1], d)};
  }
  if (op == "tril") return {fx::tril(in[0], i64("diagonal"))};
  if (op == "triu") return {fx::triu(in[0], i64("diagonal"))};
  if (op == "pad")
    return {fx::pad(in[0], a.at("pad").get<std::vector<int64_t>>(), a.at("mode").get<std::string>(),
                    a.at("value").get<double>())};
  if (op == "sort") {
    auto [v, i] = fx::sort(in[0], i64("dim"), b("descending"), b("stable"));
    return {v, i};
  }
  if (op == "topk") {
    auto [v, i] = fx::topk(in[0], i64("k"), i64("dim"), b("largest"));
    return {v, i};
  }
  if (op == "argsort") return {fx::argsort(in[0], i64("dim"), b("descending"))};
  if (op == "unique") {
    std::optional<int64_t> d;
    if (a.contains("dim")) d = i64("dim");
    auto [v, inv, cnt] = fx::unique(in[0], true, b("inverse"), b("counts"), d);
    return {v, inv, cnt};
  }
  if (op == "one_hot") return {fx::one_hot(in[0], i64("num_classes"))};
  if (op == "bucketize") return {fx::bucketize(in[0], in[1], b("out_int32"), b("right"))};
  if (op == "searchsorted") return {fx::searchsorted(in[0], in[1], b("out_int32"), b("right"))};
  ADD_FAILURE() << "unknown op " << op;
  return {};
}

::testing::AssertionResult golden_close(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << "dtype " << actual.dtype() << " vs expected " << expected.dtype();
  // Every golden op moves values without arithmetic except the sums of quarter-multiples in
  // scatter/index_add/mean, which are exact in float32 and within rounding in half types.
  if (actual.dtype() == fx::kFloat16 || actual.dtype() == fx::kBFloat16)
    return tensors_close(actual.to(fx::kFloat32), expected.to(fx::kFloat32), 1e-2, 1e-2);
  if (actual.is_floating_point()) return tensors_close(actual, expected, 1e-6, 1e-6);
  return tensors_equal(actual, expected);
}

TEST(IndexGolden, MatchesPyTorch) {
  auto cases = fxtest::load_golden("index.json");
  ASSERT_GT(cases.size(), 200u);
  for (const fx::Device& device : fxtest::golden_devices()) {  // the CPU, and CUDA when present
    int checked = 0;
    std::vector<std::string> missing;
    for (const auto& c : cases) {
      SCOPED_TRACE(c.name + " on " + device.str());
      std::vector<Tensor> outs;
      try {
        outs = run(fxtest::on_device(c, device));
      } catch (const fx::Error& e) {
        if (device.is_cuda() && fxtest::is_missing_cuda_kernel(e)) {
          missing.push_back(c.name);
          continue;
        }
        ADD_FAILURE() << c.name << ": threw " << e.what();
        continue;
      }
      if (c.has("out")) {
        ASSERT_EQ(outs.size(), 1u);
        EXPECT_TRUE(golden_close(outs[0].cpu(), c.at("out"))) << c.name;
        ++checked;
        continue;
      }
      const size_t n = c.attrs.at("nout").get<size_t>();
      ASSERT_EQ(outs.size() >= n, true) << c.name << ": got " << outs.size() << " outputs, expected " << n;
      for (size_t i = 0; i < n; ++i) {
        std::string key = "out" + std::to_string(i);
        if (!c.has(key)) continue;
        EXPECT_TRUE(golden_close(outs[i].cpu(), c.at(key))) << c.name << " output " << i;
        ++checked;
      }
    }
    fxtest::report_missing(device, missing);
    EXPECT_GT(checked, 200) << device.str();
  }
}

}  // namespace
