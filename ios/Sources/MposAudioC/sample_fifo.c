// The sample FIFO of mpos_audio.h: a ring whose two counters only grow
// (they wrap at 2^32, which the unsigned difference survives, and the
// ring's size is a power of two, so a position stays right across it); the
// producer publishes its counter with release ordering after writing the
// samples, the consumer its counter after reading them, so each side sees
// whole samples and neither takes a lock on the audio thread.
#include "mpos_audio.h"

#include <stdatomic.h>
#include <stdlib.h>

struct mpos_sample_fifo {
    float *samples;
    uint32_t capacity;
    _Atomic uint32_t written;
    _Atomic uint32_t read;
};

mpos_sample_fifo *mpos_sample_fifo_create(uint32_t capacity) {
    if (capacity == 0 || capacity > (UINT32_C(1) << 31)) return NULL;
    uint32_t size = 1;
    while (size < capacity) size <<= 1;
    capacity = size;
    mpos_sample_fifo *fifo = calloc(1, sizeof *fifo);
    if (fifo == NULL) return NULL;
    fifo->samples = calloc(capacity, sizeof(float));
    if (fifo->samples == NULL) {
        free(fifo);
        return NULL;
    }
    fifo->capacity = capacity;
    atomic_init(&fifo->written, 0);
    atomic_init(&fifo->read, 0);
    return fifo;
}

void mpos_sample_fifo_destroy(mpos_sample_fifo *fifo) {
    if (fifo == NULL) return;
    free(fifo->samples);
    free(fifo);
}

uint32_t mpos_sample_fifo_write(mpos_sample_fifo *fifo, const float *samples, uint32_t count) {
    uint32_t written = atomic_load_explicit(&fifo->written, memory_order_relaxed);
    uint32_t read = atomic_load_explicit(&fifo->read, memory_order_acquire);
    uint32_t room = fifo->capacity - (written - read);
    uint32_t n = count < room ? count : room;
    for (uint32_t i = 0; i < n; i++) {
        fifo->samples[(written + i) & (fifo->capacity - 1)] = samples[i];
    }
    atomic_store_explicit(&fifo->written, written + n, memory_order_release);
    return n;
}

/// How many samples the consumer may take now (at most `count`).
static uint32_t readable(mpos_sample_fifo *fifo, uint32_t read, uint32_t count) {
    uint32_t written = atomic_load_explicit(&fifo->written, memory_order_acquire);
    uint32_t available = written - read;
    return count < available ? count : available;
}

uint32_t mpos_sample_fifo_read(mpos_sample_fifo *fifo, float *out, uint32_t count) {
    uint32_t read = atomic_load_explicit(&fifo->read, memory_order_relaxed);
    uint32_t n = readable(fifo, read, count);
    for (uint32_t i = 0; i < n; i++) {
        out[i] = fifo->samples[(read + i) & (fifo->capacity - 1)];
    }
    atomic_store_explicit(&fifo->read, read + n, memory_order_release);
    return n;
}

uint32_t mpos_sample_fifo_discard(mpos_sample_fifo *fifo, uint32_t count) {
    uint32_t read = atomic_load_explicit(&fifo->read, memory_order_relaxed);
    uint32_t n = readable(fifo, read, count);
    atomic_store_explicit(&fifo->read, read + n, memory_order_release);
    return n;
}

uint32_t mpos_sample_fifo_read_stereo(mpos_sample_fifo *fifo, float *left, float *right, uint32_t frames) {
    uint32_t read = atomic_load_explicit(&fifo->read, memory_order_relaxed);
    uint32_t n = readable(fifo, read, frames > UINT32_MAX / 2 ? UINT32_MAX / 2 : 2 * frames) / 2;
    uint32_t mask = fifo->capacity - 1;
    for (uint32_t i = 0; i < n; i++) {
        left[i] = fifo->samples[(read + 2 * i) & mask];
        if (right != NULL) right[i] = fifo->samples[(read + 2 * i + 1) & mask];
    }
    atomic_store_explicit(&fifo->read, read + 2 * n, memory_order_release);
    return n;
}

uint32_t mpos_sample_fifo_available(mpos_sample_fifo *fifo) {
    uint32_t read = atomic_load_explicit(&fifo->read, memory_order_acquire);
    uint32_t written = atomic_load_explicit(&fifo->written, memory_order_acquire);
    return written - read;
}
