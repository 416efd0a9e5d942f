package tw.mpos.core

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent
import uniffi.mpos_core.Locale
import uniffi.mpos_core.PhonePower
import uniffi.mpos_core.ScreenView
import uniffi.mpos_core.SignaturePoint
import uniffi.mpos_ffi.MposApp
import uniffi.mpos_ffi.TaskHandle
import uniffi.mpos_ffi.ViewListener

/**
 * The app as a shell holds it: the core's views as a [StateFlow] (the
 * listener adapted like Element X's `callbackFlow`s), and the user's
 * input sent on, in order, one at a time. It decides nothing.
 */
class MposSession(private val app: MposApp, scope: CoroutineScope) : ScreenActions, AutoCloseable {
    private val current = MutableStateFlow(app.view())

    /** The screen to draw now; every change of the core's view. */
    val views: StateFlow<ScreenView> = current.asStateFlow()

    private val subscription: TaskHandle = app.subscribe(
        object : ViewListener {
            override fun onView(view: ScreenView) {
                current.value = view
            }
        },
    )

    /** The user's input, kept in the order it was given. */
    private val inbox = Channel<suspend () -> Unit>(Channel.UNLIMITED)

    init {
        scope.launch {
            for (work in inbox) work()
        }
    }

    override fun press(intent: Intent) {
        inbox.trySend { app.press(intent) }
    }

    override fun edit(field: FieldId, text: String) {
        inbox.trySend { app.edit(field, text) }
    }

    override fun addStroke(points: List<SignaturePoint>) {
        inbox.trySend { app.addStroke(points) }
    }

    /** The system back button; [unhandled] runs when the screen has no back (leave the app). */
    fun back(unhandled: () -> Unit) {
        inbox.trySend { if (!app.back()) unhandled() }
    }

    /** Switches every string to [locale]. */
    fun setLocale(locale: Locale) {
        inbox.trySend { app.setLocale(locale) }
    }

    /** The platform allowed or denied the microphone. */
    fun setMicrophoneAllowed(allowed: Boolean) {
        inbox.trySend { app.setMicrophoneAllowed(allowed) }
    }

    /** The phone's battery as the platform reads it, for the pre-shift check; null when unknown. */
    fun setPhonePower(power: PhonePower?) {
        inbox.trySend { app.setPhonePower(power) }
    }

    /** Cancels the request running now, if it moves no money (jumps the queue). */
    fun cancel() {
        app.cancel()
    }

    override fun close() {
        inbox.close()
        subscription.cancel()
        subscription.close()
        app.close()
    }
}
