import MposBindings
import MposKit
import MposTestSupport
import MposTestingBindings
import MposTestingC
import XCTest

/// The shell's audio path: a reader found through it, whether the pump
/// drives a blocking port or the engine's callbacks drive it, and no
/// allocation per block on the audio thread once the reader answers.
final class AudioPathTests: XCTestCase {
    /// Thirty seconds of audio, with keep-alives going both ways.
    private let blocks = 3_000

    func testTheAudioThreadAllocatesNothingPerBlockOnceTheReaderAnswers() throws {
        try XCTSkipUnless(mpos_test_counts_allocations() == 1, "allocations are counted on Linux only")
        let jack = try AudioJack(sampleRate: 48_000, phoneModel: "Swift allocation phone", blockCapacity: 480, savedProfile: nil)
        let reader = VirtualReader(sampleRate: 48_000, deviceNumber: 900, blockCapacity: 480)
        reader.plugIn()
        let port = VirtualReaderPort(reader: reader, sampleRate: 48_000, realTime: false)
        let pump = AudioPump(jack: jack, port: port, process: mpos_test_jack_process)
        try measure("the pump's thread", jack: jack) { pump.step() }
    }

    func testTheEngineCallbacksFindTheReaderAndAllocateNothing() throws {
        let jack = try AudioJack(sampleRate: 48_000, phoneModel: "Swift engine phone", blockCapacity: 480, savedProfile: nil)
        let engine = SimulatedEngine(jack: jack, renderFrames: 512)
        engine.reader.plugIn()
        try measure("the engine's callbacks", jack: jack) { engine.cycle() }
    }

    /// Runs `block` until the reader answers, then `blocks` times more, and
    /// checks the shell allocated nothing meanwhile; prints what the core allocated.
    private func measure(_ what: String, jack: AudioJack, block: () -> Void) throws {
        var warmUp = 0
        while !jack.isReaderConnected() {
            block()
            warmUp += 1
            try check(warmUp < 3_000, "no reader within 30 s of audio through \(what)")
        }
        for _ in 0..<500 { block() }
        let shellBefore = mpos_test_thread_allocations()
        let coreBefore = mpos_test_thread_core_allocations()
        for _ in 0..<blocks { block() }
        let shell = mpos_test_thread_allocations() - shellBefore
        let core = mpos_test_thread_core_allocations() - coreBefore
        XCTAssertTrue(jack.isReaderConnected(), "the reader stayed connected")
        guard mpos_test_counts_allocations() == 1 else { return }
        XCTAssertEqual(shell, 0, "allocations by \(what) over \(blocks) blocks, outside the Rust calls")
        // The core's share (its reader link, inside the C entry), a figure for the notes.
        print("audio path through \(what): the shell allocated \(shell) times in \(blocks) blocks, the core \(core)")
    }

    func testTheFifoHandsOverSamplesInOrderAcrossItsEnd() {
        let fifo = SampleFIFO(capacity: 6) // rounded up to 8
        var written: [Float] = [1, 2, 3, 4, 5, 6]
        XCTAssertEqual(fifo.write(&written, count: 6), 6)
        var out = [Float](repeating: 0, count: 8)
        XCTAssertEqual(fifo.read(into: &out, count: 4), 4)
        XCTAssertEqual(Array(out[0..<4]), [1, 2, 3, 4])
        var more: [Float] = [7, 8, 9, 10, 11, 12]
        XCTAssertEqual(fifo.write(&more, count: 6), 6, "wraps around the ring's end")
        XCTAssertEqual(fifo.write(&more, count: 6), 0, "full: nothing more fits")
        XCTAssertEqual(fifo.available, 8)
        XCTAssertEqual(fifo.discard(2), 2)
        XCTAssertEqual(fifo.read(into: &out, count: 8), 6)
        XCTAssertEqual(Array(out[0..<6]), [7, 8, 9, 10, 11, 12])
        XCTAssertEqual(fifo.read(into: &out, count: 8), 0, "empty")
    }

    func testAnEnginePortPlaysSilenceAndCatchesUpWhenTheMicrophoneRunsAhead() throws {
        let jack = try AudioJack(sampleRate: 48_000, phoneModel: "Swift engine phone", blockCapacity: 480, savedProfile: nil)
        let port = EngineAudioPort(blockCapacity: 480)
        let pump = AudioPump(jack: jack, port: port)
        var left = [Float](repeating: 9, count: 1_024)
        var right = [Float](repeating: 9, count: 1_024)
        // No microphone yet: the output still runs, with the power tone on the left.
        port.render(pump, left: &left, right: &right, frames: 1_024)
        XCTAssertEqual(pump.blocks, 3, "1024 frames in blocks of at most 480")
        XCTAssertTrue(left.contains { abs($0) > 0.1 }, "the reader's power tone")
        XCTAssertFalse(left.contains(9) || right.contains(9), "every frame written")
        // A microphone far ahead of the output is cut back to about one block.
        let microphone = [Float](repeating: 0.5, count: 480)
        for _ in 0..<20 { port.capture(microphone, frames: 480) }
        XCTAssertEqual(port.backlog, 8_192, "the FIFO is full; the rest was dropped")
        port.render(pump, left: &left, right: &right, frames: 480)
        XCTAssertEqual(port.backlog, 0, "one block kept, and played")
    }
}

/// An engine's I/O cycle as AVAudioEngine runs it, with the virtual reader
/// in the jack: the input callback hears the reader, the output callback
/// renders the app's block, and the reader hears what was played. Every
/// buffer is made once.
private final class SimulatedEngine {
    let reader = VirtualReader(sampleRate: 48_000, deviceNumber: 901, blockCapacity: 512)
    private let port = EngineAudioPort(blockCapacity: 480)
    private let pump: AudioPump
    private let handle: UInt64
    private let frames: Int
    private let left: UnsafeMutablePointer<Float>
    private let right: UnsafeMutablePointer<Float>
    private let headphones: UnsafeMutablePointer<Float>
    private let microphone: UnsafePointer<Float>

    init(jack: AudioJack, renderFrames: Int) {
        frames = renderFrames
        pump = AudioPump(jack: jack, port: port, process: mpos_test_jack_process)
        handle = reader.nativeHandle()
        left = .allocate(capacity: renderFrames)
        right = .allocate(capacity: renderFrames)
        headphones = UnsafeMutablePointer(bitPattern: UInt(reader.inputAddress()))!
        microphone = UnsafePointer(bitPattern: UInt(reader.outputAddress()))!
    }

    deinit {
        left.deallocate()
        right.deallocate()
    }

    /// One I/O cycle: input callback, output callback, then the reader hears the output.
    func cycle() {
        port.capture(microphone, frames: frames)
        port.render(pump, left: left, right: right, frames: frames)
        for frame in 0..<frames {
            headphones[2 * frame] = left[frame]
            headphones[2 * frame + 1] = right[frame]
        }
        precondition(mpos_test_reader_process(handle, UInt32(frames)) == 0)
    }
}
