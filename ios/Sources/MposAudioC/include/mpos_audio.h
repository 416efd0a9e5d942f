// The audio's native pieces, declared for Swift: the Rust library's block
// entry (ADR 0005: one plain C call per block, on the AudioJack's own
// buffers; it runs on the pump's thread, never on the engine's realtime
// thread, since the core allocates around its keep-alives), a lock-free
// FIFO that carries samples between the engine's realtime callbacks and
// the pump's thread, and lock-free words for the counters and flags those
// threads share. Swift has no atomics on iOS 16 without a package, and
// C11's are the ones the FIFO already uses.
#ifndef MPOS_AUDIO_H
#define MPOS_AUDIO_H

#include <stdint.h>

/// Runs one block of `frames` frames of the AudioJack whose
/// `nativeHandle()` is `handle` (libmpos_ffi): the microphone's mono samples
/// at `inputAddress()` in, the stereo samples at `outputAddress()` out.
/// Returns 0, -1 when the block is larger than the buffers, -2 on a panic.
int32_t mpos_audio_jack_process(uint64_t handle, uint32_t frames);

/// A single-producer, single-consumer FIFO of mono float samples: one
/// thread writes, one thread reads, neither waits nor allocates.
typedef struct mpos_sample_fifo mpos_sample_fifo;

/// A FIFO holding at least `capacity` samples (rounded up to a power of two;
/// allocates, so never on the audio thread). NULL when `capacity` is 0 or above 2^31.
mpos_sample_fifo *mpos_sample_fifo_create(uint32_t capacity);

/// Frees a FIFO made by mpos_sample_fifo_create (not on the audio thread).
void mpos_sample_fifo_destroy(mpos_sample_fifo *fifo);

/// Appends up to `count` samples (the producer); returns how many fit.
uint32_t mpos_sample_fifo_write(mpos_sample_fifo *fifo, const float *samples, uint32_t count);

/// Takes up to `count` samples into `out` (the consumer); returns how many came.
uint32_t mpos_sample_fifo_read(mpos_sample_fifo *fifo, float *out, uint32_t count);

/// Drops up to `count` of the oldest samples (the consumer); returns how many.
uint32_t mpos_sample_fifo_discard(mpos_sample_fifo *fifo, uint32_t count);

/// Samples waiting to be read.
uint32_t mpos_sample_fifo_available(mpos_sample_fifo *fifo);

/// Takes up to `frames` interleaved stereo frames (two samples each) and
/// spreads them over `left` and `right` (the consumer; `right` may be NULL,
/// a mono output: its samples are dropped); returns how many frames came.
/// The producer must write whole frames (an even count of samples).
uint32_t mpos_sample_fifo_read_stereo(mpos_sample_fifo *fifo, float *left, float *right, uint32_t frames);

/// Loads a word another thread stores or adds to (acquire ordering).
uint64_t mpos_word_load(const uint64_t *word);

/// Stores a word another thread loads (release ordering).
void mpos_word_store(uint64_t *word, uint64_t value);

/// Adds to a counter any thread may bump (relaxed: a count orders nothing).
void mpos_word_add(uint64_t *word, uint64_t amount);

#endif
