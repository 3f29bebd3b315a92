// Counts allocation calls of the whole process (Swift runtime, NIO, SQLite, ...).
//
// The executable defines malloc & co., so the dynamic linker binds every library's calls to
// these; each forwards to glibc's own implementation (__libc_*), so memory still comes from
// and goes back to glibc (free is not interposed). While counting is off, the cost is one
// relaxed load per call.
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include "MallocCounter.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static atomic_int counting;
static atomic_ullong allocations;

static inline void count_one(void) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    }
}

void choreo_bench_count_allocations(int enabled) {
    atomic_store_explicit(&counting, enabled ? 1 : 0, memory_order_seq_cst);
}

unsigned long long choreo_bench_allocations(void) {
    return atomic_load_explicit(&allocations, memory_order_seq_cst);
}

void *malloc(size_t size) {
    count_one();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_one();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_one();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    count_one();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
