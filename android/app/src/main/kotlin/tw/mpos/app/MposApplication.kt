package tw.mpos.app

import android.app.Application
import uniffi.mpos_ffi.MposException

/** The process: it holds the phone's runtime, made once, on first use. */
open class MposApplication : Application() {
    /** The core, its views and the audio; or why the core could not start. */
    val runtime: Result<PhoneRuntime> by lazy {
        try {
            Result.success(PhoneRuntime(this, gatewaySettings()))
        } catch (failure: MposException) {
            Result.failure(failure)
        }
    }

    /** The gateway to talk to; tests point it at their own. */
    open fun gatewaySettings(): GatewaySettings = GatewaySettings.fromAssets(this)
}
