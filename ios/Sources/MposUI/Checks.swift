#if canImport(SwiftUI)
import MposBindings
import SwiftUI

/// The self-check's lines: each check, what was found, its state in the
/// core's words (with a symbol and colour for it), and what to do.
struct Checks: View {
    let checks: [CheckView]

    var body: some View {
        VStack(spacing: 0) {
            ForEach(Array(checks.enumerated()), id: \.offset) { index, check in
                if index > 0 { Divider() }
                HStack(alignment: .top, spacing: 10) {
                    Image(systemName: symbol(check.state))
                        .foregroundColor(colour(check.state))
                        .font(.title3)
                    VStack(alignment: .leading, spacing: 2) {
                        Text(check.label).font(.body.weight(.medium))
                        Text(check.value).font(.subheadline).foregroundColor(Theme.secondaryText)
                        if let advice = check.advice {
                            Text(advice).font(.footnote).foregroundColor(colour(check.state))
                        }
                    }
                    Spacer(minLength: 8)
                    Text(check.stateText).font(.subheadline).foregroundColor(colour(check.state))
                }
                .padding(.vertical, 8)
            }
        }
        .padding(.horizontal, 14)
        .background(Theme.surface)
        .cornerRadius(12)
    }

    private func symbol(_ state: CheckState) -> String {
        switch state {
        case .checking: return "hourglass"
        case .skipped: return "minus.circle"
        case .ok: return "checkmark.circle.fill"
        case .warning: return "exclamationmark.triangle.fill"
        case .failed: return "xmark.octagon.fill"
        }
    }

    private func colour(_ state: CheckState) -> Color {
        switch state {
        case .checking, .skipped: return Theme.secondaryText
        case .ok: return Color(hex: 0x1E6B34)
        case .warning: return Color(hex: 0xB06000)
        case .failed: return Theme.danger
        }
    }
}
#endif
