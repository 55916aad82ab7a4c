#include "fluxion/error.h"

#include <cstdio>
#include <cstdlib>

namespace fluxion::detail {

void throw_error(const char* /*file*/, int /*line*/, const std::string& msg) { throw Error(msg); }

void assert_fail(const char* file, int line, const char* cond, const std::string& msg) {
  std::fprintf(stderr, "Fluxion internal error at %s:%d: assertion `%s` failed. %s\n", file, line, cond, msg.c_str());
  std::abort();
}

}  // namespace fluxion::detail
