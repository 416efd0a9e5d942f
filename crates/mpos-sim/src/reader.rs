//! [`VirtualReader`]: a card reader device at the event level.
//!
//! The "cardholder's hands" ([`VirtualReader::insert`], [`VirtualReader::swipe`], ...)
//! drive it; the phone talks to it through [`CardReader`]. Cards are read
//! only while a transaction is active, and every read is sealed under the
//! next DUKPT key, exactly as a real reader would.
//!
//! The reader reads what it is allowed to read and reports it; chip-first
//! is the phone's rule (the event-level reader swipes any card), and a
//! transaction may read several times until the host's answer or a cancel
//! ends it, so the phone can refuse a read and ask for another.
//!
//! PIN entry works as on the audio reader's firmware: a new random keypad
//! layout per entry, key positions in, a PIN block under the PIN key of the
//! last read's DUKPT counter out; one PIN per read.
//!
//! Events are delivered synchronously on the caller's thread, after the
//! reader's lock is released, so a sink may call back into the reader.
//!
//! Chip cards are [`VirtualIcc`]s personalised under the issuer master key
//! the reader is built with; the host's answer goes to the chip's second
//! GENERATE AC, and an approval the chip declines (AAC) is reported as
//! [`ReaderError::CardDeclined`] so the phone reverses it.

use crate::chip_data::TerminalData;
use crate::device::FIRMWARE;
use crate::icc::{CardDecision, VirtualIcc};
use crate::test_keys::{TEST_BDK, TEST_INITIAL_KEY_ID, TEST_ISSUER_MASTER_KEY};
use mpos_cards::{CardId, TestCard};
use mpos_core::reader::{
    CardReader, KeypadLayout, OnlineResult, ReaderError, ReaderEvent, ReaderEventSink, ReaderInfo,
    ReaderRequest,
};
use mpos_crypto::emv::IssuerMasterKey;
use mpos_crypto::envelope::{ClearCard, ReaderKeys};
use mpos_wire::api::PinBlockPayload;
use mpos_wire::{Brand, CardPayload, EntryMode, MaskedPan};
use rand::seq::SliceRandom;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use zeroize::Zeroizing;

/// Asia/Taipei is UTC+8 all year (no DST since 1979), so a fixed offset is exact.
const TAIPEI: time::UtcOffset = match time::UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+08:00 is a valid offset"),
};

/// A virtual audio-jack card reader holding DUKPT keys and reading test cards.
pub struct VirtualReader {
    state: Mutex<State>,
}

struct State {
    serial: String,
    battery_percent: Option<u8>,
    plugged_in: bool,
    keys: ReaderKeys,
    sink: Option<Arc<dyn ReaderEventSink>>,
    transaction: Option<ReaderRequest>,
    card_in_slot: Option<CardId>,
    last_online_result: Option<OnlineResult>,
    issuer_master_key: IssuerMasterKey,
    chips: HashMap<CardId, VirtualIcc>,
    chip_awaiting_result: Option<CardId>,
    /// Chip reads that failed since the last chip read that worked (the
    /// phone restarts the reader's transaction between tries): sealed into a
    /// later swipe of a chip card as the reader's fallback attestation.
    chip_failures: u32,
    last_card_decision: Option<CardDecision>,
    date: Option<time::Date>,
    /// The last read's card number, for its one PIN block; wiped when dropped.
    last_pan: Option<Zeroizing<String>>,
    /// The keypad layout of the PIN entry in progress.
    pin_pad: Option<[u8; 10]>,
}

impl VirtualReader {
    /// A reader injected with keys from `bdk` for `initial_key_id`, whose
    /// chip cards are personalised under `issuer_master_key`; unplugged.
    pub fn new(
        bdk: &[u8; 16],
        initial_key_id: [u8; 8],
        serial: impl Into<String>,
        issuer_master_key: &[u8; 16],
    ) -> Self {
        VirtualReader {
            state: Mutex::new(State {
                serial: serial.into(),
                battery_percent: Some(100),
                plugged_in: false,
                keys: ReaderKeys::inject(bdk, initial_key_id),
                sink: None,
                transaction: None,
                card_in_slot: None,
                last_online_result: None,
                issuer_master_key: IssuerMasterKey::new(*issuer_master_key),
                chips: HashMap::new(),
                chip_awaiting_result: None,
                chip_failures: 0,
                last_card_decision: None,
                date: None,
                last_pan: None,
                pin_pad: None,
            }),
        }
    }

    /// TEST ONLY: a reader injected from [`TEST_BDK`] with [`TEST_INITIAL_KEY_ID`],
    /// its cards personalised under [`TEST_ISSUER_MASTER_KEY`].
    pub fn with_test_keys() -> Self {
        VirtualReader::new(
            &TEST_BDK,
            TEST_INITIAL_KEY_ID,
            "SIM-90123456",
            &TEST_ISSUER_MASTER_KEY,
        )
    }

    /// Sets the battery level the reader reports.
    pub fn set_battery_percent(&self, percent: Option<u8>) {
        self.lock().battery_percent = percent.map(|p| p.min(100));
    }

    /// Fixes the transaction date (tag 9A); `None` uses today in Asia/Taipei.
    pub fn set_date(&self, date: Option<time::Date>) {
        self.lock().date = date;
    }

    /// Plugs the reader into the jack: emits `Connected`.
    pub fn plug_in(&self) {
        self.act(|state| {
            if state.plugged_in {
                return vec![];
            }
            state.plugged_in = true;
            vec![ReaderEvent::Connected(state.info())]
        });
    }

    /// Pulls the reader out: the transaction and the card in the slot are lost; emits `Disconnected`.
    pub fn unplug(&self) {
        self.act(|state| {
            if !state.plugged_in {
                return vec![];
            }
            state.plugged_in = false;
            state.transaction = None;
            state.card_in_slot = None;
            state.chip_awaiting_result = None;
            vec![ReaderEvent::Disconnected]
        });
    }

    /// Inserts a card into the chip slot.
    pub fn insert(&self, card: CardId) {
        self.act(|state| state.insert(TestCard::get(card), true));
    }

    /// Inserts a chip card whose chip does not answer.
    pub fn insert_with_unreadable_chip(&self, card: CardId) {
        self.act(|state| state.insert(TestCard::get(card), false));
    }

    /// Swipes a card's magnetic stripe.
    pub fn swipe(&self, card: CardId) {
        self.act(|state| state.swipe(TestCard::get(card)));
    }

    /// Swipes a card so badly that the stripe cannot be read: a failed swipe
    /// when a swipe is expected (this event-level reader has no head model).
    pub fn swipe_badly(&self, _card: CardId) {
        self.act(|state| {
            let swipe_allowed = state.transaction.as_ref().is_some_and(|r| r.swipe_allowed);
            if !state.plugged_in || !swipe_allowed {
                return vec![];
            }
            vec![ReaderEvent::SwipeFailed]
        });
    }

    /// Takes the card out of the slot.
    pub fn remove_card(&self) {
        self.act(|state| {
            if !state.plugged_in || state.card_in_slot.take().is_none() {
                return vec![];
            }
            vec![ReaderEvent::CardRemoved]
        });
    }

    /// The host's last answer handed to the reader.
    pub fn last_online_result(&self) -> Option<OnlineResult> {
        self.lock().last_online_result.clone()
    }

    /// What the chip answered to the last second GENERATE AC.
    pub fn last_card_decision(&self) -> Option<CardDecision> {
        self.lock().last_card_decision
    }

    /// Whether a transaction is collecting a card.
    pub fn transaction_active(&self) -> bool {
        self.lock().transaction.is_some()
    }

    /// Whether the reader is plugged in.
    pub fn is_plugged_in(&self) -> bool {
        self.lock().plugged_in
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent across a panicking sink: events are sent after unlocking.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Changes the state under the lock, then delivers the events without it.
    fn act(&self, change: impl FnOnce(&mut State) -> Vec<ReaderEvent>) {
        let (events, sink) = {
            let mut state = self.lock();
            let events = change(&mut state);
            (events, state.sink.clone())
        };
        if let Some(sink) = sink {
            for event in events {
                sink.on_reader_event(event);
            }
        }
    }
}

impl State {
    fn info(&self) -> ReaderInfo {
        ReaderInfo {
            serial: self.serial.clone(),
            firmware: FIRMWARE.to_string(),
            battery_percent: self.battery_percent,
            ksn: self.keys.next_ksn(),
        }
    }

    fn insert(&mut self, card: &TestCard, chip_answers: bool) -> Vec<ReaderEvent> {
        if !self.plugged_in || self.card_in_slot.is_some() {
            return vec![];
        }
        self.card_in_slot = Some(card.id);
        let mut events = vec![ReaderEvent::CardInserted];
        let Some(request) = self.transaction.clone() else {
            return events;
        };
        if !request.chip_allowed {
            // The phone prompts for a swipe (refunds); the chip is not touched.
            return events;
        }
        let read = if chip_answers && card.has_chip() {
            self.read_chip(card, &request)
        } else {
            None
        };
        events.push(match read {
            Some(payload) => {
                self.chip_failures = 0;
                ReaderEvent::ChipRead(payload)
            }
            None => {
                self.chip_failures += 1;
                ReaderEvent::ChipReadFailed
            }
        });
        events
    }

    fn swipe(&mut self, card: &TestCard) -> Vec<ReaderEvent> {
        let swipe_allowed = self.transaction.as_ref().is_some_and(|r| r.swipe_allowed);
        if !self.plugged_in || !swipe_allowed {
            return vec![];
        }
        // A chip read before this swipe will not be finished.
        self.chip_awaiting_result = None;
        vec![self
            .payload(card, EntryMode::Swipe, None)
            .map_or(ReaderEvent::SwipeFailed, ReaderEvent::CardSwiped)]
    }

    fn read_chip(&mut self, card: &TestCard, request: &ReaderRequest) -> Option<CardPayload> {
        self.chip_awaiting_result = None;
        let terminal = TerminalData {
            amount: request.amount,
            kind: request.kind,
            date: self
                .date
                .unwrap_or_else(|| time::OffsetDateTime::now_utc().to_offset(TAIPEI).date()),
            unpredictable_number: rand::random(),
        };
        let chip = match self.chips.entry(card.id) {
            Entry::Occupied(chip) => chip.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(VirtualIcc::personalise(card, &self.issuer_master_key).ok()?)
            }
        };
        let emv_tlv = chip.first_generate_ac(&terminal).ok()?.to_hex().ok()?;
        let payload = self.payload(card, EntryMode::Chip, Some(emv_tlv))?;
        self.chip_awaiting_result = Some(card.id);
        Some(payload)
    }

    /// Seals the card and describes it the way the phone may see it.
    fn payload(
        &mut self,
        card: &TestCard,
        entry_mode: EntryMode,
        emv_tlv: Option<String>,
    ) -> Option<CardPayload> {
        let masked_pan = MaskedPan::from_pan(card.pan)?;
        let brand = Brand::from_pan(card.pan)?;
        // A swipe of a chip card carries the chip failures this reader saw
        // (the phone labels it a fallback; this count is the evidence).
        let attested = match entry_mode {
            EntryMode::Chip => 0,
            EntryMode::Swipe | EntryMode::FallbackSwipe if card.has_chip() => {
                u8::try_from(self.chip_failures).unwrap_or(u8::MAX)
            }
            EntryMode::Swipe | EntryMode::FallbackSwipe => 0,
        };
        let sealed = self
            .keys
            .seal(&ClearCard {
                pan: card.pan.to_string(),
                expiry: card.expiry.to_string(),
                service_code: card.service_code.to_string(),
                chip_failures: attested,
            })
            .ok()?;
        self.last_pan = Some(Zeroizing::new(card.pan.to_string()));
        self.pin_pad = None;
        Some(CardPayload {
            masked_pan,
            brand,
            entry_mode,
            service_code: card.service_code.to_string(),
            ksn: sealed.ksn,
            ciphertext: sealed.ciphertext,
            emv_tlv,
        })
    }
}

impl CardReader for VirtualReader {
    fn set_event_sink(&self, sink: Arc<dyn ReaderEventSink>) {
        self.lock().sink = Some(sink);
    }

    fn info(&self) -> Option<ReaderInfo> {
        let state = self.lock();
        state.plugged_in.then(|| state.info())
    }

    fn start_transaction(&self, request: ReaderRequest) -> Result<(), ReaderError> {
        let mut state = self.lock();
        if !state.plugged_in {
            return Err(ReaderError::NotConnected);
        }
        if state.transaction.is_some() {
            return Err(ReaderError::Busy);
        }
        // A card left in the slot from before is not read: the cardholder
        // inserts it again after the prompt, as with a real reader.
        state.transaction = Some(request);
        state.chip_awaiting_result = None;
        Ok(())
    }

    /// Runs the chip's second GENERATE AC on the host's answer and reports
    /// the card's verdict as [`ReaderEvent::OnlineResultAnswered`] before
    /// returning (an approval the chip declines is [`ReaderError::CardDeclined`]).
    fn online_result(&self, result: OnlineResult) -> Result<(), ReaderError> {
        let mut taken = Err(ReaderError::NotConnected);
        self.act(|state| {
            if !state.plugged_in {
                return Vec::new();
            }
            // Second GENERATE AC for the chip whose ARQC went online, if any.
            let decision = state
                .chip_awaiting_result
                .take()
                .and_then(|card| state.chips.get_mut(&card))
                .and_then(|chip| {
                    chip.second_generate_ac(result.approved, result.issuer_authentication.as_ref())
                })
                .map(|answer| answer.decision);
            state.last_card_decision = decision;
            let approved = result.approved;
            state.last_online_result = Some(result);
            state.transaction = None;
            taken = Ok(());
            let verdict = if approved && decision == Some(CardDecision::Aac) {
                Err(ReaderError::CardDeclined)
            } else {
                Ok(())
            };
            vec![ReaderEvent::OnlineResultAnswered(verdict)]
        });
        taken
    }

    fn request_pin(&self) -> Result<(), ReaderError> {
        let mut result = Err(ReaderError::Refused);
        self.act(|state| {
            if !state.plugged_in || state.transaction.is_none() || state.last_pan.is_none() {
                return Vec::new();
            }
            let mut digits: [u8; 10] = std::array::from_fn(|i| i as u8);
            digits.shuffle(&mut rand::thread_rng());
            state.pin_pad = Some(digits);
            result = Ok(());
            vec![ReaderEvent::PinPad(KeypadLayout { digits })]
        });
        result
    }

    fn enter_pin(&self, keys: Vec<u8>) -> Result<(), ReaderError> {
        let mut result = Err(ReaderError::Refused);
        self.act(|state| {
            // One PIN per read: the layout and the number go once used.
            let (Some(layout), Some(pan)) = (state.pin_pad.take(), state.last_pan.take()) else {
                return Vec::new();
            };
            let pin: Zeroizing<String> = Zeroizing::new(
                keys.iter()
                    .filter_map(|&key| layout.get(usize::from(key)))
                    .map(|&digit| char::from(b'0' + digit))
                    .collect(),
            );
            let Ok(block) = state.keys.encipher_pin(&pin, &pan, &rand::random()) else {
                return Vec::new();
            };
            result = Ok(());
            vec![ReaderEvent::PinEntered(PinBlockPayload {
                ksn: block.ksn,
                block: block.block,
            })]
        });
        result
    }

    fn cancel(&self) {
        let mut state = self.lock();
        state.transaction = None;
        state.chip_awaiting_result = None;
        state.pin_pad = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording_sink::RecordingSink;
    use crate::test_issuer::{answer as issuer_answer, open};
    use mpos_crypto::emv::CardStatusUpdate;
    use mpos_crypto::envelope;
    use mpos_crypto::tlv::{self, tags};
    use mpos_wire::api::IssuerAuthentication;
    use mpos_wire::api::TxnKind;
    use mpos_wire::Money;
    use std::sync::{OnceLock, Weak};

    fn reader() -> (VirtualReader, Arc<RecordingSink>) {
        let reader = VirtualReader::with_test_keys();
        let sink = Arc::new(RecordingSink::new());
        reader.set_event_sink(sink.clone());
        reader.set_date(Some(time::macros::date!(2025 - 03 - 07)));
        (reader, sink)
    }

    fn sale(minor: u64) -> ReaderRequest {
        ReaderRequest {
            amount: Money::twd_minor(minor),
            kind: TxnKind::Sale,
            chip_allowed: true,
            swipe_allowed: true,
        }
    }

    fn refund(minor: u64) -> ReaderRequest {
        ReaderRequest {
            amount: Money::twd_minor(minor),
            kind: TxnKind::Refund,
            chip_allowed: false,
            swipe_allowed: true,
        }
    }

    /// A plugged-in reader in a sale, events so far forgotten.
    fn reader_in(request: ReaderRequest) -> (VirtualReader, Arc<RecordingSink>) {
        let (reader, sink) = reader();
        reader.plug_in();
        reader.start_transaction(request).unwrap();
        sink.take();
        (reader, sink)
    }

    fn counter(payload: &CardPayload) -> u32 {
        envelope::ksn_parts(&payload.ksn).unwrap().1
    }

    #[test]
    fn plugging_in_and_out_reports_the_reader() {
        let (reader, sink) = reader();
        assert_eq!(reader.info(), None);
        reader.plug_in();
        reader.plug_in();
        let info = reader.info().unwrap();
        assert_eq!(info.serial, "SIM-90123456");
        assert_eq!(info.ksn, "123456789012345600000001");
        assert_eq!(info.battery_percent, Some(100));
        reader.unplug();
        reader.unplug();
        assert_eq!(reader.info(), None);
        assert_eq!(
            sink.take(),
            vec![ReaderEvent::Connected(info), ReaderEvent::Disconnected]
        );
    }

    #[test]
    fn chip_read_carries_emv_data_and_an_envelope_that_opens_to_the_card() {
        let (reader, sink) = reader_in(sale(120_000));
        reader.insert(CardId::VisaChipApproved);
        let events = sink.take();
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0], ReaderEvent::CardInserted);
        let ReaderEvent::ChipRead(payload) = &events[1] else {
            panic!("expected a chip read, got {:?}", events[1]);
        };
        assert_eq!(payload.entry_mode, EntryMode::Chip);
        assert_eq!(payload.masked_pan.as_str(), "411111******1111");
        assert_eq!(payload.brand, Brand::Visa);
        assert_eq!(payload.service_code, "201");
        let clear = open(payload);
        assert_eq!(clear.pan, "4111111111111111");
        assert_eq!(clear.expiry, "3012");
        assert_eq!(clear.service_code, "201");

        let objects = tlv::parse_hex(payload.emv_tlv.as_ref().unwrap()).unwrap();
        let amount = tlv::find_bytes(&objects, tags::AMOUNT_AUTHORISED).unwrap();
        assert_eq!(tlv::numeric_value(amount).unwrap(), 120_000);
        let find = |tag| tlv::find_bytes(&objects, tag).unwrap().to_vec();
        assert_eq!(find(tags::TRANSACTION_CURRENCY_CODE), [0x09, 0x01]);
        assert_eq!(find(tags::TRANSACTION_DATE), [0x25, 0x03, 0x07]);
        assert_eq!(find(tags::TRANSACTION_TYPE), [0x00]);
        assert_eq!(find(tags::UNPREDICTABLE_NUMBER).len(), 4);
        assert_eq!(find(tags::PAN_SEQUENCE_NUMBER), [0x01]);
        assert_eq!(find(tags::AIP), [0x1C, 0x00]);
        assert_eq!(find(tags::ATC), [0x00, 0x01]);
        assert_eq!(find(tags::APPLICATION_CRYPTOGRAM).len(), 8);
        assert_eq!(find(tags::CRYPTOGRAM_INFORMATION_DATA), [0x80]);
        assert!(tlv::find(&objects, tags::PAN).is_none());
    }

    #[test]
    fn unreadable_chip_reports_failure_and_a_swipe_then_reads() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.insert_with_unreadable_chip(CardId::VisaChipApproved);
        assert_eq!(
            sink.take(),
            vec![ReaderEvent::CardInserted, ReaderEvent::ChipReadFailed]
        );
        reader.remove_card();
        reader.swipe(CardId::VisaChipApproved);
        let events = sink.take();
        assert_eq!(events[0], ReaderEvent::CardRemoved);
        let ReaderEvent::CardSwiped(payload) = &events[1] else {
            panic!("expected a swipe, got {events:?}");
        };
        assert_eq!(payload.entry_mode, EntryMode::Swipe);
        assert_eq!(payload.emv_tlv, None);
        assert!(payload.has_chip());
        assert_eq!(open(payload).pan, "4111111111111111");
    }

    #[test]
    fn inserting_a_stripe_only_card_fails_the_chip_read() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.insert(CardId::VisaSwipeOnlyApproved);
        assert_eq!(
            sink.take(),
            vec![ReaderEvent::CardInserted, ReaderEvent::ChipReadFailed]
        );
    }

    #[test]
    fn refund_insert_leaves_the_chip_alone_and_the_swipe_is_read() {
        let (reader, sink) = reader_in(refund(5_000));
        reader.insert(CardId::VisaChipApproved);
        assert_eq!(sink.take(), vec![ReaderEvent::CardInserted]);
        reader.remove_card();
        sink.take();
        reader.swipe(CardId::VisaSwipeOnlyApproved);
        let events = sink.take();
        let [ReaderEvent::CardSwiped(payload)] = events.as_slice() else {
            panic!("expected one swipe, got {events:?}");
        };
        assert_eq!(payload.masked_pan.as_str(), "424242******4242");
        assert_eq!(payload.service_code, "101");
        assert_eq!(open(payload).pan, "4242424242424242");
    }

    #[test]
    fn swipe_is_ignored_when_not_allowed() {
        let (reader, sink) = reader_in(ReaderRequest {
            swipe_allowed: false,
            ..sale(5_000)
        });
        reader.swipe(CardId::VisaSwipeOnlyApproved);
        reader.swipe_badly(CardId::VisaSwipeOnlyApproved);
        assert_eq!(sink.take(), vec![]);
    }

    #[test]
    fn a_bad_swipe_is_a_failed_swipe_and_the_next_good_one_reads() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.swipe_badly(CardId::VisaSwipeOnlyApproved);
        assert_eq!(sink.take(), vec![ReaderEvent::SwipeFailed]);
        reader.swipe(CardId::VisaSwipeOnlyApproved);
        assert!(matches!(
            sink.take().as_slice(),
            [ReaderEvent::CardSwiped(_)]
        ));
    }

    #[test]
    fn payloads_never_contain_the_pan_in_clear() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.swipe(CardId::MastercardChipApproved);
        reader.insert(CardId::MastercardChipApproved);
        let events = sink.take();
        let payloads: Vec<&CardPayload> = events
            .iter()
            .filter_map(|event| match event {
                ReaderEvent::CardSwiped(p) | ReaderEvent::ChipRead(p) => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(payloads.len(), 2);
        let pan = TestCard::get(CardId::MastercardChipApproved).pan;
        for payload in payloads {
            let json = serde_json::to_string(payload).unwrap();
            assert!(!json.contains(pan), "{json}");
            assert!(!format!("{payload:?}").contains(pan));
            // Not even as the hex of its BCD digits (tag 5A style).
            assert!(!payload.emv_tlv.clone().unwrap_or_default().contains(pan));
        }
    }

    #[test]
    fn nothing_happens_while_unplugged() {
        let (reader, sink) = reader();
        assert_eq!(
            reader.start_transaction(sale(100)),
            Err(ReaderError::NotConnected)
        );
        reader.insert(CardId::VisaChipApproved);
        reader.swipe(CardId::VisaChipApproved);
        reader.remove_card();
        assert_eq!(sink.take(), vec![]);
        assert!(matches!(
            reader.online_result(OnlineResult {
                approved: true,
                auth_code: Some("123456".into()),
                response_code: "00".into(),
                issuer_authentication: None,
            }),
            Err(ReaderError::NotConnected)
        ));
    }

    #[test]
    fn without_a_transaction_only_insert_and_remove_are_reported() {
        let (reader, sink) = reader();
        reader.plug_in();
        sink.take();
        reader.insert(CardId::VisaChipApproved);
        reader.swipe(CardId::VisaSwipeOnlyApproved);
        reader.remove_card();
        reader.remove_card();
        assert_eq!(
            sink.take(),
            vec![ReaderEvent::CardInserted, ReaderEvent::CardRemoved]
        );
        assert_eq!(reader.info().unwrap().ksn, "123456789012345600000001");
    }

    #[test]
    fn each_read_uses_the_next_ksn() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.insert(CardId::VisaChipApproved);
        reader.remove_card();
        reader.insert(CardId::VisaChipApproved);
        reader.swipe(CardId::JcbNoSignature);
        let payloads: Vec<CardPayload> = sink
            .take()
            .into_iter()
            .filter_map(|event| match event {
                ReaderEvent::CardSwiped(p) | ReaderEvent::ChipRead(p) => Some(p),
                _ => None,
            })
            .collect();
        let counters: Vec<u32> = payloads.iter().map(counter).collect();
        assert_eq!(counters, vec![1, 2, 3]);
        assert_eq!(reader.info().unwrap().ksn, "123456789012345600000004");
        // The card's own transaction counter moves with each chip read.
        let atc = |payload: &CardPayload| {
            let objects = tlv::parse_hex(payload.emv_tlv.as_ref().unwrap()).unwrap();
            tlv::find_bytes(&objects, tags::ATC).unwrap().to_vec()
        };
        assert_eq!(atc(&payloads[0]), [0, 1]);
        assert_eq!(atc(&payloads[1]), [0, 2]);
        assert_eq!(open(&payloads[2]).pan, "3566002020360505");
    }

    #[test]
    fn a_second_card_cannot_enter_an_occupied_slot() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.insert(CardId::VisaChipApproved);
        sink.take();
        reader.insert(CardId::MastercardChipApproved);
        assert_eq!(sink.take(), vec![]);
    }

    #[test]
    fn online_result_is_recorded_and_ends_the_transaction() {
        let (reader, sink) = reader_in(sale(5_000));
        assert_eq!(reader.start_transaction(sale(1)), Err(ReaderError::Busy));
        let result = OnlineResult {
            approved: true,
            auth_code: Some("654321".into()),
            response_code: "00".into(),
            issuer_authentication: None,
        };
        assert_eq!(verdict(&reader, &sink, result.clone()), Ok(()));
        assert_eq!(reader.last_online_result(), Some(result));
        assert!(!reader.transaction_active());
        reader.insert(CardId::VisaChipApproved);
        assert_eq!(sink.take(), vec![ReaderEvent::CardInserted]);
        assert_eq!(reader.start_transaction(sale(1)), Ok(()));
    }

    #[test]
    fn cancel_ends_the_transaction() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.cancel();
        assert!(!reader.transaction_active());
        reader.swipe(CardId::VisaSwipeOnlyApproved);
        assert_eq!(sink.take(), vec![]);
        assert_eq!(reader.start_transaction(sale(1)), Ok(()));
    }

    #[test]
    fn unplugging_ends_the_transaction() {
        let (reader, sink) = reader_in(sale(5_000));
        reader.unplug();
        reader.plug_in();
        sink.take();
        reader.insert(CardId::VisaChipApproved);
        assert_eq!(sink.take(), vec![ReaderEvent::CardInserted]);
    }

    fn approval(issuer_authentication: Option<IssuerAuthentication>) -> OnlineResult {
        OnlineResult {
            approved: true,
            auth_code: Some("123456".into()),
            response_code: "00".into(),
            issuer_authentication,
        }
    }

    /// Hands over the host's answer; returns the card's verdict the reader reported.
    fn verdict(
        reader: &VirtualReader,
        sink: &RecordingSink,
        result: OnlineResult,
    ) -> Result<(), ReaderError> {
        reader.online_result(result).expect("handed over");
        match sink.take().as_slice() {
            [ReaderEvent::OnlineResultAnswered(verdict)] => verdict.clone(),
            other => panic!("expected the card's verdict, got {other:?}"),
        }
    }

    fn chip_read(reader: &VirtualReader, sink: &RecordingSink, card: CardId) -> CardPayload {
        reader.insert(card);
        match sink.take().pop() {
            Some(ReaderEvent::ChipRead(payload)) => payload,
            other => panic!("expected a chip read, got {other:?}"),
        }
    }

    #[test]
    fn an_approval_with_the_issuers_arpc_ends_in_a_tc() {
        let (reader, sink) = reader_in(sale(480_000));
        let payload = chip_read(&reader, &sink, CardId::VisaChipApproved);
        let answer = issuer_answer(&payload, CardStatusUpdate::approval());
        assert_eq!(verdict(&reader, &sink, approval(Some(answer))), Ok(()));
        assert_eq!(reader.last_card_decision(), Some(CardDecision::Tc));
        assert!(!reader.transaction_active());
    }

    #[test]
    fn an_approval_the_card_cannot_authenticate_is_declined_by_the_card() {
        // No ARPC at all.
        let (reader, sink) = reader_in(sale(5_000));
        chip_read(&reader, &sink, CardId::MastercardChipApproved);
        assert_eq!(
            verdict(&reader, &sink, approval(None)),
            Err(ReaderError::CardDeclined)
        );
        assert_eq!(reader.last_card_decision(), Some(CardDecision::Aac));
        assert!(!reader.transaction_active());
        // An ARPC for an earlier read of the same card.
        reader.start_transaction(sale(5_000)).unwrap();
        reader.remove_card();
        let earlier = chip_read(&reader, &sink, CardId::MastercardChipApproved);
        reader.remove_card();
        chip_read(&reader, &sink, CardId::MastercardChipApproved);
        let stale = issuer_answer(&earlier, CardStatusUpdate::approval());
        assert_eq!(
            verdict(&reader, &sink, approval(Some(stale))),
            Err(ReaderError::CardDeclined)
        );
        // An ARPC whose CSU says decline.
        reader.start_transaction(sale(5_000)).unwrap();
        reader.remove_card();
        let payload = chip_read(&reader, &sink, CardId::MastercardChipApproved);
        let declining = issuer_answer(&payload, CardStatusUpdate::decline());
        assert_eq!(
            verdict(&reader, &sink, approval(Some(declining))),
            Err(ReaderError::CardDeclined)
        );
    }

    #[test]
    fn a_declined_or_swiped_transaction_is_not_a_card_decline() {
        let (reader, sink) = reader_in(sale(5_000));
        chip_read(&reader, &sink, CardId::VisaDeclined05);
        let declined = OnlineResult {
            approved: false,
            auth_code: None,
            response_code: "05".into(),
            issuer_authentication: None,
        };
        assert_eq!(verdict(&reader, &sink, declined), Ok(()));
        assert_eq!(reader.last_card_decision(), Some(CardDecision::Aac));
        // A fallback swipe after a chip read: no chip is waiting for the answer.
        reader.start_transaction(sale(5_000)).unwrap();
        reader.remove_card();
        chip_read(&reader, &sink, CardId::VisaChipApproved);
        reader.swipe(CardId::VisaChipApproved);
        sink.take();
        assert_eq!(verdict(&reader, &sink, approval(None)), Ok(()));
        assert_eq!(reader.last_card_decision(), None);
    }

    /// A sink that asks the reader for its info inside the callback, as an app might.
    struct ReentrantSink {
        reader: OnceLock<Weak<VirtualReader>>,
        seen: Mutex<Vec<Option<ReaderInfo>>>,
    }

    impl ReaderEventSink for ReentrantSink {
        fn on_reader_event(&self, _event: ReaderEvent) {
            let reader = self.reader.get().and_then(Weak::upgrade).unwrap();
            self.seen.lock().unwrap().push(reader.info());
        }
    }

    #[test]
    fn a_sink_may_call_back_into_the_reader() {
        let reader = Arc::new(VirtualReader::with_test_keys());
        let sink = Arc::new(ReentrantSink {
            reader: OnceLock::new(),
            seen: Mutex::new(vec![]),
        });
        sink.reader.set(Arc::downgrade(&reader)).unwrap();
        reader.set_event_sink(sink.clone());
        reader.plug_in();
        reader.start_transaction(sale(100)).unwrap();
        reader.insert(CardId::VisaChipApproved);
        let seen = sink.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3);
        // After the chip read the reader already shows the next KSN.
        assert_eq!(seen[2].as_ref().unwrap().ksn, "123456789012345600000002");
    }

    #[test]
    fn date_defaults_to_today_in_taipei() {
        let (reader, sink) = reader_in(sale(100));
        reader.set_date(None);
        reader.insert(CardId::VisaChipApproved);
        let events = sink.take();
        let ReaderEvent::ChipRead(payload) = &events[1] else {
            panic!("{events:?}");
        };
        let objects = tlv::parse_hex(payload.emv_tlv.as_ref().unwrap()).unwrap();
        let date = tlv::find_bytes(&objects, tags::TRANSACTION_DATE).unwrap();
        let yymmdd = |day: time::Date| {
            (day.year() % 100) as u64 * 10_000
                + u8::from(day.month()) as u64 * 100
                + day.day() as u64
        };
        let today = time::OffsetDateTime::now_utc().to_offset(TAIPEI).date();
        // Around midnight the read may have happened on the day before.
        let accepted = [yymmdd(today), yymmdd(today.previous_day().unwrap())];
        assert!(accepted.contains(&tlv::numeric_value(date).unwrap()));
    }
}
