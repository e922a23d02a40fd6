#pragma once

// RESNEST_TEST_ASAN: 1 in a build under AddressSanitizer, whose allocator replaces glibc's and whose shadow
// memory, redzones and quarantine of freed blocks add to every process's resident size.
#if defined(__SANITIZE_ADDRESS__)
#define RESNEST_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESNEST_TEST_ASAN 1
#endif
#endif
#ifndef RESNEST_TEST_ASAN
#define RESNEST_TEST_ASAN 0
#endif

// RESNEST_TEST_TSAN: 1 in a build under ThreadSanitizer, which runs the pipeline 5 to 15 times slower.
#if defined(__SANITIZE_THREAD__)
#define RESNEST_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RESNEST_TEST_TSAN 1
#endif
#endif
#ifndef RESNEST_TEST_TSAN
#define RESNEST_TEST_TSAN 0
#endif
