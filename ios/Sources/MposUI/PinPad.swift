#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The PIN pad: a dot per digit entered, then the reader's keys in the
/// reader's order, rows of three with the tenth centred below. A key sends
/// only its position; the shell never knows the digit the cardholder meant.
struct PinPad: View {
    let pad: PinPadView?
    let actions: ScreenActions

    var body: some View {
        if let pad {
            VStack(spacing: 12) {
                Text(pad.label).foregroundColor(Theme.secondaryText)
                Text(pad.dots.isEmpty ? " " : pad.dots)
                    .font(.system(size: 32))
                    .frame(maxWidth: .infinity)
                    .accessibilityIdentifier(AccessibilityTags.pinDots)
                ForEach(Array(ScreenLayout.pinRows(of: pad).enumerated()), id: \.offset) { _, row in
                    HStack(spacing: 12) {
                        ForEach(Array(row.enumerated()), id: \.offset) { _, key in
                            ActionButton(button: key, actions: actions, fullWidth: false)
                                .frame(width: 96, height: 56)
                        }
                    }
                }
            }
        }
    }
}
#endif
