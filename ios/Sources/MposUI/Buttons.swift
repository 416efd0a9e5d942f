#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The buttons, full width, main first.
struct Buttons: View {
    let buttons: [ButtonView]
    let actions: ScreenActions

    var body: some View {
        ForEach(Array(buttons.enumerated()), id: \.offset) { _, button in
            ActionButton(button: button, actions: actions)
        }
    }
}

/// One button, styled as the view says.
struct ActionButton: View {
    let button: ButtonView
    let actions: ScreenActions
    var fullWidth = true

    var body: some View {
        styled(
            Button { actions.press(button.intent) } label: {
                Text(button.label)
                    .font(.body.weight(.medium))
                    .frame(maxWidth: fullWidth ? .infinity : nil)
                    .padding(.vertical, 6)
            }
        )
        .disabled(!button.enabled)
        .accessibilityIdentifier(AccessibilityTags.intent(button.intent))
    }

    @ViewBuilder
    private func styled<Label: View>(_ button: Button<Label>) -> some View {
        switch self.button.style {
        case .primary: button.buttonStyle(.borderedProminent).tint(Theme.primary)
        case .danger: button.buttonStyle(.borderedProminent).tint(Theme.danger)
        case .secondary: button.buttonStyle(.bordered).tint(Theme.primary)
        }
    }
}

/// A request on its way, with its cancel button when it may be cancelled.
struct Busy: View {
    let busy: BusyView?
    let actions: ScreenActions

    var body: some View {
        if let busy {
            VStack(alignment: .leading, spacing: 8) {
                ProgressView()
                HStack {
                    Text(busy.text)
                    Spacer(minLength: 8)
                    if let cancel = busy.cancel {
                        ActionButton(button: cancel, actions: actions, fullWidth: false)
                    }
                }
            }
        }
    }
}
#endif
