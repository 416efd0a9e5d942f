//! [`ReaderDevice`]: the virtual reader as a device on the far end of the
//! headset jack. It hears the phone's output and answers in audio, and
//! nothing else connects it to the phone.
//!
//! [`ReaderDevice::process`] takes what reaches the jack from the phone,
//! interleaved stereo (left: the power tone, right: downlink data), and
//! writes the microphone signal it drives, mono, one sample per input frame.
//! While plugged in and hearing the tone it is awake: a reader-side
//! [`Station`] (power-up settings) runs the link and the [`Firmware`] reads
//! cards. Without the tone it sleeps; the next wake starts a fresh link.
//!
//! The cardholder's hands are the same as the event-level reader's:
//! [`ReaderDevice::plug_in`], [`ReaderDevice::unplug`],
//! [`ReaderDevice::insert`], [`ReaderDevice::insert_with_unreadable_chip`],
//! [`ReaderDevice::swipe`], [`ReaderDevice::swipe_badly`],
//! [`ReaderDevice::remove_card`]. They act only while the reader is awake,
//! as on the event-level reader while plugged.
//!
//! Readers seal with AES-128 DUKPT unless built with [`KeyScheme::Tdes`]
//! ([`ReaderDevice::with_keys`], [`ReaderDevice::with_legacy_test_keys`]).

pub mod chip_first;
pub mod firmware;
pub mod key_scheme;
pub mod power_detector;
pub mod stripe_read;

pub use firmware::{Firmware, Terminal};

/// Firmware version the virtual readers report.
pub const FIRMWARE: &str = concat!("mpos-sim ", env!("CARGO_PKG_VERSION"));
pub use key_scheme::KeyScheme;
pub use power_detector::PowerDetector;

use crate::icc::CardDecision;
use crate::test_keys::TEST_ISSUER_MASTER_KEY;
use mpos_cards::{CardId, TestCard};
use mpos_link::message::LinkSettings;
use mpos_link::phy::DEFAULT_UPLINK;
use mpos_link::{Station, StationEvent};

/// Asia/Taipei is UTC+8 all year (no DST since 1979), so a fixed offset is exact.
const TAIPEI: time::UtcOffset = match time::UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+08:00 is a valid offset"),
};

/// A virtual audio-jack card reader with its own link, firmware and keys.
#[derive(Debug)]
pub struct ReaderDevice {
    sample_rate: u32,
    firmware: Firmware,
    plugged_in: bool,
    power: PowerDetector,
    station: Option<Station>,
    samples: u64,
    data_in: Vec<f32>,
    date: Option<time::Date>,
}

impl ReaderDevice {
    /// A reader running at `sample_rate`, injected with AES DUKPT keys from
    /// `bdk` for `initial_key_id`, reading chips personalised under
    /// `issuer_master_key`; unplugged.
    pub fn new(
        sample_rate: u32,
        bdk: &[u8; 16],
        initial_key_id: [u8; 8],
        serial: impl Into<String>,
        issuer_master_key: &[u8; 16],
    ) -> ReaderDevice {
        let scheme = KeyScheme::Aes128 {
            bdk: *bdk,
            initial_key_id,
        };
        ReaderDevice::with_keys(sample_rate, &scheme, serial, issuer_master_key)
    }

    /// A reader injected with keys of either DUKPT scheme; unplugged.
    pub fn with_keys(
        sample_rate: u32,
        scheme: &KeyScheme,
        serial: impl Into<String>,
        issuer_master_key: &[u8; 16],
    ) -> ReaderDevice {
        ReaderDevice {
            sample_rate,
            firmware: Firmware::with_keys(scheme, serial, issuer_master_key),
            plugged_in: false,
            power: PowerDetector::new(sample_rate),
            station: None,
            samples: 0,
            data_in: Vec::new(),
            date: None,
        }
    }

    /// TEST ONLY: a reader with the published test keys (see [`crate::test_keys`]).
    pub fn with_test_keys(sample_rate: u32) -> ReaderDevice {
        ReaderDevice::with_keys(
            sample_rate,
            &KeyScheme::aes_test(),
            "SIM-90123456",
            &TEST_ISSUER_MASTER_KEY,
        )
    }

    /// TEST ONLY: a legacy reader sealing with TDES DUKPT under the
    /// published X9.24-1 test BDK and KSN (see [`crate::test_keys`]).
    pub fn with_legacy_test_keys(sample_rate: u32) -> ReaderDevice {
        ReaderDevice::with_keys(
            sample_rate,
            &KeyScheme::tdes_test(),
            "SIM-T0019087",
            &TEST_ISSUER_MASTER_KEY,
        )
    }

    /// The sample rate `process` expects.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Fixes the transaction date (tag 9A); `None` uses today in Asia/Taipei.
    pub fn set_date(&mut self, date: Option<time::Date>) {
        self.date = date;
    }

    /// Sets the battery level the reader reports.
    pub fn set_battery_percent(&mut self, percent: Option<u8>) {
        self.firmware.set_battery_percent(percent);
    }

    /// One audio block: `input` interleaved stereo from the jack (tone, data),
    /// `output` the microphone line, one sample per input frame.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) {
        let frames = (input.len() / 2).min(output.len());
        output.fill(0.0);
        if !self.plugged_in {
            self.sleep();
            return;
        }
        if self.data_in.len() < frames {
            self.data_in.resize(frames, 0.0);
        }
        for (i, frame) in input.chunks_exact(2).take(frames).enumerate() {
            self.power.push(frame[0]);
            self.data_in[i] = frame[1];
        }
        match (self.power.is_present(), self.station.is_some()) {
            (true, false) => self.wake(),
            (false, true) => self.sleep(),
            _ => {}
        }
        let now_ms = self.samples * 1000 / u64::from(self.sample_rate);
        self.samples += frames as u64;
        let Some(station) = &mut self.station else {
            return;
        };
        station.process(&self.data_in[..frames], &mut output[..frames]);
        while let Some(event) = station.poll_event() {
            if let StationEvent::Received { message, .. } = event {
                self.firmware.on_message(message, now_ms);
            }
        }
        self.firmware.tick(now_ms);
        self.flush();
    }

    /// Hands the firmware's messages to the link.
    fn flush(&mut self) {
        let Some(station) = &mut self.station else {
            return;
        };
        while let Some(message) = self.firmware.poll_message() {
            // The ARQ queue holds 8: a burst beyond that is lost, as on a real reader.
            let _ = station.send(&message);
        }
    }

    fn wake(&mut self) {
        let settings = LinkSettings {
            rate: DEFAULT_UPLINK.0,
            level: DEFAULT_UPLINK.1,
        };
        self.station = Station::reader(self.sample_rate, settings).ok();
    }

    fn sleep(&mut self) {
        if self.station.take().is_some() {
            self.firmware.power_down();
        }
        self.power.reset();
    }

    /// Plugs the reader into the jack: it wakes when it hears the power tone.
    pub fn plug_in(&mut self) {
        self.plugged_in = true;
    }

    /// Pulls the reader out: it hears nothing, says nothing, and its transaction is lost.
    pub fn unplug(&mut self) {
        self.plugged_in = false;
        self.sleep();
    }

    /// Inserts a card into the chip slot.
    pub fn insert(&mut self, card: CardId) {
        self.insert_card(card, true);
    }

    /// Inserts a chip card whose chip does not answer.
    pub fn insert_with_unreadable_chip(&mut self, card: CardId) {
        self.insert_card(card, false);
    }

    fn insert_card(&mut self, card: CardId, chip_answers: bool) {
        if self.is_awake() {
            let terminal = Terminal {
                date: self
                    .date
                    .unwrap_or_else(|| time::OffsetDateTime::now_utc().to_offset(TAIPEI).date()),
                unpredictable_number: rand::random(),
            };
            self.firmware
                .insert(TestCard::get(card), chip_answers, terminal);
        }
    }

    /// Swipes a card's magnetic stripe.
    pub fn swipe(&mut self, card: CardId) {
        if self.is_awake() {
            self.firmware.swipe(TestCard::get(card));
        }
    }

    /// Swipes a card so badly that its stripe cannot be read.
    pub fn swipe_badly(&mut self, card: CardId) {
        if self.is_awake() {
            self.firmware.swipe_badly(TestCard::get(card));
        }
    }

    /// Takes the card out of the slot.
    pub fn remove_card(&mut self) {
        if self.is_awake() {
            self.firmware.remove_card();
        }
    }

    /// Whether the reader is plugged into the jack.
    pub fn is_plugged_in(&self) -> bool {
        self.plugged_in
    }

    /// Whether the reader is powered by the tone and running its link.
    pub fn is_awake(&self) -> bool {
        self.station.is_some()
    }

    /// Whether nothing waits to be sent to the phone or acknowledged by it.
    pub fn is_idle(&self) -> bool {
        !self.firmware.has_output() && self.station.as_ref().is_none_or(Station::is_idle)
    }

    /// Whether a transaction is collecting a card or waiting for the host.
    pub fn transaction_active(&self) -> bool {
        self.firmware.transaction_active()
    }

    /// Chip failures counted toward fallback in the current transaction.
    pub fn chip_failures(&self) -> u32 {
        self.firmware.chip_failures()
    }

    /// What the chip answered to the last second GENERATE AC.
    pub fn last_card_decision(&self) -> Option<CardDecision> {
        self.firmware.last_card_decision()
    }
}
