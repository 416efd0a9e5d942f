package tw.mpos.core

import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.FixMethodOrder
import org.junit.Test
import org.junit.runners.MethodSorters
import tw.mpos.core.testing.Credentials
import tw.mpos.core.testing.TestPhone
import tw.mpos.core.testing.Testbed
import uniffi.mpos_core.CardBrand
import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent
import uniffi.mpos_core.ScreenId
import uniffi.mpos_core.ScreenView
import uniffi.mpos_core.SignaturePoint
import uniffi.mpos_ffi_testing.TestCard
import uniffi.mpos_ffi_testing.testCardPin

/**
 * A merchant's day through the generated bindings, as the Android shell
 * lives it: the real gateway process over TLS, the virtual reader over
 * audio, every input an edit and every step a press. The steps build on
 * each other, in order.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class MerchantDayTest {
    @Test
    fun a1_firstLoginNeedsTheReaderTheSmsCodeAndASixDigitPassword() {
        assertEquals(ScreenId.LOGIN, phone.view.screen)
        phone.type(FieldId.USERNAME, credentials.username)
        phone.type(FieldId.PASSWORD, credentials.defaultPassword)
        val refused = phone.press(Intent.LogIn, ScreenId.LOGIN)
        assertEquals("reader_not_connected", refused.message?.code)

        phone.plugInReader()
        phone.type(FieldId.PASSWORD, credentials.defaultPassword)
        phone.press(Intent.LogIn, ScreenId.ACTIVATION)
        phone.type(FieldId.ACTIVATION_CODE, credentials.activationCode)
        phone.press(Intent.SubmitActivationCode, ScreenId.NEW_PASSWORD)
        phone.type(FieldId.NEW_PASSWORD, "12345")
        phone.type(FieldId.NEW_PASSWORD_CONFIRMATION, "12345")
        val fiveDigits = phone.press(Intent.SetNewPassword, ScreenId.NEW_PASSWORD)
        assertEquals("password_not_six_digits", fiveDigits.message?.code)
        phone.type(FieldId.NEW_PASSWORD, TestPhone.NEW_PASSWORD)
        phone.type(FieldId.NEW_PASSWORD_CONFIRMATION, TestPhone.NEW_PASSWORD)
        val home = phone.press(Intent.SetNewPassword, ScreenId.HOME)
        assertTrue("the merchant: ${home.subtitle}", home.subtitle!!.endsWith("Test Shop"))
        assertNotNull(home.buttons.find { it.intent == Intent.StartSale })
    }

    @Test
    fun a2_aChipSaleIsSignedAndItsReceiptGoesByEmail() {
        val card = startSale(4_800, CardBrand.VISA)
        assertEquals("NT$4,800", card.field("Amount"))
        assertTrue("a card is being read", card.keepScreenOn)
        phone.insert(TestCard.VISA_CHIP_APPROVED)
        val signature = phone.await(ScreenId.SIGNATURE)
        assertEquals("411111******1111", signature.field("Card number"))
        assertNull("no way back from approved money", signature.back)
        val unsigned = phone.press(Intent.ConfirmSignature, ScreenId.SIGNATURE)
        assertEquals("signature_required", unsigned.message?.code)
        phone.sign()
        val receipt = phone.press(Intent.ConfirmSignature, ScreenId.RECEIPT)
        assertTrue("a QR code", (receipt.qr?.size ?: 0u) >= 21u)
        saleAuthCode = receipt.field("Authorization code")!!
        phone.type(FieldId.RECEIPT_CONTACT, "customer@example.tw")
        val sent = phone.press(Intent.SendReceipt, ScreenId.RECEIPT)
        assertNotNull("sent: ${sent.message?.text}", sent.field("Sent to"))
        assertTrue("the e-receipt reached the customer", testbed.mailCount("customer@example.tw") >= 1)
        phone.press(Intent.FinishReceipt, ScreenId.HOME)
        phone.reader.removeCard()
    }

    @Test
    fun a3_aSmallJcbSaleNeedsNoSignatureAndItsReceiptGoesBySms() {
        startSale(120, CardBrand.JCB)
        phone.insert(TestCard.JCB_NO_SIGNATURE)
        val receipt = phone.await(ScreenId.RECEIPT)
        assertEquals("NT$120", receipt.field("Amount"))
        smallSaleInvoice = receipt.field("Invoice number")!!
        phone.type(FieldId.RECEIPT_CONTACT, "0987654321")
        phone.press(Intent.SendReceipt, ScreenId.RECEIPT)
        assertTrue("the e-receipt reached the phone", testbed.smsCount("0987654321") >= 1)
        phone.press(Intent.FinishReceipt, ScreenId.HOME)
        phone.reader.removeCard()
    }

    @Test
    fun a4_aRefundNeedsTheOriginalAuthorizationCodeAndASwipe() {
        phone.press(Intent.StartRefund, ScreenId.AMOUNT)
        phone.type(FieldId.AMOUNT, "1000")
        phone.press(Intent.ChooseBrand(CardBrand.VISA), ScreenId.AMOUNT)
        phone.press(Intent.RefundNow, ScreenId.REFUND_AUTH_CODE)
        phone.type(FieldId.ORIGINAL_AUTH_CODE, "12")
        val bad = phone.press(Intent.ContinueRefund, ScreenId.REFUND_AUTH_CODE)
        assertEquals("auth_code_invalid", bad.message?.code)
        phone.type(FieldId.ORIGINAL_AUTH_CODE, saleAuthCode)
        val swipe = phone.press(Intent.ContinueRefund, ScreenId.PRESENT_CARD)
        assertTrue(swipe.prompt!!, swipe.prompt!!.contains("swipe only"))
        phone.swipe(TestCard.VISA_CHIP_APPROVED)
        val receipt = phone.await(ScreenId.RECEIPT)
        assertEquals("Refund", receipt.field("Type"))
        phone.press(Intent.FinishReceipt, ScreenId.HOME)
    }

    @Test
    fun a5_searchesFindUnsettledSalesAndOneIsVoided() {
        openSearch(phone)
        phone.type(FieldId.SEARCH_LAST4, "1111")
        val byLast4 = phone.press(Intent.Search, ScreenId.TRANSACTION_SEARCH)
        assertTrue("the VISA sale and refund", byLast4.rows.size >= 2)
        phone.type(FieldId.SEARCH_LAST4, "")
        phone.type(FieldId.SEARCH_AUTH_CODE, saleAuthCode)
        val byCode = phone.press(Intent.Search, ScreenId.TRANSACTION_SEARCH)
        assertTrue(byCode.rows.isNotEmpty())
        phone.type(FieldId.SEARCH_AUTH_CODE, "")
        phone.type(FieldId.SEARCH_INVOICE_NO, smallSaleInvoice)
        val byInvoice = phone.press(Intent.Search, ScreenId.TRANSACTION_SEARCH)
        assertEquals(1, byInvoice.rows.size)
        val detail = phone.press(byInvoice.rows[0].intent, ScreenId.TRANSACTION_DETAIL)
        assertEquals("Unsettled", detail.field("Settlement"))
        phone.press(Intent.VoidNow, ScreenId.VOID_DONE)
        val again = phone.press(Intent.BackToDetails, ScreenId.TRANSACTION_DETAIL)
        assertEquals("Voided", again.field("Status"))
        assertNull("a voided sale offers no void", again.buttons.find { it.intent == Intent.VoidNow })
        phone.press(Intent.Back)
        phone.press(Intent.Back, ScreenId.HOME)
    }

    @Test
    fun a6_settlementClosesTheDayAndAVoidAfterItIsRefused() {
        startSale(200, CardBrand.VISA)
        phone.swipe(TestCard.VISA_SWIPE_ONLY_APPROVED)
        val receipt = phone.await(ScreenId.RECEIPT)
        val invoice = receipt.field("Invoice number")!!
        phone.press(Intent.FinishReceipt, ScreenId.HOME)

        TestPhone(testbed).use { counter ->
            counter.plugInReader()
            counter.type(FieldId.USERNAME, credentials.username)
            counter.type(FieldId.PASSWORD, TestPhone.NEW_PASSWORD)
            counter.press(Intent.LogIn, ScreenId.HOME)
            openSearch(counter)
            counter.type(FieldId.SEARCH_INVOICE_NO, invoice)
            val found = counter.press(Intent.Search, ScreenId.TRANSACTION_SEARCH)
            counter.press(found.rows.single().intent, ScreenId.TRANSACTION_DETAIL)

            openSearch(phone)
            phone.press(Intent.EnterSettlement, ScreenId.SETTLEMENT_REVIEW)
            val review = phone.await(ScreenId.SETTLEMENT_REVIEW) { view ->
                view.buttons.any { it.intent == Intent.SettleNow }
            }
            assertNotNull(review.field("Transactions to settle"))
            val done = phone.press(Intent.SettleNow, ScreenId.SETTLEMENT_DONE)
            assertEquals("Settled by hand", done.field("How"))
            assertTrue(testbed.batches().isNotEmpty())

            val refused = counter.press(Intent.VoidNow, ScreenId.TRANSACTION_DETAIL)
            assertEquals("already_settled", refused.message?.code)
        }
        val settled = testbed.transactions().filter { it["invoice_no"] == invoice }
        assertEquals("approved", settled.single()["status"])
        assertFalse("settled", settled.single()["batch_id"] == null)
    }

    @Test
    fun a7_aUnionPaySaleTakesThePinOnTheReadersShuffledKeypad() {
        phone.press(Intent.Back)
        phone.press(Intent.Back, ScreenId.HOME)
        startSale(600, CardBrand.UNION_PAY)
        phone.insert(TestCard.UNION_PAY_APPROVED)
        val pad = phone.await(ScreenId.PIN_ENTRY) { !it.pinPad?.keys.isNullOrEmpty() }
        val keys = pad.pinPad!!.keys
        assertEquals("ten keys, each digit once", (0..9).map { it.toString() }.toSet(), keys.map { it.label }.toSet())
        assertEquals("keys send their position", (0..9).map { Intent.PinKey(it.toUByte()) }, keys.map { it.intent })
        val pin = testCardPin(TestCard.UNION_PAY_APPROVED)
        val wrong = pin.map { ('0' + (it - '0' + 1) % 10) }.joinToString("")
        val refused = phone.enterPin(wrong)
        assertTrue("the PIN went to the reader: ${refused.screen}", refused.screen != ScreenId.PIN_ENTRY || refused.pinPad!!.keys.isEmpty())
        val wrongPin = phone.await(ScreenId.WRONG_PIN)
        assertEquals("wrong_pin", wrongPin.message?.code)
        assertEquals("55 Incorrect PIN", wrongPin.field("Bank's answer"))
        phone.reader.removeCard()
        phone.press(Intent.RetryPin, ScreenId.PRESENT_CARD)
        phone.insert(TestCard.UNION_PAY_APPROVED)
        val again = phone.await(ScreenId.PIN_ENTRY) { !it.pinPad?.keys.isNullOrEmpty() }
        assertTrue("a new keypad for the new try", again.pinPad!!.keys.map { it.label } != keys.map { it.label })
        phone.enterPin(pin)
        phone.await(ScreenId.SIGNATURE)
        phone.sign()
        phone.press(Intent.ConfirmSignature, ScreenId.RECEIPT)
        phone.press(Intent.FinishReceipt, ScreenId.HOME)
        phone.reader.removeCard()
        val union = testbed.transactions().filter { it["brand"] == "union_pay" }
        assertEquals(listOf("55", "00"), union.sortedBy { it["created_at"] as String }.map { it["response_code"] })
    }

    private fun startSale(dollars: Int, brand: CardBrand): ScreenView {
        phone.press(Intent.StartSale, ScreenId.AMOUNT)
        phone.type(FieldId.AMOUNT, dollars.toString())
        phone.press(Intent.ChooseBrand(brand), ScreenId.AMOUNT)
        return phone.press(Intent.PayNow, ScreenId.PRESENT_CARD)
    }

    private fun openSearch(on: TestPhone) {
        on.press(Intent.OpenTransactions, ScreenId.QUERY_PASSWORD)
        on.type(FieldId.QUERY_PASSWORD, TestPhone.NEW_PASSWORD)
        on.press(Intent.SubmitQueryPassword, ScreenId.TRANSACTION_SEARCH)
    }

    companion object {
        private lateinit var testbed: Testbed
        private lateinit var phone: TestPhone
        private lateinit var credentials: Credentials
        private var saleAuthCode = ""
        private var smallSaleInvoice = ""

        @BeforeClass
        @JvmStatic
        fun start() {
            testbed = Testbed.start()
            credentials = testbed.createUser()
            phone = TestPhone(testbed)
        }

        @AfterClass
        @JvmStatic
        fun stop() {
            phone.close()
            testbed.close()
        }
    }
}

/** The value of the field labelled [label], if the screen has it. */
fun ScreenView.field(label: String): String? = fields.find { it.label == label }?.value

/** The cardholder signs: one stroke across the pad. */
fun TestPhone.sign(): ScreenView = kotlinx.coroutines.runBlocking {
    app.addStroke((0..20).map { SignaturePoint((100 + 40 * it).toUShort(), (500 + (if (it % 2 == 0) 80 else -80)).toUShort()) })
}
