import MposBindings

/// What a drawn screen can send back to the core; nothing else leaves a screen.
public protocol ScreenActions: AnyObject {
    /// A button or an option was pressed.
    func press(_ intent: Intent)

    /// An input's text changed.
    func edit(_ field: FieldId, text: String)

    /// One signature stroke, pen down to pen up, in a 0...1000 square.
    func addStroke(_ points: [SignaturePoint])
}
