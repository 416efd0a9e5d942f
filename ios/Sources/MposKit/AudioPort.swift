/// The headset jack as the audio pump sees it: the platform's recorder and
/// player (iOS: `EngineAudioPort` between AVAudioEngine's callbacks and the
/// pump's thread), or a virtual reader in tests. The pointers are the core's
/// own sample buffers (32-bit floats): a port reads into and plays from the
/// core's memory, and allocates nothing. Every method is called on the
/// pump's thread only.
public protocol AudioPort: AnyObject {
    /// How many frames the next block should have, at most `capacity`; 0
    /// when no block is due yet (the pump's thread then naps briefly and asks again).
    func framesDue(capacity: Int) -> Int

    /// Fills `mono` with `frames` microphone samples, waiting for them if it must; returns how many came.
    func read(into mono: UnsafeMutablePointer<Float>, frames: Int) -> Int

    /// Plays `frames` interleaved stereo frames of `stereo` (left: power tone, right: data).
    func write(from stereo: UnsafePointer<Float>, frames: Int)
}

extension AudioPort {
    /// A port whose `read` waits for the microphone paces the pump itself: a whole block is always due.
    public func framesDue(capacity: Int) -> Int {
        capacity
    }
}
