import MposBindings

/// The battery as the platform reports it, read for the pre-shift check
/// (iOS: `UIDevice.batteryLevel` and `.batteryState`).
public enum PhoneBattery {
    /// What the platform says about charging.
    public enum Charge {
        /// The platform cannot tell (a simulator, monitoring off).
        case unknown
        /// Running on the battery.
        case unplugged
        /// On the charger, filling.
        case charging
        /// On the charger, full.
        case full
    }

    /// The core's reading of a battery at `level` (0...1, negative when unknown), or nil when unknown.
    public static func power(level: Float, charge: Charge) -> PhonePower? {
        guard level >= 0, charge != .unknown else { return nil }
        let percent = UInt8(min(max((level * 100).rounded(), 0), 100))
        return PhonePower(percent: percent, charging: charge == .charging || charge == .full)
    }
}
