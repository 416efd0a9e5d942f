package tw.mpos.core

import com.sun.jna.Native

/**
 * The audio thread's one native call, through JNA direct mapping: two
 * integers in, one out, no allocation (a UniFFI call allocates its call
 * status on the JVM, so the audio path does not use one).
 */
internal object NativeAudio {
    init {
        Native.register(NativeAudio::class.java, libraryName())
    }

    /** Runs one block of the `AudioJack` whose `nativeHandle()` is [handle]; 0 when done. */
    @JvmStatic
    external fun mpos_audio_jack_process(handle: Long, frames: Int): Int
}

/** The library UniFFI loads, honouring the same override property. */
internal fun libraryName(): String =
    System.getProperty("uniffi.component.mpos_ffi.libraryOverride") ?: "mpos_ffi"
