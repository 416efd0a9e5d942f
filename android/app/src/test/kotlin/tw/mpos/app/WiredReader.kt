package tw.mpos.app

import org.robolectric.shadows.ShadowAudioRecord
import org.robolectric.shadows.ShadowAudioTrack
import tw.mpos.core.testing.NativeVirtualReader
import tw.mpos.core.view
import uniffi.mpos_ffi_testing.VirtualReader
import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * The virtual reader wired behind Robolectric's audio: what the app's
 * `AudioTrack` plays reaches the reader, and the app's `AudioRecord` hears
 * the reader, in real time. So the real audio bridge of the app runs.
 */
class WiredReader(rate: Int) : ShadowAudioTrack.OnAudioDataWrittenListener, ShadowAudioRecord.AudioRecordSource {
    /** The reader in the jack, with the cardholder's hands. */
    val reader = VirtualReader(rate.toUInt(), 777u, BLOCK.toUInt())
    private val handle = reader.nativeHandle().toLong()
    private val headphones = view(reader.inputAddress().toLong(), 8L * BLOCK)
    private val line = view(reader.outputAddress().toLong(), 4L * BLOCK)
    private val microphone = ArrayDeque<Float>()
    private val blockNanos = 1_000_000_000L * BLOCK / rate
    private var next = System.nanoTime()

    /** Puts the reader behind the audio shadows. */
    fun install() {
        ShadowAudioTrack.addAudioDataListener(this)
        ShadowAudioRecord.setSource(this)
    }

    /** Takes it away again. */
    fun remove() {
        ShadowAudioTrack.removeAudioDataListener(this)
        ShadowAudioRecord.clearSource()
    }

    override fun onAudioDataWritten(track: android.media.AudioTrack, audioData: ByteArray, format: android.media.AudioFormat) {
        val played = ByteBuffer.wrap(audioData).order(ByteOrder.nativeOrder())
        while (played.remaining() >= 8) {
            val frames = minOf(BLOCK, played.remaining() / 8)
            headphones.clear()
            val chunk = played.slice().order(ByteOrder.nativeOrder())
            chunk.limit(8 * frames)
            headphones.put(chunk)
            played.position(played.position() + 8 * frames)
            check(NativeVirtualReader.mpos_virtual_reader_process(handle, frames) == 0)
            line.clear()
            synchronized(microphone) { repeat(frames) { microphone.addLast(line.getFloat(4 * it)) } }
        }
    }

    override fun readInDirectBuffer(buffer: ByteBuffer, sizeInBytes: Int, isBlocking: Boolean): Int {
        next += blockNanos * (sizeInBytes / 4) / BLOCK
        val wait = next - System.nanoTime()
        if (wait > 0) Thread.sleep(wait / 1_000_000, (wait % 1_000_000).toInt()) else if (wait < -200_000_000L) next = System.nanoTime()
        val out = buffer.duplicate().order(ByteOrder.nativeOrder())
        synchronized(microphone) {
            repeat(sizeInBytes / 4) { out.putFloat(microphone.removeFirstOrNull() ?: 0f) }
        }
        return sizeInBytes
    }

    private companion object {
        const val BLOCK = 480
    }
}
