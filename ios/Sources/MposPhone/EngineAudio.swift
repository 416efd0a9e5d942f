#if os(iOS)
import AVFoundation
import MposBindings
import MposKit

/// The headset jack on iOS, while the app is in front and the microphone
/// allowed: AVAudioEngine's input through a sink node and its output from a
/// source node, both at the session's rate, on the realtime thread. The
/// sink only appends the microphone's samples to `EngineAudioPort`'s FIFO
/// and the source only plays frames already made; the pump's own thread
/// runs the core between them (one C call per block on the core's own
/// buffers). Neither realtime block allocates, locks or enters the core.
/// Route changes (a plug in or out) reach the core through `setHeadset`.
final class EngineAudio: PlatformAudio {
    private let engine = AVAudioEngine()
    private let jack: AudioJack
    private let port: EngineAudioPort
    private let pump: AudioPump
    private var observers: [NSObjectProtocol] = []

    /// Opens the engine for `jack` (its rate is the session's) and starts it.
    init(jack: AudioJack) throws {
        self.jack = jack
        port = EngineAudioPort(blockCapacity: Int(jack.blockCapacity()))
        pump = AudioPump(jack: jack, port: port)
        try wire()
        try engine.start()
        pump.start()
        reportHeadset()
        let center = NotificationCenter.default
        observers = [
            center.addObserver(forName: AVAudioSession.routeChangeNotification, object: nil, queue: .main) { [weak self] _ in
                self?.reportHeadset()
            },
            // A new route can stop the engine and change its formats: wire it again.
            center.addObserver(forName: .AVAudioEngineConfigurationChange, object: engine, queue: .main) { [weak self] _ in
                self?.restart()
            },
            center.addObserver(forName: AVAudioSession.interruptionNotification, object: nil, queue: .main) { [weak self] note in
                let ended = (note.userInfo?[AVAudioSessionInterruptionTypeKey] as? UInt) == AVAudioSession.InterruptionType.ended.rawValue
                if ended { self?.restart() }
            },
        ]
    }

    /// Stops the engine; the jack's buffers are no longer touched.
    func stop() {
        for observer in observers {
            NotificationCenter.default.removeObserver(observer)
        }
        observers = []
        engine.stop()
        pump.stop()
    }

    /// Input node to a sink, a source to the mixer, at the jack's rate.
    private func wire() throws {
        let rate = Double(jack.sampleRate())
        let input = engine.inputNode
        guard input.outputFormat(forBus: 0).sampleRate == rate else { throw RouteRateChanged() }
        let port = self.port
        let sink = AVAudioSinkNode { _, frames, buffers in
            // The microphone: the first channel of the input, into the FIFO.
            let list = UnsafeMutableAudioBufferListPointer(UnsafeMutablePointer(mutating: buffers))
            if let samples = list.first?.mData?.assumingMemoryBound(to: Float.self) {
                port.capture(samples, frames: Int(frames))
            }
            return noErr
        }
        guard let stereo = AVAudioFormat(standardFormatWithSampleRate: rate, channels: 2) else { throw RouteRateChanged() }
        let source = AVAudioSourceNode(format: stereo) { _, _, frames, buffers in
            // The headphones: left the reader's power tone, right its data.
            let list = UnsafeMutableAudioBufferListPointer(buffers)
            guard let left = list.first?.mData?.assumingMemoryBound(to: Float.self) else { return noErr }
            let right = list.count > 1 ? list[1].mData?.assumingMemoryBound(to: Float.self) : nil
            port.render(left: left, right: right, frames: Int(frames))
            return noErr
        }
        engine.attach(sink)
        engine.attach(source)
        engine.connect(input, to: sink, format: nil)
        engine.connect(source, to: engine.mainMixerNode, format: stereo)
        engine.mainMixerNode.outputVolume = 1
    }

    /// After an interruption or a configuration change: the graph anew, and on.
    private func restart() {
        engine.stop()
        for node in engine.attachedNodes where node is AVAudioSinkNode || node is AVAudioSourceNode {
            engine.detach(node)
        }
        do {
            try wire()
            try engine.start()
        } catch {
            // The next route change or return to the front tries again; the core shows the reader as gone.
            jack.setHeadset(plugged: false)
        }
    }

    /// The microphone now runs at another rate than the jack was made for (the core cannot follow).
    private struct RouteRateChanged: Error {}

    /// Tells the core whether the reader's plug is in the jack.
    private func reportHeadset() {
        jack.setHeadset(plugged: HeadsetRoute.isPlugged(inputPortTypes: AudioSessionSetup.inputPortTypes()))
    }
}
#endif
