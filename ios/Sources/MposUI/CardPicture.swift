#if canImport(SwiftUI)
import SwiftUI

/// A card with its chip, inserted top first: a picture, no words.
struct CardPicture: View {
    var body: some View {
        ZStack(alignment: .topLeading) {
            RoundedRectangle(cornerRadius: 12).fill(Theme.primary)
            RoundedRectangle(cornerRadius: 4)
                .fill(Color(hex: 0xE0B64B))
                .frame(width: 30, height: 31)
                .offset(x: 23, y: 38)
            Rectangle()
                .fill(Color.white.opacity(0.4))
                .frame(height: 12)
                .offset(y: 89)
        }
        .frame(width: 190, height: 120)
        .frame(maxWidth: .infinity)
        .accessibilityHidden(true)
    }
}
#endif
