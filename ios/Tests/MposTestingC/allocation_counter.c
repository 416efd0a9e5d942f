// Counts each thread's allocations by standing in front of glibc's
// allocator: the test executable defines malloc and friends, which the
// dynamic linker then binds every library to (Swift's runtime, Foundation,
// the Rust libraries), and forwards to glibc's own entry points. Only the
// count is added; the memory is glibc's. Allocations inside the Rust block
// calls wrapped below are counted apart, so a test can tell the shell's
// share from the core's (and the test reader's). Elsewhere nothing is counted.
#include "mpos_testing.h"

/// The app library's block entry (declared for Swift in MposAudioC's mpos_audio.h).
extern int32_t mpos_audio_jack_process(uint64_t handle, uint32_t frames);

#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

/// Who is allocating: the shell (anything outside the wrapped calls), the core, the test's reader.
enum owner { SHELL, CORE, READER };
static _Thread_local uint64_t allocations[3];
static _Thread_local enum owner owner = SHELL;

static void tally(void) {
    allocations[owner]++;
}

void *malloc(size_t size) {
    tally();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    tally();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    tally();
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    __libc_free(pointer);
}

void *memalign(size_t alignment, size_t size) {
    tally();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    tally();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    tally();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}

int mpos_test_counts_allocations(void) { return 1; }

uint64_t mpos_test_thread_allocations(void) { return allocations[SHELL]; }

uint64_t mpos_test_thread_core_allocations(void) { return allocations[CORE]; }

int32_t mpos_test_reader_process(uint64_t handle, uint32_t frames) {
    owner = READER;
    int32_t status = mpos_virtual_reader_process(handle, frames);
    owner = SHELL;
    return status;
}

int32_t mpos_test_jack_process(uint64_t handle, uint32_t frames) {
    owner = CORE;
    int32_t status = mpos_audio_jack_process(handle, frames);
    owner = SHELL;
    return status;
}

#else

int mpos_test_counts_allocations(void) { return 0; }

uint64_t mpos_test_thread_allocations(void) { return 0; }

uint64_t mpos_test_thread_core_allocations(void) { return 0; }

int32_t mpos_test_reader_process(uint64_t handle, uint32_t frames) {
    return mpos_virtual_reader_process(handle, frames);
}

int32_t mpos_test_jack_process(uint64_t handle, uint32_t frames) {
    return mpos_audio_jack_process(handle, frames);
}

#endif
