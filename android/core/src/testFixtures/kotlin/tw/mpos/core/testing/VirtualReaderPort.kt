package tw.mpos.core.testing

import com.sun.jna.Native
import tw.mpos.core.AudioPort
import tw.mpos.core.view
import uniffi.mpos_ffi_testing.VirtualReader
import java.nio.ByteBuffer

/** `mpos_virtual_reader_process` through JNA direct mapping, like the app's own audio call. */
object NativeVirtualReader {
    init {
        Native.register(
            NativeVirtualReader::class.java,
            System.getProperty("uniffi.component.mpos_ffi_testing.libraryOverride") ?: "mpos_ffi_testing",
        )
    }

    /** Runs one block of the `VirtualReader` whose `nativeHandle()` is [handle]; 0 when done. */
    @JvmStatic
    external fun mpos_virtual_reader_process(handle: Long, frames: Int): Int
}

/**
 * The virtual reader as the phone's audio device: what the app plays
 * reaches the reader through a typical phone's analog paths, and the
 * reader's line comes back as the microphone's samples. In real time, as a
 * microphone delivers them, or (for measuring the path's own cost) as
 * fast as the machine allows.
 */
class VirtualReaderPort(reader: VirtualReader, sampleRate: Int, private val realTime: Boolean = true) : AudioPort {
    private val handle = reader.nativeHandle().toLong()
    private val block = reader.blockCapacity().toInt()
    private val headphones = view(reader.inputAddress().toLong(), 8L * block)
    private val microphone = view(reader.outputAddress().toLong(), 4L * block)
    private val blockNanos = 1_000_000_000L * block / sampleRate
    private var next = System.nanoTime()

    override fun read(mono: ByteBuffer, frames: Int): Int {
        if (realTime) {
            // A real microphone hands over a block every block time.
            next += blockNanos
            val wait = next - System.nanoTime()
            if (wait > 0) Thread.sleep(wait / 1_000_000, (wait % 1_000_000).toInt())
            else if (wait < -200_000_000L) next = System.nanoTime()
        }
        microphone.clear()
        microphone.limit(4 * frames)
        mono.put(microphone)
        return frames
    }

    override fun write(stereo: ByteBuffer, frames: Int) {
        headphones.clear()
        headphones.put(stereo)
        check(NativeVirtualReader.mpos_virtual_reader_process(handle, frames) == 0)
    }

    override fun close() {}
}
