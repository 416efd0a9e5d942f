#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// A choice (the card brand) as chips; the chosen one is filled.
struct Choice: View {
    let choice: ChoiceGroupView?
    let enabled: Bool
    let actions: ScreenActions

    var body: some View {
        if let choice {
            VStack(alignment: .leading, spacing: 6) {
                Text(choice.label)
                    .font(.subheadline)
                    .foregroundColor(Theme.secondaryText)
                LazyVGrid(columns: [GridItem(.adaptive(minimum: 96), spacing: 8)], alignment: .leading, spacing: 8) {
                    ForEach(Array(choice.options.enumerated()), id: \.offset) { _, option in
                        Button { actions.press(option.intent) } label: {
                            Text(option.label)
                                .frame(maxWidth: .infinity)
                                .padding(.vertical, 8)
                                .foregroundColor(option.selected ? Theme.onPrimary : Theme.primary)
                                .background(option.selected ? Theme.primary : Theme.surface)
                                .overlay(RoundedRectangle(cornerRadius: 8).stroke(Theme.primary, lineWidth: 1))
                                .cornerRadius(8)
                        }
                        .buttonStyle(.plain)
                        .disabled(!enabled)
                        .accessibilityIdentifier(AccessibilityTags.intent(option.intent))
                    }
                }
            }
        }
    }
}
#endif
