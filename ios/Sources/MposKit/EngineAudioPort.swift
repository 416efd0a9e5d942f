/// The audio port of an engine that calls back twice per I/O cycle
/// (AVAudioEngine: a sink node hears the microphone, a source node asks for
/// what to play), in realtime, on its own thread. The input callback puts
/// the microphone's samples in a FIFO; the output callback runs the pump,
/// block by block, reading the FIFO into the core's input buffer and
/// spreading the core's stereo output over the engine's two channel
/// buffers. Nothing is allocated or locked per callback.
public final class EngineAudioPort: AudioPort {
    private let fifo: SampleFIFO
    /// More than this many samples waiting means the input ran ahead of the output: drop the oldest.
    private let latencyLimit: Int
    /// What is kept when that happens: about one block.
    private let latencyKept: Int

    /// The channel buffers of the render in progress, and how far they are filled.
    private var left: UnsafeMutablePointer<Float>?
    private var right: UnsafeMutablePointer<Float>?
    private var filled = 0

    /// A port for blocks of up to `blockCapacity` frames.
    public init(blockCapacity: Int) {
        fifo = SampleFIFO(capacity: 16 * blockCapacity)
        latencyLimit = 4 * blockCapacity
        latencyKept = blockCapacity
    }

    /// Microphone samples heard but not yet played through the core.
    public var backlog: Int { fifo.available }

    /// The input callback: `frames` mono microphone samples.
    public func capture(_ samples: UnsafePointer<Float>, frames: Int) {
        fifo.write(samples, count: frames)
    }

    /// The output callback: fills `frames` frames of `left` and `right`
    /// (nil on a mono output), running `pump` once per block.
    public func render(_ pump: AudioPump, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>?, frames: Int) {
        if fifo.available > latencyLimit {
            fifo.discard(fifo.available - latencyKept)
        }
        self.left = left
        self.right = right
        filled = 0
        while filled < frames {
            let before = filled
            if !pump.step(frames: frames - filled) || filled == before {
                silence(from: filled, to: frames)
                break
            }
        }
        self.left = nil
        self.right = nil
    }

    /// The microphone's samples so far, padded with silence: the output must never wait for the input.
    public func read(into mono: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        let got = fifo.read(into: mono, count: frames)
        if got < frames {
            (mono + got).update(repeating: 0, count: frames - got)
        }
        return frames
    }

    /// One block of the core's stereo output into the render's channel buffers.
    public func write(from stereo: UnsafePointer<Float>, frames: Int) {
        guard let left else { return }
        for frame in 0..<frames {
            left[filled + frame] = stereo[2 * frame]
            right?[filled + frame] = stereo[2 * frame + 1]
        }
        filled += frames
    }

    private func silence(from start: Int, to end: Int) {
        guard start < end, let left else { return }
        (left + start).update(repeating: 0, count: end - start)
        (right.map { $0 + start })?.update(repeating: 0, count: end - start)
    }
}
