#if os(iOS)
import AVFoundation
import MposKit

/// The microphone permission as AVAudioSession holds it.
final class RecordPermission: MicrophoneAuthority {
    /// The answer so far.
    var permission: MicrophonePermission {
        switch AVAudioSession.sharedInstance().recordPermission {
        case .granted: return .granted
        case .denied: return .denied
        default: return .undetermined
        }
    }

    /// Asks once (the system shows its prompt with the Info.plist's reason); later, answers at once.
    func request(_ answered: @escaping (Bool) -> Void) {
        AVAudioSession.sharedInstance().requestRecordPermission(answered)
    }
}
#endif
