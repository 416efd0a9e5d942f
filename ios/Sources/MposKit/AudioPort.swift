/// The headset jack as the audio pump sees it: the platform's recorder and
/// player (iOS: `EngineAudioPort` behind AVAudioEngine), or a virtual reader
/// in tests. The pointers are the core's own sample buffers (32-bit floats):
/// a port reads into and plays from the core's memory, and allocates nothing.
public protocol AudioPort: AnyObject {
    /// Fills `mono` with `frames` microphone samples, waiting for them if it must; returns how many came.
    func read(into mono: UnsafeMutablePointer<Float>, frames: Int) -> Int

    /// Plays `frames` interleaved stereo frames of `stereo` (left: power tone, right: data).
    func write(from stereo: UnsafePointer<Float>, frames: Int)
}
