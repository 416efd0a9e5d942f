#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// Every screen's frame: title bar, message, then, scrolling, the status
/// lines, the body and a running request.
struct ScreenScaffold<Content: View>: View {
    let view: ScreenView
    let actions: ScreenActions
    @ViewBuilder let content: () -> Content

    var body: some View {
        VStack(spacing: 0) {
            TitleBar(view: view, actions: actions)
            MessageBanner(message: view.message)
            ScrollView {
                VStack(alignment: .leading, spacing: 12) {
                    StatusLines(lines: view.status)
                    content()
                    Busy(busy: view.busy, actions: actions)
                }
                .padding(20)
                .frame(maxWidth: .infinity, alignment: .leading)
            }
        }
        .background(Theme.background.ignoresSafeArea())
        .accessibilityIdentifier(AccessibilityTags.screen)
    }
}

/// The app could not start: the core's own message (in both languages), nothing else.
public struct StartupFailure: View {
    private let message: String

    /// Shows `message` as the core wrote it.
    public init(message: String) {
        self.message = message
    }

    /// The message, alone.
    public var body: some View {
        Text(message)
            .padding(24)
            .frame(maxWidth: .infinity, maxHeight: .infinity, alignment: .topLeading)
            .background(Theme.background.ignoresSafeArea())
            .accessibilityIdentifier(AccessibilityTags.message)
    }
}
#endif
