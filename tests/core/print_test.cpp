// Printing: every case of tests/golden/gen_core.py must print exactly as PyTorch's str().
#include <gtest/gtest.h>

#include <sstream>

#include "support/golden.h"
#include "support/test_util.h"

namespace fx = fluxion;

namespace {
std::string str(const fx::Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}
}  // namespace

TEST(Print, MatchesPyTorchStr) {
  int checked = 0;
  for (const auto& c : fxtest::load_golden("core.json")) {
    if (c.name.rfind("print/", 0) != 0) continue;
    fx::Tensor x = c.at("x");
    if (c.attrs.value("transform", "") == "t") x = x.t();
    if (c.attrs.value("requires_grad", false)) x = x.detach().requires_grad_(true);
    if (c.attrs.value("op", "") == "clone") x = x.clone();
    EXPECT_EQ(str(x), c.attrs.at("expected").get<std::string>()) << c.name;
    ++checked;
  }
  EXPECT_GE(checked, 35);
}

TEST(Print, ToStringAndUndefined) {
  EXPECT_EQ(fx::tensor(std::vector<int64_t>{1, 2}).toString(), "tensor([1, 2])");
  EXPECT_EQ(str(fx::Tensor()), "[ Tensor (undefined) ]");
}

TEST(Print, NonContiguousViewsPrintTheirOwnElements) {
  fx::Tensor base = fx::tensor(std::vector<int64_t>{0, 1, 2, 3, 4, 5}, fx::Shape{2, 3});
  EXPECT_EQ(str(base.select(1, 1)), "tensor([1, 4])");
  EXPECT_EQ(str(base.slice(1, 0, 3, 2)), "tensor([[0, 2],\n        [3, 5]])");
  EXPECT_EQ(str(fx::tensor(std::vector<int64_t>{7}).expand({2, 2})), "tensor([[7, 7],\n        [7, 7]])");
}

TEST(Print, FollowsTheDefaultDtype) {
  fx::set_default_dtype(fx::kFloat64);
  std::string d = str(fx::tensor({1.5, 2.0}));
  std::string f = str(fx::tensor({1.5f, 2.0f}));
  fx::set_default_dtype(fx::kFloat32);
  EXPECT_EQ(d, "tensor([1.5000, 2.0000])");
  EXPECT_EQ(f, "tensor([1.5000, 2.0000], dtype=float32)");
}
