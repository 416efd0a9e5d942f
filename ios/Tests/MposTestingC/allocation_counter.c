// Counts each thread's allocations by standing in front of glibc's
// allocator: the test executable defines malloc and friends, which the
// dynamic linker then binds every library to (Swift's runtime, Foundation,
// the Rust libraries), and forwards to glibc's own entry points. Only the
// count is added; the memory is glibc's. Elsewhere nothing is counted.
#include "mpos_testing.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static _Thread_local uint64_t allocations;

void *malloc(size_t size) {
    allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    allocations++;
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    __libc_free(pointer);
}

void *memalign(size_t alignment, size_t size) {
    allocations++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    allocations++;
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}

int mpos_test_counts_allocations(void) { return 1; }

uint64_t mpos_test_thread_allocations(void) { return allocations; }

#else

int mpos_test_counts_allocations(void) { return 0; }

uint64_t mpos_test_thread_allocations(void) { return 0; }

#endif
