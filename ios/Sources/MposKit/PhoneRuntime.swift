import MposBindings

/// The platform's audio while it runs (iOS: the audio session and engine); stopping it ends the pump.
public protocol PlatformAudio: AnyObject {
    /// Stops the audio and lets go of the jack's buffers.
    func stop()
}

/// Where the phone keeps what the reader link learned about it between runs (iOS: UserDefaults).
public protocol LinkProfileStore: AnyObject {
    /// The JSON `AudioJack.linkProfile()` gave last time, if any.
    var linkProfile: String? { get set }
}

/// The core and the audio for as long as the process lives: an approved
/// payment in flight must outlive a screen going away. The audio runs only
/// while the app is in front and the microphone is allowed.
public final class PhoneRuntime {
    /// The 10 ms block the audio runs in, at 48 kHz.
    public static let blockCapacity: UInt32 = 480

    /// The headset jack's driver.
    public let jack: AudioJack
    /// The app and its views.
    public let session: MposSession

    private let profiles: LinkProfileStore
    private var audio: PlatformAudio?

    /// Starts the core: the jack at `sampleRate` (the audio session's), the
    /// app against `gateway`, its journal in `dataDirectory`, in the language
    /// of `languageTag`. Throws the core's `MposError` when it cannot start.
    public init(
        gateway: GatewaySettings,
        dataDirectory: String,
        phoneModel: String,
        sampleRate: UInt32,
        languageTag: String,
        profiles: LinkProfileStore
    ) throws {
        self.profiles = profiles
        jack = try AudioJack(
            sampleRate: sampleRate,
            phoneModel: phoneModel,
            blockCapacity: Self.blockCapacity,
            savedProfile: profiles.linkProfile
        )
        let app = try MposApp(
            config: AppConfig(
                gatewayUrl: gateway.url,
                trustRootPem: gateway.trustRootPem,
                pinnedSpkiSha256: gateway.pinnedSpkiSha256,
                dataDir: dataDirectory,
                requestTimeoutMs: 30_000,
                reversalRetryMs: 500,
                locale: localeForTag(tag: languageTag)
            ),
            reader: jack
        )
        session = MposSession(app: app)
    }

    /// Whether the audio runs.
    public var audioRunning: Bool { audio != nil }

    /// Opens the jack's audio with `open` (the microphone is allowed), unless it runs.
    public func startAudio(_ open: (AudioJack) throws -> PlatformAudio) rethrows {
        guard audio == nil else { return }
        audio = try open(jack)
    }

    /// Closes the audio and keeps what the link learned about this phone model.
    public func stopAudio() {
        audio?.stop()
        audio = nil
        if let profile = jack.linkProfile() {
            profiles.linkProfile = profile
        }
    }
}
