package tw.mpos.core

import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import tw.mpos.core.testing.TestPhone
import tw.mpos.core.testing.Testbed
import uniffi.mpos_core.CheckState
import uniffi.mpos_core.CheckView
import uniffi.mpos_core.Intent
import uniffi.mpos_core.PhonePower
import uniffi.mpos_core.ScreenId
import uniffi.mpos_core.ScreenView
import java.time.Instant

/**
 * The pre-shift check through the bindings, from the login screen: the
 * battery the shell reports, the reader over audio, the real gateway with
 * its clock moved ahead and a newer version announced.
 */
class SelfCheckTest {
    @Test
    fun theCheckSaysWhatIsWrongAndWhatToDoThenPassesOnceFixed() {
        TestPhone(testbed).use { phone ->
            phone.plugInReader()
            runBlocking { phone.app.setPhonePower(PhonePower(76u, false)) }
            testbed.setClock(Instant.now().plusSeconds(600).toString())

            phone.press(Intent.OpenSelfCheck, ScreenId.SELF_CHECK)
            var view = finished(phone)
            assertEquals(10, view.checks.size)
            assertEquals("76%", line(view, "Phone battery").value)
            val reader = line(view, "Card reader")
            assertEquals(CheckState.OK, reader.state)
            assertTrue(reader.value, reader.value.startsWith("Serial SIM-"))
            assertTrue(line(view, "Reader encryption keys").value.endsWith("transactions left"))
            assertTrue(line(view, "Audio link quality").value.contains("bit/s"))
            assertEquals(CheckState.OK, line(view, "Gateway connection").state)
            val clock = line(view, "Phone clock")
            assertEquals(CheckState.FAILED, clock.state)
            assertTrue(clock.value, clock.value.endsWith("s behind the gateway"))
            assertTrue(clock.advice!!, clock.advice!!.contains("automatic date and time"))
            val version = line(view, "App version")
            assertEquals(CheckState.WARNING, version.state)
            assertEquals("0.1.0 (latest 9.0.0)", version.value)
            assertEquals("self_check_failed", view.message?.code)

            testbed.setClock(Instant.now().toString())
            phone.press(Intent.RunSelfCheck)
            view = finished(phone)
            assertEquals(CheckState.OK, line(view, "Phone clock").state)
            assertEquals("self_check_attention", view.message?.code)

            phone.press(Intent.Back, ScreenId.LOGIN)
        }
    }

    /** The check once no line is running any more. */
    private fun finished(phone: TestPhone): ScreenView =
        phone.await(ScreenId.SELF_CHECK) { view -> view.busy == null && view.checks.none { it.state == CheckState.CHECKING } }

    private fun line(view: ScreenView, label: String): CheckView =
        view.checks.find { it.label == label } ?: error("no line $label in ${view.checks.map { it.label }}")

    companion object {
        private lateinit var testbed: Testbed

        @BeforeClass
        @JvmStatic
        fun start() {
            testbed = Testbed.start(appReleases = "9.0.0" to "0.1.0")
        }

        @AfterClass
        @JvmStatic
        fun stop() {
            testbed.close()
        }
    }
}
