// The tests' native pieces, declared for Swift: the virtual reader's block
// entry (libmpos_ffi_testing), and a count of the allocations made by the
// calling thread, to show the audio path allocates nothing.
#ifndef MPOS_TESTING_H
#define MPOS_TESTING_H

#include <stdint.h>

/// Runs one block of `frames` frames of the VirtualReader whose
/// `nativeHandle()` is `handle`: the app's stereo samples at its
/// `inputAddress()` in, the microphone's mono samples at `outputAddress()`
/// out. Returns 0, -1 when the block is too large, -2 on a panic.
int32_t mpos_virtual_reader_process(uint64_t handle, uint32_t frames);

/// Whether this build counts allocations (Linux: it stands in front of glibc's malloc).
int mpos_test_counts_allocations(void);

/// Allocations (malloc, calloc, realloc, aligned) made by the calling thread so far.
uint64_t mpos_test_thread_allocations(void);

#endif
