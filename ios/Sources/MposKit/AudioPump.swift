import Foundation
import MposAudioC
import MposBindings

/// The audio path of one block: the microphone's samples land in the core's
/// input buffer, the core runs the reader link in place (one C call), and
/// the core's output buffer is played. The buffers are the core's memory,
/// wrapped once; a block copies nothing it need not, and the shell
/// allocates nothing in it (AudioPathTests counts).
///
/// Blocks run on the pump's own thread (`start`), never on the platform's
/// realtime audio thread: the core is not allocation-free per block (about
/// once a second, around the reader's keep-alive, it encodes and decodes a
/// message and raises events) and takes a mutex, so it must run where a
/// late block costs latency, not a glitch. A blocking port (a recorder, the
/// tests' virtual reader) paces the thread by waiting in `read`; a port fed
/// by realtime callbacks (`EngineAudioPort`) says through `framesDue` when a
/// block is due, and the thread naps in between.
public final class AudioPump {
    /// The C entry that runs one block of a jack: `mpos_audio_jack_process`
    /// (a test may wrap it to count what the core allocates apart from the shell).
    public typealias BlockEntry = @convention(c) (UInt64, UInt32) -> Int32

    /// How long the pump's thread sleeps when no block is due: a tenth of a
    /// 10 ms block, so a block the microphone delivered waits at most about
    /// a millisecond, well inside the output's two blocks of margin.
    public static let napMicroseconds: UInt32 = 1_000

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

    /// Blocks run so far (written by the pump's thread, read by any).
    private let counters = SharedWords(count: 1)
    private static let blocksRun = 0

    /// Serialises `start` and `stop` (the app's threads); the pump's thread never takes it.
    private let control = NSLock()
    /// The thread running now, if any.
    private var current: PumpThread?

    /// Blocks run since the pump was made.
    public var blocks: Int { Int(counters.load(Self.blocksRun)) }

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

    /// One block, if the port has one due, of up to `frames` frames (at
    /// most `blockCapacity`): read, process in place, play. Returns false
    /// when no block was due or the core refused it. Only one thread may
    /// step a pump at a time: the pump's own while it runs, else a test's.
    @discardableResult
    public func step(frames: Int? = nil) -> Bool {
        let due = port.framesDue(capacity: min(frames ?? blockCapacity, blockCapacity))
        guard due > 0 else { return false }
        let heard = port.read(into: input, frames: min(due, blockCapacity))
        guard heard > 0, process(handle, UInt32(heard)) == 0 else { return false }
        port.write(from: output, frames: heard)
        counters.add(Self.blocksRun)
        return true
    }

    /// Starts the pump's own thread (at the user-interactive quality of
    /// service, the audio's), unless it runs.
    public func start() {
        control.lock()
        defer { control.unlock() }
        guard current == nil else { return }
        let thread = PumpThread()
        current = thread
        // The thread holds the pump (and so the jack's buffers) until its loop ends.
        let body = Thread { [self] in
            run(thread)
        }
        body.name = "mpos-audio"
        body.qualityOfService = .userInteractive
        body.start()
    }

    /// Stops the pump's thread, if it runs, and waits (up to a second) for
    /// its last block: after it the jack's buffers are no longer touched.
    public func stop() {
        control.lock()
        defer { control.unlock() }
        guard let thread = current else { return }
        current = nil
        thread.words.store(PumpThread.running, 0)
        _ = thread.ended.wait(timeout: .now() + 1)
    }

    /// Whether the pump's own thread runs.
    public var isRunning: Bool {
        control.lock()
        defer { control.unlock() }
        return current != nil
    }

    /// The pump's thread: blocks while they are due, a nap when none is.
    /// Waiting by polling, not by a semaphore the input callback signals:
    /// signalling would put a kernel call (a Mach semaphore or futex wake,
    /// which can switch threads) on the realtime thread, while a poll
    /// leaves the callbacks with two atomic counters to touch and puts
    /// every wait on this side. A millisecond's nap costs about a thousand
    /// wake-ups a second, little next to the audio itself.
    private func run(_ thread: PumpThread) {
        while thread.words.load(PumpThread.running) != 0 {
            if !step() {
                usleep(Self.napMicroseconds)
            }
        }
        thread.ended.signal()
    }
}

/// One run of the pump's thread: its flag (set by `stop`, polled by the loop
/// without a lock) and the signal that its loop ended. Each run has its own,
/// so a thread that outlives `stop`'s wait can never be revived by a new `start`.
private final class PumpThread {
    static let running = 0
    let words = SharedWords(count: 1)
    let ended = DispatchSemaphore(value: 0)

    init() {
        words.store(Self.running, 1)
    }
}
