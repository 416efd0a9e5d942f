//! The worked examples of `docs/reader-protocol.md`: one frame of every
//! message. A test checks that the document shows exactly these bytes.

use crate::frame::{encode_frame, Direction};
use crate::message::{
    CardData, ChipFailure, EntryModes, LinkProbe, LinkSettings, Message, OnlineResult, PinBlock,
    PinKeys, PinPadLayout, ProbeReply, ReaderErrorCode, ReaderErrorReport, ReaderInfo,
    StartTransaction, TransactionDone, TransactionOutcome,
};
use crate::phy::{BitRate, UplinkLevel};
use crate::prbs;
use mpos_wire::api::TxnKind;
use mpos_wire::{Brand, EntryMode, MaskedPan, Money};

/// A named example: the sequence number it is sent with and the message.
#[derive(Debug, Clone)]
pub struct Example {
    /// Name used as the document's marker (`<!-- example: NAME -->`).
    pub name: &'static str,
    /// Sequence number of the frame.
    pub seq: u8,
    /// The message the frame carries.
    pub message: Message,
}

impl Example {
    /// The frame bytes, CTRL through FCS.
    pub fn frame(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        self.message
            .encode_payload(&mut payload)
            .expect("examples are valid");
        let mut out = Vec::new();
        encode_frame(
            self.message.direction(),
            self.message.frame_type(),
            self.seq,
            &payload,
            &mut out,
        )
        .expect("examples fit a frame");
        out
    }
}

/// The AES DUKPT KSN of the virtual reader's first transaction.
const KSN: [u8; 12] = [
    0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x01,
];

fn example(name: &'static str, seq: u8, message: Message) -> Example {
    Example { name, seq, message }
}

/// One example of every message, in the document's order.
pub fn all() -> Vec<Example> {
    let masked = MaskedPan::from_pan("4111111111111111").expect("published test card");
    let ciphertext: Vec<u8> = (0u8..24).map(|i| i.wrapping_mul(0x1D) ^ 0xA5).collect();
    vec![
        example("get_info", 0, Message::GetInfo),
        example(
            "start_transaction",
            1,
            Message::StartTransaction(StartTransaction {
                amount: Money::twd_minor(120_000),
                kind: TxnKind::Sale,
                entry_modes: EntryModes {
                    chip: true,
                    swipe: true,
                    fallback: true,
                },
            }),
        ),
        example(
            "online_result",
            2,
            Message::OnlineResult(OnlineResult {
                approved: true,
                response_code: "00".into(),
                auth_code: Some("123456".into()),
                issuer_auth_data: vec![0x8A, 0x1B, 0x3C, 0x4D, 0x5E, 0x6F, 0x70, 0x81, 0x30, 0x30],
            }),
        ),
        example("cancel", 3, Message::Cancel),
        example(
            "link_probe",
            0,
            Message::LinkProbe(LinkProbe {
                settings: LinkSettings {
                    rate: BitRate::Bps4800,
                    level: UplinkLevel(2),
                },
                pattern_len: 16,
            }),
        ),
        example(
            "set_link",
            0,
            Message::SetLink(LinkSettings {
                rate: BitRate::Bps9600,
                level: UplinkLevel(1),
            }),
        ),
        example(
            "info",
            0,
            Message::Info(ReaderInfo {
                serial: "KGI-A1-000123".into(),
                firmware: "1.0.0".into(),
                battery_percent: Some(87),
                ksn: KSN.to_vec(),
            }),
        ),
        example("card_inserted", 1, Message::CardInserted),
        example(
            "card_read_swipe",
            2,
            Message::CardRead(CardData {
                masked_pan: masked.clone(),
                brand: Brand::Visa,
                entry_mode: EntryMode::Swipe,
                service_code: "101".into(),
                ksn: KSN.to_vec(),
                ciphertext: ciphertext.clone(),
                emv_tlv: None,
            }),
        ),
        example(
            "card_read_chip",
            3,
            Message::CardRead(CardData {
                masked_pan: masked,
                brand: Brand::Visa,
                entry_mode: EntryMode::Chip,
                service_code: "201".into(),
                ksn: KSN.to_vec(),
                ciphertext,
                // 9F27 (CID: ARQC) and 9F36 (ATC).
                emv_tlv: Some(vec![0x9F, 0x27, 0x01, 0x80, 0x9F, 0x36, 0x02, 0x00, 0x01]),
            }),
        ),
        example("card_removed", 4, Message::CardRemoved),
        example(
            "chip_read_failed",
            5,
            Message::ChipReadFailed(ChipFailure::NoAnswerToReset),
        ),
        example("swipe_failed", 6, Message::SwipeFailed),
        example(
            "transaction_done",
            7,
            Message::TransactionDone(TransactionDone {
                outcome: TransactionOutcome::Approved,
                // 9F27 = 40: the card generated a TC.
                emv_tlv: vec![0x9F, 0x27, 0x01, 0x40],
            }),
        ),
        example("insert_chip", 9, Message::InsertChip),
        example("request_pin", 4, Message::RequestPin),
        example(
            "pin_pad",
            10,
            Message::PinPad(
                PinPadLayout::new([7, 2, 9, 0, 4, 1, 8, 5, 3, 6]).expect("a permutation"),
            ),
        ),
        example(
            "pin_entered",
            5,
            // With the layout above these keys are the digits 1 2 3 4.
            Message::PinEntered(PinKeys::new(vec![5, 1, 8, 4]).expect("4 keys")),
        ),
        example(
            "pin_block",
            11,
            // X9.24-3's published format 4 block for PIN 1234, PAN 4111111111111111.
            Message::PinBlock(PinBlock {
                ksn: KSN.to_vec(),
                block: vec![
                    0xA9, 0x12, 0x15, 0x03, 0x91, 0xAB, 0x65, 0xA6, 0x7E, 0x52, 0x88, 0x3D, 0x81,
                    0xCE, 0x2D, 0x15,
                ],
            }),
        ),
        example(
            "error",
            8,
            Message::Error(ReaderErrorReport {
                code: ReaderErrorCode::Busy,
                command: Some(crate::frame::FrameType::StartTransaction),
            }),
        ),
        example(
            "probe_reply",
            0,
            Message::ProbeReply(ProbeReply {
                settings: LinkSettings {
                    rate: BitRate::Bps4800,
                    level: UplinkLevel(2),
                },
                pattern: prbs::pattern(16),
            }),
        ),
    ]
}

/// The ACK and NAK examples: (name, direction, type byte, seq, payload).
pub fn control_examples() -> Vec<(
    &'static str,
    Direction,
    crate::frame::FrameType,
    u8,
    Vec<u8>,
)> {
    use crate::frame::FrameType;
    vec![
        ("ack", Direction::Uplink, FrameType::Ack, 1, vec![]),
        (
            "nak",
            Direction::Downlink,
            FrameType::Nak,
            2,
            vec![crate::arq::NAK_BAD_FCS],
        ),
    ]
}

/// Lowercase hex, bytes separated by spaces, 16 to a line: the document's format.
pub fn hex_lines(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .map(|line| {
            line.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
