#if os(iOS)
import AVFoundation

/// The app's audio session for the reader: play and record at once
/// (`playAndRecord`), without the voice processing, gain control or
/// filtering that would bend the modem's tones (`measurement`), at 48 kHz
/// in 10 ms buffers when the hardware allows. The route stays the system's:
/// with the reader in the jack it is the headset microphone and headphones.
enum AudioSessionSetup {
    /// Configures and activates the session; returns the rate the hardware runs at.
    static func activate() throws -> Double {
        let session = AVAudioSession.sharedInstance()
        try session.setCategory(.playAndRecord, mode: .measurement, options: [])
        try session.setPreferredSampleRate(48_000)
        try session.setPreferredIOBufferDuration(0.01)
        try session.setActive(true)
        return session.sampleRate
    }

    /// The input port types of the route now (`AVAudioSession.Port` raw values).
    static func inputPortTypes() -> [String] {
        AVAudioSession.sharedInstance().currentRoute.inputs.map { $0.portType.rawValue }
    }
}
#endif
