import MposBindings

extension MposError {
    /// The core's own words for the error (Traditional Chinese, then English), to show as they are.
    public var message: String {
        switch self {
        case let .InvalidConfig(message), let .Storage(message), let .Startup(message),
             let .AudioRate(message), let .AudioBlockTooLarge(message):
            return message
        }
    }
}
