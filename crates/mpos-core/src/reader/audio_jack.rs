//! [`AudioJackReader`]: the phone's driver for a card reader in the
//! headset jack, implementing [`CardReader`] over an audio port.
//!
//! The shell opens full-duplex audio at one sample rate (44.1 or 48 kHz)
//! and calls [`AudioJackReader::process`] from its audio callback with
//! each block:
//!
//! - `input`: the microphone, mono, `n` samples (the reader's uplink);
//! - `output`: the headphones, **interleaved stereo**, `2 n` samples: left
//!   (tip) carries the 18 kHz power tone, right (ring 1) the downlink data
//!   (`docs/reader-protocol.md` section 1).
//!
//! The logic is [`LinkDriver`], pure and clocked by sample counts; this
//! type only locks it, adds the tone and delivers events (the card's
//! verdict on the host's answer among them: nothing here waits). Events
//! reach the sink from the audio thread, after the lock is released: a
//! sink must not block (the app's queues it). The per-sample path
//! allocates nothing once the block buffers have grown to the shell's
//! block size.
//!
//! The link profile learned by auto-configuration is per phone model; the
//! shell stores [`AudioJackReader::profile`] after `Connected` and passes it
//! back with [`AudioJackReader::remember_profile`] at the next start.

mod link_driver;
mod mapping;

pub use link_driver::{LinkDriver, LinkState, KEEPALIVE_MS, SEARCH_PAUSE_MS};
pub use mapping::{issuer_auth_data, issuer_authentication};

use crate::model::self_check::LinkQuality;
use crate::reader::{
    CardReader, OnlineResult, ReaderError, ReaderEventSink, ReaderInfo, ReaderRequest,
};
use mpos_link::phy::PowerTone;
use mpos_link::LinkProfile;
use std::sync::{Arc, Mutex, MutexGuard};

/// Why the driver cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioJackError {
    /// The reader link cannot run at this sample rate.
    #[error("此音訊取樣率無法連接讀卡機，請改用 44.1 kHz 或 48 kHz。 The audio sample rate {0} Hz cannot carry the reader link: open the audio at 44.1 or 48 kHz.")]
    SampleRate(u32),
}

/// The audio-jack card reader as the app sees it.
pub struct AudioJackReader {
    sample_rate: u32,
    inner: Mutex<Inner>,
    sink: Mutex<Option<Arc<dyn ReaderEventSink>>>,
}

struct Inner {
    driver: LinkDriver,
    tone: PowerTone,
    data: Vec<f32>,
    tone_samples: Vec<f32>,
}

impl AudioJackReader {
    /// A driver for audio at `sample_rate` on the phone model `phone_model`
    /// (the platform's model identifier), knowing nothing about it yet.
    pub fn new(sample_rate: u32, phone_model: &str) -> Result<AudioJackReader, AudioJackError> {
        let driver = LinkDriver::new(sample_rate, phone_model)
            .map_err(|_| AudioJackError::SampleRate(sample_rate))?;
        // Room for 100 ms blocks from the start; larger blocks grow it once.
        let room = sample_rate as usize / 10;
        Ok(AudioJackReader {
            sample_rate,
            inner: Mutex::new(Inner {
                driver,
                tone: PowerTone::new(sample_rate),
                data: vec![0.0; room],
                tone_samples: vec![0.0; room],
            }),
            sink: Mutex::new(None),
        })
    }

    /// Starts from the profile stored for this phone model (one of another
    /// model is ignored): the next search checks it with one exchange
    /// instead of running the whole auto-configuration.
    pub fn remember_profile(&self, profile: LinkProfile) {
        self.lock().driver.remember(profile);
    }

    /// The sample rate `process` expects.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The link profile learned for this phone model, for the shell to store.
    pub fn profile(&self) -> Option<LinkProfile> {
        self.lock().driver.profile().cloned()
    }

    /// The platform's headset detection: `false` when the jack is empty
    /// (the reader is reported gone at once and the outputs fall silent),
    /// `true` when something is plugged in (the search starts at once).
    pub fn set_headset(&self, plugged: bool) {
        {
            let mut inner = self.lock();
            if plugged {
                inner.driver.plugged();
            } else {
                inner.driver.unplugged();
            }
        }
        self.deliver_events();
    }

    /// Where the connection stands.
    pub fn link_state(&self) -> LinkState {
        self.lock().driver.state()
    }

    /// Whether nothing waits to be sent to the reader or acknowledged by it.
    pub fn is_link_idle(&self) -> bool {
        self.lock().driver.is_link_idle()
    }

    /// One audio block: `input` mono microphone samples, `output` interleaved
    /// stereo headphone samples, `output.len() == 2 * input.len()` (extra
    /// output is silence; data that does not fit is lost).
    pub fn process(&self, input: &[f32], output: &mut [f32]) {
        self.lock().run(input, output);
        self.deliver_events();
    }

    fn deliver_events(&self) {
        let sink = self.sink.lock().unwrap_or_else(|p| p.into_inner()).clone();
        loop {
            // One event at a time, without the lock: a sink may call back in.
            let Some(event) = self.lock().driver.poll_event() else {
                return;
            };
            if let Some(sink) = &sink {
                sink.on_reader_event(event);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The driver's state stays consistent: events go out after unlocking.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    fn run(&mut self, input: &[f32], output: &mut [f32]) {
        let n = input.len();
        if self.data.len() < n {
            self.data.resize(n, 0.0);
            self.tone_samples.resize(n, 0.0);
        }
        self.driver.process(input, &mut self.data[..n]);
        let frames = n.min(output.len() / 2);
        if self.driver.state() == LinkState::Unplugged {
            // No reader to power: the headphones stay silent.
            output.fill(0.0);
            return;
        }
        self.tone.fill(&mut self.tone_samples[..frames]);
        for (i, frame) in output.chunks_exact_mut(2).take(frames).enumerate() {
            frame[0] = self.tone_samples[i];
            frame[1] = self.data[i];
        }
        output[2 * frames..].fill(0.0);
    }
}

impl CardReader for AudioJackReader {
    fn set_event_sink(&self, sink: Arc<dyn ReaderEventSink>) {
        *self.sink.lock().unwrap_or_else(|p| p.into_inner()) = Some(sink);
    }

    fn info(&self) -> Option<ReaderInfo> {
        self.lock().driver.info().cloned()
    }

    fn start_transaction(&self, request: ReaderRequest) -> Result<(), ReaderError> {
        self.lock().driver.start_transaction(request)
    }

    /// Queues the host's answer for the reader; the reader's
    /// TransactionDone comes back as [`crate::reader::ReaderEvent::OnlineResultAnswered`]
    /// (an approval the card declined is [`ReaderError::CardDeclined`]).
    fn online_result(&self, result: OnlineResult) -> Result<(), ReaderError> {
        self.lock().driver.send_online_result(&result)
    }

    fn request_pin(&self) -> Result<(), ReaderError> {
        self.lock().driver.request_pin()
    }

    fn enter_pin(&self, keys: Vec<u8>) -> Result<(), ReaderError> {
        self.lock().driver.enter_pin(keys)
    }

    fn cancel(&self) {
        self.lock().driver.cancel();
    }

    fn link_quality(&self) -> Option<LinkQuality> {
        self.lock().driver.link_quality()
    }

    fn saved_profile_model(&self) -> Option<String> {
        self.profile().map(|profile| profile.phone_model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::ReaderEvent;

    struct NoSink;

    impl ReaderEventSink for NoSink {
        fn on_reader_event(&self, _event: ReaderEvent) {}
    }

    use mpos_link::phy::{POWER_TONE_AMPLITUDE, POWER_TONE_HZ};

    #[test]
    fn the_output_is_stereo_with_the_power_tone_on_the_left() {
        let reader = AudioJackReader::new(48_000, "Test Phone").unwrap();
        let input = vec![0.0f32; 4_800];
        let mut output = vec![1.0f32; 9_600];
        // The first block only starts the search; the probe leaves in the next.
        let mut left = Vec::new();
        let mut right = Vec::new();
        for _ in 0..2 {
            reader.process(&input, &mut output);
            left = output.iter().step_by(2).copied().collect();
            right.extend(output.iter().skip(1).step_by(2).copied());
        }
        let peak = left.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!((peak - POWER_TONE_AMPLITUDE).abs() < 0.01, "{peak}");
        let rising = left
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        let expected = (POWER_TONE_HZ / 10.0) as usize;
        assert!(rising.abs_diff(expected) <= 1, "{rising}");
        // The right channel carries the link: data, not the tone.
        assert!(right.iter().any(|s| s.abs() > 0.1), "the probe is sent");
        let data_rising = right[4_800..]
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        assert!(data_rising < rising / 4, "{data_rising}");
    }

    #[test]
    fn a_short_output_buffer_is_filled_and_nothing_overflows() {
        let reader = AudioJackReader::new(44_100, "Test Phone").unwrap();
        let input = vec![0.0f32; 441];
        let mut output = vec![1.0f32; 500];
        reader.process(&input, &mut output);
        let mut long = vec![1.0f32; 2_000];
        reader.process(&input, &mut long);
        assert!(long[882..].iter().all(|s| *s == 0.0));
        assert!(AudioJackReader::new(8_000, "Test Phone").is_err());
    }

    #[test]
    fn an_empty_jack_is_silent_until_the_headset_comes_back() {
        let reader = AudioJackReader::new(48_000, "Test Phone").unwrap();
        let input = vec![0.0f32; 480];
        let mut output = vec![1.0f32; 960];
        reader.set_headset(false);
        assert_eq!(reader.link_state(), LinkState::Unplugged);
        reader.process(&input, &mut output);
        assert!(output.iter().all(|s| *s == 0.0), "no power tone, no data");
        reader.set_headset(true);
        assert!(matches!(reader.link_state(), LinkState::Searching { .. }));
        reader.process(&input, &mut output);
        assert!(
            output.iter().step_by(2).any(|s| s.abs() > 0.1),
            "the tone is back"
        );
    }

    #[test]
    fn nothing_is_connected_before_a_reader_answers() {
        let reader = AudioJackReader::new(48_000, "Test Phone").unwrap();
        reader.set_event_sink(Arc::new(NoSink));
        assert_eq!(reader.info(), None);
        assert_eq!(reader.profile(), None);
        assert!(matches!(reader.link_state(), LinkState::Searching { .. }));
        let request = ReaderRequest {
            amount: mpos_wire::Money::twd_minor(100),
            kind: mpos_wire::api::TxnKind::Sale,
            chip_allowed: true,
            swipe_allowed: true,
        };
        assert_eq!(
            reader.start_transaction(request),
            Err(ReaderError::NotConnected)
        );
        assert_eq!(
            reader.online_result(OnlineResult {
                approved: true,
                auth_code: None,
                response_code: "00".into(),
                issuer_authentication: None,
            }),
            Err(ReaderError::NotConnected)
        );
        reader.cancel();
    }
}
