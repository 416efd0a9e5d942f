//! The translation between the card-reader boundary and the link's
//! messages: pure functions, no state.

use crate::reader::{
    KeypadLayout, OnlineResult, ReaderError, ReaderEvent, ReaderInfo, ReaderRequest,
};
use mpos_link::message::{self, EntryModes, StartTransaction, TransactionOutcome};
use mpos_link::Message;
use mpos_wire::api::{IssuerAuthentication, PinBlockPayload};
use mpos_wire::EntryMode;

/// Response code sent when the host's is not two alphanumeric characters
/// (ISO 8583 "06": error), so the card is never told a malformed code.
const MALFORMED_RESPONSE_CODE: &str = "06";

/// The entry modes a request allows; fallback swipe whenever both chip and
/// swipe are allowed (the reader then applies chip first and the 3-failure rule).
pub(crate) fn entry_modes(request: &ReaderRequest) -> EntryModes {
    EntryModes {
        chip: request.chip_allowed,
        swipe: request.swipe_allowed,
        fallback: request.chip_allowed && request.swipe_allowed,
    }
}

/// StartTransaction for a request.
pub(crate) fn start_message(request: &ReaderRequest) -> Message {
    Message::StartTransaction(StartTransaction {
        amount: request.amount,
        kind: request.kind,
        entry_modes: entry_modes(request),
    })
}

/// Issuer authentication data (tag 91) for ARPC method 2: the 4-byte ARPC
/// then the 4-byte card status update; empty when absent or malformed (the
/// card then declines an approval, and the phone reverses).
pub fn issuer_auth_data(issuer: Option<&IssuerAuthentication>) -> Vec<u8> {
    let Some(issuer) = issuer else {
        return Vec::new();
    };
    match (hex::decode(&issuer.arpc_hex), hex::decode(&issuer.csu_hex)) {
        (Ok(arpc), Ok(csu)) if arpc.len() == 4 && csu.len() == 4 => [arpc, csu].concat(),
        _ => Vec::new(),
    }
}

/// The reader's view of tag 91 again: what its chip checks. `None` unless 8 bytes.
pub fn issuer_authentication(data: &[u8], response_code: &str) -> Option<IssuerAuthentication> {
    (data.len() == 8).then(|| IssuerAuthentication {
        arpc_hex: hex::encode_upper(&data[..4]),
        csu_hex: hex::encode_upper(&data[4..]),
        arc: response_code.to_string(),
    })
}

/// OnlineResult for the host's answer.
pub(crate) fn online_message(result: &OnlineResult) -> Message {
    let alphanumeric = |text: &str| text.bytes().all(|b| b.is_ascii_alphanumeric());
    let response_code = if result.response_code.len() == 2 && alphanumeric(&result.response_code) {
        result.response_code.clone()
    } else {
        MALFORMED_RESPONSE_CODE.to_string()
    };
    let auth_code = result
        .auth_code
        .clone()
        .filter(|code| (1..=6).contains(&code.len()) && alphanumeric(code));
    Message::OnlineResult(message::OnlineResult {
        approved: result.approved,
        response_code,
        auth_code,
        issuer_auth_data: issuer_auth_data(result.issuer_authentication.as_ref()),
    })
}

/// The reader's identity as the app sees it.
pub(crate) fn reader_info(info: &message::ReaderInfo) -> ReaderInfo {
    ReaderInfo {
        serial: info.serial.clone(),
        firmware: info.firmware.clone(),
        battery_percent: info.battery_percent,
        ksn: info.ksn_hex(),
    }
}

/// The app's event for a card message from the reader; `None` for the
/// messages the driver handles itself (Info, TransactionDone, Error, link management).
pub(crate) fn card_event(message: &Message) -> Option<ReaderEvent> {
    Some(match message {
        Message::CardInserted => ReaderEvent::CardInserted,
        Message::CardRead(card) => match card.entry_mode {
            EntryMode::Chip => ReaderEvent::ChipRead(card.to_payload()),
            EntryMode::Swipe | EntryMode::FallbackSwipe => {
                ReaderEvent::CardSwiped(card.to_payload())
            }
        },
        Message::CardRemoved => ReaderEvent::CardRemoved,
        Message::ChipReadFailed(_) => ReaderEvent::ChipReadFailed,
        Message::SwipeFailed => ReaderEvent::SwipeFailed,
        Message::InsertChip => ReaderEvent::InsertChip,
        Message::PinPad(layout) => ReaderEvent::PinPad(KeypadLayout {
            digits: layout.digits(),
        }),
        Message::PinBlock(pin) => ReaderEvent::PinEntered(PinBlockPayload {
            ksn: hex::encode_upper(&pin.ksn),
            block: hex::encode_upper(&pin.block),
        }),
        _ => return None,
    })
}

/// What `online_result` returns once the reader ended the transaction.
///
/// An approval the card did not accept (AAC, or a chip that could not
/// finish) is [`ReaderError::CardDeclined`]: the phone reverses it.
pub(crate) fn online_answer(
    approved: bool,
    outcome: TransactionOutcome,
) -> Result<(), ReaderError> {
    match outcome {
        TransactionOutcome::Approved | TransactionOutcome::DeclinedByHost => Ok(()),
        TransactionOutcome::DeclinedByCard => Err(ReaderError::CardDeclined),
        TransactionOutcome::Failed
        | TransactionOutcome::Cancelled
        | TransactionOutcome::TimedOut
            if approved =>
        {
            Err(ReaderError::CardDeclined)
        }
        TransactionOutcome::Failed
        | TransactionOutcome::Cancelled
        | TransactionOutcome::TimedOut => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_link::message::{CardData, ChipFailure};
    use mpos_wire::api::TxnKind;
    use mpos_wire::{Brand, MaskedPan, Money};

    fn request(chip: bool, swipe: bool) -> ReaderRequest {
        ReaderRequest {
            amount: Money::twd_minor(120_000),
            kind: if chip { TxnKind::Sale } else { TxnKind::Refund },
            chip_allowed: chip,
            swipe_allowed: swipe,
        }
    }

    #[test]
    fn a_sale_allows_chip_swipe_and_fallback_a_refund_only_the_swipe() {
        let sale = start_message(&request(true, true));
        let Message::StartTransaction(start) = sale else {
            panic!("{sale:?}")
        };
        assert_eq!(start.amount, Money::twd_minor(120_000));
        assert_eq!(start.kind, TxnKind::Sale);
        assert_eq!(start.entry_modes.to_byte(), 0x07);
        let refund = entry_modes(&request(false, true));
        assert_eq!(refund.to_byte(), 0x02, "{refund:?}");
        // A request allowing nothing has no valid encoding: it is refused.
        let nothing = start_message(&request(false, false));
        assert!(nothing.encode_payload(&mut Vec::new()).is_err());
    }

    #[test]
    fn the_arpc_and_csu_travel_as_tag_91_and_come_back_unchanged() {
        let issuer = IssuerAuthentication {
            arpc_hex: "8A1B3C4D".into(),
            csu_hex: "00820000".into(),
            arc: "00".into(),
        };
        let data = issuer_auth_data(Some(&issuer));
        assert_eq!(data, [0x8A, 0x1B, 0x3C, 0x4D, 0x00, 0x82, 0x00, 0x00]);
        assert_eq!(issuer_authentication(&data, "00"), Some(issuer));
        assert_eq!(issuer_authentication(&data[..7], "00"), None);
        assert!(issuer_auth_data(None).is_empty());
        let bad = IssuerAuthentication {
            arpc_hex: "8A1B3C".into(),
            csu_hex: "zz".into(),
            arc: "00".into(),
        };
        assert!(issuer_auth_data(Some(&bad)).is_empty());
    }

    #[test]
    fn online_result_keeps_valid_codes_and_replaces_malformed_ones() {
        let mut result = OnlineResult {
            approved: true,
            auth_code: Some("A1B2C3".into()),
            response_code: "00".into(),
            issuer_authentication: None,
        };
        let Message::OnlineResult(sent) = online_message(&result) else {
            panic!()
        };
        assert!(sent.approved);
        assert_eq!(sent.response_code, "00");
        assert_eq!(sent.auth_code.as_deref(), Some("A1B2C3"));
        result.response_code = "000".into();
        result.auth_code = Some("12-456".into());
        result.approved = false;
        let message = online_message(&result);
        let Message::OnlineResult(sent) = &message else {
            panic!()
        };
        assert!(!sent.approved);
        assert_eq!(sent.response_code, MALFORMED_RESPONSE_CODE);
        assert_eq!(sent.auth_code, None);
        // Whatever the host sent, the message can be encoded.
        assert!(message.encode_payload(&mut Vec::new()).is_ok());
    }

    fn card(entry_mode: EntryMode) -> CardData {
        CardData {
            masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
            brand: Brand::Visa,
            entry_mode,
            service_code: "201".into(),
            ksn: vec![0x12; 12],
            ciphertext: vec![0xA5; 24],
            emv_tlv: (entry_mode == EntryMode::Chip).then(|| vec![0x9F, 0x27, 0x01, 0x80]),
        }
    }

    #[test]
    fn card_messages_become_the_apps_events() {
        let chip = card_event(&Message::CardRead(card(EntryMode::Chip)));
        let Some(ReaderEvent::ChipRead(payload)) = chip else {
            panic!("{chip:?}")
        };
        assert_eq!(payload.entry_mode, EntryMode::Chip);
        assert_eq!(payload.emv_tlv.as_deref(), Some("9F270180"));
        assert_eq!(payload.ksn, "121212121212121212121212");
        for mode in [EntryMode::Swipe, EntryMode::FallbackSwipe] {
            let swipe = card_event(&Message::CardRead(card(mode)));
            let Some(ReaderEvent::CardSwiped(payload)) = swipe else {
                panic!("{swipe:?}")
            };
            assert_eq!(payload.entry_mode, mode);
        }
        let simple = [
            (Message::CardInserted, ReaderEvent::CardInserted),
            (Message::CardRemoved, ReaderEvent::CardRemoved),
            (
                Message::ChipReadFailed(ChipFailure::NoAnswerToReset),
                ReaderEvent::ChipReadFailed,
            ),
            (Message::SwipeFailed, ReaderEvent::SwipeFailed),
            (Message::InsertChip, ReaderEvent::InsertChip),
        ];
        for (message, event) in simple {
            assert_eq!(card_event(&message), Some(event));
        }
        assert_eq!(card_event(&Message::GetInfo), None);
    }

    #[test]
    fn only_an_approval_the_card_did_not_finish_is_a_card_decline() {
        use TransactionOutcome::*;
        assert_eq!(online_answer(true, Approved), Ok(()));
        assert_eq!(online_answer(false, DeclinedByHost), Ok(()));
        assert_eq!(
            online_answer(true, DeclinedByCard),
            Err(ReaderError::CardDeclined)
        );
        for outcome in [Failed, Cancelled, TimedOut] {
            assert_eq!(
                online_answer(true, outcome),
                Err(ReaderError::CardDeclined),
                "{outcome:?}"
            );
            assert_eq!(online_answer(false, outcome), Ok(()), "{outcome:?}");
        }
    }

    #[test]
    fn reader_info_carries_the_ksn_as_hex() {
        let info = reader_info(&message::ReaderInfo {
            serial: "SIM-1".into(),
            firmware: "1.0".into(),
            battery_percent: None,
            ksn: vec![0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0, 0, 0, 1],
        });
        assert_eq!(info.ksn, "123456789012345600000001");
        assert_eq!(info.battery_percent, None);
        assert_eq!(info.serial, "SIM-1");
    }
}
