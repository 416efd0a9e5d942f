package tw.mpos.core

import java.nio.ByteBuffer

/**
 * The headset jack as the audio pump sees it: the platform's recorder and
 * player (Android `AudioRecord`/`AudioTrack`, iOS `AVAudioEngine`), or a
 * virtual reader in tests. The buffers are direct views of the core's own
 * sample buffers (32-bit floats, native byte order): the platform reads
 * into and plays from the core's memory, with no copy and no allocation.
 */
interface AudioPort : AutoCloseable {
    /** Fills [mono] with [frames] microphone samples, waiting for them; returns how many came. */
    fun read(mono: ByteBuffer, frames: Int): Int

    /** Plays [frames] interleaved stereo frames of [stereo] (left: power tone, right: data). */
    fun write(stereo: ByteBuffer, frames: Int)
}
