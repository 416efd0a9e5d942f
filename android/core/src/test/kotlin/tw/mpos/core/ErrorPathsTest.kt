package tw.mpos.core

import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import tw.mpos.core.testing.TestPhone
import tw.mpos.core.testing.Testbed
import uniffi.mpos_core.CardBrand
import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent
import uniffi.mpos_core.ScreenId
import uniffi.mpos_core.ScreenView
import uniffi.mpos_ffi_testing.TestCard
import uniffi.mpos_ffi.ViewListener
import java.util.Collections

/** The failures a cashier meets, each on a fresh user and phone, and what the screens then say. */
class ErrorPathsTest {
    @Test
    fun aDeclinedCardSaysWhatToDoAndAllowsAnotherTry() {
        newPhone().use { phone ->
            startSale(phone, 500, CardBrand.VISA)
            phone.insert(TestCard.VISA_DECLINED05)
            val declined = phone.await(ScreenId.DECLINED)
            assertEquals("declined", declined.message?.code)
            assertTrue(declined.field("Bank's answer")!!.startsWith("05"))
            phone.reader.removeCard()
            phone.press(Intent.Back, ScreenId.AMOUNT)
            // Another card, at once: the reader is ready for it.
            phone.press(Intent.PayNow, ScreenId.PRESENT_CARD)
            phone.insert(TestCard.VISA_CHIP_APPROVED)
            phone.await(ScreenId.RECEIPT)
        }
    }

    @Test
    fun fiveWrongPasswordsLockTheAccountEvenForTheRightOne() {
        newPhone().use { phone ->
            phone.press(Intent.LogOut, ScreenId.LOGIN)
            val credentials = lastCredentials!!
            repeat(4) {
                phone.type(FieldId.USERNAME, credentials.username)
                phone.type(FieldId.PASSWORD, "999999")
                assertEquals("invalid_credentials", phone.press(Intent.LogIn, ScreenId.LOGIN).message?.code)
            }
            phone.type(FieldId.PASSWORD, "999999")
            assertEquals("account_locked", phone.press(Intent.LogIn, ScreenId.LOGIN).message?.code)
            phone.type(FieldId.PASSWORD, TestPhone.NEW_PASSWORD)
            assertEquals("account_locked", phone.press(Intent.LogIn, ScreenId.LOGIN).message?.code)
        }
    }

    @Test
    fun aSaleOverTheUsersLimitIsRefusedAndNothingIsCharged() {
        newPhone(perTransaction = 1_000).use { phone ->
            startSale(phone, 2_000, CardBrand.VISA)
            phone.insert(TestCard.VISA_CHIP_APPROVED)
            val refused = phone.await(ScreenId.AMOUNT) { it.message != null }
            assertEquals("limit_per_transaction_exceeded", refused.message?.code)
            phone.reader.removeCard()
        }
    }

    @Test
    fun aTimeoutIsReversedAndNeverShownAsApproved() {
        newPhone(requestTimeoutMs = 1_500).use { phone ->
            val seen = Collections.synchronizedList(mutableListOf<ScreenId>())
            val handle = phone.app.subscribe(
                object : ViewListener {
                    override fun onView(view: ScreenView) {
                        seen += view.screen
                    }
                },
            )
            startSale(phone, 700, CardBrand.VISA)
            phone.insert(TestCard.VISA_SLOW_ISSUER)
            val reversed = phone.await(ScreenId.OUTCOME_UNKNOWN) { it.message?.code == "not_charged" }
            assertTrue(reversed.prompt!!, reversed.prompt!!.contains("not charged"))
            handle.cancel()
            assertFalse("never approved: $seen", seen.any { it == ScreenId.RECEIPT || it == ScreenId.SIGNATURE })
            val inPortal = waitFor {
                testbed.transactions().find { (it["amount"] as Map<*, *>)["minor"] == 70_000.0 && it["status"] == "reversed" }
            }
            assertEquals("the portal shows the sale reversed", "reversed", inPortal["status"])
            phone.reader.removeCard()
        }
    }

    @Test
    fun theListenerHearsEveryViewUntilItsHandleIsCancelled() {
        newPhone().use { phone ->
            val seen = Collections.synchronizedList(mutableListOf<ScreenId>())
            val handle = phone.app.subscribe(
                object : ViewListener {
                    override fun onView(view: ScreenView) {
                        seen += view.screen
                    }
                },
            )
            phone.press(Intent.OpenTransactions, ScreenId.QUERY_PASSWORD)
            waitFor { seen.lastOrNull()?.takeIf { it == ScreenId.QUERY_PASSWORD } }
            assertEquals("the current view first", ScreenId.HOME, seen.first())
            handle.cancel()
            Thread.sleep(100)
            val before = seen.size
            phone.press(Intent.Back, ScreenId.HOME)
            Thread.sleep(300)
            assertEquals("nothing after cancel", before, seen.size)
            assertTrue(handle.isFinished())
        }
    }

    private fun startSale(phone: TestPhone, dollars: Int, brand: CardBrand) {
        phone.press(Intent.StartSale, ScreenId.AMOUNT)
        phone.type(FieldId.AMOUNT, dollars.toString())
        phone.press(Intent.ChooseBrand(brand), ScreenId.AMOUNT)
        phone.press(Intent.PayNow, ScreenId.PRESENT_CARD)
    }

    /** A new user's phone, at home after the first login. */
    private fun newPhone(perTransaction: Long = 50_000, requestTimeoutMs: Long = 15_000): TestPhone {
        val credentials = testbed.createUser(perTransaction = perTransaction)
        lastCredentials = credentials
        val phone = TestPhone(testbed, requestTimeoutMs = requestTimeoutMs)
        phone.plugInReader()
        phone.firstLogin(credentials)
        return phone
    }

    private fun <T : Any> waitFor(what: () -> T?): T {
        val deadline = System.currentTimeMillis() + 20_000
        while (true) {
            what()?.let { return it }
            check(System.currentTimeMillis() < deadline) { "waited in vain" }
            Thread.sleep(50)
        }
    }

    companion object {
        private lateinit var testbed: Testbed
        private var lastCredentials: tw.mpos.core.testing.Credentials? = null

        @BeforeClass
        @JvmStatic
        fun start() {
            testbed = Testbed.start(slowIssuerMs = 3_000)
        }

        @AfterClass
        @JvmStatic
        fun stop() {
            testbed.close()
        }
    }
}
