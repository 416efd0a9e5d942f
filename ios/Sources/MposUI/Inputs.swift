#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The inputs, one under the other. Each is made anew when the screen or
/// the input's revision changes, so text the core emptied (a password
/// sent) disappears from the field too.
struct Inputs: View {
    let view: ScreenView
    let actions: ScreenActions

    var body: some View {
        ForEach(view.inputs, id: \.field) { input in
            TextInput(input: input, actions: actions)
                .id("\(view.screen)/\(input.field)/\(input.revision)")
        }
    }
}

/// A text input: it shows what the user types and sends every change to the core.
struct TextInput: View {
    let input: InputView
    let actions: ScreenActions
    @State private var text: String

    init(input: InputView, actions: ScreenActions) {
        self.input = input
        self.actions = actions
        _text = State(initialValue: input.value)
    }

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(input.label)
                .font(.footnote)
                .foregroundColor(Theme.secondaryText)
            field
                .textFieldStyle(.roundedBorder)
                .keyboard(for: input.kind)
                .accessibilityIdentifier(AccessibilityTags.input(input.field))
                .onChange(of: text) { typed in
                    let limit = Int(input.maxLength)
                    if limit > 0 && typed.count > limit {
                        text = String(typed.prefix(limit))
                    } else {
                        actions.edit(input.field, text: typed)
                    }
                }
        }
    }

    @ViewBuilder private var field: some View {
        switch input.kind {
        case .password, .digitPassword:
            SecureField("", text: $text)
        case .text, .digits, .code, .contact:
            TextField("", text: $text)
        }
    }
}

extension View {
    /// The keyboard and text handling for an input of `kind` (iOS only; elsewhere nothing).
    @ViewBuilder
    func keyboard(for kind: InputKind) -> some View {
        #if os(iOS)
        switch kind {
        case .text:
            self.keyboardType(.default)
        case .password:
            self.keyboardType(.asciiCapable).textContentType(.password).autocorrectionDisabled()
        case .digitPassword:
            self.keyboardType(.numberPad).textContentType(.password)
        case .digits:
            self.keyboardType(.numberPad)
        case .code:
            self.keyboardType(.asciiCapable).textInputAutocapitalization(.characters).autocorrectionDisabled()
        case .contact:
            self.keyboardType(.emailAddress).textInputAutocapitalization(.never).autocorrectionDisabled()
        }
        #else
        self
        #endif
    }
}
#endif
