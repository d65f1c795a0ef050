#pragma once
// Errors carry a one-line message naming the problem; macros add file and line for bugs.
// vrev::Error is what bad input raises: the CLI prints what() on one line and exits non-zero.
#include <sstream>
#include <stdexcept>
#include <string>

namespace vrev {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream s;
  (s << ... << args);
  return s.str();
}
}  // namespace detail

}  // namespace vrev

// Bad input: throw vrev::Error with a message built from the arguments.
#define VREV_FAIL(...) throw ::vrev::Error(::vrev::detail::concat(__VA_ARGS__))
#define VREV_CHECK(cond, ...)          \
  do {                                 \
    if (!(cond)) VREV_FAIL(__VA_ARGS__); \
  } while (0)
// Broken invariant (a bug in vrev, not in the input): names file and line.
#define VREV_ASSERT(cond)                                                                     \
  do {                                                                                        \
    if (!(cond))                                                                              \
      throw ::vrev::Error(::vrev::detail::concat(__FILE__, ":", __LINE__, ": internal error: ", \
                                                 #cond));                                     \
  } while (0)
