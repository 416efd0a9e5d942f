//! [`LinkDriver`]: the audio-jack driver's logic, sans-IO. Audio blocks and
//! the app's commands go in; link messages, [`ReaderEvent`]s and the
//! reader's answer to the host's result come out. The sample count of the
//! phone's [`Station`] is its only clock, so tests run it faster than real
//! time on one thread.
//!
//! Life of a connection: while no reader answers, the driver looks for one
//! (checks the remembered [`LinkProfile`] with one SetLink exchange, or runs
//! the full auto-configuration), pausing [`SEARCH_PAUSE_MS`] between tries.
//! Once configured it asks for the reader's Info and reports `Connected`.
//! While connected it sends a keep-alive GetInfo after [`KEEPALIVE_MS`] of
//! quiet; any frame the reader leaves unacknowledged after the ARQ's 4
//! transmissions means the reader is gone: `Disconnected`, and the search
//! starts again.

use super::mapping;
use crate::model::self_check::{LinkQuality, ProfileOrigin};
use crate::reader::{OnlineResult, ReaderError, ReaderEvent, ReaderInfo, ReaderRequest};
use mpos_link::message::{PinKeys, ReaderErrorCode, ReaderErrorReport, TransactionOutcome};
use mpos_link::{FrameType, LinkProfile, Message, Station, StationError, StationEvent};
use std::collections::VecDeque;

/// Quiet time after which a connected driver checks that the reader is still there.
pub const KEEPALIVE_MS: u32 = 1_000;

/// Pause between two searches for a reader that did not answer.
pub const SEARCH_PAUSE_MS: u32 = 300;

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Nothing is in the headset jack (the platform said so): silent, no search.
    Unplugged,
    /// No reader answered; the next search starts at this sample.
    Searching {
        /// Station sample at which to look again.
        retry_at: u64,
    },
    /// Auto-configuration runs (or the check of the remembered profile).
    Configuring {
        /// Whether it is the one-exchange check of a remembered profile.
        verifying: bool,
    },
    /// The link works; waiting for the reader's Info.
    Identifying,
    /// The reader answered: the app may use it.
    Connected,
}

/// The phone's end of the reader link.
#[derive(Debug)]
pub struct LinkDriver {
    sample_rate: u32,
    phone_model: String,
    profile: Option<LinkProfile>,
    /// Whether the profile in use was known before this connection.
    profile_origin: ProfileOrigin,
    station: Station,
    state: LinkState,
    info: Option<ReaderInfo>,
    request: Option<ReaderRequest>,
    /// The host's answer handed to the reader and not yet answered:
    /// whether it approved.
    online: Option<bool>,
    next_keepalive: u64,
    events: VecDeque<ReaderEvent>,
}

impl LinkDriver {
    /// A driver for audio at `sample_rate` on the phone model `phone_model`,
    /// with nothing learned about it yet.
    pub fn new(sample_rate: u32, phone_model: &str) -> Result<LinkDriver, StationError> {
        Ok(LinkDriver {
            sample_rate,
            phone_model: phone_model.to_string(),
            profile: None,
            profile_origin: ProfileOrigin::Learned,
            station: Station::phone(sample_rate, &LinkProfile::power_up_default(phone_model))?,
            state: LinkState::Searching { retry_at: 0 },
            info: None,
            request: None,
            online: None,
            next_keepalive: 0,
            events: VecDeque::new(),
        })
    }

    /// Starts from a remembered profile; one of another phone model is ignored.
    pub fn remember(&mut self, profile: LinkProfile) {
        if profile.phone_model == self.phone_model {
            self.profile = Some(profile);
        }
    }

    /// The profile learned (or given) for this phone model.
    pub fn profile(&self) -> Option<&LinkProfile> {
        self.profile.as_ref()
    }

    /// The link in use, as measured when it was set up; `None` unless connected.
    pub fn link_quality(&self) -> Option<LinkQuality> {
        let profile = self.profile.as_ref()?;
        if self.state != LinkState::Connected {
            return None;
        }
        Some(LinkQuality {
            sample_rate: self.sample_rate,
            uplink_bps: profile.settings.rate.bits_per_second(),
            drive_level: profile.settings.level.0,
            rx_level_percent: (profile.rx_amplitude * 100.0).round().clamp(0.0, 100.0) as u8,
            eye_snr_tenths_db: (profile.eye_snr_db * 10.0).round() as i32,
            phone_model: profile.phone_model.clone(),
            origin: self.profile_origin,
        })
    }

    /// Where the connection stands.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Whether nothing waits to be sent or acknowledged on the link.
    pub fn is_link_idle(&self) -> bool {
        self.station.is_idle()
    }

    /// The connected reader's identity.
    pub fn info(&self) -> Option<&ReaderInfo> {
        self.info
            .as_ref()
            .filter(|_| self.state == LinkState::Connected)
    }

    /// The platform reports the headset jack empty: the reader is gone at
    /// once (no waiting for unanswered frames), and nothing is sent.
    pub fn unplugged(&mut self) {
        if self.state != LinkState::Unplugged {
            self.lose_link();
            self.state = LinkState::Unplugged;
        }
    }

    /// The platform reports something in the headset jack: look for a reader now.
    pub fn plugged(&mut self) {
        if self.state == LinkState::Unplugged {
            self.state = LinkState::Searching {
                retry_at: self.station.now(),
            };
        }
    }

    /// One audio block: the microphone samples in, the data channel's samples out.
    pub fn process(&mut self, input: &[f32], data_out: &mut [f32]) {
        if self.state == LinkState::Unplugged {
            data_out.fill(0.0);
            return;
        }
        self.station.process(input, data_out);
        while let Some(event) = self.station.poll_event() {
            self.on_station_event(event);
        }
        self.tick();
    }

    /// The next event for the app.
    pub fn poll_event(&mut self) -> Option<ReaderEvent> {
        self.events.pop_front()
    }

    /// Asks the reader to collect a card.
    pub fn start_transaction(&mut self, request: ReaderRequest) -> Result<(), ReaderError> {
        if self.state != LinkState::Connected {
            return Err(ReaderError::NotConnected);
        }
        if self.request.is_some() {
            return Err(ReaderError::Busy);
        }
        // A full queue, or a request allowing no entry mode, cannot be sent.
        self.station
            .send(&mapping::start_message(&request))
            .map_err(|_| ReaderError::Busy)?;
        self.request = Some(request);
        Ok(())
    }

    /// Stops the reader's transaction (and any wait for its verdict).
    pub fn cancel(&mut self) {
        self.request = None;
        self.online = None;
        if self.state == LinkState::Connected {
            let _ = self.station.send(&Message::Cancel);
        }
    }

    /// Hands the host's answer to the reader; its verdict comes later as
    /// [`ReaderEvent::OnlineResultAnswered`].
    pub fn send_online_result(&mut self, result: &OnlineResult) -> Result<(), ReaderError> {
        if self.state != LinkState::Connected {
            return Err(ReaderError::NotConnected);
        }
        self.station
            .send(&mapping::online_message(result))
            .map_err(|_| ReaderError::Busy)?;
        self.online = Some(result.approved);
        // Collecting a card is over; only the verdict is awaited. The next
        // transaction may start at once: the link delivers its start after
        // this answer, in order.
        self.request = None;
        Ok(())
    }

    /// Asks the reader for a PIN entry for the card it just read.
    pub fn request_pin(&mut self) -> Result<(), ReaderError> {
        self.send_command(&Message::RequestPin)
    }

    /// Hands the reader the keypad positions touched.
    pub fn enter_pin(&mut self, keys: Vec<u8>) -> Result<(), ReaderError> {
        let keys = PinKeys::new(keys).map_err(|_| ReaderError::Refused)?;
        self.send_command(&Message::PinEntered(keys))
    }

    fn send_command(&mut self, message: &Message) -> Result<(), ReaderError> {
        if self.state != LinkState::Connected {
            return Err(ReaderError::NotConnected);
        }
        self.station
            .send(message)
            .map(|_| ())
            .map_err(|_| ReaderError::Busy)
    }

    /// Ends a wait for the reader's verdict with `verdict`.
    fn answer_online(&mut self, verdict: Result<(), ReaderError>) {
        if self.online.take().is_some() {
            self.events
                .push_back(ReaderEvent::OnlineResultAnswered(verdict));
        }
    }

    fn on_station_event(&mut self, event: StationEvent) {
        match event {
            StationEvent::AutoConfigured(profile) => {
                tracing::info!(rate = ?profile.settings.rate, level = profile.settings.level.0, "reader link configured");
                self.profile_origin = match self.state {
                    LinkState::Configuring { verifying: true } => ProfileOrigin::Saved,
                    _ => ProfileOrigin::Learned,
                };
                self.profile = Some(profile);
                self.state = LinkState::Identifying;
                self.send(&Message::GetInfo);
            }
            StationEvent::AutoConfigFailed(error) => {
                if self.state == (LinkState::Configuring { verifying: true }) {
                    // The remembered settings no longer work: learn them again.
                    tracing::info!(%error, "remembered reader link profile failed; configuring anew");
                    self.begin_search(false);
                } else {
                    self.state = LinkState::Searching {
                        retry_at: self.after_ms(SEARCH_PAUSE_MS),
                    };
                }
            }
            StationEvent::Received { message, .. } => self.on_message(message),
            StationEvent::Failed { frame_type, .. } => {
                tracing::info!(?frame_type, "the reader stopped answering");
                self.lose_link();
            }
            StationEvent::Delivered { .. }
            | StationEvent::Rejected(_)
            | StationEvent::LinkChanged(_) => {}
        }
    }

    fn on_message(&mut self, message: Message) {
        // Any word from the reader shows it is there.
        self.next_keepalive = self.after_ms(KEEPALIVE_MS);
        match message {
            Message::Info(info) => {
                let info = mapping::reader_info(&info);
                self.info = Some(info.clone());
                if self.state == LinkState::Identifying {
                    self.state = LinkState::Connected;
                    self.events.push_back(ReaderEvent::Connected(info));
                }
            }
            Message::TransactionDone(done) => self.on_transaction_done(done.outcome),
            Message::Error(report) => self.on_error(report),
            other if self.state == LinkState::Connected => {
                if let Some(event) = mapping::card_event(&other) {
                    self.events.push_back(event);
                }
            }
            _ => {}
        }
    }

    fn on_transaction_done(&mut self, outcome: TransactionOutcome) {
        if let Some(approved) = self.online {
            self.answer_online(mapping::online_answer(approved, outcome));
        } else if outcome == TransactionOutcome::TimedOut {
            // The app still waits for a card: the reader's 60 s wait starts again.
            if let Some(request) = self.request.clone() {
                self.send(&mapping::start_message(&request));
            }
        }
    }

    fn on_error(&mut self, report: ReaderErrorReport) {
        tracing::info!(code = ?report.code, command = ?report.command, "the reader refused a command");
        match (report.command, report.code) {
            (Some(FrameType::OnlineResult), _) => {
                // The reader lost the transaction: the card did not finish it.
                self.answer_online(Err(ReaderError::Timeout));
            }
            (Some(FrameType::RequestPin | FrameType::PinEntered), _) => {
                self.events.push_back(ReaderEvent::PinEntryFailed);
            }
            (Some(FrameType::StartTransaction), ReaderErrorCode::Busy) => {
                // The reader still runs a transaction this app never started
                // (an earlier app run): end it and start ours.
                if let Some(request) = self.request.clone() {
                    self.send(&Message::Cancel);
                    self.send(&mapping::start_message(&request));
                }
            }
            _ => {}
        }
    }

    fn lose_link(&mut self) {
        let was_connected = self.state == LinkState::Connected;
        self.answer_online(Err(ReaderError::NotConnected));
        self.info = None;
        self.request = None;
        // A fresh station drops whatever still waited for the lost reader.
        let default = LinkProfile::power_up_default(&self.phone_model);
        if let Ok(station) = Station::phone(self.sample_rate, &default) {
            self.station = station;
        }
        self.state = LinkState::Searching {
            retry_at: self.station.now(),
        };
        if was_connected {
            self.events.push_back(ReaderEvent::Disconnected);
        }
    }

    fn tick(&mut self) {
        let now = self.station.now();
        match self.state {
            LinkState::Searching { retry_at } if now >= retry_at => {
                self.begin_search(self.profile.is_some());
            }
            LinkState::Connected if now >= self.next_keepalive => {
                if self.station.is_idle() {
                    self.send(&Message::GetInfo);
                }
                self.next_keepalive = self.after_ms(KEEPALIVE_MS);
            }
            _ => {}
        }
    }

    fn begin_search(&mut self, verify: bool) {
        let started = match (&self.profile, verify) {
            (Some(profile), true) => self.station.verify_profile(profile),
            _ => self.station.start_autoconfig(&self.phone_model),
        };
        self.state = match started {
            Ok(()) => LinkState::Configuring { verifying: verify },
            Err(_) => LinkState::Searching {
                retry_at: self.after_ms(SEARCH_PAUSE_MS),
            },
        };
    }

    fn send(&mut self, message: &Message) {
        if let Err(error) = self.station.send(message) {
            tracing::warn!(%error, frame_type = ?message.frame_type(), "could not queue a message for the reader");
        }
    }

    fn after_ms(&self, millis: u32) -> u64 {
        self.station.now() + u64::from(millis) * u64::from(self.sample_rate) / 1000
    }
}

#[cfg(test)]
mod tests;
