package tw.mpos.app

import android.Manifest
import android.content.Context
import android.media.AudioDeviceInfo
import android.media.AudioManager
import android.os.BatteryManager
import android.os.Looper
import android.view.WindowManager
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.junit4.createEmptyComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.test.swipe
import androidx.test.core.app.ActivityScenario
import org.junit.After
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.AudioDeviceInfoBuilder
import tw.mpos.core.testing.Credentials
import tw.mpos.core.testing.Testbed
import tw.mpos.ui.Tags
import uniffi.mpos_core.CardBrand
import uniffi.mpos_core.CheckState
import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent
import uniffi.mpos_core.ScreenId
import uniffi.mpos_ffi_testing.TestCard

/**
 * The real activity under Robolectric, with the real Rust core behind it
 * (built for this machine, loaded through JNA), the real gateway over
 * TLS, and the virtual reader behind Robolectric's audio: the cashier's
 * clicks and typing on the Compose screens, the permission flow, the back
 * button, the headset, and the audio bridge.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [36], application = TestMposApplication::class)
@OptIn(ExperimentalTestApi::class)
class MainActivityTest {
    @get:Rule
    val compose = createEmptyComposeRule()

    private val app get() = RuntimeEnvironment.getApplication() as TestMposApplication
    private val audio get() = app.getSystemService(Context.AUDIO_SERVICE) as AudioManager
    private val headset = AudioDeviceInfoBuilder.newBuilder().setType(AudioDeviceInfo.TYPE_WIRED_HEADSET).build()
    private lateinit var wired: WiredReader

    @Before
    fun plugIn() {
        wired = WiredReader(48_000).also { it.install() }
        shadowOf(audio).addInputDevice(headset, true)
        wired.reader.plugIn()
    }

    @After
    fun unplug() {
        wired.remove()
    }

    @Test
    fun aFirstLoginAndAChipSaleByTouch() {
        shadowOf(app).grantPermissions(Manifest.permission.RECORD_AUDIO)
        ActivityScenario.launch(MainActivity::class.java).use { scenario ->
            val user = testbed.createUser()
            awaitReader()
            firstLogin(user)

            click(Intent.StartSale)
            await(ScreenId.AMOUNT)
            type(FieldId.AMOUNT, "4800")
            compose.waitUntil(10_000) { view().fields.any { it.value == "NT$4,800" } }
            click(Intent.ChooseBrand(CardBrand.VISA))
            compose.waitUntil(10_000) { view().choice?.options?.any { it.selected } == true }
            click(Intent.PayNow)
            await(ScreenId.PRESENT_CARD)
            compose.waitUntil(5_000) { screenKeptOn(scenario) }
            waitQuiet()
            wired.reader.insert(TestCard.VISA_CHIP_APPROVED)
            await(ScreenId.SIGNATURE)
            compose.onNodeWithTag(Tags.SIGNATURE_PAD).performScrollTo().performTouchInput {
                swipe(Offset(width * 0.1f, height * 0.6f), Offset(width * 0.9f, height * 0.4f), 300)
            }
            compose.waitUntil(10_000) { view().signature?.strokes?.isNotEmpty() == true }
            click(Intent.ConfirmSignature)
            await(ScreenId.RECEIPT)
            compose.onNodeWithTag(Tags.QR).assertExists()
            click(Intent.FinishReceipt)
            await(ScreenId.HOME)
            compose.waitUntil(5_000) { !screenKeptOn(scenario) }
            assertTrue("the portal lists the approved sale", testbed.transactions().any { it["status"] == "approved" && (it["amount"] as Map<*, *>)["minor"] == 480_000.0 })
        }
    }

    @Test
    fun withoutTheMicrophoneTheAppAsksAndSaysWhyThenFindsTheReaderOnceAllowed() {
        ActivityScenario.launch(MainActivity::class.java).use { scenario ->
            compose.waitUntil(10_000) { view().message?.code == "microphone_needed" }
            var requested = listOf<String>()
            scenario.onActivity { activity ->
                val request = shadowOf(activity).lastRequestedPermission
                requested = request.requestedPermissions.toList()
                shadowOf(app).grantPermissions(Manifest.permission.RECORD_AUDIO)
                activity.onRequestPermissionsResult(request.requestCode, request.requestedPermissions, intArrayOf(0))
            }
            assertEquals(listOf(Manifest.permission.RECORD_AUDIO), requested)
            compose.waitUntil(10_000) { view().message?.code != "microphone_needed" }
            awaitReader()
        }
    }

    @Test
    fun theBackButtonGoesBackAStepAndLeavesTheAppFromLogin() {
        shadowOf(app).grantPermissions(Manifest.permission.RECORD_AUDIO)
        ActivityScenario.launch(MainActivity::class.java).use { scenario ->
            val user = testbed.createUser()
            awaitReader()
            type(FieldId.USERNAME, user.username)
            type(FieldId.PASSWORD, user.defaultPassword)
            click(Intent.LogIn)
            await(ScreenId.ACTIVATION)
            scenario.onActivity { it.onBackPressedDispatcher.onBackPressed() }
            await(ScreenId.LOGIN)
            scenario.onActivity { it.onBackPressedDispatcher.onBackPressed() }
            awaitFinishing(scenario)
        }
    }

    @Test
    fun thePreShiftCheckFromLoginReadsTheBatteryTheReaderAndTheGateway() {
        shadowOf(app).grantPermissions(Manifest.permission.RECORD_AUDIO)
        app.sendStickyBroadcast(
            android.content.Intent(android.content.Intent.ACTION_BATTERY_CHANGED)
                .putExtra(BatteryManager.EXTRA_LEVEL, 42)
                .putExtra(BatteryManager.EXTRA_SCALE, 100)
                .putExtra(BatteryManager.EXTRA_STATUS, BatteryManager.BATTERY_STATUS_DISCHARGING),
        )
        ActivityScenario.launch(MainActivity::class.java).use {
            awaitReader()
            click(Intent.OpenSelfCheck)
            await(ScreenId.SELF_CHECK)
            compose.waitUntil(30_000) { view().busy == null && view().checks.none { it.state == CheckState.CHECKING } }
            val checks = view().checks
            assertEquals(10, checks.size)
            assertEquals("the activity reported the battery", "42%", checks[0].value)
            assertEquals(CheckState.OK, checks[0].state)
            assertEquals("the reader answers over Robolectric's audio", CheckState.OK, checks[1].state)
            assertEquals("the gateway answers over its pinned certificate", CheckState.OK, checks[6].state)
            compose.onNodeWithTag(Tags.check(6)).performScrollTo().assertExists()
            compose.onNodeWithText(checks[6].value).assertExists()
            click(Intent.Back)
            await(ScreenId.LOGIN)
        }
    }

    @Test
    fun pullingTheReaderOutIsShownAtOnce() {
        shadowOf(app).grantPermissions(Manifest.permission.RECORD_AUDIO)
        ActivityScenario.launch(MainActivity::class.java).use {
            awaitReader()
            // The link answers before the core's actor redraws the screen; wait for the drawing too,
            // or a pull that overtakes it leaves the line as it was. Robolectric's phone speaks en-US.
            compose.waitUntil(30_000) { view().status.first().value == "Connected" }
            shadowOf(audio).removeInputDevice(headset, true)
            compose.waitUntil(10_000) { view().status.first().value == "Not connected: plug in the reader" }
            assertTrue("the jack is empty", !runtime.jack.isReaderConnected())
        }
    }

    @Test
    fun anAppThatCannotStartSaysWhyInTheCoresWords() {
        val good = TestMposApplication.settings
        TestMposApplication.settings = GatewaySettings("https://gateway.example", "not a certificate", "00")
        try {
            ActivityScenario.launch(MainActivity::class.java).use {
                compose.onNodeWithTag(Tags.MESSAGE).assertExists()
                val failure = app.runtime.exceptionOrNull()?.message.orEmpty()
                assertTrue(failure, failure.contains("settings are invalid"))
                compose.onNodeWithText(failure).assertExists()
            }
        } finally {
            TestMposApplication.settings = good
        }
    }

    private val runtime get() = app.runtime.getOrThrow()

    private fun view() = runtime.session.views.value

    /** Whether the activity's window keeps the display on. */
    private fun screenKeptOn(scenario: ActivityScenario<MainActivity>): Boolean {
        var on = false
        scenario.onActivity { on = it.window.attributes.flags and WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON != 0 }
        return on
    }

    private fun await(screen: ScreenId) {
        try {
            compose.waitUntil(30_000) { view().screen == screen }
        } catch (timeout: Throwable) {
            val view = view()
            throw AssertionError("waited for $screen; the app shows ${view.screen}: ${view.message?.code} ${view.prompt}", timeout)
        }
    }

    /**
     * Waits for the activity to finish by running the main looper, not Compose's test clock:
     * that clock measures every composition, and one being torn down by finish() can be caught
     * mid-layout ("performMeasureAndLayout called during measure layout").
     */
    private fun awaitFinishing(scenario: ActivityScenario<MainActivity>) {
        // Held, not asked through onActivity, which refuses once the activity is destroyed.
        lateinit var activity: MainActivity
        scenario.onActivity { activity = it }
        val deadline = System.nanoTime() + 10_000_000_000L
        while (true) {
            shadowOf(Looper.getMainLooper()).idle()
            if (activity.isFinishing) return
            assertTrue("the activity finishes within 10 s", System.nanoTime() < deadline)
            Thread.sleep(10)
        }
    }

    private fun awaitReader() {
        compose.waitUntil(30_000) { runtime.jack.isReaderConnected() }
        compose.waitForIdle()
    }

    private fun waitQuiet() {
        compose.waitUntil(5_000) { runtime.jack.isLinkIdle() && wired.reader.isIdle() }
    }

    private fun click(intent: Intent) {
        compose.onNodeWithTag(Tags.intent(intent)).performScrollTo().performClick()
    }

    private fun type(field: FieldId, text: String) {
        compose.onNodeWithTag(Tags.input(field)).performScrollTo().performTextInput(text)
    }

    private fun firstLogin(user: Credentials) {
        val before = view().status.first().value
        assertNotEquals("", before)
        type(FieldId.USERNAME, user.username)
        type(FieldId.PASSWORD, user.defaultPassword)
        click(Intent.LogIn)
        await(ScreenId.ACTIVATION)
        type(FieldId.ACTIVATION_CODE, user.activationCode)
        click(Intent.SubmitActivationCode)
        await(ScreenId.NEW_PASSWORD)
        type(FieldId.NEW_PASSWORD, "246810")
        type(FieldId.NEW_PASSWORD_CONFIRMATION, "246810")
        click(Intent.SetNewPassword)
        await(ScreenId.HOME)
    }

    companion object {
        private lateinit var testbed: Testbed

        @BeforeClass
        @JvmStatic
        fun start() {
            testbed = Testbed.start()
            TestMposApplication.settings = GatewaySettings(testbed.gatewayUrl, testbed.certPem, testbed.spkiSha256)
        }

        @AfterClass
        @JvmStatic
        fun stop() {
            testbed.close()
        }
    }
}
