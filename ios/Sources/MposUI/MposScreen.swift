#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The screen the core's view names, drawn: the frame every screen shares,
/// and the parts of its body in the order `ScreenLayout` gives for it. It
/// holds no word, format or rule of its own.
public struct MposScreen: View {
    private let view: ScreenView
    private let actions: ScreenActions

    /// Draws `view`; what the user does goes to `actions`.
    public init(view: ScreenView, actions: ScreenActions) {
        self.view = view
        self.actions = actions
    }

    /// The frame around the parts.
    public var body: some View {
        ScreenScaffold(view: view, actions: actions) {
            ForEach(ScreenLayout.parts(of: view.screen), id: \.self) { part in
                ScreenPartView(part: part, view: view, actions: actions)
            }
        }
    }
}

/// One part of a screen's body, from the view's matching element.
struct ScreenPartView: View {
    let part: ScreenPart
    let view: ScreenView
    let actions: ScreenActions

    var body: some View {
        switch part {
        case .prompt: Prompt(text: view.prompt)
        case .fields: Fields(fields: view.fields)
        case .inputs: Inputs(view: view, actions: actions)
        case .choice: Choice(choice: view.choice, enabled: view.busy == nil, actions: actions)
        case .rows: Rows(rows: view.rows, empty: view.emptyRows, actions: actions)
        case .checks: Checks(checks: view.checks)
        case .qrCode: QrCode(qr: view.qr)
        case .signaturePad: SignaturePad(pad: view.signature, actions: actions)
        case .pinPad: PinPad(pad: view.pinPad, actions: actions)
        case .cardPicture: CardPicture()
        case .buttons: Buttons(buttons: view.buttons, actions: actions)
        }
    }
}
#endif
