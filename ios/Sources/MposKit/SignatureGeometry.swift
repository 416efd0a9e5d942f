import MposBindings

/// The signature pad's square: the core keeps strokes in 0...1000 on both
/// axes, whatever the pad's size on screen.
public enum SignatureGeometry {
    /// The side of the core's square.
    public static let side = 1000.0

    /// A stroke drawn at `points` (pad coordinates) on a pad `width` by `height`, in the core's square.
    public static func stroke(_ points: [(x: Double, y: Double)], width: Double, height: Double) -> [SignaturePoint] {
        points.map { point in
            SignaturePoint(x: scaled(point.x, width), y: scaled(point.y, height))
        }
    }

    /// Where the core's `point` lies on a pad `width` by `height`.
    public static func position(of point: SignaturePoint, width: Double, height: Double) -> (x: Double, y: Double) {
        (Double(point.x) / side * width, Double(point.y) / side * height)
    }

    /// Whether a stroke has enough points to be one (a tap is not).
    public static func isStroke(_ points: [SignaturePoint]) -> Bool {
        points.count >= 2
    }

    private static func scaled(_ value: Double, _ extent: Double) -> UInt16 {
        let unit = (value / max(extent, 1) * side).rounded()
        return UInt16(min(max(unit, 0), side))
    }
}
