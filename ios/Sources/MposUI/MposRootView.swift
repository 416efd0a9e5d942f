#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The app's one view: the core's current screen, drawn as it changes, its
/// input sent to the session. `onView` hears each view too (the display's
/// idle timer follows it).
public struct MposRootView: View {
    @StateObject private var model: ScreenModel
    private let session: MposSession
    private let onView: (ScreenView) -> Void

    /// The screens of `session`.
    public init(session: MposSession, onView: @escaping (ScreenView) -> Void = { _ in }) {
        _model = StateObject(wrappedValue: ScreenModel(session: session))
        self.session = session
        self.onView = onView
    }

    /// The current screen.
    public var body: some View {
        MposScreen(view: model.view, actions: session)
            .onReceive(model.$view) { onView($0) }
    }
}
#endif
