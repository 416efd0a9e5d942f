//! [`AudioLoop`]: the phone's audio-jack driver and the virtual reader
//! device joined by nothing but sample buffers, through a simulated phone
//! audio path ([`mpos_link::channel`]: clock drift between the two sample
//! clocks, gain, high-pass, noise).
//!
//! A background thread plays the phone's audio callback: every block
//! (10 ms by default) it hands the microphone samples to
//! [`AudioJackReader::process`], sends the stereo output through the
//! downlink paths (tone and data, resampled to the reader's clock) to
//! [`ReaderDevice::process`], and queues the reader's microphone signal,
//! through the uplink path, for the phone's next block. It keeps pace with
//! real time (or a chosen multiple of it) and stops when dropped.

use crate::device::ReaderDevice;
use crate::hands::CardHands;
use mpos_cards::CardId;
use mpos_core::reader::audio_jack::AudioJackReader;
use mpos_link::channel::{Channel, ChannelConfig};
use mpos_link::phy::UplinkLevel;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the hands wait for the link to fall quiet before they act.
pub const QUIET_TIMEOUT: Duration = Duration::from_secs(3);

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

/// Why the loop could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioLoopError {
    /// The phone, the reader and the loop disagree on the sample rate.
    #[error("音訊取樣率不一致（手機 {phone} Hz、讀卡機 {device} Hz、模擬 {config} Hz），請使用相同設定。 The sample rates differ (phone {phone} Hz, reader {device} Hz, loop {config} Hz): use one rate.")]
    SampleRate {
        /// The phone driver's rate.
        phone: u32,
        /// The reader device's rate.
        device: u32,
        /// The loop's rate.
        config: u32,
    },
    /// The audio thread could not start.
    #[error("無法啟動音訊模擬執行緒，請關閉其他程式後再試。 The audio thread could not start: close other programs and try again. ({0})")]
    Thread(String),
}

/// The phone's driver and the reader device, joined by simulated audio.
pub struct AudioLoop {
    phone: Arc<AudioJackReader>,
    device: Arc<Mutex<ReaderDevice>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AudioLoop {
    /// Starts moving audio between `phone` and `device`.
    pub fn start(
        phone: Arc<AudioJackReader>,
        device: ReaderDevice,
        config: AudioLoopConfig,
    ) -> Result<AudioLoop, AudioLoopError> {
        if phone.sample_rate() != config.sample_rate || device.sample_rate() != config.sample_rate {
            return Err(AudioLoopError::SampleRate {
                phone: phone.sample_rate(),
                device: device.sample_rate(),
                config: config.sample_rate,
            });
        }
        let device = Arc::new(Mutex::new(device));
        let stop = Arc::new(AtomicBool::new(false));
        let mut pump = Pump::new(phone.clone(), device.clone(), config);
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("audio-loop".into())
            .spawn(move || pump.run(&stopped))
            .map_err(|e| AudioLoopError::Thread(e.to_string()))?;
        Ok(AudioLoop {
            phone,
            device,
            stop,
            thread: Some(thread),
        })
    }

    /// The phone's driver.
    pub fn phone(&self) -> &Arc<AudioJackReader> {
        &self.phone
    }

    /// The reader device, locked (the audio thread waits meanwhile).
    pub fn device(&self) -> MutexGuard<'_, ReaderDevice> {
        self.device.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until nothing is in flight either way; `false` after `timeout`.
    pub fn wait_quiet(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.phone.is_link_idle() && self.device().is_idle() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The hands act once the reader has heard everything the phone said,
    /// as a cashier waits for the reader's light.
    fn act(&self, action: impl FnOnce(&mut ReaderDevice)) {
        self.wait_quiet(QUIET_TIMEOUT);
        action(&mut self.device());
    }

    /// Plugs the reader into the jack.
    pub fn plug_in(&self) {
        self.device().plug_in();
    }

    /// Pulls the reader out of the jack.
    pub fn unplug(&self) {
        self.device().unplug();
    }

    /// Inserts a card into the chip slot.
    pub fn insert(&self, card: CardId) {
        self.act(|device| device.insert(card));
    }

    /// Inserts a chip card whose chip does not answer.
    pub fn insert_with_unreadable_chip(&self, card: CardId) {
        self.act(|device| device.insert_with_unreadable_chip(card));
    }

    /// Swipes a card's magnetic stripe.
    pub fn swipe(&self, card: CardId) {
        self.act(|device| device.swipe(card));
    }

    /// Swipes a card so badly that the reader cannot decode its stripe.
    pub fn swipe_badly(&self, card: CardId) {
        self.act(|device| device.swipe_badly(card));
    }

    /// Takes the card out of the slot.
    pub fn remove_card(&self) {
        self.act(ReaderDevice::remove_card);
    }
}

impl CardHands for AudioLoop {
    fn plug_in(&self) {
        AudioLoop::plug_in(self);
    }

    fn unplug(&self) {
        AudioLoop::unplug(self);
    }

    fn insert(&self, card: CardId) {
        AudioLoop::insert(self, card);
    }

    fn insert_with_unreadable_chip(&self, card: CardId) {
        AudioLoop::insert_with_unreadable_chip(self, card);
    }

    fn swipe(&self, card: CardId) {
        AudioLoop::swipe(self, card);
    }

    fn swipe_badly(&self, card: CardId) {
        AudioLoop::swipe_badly(self, card);
    }

    fn remove_card(&self) {
        AudioLoop::remove_card(self);
    }
}

impl Drop for AudioLoop {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The audio thread's state: the paths and the buffers, allocated once.
struct Pump {
    phone: Arc<AudioJackReader>,
    device: Arc<Mutex<ReaderDevice>>,
    config: AudioLoopConfig,
    downlink: Channel,
    power: Channel,
    uplink: Channel,
    mic_queue: VecDeque<f32>,
    mic: Vec<f32>,
    headphones: Vec<f32>,
    left: Vec<f32>,
    right: Vec<f32>,
    tone_rx: Vec<f32>,
    data_rx: Vec<f32>,
    jack: Vec<f32>,
    line: Vec<f32>,
    line_rx: Vec<f32>,
}

impl Pump {
    fn new(
        phone: Arc<AudioJackReader>,
        device: Arc<Mutex<ReaderDevice>>,
        config: AudioLoopConfig,
    ) -> Pump {
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
        Pump {
            phone,
            device,
            downlink: to_reader(config.downlink),
            power: to_reader(config.power),
            uplink,
            config: AudioLoopConfig { block, ..config },
            mic_queue: VecDeque::with_capacity(room),
            mic: vec![0.0; block],
            headphones: vec![0.0; 2 * block],
            left: vec![0.0; block],
            right: vec![0.0; block],
            tone_rx: Vec::with_capacity(room),
            data_rx: Vec::with_capacity(room),
            jack: Vec::with_capacity(2 * room),
            line: Vec::with_capacity(room),
            line_rx: Vec::with_capacity(room),
        }
    }

    fn run(&mut self, stop: &AtomicBool) {
        let block_time =
            Duration::from_secs_f64(self.config.block as f64 / f64::from(self.config.sample_rate));
        let pace = block_time.div_f64(self.config.speed.max(0.01));
        let mut next = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            self.step();
            next += pace;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            } else if now - next > Duration::from_millis(200) {
                // Far behind (a debugger, an overloaded machine): do not rush to catch up.
                next = now;
            }
        }
    }

    /// One phone block and the reader's matching stretch of samples.
    fn step(&mut self) {
        for sample in self.mic.iter_mut() {
            *sample = self.mic_queue.pop_front().unwrap_or(0.0);
        }
        self.phone.process(&self.mic, &mut self.headphones);
        for (i, frame) in self.headphones.chunks_exact(2).enumerate() {
            self.left[i] = frame[0];
            self.right[i] = frame[1];
        }
        self.tone_rx.clear();
        self.power.process(&self.left, &mut self.tone_rx);
        self.data_rx.clear();
        self.downlink.process(&self.right, &mut self.data_rx);
        let frames = self.tone_rx.len().min(self.data_rx.len());
        self.jack.clear();
        for i in 0..frames {
            self.jack.push(self.tone_rx[i]);
            self.jack.push(self.data_rx[i]);
        }
        self.line.clear();
        self.line.resize(frames, 0.0);
        self.device
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .process(&self.jack, &mut self.line);
        self.line_rx.clear();
        self.uplink.process(&self.line, &mut self.line_rx);
        self.mic_queue.extend(self.line_rx.iter().copied());
    }
}

#[cfg(test)]
mod tests;
