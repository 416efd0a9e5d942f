import Foundation
import MposKit
import MposTestingBindings
import MposTestingC

/// The virtual reader as the phone's audio device: what the app plays
/// reaches the reader through a typical phone's analog paths, and the
/// reader's line comes back as the microphone's samples. In real time, as
/// a microphone delivers them, or (to measure the path's own cost) as fast
/// as the machine allows.
public final class VirtualReaderPort: AudioPort {
    /// The reader, kept alive while its buffers are in use.
    private let reader: VirtualReader
    private let handle: UInt64
    /// Where the reader hears the app (stereo).
    private let headphones: UnsafeMutablePointer<Float>
    /// Where the reader's line comes out (mono).
    private let microphone: UnsafePointer<Float>
    private let blockNanos: UInt64
    private let realTime: Bool
    private var next = DispatchTime.now().uptimeNanoseconds

    /// A port to `reader` at `sampleRate`, paced like a microphone when `realTime`.
    public init(reader: VirtualReader, sampleRate: Int, realTime: Bool = true) {
        self.reader = reader
        self.realTime = realTime
        handle = reader.nativeHandle()
        headphones = UnsafeMutablePointer(bitPattern: UInt(reader.inputAddress()))!
        microphone = UnsafePointer(bitPattern: UInt(reader.outputAddress()))!
        blockNanos = 1_000_000_000 * UInt64(reader.blockCapacity()) / UInt64(sampleRate)
    }

    /// The reader's last block, as the microphone heard it (every block time in real time).
    public func read(into mono: UnsafeMutablePointer<Float>, frames: Int) -> Int {
        if realTime {
            // A real microphone hands over a block every block time.
            next += blockNanos
            let now = DispatchTime.now().uptimeNanoseconds
            if next > now {
                usleep(UInt32((next - now) / 1_000))
            } else if now - next > 200_000_000 {
                next = now
            }
        }
        mono.update(from: microphone, count: frames)
        return frames
    }

    /// The app's block reaches the reader, which answers into the microphone's buffer.
    public func write(from stereo: UnsafePointer<Float>, frames: Int) {
        headphones.update(from: stereo, count: 2 * frames)
        // The reader's own allocations are the test equipment's, not the shell's.
        precondition(mpos_test_reader_process(handle, UInt32(frames)) == 0, "the reader refused the block")
    }
}
