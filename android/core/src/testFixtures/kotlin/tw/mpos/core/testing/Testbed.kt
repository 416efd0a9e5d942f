package tw.mpos.core.testing

import java.io.File
import java.net.HttpURLConnection
import java.net.URL
import java.util.concurrent.TimeUnit

/** A phone user as the merchant administrator created it, with what the user was sent. */
data class Credentials(
    val username: String,
    val defaultPassword: String,
    val activationCode: String,
)

/**
 * The test world of the Rust workspace (`mpos-testbed`): the real gateway
 * process over TLS, the loopback SMTP server and the SMS provider, and the
 * administrator's side, reached over a small loopback API.
 */
class Testbed private constructor(private val process: Process, ready: Map<String, Any?>) : AutoCloseable {
    /** The gateway's base URL. */
    val gatewayUrl = ready["gateway_url"] as String

    /** The gateway's certificate, which the app trusts. */
    val certPem = ready["cert_pem"] as String

    /** The pin of the gateway's key. */
    val spkiSha256 = ready["spki_sha256"] as String
    private val control = ready["control_url"] as String

    /** The administrator adds a phone user; the account, password and code come from the e-mail and SMS. */
    fun createUser(perTransaction: Long = 50_000, perDay: Long = 500_000): Credentials {
        val user = post("/users", """{"per_transaction":$perTransaction,"per_day":$perDay}""")
        return Credentials(
            username = user["username"] as String,
            defaultPassword = user["default_password"] as String,
            activationCode = user["activation_code"] as String,
        )
    }

    /** Every transaction, as the merchant portal lists them. */
    @Suppress("UNCHECKED_CAST")
    fun transactions(): List<Map<String, Any?>> = get("/transactions")["transactions"] as List<Map<String, Any?>>

    /** The settlement batches. */
    @Suppress("UNCHECKED_CAST")
    fun batches(): List<Map<String, Any?>> = get("/batches")["batches"] as List<Map<String, Any?>>

    /** How many e-mails reached [address]. */
    fun mailCount(address: String): Int = (get("/mail?to=$address")["count"] as Double).toInt()

    /** How many SMS reached [number]. */
    fun smsCount(number: String): Int = (get("/sms?to=$number")["count"] as Double).toInt()

    /** Sets the gateway's test clock (RFC 3339); it runs on from there. */
    fun setClock(now: String) {
        post("/clock", "{\"now\":\"$now\"}")
    }

    private fun get(path: String): Map<String, Any?> = call("GET", path, null)

    private fun post(path: String, body: String): Map<String, Any?> = call("POST", path, body)

    @Suppress("UNCHECKED_CAST")
    private fun call(method: String, path: String, body: String?): Map<String, Any?> {
        val connection = URL(control + path).openConnection() as HttpURLConnection
        connection.requestMethod = method
        connection.connectTimeout = 10_000
        connection.readTimeout = 60_000
        if (body != null) {
            connection.doOutput = true
            connection.setRequestProperty("content-type", "application/json")
            connection.outputStream.use { it.write(body.toByteArray()) }
        }
        check(connection.responseCode == 200) { "$method $path: HTTP ${connection.responseCode}" }
        return MiniJson.parse(connection.inputStream.bufferedReader().readText()) as Map<String, Any?>
    }

    override fun close() {
        process.outputStream.close()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    companion object {
        /**
         * Starts `mpos-testbed` (path: system property `mpos.testbed`) and waits for its ready
         * line; [appReleases] are the (latest, minimum) app versions the gateway announces.
         */
        @Suppress("UNCHECKED_CAST")
        fun start(slowIssuerMs: Long = 3_000, appReleases: Pair<String, String>? = null): Testbed {
            val binary = System.getProperty("mpos.testbed") ?: error("set -Dmpos.testbed=<target/debug/mpos-testbed>")
            val releases = appReleases?.let { (latest, minimum) -> listOf("--latest-app-version", latest, "--minimum-app-version", minimum) }.orEmpty()
            val process = ProcessBuilder(listOf(binary, "--slow-issuer-ms", slowIssuerMs.toString()) + releases)
                .redirectError(File(System.getProperty("mpos.testbed.log", "/dev/null")))
                .start()
            val line = process.inputStream.bufferedReader().readLine() ?: error("mpos-testbed exited before it was ready")
            val ready = MiniJson.parse(line) as Map<String, Any?>
            check(ready["event"] == "ready") { "not a ready line: $line" }
            return Testbed(process, ready)
        }
    }
}
