#pragma once

// Short channel loops built for AVX-512, AVX2 and the baseline and picked at load time, so a generic x86-64
// build (Debian's flags, no -march) still runs them in the widest vectors the CPU has. Only on non-template
// functions: GCC does not clone templates.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define RESNEST_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RESNEST_VECTOR_CLONES
#endif
