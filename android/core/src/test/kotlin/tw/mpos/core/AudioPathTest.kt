package tw.mpos.core

import org.junit.Assert.assertTrue
import org.junit.Test
import tw.mpos.core.testing.VirtualReaderPort
import uniffi.mpos_ffi.AudioJack
import uniffi.mpos_ffi_testing.VirtualReader
import java.lang.management.ManagementFactory

/** The shell's audio thread: a reader found through it, and no allocation per block on the JVM. */
class AudioPathTest {
    @Test
    fun theAudioThreadAllocatesNothingPerBlockOnceTheReaderAnswers() {
        val jack = AudioJack(48_000u, "JVM allocation phone", 480u, null)
        val reader = VirtualReader(48_000u, 900u, 480u)
        reader.plugIn()
        val pump = AudioPump(jack, VirtualReaderPort(reader, 48_000, realTime = false))
        var blocks = 0
        while (!jack.isReaderConnected()) {
            pump.step()
            check(++blocks < 3_000) { "no reader within 30 s of audio" }
        }
        repeat(500) { pump.step() } // warm up the JIT
        val threads = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val before = threads.currentThreadAllocatedBytes
        repeat(BLOCKS) { pump.step() }
        val allocated = threads.currentThreadAllocatedBytes - before
        assertTrue("the reader stayed connected", jack.isReaderConnected())
        // A block allocating anything (an object is 16 bytes or more) would
        // show as thousands of bytes; the measuring itself costs a few.
        assertTrue("$allocated bytes allocated by the audio thread over $BLOCKS blocks", allocated < BLOCKS)
        pump.close()
        reader.close()
        jack.close()
    }

    private companion object {
        /** Thirty seconds of audio, with keep-alives going both ways. */
        const val BLOCKS = 3_000
    }
}
