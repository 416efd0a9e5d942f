import MposBindings

extension ScreenView {
    /// Every string a user can read on the screen, for tests of wording.
    public var texts: [String] {
        var texts = [title] + [subtitle, message?.text, prompt, emptyRows, busy?.text].compactMap { $0 }
        texts += (status + fields).flatMap { [$0.label, $0.value] }
        texts += inputs.map(\.label) + buttons.map(\.label) + rows.flatMap { [$0.title, $0.detail, $0.trailing] }
        texts += checks.flatMap { [$0.label, $0.value, $0.stateText] + [$0.advice].compactMap { $0 } }
        if let choice { texts += [choice.label] + choice.options.map(\.label) }
        if let qr { texts.append(qr.caption) }
        if let signature { texts.append(signature.hint) }
        return texts
    }
}
