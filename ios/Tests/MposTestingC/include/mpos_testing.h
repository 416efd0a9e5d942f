// The tests' native pieces, declared for Swift: the virtual reader's block
// entry (libmpos_ffi_testing), and a count of the allocations made by the
// calling thread, to show the shell's audio path allocates nothing. What
// the Rust libraries allocate inside their block calls is counted apart.
#ifndef MPOS_TESTING_H
#define MPOS_TESTING_H

#include <stdint.h>

/// Runs one block of `frames` frames of the VirtualReader whose
/// `nativeHandle()` is `handle`: the app's stereo samples at its
/// `inputAddress()` in, the microphone's mono samples at `outputAddress()`
/// out. Returns 0, -1 when the block is too large, -2 on a panic.
int32_t mpos_virtual_reader_process(uint64_t handle, uint32_t frames);

/// mpos_virtual_reader_process, its allocations counted apart (the test's reader is not the shell).
int32_t mpos_test_reader_process(uint64_t handle, uint32_t frames);

/// mpos_audio_jack_process, its allocations counted apart (the core's share, not the shell's).
int32_t mpos_test_jack_process(uint64_t handle, uint32_t frames);

/// Whether this build counts allocations (Linux: it stands in front of glibc's malloc).
int mpos_test_counts_allocations(void);

/// Allocations (malloc, calloc, realloc, aligned) made by the calling thread outside the Rust block calls.
uint64_t mpos_test_thread_allocations(void);

/// Allocations made by the calling thread inside mpos_test_jack_process (the core's share).
uint64_t mpos_test_thread_core_allocations(void);

#endif
