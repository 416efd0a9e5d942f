// The words of mpos_audio.h that the engine's realtime callbacks and the
// pump's thread share: plain 64-bit words behind the compiler's atomic
// builtins (lock-free on arm64 and x86_64), so Swift can own the memory
// (allocated once, off the audio path) and neither side ever waits.
#include "mpos_audio.h"

uint64_t mpos_word_load(const uint64_t *word) {
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

void mpos_word_store(uint64_t *word, uint64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

void mpos_word_add(uint64_t *word, uint64_t amount) {
    __atomic_fetch_add(word, amount, __ATOMIC_RELAXED);
}
