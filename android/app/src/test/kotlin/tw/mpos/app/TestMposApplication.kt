package tw.mpos.app

/** The app pointed at the test world's gateway. */
class TestMposApplication : MposApplication() {
    override fun gatewaySettings(): GatewaySettings = settings ?: error("no test gateway")

    companion object {
        /** Set by the test before the app starts. */
        var settings: GatewaySettings? = null
    }
}
