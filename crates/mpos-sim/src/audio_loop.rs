//! [`AudioLoop`]: the phone's audio-jack driver and the virtual reader
//! device joined by nothing but sample buffers, through a simulated phone
//! audio path ([`mpos_link::channel`]: clock drift between the two sample
//! clocks, gain, high-pass, noise).
//!
//! A background thread plays the phone's audio callback: every block
//! (10 ms by default) it hands the microphone samples to
//! [`AudioJackReader::process`] and the stereo output to the [`JackPeer`]
//! (the analog paths and the [`ReaderDevice`]), whose microphone signal
//! is the phone's next block. It keeps pace with real time (or a chosen
//! multiple of it) and stops when dropped.

use crate::device::ReaderDevice;
use crate::hands::CardHands;
use crate::jack_peer::{AudioLoopConfig, JackPeer};
use mpos_cards::CardId;
use mpos_core::reader::audio_jack::AudioJackReader;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the hands wait for the link to fall quiet before they act.
pub const QUIET_TIMEOUT: Duration = Duration::from_secs(3);

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
        let peer = JackPeer::new(device, config);
        let device = peer.device_handle();
        let stop = Arc::new(AtomicBool::new(false));
        let mut pump = Pump::new(phone.clone(), peer, config);
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

/// The audio thread's state: the phone's blocks and the far side of its jack.
struct Pump {
    phone: Arc<AudioJackReader>,
    peer: JackPeer,
    config: AudioLoopConfig,
    mic: Vec<f32>,
    headphones: Vec<f32>,
}

impl Pump {
    fn new(phone: Arc<AudioJackReader>, peer: JackPeer, config: AudioLoopConfig) -> Pump {
        let block = config.block.max(1);
        Pump {
            phone,
            peer,
            config: AudioLoopConfig { block, ..config },
            mic: vec![0.0; block],
            headphones: vec![0.0; 2 * block],
        }
    }

    fn run(&mut self, stop: &AtomicBool) {
        let block_time =
            Duration::from_secs_f64(self.config.block as f64 / f64::from(self.config.sample_rate));
        let pace = block_time.div_f64(self.config.speed.max(0.01));
        let mut next = Instant::now();
        while !stop.load(Ordering::SeqCst) {
            self.phone.process(&self.mic, &mut self.headphones);
            self.peer.process(&self.headphones, &mut self.mic);
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
}

#[cfg(test)]
mod tests;
