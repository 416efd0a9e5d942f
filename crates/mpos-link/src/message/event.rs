//! What the reader reports: its identity, card events, outcomes and refusals.

use super::codec::{put_long, put_short, put_text, Cursor};
use super::MessageError;
use crate::frame::FrameType;
use mpos_wire::{Brand, CardPayload, EntryMode, MaskedPan};

/// Info (0x80): the reader's identity, battery and current DUKPT KSN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// Serial number, 1..=32 printable ASCII characters.
    pub serial: String,
    /// Firmware version, 1..=32 printable ASCII characters.
    pub firmware: String,
    /// Battery level 0..=100 %, `None` for a reader powered by the tone alone.
    pub battery_percent: Option<u8>,
    /// Current key serial number: 10 bytes (TDES DUKPT) or 12 bytes (AES DUKPT).
    pub ksn: Vec<u8>,
}

const NO_BATTERY: u8 = 0xFF;

fn ksn_len_ok(len: usize) -> bool {
    len == 10 || len == 12
}

impl ReaderInfo {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        put_text(out, &self.serial, 1..=32, "serial")?;
        put_text(out, &self.firmware, 1..=32, "firmware")?;
        out.push(match self.battery_percent {
            Some(p) if p <= 100 => p,
            Some(_) => return Err(MessageError::InvalidField { field: "battery" }),
            None => NO_BATTERY,
        });
        if !ksn_len_ok(self.ksn.len()) {
            return Err(MessageError::InvalidField { field: "ksn" });
        }
        put_short(out, &self.ksn, 10..=12, "ksn")
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let serial = cursor.text(1..=32, "serial")?;
        let firmware = cursor.text(1..=32, "firmware")?;
        let battery_percent = match cursor.u8("battery")? {
            NO_BATTERY => None,
            p if p <= 100 => Some(p),
            _ => return Err(MessageError::InvalidField { field: "battery" }),
        };
        let ksn = cursor.short_bytes(10..=12, "ksn")?;
        if !ksn_len_ok(ksn.len()) {
            return Err(MessageError::InvalidField { field: "ksn" });
        }
        Ok(ReaderInfo {
            serial,
            firmware,
            battery_percent,
            ksn: ksn.to_vec(),
        })
    }

    /// The KSN as the uppercase hex the rest of the system uses.
    pub fn ksn_hex(&self) -> String {
        hex::encode_upper(&self.ksn)
    }
}

/// CardRead (0x82): the card data a reader hands over, as `mpos_wire::CardPayload` in binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardData {
    /// First 6 and last 4 digits of the card number.
    pub masked_pan: MaskedPan,
    /// Brand the reader recognised.
    pub brand: Brand,
    /// How the card was read.
    pub entry_mode: EntryMode,
    /// Magnetic-stripe service code, 3 digits.
    pub service_code: String,
    /// DUKPT key serial number, 10 or 12 bytes.
    pub ksn: Vec<u8>,
    /// The reader's envelope: 8..=512 bytes, a whole number of 8-byte blocks.
    pub ciphertext: Vec<u8>,
    /// EMV data objects as BER-TLV, 1..=512 bytes, for chip reads only.
    pub emv_tlv: Option<Vec<u8>>,
}

/// Codes of brands on the wire.
fn brand_code(brand: Brand) -> u8 {
    match brand {
        Brand::Visa => 1,
        Brand::Mastercard => 2,
        Brand::Jcb => 3,
        Brand::UnionPay => 4,
        Brand::Amex => 5,
    }
}

fn brand_from_code(code: u8) -> Option<Brand> {
    Brand::ALL.into_iter().find(|&b| brand_code(b) == code)
}

fn entry_mode_code(mode: EntryMode) -> u8 {
    match mode {
        EntryMode::Chip => 1,
        EntryMode::Swipe => 2,
        EntryMode::FallbackSwipe => 3,
    }
}

fn entry_mode_from_code(code: u8) -> Option<EntryMode> {
    [EntryMode::Chip, EntryMode::Swipe, EntryMode::FallbackSwipe]
        .into_iter()
        .find(|&m| entry_mode_code(m) == code)
}

/// Why a [`CardData`] and a [`CardPayload`] do not convert.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardDataError {
    /// A hex field of the payload is not hex.
    #[error("card payload field {0} is not hex")]
    NotHex(&'static str),
    /// A field breaks the message rules.
    #[error(transparent)]
    Invalid(#[from] MessageError),
}

impl CardData {
    fn check(&self) -> Result<(), MessageError> {
        let service_ok =
            self.service_code.len() == 3 && self.service_code.bytes().all(|b| b.is_ascii_digit());
        if !service_ok {
            return Err(MessageError::InvalidField {
                field: "service_code",
            });
        }
        if !ksn_len_ok(self.ksn.len()) {
            return Err(MessageError::InvalidField { field: "ksn" });
        }
        if self.ciphertext.is_empty()
            || self.ciphertext.len() % 8 != 0
            || self.ciphertext.len() > 512
        {
            return Err(MessageError::InvalidField {
                field: "ciphertext",
            });
        }
        // Chip data comes with the chip's TLV; a stripe has none.
        let tlv_ok = match (&self.emv_tlv, self.entry_mode) {
            (Some(tlv), EntryMode::Chip) => (1..=512).contains(&tlv.len()),
            (None, EntryMode::Swipe | EntryMode::FallbackSwipe) => true,
            _ => false,
        };
        if !tlv_ok {
            return Err(MessageError::InvalidField { field: "emv_tlv" });
        }
        Ok(())
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        self.check()?;
        put_text(out, self.masked_pan.as_str(), 12..=19, "masked_pan")?;
        out.push(brand_code(self.brand));
        out.push(entry_mode_code(self.entry_mode));
        out.extend_from_slice(self.service_code.as_bytes());
        put_short(out, &self.ksn, 10..=12, "ksn")?;
        put_long(out, &self.ciphertext, 8..=512, "ciphertext")?;
        put_long(
            out,
            self.emv_tlv.as_deref().unwrap_or(&[]),
            0..=512,
            "emv_tlv",
        )
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let masked = cursor.text(12..=19, "masked_pan")?;
        let masked_pan = MaskedPan::try_from(masked).map_err(|_| MessageError::InvalidField {
            field: "masked_pan",
        })?;
        let brand = brand_from_code(cursor.u8("brand")?)
            .ok_or(MessageError::InvalidField { field: "brand" })?;
        let entry_mode =
            entry_mode_from_code(cursor.u8("entry_mode")?).ok_or(MessageError::InvalidField {
                field: "entry_mode",
            })?;
        let service = cursor.take(3, "service_code")?;
        let service_code = service.iter().map(|&b| char::from(b)).collect();
        let ksn = cursor.short_bytes(10..=12, "ksn")?.to_vec();
        let ciphertext = cursor.long_bytes(8..=512, "ciphertext")?.to_vec();
        let tlv = cursor.long_bytes(0..=512, "emv_tlv")?;
        let card = CardData {
            masked_pan,
            brand,
            entry_mode,
            service_code,
            ksn,
            ciphertext,
            emv_tlv: (!tlv.is_empty()).then(|| tlv.to_vec()),
        };
        card.check()?;
        Ok(card)
    }

    /// The payload the phone forwards to the gateway (hex fields, uppercase).
    pub fn to_payload(&self) -> CardPayload {
        CardPayload {
            masked_pan: self.masked_pan.clone(),
            brand: self.brand,
            entry_mode: self.entry_mode,
            service_code: self.service_code.clone(),
            ksn: hex::encode_upper(&self.ksn),
            ciphertext: hex::encode_upper(&self.ciphertext),
            emv_tlv: self.emv_tlv.as_ref().map(hex::encode_upper),
        }
    }

    /// The binary form of a payload, checked against the message rules.
    pub fn from_payload(payload: &CardPayload) -> Result<CardData, CardDataError> {
        let unhex = |text: &str, field| hex::decode(text).map_err(|_| CardDataError::NotHex(field));
        let card = CardData {
            masked_pan: payload.masked_pan.clone(),
            brand: payload.brand,
            entry_mode: payload.entry_mode,
            service_code: payload.service_code.clone(),
            ksn: unhex(&payload.ksn, "ksn")?,
            ciphertext: unhex(&payload.ciphertext, "ciphertext")?,
            emv_tlv: payload
                .emv_tlv
                .as_deref()
                .map(|t| unhex(t, "emv_tlv"))
                .transpose()?,
        };
        card.check()?;
        Ok(card)
    }
}

/// ChipReadFailed (0x84) reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChipFailure {
    /// The card gave no answer to reset (mute or dirty chip).
    NoAnswerToReset = 0x01,
    /// No application on the card that the reader supports.
    NoSupportedApplication = 0x02,
    /// The card was pulled out during the read.
    CardRemovedEarly = 0x03,
    /// The card or application is blocked.
    CardBlocked = 0x04,
    /// Any other chip error.
    Other = 0x05,
}

impl ChipFailure {
    /// Every reason.
    pub const ALL: [ChipFailure; 5] = [
        ChipFailure::NoAnswerToReset,
        ChipFailure::NoSupportedApplication,
        ChipFailure::CardRemovedEarly,
        ChipFailure::CardBlocked,
        ChipFailure::Other,
    ];

    /// The reason named by a byte.
    pub fn from_byte(byte: u8) -> Option<ChipFailure> {
        ChipFailure::ALL.into_iter().find(|r| *r as u8 == byte)
    }

    /// Whether the fallback rules let the cardholder swipe this card instead.
    pub fn allows_fallback(self) -> bool {
        matches!(
            self,
            ChipFailure::NoAnswerToReset | ChipFailure::NoSupportedApplication
        )
    }
}

/// How a transaction ended on the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionOutcome {
    /// Host approved and the card accepted (TC), or a swipe approved.
    Approved = 0x01,
    /// The host declined.
    DeclinedByHost = 0x02,
    /// The host approved but the card declined at the second GENERATE AC (AAC):
    /// the phone must reverse the authorization.
    DeclinedByCard = 0x03,
    /// The phone cancelled.
    Cancelled = 0x04,
    /// No card was presented in time.
    TimedOut = 0x05,
    /// The reader could not finish (card error, removed early).
    Failed = 0x06,
}

impl TransactionOutcome {
    /// Every outcome.
    pub const ALL: [TransactionOutcome; 6] = [
        TransactionOutcome::Approved,
        TransactionOutcome::DeclinedByHost,
        TransactionOutcome::DeclinedByCard,
        TransactionOutcome::Cancelled,
        TransactionOutcome::TimedOut,
        TransactionOutcome::Failed,
    ];

    /// The outcome named by a byte.
    pub fn from_byte(byte: u8) -> Option<TransactionOutcome> {
        TransactionOutcome::ALL
            .into_iter()
            .find(|o| *o as u8 == byte)
    }
}

/// TransactionDone (0x86): the outcome and the card's final EMV data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionDone {
    /// How it ended.
    pub outcome: TransactionOutcome,
    /// BER-TLV from the second GENERATE AC (9F26, 9F27, 95, 9B...), 0..=512 bytes.
    pub emv_tlv: Vec<u8>,
}

impl TransactionDone {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        out.push(self.outcome as u8);
        put_long(out, &self.emv_tlv, 0..=512, "emv_tlv")
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let outcome = TransactionOutcome::from_byte(cursor.u8("outcome")?)
            .ok_or(MessageError::InvalidField { field: "outcome" })?;
        let emv_tlv = cursor.long_bytes(0..=512, "emv_tlv")?.to_vec();
        Ok(TransactionDone { outcome, emv_tlv })
    }
}

/// Why the reader refused a command (Error, 0x8F).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ReaderErrorCode {
    /// A transaction is already running.
    #[error("讀卡機正在處理另一筆交易，請稍候或取消後再試。 The card reader is busy with another transaction: wait, or cancel and try again.")]
    Busy = 0x01,
    /// OnlineResult or Cancel without a transaction.
    #[error("讀卡機目前沒有進行中的交易，請重新開始交易。 The card reader has no transaction in progress: start the sale again.")]
    NoTransaction = 0x02,
    /// A field of the command is out of range.
    #[error("讀卡機拒絕了指令內容，請更新 App 後再試。 The card reader refused the command's contents: update the app and try again.")]
    BadParameter = 0x03,
    /// The firmware does not know this command.
    #[error("讀卡機韌體不支援此功能，請更新讀卡機韌體。 The card reader's firmware does not support this: update the reader.")]
    UnsupportedCommand = 0x04,
    /// Too little power to read a chip safely.
    #[error("讀卡機電量不足，請將手機音量調到最大或為讀卡機充電。 The card reader is low on power: turn the phone volume to maximum or charge the reader.")]
    LowPower = 0x05,
    /// The DUKPT transaction counter is exhausted.
    #[error("讀卡機金鑰已用盡，請聯絡收單銀行更換讀卡機。 The card reader's keys are used up: contact the acquirer for a replacement.")]
    KeysExhausted = 0x06,
    /// The tamper switch fired; keys were erased.
    #[error("讀卡機偵測到遭拆解，已停止使用，請聯絡收單銀行。 The card reader detected tampering and stopped: contact the acquirer.")]
    Tampered = 0x07,
    /// Anything else inside the reader.
    #[error("讀卡機發生內部錯誤，請拔下後重新插入。 The card reader had an internal error: unplug it and plug it in again.")]
    Internal = 0x08,
}

impl ReaderErrorCode {
    /// Every code.
    pub const ALL: [ReaderErrorCode; 8] = [
        ReaderErrorCode::Busy,
        ReaderErrorCode::NoTransaction,
        ReaderErrorCode::BadParameter,
        ReaderErrorCode::UnsupportedCommand,
        ReaderErrorCode::LowPower,
        ReaderErrorCode::KeysExhausted,
        ReaderErrorCode::Tampered,
        ReaderErrorCode::Internal,
    ];

    /// The code named by a byte.
    pub fn from_byte(byte: u8) -> Option<ReaderErrorCode> {
        ReaderErrorCode::ALL.into_iter().find(|c| *c as u8 == byte)
    }
}

/// Error (0x8F): a refused command and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderErrorReport {
    /// Why.
    pub code: ReaderErrorCode,
    /// TYPE of the refused command, `None` (0x00) when not tied to one.
    pub command: Option<FrameType>,
}

impl ReaderErrorReport {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        out.push(self.code as u8);
        out.push(self.command.map_or(0, |t| t as u8));
        Ok(())
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let code = ReaderErrorCode::from_byte(cursor.u8("code")?)
            .ok_or(MessageError::InvalidField { field: "code" })?;
        let command = match cursor.u8("command")? {
            0 => None,
            byte => Some(
                FrameType::from_byte(byte)
                    .filter(|t| t.allowed(crate::frame::Direction::Downlink) && t.is_sequenced())
                    .ok_or(MessageError::InvalidField { field: "command" })?,
            ),
        };
        Ok(ReaderErrorReport { code, command })
    }
}
