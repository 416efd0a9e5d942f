package tw.mpos.desktop

import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import androidx.compose.ui.use
import org.jetbrains.skia.EncodedImageFormat
import tw.mpos.core.ScreenActions
import tw.mpos.core.testing.TestPhone
import tw.mpos.core.testing.Testbed
import tw.mpos.ui.MposScreen
import uniffi.mpos_core.CardBrand
import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent
import uniffi.mpos_core.Locale
import uniffi.mpos_core.ScreenId
import uniffi.mpos_core.ScreenView
import uniffi.mpos_ffi_testing.testCardPin
import uniffi.mpos_core.SignaturePoint
import uniffi.mpos_ffi_testing.TestCard
import uniffi.mpos_ffi.ViewListener
import java.io.File
import java.util.concurrent.ConcurrentHashMap
import kotlin.system.exitProcess

/** Screens drawn for the pictures only: nothing is sent anywhere. */
private object Still : ScreenActions {
    override fun press(intent: Intent) {}
    override fun edit(field: FieldId, text: String) {}
    override fun addStroke(points: List<SignaturePoint>) {}
}

/** Screens that are a wait by nature; for the others the picture is taken with no request running. */
private val WAITS = setOf(ScreenId.LOADING, ScreenId.AUTHORIZING)

/** Screens pictured as first seen (the sale details before the void); the others as last seen, fullest. */
private val FIRST_SEEN = setOf(ScreenId.TRANSACTION_DETAIL)

/**
 * Plays a merchant's day through the bindings, against the real gateway
 * with the virtual reader over audio, once in each language, keeps the
 * fullest view of every screen, and draws each with the same Compose
 * code as the Android app, headless, into `docs/screens/ID.LOCALE.png`.
 * The last line says how many pictures were drawn.
 */
fun main(args: Array<String>) {
    val out = File(args.getOrElse(0) { "docs/screens" }).apply { mkdirs() }
    var drawn = 0
    Testbed.start(slowIssuerMs = 3_000).use { testbed ->
        for ((locale, suffix) in listOf(Locale.ZH_TW to "zh-TW", Locale.EN to "en")) {
            val views = playTheDay(testbed, locale)
            val missing = ScreenId.entries.filter { !views.containsKey(it) }
            check(missing.isEmpty()) { "no view of $missing" }
            for ((id, view) in views) {
                File(out, "${id.name.lowercase()}.$suffix.png").writeBytes(draw(view))
                drawn++
            }
        }
    }
    println("$drawn screens drawn into ${out.path}")
    exitProcess(0)
}

/** One screen as a PNG, 400 × 820 dp at 1.5x. */
fun draw(view: ScreenView): ByteArray =
    ImageComposeScene(width = 600, height = 1230, density = Density(1.5f)).use { scene ->
        scene.setContent { MposScreen(view, Still) }
        scene.render().encodeToData(EncodedImageFormat.PNG)!!.bytes
    }

/** A day with every screen in it; returns the fullest view of each. */
private fun playTheDay(testbed: Testbed, locale: Locale): Map<ScreenId, ScreenView> {
    val kept = ConcurrentHashMap<ScreenId, ScreenView>()
    TestPhone(testbed, requestTimeoutMs = 2_000, locale = locale).use { phone ->
        val listening = phone.app.subscribe(
            object : ViewListener {
                override fun onView(view: ScreenView) {
                    // The PIN pad is pictured with its keys and a few dots, before it is sent.
                    val padless = view.screen == ScreenId.PIN_ENTRY && view.pinPad?.keys.isNullOrEmpty()
                    val worth = (view.busy == null || view.screen in WAITS) && !padless
                    if (worth && !(view.screen in FIRST_SEEN && kept.containsKey(view.screen))) kept[view.screen] = view
                }
            },
        )
        val credentials = testbed.createUser()
        phone.type(FieldId.USERNAME, credentials.username)
        phone.press(Intent.LogIn)
        phone.plugInReader()
        phone.firstLogin(credentials)

        // The pre-shift check from home, the battery as a phone reports it.
        kotlinx.coroutines.runBlocking { phone.app.setPhonePower(uniffi.mpos_core.PhonePower(76u, false)) }
        phone.press(Intent.OpenSelfCheck, ScreenId.SELF_CHECK)
        phone.await(ScreenId.SELF_CHECK) { view -> view.busy == null && view.message != null }
        phone.press(Intent.Back, ScreenId.HOME)

        sale(phone, 4_800, CardBrand.VISA)
        phone.insert(TestCard.VISA_CHIP_APPROVED)
        phone.await(ScreenId.SIGNATURE)
        phone.press(Intent.ConfirmSignature)
        kotlinx.coroutines.runBlocking {
            phone.app.addStroke((0..24).map { SignaturePoint((80 + 35 * it).toUShort(), (480 + 140 * kotlin.math.sin(it / 2.0)).toInt().toUShort()) })
        }
        val receipt = phone.press(Intent.ConfirmSignature, ScreenId.RECEIPT)
        check(receipt.qr != null)
        // The portal knows the code, whatever the screen's language.
        val authCode = testbed.transactions().first { it["kind"] == "sale" && it["status"] == "approved" }["auth_code"] as String
        phone.type(FieldId.RECEIPT_CONTACT, "customer@example.tw")
        phone.press(Intent.SendReceipt)
        phone.press(Intent.FinishReceipt, ScreenId.HOME)
        phone.reader.removeCard()

        sale(phone, 120, CardBrand.JCB)
        phone.insert(TestCard.JCB_NO_SIGNATURE)
        phone.await(ScreenId.RECEIPT)
        phone.press(Intent.FinishReceipt, ScreenId.HOME)
        phone.reader.removeCard()

        sale(phone, 600, CardBrand.UNION_PAY)
        phone.insert(TestCard.UNION_PAY_APPROVED)
        val pin = testCardPin(TestCard.UNION_PAY_APPROVED)
        phone.enterPin(pin.reversed())
        phone.await(ScreenId.WRONG_PIN)
        phone.reader.removeCard()
        phone.press(Intent.CancelPayment, ScreenId.HOME)

        sale(phone, 500, CardBrand.VISA)
        phone.insert(TestCard.VISA_DECLINED05)
        phone.await(ScreenId.DECLINED)
        phone.reader.removeCard()
        phone.press(Intent.CancelPayment, ScreenId.HOME)

        sale(phone, 700, CardBrand.VISA)
        phone.insert(TestCard.VISA_SLOW_ISSUER)
        phone.await(ScreenId.OUTCOME_UNKNOWN) { it.buttons.isNotEmpty() }
        phone.reader.removeCard()
        phone.press(Intent.Back)
        phone.press(Intent.CancelPayment, ScreenId.HOME)

        phone.press(Intent.StartRefund, ScreenId.AMOUNT)
        phone.type(FieldId.AMOUNT, "1000")
        phone.press(Intent.ChooseBrand(CardBrand.VISA))
        phone.press(Intent.RefundNow, ScreenId.REFUND_AUTH_CODE)
        phone.type(FieldId.ORIGINAL_AUTH_CODE, authCode)
        phone.press(Intent.ContinueRefund, ScreenId.PRESENT_CARD)
        phone.press(Intent.Back, ScreenId.REFUND_AUTH_CODE)
        phone.press(Intent.Back, ScreenId.AMOUNT)
        phone.press(Intent.CancelPayment, ScreenId.HOME)

        phone.press(Intent.OpenTransactions, ScreenId.QUERY_PASSWORD)
        phone.type(FieldId.QUERY_PASSWORD, TestPhone.NEW_PASSWORD)
        phone.press(Intent.SubmitQueryPassword, ScreenId.TRANSACTION_SEARCH)
        phone.type(FieldId.SEARCH_LAST4, "1111")
        val found = phone.press(Intent.Search, ScreenId.TRANSACTION_SEARCH)
        phone.press(found.rows.first().intent, ScreenId.TRANSACTION_DETAIL)
        phone.press(Intent.VoidNow, ScreenId.VOID_DONE)
        phone.press(Intent.BackToDetails, ScreenId.TRANSACTION_DETAIL)
        phone.press(Intent.Back, ScreenId.TRANSACTION_SEARCH)
        phone.press(Intent.EnterSettlement)
        phone.await(ScreenId.SETTLEMENT_REVIEW) { view -> view.buttons.any { it.intent == Intent.SettleNow } }
        phone.press(Intent.SettleNow, ScreenId.SETTLEMENT_DONE)
        phone.press(Intent.Back)
        phone.press(Intent.Back, ScreenId.HOME)
        Thread.sleep(200)
        listening.cancel()
    }
    return kept
}

private fun sale(phone: TestPhone, dollars: Int, brand: CardBrand) {
    phone.press(Intent.StartSale, ScreenId.AMOUNT)
    phone.type(FieldId.AMOUNT, dollars.toString())
    phone.press(Intent.ChooseBrand(brand))
    phone.press(Intent.PayNow, ScreenId.PRESENT_CARD)
}
