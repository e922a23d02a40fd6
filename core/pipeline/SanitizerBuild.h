#pragma once

// Which sanitizer this translation unit is built under (-DRESNEST_SANITIZE), for the few places that must
// behave differently there. GCC says so with __SANITIZE_*__, clang with __has_feature.
//
// RESNEST_ASAN: AddressSanitizer, whose allocator replaces glibc's and whose shadow memory, redzones and
// quarantine of freed blocks add to every process's resident size.
// RESNEST_TSAN: ThreadSanitizer, which runs the pipeline 5 to 15 times slower and cannot see the barriers of
// uninstrumented thread pools (libgomp, TBB).
#if defined(__SANITIZE_ADDRESS__)
#define RESNEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESNEST_ASAN 1
#endif
#endif
#ifndef RESNEST_ASAN
#define RESNEST_ASAN 0
#endif

#if defined(__SANITIZE_THREAD__)
#define RESNEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RESNEST_TSAN 1
#endif
#endif
#ifndef RESNEST_TSAN
#define RESNEST_TSAN 0
#endif
