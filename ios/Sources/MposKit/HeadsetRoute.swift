/// Whether the card reader's plug is in the headset jack, read off the
/// audio route: the reader's plug has a microphone contact, so a wired
/// headset microphone (or a USB headset, through an adapter) is among the
/// route's inputs. The names are AVAudioSession's port types.
public enum HeadsetRoute {
    /// The input port types of a plug in the jack (`AVAudioSession.Port.headsetMic`, `.usbAudio`).
    public static let pluggedInputs: Set<String> = ["MicrophoneWired", "USBAudio"]

    /// Whether a route with these input port types has a plug in the jack.
    public static func isPlugged(inputPortTypes: [String]) -> Bool {
        inputPortTypes.contains(where: pluggedInputs.contains)
    }
}
