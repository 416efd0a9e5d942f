//! One end of the link driven by audio blocks: the modem, the ARQ and (on
//! the phone) auto-configuration, with time counted in samples.
//!
//! A shell hands [`Station::process`] each full-duplex audio block (the
//! microphone samples in, the data-channel samples out). The sample count is
//! the only clock: timers are deadlines in samples, so the same code runs in
//! real time on a phone and faster than real time in tests.
//!
//! Output for a block is taken from the transmit queue before the block's
//! input is read, so an answer leaves at the earliest in the next block, as
//! it would through a real audio driver.

use crate::arq::{ArqConfig, ArqError, ArqOutput, Endpoint};
use crate::autoconfig::{AutoConfig, AutoConfigError, AutoConfigOutput, ProbeObservation};
use crate::demodulator::{DemodError, Demodulator, RxStats};
use crate::frame::{Direction, FrameError, FrameType};
use crate::message::{LinkSettings, Message, MessageError, ProbeReply};
use crate::modulator::Modulator;
use crate::phy::{BitRate, DOWNLINK_RATE, INTERFRAME_GAP_BITS};
use crate::prbs;
use crate::profile::LinkProfile;
use std::collections::VecDeque;

/// Which end of the link a station is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The phone: sends commands downlink, hears events uplink.
    Phone,
    /// The reader: answers commands, reports events, obeys LinkProbe and SetLink.
    Reader,
}

/// Something that happened on the link.
#[derive(Debug, Clone, PartialEq)]
pub enum StationEvent {
    /// A message from the peer (never a duplicate).
    Received {
        /// The message.
        message: Message,
        /// The receiver's measurements; sample times are the station's.
        stats: RxStats,
    },
    /// The peer acknowledged one of our messages.
    Delivered {
        /// Its type.
        frame_type: FrameType,
        /// Its sequence number.
        seq: u8,
    },
    /// The peer never acknowledged one of our messages: the link is probably lost.
    Failed {
        /// Its type.
        frame_type: FrameType,
        /// Its sequence number.
        seq: u8,
    },
    /// Bytes from the demodulator that were not a usable frame or message.
    Rejected(RejectReason),
    /// Phone: auto-configuration (or verification) finished; remember the profile.
    AutoConfigured(LinkProfile),
    /// Phone: auto-configuration found no usable link.
    AutoConfigFailed(AutoConfigError),
    /// Reader: the phone changed the uplink settings.
    LinkChanged(LinkSettings),
}

/// Why received bytes were not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectReason {
    /// The frame layer refused them.
    Frame(FrameError),
    /// The frame was sound (and acknowledged) but its payload was not a valid message.
    Message(MessageError),
}

/// Why a station could not do what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StationError {
    /// The demodulator cannot run at this sample rate.
    #[error(transparent)]
    Demod(#[from] DemodError),
    /// The ARQ refused the message.
    #[error(transparent)]
    Arq(#[from] ArqError),
    /// The message travels the other way.
    #[error("this end of the link cannot send {0:?}")]
    WrongDirection(FrameType),
    /// Only the phone runs auto-configuration.
    #[error("only the phone runs auto-configuration")]
    NotPhone,
}

/// One end of the link.
#[derive(Debug)]
pub struct Station {
    role: Role,
    sample_rate: u32,
    endpoint: Endpoint,
    demod: Demodulator,
    demod_base: u64,
    modulator: Modulator,
    settings: LinkSettings,
    tx: VecDeque<f32>,
    scratch: Vec<f32>,
    now: u64,
    tx_clock: u64,
    arq_deadline: Option<u64>,
    autoconfig: Option<AutoConfig>,
    autoconfig_deadline: Option<u64>,
    events: VecDeque<StationEvent>,
}

impl Station {
    /// The phone's end, using a profile's settings (or [`LinkProfile::power_up_default`]).
    pub fn phone(sample_rate: u32, profile: &LinkProfile) -> Result<Station, StationError> {
        let settings = profile.settings;
        Ok(Station {
            role: Role::Phone,
            sample_rate,
            endpoint: Endpoint::new(Direction::Downlink, ArqConfig::for_peer_rate(settings.rate)),
            demod: Demodulator::new(sample_rate, settings.rate)?,
            demod_base: 0,
            modulator: Modulator::new(sample_rate, DOWNLINK_RATE, profile.downlink_amplitude),
            settings,
            tx: VecDeque::new(),
            scratch: Vec::new(),
            now: 0,
            tx_clock: 0,
            arq_deadline: None,
            autoconfig: None,
            autoconfig_deadline: None,
            events: VecDeque::new(),
        })
    }

    /// The reader's end, starting with `settings` (normally [`crate::phy::DEFAULT_UPLINK`]).
    pub fn reader(sample_rate: u32, settings: LinkSettings) -> Result<Station, StationError> {
        Ok(Station {
            role: Role::Reader,
            sample_rate,
            endpoint: Endpoint::new(Direction::Uplink, ArqConfig::for_peer_rate(DOWNLINK_RATE)),
            demod: Demodulator::new(sample_rate, DOWNLINK_RATE)?,
            demod_base: 0,
            modulator: uplink_modulator(sample_rate, settings),
            settings,
            tx: VecDeque::new(),
            scratch: Vec::new(),
            now: 0,
            tx_clock: 0,
            arq_deadline: None,
            autoconfig: None,
            autoconfig_deadline: None,
            events: VecDeque::new(),
        })
    }

    /// Which end this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The current uplink settings.
    pub fn settings(&self) -> LinkSettings {
        self.settings
    }

    /// Samples of input processed so far: the station's clock.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Whether nothing waits to be sent or acknowledged and the transmitter is silent.
    pub fn is_idle(&self) -> bool {
        self.endpoint.is_idle() && self.tx.is_empty() && self.autoconfig.is_none()
    }

    /// Sends a message: reliably if sequenced. Returns its sequence number.
    pub fn send(&mut self, message: &Message) -> Result<Option<u8>, StationError> {
        let ours = match self.role {
            Role::Phone => Direction::Downlink,
            Role::Reader => Direction::Uplink,
        };
        if !message.frame_type().allowed(ours) {
            return Err(StationError::WrongDirection(message.frame_type()));
        }
        let seq = self.endpoint.send_message(message)?;
        self.drain_endpoint(None);
        Ok(seq)
    }

    /// Phone: runs a full auto-configuration for this phone model.
    pub fn start_autoconfig(&mut self, phone_model: &str) -> Result<(), StationError> {
        self.begin_autoconfig(phone_model, None)
    }

    /// Phone: checks a remembered profile with one SetLink exchange.
    pub fn verify_profile(&mut self, profile: &LinkProfile) -> Result<(), StationError> {
        self.begin_autoconfig(&profile.phone_model, Some(profile))
    }

    fn begin_autoconfig(
        &mut self,
        model: &str,
        profile: Option<&LinkProfile>,
    ) -> Result<(), StationError> {
        if self.role != Role::Phone {
            return Err(StationError::NotPhone);
        }
        let mut config = AutoConfig::new(model, self.sample_rate);
        match profile {
            Some(p) => config.verify(p),
            None => config.start(),
        }
        self.autoconfig = Some(config);
        self.drain_autoconfig()
    }

    /// The next event, in order.
    pub fn poll_event(&mut self) -> Option<StationEvent> {
        self.events.pop_front()
    }

    /// One full-duplex audio block: writes the data channel's next samples to
    /// `output` (silence when there is nothing to send) and consumes `input`.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        for sample in output.iter_mut() {
            *sample = self.tx.pop_front().unwrap_or(0.0);
        }
        self.tx_clock = self.now + output.len() as u64;
        let mut offset = 0;
        while offset < input.len() {
            let next_deadline = [self.arq_deadline, self.autoconfig_deadline]
                .into_iter()
                .flatten()
                .min()
                .filter(|&d| d > self.now);
            let limit = next_deadline.map_or(input.len() - offset, |d| {
                ((d - self.now) as usize).min(input.len() - offset)
            });
            let consumed = self.demod.push(&input[offset..offset + limit]);
            offset += consumed;
            self.now += consumed as u64;
            if let Some((bytes, stats)) = self.demod.frame() {
                let mut stats = *stats;
                stats.sync_sample += self.demod_base;
                stats.end_sample += self.demod_base;
                let result = self.endpoint.handle_frame(bytes);
                if let Err(error) = result {
                    self.events
                        .push_back(StationEvent::Rejected(RejectReason::Frame(error)));
                }
                self.drain_endpoint(Some(stats));
            }
            self.fire_timers();
        }
    }

    fn fire_timers(&mut self) {
        // A frame arriving now delays our timers: its sender answers after it.
        if self.demod.is_receiving() {
            return;
        }
        if self.arq_deadline.is_some_and(|d| d <= self.now) {
            self.arq_deadline = None;
            self.endpoint.handle_timeout();
            self.drain_endpoint(None);
        }
        if self.autoconfig_deadline.is_some_and(|d| d <= self.now) {
            self.autoconfig_deadline = None;
            if let Some(config) = &mut self.autoconfig {
                config.handle_timeout();
            }
            // A failed autoconfig step cannot leave a half-built station.
            let _ = self.drain_autoconfig();
        }
    }

    /// Deadline `millis` after our transmitter falls silent.
    fn deadline_after_tx(&self, millis: u32) -> u64 {
        let silent = (self.tx_clock + self.tx.len() as u64).max(self.now);
        silent + u64::from(millis) * u64::from(self.sample_rate) / 1000
    }

    fn drain_endpoint(&mut self, stats: Option<RxStats>) {
        while let Some(output) = self.endpoint.poll_output() {
            match output {
                ArqOutput::Transmit(bytes) => self.transmit(&bytes, None),
                ArqOutput::StartTimer { millis } => {
                    self.arq_deadline = Some(self.deadline_after_tx(millis))
                }
                ArqOutput::StopTimer => self.arq_deadline = None,
                ArqOutput::Delivered { frame_type, seq } => self
                    .events
                    .push_back(StationEvent::Delivered { frame_type, seq }),
                ArqOutput::Failed { frame_type, seq } => self
                    .events
                    .push_back(StationEvent::Failed { frame_type, seq }),
                ArqOutput::Received {
                    frame_type,
                    payload,
                    ..
                } => match Message::decode(frame_type, &payload) {
                    Ok(message) => self.on_message(message, stats.unwrap_or_default()),
                    Err(error) => self
                        .events
                        .push_back(StationEvent::Rejected(RejectReason::Message(error))),
                },
            }
        }
    }

    fn on_message(&mut self, message: Message, stats: RxStats) {
        match (self.role, message) {
            (Role::Reader, Message::LinkProbe(probe)) => {
                self.reply_probe(probe.settings, probe.pattern_len);
            }
            (Role::Reader, Message::SetLink(settings)) => {
                self.settings = settings;
                self.modulator = uplink_modulator(self.sample_rate, settings);
                self.reply_probe(settings, crate::autoconfig::LEVEL_PATTERN_LEN);
                self.events.push_back(StationEvent::LinkChanged(settings));
            }
            (Role::Phone, Message::ProbeReply(reply)) if self.autoconfig.is_some() => {
                let observation = ProbeObservation {
                    settings: reply.settings,
                    bit_errors: prbs::bit_errors(&reply.pattern),
                    pattern_len: reply.pattern.len(),
                    stats,
                };
                if let Some(config) = &mut self.autoconfig {
                    config.handle_reply(observation);
                }
                let _ = self.drain_autoconfig();
            }
            (_, message) => self
                .events
                .push_back(StationEvent::Received { message, stats }),
        }
    }

    /// Reader: sends the PRBS pattern once at `settings`, whatever the current ones.
    fn reply_probe(&mut self, settings: LinkSettings, pattern_len: u8) {
        let reply = Message::ProbeReply(ProbeReply {
            settings,
            pattern: prbs::pattern(usize::from(pattern_len)),
        });
        let mut payload = Vec::new();
        if reply.encode_payload(&mut payload).is_err() {
            return;
        }
        let mut bytes = Vec::new();
        if crate::frame::encode_frame(
            Direction::Uplink,
            FrameType::ProbeReply,
            0,
            &payload,
            &mut bytes,
        )
        .is_ok()
        {
            self.transmit(&bytes, Some(uplink_modulator(self.sample_rate, settings)));
        }
    }

    fn drain_autoconfig(&mut self) -> Result<(), StationError> {
        let Some(config) = &mut self.autoconfig else {
            return Ok(());
        };
        let outputs: Vec<AutoConfigOutput> = std::iter::from_fn(|| config.poll_output()).collect();
        for output in outputs {
            match output {
                AutoConfigOutput::SendProbe {
                    probe,
                    downlink_amplitude,
                } => {
                    self.listen_at(probe.settings.rate)?;
                    self.modulator =
                        Modulator::new(self.sample_rate, DOWNLINK_RATE, downlink_amplitude);
                    self.endpoint.send_message(&Message::LinkProbe(probe))?;
                    self.drain_endpoint(None);
                }
                AutoConfigOutput::SendSetLink {
                    settings,
                    downlink_amplitude,
                } => {
                    self.listen_at(settings.rate)?;
                    self.modulator =
                        Modulator::new(self.sample_rate, DOWNLINK_RATE, downlink_amplitude);
                    self.endpoint.send_message(&Message::SetLink(settings))?;
                    self.drain_endpoint(None);
                }
                AutoConfigOutput::StartTimer { millis } => {
                    self.autoconfig_deadline = Some(self.deadline_after_tx(millis));
                }
                AutoConfigOutput::StopTimer => self.autoconfig_deadline = None,
                AutoConfigOutput::Done(profile) => {
                    self.autoconfig = None;
                    self.autoconfig_deadline = None;
                    self.apply_profile(&profile)?;
                    self.events.push_back(StationEvent::AutoConfigured(profile));
                }
                AutoConfigOutput::Failed(error) => {
                    self.autoconfig = None;
                    self.autoconfig_deadline = None;
                    self.events.push_back(StationEvent::AutoConfigFailed(error));
                }
            }
        }
        Ok(())
    }

    /// Phone: adopts a profile's settings without asking the reader.
    fn apply_profile(&mut self, profile: &LinkProfile) -> Result<(), StationError> {
        self.settings = profile.settings;
        self.listen_at(profile.settings.rate)?;
        self.modulator =
            Modulator::new(self.sample_rate, DOWNLINK_RATE, profile.downlink_amplitude);
        self.endpoint
            .set_config(ArqConfig::for_peer_rate(profile.settings.rate));
        Ok(())
    }

    fn listen_at(&mut self, rate: BitRate) -> Result<(), StationError> {
        if self.demod.bit_rate() != rate {
            self.demod = Demodulator::new(self.sample_rate, rate)?;
            self.demod_base = self.now;
        }
        Ok(())
    }

    fn transmit(&mut self, bytes: &[u8], modulator: Option<Modulator>) {
        let modulator = modulator.unwrap_or(self.modulator);
        self.scratch.clear();
        modulator.modulate(bytes, &mut self.scratch);
        let half_bit = modulator.bit_rate().half_bit_samples(self.sample_rate);
        let gap = (2.0 * INTERFRAME_GAP_BITS as f64 * half_bit).ceil() as usize;
        self.tx.extend(self.scratch.iter().copied());
        self.tx.extend(std::iter::repeat_n(0.0, gap));
    }
}

fn uplink_modulator(sample_rate: u32, settings: LinkSettings) -> Modulator {
    Modulator::new(sample_rate, settings.rate, settings.level.sim_amplitude())
}

#[cfg(test)]
mod tests;
