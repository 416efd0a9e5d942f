import Foundation
import MposAudioC
import MposBindings

/// The audio path of one block: the microphone's samples land in the core's
/// input buffer, the core runs the reader link in place (one C call), and
/// the core's output buffer is played. The buffers are the core's memory,
/// wrapped once; a block copies nothing it need not, and the shell
/// allocates nothing in it (AudioPathTests counts). A port that blocks (a
/// recorder, the tests' virtual reader) is driven by the pump's own thread
/// (`start`); a port driven by the platform's callbacks (`EngineAudioPort`)
/// calls `step` itself.
public final class AudioPump {
    /// The C entry that runs one block of a jack: `mpos_audio_jack_process`
    /// (a test may wrap it to count what the core allocates apart from the shell).
    public typealias BlockEntry = @convention(c) (UInt64, UInt32) -> Int32

    /// The jack, kept alive while its buffers are in use.
    private let jack: AudioJack
    private let handle: UInt64
    private let port: AudioPort
    private let process: BlockEntry

    /// Where the microphone's mono samples go.
    private let input: UnsafeMutablePointer<Float>
    /// Where the core leaves the stereo samples to play.
    private let output: UnsafePointer<Float>

    /// The largest block, in frames.
    public let blockCapacity: Int

    private let state = NSLock()
    private var running = false
    private var stopped: DispatchSemaphore?

    /// Blocks run since the start.
    public private(set) var blocks = 0

    /// A pump between `jack`'s buffers and `port`, running each block through `process`.
    public init(jack: AudioJack, port: AudioPort, process: BlockEntry = mpos_audio_jack_process) {
        self.jack = jack
        self.port = port
        self.process = process
        handle = jack.nativeHandle()
        blockCapacity = Int(jack.blockCapacity())
        input = UnsafeMutablePointer(bitPattern: UInt(jack.inputAddress()))!
        output = UnsafePointer(bitPattern: UInt(jack.outputAddress()))!
    }

    /// One block of up to `frames` frames (at most `blockCapacity`): read, process in place, play.
    /// Returns false when the port had no samples or the core refused the block.
    @discardableResult
    public func step(frames: Int? = nil) -> Bool {
        let frames = port.read(into: input, frames: min(frames ?? blockCapacity, blockCapacity))
        guard frames > 0, process(handle, UInt32(frames)) == 0 else { return false }
        port.write(from: output, frames: frames)
        blocks += 1
        return true
    }

    /// Starts the pump's own thread, for a port whose `read` waits for the microphone.
    public func start() {
        state.lock()
        defer { state.unlock() }
        guard !running else { return }
        running = true
        let stopped = DispatchSemaphore(value: 0)
        self.stopped = stopped
        let thread = Thread { [self] in
            while isRunning { step() }
            stopped.signal()
        }
        thread.name = "mpos-audio"
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    /// Stops the pump's thread, if it runs, and waits for its last block.
    public func stop() {
        state.lock()
        running = false
        let stopped = self.stopped
        self.stopped = nil
        state.unlock()
        _ = stopped?.wait(timeout: .now() + 1)
    }

    /// Whether the pump's own thread runs.
    public var isRunning: Bool {
        state.lock()
        defer { state.unlock() }
        return running
    }
}
