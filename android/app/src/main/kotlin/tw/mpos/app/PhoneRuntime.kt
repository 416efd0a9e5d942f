package tw.mpos.app

import android.content.Context
import android.media.AudioManager
import android.os.Build
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import tw.mpos.core.AudioPump
import tw.mpos.core.MposSession
import uniffi.mpos_core.AppConfig
import uniffi.mpos_ffi.AudioJack
import uniffi.mpos_ffi.MposApp
import uniffi.mpos_ffi.localeForTag

/**
 * The core and the audio for as long as the process lives: an approved
 * payment in flight must outlive a rotation or a paused screen. The audio
 * runs only while the app is in front and the microphone is allowed.
 */
class PhoneRuntime(context: Context, settings: GatewaySettings) {
    private val prefs = context.getSharedPreferences("mpos", Context.MODE_PRIVATE)
    private val audio = context.getSystemService(Context.AUDIO_SERVICE) as AudioManager
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** The headset jack's driver, at 48 kHz in 10 ms blocks. */
    val jack = AudioJack(RATE.toUInt(), "${Build.MANUFACTURER} ${Build.MODEL}", BLOCK.toUInt(), prefs.getString(PROFILE, null))

    /** The app and its views. */
    val session = MposSession(
        MposApp(
            AppConfig(
                gatewayUrl = settings.url,
                trustRootPem = settings.trustRootPem,
                pinnedSpkiSha256 = settings.pinnedSpkiSha256,
                dataDir = context.noBackupFilesDir.absolutePath,
                requestTimeoutMs = 30_000u,
                reversalRetryMs = 500u,
                locale = localeForTag(context.resources.configuration.locales[0].toLanguageTag()),
            ),
            jack,
        ),
        scope,
    )

    private var pump: AudioPump? = null
    private var headset: HeadsetMonitor? = null

    /** Opens the jack's audio (the microphone is allowed). */
    fun startAudio() {
        if (pump != null) return
        headset = HeadsetMonitor(audio, jack)
        pump = AudioPump(jack, AndroidAudioPort(audio, RATE, BLOCK)).also { it.start() }
    }

    /** Closes the audio and keeps what the link learned about this phone model. */
    fun stopAudio() {
        pump?.close()
        pump = null
        headset?.close()
        headset = null
        jack.linkProfile()?.let { prefs.edit().putString(PROFILE, it).apply() }
    }

    /** Whether the audio runs. */
    val audioRunning: Boolean get() = pump != null

    private companion object {
        const val RATE = 48_000
        const val BLOCK = 480
        const val PROFILE = "link_profile"
    }
}
