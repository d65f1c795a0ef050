// glibc's malloc settings for vrev's allocation pattern (heap.h).
#include "core/heap.h"

#include <climits>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vrev::heap {

void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);             // no block gets pages of its own: all come from the heap
  mallopt(M_TRIM_THRESHOLD, INT_MAX);  // and the heap's free top is kept, not given back
#endif
}

}  // namespace vrev::heap
