//! [`JackPeer`]: everything on the far side of a phone's headset jack, the
//! phone's analog paths ([`mpos_link::channel`]: clock drift between the
//! two sample clocks, gain, high-pass, noise) and the [`ReaderDevice`].
//! The phone's headphone blocks go in, its microphone blocks come out, of
//! the same size. [`crate::AudioLoop`] runs it against the core's driver in
//! Rust; the shells' tests run it through the FFI, as the audio device.

use crate::device::ReaderDevice;
use mpos_link::channel::{Channel, ChannelConfig};
use mpos_link::phy::UplinkLevel;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

/// The simulated audio between phone and reader, and how fast it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioLoopConfig {
    /// Nominal sample rate of both ends, in hertz.
    pub sample_rate: u32,
    /// Phone samples per block (the audio callback's size).
    pub block: usize,
    /// Multiple of real time the loop runs at (1.0: real time).
    pub speed: f64,
    /// The reader's sample clock over the phone's.
    pub clock_ratio: f64,
    /// Phone's right channel (downlink data) to the reader's data input.
    pub downlink: ChannelConfig,
    /// Phone's left channel (power tone) to the reader's tone input.
    pub power: ChannelConfig,
    /// Reader's output to the phone's microphone.
    pub uplink: ChannelConfig,
}

impl AudioLoopConfig {
    /// A typical phone at 48 kHz: the reader's clock 500 ppm fast, a
    /// microphone path high-passed at 300 Hz that inverts, with noise 30 dB
    /// below the reader's power-up level, and a reader input 1 FS = 1 V
    /// with a 30 mV comparator dead band.
    pub fn typical_phone() -> AudioLoopConfig {
        AudioLoopConfig {
            sample_rate: 48_000,
            block: 480,
            speed: 1.0,
            clock_ratio: 1.0005,
            downlink: ChannelConfig {
                highpass_hz: Some(20.0),
                noise_rms: 0.005,
                deadband: 0.03,
                seed: 11,
                ..ChannelConfig::default()
            },
            power: ChannelConfig {
                gain: 0.8,
                seed: 12,
                ..ChannelConfig::default()
            },
            uplink: ChannelConfig {
                highpass_hz: Some(300.0),
                invert: true,
                seed: 13,
                ..ChannelConfig::default()
            }
            .with_snr(UplinkLevel(1).sim_amplitude(), 30.0),
        }
    }
}

/// The analog paths and the reader, fed one phone block at a time.
pub struct JackPeer {
    device: Arc<Mutex<ReaderDevice>>,
    downlink: Channel,
    power: Channel,
    uplink: Channel,
    mic_queue: VecDeque<f32>,
    left: Vec<f32>,
    right: Vec<f32>,
    tone_rx: Vec<f32>,
    data_rx: Vec<f32>,
    jack: Vec<f32>,
    line: Vec<f32>,
    line_rx: Vec<f32>,
}

impl JackPeer {
    /// `device` behind the analog paths of `config`; buffers for blocks of
    /// `config.block` frames are allocated now (larger blocks grow them once).
    pub fn new(device: ReaderDevice, config: AudioLoopConfig) -> JackPeer {
        let rate = config.sample_rate;
        let block = config.block.max(1);
        // Both downlink paths resample by the same ratio, so they stay in step.
        let to_reader = |path: ChannelConfig| {
            Channel::new(
                rate,
                ChannelConfig {
                    clock_ratio: config.clock_ratio,
                    ..path
                },
            )
        };
        let uplink = Channel::new(
            rate,
            ChannelConfig {
                clock_ratio: 1.0 / config.clock_ratio,
                ..config.uplink
            },
        );
        let room = 2 * block + 16;
        JackPeer {
            device: Arc::new(Mutex::new(device)),
            downlink: to_reader(config.downlink),
            power: to_reader(config.power),
            uplink,
            mic_queue: VecDeque::with_capacity(2 * room),
            left: vec![0.0; block],
            right: vec![0.0; block],
            tone_rx: Vec::with_capacity(room),
            data_rx: Vec::with_capacity(room),
            jack: Vec::with_capacity(2 * room),
            line: Vec::with_capacity(room),
            line_rx: Vec::with_capacity(room),
        }
    }

    /// The reader, for the hands (insert, swipe...) on another thread.
    pub fn device_handle(&self) -> Arc<Mutex<ReaderDevice>> {
        self.device.clone()
    }

    /// The reader.
    pub fn device(&self) -> MutexGuard<'_, ReaderDevice> {
        self.device.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// One phone block: `headphones` interleaved stereo as the phone played
    /// it (left: power tone, right: data); `mic` receives as many frames of
    /// what the phone's microphone hears.
    pub fn process(&mut self, headphones: &[f32], mic: &mut [f32]) {
        let frames = headphones.len() / 2;
        if self.left.len() < frames {
            self.left.resize(frames, 0.0);
            self.right.resize(frames, 0.0);
        }
        for (i, frame) in headphones.chunks_exact(2).enumerate() {
            self.left[i] = frame[0];
            self.right[i] = frame[1];
        }
        self.tone_rx.clear();
        self.power.process(&self.left[..frames], &mut self.tone_rx);
        self.data_rx.clear();
        self.downlink
            .process(&self.right[..frames], &mut self.data_rx);
        let reader_frames = self.tone_rx.len().min(self.data_rx.len());
        self.jack.clear();
        for i in 0..reader_frames {
            self.jack.push(self.tone_rx[i]);
            self.jack.push(self.data_rx[i]);
        }
        self.line.clear();
        self.line.resize(reader_frames, 0.0);
        self.device
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .process(&self.jack, &mut self.line);
        self.line_rx.clear();
        self.uplink.process(&self.line, &mut self.line_rx);
        self.mic_queue.extend(self.line_rx.iter().copied());
        for sample in mic.iter_mut() {
            *sample = self.mic_queue.pop_front().unwrap_or(0.0);
        }
    }
}
