#pragma once
// Heap allocations through operator new since the test binary started.
namespace vrev::test {
long heap_allocations();
}
