package tw.mpos.core

import com.sun.jna.Pointer
import uniffi.mpos_ffi.AudioJack

/**
 * The audio thread: per block, the microphone's samples go into the
 * core's input buffer in place, the core runs the reader link, and its
 * output buffer is played. The arrays and pointers are made once; a block
 * allocates nothing, on the JVM or in Rust.
 */
class AudioPump(jack: AudioJack, private val port: AudioPort) : AutoCloseable {
    private val handle = jack.nativeHandle().toLong()
    private val input = Pointer(jack.inputAddress().toLong())
    private val output = Pointer(jack.outputAddress().toLong())
    private val block = jack.blockCapacity().toInt()
    private val mono = FloatArray(block)
    private val stereo = FloatArray(2 * block)

    @Volatile private var running = false
    private var thread: Thread? = null

    /** Blocks run since the start. */
    @Volatile var blocks: Long = 0
        private set

    /** Starts the audio thread. */
    fun start() {
        if (running) return
        running = true
        thread = Thread(::run, "mpos-audio").apply {
            priority = Thread.MAX_PRIORITY
            isDaemon = true
            start()
        }
    }

    /** One block: read, process in place, play. Public for benchmarks. */
    fun step() {
        val frames = port.read(mono, block)
        if (frames <= 0) return
        input.write(0, mono, 0, frames)
        check(NativeAudio.mpos_audio_jack_process(handle, frames) == 0) { "the audio block was refused" }
        output.read(0, stereo, 0, 2 * frames)
        port.write(stereo, frames)
        blocks++
    }

    private fun run() {
        while (running) step()
    }

    /** Stops the audio thread and closes the port. */
    override fun close() {
        running = false
        thread?.join(1_000)
        port.close()
    }
}
