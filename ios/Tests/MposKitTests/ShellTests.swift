import Foundation
import MposBindings
import MposKit
import MposTestSupport
import MposTestingBindings
import XCTest

/// What the iOS shell decides around the screens, each through the real
/// core and gateway: the views as a stream, the input queue, the back
/// gesture, the language, the microphone permission, the headset, the
/// display kept on, and an app that cannot start.
final class ShellTests: XCTestCase {
    private static var testbed: Testbed!
    private var testbed: Testbed { Self.testbed }
    private var phones: [TestPhone] = []

    override class func setUp() {
        super.setUp()
        testbed = Testbed.forSuite()
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

    func testTheViewStreamGivesTheCurrentViewThenEveryChangeAndInputKeepsItsOrder() async throws {
        let phone = try newPhone()
        let credentials = try testbed.createUser()
        try await phone.plugInReader()
        var views = phone.session.views().makeAsyncIterator()
        let first = await views.next()
        XCTAssertEqual(first?.screen, .login, "the current view first")
        // The shell's queue: typed text reaches the core before the press that needs it.
        phone.session.edit(.username, text: credentials.username)
        phone.session.edit(.password, text: credentials.defaultPassword)
        phone.session.press(.logIn)
        await phone.session.settle()
        XCTAssertEqual(phone.view.screen, .activation)
        var screens: [ScreenId] = []
        while let view = await views.next() {
            screens.append(view.screen)
            if view.screen == .activation { break }
        }
        XCTAssertEqual(screens.last, .activation, "the stream saw the login go through: \(screens)")
    }

    func testTheBackGestureGoesBackAStepAndIsLeftToTheSystemOnLogin() async throws {
        let phone = try newPhone()
        let credentials = try testbed.createUser()
        try await phone.plugInReader()
        await phone.type(.username, credentials.username)
        await phone.type(.password, credentials.defaultPassword)
        try await phone.press(.logIn, then: .activation)
        let unhandled = Flag()
        phone.session.back { unhandled.raise() }
        await phone.session.settle()
        XCTAssertEqual(phone.view.screen, .login)
        XCTAssertFalse(unhandled.raised)
        phone.session.back { unhandled.raise() }
        await phone.session.settle()
        XCTAssertTrue(unhandled.raised, "the login screen has no back: the system's")
    }

    func testEveryWordComesInTheLanguageOfThePhone() async throws {
        XCTAssertEqual(localeForTag(tag: "zh-Hant-TW"), .zhTw)
        XCTAssertEqual(localeForTag(tag: "en-US"), .en)
        let phone = try newPhone(locale: localeForTag(tag: "zh-Hant-TW"))
        XCTAssertTrue(phone.view.texts.contains(where: hasChinese), "Traditional Chinese: \(phone.view.title)")
        phone.session.setLocale(.en)
        await phone.session.settle()
        let english = phone.view
        XCTAssertEqual(english.locale, .en)
        XCTAssertFalse(english.texts.contains(where: hasChinese), "English: \(english.texts)")
    }

    func testWithoutTheMicrophoneTheAppAsksAndSaysWhyThenFindsTheReaderOnceAllowed() async throws {
        let phone = try newPhone(startAudio: false)
        let microphone = FakeMicrophone()
        let gate = MicrophoneGate(authority: microphone, session: phone.session) { phone.startAudio() }
        gate.appBecameActive()
        await phone.session.settle()
        XCTAssertEqual(microphone.requests, 1, "the user was asked")
        XCTAssertEqual(phone.view.message?.code, "microphone_needed")
        XCTAssertFalse(phone.audioRunning, "no audio before the microphone is allowed")
        microphone.answer(true)
        await phone.session.settle()
        XCTAssertNotEqual(phone.view.message?.code, "microphone_needed")
        XCTAssertTrue(phone.audioRunning)
        try await phone.plugInReader()
        // The next time in front, an allowed microphone is not asked for again.
        gate.appBecameActive()
        await phone.session.settle()
        XCTAssertEqual(microphone.requests, 1)
    }

    func testPullingTheReaderOutIsShownAtOnce() async throws {
        let phone = try newPhone()
        let connected = try await phone.plugInReader().status.first?.value
        let route = ["MicrophoneWired"]
        XCTAssertTrue(HeadsetRoute.isPlugged(inputPortTypes: route))
        XCTAssertFalse(HeadsetRoute.isPlugged(inputPortTypes: ["MicrophoneBuiltIn"]), "the phone's own microphone")
        phone.jack.setHeadset(plugged: HeadsetRoute.isPlugged(inputPortTypes: ["MicrophoneBuiltIn"]))
        let unplugged = try await phone.waitFor(.login, seconds: 5) { $0.status.first?.value != connected }
        XCTAssertFalse(phone.jack.isReaderConnected(), "the jack is empty: \(unplugged.status)")
    }

    func testTheDisplayStaysOnOnlyWhileACardIsRead() async throws {
        let phone = try newPhone()
        let credentials = try testbed.createUser()
        try await phone.plugInReader()
        try await phone.firstLogin(credentials)
        let idleTimer = IdleTimer()
        let awake = ScreenAwake { idleTimer.disabled.append($0) }
        let watching = Task {
            for await view in phone.session.views() { awake.show(view) }
        }
        try await phone.press(.startSale, then: .amount)
        await phone.type(.amount, "300")
        try await phone.press(.chooseBrand(brand: .jcb), then: .amount)
        try await phone.press(.payNow, then: .presentCard)
        await phone.insert(.jcbNoSignature)
        try await phone.waitFor(.receipt)
        try await phone.press(.finishReceipt, then: .home)
        phone.reader.removeCard()
        _ = try await eventually { idleTimer.disabled.last == false && idleTimer.disabled.count >= 3 ? true : nil }
        watching.cancel()
        XCTAssertEqual(idleTimer.disabled, [false, true, false], "kept on from the card's screen to the receipt, then not")
    }

    func testAnAppThatCannotStartSaysWhyInTheCoresWords() throws {
        let settings = GatewaySettings(url: "https://gateway.example", trustRootPem: "not a certificate", pinnedSpkiSha256: "00")
        XCTAssertThrowsError(
            try PhoneRuntime(
                gateway: settings,
                dataDirectory: FileManager.default.temporaryDirectory.path,
                phoneModel: "Swift test phone",
                sampleRate: 48_000,
                languageTag: "en",
                profiles: MemoryProfiles()
            )
        ) { error in
            let message = (error as? MposError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("settings are invalid"), message)
            XCTAssertTrue(hasChinese(message), "both languages: \(message)")
        }
    }

    func testTheGatewaySettingsFileReadsAsAndroidsDoes() throws {
        let example = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("App/Resources/gateway.example.json")
        let settings = try GatewaySettings(json: try Data(contentsOf: example))
        XCTAssertTrue(settings.url.hasPrefix("https://"), settings.url)
        XCTAssertFalse(settings.trustRootPem.isEmpty)
        XCTAssertFalse(settings.pinnedSpkiSha256.isEmpty)
    }

    /// A phone at the login screen, closed after the test.
    private func newPhone(locale: MposBindings.Locale = .en, startAudio: Bool = true) throws -> TestPhone {
        let phone = try TestPhone(testbed: testbed, locale: locale, startAudio: startAudio)
        phones.append(phone)
        return phone
    }
}

/// Whether `text` has a CJK ideograph (U+4E00 to U+9FFF).
func hasChinese(_ text: String) -> Bool {
    text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }
}

/// A flag raised from another thread.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var raised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func raise() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// The idle timer's settings, as UIApplication would have been told them.
private final class IdleTimer: @unchecked Sendable {
    var disabled: [Bool] = []
}

/// A microphone permission the test answers.
private final class FakeMicrophone: MicrophoneAuthority {
    private(set) var permission = MicrophonePermission.undetermined
    private(set) var requests = 0
    private var pending: ((Bool) -> Void)?

    func request(_ answered: @escaping (Bool) -> Void) {
        requests += 1
        pending = answered
    }

    /// The user answers the system's question.
    func answer(_ granted: Bool) {
        permission = granted ? .granted : .denied
        pending?(granted)
        pending = nil
    }
}

/// Link profiles kept in memory.
private final class MemoryProfiles: LinkProfileStore {
    var linkProfile: String?
}
