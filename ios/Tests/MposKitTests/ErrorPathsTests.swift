import Foundation
import MposBindings
import MposKit
import MposTestSupport
import MposTestingBindings
import XCTest

/// The failures a cashier meets, each on a fresh user and phone, and what the screens then say.
final class ErrorPathsTests: XCTestCase {
    private static var testbed: Testbed!
    private var testbed: Testbed { Self.testbed }
    private var phones: [TestPhone] = []

    override class func setUp() {
        super.setUp()
        testbed = Testbed.forSuite(slowIssuerMs: 3_000)
    }

    override class func tearDown() {
        testbed?.close()
        super.tearDown()
    }

    override func tearDown() async throws {
        for phone in phones { try phone.close() }
        phones = []
        try await super.tearDown()
    }

    func testADeclinedCardSaysWhatToDoAndAllowsAnotherTry() async throws {
        let phone = try await newPhone().phone
        try await startSale(phone, 500, .visa)
        await phone.insert(.visaDeclined05)
        let declined = try await phone.waitFor(.declined)
        XCTAssertEqual(declined.message?.code, "declined")
        XCTAssertTrue(declined.field("Bank's answer")?.hasPrefix("05") == true, declined.field("Bank's answer") ?? "-")
        phone.reader.removeCard()
        try await phone.press(.back, then: .amount)
        // Another card, at once: the reader is ready for it.
        try await phone.press(.payNow, then: .presentCard)
        await phone.insert(.visaChipApproved)
        try await phone.waitFor(.receipt)
    }

    func testFiveWrongPasswordsLockTheAccountEvenForTheRightOne() async throws {
        let (phone, credentials) = try await newPhone()
        try await phone.press(.logOut, then: .login)
        for _ in 0..<4 {
            await phone.type(.username, credentials.username)
            await phone.type(.password, "999999")
            let refused = try await phone.press(.logIn, then: .login)
            XCTAssertEqual(refused.message?.code, "invalid_credentials")
        }
        await phone.type(.password, "999999")
        let locked = try await phone.press(.logIn, then: .login)
        XCTAssertEqual(locked.message?.code, "account_locked")
        await phone.type(.password, TestPhone.newPassword)
        let stillLocked = try await phone.press(.logIn, then: .login)
        XCTAssertEqual(stillLocked.message?.code, "account_locked")
    }

    func testASaleOverTheUsersLimitIsRefusedAndNothingIsCharged() async throws {
        let phone = try await newPhone(perTransaction: 1_000).phone
        try await startSale(phone, 2_000, .visa)
        await phone.insert(.visaChipApproved)
        let refused = try await phone.waitFor(.amount) { $0.message != nil }
        XCTAssertEqual(refused.message?.code, "limit_per_transaction_exceeded")
        phone.reader.removeCard()
        let charged = try testbed.transactions().filter { amount(of: $0) == 200_000 && $0["status"] as? String == "approved" }
        XCTAssertTrue(charged.isEmpty, "nothing charged: \(charged)")
    }

    func testATimeoutIsReversedAndNeverShownAsApproved() async throws {
        let phone = try await newPhone(requestTimeoutMs: 1_500).phone
        let seen = SeenViews()
        let handle = phone.app.subscribe(listener: seen)
        try await startSale(phone, 700, .visa)
        await phone.insert(.visaSlowIssuer)
        let reversed = try await phone.waitFor(.outcomeUnknown) { $0.message?.code == "not_charged" }
        XCTAssertTrue(reversed.prompt?.contains("not charged") == true, reversed.prompt ?? "-")
        handle.cancel()
        XCTAssertFalse(seen.screens.contains { $0 == .receipt || $0 == .signature }, "never approved: \(seen.screens)")
        let inPortal = try await eventually {
            try self.testbed.transactions().first { amount(of: $0) == 70_000 && $0["status"] as? String == "reversed" }
        }
        XCTAssertEqual(inPortal["status"] as? String, "reversed", "the portal shows the sale reversed")
        phone.reader.removeCard()
    }

    func testTheListenerHearsEveryViewUntilItsHandleIsCancelled() async throws {
        let phone = try await newPhone().phone
        let seen = SeenViews()
        let handle = phone.app.subscribe(listener: seen)
        try await phone.press(.openTransactions, then: .queryPassword)
        _ = try await eventually { seen.screens.last == .queryPassword ? true : nil }
        XCTAssertEqual(seen.screens.first, .home, "the current view first")
        handle.cancel()
        try await Task.sleep(nanoseconds: 100_000_000)
        let before = seen.all.count
        try await phone.press(.back, then: .home)
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertEqual(seen.all.count, before, "nothing after cancel")
        XCTAssertTrue(handle.isFinished())
    }

    private func startSale(_ phone: TestPhone, _ dollars: Int, _ brand: CardBrand) async throws {
        try await phone.press(.startSale, then: .amount)
        await phone.type(.amount, String(dollars))
        try await phone.press(.chooseBrand(brand: brand), then: .amount)
        try await phone.press(.payNow, then: .presentCard)
    }

    /// A new user's phone, at home after the first login; closed after the test.
    private func newPhone(perTransaction: Int = 50_000, requestTimeoutMs: UInt64 = 15_000) async throws -> (phone: TestPhone, credentials: Credentials) {
        let credentials = try testbed.createUser(perTransaction: perTransaction)
        let phone = try TestPhone(testbed: testbed, requestTimeoutMs: requestTimeoutMs)
        phones.append(phone)
        try await phone.plugInReader()
        try await phone.firstLogin(credentials)
        return (phone, credentials)
    }
}

/// The amount of a transaction as the portal lists it, in minor units.
func amount(of transaction: [String: Any]) -> Int? {
    (transaction["amount"] as? [String: Any])?["minor"] as? Int
}

/// Waits up to 20 s for `what` to give a value.
func eventually<T>(_ what: () throws -> T?) async throws -> T {
    let deadline = Date().addingTimeInterval(20)
    while true {
        if let value = try what() { return value }
        try check(Date() < deadline, "waited in vain")
        try await Task.sleep(nanoseconds: 50_000_000)
    }
}
