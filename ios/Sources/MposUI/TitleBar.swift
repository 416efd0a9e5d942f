#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The title bar: the title and, below it, the subtitle; a back arrow when
/// the screen has a back (iOS has no system back button to press it).
struct TitleBar: View {
    let view: ScreenView
    let actions: ScreenActions

    var body: some View {
        HStack(alignment: .center, spacing: 8) {
            if let back = view.back {
                Button { actions.press(back) } label: {
                    Image(systemName: "chevron.backward").font(.title3.weight(.semibold))
                }
                .foregroundColor(Theme.onPrimary)
                .accessibilityIdentifier(AccessibilityTags.intent(back))
            }
            VStack(alignment: .leading, spacing: 2) {
                Text(view.title).font(.title2.bold())
                if let subtitle = view.subtitle {
                    Text(subtitle).font(.subheadline)
                }
            }
            Spacer(minLength: 0)
        }
        .foregroundColor(Theme.onPrimary)
        .padding(.horizontal, 20)
        .padding(.vertical, 14)
        .background(Theme.primary.ignoresSafeArea(edges: .top))
    }
}

/// The message banner, coloured by its tone.
struct MessageBanner: View {
    let message: MessageView?

    var body: some View {
        if let message {
            Text(message.text)
                .font(.body)
                .foregroundColor(foreground(message.tone))
                .padding(12)
                .frame(maxWidth: .infinity, alignment: .leading)
                .background(background(message.tone))
                .accessibilityIdentifier(AccessibilityTags.message)
        }
    }

    private func background(_ tone: Tone) -> Color {
        switch tone {
        case .warning: return Color(hex: 0xFDECEA)
        case .success: return Color(hex: 0xE6F4EA)
        case .info: return Color(hex: 0xE8F0FE)
        }
    }

    private func foreground(_ tone: Tone) -> Color {
        switch tone {
        case .warning: return Color(hex: 0x8C1D18)
        case .success: return Color(hex: 0x1E6B34)
        case .info: return Color(hex: 0x174EA6)
        }
    }
}

/// Status lines (the reader), one a row.
struct StatusLines: View {
    let lines: [FieldView]

    var body: some View {
        ForEach(Array(lines.enumerated()), id: \.offset) { _, line in
            LabelledValue(field: line, emphasis: false)
        }
    }
}
#endif
