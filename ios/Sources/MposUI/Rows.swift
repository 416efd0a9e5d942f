#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// A list (search results), each row tappable; the core's words while it is empty.
struct Rows: View {
    let rows: [RowView]
    let empty: String?
    let actions: ScreenActions

    var body: some View {
        if rows.isEmpty {
            if let empty {
                Text(empty).foregroundColor(Theme.secondaryText)
            }
        } else {
            ForEach(Array(rows.enumerated()), id: \.offset) { _, row in
                Button { actions.press(row.intent) } label: {
                    HStack {
                        VStack(alignment: .leading, spacing: 2) {
                            Text(row.title).font(.body.weight(.medium))
                            Text(row.detail).font(.footnote).foregroundColor(Theme.secondaryText)
                        }
                        Spacer(minLength: 8)
                        Text(row.trailing).font(.subheadline)
                    }
                    .padding(12)
                    .background(Theme.surface)
                    .cornerRadius(10)
                }
                .buttonStyle(.plain)
                .accessibilityIdentifier(AccessibilityTags.intent(row.intent))
            }
        }
    }
}
#endif
