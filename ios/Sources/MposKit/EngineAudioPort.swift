/// The audio port of an engine that calls back twice per I/O cycle on its
/// realtime thread (AVAudioEngine: a sink node hears the microphone, a
/// source node asks for what to play), with the pump on its own thread in
/// between. Two lock-free single-producer, single-consumer FIFOs connect
/// them:
///
/// - `capture` (the input callback) only appends the microphone's samples
///   to the microphone FIFO;
/// - the pump's thread (`framesDue`, `read`, `write`) takes a block from it,
///   runs the core, and appends the core's stereo output to the speaker FIFO;
/// - `render` (the output callback) only takes already made frames from the
///   speaker FIFO, and plays silence for what is missing (an underrun).
///
/// Neither callback enters the core, allocates, locks or waits: each is a
/// copy and a few atomics. The pump keeps the speaker FIFO at about two
/// blocks ahead of the output (three at most, `latencyLimit`), so the
/// reader hears the core's answer within a few blocks; a microphone that
/// runs ahead of the output is cut back to one block, and an output about
/// to run dry gets a block made on silence (the reader is powered by the
/// left channel: the output never waits for the input).
public final class EngineAudioPort: AudioPort {
    /// The largest render an engine asks for (AVAudioEngine's default
    /// `maximumFramesToRender`); the FIFOs are sized for it.
    public static let largestRender = 4_096

    /// Input callback to the pump's thread: mono.
    private let microphone: SampleFIFO
    /// The pump's thread to the output callback: interleaved stereo.
    private let speaker: SampleFIFO
    private let blockCapacity: Int

    /// The callbacks' counters and the render size they saw (`SharedWords`).
    private let words = SharedWords(count: 4)
    private static let underrunCount = 0
    private static let overrunCount = 1
    private static let droppedCount = 2
    private static let renderSize = 3

    /// A port for blocks of up to `blockCapacity` frames.
    public init(blockCapacity: Int) {
        self.blockCapacity = blockCapacity
        let most = Self.largestRender + 2 * blockCapacity
        // Room for the microphone's cut-back threshold plus a render's worth arriving meanwhile.
        microphone = SampleFIFO(capacity: 2 * most)
        // Room for the latency limit, in stereo samples.
        speaker = SampleFIFO(capacity: 2 * most)
    }

    // MARK: The engine's realtime thread

    /// The input callback: `frames` mono microphone samples. Samples that do
    /// not fit (the pump has fallen far behind) are dropped and counted.
    public func capture(_ samples: UnsafePointer<Float>, frames: Int) {
        let kept = microphone.write(samples, count: frames)
        if kept < frames {
            words.add(Self.overrunCount)
            words.add(Self.droppedCount, UInt64(frames - kept))
        }
    }

    /// The output callback: fills `frames` frames of `left` and `right`
    /// (nil on a mono output) with what the pump made, and silence for what
    /// it has not made yet (counted as an underrun).
    public func render(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>?, frames: Int) {
        guard frames > 0 else { return }
        // The pump keeps enough ahead for the largest render seen (this thread is the word's only writer).
        if UInt64(frames) > words.load(Self.renderSize) {
            words.store(Self.renderSize, UInt64(min(frames, Self.largestRender)))
        }
        let played = speaker.readStereo(left: left, right: right, frames: frames)
        if played < frames {
            (left + played).update(repeating: 0, count: frames - played)
            (right.map { $0 + played })?.update(repeating: 0, count: frames - played)
            words.add(Self.underrunCount)
        }
    }

    // MARK: The pump's thread

    /// A whole block once the microphone has one and the output has room
    /// (fewer than two blocks queued); what was heard, or a block on silence,
    /// when the output is about to run dry; else nothing (the pump naps).
    /// A microphone more than `latencyLimit` frames plus one render ahead is
    /// cut back to its newest block, so the core's input stays timely.
    public func framesDue(capacity: Int) -> Int {
        let render = Int(words.load(Self.renderSize))
        let target = max(blockCapacity, render) + blockCapacity
        var heard = microphone.available
        if heard > target + max(blockCapacity, render) {
            let dropped = microphone.discard(heard - blockCapacity)
            words.add(Self.droppedCount, UInt64(dropped))
            heard -= dropped
        }
        let queued = speaker.available / 2
        guard queued < target else { return 0 }
        if heard >= capacity { return capacity }
        // About to run dry: the next render (one block before the first) would find too little.
        guard queued < (render > 0 ? render : blockCapacity) else { return 0 }
        return heard > 0 ? heard : capacity
    }

    /// The microphone's samples heard so far, padded with silence (a block
    /// made on silence when the output must not wait); returns `frames`.
    public func read(into mono: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        let got = microphone.read(into: mono, count: frames)
        if got < frames {
            (mono + got).update(repeating: 0, count: frames - got)
        }
        return frames
    }

    /// One block of the core's stereo output, queued for the output callback.
    public func write(from stereo: UnsafePointer<Float>, frames: Int) {
        // `framesDue` keeps the queue within the FIFO: a block always fits whole.
        speaker.write(stereo, count: 2 * frames)
    }

    // MARK: Any thread

    /// Microphone samples heard but not yet taken by the pump.
    public var backlog: Int { microphone.available }

    /// Frames made by the pump and not yet played.
    public var queuedFrames: Int { speaker.available / 2 }

    /// The most frames the pump queues for the output: two blocks (or one
    /// block more than the largest render seen, if larger) plus the block
    /// that crosses that mark.
    public var latencyLimit: Int {
        max(blockCapacity, Int(words.load(Self.renderSize))) + 2 * blockCapacity - 1
    }

    /// Output callbacks that found fewer frames ready than they asked for.
    public var underruns: Int { Int(words.load(Self.underrunCount)) }

    /// Input callbacks whose samples did not all fit in the microphone FIFO.
    public var overruns: Int { Int(words.load(Self.overrunCount)) }

    /// Microphone samples dropped: on an overrun, or cut back to keep the input timely.
    public var droppedFrames: Int { Int(words.load(Self.droppedCount)) }
}
