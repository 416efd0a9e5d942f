import Foundation
import MposBindings

extension QrView {
    /// Light modules around the code, as the QR standard asks.
    public static let quietZone = 4

    /// Whether module (`x`, `y`) is dark: bit `7 - i % 8` of byte `i / 8`, with `i = y * size + x`.
    public func isDark(x: Int, y: Int) -> Bool {
        let i = y * Int(size) + x
        return modules[i / 8] >> (7 - UInt8(i % 8)) & 1 == 1
    }
}
