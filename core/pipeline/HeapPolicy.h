#pragma once

namespace resnest {

// glibc gives freed memory back to the system once more than twice the largest recent block lies free at the
// top of the heap, and maps large blocks one by one. A network frees its activations at the end of every
// forward, so every frame or training step took them all back from the kernel, page by page: the demo
// segmenter at 480x480 paid about 38,000 page faults a frame, and faults are expensive in a VM (391-407 ms a
// frame instead of 96-100 ms on one thread; a ResNeSt-50 Faster R-CNN at 800x1333 5.7 s instead of 1.7;
// docs/benchmarks.md, "Keeping freed memory").
// keepFreedMemory() keeps freed memory in the process (the heap stays at its high-water mark) and maps only
// blocks of 256 MB or more on their own (those are still returned when freed), and every thread allocates
// from the one main heap.
// Call it once, at the start of main, before any thread exists. A user who set glibc's malloc variables
// (MALLOC_TRIM_THRESHOLD_, MALLOC_MMAP_THRESHOLD_, MALLOC_TOP_PAD_, MALLOC_ARENA_MAX, or GLIBC_TUNABLES with
// glibc.malloc.*) keeps them. Does nothing where the C library is not glibc.
class HeapPolicy {
public:
    // Returns whether the policy was applied.
    static bool keepFreedMemory();
};

} // namespace resnest
