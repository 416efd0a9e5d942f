package tw.mpos.core.testing

import tw.mpos.core.AudioPort
import tw.mpos.core.view
import uniffi.mpos_ffi_testing.VirtualReader
import java.nio.ByteBuffer

/**
 * The virtual reader as an audio device that never waits: the pump runs
 * as fast as the machine allows, for measuring the audio path's own cost.
 */
class UnpacedReaderPort(reader: VirtualReader) : AudioPort {
    private val handle = reader.nativeHandle().toLong()
    private val block = reader.blockCapacity().toInt()
    private val headphones = view(reader.inputAddress().toLong(), 8L * block)
    private val microphone = view(reader.outputAddress().toLong(), 4L * block)

    override fun read(mono: ByteBuffer, frames: Int): Int {
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
