package tw.mpos.app

import android.media.AudioDeviceCallback
import android.media.AudioDeviceInfo
import android.media.AudioManager
import android.os.Handler
import android.os.Looper
import uniffi.mpos_ffi.AudioJack

/** Tells the core when something is plugged into or pulled out of the headset jack. */
class HeadsetMonitor(private val audio: AudioManager, private val jack: AudioJack) : AutoCloseable {
    private val callback = object : AudioDeviceCallback() {
        override fun onAudioDevicesAdded(added: Array<out AudioDeviceInfo>) = report()

        override fun onAudioDevicesRemoved(removed: Array<out AudioDeviceInfo>) = report()
    }

    init {
        report()
        audio.registerAudioDeviceCallback(callback, Handler(Looper.getMainLooper()))
    }

    /** Whether a wired headset (the reader's plug) is in the jack now. */
    fun plugged(): Boolean = audio.getDevices(AudioManager.GET_DEVICES_INPUTS).any { it.type in WIRED }

    private fun report() {
        jack.setHeadset(plugged())
    }

    override fun close() {
        audio.unregisterAudioDeviceCallback(callback)
    }

    private companion object {
        /** A plug in the jack: a headset with a microphone contact, as the reader's is. */
        val WIRED = setOf(AudioDeviceInfo.TYPE_WIRED_HEADSET, AudioDeviceInfo.TYPE_USB_HEADSET)
    }
}
