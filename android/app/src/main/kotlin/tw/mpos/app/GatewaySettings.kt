package tw.mpos.app

import android.content.Context
import org.json.JSONObject

/** Which gateway the app talks to and how it trusts it: `assets/gateway.json`, written at build time. */
data class GatewaySettings(val url: String, val trustRootPem: String, val pinnedSpkiSha256: String) {
    companion object {
        /** Reads `gateway.json` from the APK's assets (`gateway.example.json` when it is missing). */
        fun fromAssets(context: Context): GatewaySettings {
            val name = if (context.assets.list("")?.contains("gateway.json") == true) "gateway.json" else "gateway.example.json"
            val json = JSONObject(context.assets.open(name).bufferedReader().use { it.readText() })
            return GatewaySettings(
                url = json.getString("gateway_url"),
                trustRootPem = json.getString("trust_root_pem"),
                pinnedSpkiSha256 = json.getString("pinned_spki_sha256"),
            )
        }
    }
}
