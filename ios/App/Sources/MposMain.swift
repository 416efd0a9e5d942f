#if os(iOS)
import MposPhone
import SwiftUI

/// The iOS app: one window drawing the core's screens; everything else is in the Swift package.
@main
struct MposMain: App {
    var body: some Scene {
        WindowGroup {
            PhoneRootView()
        }
    }
}
#endif
