// Helpers shared by the tests: tensor comparison with readable failure messages.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "fluxion/fluxion.h"

namespace fxtest {

/// gtest assertion: same sizes and all elements within atol + rtol * |expected| (NaNs equal).
::testing::AssertionResult tensors_close(const fluxion::Tensor& actual, const fluxion::Tensor& expected,
                                         double rtol = 1e-5, double atol = 1e-6);
/// Same sizes, same dtype and bitwise-equal values (NaNs equal).
::testing::AssertionResult tensors_equal(const fluxion::Tensor& actual, const fluxion::Tensor& expected);

/// Expects `stmt` to throw fluxion::Error whose message contains `substr`.
#define EXPECT_FX_ERROR(stmt, substr)                                                           \
  do {                                                                                          \
    try {                                                                                       \
      stmt;                                                                                     \
      ADD_FAILURE() << "expected fluxion::Error containing \"" << (substr) << "\" from " #stmt; \
    } catch (const ::fluxion::Error& e) {                                                       \
      EXPECT_NE(std::string(e.what()).find(substr), std::string::npos)                          \
          << "error message \"" << e.what() << "\" does not contain \"" << (substr) << "\"";    \
    }                                                                                           \
  } while (0)

}  // namespace fxtest
