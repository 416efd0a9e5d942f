package tw.mpos.core

import com.sun.jna.Pointer
import uniffi.mpos_ffi.AudioJack
import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * The audio thread: per block, the microphone's samples land in the core's
 * input buffer, the core runs the reader link in place, and the core's
 * output buffer is played. The buffers are views of the core's memory,
 * made once; a block copies nothing and allocates nothing, on the JVM or
 * in Rust.
 */
class AudioPump(jack: AudioJack, private val port: AudioPort) : AutoCloseable {
    private val handle = jack.nativeHandle().toLong()
    private val block = jack.blockCapacity().toInt()
    private val input: ByteBuffer = view(jack.inputAddress().toLong(), 4L * block)
    private val output: ByteBuffer = view(jack.outputAddress().toLong(), 8L * block)

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
        input.clear()
        val frames = port.read(input, block)
        if (frames <= 0) return
        check(NativeAudio.mpos_audio_jack_process(handle, frames) == 0) { "the audio block was refused" }
        output.clear()
        output.limit(8 * frames)
        port.write(output, frames)
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

/** A direct buffer over [bytes] bytes of native memory at [address], in native byte order. */
fun view(address: Long, bytes: Long): ByteBuffer = Pointer(address).getByteBuffer(0, bytes).order(ByteOrder.nativeOrder())
