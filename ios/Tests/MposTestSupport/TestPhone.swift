import Foundation
import MposBindings
import MposKit
import MposTestingBindings

/// A phone for the tests: the real core through the bindings, its audio
/// pump, and the virtual reader on the far side of the audio. The tests
/// act as a shell does (edits and presses, by field and intent) and as the
/// cardholder does (the reader's hands). Every view the core sends is
/// recorded, and checked to be fully drawn by its screen's layout.
public final class TestPhone {
    /// The audio rate of the test phones.
    public static let rate: UInt32 = 48_000
    /// 10 ms blocks.
    public static let block: UInt32 = 480
    /// The 6-digit password every test user sets.
    public static let newPassword = "246810"
    private static var readers: UInt32 = 100

    /// The core's driver of the headset jack.
    public let jack: AudioJack
    /// The cardholder's and cashier's reader.
    public let reader: VirtualReader
    /// The app.
    public let app: MposApp
    /// The views and the input queue, as a shell holds them.
    public let session: MposSession
    /// Every view the core sent since the start.
    public let seen = SeenViews()
    private let pump: AudioPump
    private let subscription: TaskHandle
    private let dataDirectory: URL

    /// A phone against `testbed`'s gateway, its reader unplugged, on the login screen;
    /// its audio runs from the start unless `startAudio` is false.
    public init(
        testbed: Testbed,
        requestTimeoutMs: UInt64 = 15_000,
        locale: MposBindings.Locale = .en,
        startAudio: Bool = true
    ) throws {
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mpos-phone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        jack = try AudioJack(sampleRate: Self.rate, phoneModel: "Swift test phone", blockCapacity: Self.block, savedProfile: nil)
        Self.readers += 1
        reader = VirtualReader(sampleRate: Self.rate, deviceNumber: Self.readers, blockCapacity: Self.block)
        pump = AudioPump(jack: jack, port: VirtualReaderPort(reader: reader, sampleRate: Int(Self.rate)))
        if startAudio { pump.start() }
        app = try MposApp(
            config: AppConfig(
                gatewayUrl: testbed.gatewayUrl,
                trustRootPem: testbed.certPem,
                pinnedSpkiSha256: testbed.spkiSha256,
                dataDir: dataDirectory.path,
                requestTimeoutMs: requestTimeoutMs,
                reversalRetryMs: 300,
                locale: locale
            ),
            reader: jack
        )
        subscription = app.subscribe(listener: seen)
        session = MposSession(app: app)
    }

    /// The screen now.
    public var view: ScreenView { app.view() }

    /// Starts the audio between the app and the reader (the microphone is allowed).
    public func startAudio() {
        pump.start()
    }

    /// Whether the audio runs.
    public var audioRunning: Bool { pump.isRunning }

    /// Waits up to `seconds` for screen `screen` with `also` true of it (the reader's doing); returns it.
    @discardableResult
    public func waitFor(
        _ screen: ScreenId,
        seconds: Double = 30,
        where also: (ScreenView) -> Bool = { _ in true }
    ) async throws -> ScreenView {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let view = app.view()
            if view.screen == screen && also(view) { return view }
            try check(Date() < deadline, "waited for \(screen); the app shows \(view.screen): \(view.message?.code ?? "-") \(view.prompt ?? "")")
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Presses `intent`; returns the view once everything it caused is done.
    @discardableResult
    public func press(_ intent: Intent) async -> ScreenView {
        await app.press(intent: intent)
    }

    /// Presses `intent` and checks the app is then on screen `then`.
    @discardableResult
    public func press(_ intent: Intent, then: ScreenId) async throws -> ScreenView {
        let view = await press(intent)
        try check(view.screen == then, "after \(intent): \(view.screen) (\(view.message?.code ?? "-")), not \(then)")
        return view
    }

    /// Types `text` into `field`.
    @discardableResult
    public func type(_ field: FieldId, _ text: String) async -> ScreenView {
        await app.edit(field: field, text: text)
    }

    /// Waits until the app and the reader have said all they had to say (a cashier's pause).
    public func waitQuiet() async {
        let deadline = Date().addingTimeInterval(3)
        while !(jack.isLinkIdle() && reader.isIdle()) && Date() < deadline {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// The cardholder inserts `card` once the reader is ready for it.
    public func insert(_ card: TestCard) async {
        await waitQuiet()
        reader.insert(card: card)
    }

    /// The cardholder types `pin` on the reader's keypad: for each digit the
    /// key the core labelled with it, then Confirm; returns the view after it.
    @discardableResult
    public func enterPin(_ pin: String) async throws -> ScreenView {
        let shown = try await waitFor(.pinEntry) { !($0.pinPad?.keys.isEmpty ?? true) }
        let keys = shown.pinPad?.keys ?? []
        for digit in pin {
            guard let key = keys.first(where: { $0.label == String(digit) }) else {
                throw TestFailure("no key shows \(digit)")
            }
            await press(key.intent)
        }
        return await press(.confirmPin)
    }

    /// The cardholder swipes `card` once the reader is ready for it.
    public func swipe(_ card: TestCard) async {
        await waitQuiet()
        reader.swipe(card: card)
    }

    /// Plugs the reader in and waits until the link is up and the screen's reader line changed.
    @discardableResult
    public func plugInReader() async throws -> ScreenView {
        let unplugged = view.status.first?.value
        reader.plugIn()
        return try await waitFor(view.screen) { [jack] in
            jack.isReaderConnected() && $0.status.first?.value != unplugged
        }
    }

    /// The first login: default password, the SMS code, then a new 6-digit password; ends at home.
    @discardableResult
    public func firstLogin(_ credentials: Credentials, newPassword: String = TestPhone.newPassword) async throws -> ScreenView {
        await type(.username, credentials.username)
        await type(.password, credentials.defaultPassword)
        try await press(.logIn, then: .activation)
        await type(.activationCode, credentials.activationCode)
        try await press(.submitActivationCode, then: .newPassword)
        await type(.newPassword, newPassword)
        await type(.newPasswordConfirmation, newPassword)
        return try await press(.setNewPassword, then: .home)
    }

    /// The cardholder signs: one stroke across the pad.
    @discardableResult
    public func sign() async -> ScreenView {
        let points = (0...20).map { (i: Int) -> SignaturePoint in
            let y: UInt16 = i % 2 == 0 ? 580 : 420
            return SignaturePoint(x: UInt16(100 + 40 * i), y: y)
        }
        return await app.addStroke(points: points)
    }

    /// Stops the audio and the listener, closes the session and removes the phone's data;
    /// throws when a view the core sent was not fully drawn by its screen's layout.
    public func close() throws {
        session.close()
        subscription.cancel()
        pump.stop()
        try? FileManager.default.removeItem(at: dataDirectory)
        let undrawn = seen.undrawnParts
        try check(undrawn.isEmpty, Set(undrawn).sorted().joined(separator: "\n"))
    }
}

extension ScreenView {
    /// The value of the field labelled `label`, if the screen has it.
    public func field(_ label: String) -> String? {
        fields.first { $0.label == label }?.value
    }
}
