package tw.mpos.core.testing

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import tw.mpos.core.AudioPump
import tw.mpos.core.MposSession
import uniffi.mpos_core.AppConfig
import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent
import uniffi.mpos_core.Locale
import uniffi.mpos_core.ScreenId
import uniffi.mpos_core.ScreenView
import uniffi.mpos_ffi.AudioJack
import uniffi.mpos_ffi.MposApp
import uniffi.mpos_ffi_testing.TestCard
import uniffi.mpos_ffi_testing.VirtualReader
import java.nio.file.Files
import java.util.concurrent.atomic.AtomicInteger

/**
 * A phone for the tests: the real core through the bindings, its audio
 * pump, and the virtual reader on the far side of the audio. The tests
 * act as a shell does (edits and presses, by field and intent) and as the
 * cardholder does (the reader's hands).
 */
class TestPhone(
    testbed: Testbed,
    requestTimeoutMs: Long = 15_000,
    locale: Locale = Locale.EN,
) : AutoCloseable {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val dataDir = Files.createTempDirectory("mpos-phone").toFile()

    /** The core's driver of the headset jack. */
    val jack = AudioJack(RATE.toUInt(), "JVM test phone", BLOCK.toUInt(), null)

    /** The cardholder's and cashier's reader. */
    val reader = VirtualReader(RATE.toUInt(), nextReader.incrementAndGet().toUInt(), BLOCK.toUInt())
    private val pump = AudioPump(jack, VirtualReaderPort(reader, RATE)).also { it.start() }

    /** The app. */
    val app = MposApp(
        AppConfig(
            gatewayUrl = testbed.gatewayUrl,
            trustRootPem = testbed.certPem,
            pinnedSpkiSha256 = testbed.spkiSha256,
            dataDir = dataDir.absolutePath,
            requestTimeoutMs = requestTimeoutMs.toULong(),
            reversalRetryMs = 300u,
            locale = locale,
        ),
        jack,
    )

    /** The views, as a shell holds them. */
    val session = MposSession(app, scope)

    /** The screen now. */
    val view: ScreenView get() = app.view()

    /** Waits up to [timeoutMs] for screen [id] with [also] true of it (the reader's doing); returns it. */
    fun await(id: ScreenId, timeoutMs: Long = 30_000, also: (ScreenView) -> Boolean = { true }): ScreenView {
        val deadline = System.currentTimeMillis() + timeoutMs
        while (true) {
            val view = app.view()
            if (view.screen == id && also(view)) return view
            check(System.currentTimeMillis() < deadline) {
                "waited for $id; the app shows ${view.screen}: ${view.message?.code} ${view.prompt}"
            }
            Thread.sleep(10)
        }
    }

    /** Presses [intent]; returns the view once everything it caused is done. */
    fun press(intent: Intent): ScreenView = runBlocking { app.press(intent) }

    /** Presses [intent] and checks the app is then on screen [then]. */
    fun press(intent: Intent, then: ScreenId): ScreenView {
        val view = press(intent)
        check(view.screen == then) { "after $intent: ${view.screen} (${view.message?.code}), not $then" }
        return view
    }

    /** Types [text] into [field]. */
    fun type(field: FieldId, text: String): ScreenView = runBlocking { app.edit(field, text) }

    /** Waits until the app and the reader have said all they had to say (a cashier's pause). */
    fun waitQuiet() {
        val deadline = System.currentTimeMillis() + 3_000
        while (!(jack.isLinkIdle() && reader.isIdle()) && System.currentTimeMillis() < deadline) Thread.sleep(10)
    }

    /** The cardholder inserts [card] once the reader is ready for it. */
    fun insert(card: TestCard) {
        waitQuiet()
        reader.insert(card)
    }

    /** The cardholder swipes [card] once the reader is ready for it. */
    fun swipe(card: TestCard) {
        waitQuiet()
        reader.swipe(card)
    }

    /**
     * The cardholder types [pin] on the reader's keypad: for each digit the
     * key the core labelled with it, then Confirm; returns the view after it.
     */
    fun enterPin(pin: String): ScreenView {
        val pad = await(ScreenId.PIN_ENTRY) { !it.pinPad?.keys.isNullOrEmpty() }.pinPad!!
        pin.forEach { digit -> press(pad.keys.first { it.label == digit.toString() }.intent) }
        return press(Intent.ConfirmPin)
    }

    /** Plugs the reader in and waits until the link is up and the screen's reader line changed. */
    fun plugInReader(): ScreenView {
        val unplugged = view.status.firstOrNull()?.value
        reader.plugIn()
        return await(view.screen, also = { jack.isReaderConnected() && it.status.firstOrNull()?.value != unplugged })
    }

    /** The first login: default password, the SMS code, then a new 6-digit password; ends at home. */
    fun firstLogin(credentials: Credentials, newPassword: String = NEW_PASSWORD): ScreenView {
        type(FieldId.USERNAME, credentials.username)
        type(FieldId.PASSWORD, credentials.defaultPassword)
        press(Intent.LogIn, ScreenId.ACTIVATION)
        type(FieldId.ACTIVATION_CODE, credentials.activationCode)
        press(Intent.SubmitActivationCode, ScreenId.NEW_PASSWORD)
        type(FieldId.NEW_PASSWORD, newPassword)
        type(FieldId.NEW_PASSWORD_CONFIRMATION, newPassword)
        return press(Intent.SetNewPassword, ScreenId.HOME)
    }

    override fun close() {
        session.close()
        pump.close()
        scope.cancel()
        reader.close()
        jack.close()
        dataDir.deleteRecursively()
    }

    companion object {
        /** The audio rate of the test phones. */
        const val RATE = 48_000

        /** 10 ms blocks. */
        const val BLOCK = 480

        /** The 6-digit password every test user sets. */
        const val NEW_PASSWORD = "246810"
        private val nextReader = AtomicInteger(100)
    }
}
