import MposBindings

/// The app as a shell holds it: the core's views as `AsyncStream`s, and the
/// user's input sent on, in order, one at a time. It decides nothing.
public final class MposSession: ScreenActions {
    /// The core's app.
    public let app: MposApp

    /// The user's input, kept in the order it was given.
    private let inbox: AsyncStream<() async -> Void>.Continuation

    /// A session over `app`; it closes nothing of `app` until `close`.
    public init(app: MposApp) {
        self.app = app
        let (work, inbox) = AsyncStream.makeStream(of: (() async -> Void).self, bufferingPolicy: .unbounded)
        self.inbox = inbox
        // One worker runs the inputs one after the other, as the cashier gave them.
        Task {
            for await job in work { await job() }
        }
    }

    /// The screen to draw now.
    public var view: ScreenView { app.view() }

    /// The current view, then every change, until the consumer stops.
    public func views() -> AsyncStream<ScreenView> {
        ViewUpdates.stream(of: app)
    }

    /// Sends a press of `intent` after the input before it.
    public func press(_ intent: Intent) {
        send { [app] in _ = await app.press(intent: intent) }
    }

    /// Sends `field`'s new text after the input before it.
    public func edit(_ field: FieldId, text: String) {
        send { [app] in _ = await app.edit(field: field, text: text) }
    }

    /// Sends a signature stroke after the input before it.
    public func addStroke(_ points: [SignaturePoint]) {
        send { [app] in _ = await app.addStroke(points: points) }
    }

    /// The system's back gesture; `unhandled` runs when the screen has no back.
    public func back(unhandled: @escaping () -> Void) {
        send { [app] in
            if await !app.back() { unhandled() }
        }
    }

    /// Switches every string to `locale`.
    public func setLocale(_ locale: MposBindings.Locale) {
        send { [app] in _ = await app.setLocale(locale: locale) }
    }

    /// The platform allowed or denied the microphone.
    public func setMicrophoneAllowed(_ allowed: Bool) {
        send { [app] in _ = await app.setMicrophoneAllowed(allowed: allowed) }
    }

    /// The phone's battery as the platform reads it, for the pre-shift check; nil when unknown.
    public func setPhonePower(_ power: PhonePower?) {
        send { [app] in _ = await app.setPhonePower(power: power) }
    }

    /// Cancels the request running now, if it moves no money (jumps the queue).
    public func cancel() {
        app.cancel()
    }

    /// Waits until every input sent so far has been handled (for tests and previews).
    public func settle() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            send { done.resume() }
        }
    }

    /// Stops taking input; the views' streams end with their consumers.
    public func close() {
        inbox.finish()
    }

    private func send(_ job: @escaping () async -> Void) {
        inbox.yield(job)
    }
}
