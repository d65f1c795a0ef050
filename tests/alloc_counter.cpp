// Counts heap allocations made through operator new, so tests can assert that a training step
// after the first allocates nothing. Under AddressSanitizer, which owns operator new itself, the
// count is unavailable (-1).
#include "alloc_counter.h"

// GCC says ASan is on with a macro; clang before 16 only through __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define VREV_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VREV_TEST_ASAN 1
#endif
#endif

#if defined(VREV_TEST_ASAN)

long vrev::test::heap_allocations() { return -1; }

#else

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
}

long vrev::test::heap_allocations() { return g_allocations.load(); }

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

#endif
