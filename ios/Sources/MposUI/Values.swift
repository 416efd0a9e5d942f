#if canImport(SwiftUI)
import MposBindings
import SwiftUI

/// The main instruction, large.
struct Prompt: View {
    let text: String?

    var body: some View {
        if let text {
            Text(text)
                .font(.title3.weight(.medium))
                .frame(maxWidth: .infinity, alignment: .leading)
        }
    }
}

/// A label and its value on one row.
struct LabelledValue: View {
    let field: FieldView
    var emphasis = true

    var body: some View {
        HStack(alignment: .firstTextBaseline) {
            Text(field.label)
                .font(.subheadline)
                .foregroundColor(Theme.secondaryText)
            Spacer(minLength: 12)
            Text(field.value)
                .font(emphasis ? Font.body.weight(.medium) : Font.subheadline)
                .multilineTextAlignment(.trailing)
        }
        .padding(.vertical, 3)
    }
}

/// The labelled values, on a card.
struct Fields: View {
    let fields: [FieldView]

    var body: some View {
        if !fields.isEmpty {
            VStack(spacing: 0) {
                ForEach(Array(fields.enumerated()), id: \.offset) { _, field in
                    LabelledValue(field: field)
                }
            }
            .padding(14)
            .background(Theme.surface)
            .cornerRadius(12)
        }
    }
}
#endif
