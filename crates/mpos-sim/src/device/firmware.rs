//! [`Firmware`]: the virtual reader's firmware, sans-IO. Link messages from
//! the phone and the cardholder's hands go in; link messages for the phone
//! come out. Time enters as milliseconds, today's date and the terminal's
//! random numbers from the device around it.
//!
//! It holds the card slot, the DUKPT keys that seal every read (AES-128 or,
//! for legacy readers, TDES: [`KeyScheme`]), the chips of the cards it has
//! seen ([`VirtualIcc`]: ARQC at the first GENERATE AC, TC or AAC at the
//! second), and applies chip first and the fallback rule itself
//! ([`super::chip_first`]). Refunds are swipe only.
//!
//! PIN entry happens on the phone's screen, but the PIN exists only here:
//! for each RequestPin the firmware shuffles a new keypad layout, maps the
//! positions the phone reports back through it, and enciphers the PIN
//! under the PIN key of the card read's DUKPT counter (one PIN per read).
//!
//! A swipe goes through the magnetic head ([`super::stripe_read`]): the
//! card's tracks become the head's signal, the MCU's decoder reads it back,
//! and only the decoded data is judged (service code) and sealed. Each
//! swipe's motion and noise come from a seed drawn from the reader's serial
//! and its swipe count, so a run repeats exactly.

use super::chip_first::{judge_swipe, SwipeVerdict};
use super::key_scheme::KeyScheme;
use super::stripe_read::{read_stripe, SwipeStyle};
use super::FIRMWARE;
use crate::chip_data::TerminalData;
use crate::emv_kernel::ContactKernel;
use crate::icc::{CardDecision, VirtualIcc};
use mpos_cards::{CardId, TestCard};
use mpos_crypto::emv::IssuerMasterKey;
use mpos_crypto::envelope::{ClearCard, DeviceKeys};
use mpos_crypto::tlv::{self, tags, Tlv};
use mpos_link::message::{
    CardData, ChipFailure, OnlineResult, PinBlock, PinKeys, PinPadLayout, ReaderErrorCode,
    ReaderErrorReport, ReaderInfo, StartTransaction, TransactionDone, TransactionOutcome,
};
use mpos_link::{FrameType, Message};
use mpos_wire::{Brand, CardPayload, EntryMode, MaskedPan};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use zeroize::Zeroizing;

/// How long a transaction waits for a card before it ends with TimedOut.
pub const CARD_WAIT_MS: u64 = 60_000;

/// Cryptogram information data (9F27) of a TC and of an AAC.
const CID_TC: u8 = 0x40;
const CID_AAC: u8 = 0x00;

/// The card read that waits for the host's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Chip(CardId),
    Stripe,
}

/// Where the PIN entry of the card read stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PinEntry {
    /// No PIN asked for this read.
    NotAsked,
    /// The phone shows this layout; its positions come next.
    PadShown(PinPadLayout),
    /// The read's PIN block was sent: one per DUKPT counter.
    Enciphered,
}

#[derive(Debug, Clone)]
struct Transaction {
    start: StartTransaction,
    started_ms: u64,
    chip_failures: u32,
    read: Option<Read>,
    /// The card number of the read, for its PIN block; wiped when dropped.
    pan: Option<Zeroizing<String>>,
    pin: PinEntry,
}

/// The reader's firmware.
pub struct Firmware {
    serial: String,
    battery_percent: Option<u8>,
    keys: DeviceKeys,
    swipes: u64,
    issuer_master_key: IssuerMasterKey,
    chips: HashMap<CardId, VirtualIcc>,
    slot: Option<CardId>,
    transaction: Option<Transaction>,
    outbox: VecDeque<Message>,
    last_card_decision: Option<CardDecision>,
    /// The reader's random source for keypad layouts and PIN block fill;
    /// seeded from the serial so a simulated run repeats (a real reader has a TRNG).
    rng: StdRng,
}

impl std::fmt::Debug for Firmware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Firmware")
            .field("serial", &self.serial)
            .field("slot", &self.slot)
            .field("transaction", &self.transaction.is_some())
            .finish_non_exhaustive()
    }
}

impl Firmware {
    /// Firmware injected with AES DUKPT keys from `bdk` for `initial_key_id`,
    /// reading chips personalised under `issuer_master_key`.
    pub fn new(
        bdk: &[u8; 16],
        initial_key_id: [u8; 8],
        serial: impl Into<String>,
        issuer_master_key: &[u8; 16],
    ) -> Firmware {
        let scheme = KeyScheme::Aes128 {
            bdk: *bdk,
            initial_key_id,
        };
        Firmware::with_keys(&scheme, serial, issuer_master_key)
    }

    /// Firmware injected with keys of either scheme.
    pub fn with_keys(
        scheme: &KeyScheme,
        serial: impl Into<String>,
        issuer_master_key: &[u8; 16],
    ) -> Firmware {
        let serial = serial.into();
        Firmware {
            rng: StdRng::seed_from_u64(swipe_seed(&serial, u64::MAX)),
            serial,
            battery_percent: Some(100),
            keys: scheme.inject(),
            swipes: 0,
            issuer_master_key: IssuerMasterKey::new(*issuer_master_key),
            chips: HashMap::new(),
            slot: None,
            transaction: None,
            outbox: VecDeque::new(),
            last_card_decision: None,
        }
    }

    /// Sets the battery level reported in Info.
    pub fn set_battery_percent(&mut self, percent: Option<u8>) {
        self.battery_percent = percent.map(|p| p.min(100));
    }

    /// The next message for the phone.
    pub fn poll_message(&mut self) -> Option<Message> {
        self.outbox.pop_front()
    }

    /// Whether messages wait to be handed to the link.
    pub fn has_output(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// Whether a transaction is collecting a card or waiting for the host.
    pub fn transaction_active(&self) -> bool {
        self.transaction.is_some()
    }

    /// Chip failures counted for fallback in the current transaction.
    pub fn chip_failures(&self) -> u32 {
        self.transaction.as_ref().map_or(0, |t| t.chip_failures)
    }

    /// The card in the slot.
    pub fn card_in_slot(&self) -> Option<CardId> {
        self.slot
    }

    /// What the chip answered to the last second GENERATE AC.
    pub fn last_card_decision(&self) -> Option<CardDecision> {
        self.last_card_decision
    }

    /// The tone stopped: the transaction and anything unsent are lost (the
    /// battery keeps the keys, the chips' counters and the card in the slot).
    pub fn power_down(&mut self) {
        self.transaction = None;
        self.outbox.clear();
    }

    /// A command from the phone, at `now_ms`.
    pub fn on_message(&mut self, message: Message, now_ms: u64) {
        match message {
            Message::GetInfo => {
                let info = self.info();
                self.outbox.push_back(Message::Info(info));
            }
            Message::StartTransaction(start) => {
                if self.transaction.is_some() {
                    self.refuse(ReaderErrorCode::Busy, FrameType::StartTransaction);
                } else {
                    // A card already in the slot is not read: it is inserted after the prompt.
                    self.transaction = Some(Transaction {
                        start,
                        started_ms: now_ms,
                        chip_failures: 0,
                        read: None,
                        pan: None,
                        pin: PinEntry::NotAsked,
                    });
                }
            }
            Message::OnlineResult(result) => match self.transaction.take() {
                Some(transaction) => self.complete(transaction, &result),
                None => self.refuse(ReaderErrorCode::NoTransaction, FrameType::OnlineResult),
            },
            Message::RequestPin => self.show_pin_pad(),
            Message::PinEntered(keys) => self.encipher_pin(&keys),
            Message::Cancel => match self.transaction.take() {
                Some(_) => self.done(TransactionOutcome::Cancelled, Vec::new()),
                None => self.refuse(ReaderErrorCode::NoTransaction, FrameType::Cancel),
            },
            other => {
                // Only downlink commands reach the firmware; the station handles link management.
                if other.direction() == mpos_link::Direction::Downlink {
                    self.refuse(ReaderErrorCode::UnsupportedCommand, other.frame_type());
                }
            }
        }
    }

    /// Time passes: a transaction that saw no card for [`CARD_WAIT_MS`] ends.
    pub fn tick(&mut self, now_ms: u64) {
        let expired = self.transaction.as_ref().is_some_and(|t| {
            t.read.is_none() && now_ms.saturating_sub(t.started_ms) >= CARD_WAIT_MS
        });
        if expired {
            self.transaction = None;
            self.done(TransactionOutcome::TimedOut, Vec::new());
        }
    }

    /// A card goes into the slot; its chip answers unless `chip_answers` is false.
    pub fn insert(&mut self, card: &TestCard, chip_answers: bool, terminal: Terminal) {
        if self.slot.is_some() {
            return;
        }
        self.slot = Some(card.id);
        self.outbox.push_back(Message::CardInserted);
        let Some(start) = self.transaction.as_ref().map(|t| t.start) else {
            return;
        };
        if !start.entry_modes.chip {
            // Swipe only (refunds): the chip is not touched.
            return;
        }
        if !(chip_answers && card.has_chip()) {
            if let Some(transaction) = &mut self.transaction {
                transaction.chip_failures += 1;
            }
            let failure = ChipFailure::NoAnswerToReset;
            self.outbox.push_back(Message::ChipReadFailed(failure));
            return;
        }
        match self.read_chip(card, &start, terminal) {
            Some(data) => {
                if let Some(transaction) = &mut self.transaction {
                    transaction.read = Some(Read::Chip(card.id));
                }
                self.outbox.push_back(Message::CardRead(data));
            }
            None => {
                // A chip the kernel could not read counts toward fallback.
                if let Some(transaction) = &mut self.transaction {
                    transaction.chip_failures += 1;
                }
                self.outbox
                    .push_back(Message::ChipReadFailed(ChipFailure::Other))
            }
        }
    }

    /// A card's stripe is swiped.
    pub fn swipe(&mut self, card: &TestCard) {
        self.swipe_as(card, SwipeStyle::Good);
    }

    /// A card is swiped so badly (pulled back halfway, noisy) that it cannot decode.
    pub fn swipe_badly(&mut self, card: &TestCard) {
        self.swipe_as(card, SwipeStyle::Bad);
    }

    /// Swipes the head has read so far; with the serial it seeds the next one.
    pub fn swipe_count(&self) -> u64 {
        self.swipes
    }

    fn swipe_as(&mut self, card: &TestCard, style: SwipeStyle) {
        let Some(transaction) = &self.transaction else {
            return;
        };
        let modes = transaction.start.entry_modes;
        let chip_failures = transaction.chip_failures;
        if !modes.swipe {
            return;
        }
        let seed = swipe_seed(&self.serial, self.swipes);
        self.swipes += 1;
        let Ok(stripe) = read_stripe(card, style, seed) else {
            self.outbox.push_back(Message::SwipeFailed);
            return;
        };
        // The stripe's own service code says whether the card has a chip.
        let has_chip = mpos_wire::card::service_code_has_chip(&stripe.service_code);
        match judge_swipe(has_chip, modes, chip_failures) {
            SwipeVerdict::InsertChip => self.outbox.push_back(Message::InsertChip),
            SwipeVerdict::Read(entry_mode) => {
                match self.seal(&attest(stripe, entry_mode, chip_failures), entry_mode, None) {
                    Some(data) => {
                        if let Some(transaction) = &mut self.transaction {
                            transaction.read = Some(Read::Stripe);
                        }
                        self.outbox.push_back(Message::CardRead(data));
                    }
                    None => self.outbox.push_back(Message::SwipeFailed),
                }
            }
        }
    }

    /// The card leaves the slot.
    pub fn remove_card(&mut self) {
        if self.slot.take().is_some() {
            self.outbox.push_back(Message::CardRemoved);
        }
    }

    /// A new random layout for the read's PIN entry.
    fn show_pin_pad(&mut self) {
        let Some(transaction) = self
            .transaction
            .as_mut()
            .filter(|t| t.pan.is_some() && t.pin != PinEntry::Enciphered)
        else {
            self.refuse(ReaderErrorCode::NoTransaction, FrameType::RequestPin);
            return;
        };
        let mut digits: [u8; mpos_link::message::KEYS] = std::array::from_fn(|i| i as u8);
        digits.shuffle(&mut self.rng);
        let layout = PinPadLayout::new(digits).expect("a shuffle of the ten digits");
        transaction.pin = PinEntry::PadShown(layout);
        self.outbox.push_back(Message::PinPad(layout));
    }

    /// The positions touched become digits here, then the read's PIN block.
    fn encipher_pin(&mut self, keys: &PinKeys) {
        let pending = self.transaction.as_mut().and_then(|t| match t.pin {
            PinEntry::PadShown(layout) => {
                t.pin = PinEntry::Enciphered;
                t.pan.clone().map(|pan| (layout, pan))
            }
            _ => None,
        });
        let Some((layout, pan)) = pending else {
            self.refuse(ReaderErrorCode::NoTransaction, FrameType::PinEntered);
            return;
        };
        let pin: Zeroizing<String> = Zeroizing::new(
            keys.keys()
                .iter()
                .filter_map(|&key| layout.digit(key))
                .map(|digit| char::from(b'0' + digit))
                .collect(),
        );
        let mut fill = [0u8; 8];
        self.rng.fill(&mut fill);
        match self.keys.encipher_pin(&pin, &pan, &fill) {
            Ok(enciphered) => {
                let block = PinBlock {
                    ksn: hex::decode(&enciphered.ksn).unwrap_or_default(),
                    block: hex::decode(&enciphered.block).unwrap_or_default(),
                };
                self.outbox.push_back(Message::PinBlock(block));
            }
            Err(_) => self.refuse(ReaderErrorCode::Internal, FrameType::PinEntered),
        }
    }

    fn info(&self) -> ReaderInfo {
        ReaderInfo {
            serial: self.serial.clone(),
            firmware: FIRMWARE.to_string(),
            battery_percent: self.battery_percent,
            ksn: hex::decode(self.keys.next_ksn()).unwrap_or_default(),
        }
    }

    fn refuse(&mut self, code: ReaderErrorCode, command: FrameType) {
        self.outbox.push_back(Message::Error(ReaderErrorReport {
            code,
            command: Some(command),
        }));
    }

    fn done(&mut self, outcome: TransactionOutcome, emv_tlv: Vec<u8>) {
        self.outbox
            .push_back(Message::TransactionDone(TransactionDone {
                outcome,
                emv_tlv,
            }));
    }

    /// The host's answer: the chip's second GENERATE AC, or the swipe's end.
    fn complete(&mut self, transaction: Transaction, result: &OnlineResult) {
        let host = if result.approved {
            TransactionOutcome::Approved
        } else {
            TransactionOutcome::DeclinedByHost
        };
        let Some(Read::Chip(card)) = transaction.read else {
            self.done(host, Vec::new());
            return;
        };
        // The chip must still be in the slot to finish.
        let chip = self
            .chips
            .get_mut(&card)
            .filter(|_| self.slot == Some(card));
        let response_code = result.response_code.as_bytes().try_into().unwrap_or(*b"Z3");
        let issuer_data = result.issuer_auth_data.as_slice().try_into().ok();
        let Some(answer) = chip.and_then(|chip| {
            ContactKernel::new(chip)
                .complete(result.approved, response_code, issuer_data)
                .ok()
        }) else {
            self.last_card_decision = None;
            let outcome = if result.approved {
                TransactionOutcome::Failed
            } else {
                host
            };
            self.done(outcome, Vec::new());
            return;
        };
        self.last_card_decision = Some(answer.decision);
        let outcome = match (result.approved, answer.decision) {
            (false, _) => TransactionOutcome::DeclinedByHost,
            (true, CardDecision::Tc) => TransactionOutcome::Approved,
            (true, CardDecision::Aac) => TransactionOutcome::DeclinedByCard,
        };
        let cid = match answer.decision {
            CardDecision::Tc => CID_TC,
            CardDecision::Aac => CID_AAC,
        };
        let objects = [
            Tlv::primitive(tags::CRYPTOGRAM_INFORMATION_DATA, [cid]),
            Tlv::primitive(tags::APPLICATION_CRYPTOGRAM, answer.cryptogram),
        ];
        let emv_tlv = objects
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map(|objects| tlv::encode(&objects))
            .unwrap_or_default();
        self.done(outcome, emv_tlv);
    }

    /// First GENERATE AC: the chip's ARQC over the terminal's data, sealed with the card.
    fn read_chip(
        &mut self,
        card: &TestCard,
        start: &StartTransaction,
        terminal: Terminal,
    ) -> Option<CardData> {
        let data = TerminalData {
            amount: start.amount,
            kind: start.kind,
            date: terminal.date,
            unpredictable_number: terminal.unpredictable_number,
        };
        let chip = match self.chips.entry(card.id) {
            Entry::Occupied(chip) => chip.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(VirtualIcc::personalise(card, &self.issuer_master_key).ok()?)
            }
        };
        let read = ContactKernel::new(chip).read(card.brand(), &data).ok()?;
        let emv_tlv = read.chip.to_hex().ok()?;
        // The card data sealed is the chip's own track 2 equivalent data (tag 57).
        self.seal(&read.card, EntryMode::Chip, Some(emv_tlv))
    }

    /// Seals the card data under the next DUKPT key and describes it as the phone may see it.
    fn seal(
        &mut self,
        card: &ClearCard,
        entry_mode: EntryMode,
        emv_tlv: Option<String>,
    ) -> Option<CardData> {
        let sealed = self.keys.seal(card).ok()?;
        if let Some(transaction) = &mut self.transaction {
            // A new read, a new counter: its PIN may be asked once.
            transaction.pan = Some(Zeroizing::new(card.pan.clone()));
            transaction.pin = PinEntry::NotAsked;
        }
        let payload = CardPayload {
            masked_pan: MaskedPan::from_pan(&card.pan)?,
            brand: Brand::from_pan(&card.pan)?,
            entry_mode,
            service_code: card.service_code.clone(),
            ksn: sealed.ksn,
            ciphertext: sealed.ciphertext,
            emv_tlv,
        };
        CardData::from_payload(&payload).ok()
    }
}

/// The stripe as sealed: a fallback swipe carries the chip failures the
/// firmware counted, the attestation the gateway asks for (the phone cannot
/// add it: it is inside the MACed envelope).
fn attest(stripe: ClearCard, entry_mode: EntryMode, chip_failures: u32) -> ClearCard {
    let chip_failures = match entry_mode {
        EntryMode::FallbackSwipe => u8::try_from(chip_failures).unwrap_or(u8::MAX),
        EntryMode::Chip | EntryMode::Swipe => 0,
    };
    ClearCard {
        chip_failures,
        ..stripe
    }
}

/// The seed of a reader's `count`-th swipe: FNV-1a of its serial, mixed
/// with the count (SplitMix64's finalizer), so readers and swipes differ.
fn swipe_seed(serial: &str, count: u64) -> u64 {
    let serial_hash = serial.bytes().fold(0xCBF2_9CE4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3)
    });
    let mut z = serial_hash ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the terminal contributes to a chip read besides the amount: today
/// (Asia/Taipei) and a fresh unpredictable number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Transaction date.
    pub date: time::Date,
    /// The terminal's challenge to the card (9F37).
    pub unpredictable_number: [u8; 4],
}

#[cfg(test)]
mod tests;
