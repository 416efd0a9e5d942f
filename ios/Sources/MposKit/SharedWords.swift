import MposAudioC

/// A few 64-bit words that the engine's realtime callbacks and the pump's
/// thread share without a lock: counters one side bumps and the other
/// reads, flags one side sets and the other polls. The memory is allocated
/// once, here, off the audio path; every access is one C11 atomic
/// (MposAudioC), which neither allocates nor waits.
final class SharedWords {
    private let words: UnsafeMutablePointer<UInt64>

    /// `count` words, all zero.
    init(count: Int) {
        words = .allocate(capacity: count)
        words.initialize(repeating: 0, count: count)
    }

    deinit {
        words.deallocate()
    }

    /// The word at `index` (acquire: what its writer did before storing is visible).
    func load(_ index: Int) -> UInt64 {
        mpos_word_load(words + index)
    }

    /// Sets the word at `index` (release).
    func store(_ index: Int, _ value: UInt64) {
        mpos_word_store(words + index, value)
    }

    /// Adds `amount` to the counter at `index`.
    func add(_ index: Int, _ amount: UInt64 = 1) {
        mpos_word_add(words + index, amount)
    }
}
