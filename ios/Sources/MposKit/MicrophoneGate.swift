/// The platform's answer about the microphone.
public enum MicrophonePermission {
    /// Allowed.
    case granted
    /// Refused; only the system's settings can change it.
    case denied
    /// Not asked yet.
    case undetermined
}

/// The platform's microphone permission (iOS: AVAudioSession's record permission).
public protocol MicrophoneAuthority: AnyObject {
    /// The answer so far.
    var permission: MicrophonePermission { get }

    /// Asks the user (or, once refused, answers at once); `answered` may run on any thread.
    func request(_ answered: @escaping (Bool) -> Void)
}

/// The microphone permission flow, as Android's activity runs it: each
/// time the app comes to the front, an allowed microphone is told to the
/// core and the audio starts; otherwise the core is told (its login and
/// home screens then say how to allow it) and the user is asked, and the
/// audio starts once allowed.
public final class MicrophoneGate {
    private let authority: MicrophoneAuthority
    private let session: MposSession
    private let startAudio: () -> Void

    /// A gate that tells `session` and calls `startAudio` once the microphone is allowed.
    public init(authority: MicrophoneAuthority, session: MposSession, startAudio: @escaping () -> Void) {
        self.authority = authority
        self.session = session
        self.startAudio = startAudio
    }

    /// The app came to the front.
    public func appBecameActive() {
        if authority.permission == .granted {
            allowed(true)
            return
        }
        session.setMicrophoneAllowed(false)
        authority.request { [weak self] granted in self?.allowed(granted) }
    }

    private func allowed(_ granted: Bool) {
        session.setMicrophoneAllowed(granted)
        if granted { startAudio() }
    }
}
