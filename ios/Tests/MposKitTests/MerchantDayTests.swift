import MposBindings
import MposKit
import MposTestSupport
import MposTestingBindings
import XCTest

/// A merchant's day through the generated bindings, as the iOS shell lives
/// it: the real gateway process over TLS, the virtual reader over audio,
/// every input an edit and every step a press. The steps build on each
/// other, in order (XCTest runs them by name).
final class MerchantDayTests: XCTestCase {
    private static var testbed: Testbed!
    private static var phone: TestPhone!
    private static var credentials: Credentials!
    private static var saleAuthCode = ""
    private static var smallSaleInvoice = ""

    private var phone: TestPhone { Self.phone }
    private var testbed: Testbed { Self.testbed }

    override class func setUp() {
        super.setUp()
        testbed = Testbed.forSuite()
        do {
            credentials = try testbed.createUser()
            phone = try TestPhone(testbed: testbed)
        } catch {
            fatalError("the merchant's phone did not start: \(error)")
        }
    }

    override class func tearDown() {
        try? phone?.close()
        testbed?.close()
        super.tearDown()
    }

    func test1_firstLoginNeedsTheReaderTheSmsCodeAndASixDigitPassword() async throws {
        XCTAssertEqual(phone.view.screen, .login)
        let credentials = Self.credentials!
        await phone.type(.username, credentials.username)
        await phone.type(.password, credentials.defaultPassword)
        let refused = try await phone.press(.logIn, then: .login)
        XCTAssertEqual(refused.message?.code, "reader_not_connected")

        try await phone.plugInReader()
        await phone.type(.password, credentials.defaultPassword)
        try await phone.press(.logIn, then: .activation)
        await phone.type(.activationCode, credentials.activationCode)
        try await phone.press(.submitActivationCode, then: .newPassword)
        await phone.type(.newPassword, "12345")
        await phone.type(.newPasswordConfirmation, "12345")
        let fiveDigits = try await phone.press(.setNewPassword, then: .newPassword)
        XCTAssertEqual(fiveDigits.message?.code, "password_not_six_digits")
        await phone.type(.newPassword, TestPhone.newPassword)
        await phone.type(.newPasswordConfirmation, TestPhone.newPassword)
        let home = try await phone.press(.setNewPassword, then: .home)
        XCTAssertTrue(home.subtitle?.hasSuffix("Test Shop") == true, "the merchant: \(home.subtitle ?? "-")")
        XCTAssertNotNil(home.buttons.first { $0.intent == .startSale })
    }

    func test2_aChipSaleIsSignedAndItsReceiptGoesByEmail() async throws {
        let card = try await startSale(4_800, .visa)
        XCTAssertEqual(card.field("Amount"), "NT$4,800")
        XCTAssertTrue(card.keepScreenOn, "a card is being read")
        await phone.insert(.visaChipApproved)
        let signature = try await phone.waitFor(.signature)
        XCTAssertEqual(signature.field("Card number"), "411111******1111")
        XCTAssertNil(signature.back, "no way back from approved money")
        let unsigned = try await phone.press(.confirmSignature, then: .signature)
        XCTAssertEqual(unsigned.message?.code, "signature_required")
        await phone.sign()
        let receipt = try await phone.press(.confirmSignature, then: .receipt)
        XCTAssertGreaterThanOrEqual(receipt.qr?.size ?? 0, 21, "a QR code")
        Self.saleAuthCode = try XCTUnwrap(receipt.field("Authorization code"))
        await phone.type(.receiptContact, "customer@example.tw")
        let sent = try await phone.press(.sendReceipt, then: .receipt)
        XCTAssertNotNil(sent.field("Sent to"), "sent: \(sent.message?.text ?? "-")")
        XCTAssertGreaterThanOrEqual(try testbed.mailCount("customer@example.tw"), 1, "the e-receipt reached the customer")
        try await phone.press(.finishReceipt, then: .home)
        XCTAssertFalse(phone.view.keepScreenOn, "the display may sleep again")
        phone.reader.removeCard()
    }

    func test3_aSmallJcbSaleNeedsNoSignatureAndItsReceiptGoesBySms() async throws {
        try await startSale(120, .jcb)
        await phone.insert(.jcbNoSignature)
        let receipt = try await phone.waitFor(.receipt)
        XCTAssertEqual(receipt.field("Amount"), "NT$120")
        Self.smallSaleInvoice = try XCTUnwrap(receipt.field("Invoice number"))
        await phone.type(.receiptContact, "0987654321")
        try await phone.press(.sendReceipt, then: .receipt)
        XCTAssertGreaterThanOrEqual(try testbed.smsCount("0987654321"), 1, "the e-receipt reached the phone")
        try await phone.press(.finishReceipt, then: .home)
        phone.reader.removeCard()
    }

    func test4_aRefundNeedsTheOriginalAuthorizationCodeAndASwipe() async throws {
        let saleAuthCode = try XCTUnwrap(Self.saleAuthCode.isEmpty ? nil : Self.saleAuthCode, "the chip sale ran first")
        try await phone.press(.startRefund, then: .amount)
        await phone.type(.amount, "1000")
        try await phone.press(.chooseBrand(brand: .visa), then: .amount)
        try await phone.press(.refundNow, then: .refundAuthCode)
        await phone.type(.originalAuthCode, "12")
        let bad = try await phone.press(.continueRefund, then: .refundAuthCode)
        XCTAssertEqual(bad.message?.code, "auth_code_invalid")
        await phone.type(.originalAuthCode, saleAuthCode)
        let swipe = try await phone.press(.continueRefund, then: .presentCard)
        XCTAssertTrue(swipe.prompt?.contains("swipe only") == true, swipe.prompt ?? "-")
        await phone.swipe(.visaChipApproved)
        let receipt = try await phone.waitFor(.receipt)
        XCTAssertEqual(receipt.field("Type"), "Refund")
        try await phone.press(.finishReceipt, then: .home)
    }

    func test5_searchesFindUnsettledSalesAndOneIsVoided() async throws {
        let saleAuthCode = try XCTUnwrap(Self.saleAuthCode.isEmpty ? nil : Self.saleAuthCode, "the chip sale ran first")
        let invoice = try XCTUnwrap(Self.smallSaleInvoice.isEmpty ? nil : Self.smallSaleInvoice, "the JCB sale ran first")
        try await openSearch(on: phone)
        await phone.type(.searchLast4, "1111")
        let byLast4 = try await phone.press(.search, then: .transactionSearch)
        XCTAssertGreaterThanOrEqual(byLast4.rows.count, 2, "the VISA sale and refund")
        await phone.type(.searchLast4, "")
        await phone.type(.searchAuthCode, saleAuthCode)
        let byCode = try await phone.press(.search, then: .transactionSearch)
        XCTAssertFalse(byCode.rows.isEmpty)
        await phone.type(.searchAuthCode, "")
        await phone.type(.searchInvoiceNo, invoice)
        let byInvoice = try await phone.press(.search, then: .transactionSearch)
        XCTAssertEqual(byInvoice.rows.count, 1)
        let row = try XCTUnwrap(byInvoice.rows.first)
        let detail = try await phone.press(row.intent, then: .transactionDetail)
        XCTAssertEqual(detail.field("Settlement"), "Unsettled")
        try await phone.press(.voidNow, then: .voidDone)
        let again = try await phone.press(.backToDetails, then: .transactionDetail)
        XCTAssertEqual(again.field("Status"), "Voided")
        XCTAssertNil(again.buttons.first { $0.intent == .voidNow }, "a voided sale offers no void")
        await phone.press(.back)
        try await phone.press(.back, then: .home)
    }

    func test6_settlementClosesTheDayAndAVoidAfterItIsRefused() async throws {
        try await startSale(200, .visa)
        await phone.swipe(.visaSwipeOnlyApproved)
        let receipt = try await phone.waitFor(.receipt)
        let invoice = try XCTUnwrap(receipt.field("Invoice number"))
        try await phone.press(.finishReceipt, then: .home)

        let counter = try TestPhone(testbed: testbed)
        try await counter.plugInReader()
        await counter.type(.username, Self.credentials.username)
        await counter.type(.password, TestPhone.newPassword)
        try await counter.press(.logIn, then: .home)
        try await openSearch(on: counter)
        await counter.type(.searchInvoiceNo, invoice)
        let found = try await counter.press(.search, then: .transactionSearch)
        XCTAssertEqual(found.rows.count, 1)
        try await counter.press(try XCTUnwrap(found.rows.first).intent, then: .transactionDetail)

        try await openSearch(on: phone)
        try await phone.press(.enterSettlement, then: .settlementReview)
        let review = try await phone.waitFor(.settlementReview) { view in
            view.buttons.contains { $0.intent == .settleNow }
        }
        XCTAssertNotNil(review.field("Transactions to settle"))
        let done = try await phone.press(.settleNow, then: .settlementDone)
        XCTAssertEqual(done.field("How"), "Settled by hand")
        XCTAssertFalse(try testbed.batches().isEmpty)

        let refused = try await counter.press(.voidNow, then: .transactionDetail)
        XCTAssertEqual(refused.message?.code, "already_settled")
        try counter.close()

        let settled = try testbed.transactions().filter { $0["invoice_no"] as? String == invoice }
        XCTAssertEqual(settled.count, 1)
        XCTAssertEqual(settled.first?["status"] as? String, "approved")
        XCTAssertFalse(settled.first?["batch_id"] == nil || settled.first?["batch_id"] is NSNull, "settled")
    }

    func test7_aUnionPaySaleTakesThePinOnTheReadersShuffledKeypad() async throws {
        await phone.press(.back)
        try await phone.press(.back, then: .home)
        try await startSale(600, .unionPay)
        await phone.insert(.unionPayApproved)
        let pad = try await phone.waitFor(.pinEntry) { !($0.pinPad?.keys.isEmpty ?? true) }
        let keys = try XCTUnwrap(pad.pinPad?.keys)
        XCTAssertEqual(Set(keys.map(\.label)), Set((0...9).map(String.init)), "ten keys, each digit once")
        XCTAssertEqual(keys.map(\.intent), (0...9).map { Intent.pinKey(key: UInt8($0)) }, "keys send their position")
        let pin = testCardPin(card: .unionPayApproved)
        let wrong = String(pin.map { Character(String((Int(String($0))! + 1) % 10)) })
        try await phone.enterPin(wrong)
        let wrongPin = try await phone.waitFor(.wrongPin)
        XCTAssertEqual(wrongPin.message?.code, "wrong_pin")
        XCTAssertEqual(wrongPin.field("Bank's answer"), "55 Incorrect PIN")
        phone.reader.removeCard()
        try await phone.press(.retryPin, then: .presentCard)
        await phone.insert(.unionPayApproved)
        let again = try await phone.waitFor(.pinEntry) { !($0.pinPad?.keys.isEmpty ?? true) }
        XCTAssertNotEqual(again.pinPad?.keys.map(\.label), keys.map(\.label), "a new keypad for the new try")
        try await phone.enterPin(pin)
        try await phone.waitFor(.signature)
        await phone.sign()
        try await phone.press(.confirmSignature, then: .receipt)
        try await phone.press(.finishReceipt, then: .home)
        phone.reader.removeCard()
    }

    @discardableResult
    private func startSale(_ dollars: Int, _ brand: CardBrand) async throws -> ScreenView {
        try await phone.press(.startSale, then: .amount)
        await phone.type(.amount, String(dollars))
        try await phone.press(.chooseBrand(brand: brand), then: .amount)
        return try await phone.press(.payNow, then: .presentCard)
    }

    private func openSearch(on phone: TestPhone) async throws {
        try await phone.press(.openTransactions, then: .queryPassword)
        await phone.type(.queryPassword, TestPhone.newPassword)
        try await phone.press(.submitQueryPassword, then: .transactionSearch)
    }
}
