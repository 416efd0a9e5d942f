import MposBindings

/// Accessibility identifiers: how UI tests find an input or a button
/// without reading its (translated) words, as Android's test tags do.
public enum AccessibilityTags {
    /// The input of `field`.
    public static func input(_ field: FieldId) -> String { "input:\(field)" }

    /// The button or option that sends `intent`.
    public static func intent(_ intent: Intent) -> String {
        switch intent {
        case let .openTransaction(id): return "intent:OpenTransaction:\(id)"
        case let .chooseBrand(brand): return "intent:ChooseBrand:\(brand)"
        case let .pinKey(key): return "intent:PinKey:\(key)"
        default: return "intent:\(intent)"
        }
    }

    /// The screen's root.
    public static let screen = "screen"
    /// The message banner.
    public static let message = "message"
    /// The signature pad.
    public static let signaturePad = "signature-pad"
    /// The QR code.
    public static let qrCode = "qr"
    /// The PIN pad's dots.
    public static let pinDots = "pin-dots"
}
