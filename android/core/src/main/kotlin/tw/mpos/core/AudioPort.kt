package tw.mpos.core

/**
 * The headset jack as the audio pump sees it: the platform's recorder and
 * player (Android `AudioRecord`/`AudioTrack`, iOS `AVAudioEngine`), or a
 * virtual reader in tests. Both calls get preallocated arrays.
 */
interface AudioPort : AutoCloseable {
    /** Reads [frames] mono microphone samples into [mono], waiting for them; returns how many came. */
    fun read(mono: FloatArray, frames: Int): Int

    /** Plays [frames] interleaved stereo frames of [stereo] (left: power tone, right: data). */
    fun write(stereo: FloatArray, frames: Int)
}
