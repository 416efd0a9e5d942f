package tw.mpos.app

import android.app.Application

/** The process: it holds the phone's runtime, made once, on first use. */
open class MposApplication : Application() {
    /** The core, its views and the audio. */
    val runtime: PhoneRuntime by lazy { PhoneRuntime(this, gatewaySettings()) }

    /** The gateway to talk to; tests point it at their own. */
    open fun gatewaySettings(): GatewaySettings = GatewaySettings.fromAssets(this)
}
