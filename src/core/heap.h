#pragma once
// How the process's heap treats large blocks.
namespace vrev::heap {

// Serves large allocations from the heap and keeps freed memory there for the next one. By
// default glibc maps fresh pages for every block above 128 KiB-32 MiB and unmaps them on free;
// evaluation and capture allocate and free activation buffers of tens of MB on every call, and
// fresh pages cost a page fault and the kernel's zeroing per 4 KiB: a third of a fine-tuning
// phase's wall time on the main track. Call once, first thing in main; a no-op off glibc.
void keep_freed_memory();

}  // namespace vrev::heap
