#if canImport(SwiftUI)
import MposBindings
import MposKit
import SwiftUI

/// The signature pad: draws the strokes the core holds, and the one being
/// drawn; a finished stroke goes to the core in its 0...1000 square.
struct SignaturePad: View {
    let pad: SignaturePadView?
    let actions: ScreenActions
    @State private var drawing: [CGPoint] = []

    var body: some View {
        if let pad {
            GeometryReader { geometry in
                ZStack {
                    Theme.surface
                    if pad.strokes.isEmpty && drawing.isEmpty {
                        Text(pad.hint).foregroundColor(Theme.secondaryText)
                    }
                    ink(pad, in: geometry.size).stroke(Theme.ink, lineWidth: 3)
                }
                .contentShape(Rectangle())
                .gesture(
                    DragGesture(minimumDistance: 0)
                        .onChanged { drawing.append($0.location) }
                        .onEnded { _ in finish(in: geometry.size) }
                )
            }
            .frame(height: 220)
            .overlay(Rectangle().stroke(Theme.secondaryText, lineWidth: 1))
            .accessibilityIdentifier(AccessibilityTags.signaturePad)
        }
    }

    /// The core's strokes, scaled to the pad, and the stroke under the finger.
    private func ink(_ pad: SignaturePadView, in size: CGSize) -> Path {
        Path { path in
            for stroke in pad.strokes {
                let points = stroke.points.map { point -> CGPoint in
                    let at = SignatureGeometry.position(of: point, width: Double(size.width), height: Double(size.height))
                    return CGPoint(x: at.x, y: at.y)
                }
                path.addLines(points)
            }
            path.addLines(drawing)
        }
    }

    /// Pen up: the stroke goes to the core, which sends it back drawn.
    private func finish(in size: CGSize) {
        let stroke = SignatureGeometry.stroke(
            drawing.map { (x: Double($0.x), y: Double($0.y)) },
            width: Double(size.width),
            height: Double(size.height)
        )
        drawing = []
        if SignatureGeometry.isStroke(stroke) {
            actions.addStroke(stroke)
        }
    }
}
#endif
