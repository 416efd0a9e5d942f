#if os(iOS)
import Foundation
import MposBindings
import MposKit
import UIKit

/// The phone for as long as the process lives (an approved payment in
/// flight must outlive any screen): the core and its session, the audio
/// while the app is in front and the microphone allowed, the battery for
/// the pre-shift check, and the display kept on while a card is read.
public final class Phone {
    /// The app's phone, started on first use; or the core's words for why it could not start.
    public static let shared: Result<Phone, Error> = Result { try Phone() }

    /// The core and the audio.
    public let runtime: PhoneRuntime
    private let awake = ScreenAwake { UIApplication.shared.isIdleTimerDisabled = $0 }
    private var gate: MicrophoneGate?
    private var observers: [NSObjectProtocol] = []

    private init() throws {
        let rate = try AudioSessionSetup.activate()
        runtime = try PhoneRuntime(
            gateway: Self.gatewaySettings(),
            dataDirectory: try Self.dataDirectory(),
            phoneModel: Self.model(),
            sampleRate: UInt32(rate.rounded()),
            languageTag: Self.languageTag(),
            profiles: DefaultsProfiles()
        )
        gate = MicrophoneGate(authority: RecordPermission(), session: runtime.session) { [weak self] in
            DispatchQueue.main.async { self?.startAudio() }
        }
        UIDevice.current.isBatteryMonitoringEnabled = true
        let center = NotificationCenter.default
        observers = [
            center.addObserver(forName: NSLocale.currentLocaleDidChangeNotification, object: nil, queue: .main) { [weak self] _ in
                self?.runtime.session.setLocale(localeForTag(tag: Self.languageTag()))
            },
            center.addObserver(forName: UIDevice.batteryLevelDidChangeNotification, object: nil, queue: .main) { [weak self] _ in
                self?.reportBattery()
            },
            center.addObserver(forName: UIDevice.batteryStateDidChangeNotification, object: nil, queue: .main) { [weak self] _ in
                self?.reportBattery()
            },
        ]
    }

    /// The session the screens draw and send to.
    public var session: MposSession { runtime.session }

    /// The app came to the front: the battery, then the microphone (asked for if need be) and the audio.
    public func becameActive() {
        reportBattery()
        gate?.appBecameActive()
    }

    /// The app went to the background: the audio stops (the reader is powered by it).
    public func enteredBackground() {
        runtime.stopAudio()
    }

    /// A new view on screen: the display stays on while the core says a card is read.
    public func show(_ view: ScreenView) {
        awake.show(view)
    }

    private func startAudio() {
        do {
            try runtime.startAudio { try EngineAudio(jack: $0) }
        } catch {
            // No audio: the core keeps showing the reader as not connected.
            runtime.jack.setHeadset(plugged: false)
        }
    }

    private func reportBattery() {
        let device = UIDevice.current
        let charge: PhoneBattery.Charge
        switch device.batteryState {
        case .unplugged: charge = .unplugged
        case .charging: charge = .charging
        case .full: charge = .full
        default: charge = .unknown
        }
        session.setPhonePower(PhoneBattery.power(level: device.batteryLevel, charge: charge))
    }

    /// `gateway.json` in the bundle, else its example (the core then says the settings are invalid).
    private static func gatewaySettings() -> GatewaySettings {
        for name in ["gateway", "gateway.example"] {
            if let url = Bundle.main.url(forResource: name, withExtension: "json"),
               let data = try? Data(contentsOf: url),
               let settings = try? GatewaySettings(json: data) {
                return settings
            }
        }
        return GatewaySettings(url: "", trustRootPem: "", pinnedSpkiSha256: "")
    }

    /// Application Support/mpos, kept out of backups (the journal belongs to this phone).
    private static func dataDirectory() throws -> String {
        var directory = try FileManager.default
            .url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("mpos", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try directory.setResourceValues(values)
        return directory.path
    }

    /// The hardware model (`iPhone14,2`): the link learns and keeps its profile per model.
    private static func model() -> String {
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: &system.machine) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        return "Apple \(machine)"
    }

    /// The user's first preferred language (`zh-Hant-TW`, `en-US`...).
    private static func languageTag() -> String {
        Foundation.Locale.preferredLanguages.first ?? "zh-Hant-TW"
    }
}
#endif
