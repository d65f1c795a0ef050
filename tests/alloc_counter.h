#pragma once
// Heap allocations through operator new since the test binary started; -1 when not counted
// (sanitizer builds).
namespace vrev::test {
long heap_allocations();
}
