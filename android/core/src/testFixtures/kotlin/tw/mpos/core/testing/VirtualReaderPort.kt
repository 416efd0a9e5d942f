package tw.mpos.core.testing

import com.sun.jna.Native
import com.sun.jna.Pointer
import tw.mpos.core.AudioPort
import uniffi.mpos_ffi.VirtualReader

/** `mpos_virtual_reader_process` through JNA direct mapping, like the app's own audio call. */
internal object NativeVirtualReader {
    init {
        Native.register(
            NativeVirtualReader::class.java,
            System.getProperty("uniffi.component.mpos_ffi.libraryOverride") ?: "mpos_ffi",
        )
    }

    @JvmStatic
    external fun mpos_virtual_reader_process(handle: Long, frames: Int): Int
}

/**
 * The virtual reader as the phone's audio device, in real time: what the
 * app plays reaches the reader through a typical phone's analog paths, and
 * the reader's line comes back as the microphone's samples.
 */
class VirtualReaderPort(private val reader: VirtualReader, sampleRate: Int) : AudioPort {
    private val handle = reader.nativeHandle().toLong()
    private val headphones = Pointer(reader.inputAddress().toLong())
    private val microphone = Pointer(reader.outputAddress().toLong())
    private val blockNanos = 1_000_000_000L * reader.blockCapacity().toLong() / sampleRate
    private var next = System.nanoTime()

    override fun read(mono: FloatArray, frames: Int): Int {
        // A real microphone hands over a block every block time.
        next += blockNanos
        val wait = next - System.nanoTime()
        if (wait > 0) Thread.sleep(wait / 1_000_000, (wait % 1_000_000).toInt())
        else if (wait < -200_000_000L) next = System.nanoTime()
        microphone.read(0, mono, 0, frames)
        return frames
    }

    override fun write(stereo: FloatArray, frames: Int) {
        headphones.write(0, stereo, 0, 2 * frames)
        check(NativeVirtualReader.mpos_virtual_reader_process(handle, frames) == 0)
    }

    override fun close() {}
}
