import MposBindings

/// Keeps the display on while the core says a card is being read
/// (`keepScreenOn`), and lets it sleep again after: `apply` is told each
/// change (iOS: `UIApplication.shared.isIdleTimerDisabled`).
public final class ScreenAwake {
    private let apply: (Bool) -> Void
    private var keptOn: Bool?

    /// Tells `apply` whether to keep the display on, whenever that changes.
    public init(apply: @escaping (Bool) -> Void) {
        self.apply = apply
    }

    /// The view now on screen.
    public func show(_ view: ScreenView) {
        guard view.keepScreenOn != keptOn else { return }
        keptOn = view.keepScreenOn
        apply(view.keepScreenOn)
    }
}
