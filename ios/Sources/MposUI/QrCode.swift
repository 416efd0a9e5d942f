#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The e-receipt's QR code from the core's packed modules, with its quiet zone and caption.
struct QrCode: View {
    let qr: QrView?
    var side: CGFloat = 220

    var body: some View {
        if let qr {
            VStack(spacing: 4) {
                Canvas { context, size in
                    let modules = Int(qr.size)
                    let cell = min(size.width, size.height) / CGFloat(modules + 2 * QrView.quietZone)
                    for y in 0..<modules {
                        for x in 0..<modules where qr.isDark(x: x, y: y) {
                            let origin = CGPoint(x: CGFloat(x + QrView.quietZone) * cell, y: CGFloat(y + QrView.quietZone) * cell)
                            context.fill(Path(CGRect(origin: origin, size: CGSize(width: cell, height: cell))), with: .color(.black))
                        }
                    }
                }
                .frame(width: side, height: side)
                .background(Color.white)
                .accessibilityIdentifier(AccessibilityTags.qrCode)
                Text(qr.caption).font(.footnote)
            }
            .frame(maxWidth: .infinity)
        }
    }
}
#endif
