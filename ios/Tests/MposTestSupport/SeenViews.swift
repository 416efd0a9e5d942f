import Foundation
import MposBindings
import MposKit

/// Every view the core sent a phone, as its listener heard them, in order
/// (from the core's thread; read from the test's, under a lock).
public final class SeenViews: ViewListener, @unchecked Sendable {
    private let lock = NSLock()
    private var views: [ScreenView] = []

    /// A recorder; subscribe it with `MposApp.subscribe`.
    public init() {}

    /// Records a view (the core's thread).
    public func onView(view: ScreenView) {
        lock.lock()
        views.append(view)
        lock.unlock()
    }

    /// The views so far.
    public var all: [ScreenView] {
        lock.lock()
        defer { lock.unlock() }
        return views
    }

    /// The screens so far, in order.
    public var screens: [ScreenId] { all.map(\.screen) }

    /// What the views filled that their screen's layout does not draw, one line per part left out.
    public var undrawnParts: [String] {
        all.flatMap { view in
            ScreenLayout.filledParts(of: view)
                .subtracting(ScreenLayout.parts(of: view.screen))
                .map { "\(view.screen) fills \($0), which its layout does not draw" }
        }
    }
}
