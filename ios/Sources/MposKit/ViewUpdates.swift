import MposBindings

/// The core's view listener as an `AsyncStream` (the Element X way of
/// adapting a UniFFI listener): the current view first, then every change,
/// until the stream's consumer stops, which cancels the subscription.
public enum ViewUpdates {
    /// A new subscription to `app`'s views.
    public static func stream(of app: MposApp) -> AsyncStream<ScreenView> {
        let (stream, continuation) = AsyncStream.makeStream(of: ScreenView.self, bufferingPolicy: .unbounded)
        let handle = app.subscribe(listener: Forwarder(continuation))
        continuation.onTermination = { _ in handle.cancel() }
        return stream
    }

    /// Hands each view from the core's thread to the stream.
    private final class Forwarder: ViewListener {
        private let continuation: AsyncStream<ScreenView>.Continuation

        init(_ continuation: AsyncStream<ScreenView>.Continuation) {
            self.continuation = continuation
        }

        func onView(view: ScreenView) {
            continuation.yield(view)
        }
    }
}
