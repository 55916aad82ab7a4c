#include "support/test_util.h"

#include <cmath>
#include <sstream>

namespace fxtest {

namespace fx = fluxion;

::testing::AssertionResult tensors_close(const fx::Tensor& actual, const fx::Tensor& expected, double rtol,
                                         double atol) {
  if (!actual.defined() || !expected.defined())
    return ::testing::AssertionFailure() << "undefined tensor (actual " << actual.defined() << ", expected "
                                         << expected.defined() << ")";
  if (!(actual.sizes() == expected.sizes()))
    return ::testing::AssertionFailure() << "sizes differ: " << actual.sizes() << " vs " << expected.sizes();
  fx::Tensor a = actual.detach().to(fx::kCPU, fx::kFloat64).contiguous();
  fx::Tensor e = expected.detach().to(fx::kCPU, fx::kFloat64).contiguous();
  const double* pa = a.data_ptr<double>();
  const double* pe = e.data_ptr<double>();
  int64_t bad = 0;
  std::ostringstream os;
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = pa[i], y = pe[i];
    bool ok = (std::isnan(x) && std::isnan(y)) || x == y || std::abs(x - y) <= atol + rtol * std::abs(y);
    if (!ok) {
      if (bad < 5) os << "\n  [" << i << "] actual " << x << " expected " << y << " (diff " << std::abs(x - y) << ")";
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << a.numel() << " elements differ (rtol " << rtol << ", atol "
                                       << atol << "):" << os.str();
}

::testing::AssertionResult tensors_equal(const fx::Tensor& actual, const fx::Tensor& expected) {
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << "dtypes differ: " << actual.dtype() << " vs " << expected.dtype();
  return tensors_close(actual, expected, 0.0, 0.0);
}

}  // namespace fxtest
