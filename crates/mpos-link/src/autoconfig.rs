//! Auto-configuration: find the uplink level and rate a phone's audio path
//! supports, as a pure state machine (replies and timeouts in, probes out).
//!
//! 1. Level, at 2400 bit/s with 16-byte probes: try reader levels 0..=3,
//!    quietest first, and keep the first that arrives at least -20 dBFS
//!    without clipping (or the loudest clean one).
//! 2. Rate, fastest first (9600, 4800, 2400; rates the sample rate cannot
//!    carry are skipped): three 64-byte probes in a row must arrive without a
//!    bit error and with an eye SNR of at least 12 dB.
//! 3. Commit: SetLink, answered by a 16-byte ProbeReply at the new settings.
//!
//! Silence (no reply at all) is ambiguous: the reader may not have heard
//! the probe, or its answer may not have been decodable. So a silent probe
//! is repeated once; a second silence then means: at a level probe, try the
//! next level (and, when no level answered, raise the downlink amplitude
//! from 0.5 to 1.0 full scale and try all levels again); at a fast rate, try
//! the next rate; at 2400 bit/s or at SetLink, raise the downlink once and
//! continue. A reply with bit errors or a poor eye is the uplink's fault and
//! never raises the downlink.
//!
//! Polarity needs no search: the line code ignores it. The profile records
//! what the receiver observed, for diagnostics.

use crate::arq::{MARGIN_MS, TURNAROUND_MS};
use crate::demodulator::RxStats;
use crate::frame::{FCS_LEN, HEADER_LEN};
use crate::message::{LinkProbe, LinkSettings};
use crate::modulator::air_millis;
use crate::phy::{BitRate, UplinkLevel, DEFAULT_DOWNLINK_AMPLITUDE, LOUD_DOWNLINK_AMPLITUDE};
use crate::profile::LinkProfile;

/// Pattern bytes of a level probe and of the SetLink answer.
pub const LEVEL_PATTERN_LEN: u8 = 16;
/// Pattern bytes of a rate probe.
pub const RATE_PATTERN_LEN: u8 = 64;
/// Clean rate probes in a row that qualify a rate.
pub const RATE_PROBES: u8 = 3;
/// Lowest eye SNR, in dB, that qualifies a rate.
pub const MIN_EYE_SNR_DB: f32 = 12.0;
/// Received amplitude that is loud enough (-20 dBFS).
pub const TARGET_AMPLITUDE: f32 = 0.1;
/// Received peak above which a level counts as clipping.
pub const MAX_PEAK: f32 = 0.7;
/// SetLink attempts before giving up.
pub const COMMIT_ATTEMPTS: u8 = 3;

/// What the phone's receiver made of a ProbeReply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbeObservation {
    /// The settings the reply says it was sent with.
    pub settings: LinkSettings,
    /// Bit errors against the PRBS-9 pattern (see [`crate::prbs::bit_errors`]).
    pub bit_errors: u32,
    /// Pattern bytes received.
    pub pattern_len: usize,
    /// The receiver's measurements.
    pub stats: RxStats,
}

impl ProbeObservation {
    fn clipped(&self) -> bool {
        self.stats.clipped_samples > 0 || self.stats.peak >= MAX_PEAK
    }
}

/// What the auto-configuration asks its driver to do, or reports.
#[derive(Debug, Clone, PartialEq)]
pub enum AutoConfigOutput {
    /// Listen at `probe.settings.rate`, then send this LinkProbe at this downlink amplitude.
    SendProbe {
        /// The probe.
        probe: LinkProbe,
        /// Downlink data amplitude, fraction of full scale.
        downlink_amplitude: f32,
    },
    /// Listen at `settings.rate`, then send SetLink with these settings.
    SendSetLink {
        /// The settings to commit.
        settings: LinkSettings,
        /// Downlink data amplitude, fraction of full scale.
        downlink_amplitude: f32,
    },
    /// (Re)start the timer: it fires `millis` after our transmitter falls silent.
    StartTimer {
        /// Timeout in milliseconds.
        millis: u32,
    },
    /// Stop the timer.
    StopTimer,
    /// Finished: remember this profile for the phone model.
    Done(LinkProfile),
    /// Finished without a usable link.
    Failed(AutoConfigError),
}

/// Why auto-configuration found no usable link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AutoConfigError {
    /// No probe was ever answered.
    #[error("找不到讀卡機：請將讀卡機插緊、將媒體音量調到最大後再試。 No card reader answered: push the reader fully into the jack, turn the media volume to maximum and try again.")]
    NoReader,
    /// The reader answers, but not reliably enough even at 2400 bit/s.
    #[error("讀卡機訊號不穩定：請移除耳機轉接頭、關閉音效增強功能後再試。 The card reader's signal is unreliable: remove any headset adapter, turn off audio effects and try again.")]
    Unreliable,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Idle,
    Level {
        level: usize,
        best: Option<ProbeObservation>,
    },
    Rate {
        rate: usize,
        passes: u8,
    },
    Commit {
        attempts: u8,
    },
    Finished,
}

/// The auto-configuration state machine for one phone.
#[derive(Debug, Clone)]
pub struct AutoConfig {
    phone_model: String,
    sample_rate: u32,
    phase: Phase,
    downlink_amplitude: f32,
    level: UplinkLevel,
    rates: Vec<BitRate>,
    chosen: Option<LinkSettings>,
    last_good: Option<ProbeObservation>,
    awaiting: Option<LinkSettings>,
    last_request: Option<Request>,
    retried: bool,
    outputs: Vec<AutoConfigOutput>,
}

/// The last thing sent, to repeat it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Request {
    Probe(LinkSettings, u8),
    SetLink(LinkSettings),
}

impl AutoConfig {
    /// A full search for a phone whose audio runs at `sample_rate`.
    pub fn new(phone_model: &str, sample_rate: u32) -> AutoConfig {
        let rates = BitRate::FASTEST_FIRST
            .into_iter()
            .filter(|r| r.half_bit_samples(sample_rate) >= 2.0)
            .collect();
        AutoConfig {
            phone_model: phone_model.to_string(),
            sample_rate,
            phase: Phase::Idle,
            downlink_amplitude: DEFAULT_DOWNLINK_AMPLITUDE,
            level: UplinkLevel(0),
            rates,
            chosen: None,
            last_good: None,
            awaiting: None,
            last_request: None,
            retried: false,
            outputs: Vec::new(),
        }
    }

    /// Starts the search.
    pub fn start(&mut self) {
        self.phase = Phase::Level {
            level: 0,
            best: None,
        };
        self.probe_level(0);
    }

    /// Starts from a remembered profile: only the commit step runs. If it
    /// fails, run a full search with [`AutoConfig::new`] and [`AutoConfig::start`].
    pub fn verify(&mut self, profile: &LinkProfile) {
        self.downlink_amplitude = profile.downlink_amplitude;
        self.level = profile.settings.level;
        self.chosen = Some(profile.settings);
        self.commit(0);
    }

    /// The sample rate the search was built for.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Whether a result (Done or Failed) has been produced.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// The settings of the reply being waited for, if any.
    pub fn awaiting(&self) -> Option<LinkSettings> {
        self.awaiting
    }

    /// A ProbeReply arrived; replies for other settings than awaited are ignored.
    pub fn handle_reply(&mut self, observation: ProbeObservation) {
        if self.awaiting != Some(observation.settings) {
            return;
        }
        self.awaiting = None;
        self.outputs.push(AutoConfigOutput::StopTimer);
        self.advance(Some(observation));
    }

    /// The timer fired with no usable reply.
    pub fn handle_timeout(&mut self) {
        if self.awaiting.take().is_none() {
            return;
        }
        if !self.retried {
            return self.repeat();
        }
        let loud = self.downlink_amplitude >= LOUD_DOWNLINK_AMPLITUDE;
        match self.phase {
            Phase::Rate { rate, .. } if self.rates[rate] != BitRate::Bps2400 => {
                self.next_rate(rate)
            }
            Phase::Rate { .. } | Phase::Commit { .. } if !loud => {
                self.downlink_amplitude = LOUD_DOWNLINK_AMPLITUDE;
                self.repeat();
            }
            _ => self.advance(None),
        }
    }

    /// Sends the last request again, unchanged but for the downlink amplitude.
    fn repeat(&mut self) {
        match self.last_request {
            Some(Request::Probe(settings, pattern_len)) => self.probe(settings, pattern_len),
            Some(Request::SetLink(settings)) => self.send_set_link(settings),
            None => return,
        }
        self.retried = true;
    }

    /// The next thing for the driver to do, in order.
    pub fn poll_output(&mut self) -> Option<AutoConfigOutput> {
        if self.outputs.is_empty() {
            None
        } else {
            Some(self.outputs.remove(0))
        }
    }

    fn advance(&mut self, reply: Option<ProbeObservation>) {
        match self.phase {
            Phase::Level { level, best } => self.after_level_probe(level, best, reply),
            Phase::Rate { rate, passes } => self.after_rate_probe(rate, passes, reply),
            Phase::Commit { attempts } => self.after_commit(attempts, reply),
            Phase::Idle | Phase::Finished => {}
        }
    }

    fn after_level_probe(
        &mut self,
        level: usize,
        best: Option<ProbeObservation>,
        reply: Option<ProbeObservation>,
    ) {
        let clean =
            reply.filter(|r| r.bit_errors == 0 && r.pattern_len == usize::from(LEVEL_PATTERN_LEN));
        let choice = match (clean, best) {
            // Clipping: the previous level was the loudest clean one.
            (Some(r), Some(b)) if r.clipped() => Some(b),
            (Some(r), None) if r.clipped() => Some(r),
            (Some(r), _) if r.stats.amplitude >= TARGET_AMPLITUDE => Some(r),
            (Some(r), _) => {
                return self.next_level(level, Some(r));
            }
            // A louder level failed after a quieter one worked: keep the quieter.
            (None, Some(b)) => Some(b),
            (None, None) => {
                return self.next_level(level, None);
            }
        };
        if let Some(chosen) = choice {
            self.level = chosen.settings.level;
            self.last_good = Some(chosen);
            self.start_rates();
        }
    }

    fn next_level(&mut self, level: usize, best: Option<ProbeObservation>) {
        if level + 1 < UplinkLevel::ALL.len() {
            self.phase = Phase::Level {
                level: level + 1,
                best,
            };
            self.probe_level(level + 1);
        } else if let Some(b) = best {
            self.level = b.settings.level;
            self.last_good = Some(b);
            self.start_rates();
        } else if self.downlink_amplitude < LOUD_DOWNLINK_AMPLITUDE {
            // No level answered: perhaps the reader does not hear us.
            self.downlink_amplitude = LOUD_DOWNLINK_AMPLITUDE;
            self.phase = Phase::Level {
                level: 0,
                best: None,
            };
            self.probe_level(0);
        } else {
            self.finish(Err(AutoConfigError::NoReader));
        }
    }

    fn probe_level(&mut self, level: usize) {
        let settings = LinkSettings {
            rate: BitRate::Bps2400,
            level: UplinkLevel::ALL[level],
        };
        self.probe(settings, LEVEL_PATTERN_LEN);
    }

    fn start_rates(&mut self) {
        self.phase = Phase::Rate { rate: 0, passes: 0 };
        self.probe_rate(0);
    }

    fn probe_rate(&mut self, rate: usize) {
        let settings = LinkSettings {
            rate: self.rates[rate],
            level: self.level,
        };
        self.probe(settings, RATE_PATTERN_LEN);
    }

    fn after_rate_probe(&mut self, rate: usize, passes: u8, reply: Option<ProbeObservation>) {
        let good = reply.filter(|r| {
            r.bit_errors == 0
                && r.pattern_len == usize::from(RATE_PATTERN_LEN)
                && r.stats.eye_snr_db >= MIN_EYE_SNR_DB
        });
        match good {
            Some(r) if passes + 1 >= RATE_PROBES => {
                self.last_good = Some(r);
                self.chosen = Some(r.settings);
                self.commit(0);
            }
            Some(r) => {
                self.last_good = Some(r);
                self.phase = Phase::Rate {
                    rate,
                    passes: passes + 1,
                };
                self.probe_rate(rate);
            }
            None => self.next_rate(rate),
        }
    }

    fn next_rate(&mut self, rate: usize) {
        if rate + 1 < self.rates.len() {
            self.phase = Phase::Rate {
                rate: rate + 1,
                passes: 0,
            };
            self.probe_rate(rate + 1);
        } else {
            self.finish(Err(AutoConfigError::Unreliable));
        }
    }

    fn commit(&mut self, attempts: u8) {
        let Some(settings) = self.chosen else {
            return self.finish(Err(AutoConfigError::Unreliable));
        };
        self.phase = Phase::Commit {
            attempts: attempts + 1,
        };
        self.send_set_link(settings);
    }

    fn send_set_link(&mut self, settings: LinkSettings) {
        self.awaiting = Some(settings);
        self.retried = false;
        self.last_request = Some(Request::SetLink(settings));
        self.outputs.push(AutoConfigOutput::SendSetLink {
            settings,
            downlink_amplitude: self.downlink_amplitude,
        });
        self.outputs.push(AutoConfigOutput::StartTimer {
            millis: reply_timeout_ms(settings.rate, LEVEL_PATTERN_LEN),
        });
    }

    fn after_commit(&mut self, attempts: u8, reply: Option<ProbeObservation>) {
        match reply.filter(|r| r.bit_errors == 0) {
            Some(r) => {
                let settings = r.settings;
                let profile = LinkProfile {
                    phone_model: self.phone_model.clone(),
                    settings,
                    downlink_amplitude: self.downlink_amplitude,
                    uplink_inverted: r.stats.inverted,
                    rx_amplitude: r.stats.amplitude,
                    eye_snr_db: self
                        .last_good
                        .filter(|g| g.settings == settings)
                        .map_or(r.stats.eye_snr_db, |g| {
                            g.stats.eye_snr_db.min(r.stats.eye_snr_db)
                        }),
                };
                self.finish(Ok(profile));
            }
            None if attempts < COMMIT_ATTEMPTS => self.commit(attempts),
            None => self.finish(Err(AutoConfigError::Unreliable)),
        }
    }

    fn probe(&mut self, settings: LinkSettings, pattern_len: u8) {
        self.awaiting = Some(settings);
        self.retried = false;
        self.last_request = Some(Request::Probe(settings, pattern_len));
        self.outputs.push(AutoConfigOutput::SendProbe {
            probe: LinkProbe {
                settings,
                pattern_len,
            },
            downlink_amplitude: self.downlink_amplitude,
        });
        self.outputs.push(AutoConfigOutput::StartTimer {
            millis: reply_timeout_ms(settings.rate, pattern_len),
        });
    }

    fn finish(&mut self, result: Result<LinkProfile, AutoConfigError>) {
        self.phase = Phase::Finished;
        self.awaiting = None;
        self.outputs.push(match result {
            Ok(profile) => AutoConfigOutput::Done(profile),
            Err(error) => AutoConfigOutput::Failed(error),
        });
    }
}

/// Time to wait for a ProbeReply, from the end of our probe: turnaround,
/// the reply's air time at `rate`, and margin.
pub fn reply_timeout_ms(rate: BitRate, pattern_len: u8) -> u32 {
    let reply_len = HEADER_LEN + 2 + usize::from(pattern_len) + FCS_LEN;
    TURNAROUND_MS + air_millis(reply_len, rate).ceil() as u32 + MARGIN_MS
}

#[cfg(test)]
mod tests;
