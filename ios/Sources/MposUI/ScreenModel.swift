#if canImport(SwiftUI)
import Combine
import MposBindings
import MposKit

/// The view on screen, for SwiftUI: the session's stream of views, each
/// published on the main thread as it comes.
public final class ScreenModel: ObservableObject {
    /// The screen to draw now.
    @Published public private(set) var view: ScreenView
    private var watching: Task<Void, Never>?

    /// Follows `session`'s views from now on.
    public init(session: MposSession) {
        view = session.view
        let views = session.views()
        watching = Task { @MainActor [weak self] in
            for await view in views {
                self?.view = view
            }
        }
    }

    deinit {
        watching?.cancel()
    }
}
#endif
