// Error reporting: fluxion::Error and the FX_CHECK macro used at every API boundary.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace fluxion {

/// The one exception type users see. The message names the op, the values involved and what was expected.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

namespace detail {
template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
[[noreturn]] void throw_error(const char* file, int line, const std::string& msg);
[[noreturn]] void assert_fail(const char* file, int line, const char* cond, const std::string& msg);
}  // namespace detail

}  // namespace fluxion

/// Throws fluxion::Error with the concatenated message when `cond` is false.
#define FX_CHECK(cond, ...)                                                                        \
  do {                                                                                             \
    if (!(cond)) [[unlikely]]                                                                      \
      ::fluxion::detail::throw_error(__FILE__, __LINE__, ::fluxion::detail::str_cat(__VA_ARGS__)); \
  } while (0)

/// Unconditionally throws fluxion::Error.
#define FX_FAIL(...) ::fluxion::detail::throw_error(__FILE__, __LINE__, ::fluxion::detail::str_cat(__VA_ARGS__))

/// Internal invariant: aborts loudly (a bug in Fluxion, not in user input).
#define FX_ASSERT(cond, ...)                                                                     \
  do {                                                                                           \
    if (!(cond)) [[unlikely]]                                                                    \
      ::fluxion::detail::assert_fail(__FILE__, __LINE__, #cond,                                  \
                                     ::fluxion::detail::str_cat("" __VA_OPT__(, ) __VA_ARGS__)); \
  } while (0)
