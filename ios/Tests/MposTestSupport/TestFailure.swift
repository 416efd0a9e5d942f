/// A check of the test world that did not hold, thrown so the test fails with what was seen.
public struct TestFailure: Error, CustomStringConvertible {
    /// What was expected and what was seen.
    public let description: String

    /// A failure saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}

/// Throws `TestFailure(message())` unless `condition` holds.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw TestFailure(message()) }
}
