package tw.mpos.app

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.os.BatteryManager
import tw.mpos.core.MposSession
import uniffi.mpos_core.PhonePower

/** Tells the core the phone's battery (for the pre-shift check) while the app is in front. */
class BatteryMonitor(private val context: Context, private val session: MposSession) : AutoCloseable {
    private val receiver = object : BroadcastReceiver() {
        override fun onReceive(context: Context, intent: Intent) = report(intent)
    }

    init {
        // The battery broadcast is sticky: registering returns the last one at once.
        context.registerReceiver(receiver, IntentFilter(Intent.ACTION_BATTERY_CHANGED))?.let(::report)
    }

    private fun report(intent: Intent) {
        session.setPhonePower(power(intent))
    }

    override fun close() {
        context.unregisterReceiver(receiver)
    }

    companion object {
        /** The battery in a battery broadcast, or null when it does not say. */
        fun power(intent: Intent): PhonePower? {
            val level = intent.getIntExtra(BatteryManager.EXTRA_LEVEL, -1)
            val scale = intent.getIntExtra(BatteryManager.EXTRA_SCALE, -1)
            if (level < 0 || scale <= 0) return null
            val status = intent.getIntExtra(BatteryManager.EXTRA_STATUS, BatteryManager.BATTERY_STATUS_UNKNOWN)
            val charging = status == BatteryManager.BATTERY_STATUS_CHARGING || status == BatteryManager.BATTERY_STATUS_FULL
            return PhonePower((level * 100 / scale).coerceIn(0, 100).toUByte(), charging)
        }
    }
}
