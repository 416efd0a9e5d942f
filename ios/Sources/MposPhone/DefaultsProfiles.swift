#if os(iOS)
import Foundation
import MposKit

/// The reader link's profile of this phone, kept in UserDefaults between runs.
final class DefaultsProfiles: LinkProfileStore {
    private let key = "link_profile"

    /// The JSON the jack gave last time, if any.
    var linkProfile: String? {
        get { UserDefaults.standard.string(forKey: key) }
        set { UserDefaults.standard.set(newValue, forKey: key) }
    }
}
#endif
