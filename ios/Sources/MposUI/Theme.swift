#if canImport(SwiftUI)
import SwiftUI

/// The bank's colours, as the Android shell's theme has them: a deep blue,
/// white, and a clear red for warnings.
enum Theme {
    /// The title bar and main buttons.
    static let primary = Color(hex: 0x0B4F8A)
    /// Text on the primary colour.
    static let onPrimary = Color.white
    /// Behind every screen.
    static let background = Color(hex: 0xF4F6F9)
    /// Cards and the signature pad.
    static let surface = Color.white
    /// Labels and second lines.
    static let secondaryText = Color(hex: 0x5F6368)
    /// Buttons that undo money (void).
    static let danger = Color(hex: 0xB3261E)
    /// The signature's ink.
    static let ink = Color(hex: 0x0B2545)
}

extension Color {
    /// A colour from its 0xRRGGBB value.
    init(hex: UInt32) {
        self.init(
            red: Double((hex >> 16) & 0xFF) / 255,
            green: Double((hex >> 8) & 0xFF) / 255,
            blue: Double(hex & 0xFF) / 255
        )
    }
}
#endif
