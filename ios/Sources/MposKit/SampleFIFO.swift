import MposAudioC

/// Samples on their way between the engine's realtime callbacks and the
/// pump's thread: a lock-free single-producer, single-consumer ring (C11
/// atomics, in MposAudioC). Made once; writing and reading allocate nothing.
public final class SampleFIFO {
    private let fifo: OpaquePointer

    /// A FIFO for at least `capacity` samples.
    public init(capacity: Int) {
        fifo = mpos_sample_fifo_create(UInt32(capacity))!
    }

    deinit {
        mpos_sample_fifo_destroy(fifo)
    }

    /// Appends up to `count` samples (the producer's side); returns how many fit.
    @discardableResult
    public func write(_ samples: UnsafePointer<Float>, count: Int) -> Int {
        Int(mpos_sample_fifo_write(fifo, samples, UInt32(count)))
    }

    /// Takes up to `count` samples into `out` (the consumer's side); returns how many came.
    public func read(into out: UnsafeMutablePointer<Float>, count: Int) -> Int {
        Int(mpos_sample_fifo_read(fifo, out, UInt32(count)))
    }

    /// Takes up to `frames` interleaved stereo frames, spreading them over
    /// `left` and `right` (nil on a mono output: its samples are dropped);
    /// returns how many frames came. The producer writes whole frames.
    public func readStereo(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>?, frames: Int) -> Int {
        Int(mpos_sample_fifo_read_stereo(fifo, left, right, UInt32(frames)))
    }

    /// Drops up to `count` of the oldest samples (the consumer's side); returns how many.
    @discardableResult
    public func discard(_ count: Int) -> Int {
        Int(mpos_sample_fifo_discard(fifo, UInt32(count)))
    }

    /// Samples waiting to be read.
    public var available: Int {
        Int(mpos_sample_fifo_available(fifo))
    }
}
