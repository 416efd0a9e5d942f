package tw.mpos.app

import android.Manifest
import android.content.pm.PackageManager
import android.content.res.Configuration
import android.os.Bundle
import android.view.WindowManager
import androidx.activity.ComponentActivity
import androidx.activity.OnBackPressedCallback
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import tw.mpos.ui.MposScreen
import tw.mpos.ui.StartupFailure
import uniffi.mpos_ffi.localeForTag

/**
 * The one activity: draws the core's view, asks for the microphone, runs
 * the audio while in front, keeps the display on while a card is read,
 * and hands the back button, the language and the battery to the core.
 */
class MainActivity : ComponentActivity() {
    /** The running core, or null when it could not start (the screen then says why). */
    private val runtime get() = (application as MposApplication).runtime.getOrNull()

    private val microphone = registerForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        val runtime = runtime ?: return@registerForActivityResult
        runtime.session.setMicrophoneAllowed(granted)
        if (granted) runtime.startAudio()
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val runtime = runtime
        if (runtime == null) {
            val failure = (application as MposApplication).runtime.exceptionOrNull()
            setContent { StartupFailure(failure?.message.orEmpty()) }
            return
        }
        val session = runtime.session
        session.setLocale(localeForTag(resources.configuration.locales[0].toLanguageTag()))
        onBackPressedDispatcher.addCallback(
            this,
            object : OnBackPressedCallback(true) {
                override fun handleOnBackPressed() {
                    session.back { runOnUiThread { finish() } }
                }
            },
        )
        setContent {
            val view by session.views.collectAsState()
            LaunchedEffect(view.keepScreenOn) {
                if (view.keepScreenOn) {
                    window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
                } else {
                    window.clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
                }
            }
            MposScreen(view, session)
        }
    }

    /** The battery, reported while the app is in front. */
    private var battery: BatteryMonitor? = null

    override fun onStart() {
        super.onStart()
        val runtime = runtime ?: return
        battery = BatteryMonitor(this, runtime.session)
        if (checkSelfPermission(Manifest.permission.RECORD_AUDIO) == PackageManager.PERMISSION_GRANTED) {
            runtime.session.setMicrophoneAllowed(true)
            runtime.startAudio()
        } else {
            runtime.session.setMicrophoneAllowed(false)
            microphone.launch(Manifest.permission.RECORD_AUDIO)
        }
    }

    override fun onStop() {
        battery?.close()
        battery = null
        runtime?.stopAudio()
        super.onStop()
    }

    override fun onConfigurationChanged(newConfig: Configuration) {
        super.onConfigurationChanged(newConfig)
        runtime?.session?.setLocale(localeForTag(newConfig.locales[0].toLanguageTag()))
    }
}
