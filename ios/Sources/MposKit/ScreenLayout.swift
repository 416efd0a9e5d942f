import MposBindings

/// One part of a screen's body, drawn from the view's matching element.
/// The frame around every body (title bar, status lines, message, a running
/// request with its cancel button) is the same on every screen.
public enum ScreenPart: Hashable, CaseIterable {
    /// `prompt`: the main instruction, large.
    case prompt
    /// `fields`: the labelled values.
    case fields
    /// `inputs`: the text inputs.
    case inputs
    /// `choice`: the options (the card brand).
    case choice
    /// `rows`, or `emptyRows` while there are none: the search results.
    case rows
    /// `checks`: the self-check's lines, each with its state and advice.
    case checks
    /// `qr`: the e-receipt's QR code and its caption.
    case qrCode
    /// `signature`: the signature pad.
    case signaturePad
    /// `pinPad`: the reader's keys in its order, and a dot per digit entered.
    case pinPad
    /// A card with its chip, inserted top first (a picture, no words).
    case cardPicture
    /// `buttons`, main first.
    case buttons
}

/// Every KGI mPOS screen's body, part by part, in the order drawn (the
/// same screens and order as the Android shell's composables). A new
/// screen of the core is one line here: the switch has no default, so the
/// compiler names the screen that lacks one.
public enum ScreenLayout {
    /// The parts of `screen`'s body, top to bottom.
    public static func parts(of screen: ScreenId) -> [ScreenPart] {
        switch screen {
        case .login: return [.inputs, .buttons]
        case .activation, .newPassword, .queryPassword: return [.prompt, .inputs, .buttons]
        case .loading: return [.prompt]
        case .home: return [.fields, .buttons]
        case .amount: return [.inputs, .fields, .choice, .buttons]
        case .refundAuthCode: return [.fields, .inputs, .buttons]
        case .presentCard: return [.cardPicture, .prompt, .fields, .buttons]
        case .pinEntry: return [.fields, .prompt, .pinPad, .buttons]
        case .wrongPin: return [.fields, .buttons]
        case .authorizing: return [.prompt, .fields]
        case .declined, .transactionDetail: return [.fields, .buttons]
        case .signature: return [.fields, .prompt, .signaturePad, .buttons]
        case .receipt: return [.qrCode, .fields, .inputs, .buttons]
        case .transactionSearch: return [.prompt, .inputs, .buttons, .rows]
        case .outcomeUnknown, .voidDone, .settlementReview, .settlementDone: return instruction
        case .selfCheck: return [.prompt, .checks, .buttons]
        }
    }

    /// Keys per row of the PIN pad: three rows of three, the tenth alone and
    /// centred in the fourth (the reader's key numbering).
    public static let pinKeysPerRow = 3

    /// The PIN pad's keys in rows, top to bottom.
    public static func pinRows(of pad: PinPadView) -> [[ButtonView]] {
        stride(from: 0, to: pad.keys.count, by: pinKeysPerRow).map { start in
            Array(pad.keys[start..<min(start + pinKeysPerRow, pad.keys.count)])
        }
    }

    /// The body most screens share: the instruction, the values, the buttons.
    public static let instruction: [ScreenPart] = [.prompt, .fields, .buttons]

    /// The parts `view` fills, whether or not its screen draws them (for tests: none may be left out).
    public static func filledParts(of view: ScreenView) -> Set<ScreenPart> {
        var parts = Set<ScreenPart>()
        if view.prompt != nil { parts.insert(.prompt) }
        if !view.fields.isEmpty { parts.insert(.fields) }
        if !view.inputs.isEmpty { parts.insert(.inputs) }
        if view.choice != nil { parts.insert(.choice) }
        if !view.rows.isEmpty || view.emptyRows != nil { parts.insert(.rows) }
        if !view.checks.isEmpty { parts.insert(.checks) }
        if view.qr != nil { parts.insert(.qrCode) }
        if view.signature != nil { parts.insert(.signaturePad) }
        if view.pinPad != nil { parts.insert(.pinPad) }
        if !view.buttons.isEmpty { parts.insert(.buttons) }
        return parts
    }
}
