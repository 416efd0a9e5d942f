#if os(iOS)
import MposBindings
import MposKit
import MposUI
import SwiftUI

/// The app's window: the core's screens over the phone, or, when the core
/// could not start, its reason in its own words. The audio follows the
/// app's place: in front, the microphone is checked and the audio runs; in
/// the background, it stops.
public struct PhoneRootView: View {
    @Environment(\.scenePhase) private var phase

    /// The window's content.
    public init() {}

    /// The screens, or the reason the core could not start.
    public var body: some View {
        switch Phone.shared {
        case let .success(phone):
            MposRootView(session: phone.session, onView: phone.show)
                .onChange(of: phase) { phase in
                    switch phase {
                    case .active: phone.becameActive()
                    case .background: phone.enteredBackground()
                    default: break
                    }
                }
                .onAppear { phone.becameActive() }
        case let .failure(error):
            StartupFailure(message: (error as? MposError)?.message ?? error.localizedDescription)
        }
    }
}
#endif
