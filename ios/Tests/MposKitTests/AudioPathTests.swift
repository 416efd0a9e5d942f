import Foundation
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

    func testAnEnginePortPlaysOnlyWhatThePumpMadeAndKeepsTheMicrophoneTimely() throws {
        let jack = try AudioJack(sampleRate: 48_000, phoneModel: "Swift engine phone", blockCapacity: 480, savedProfile: nil)
        let port = EngineAudioPort(blockCapacity: 480)
        let pump = AudioPump(jack: jack, port: port)
        var left = [Float](repeating: 9, count: 1_024)
        var right = [Float](repeating: 9, count: 1_024)
        // Before the pump made anything, the output callback plays silence and counts it.
        port.render(left: &left, right: &right, frames: 1_024)
        XCTAssertEqual(port.underruns, 1)
        XCTAssertTrue(left.allSatisfy { $0 == 0 } && right.allSatisfy { $0 == 0 }, "silence, every frame written")
        // No microphone yet: the pump still makes blocks (on silence), up to its latency limit.
        while pump.step() {}
        XCTAssertEqual(pump.blocks, 3, "three blocks of 480 cover the next render of 1024")
        XCTAssertEqual(port.queuedFrames, 1_440)
        XCTAssertLessThanOrEqual(port.queuedFrames, port.latencyLimit)
        XCTAssertFalse(pump.step(), "the output has enough: no block is due")
        port.render(left: &left, right: &right, frames: 1_024)
        XCTAssertEqual(port.underruns, 1, "the second render found its frames")
        XCTAssertTrue(left.contains { abs($0) > 0.1 }, "the reader's power tone, on the left")
        // A microphone far ahead of the output: what does not fit is dropped and counted,
        // and the pump keeps only the newest block of the rest.
        let microphone = [Float](repeating: 0.5, count: 480)
        for _ in 0..<40 { port.capture(microphone, frames: 480) }
        XCTAssertGreaterThan(port.overruns, 0)
        XCTAssertLessThan(port.backlog, 40 * 480)
        XCTAssertTrue(pump.step())
        XCTAssertEqual(port.backlog, 0, "one block kept, and made")
        XCTAssertEqual(port.droppedFrames, 39 * 480, "all but the block made: overrun, or cut back")
    }

    func testThePumpsOwnThreadServesAnEngineRunningInRealTime() throws {
        let jack = try AudioJack(sampleRate: 48_000, phoneModel: "Swift threaded phone", blockCapacity: 480, savedProfile: nil)
        let engine = SimulatedEngine(jack: jack, renderFrames: 512, pumpInline: false)
        engine.reader.plugIn()
        engine.pump.start()
        defer { engine.pump.stop() }
        XCTAssertTrue(engine.pump.isRunning)
        // The engine's thread: an I/O cycle every 512 frames of real time, as AVAudioEngine's would be.
        let stopEngine = SharedFlag()
        let engineEnded = DispatchSemaphore(value: 0)
        Thread {
            let period = 512.0 / 48_000.0
            var next = Date()
            while !stopEngine.isSet {
                engine.cycle()
                next += period
                let wait = next.timeIntervalSinceNow
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            }
            engineEnded.signal()
        }.start()
        let deadline = Date() + 30
        while !jack.isReaderConnected(), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(jack.isReaderConnected(), "the reader answered through the pump's thread within 30 s")
        let underrunsBefore = engine.port.underruns
        Thread.sleep(forTimeInterval: 2)
        XCTAssertTrue(jack.isReaderConnected(), "and stayed connected")
        stopEngine.set()
        engineEnded.wait()
        engine.pump.stop()
        XCTAssertFalse(engine.pump.isRunning)
        let blocksAfterStop = engine.pump.blocks
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(engine.pump.blocks, blocksAfterStop, "no block after stop")
        // Two seconds are about 190 renders; a pump that kept up misses few of them.
        XCTAssertLessThan(engine.port.underruns - underrunsBefore, 20, "renders that found too little")
        XCTAssertLessThanOrEqual(engine.port.queuedFrames, engine.port.latencyLimit)
    }
}

/// A flag one thread sets and another polls.
private final class SharedFlag {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// An engine's I/O cycle as AVAudioEngine runs it, with the virtual reader
/// in the jack: the input callback hears the reader, the output callback
/// plays what the pump made, and the reader hears what was played. The pump
/// runs inline between the two callbacks (a deterministic stand-in for its
/// thread), or on its own thread when `pumpInline` is false. Every buffer
/// is made once.
private final class SimulatedEngine {
    let reader = VirtualReader(sampleRate: 48_000, deviceNumber: 901, blockCapacity: 512)
    let port = EngineAudioPort(blockCapacity: 480)
    let pump: AudioPump
    private let pumpInline: Bool
    private let handle: UInt64
    private let frames: Int
    private let left: UnsafeMutablePointer<Float>
    private let right: UnsafeMutablePointer<Float>
    private let headphones: UnsafeMutablePointer<Float>
    private let microphone: UnsafePointer<Float>

    init(jack: AudioJack, renderFrames: Int, pumpInline: Bool = true) {
        frames = renderFrames
        self.pumpInline = pumpInline
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

    /// One I/O cycle: input callback, (the pump, inline), output callback, then the reader hears the output.
    func cycle() {
        port.capture(microphone, frames: frames)
        if pumpInline {
            while pump.step() {}
        }
        port.render(left: left, right: right, frames: frames)
        for frame in 0..<frames {
            headphones[2 * frame] = left[frame]
            headphones[2 * frame + 1] = right[frame]
        }
        precondition(mpos_test_reader_process(handle, UInt32(frames)) == 0)
    }
}
