package tw.mpos.core

import uniffi.mpos_ffi.AudioJack
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer

/** A port with nothing behind it: the block's cost is the pump's and the core's alone. */
private class NullPort : AudioPort {
    override fun read(mono: ByteBuffer, frames: Int) = frames

    override fun write(stereo: ByteBuffer, frames: Int) {}

    override fun close() {}
}

private class Row(val way: String, val medianMicros: Double, val p99Micros: Double, val bytesPerBlock: Double)

private const val BLOCKS = 6_000

/** Times [block] [BLOCKS] times on this thread, and what it allocated. */
private fun measure(way: String, block: () -> Unit): Row {
    repeat(1_000) { block() } // warm up the JIT
    val threads = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
    val times = LongArray(BLOCKS)
    val before = threads.currentThreadAllocatedBytes
    for (i in 0 until BLOCKS) {
        val started = System.nanoTime()
        block()
        times[i] = System.nanoTime() - started
    }
    val allocated = threads.currentThreadAllocatedBytes - before
    times.sort()
    return Row(way, times[BLOCKS / 2] / 1e3, times[BLOCKS * 99 / 100] / 1e3, allocated / BLOCKS.toDouble())
}

/**
 * The audio path's cost per 10 ms block on the JVM, three ways, in one
 * run: the C entry the shells call through JNA direct mapping, the whole
 * pump step around it (direct buffers, no copy), and the UniFFI-generated
 * call for comparison. Prints its section of docs/benchmarks.md.
 */
fun main() {
    val jack = AudioJack(48_000u, "JVM bench phone", 480u, null)
    val handle = jack.nativeHandle().toLong()
    val pump = AudioPump(jack, NullPort())
    val rows = listOf(
        measure("C entry through JNA direct mapping (what the pump calls)") { NativeAudio.mpos_audio_jack_process(handle, 480) },
        measure("AudioPump.step (read, process in place, play; direct buffers)") { pump.step() },
        measure("UniFFI-generated AudioJack.process (for comparison)") { jack.process(480u) },
    )
    val section = buildString {
        appendLine("## Audio path per 10 ms block on the JVM")
        appendLine()
        appendLine(
            "Measured by `MPOS_BENCH=1 bash android/test.sh` (release library, Java ${System.getProperty("java.version")}, this 2-core machine): " +
                "$BLOCKS blocks of 480 frames at 48 kHz each way, in one run, the core searching for a reader " +
                "(power tone and probes), nothing behind the port. Bytes are what the calling thread allocated per block " +
                "(`ThreadMXBean`, the JVM heap only); the JVM suite's `AudioPathTest` checks that a connected pump allocates nothing on the heap. The Rust core's own allocations on that thread (around each reader keep-alive: 351 in 30 s, at most 11 in one block) are counted by `crates/mpos-ffi/tests/audio_allocations.rs`."
        )
        appendLine()
        appendLine("| Way | Median | p99 | Allocated per block | Median / 10 ms budget |")
        appendLine("|---|---:|---:|---:|---:|")
        for (row in rows) {
            appendLine(
                "| ${row.way} | %.1f µs | %.1f µs | %.0f B | %.2f %% |".format(row.medianMicros, row.p99Micros, row.bytesPerBlock, row.medianMicros / 100.0),
            )
        }
        appendLine()
        appendLine("Ratio, UniFFI call over the C entry (same run): %.2fx.".format(rows[2].medianMicros / rows[0].medianMicros))
        appendLine()
    }
    // android/test.sh hands this to `benchmark-section audio-jvm`.
    print(section)
    pump.close()
    jack.close()
}
