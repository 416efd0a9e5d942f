use super::*;
use crate::examples;
use crate::frame::encode_frame;
use mpos_wire::api::TxnKind;
use mpos_wire::{Brand, CardPayload, EntryMode, MaskedPan, Money};

fn payload_of(message: &Message) -> Vec<u8> {
    let mut out = Vec::new();
    message.encode_payload(&mut out).unwrap();
    out
}

fn card(entry_mode: EntryMode, emv_tlv: Option<Vec<u8>>) -> CardData {
    CardData {
        masked_pan: MaskedPan::from_pan("5555555555554444").unwrap(),
        brand: Brand::Mastercard,
        entry_mode,
        service_code: "201".into(),
        ksn: vec![0xAB; 12],
        ciphertext: vec![0x11; 24],
        emv_tlv,
    }
}

#[test]
fn every_example_round_trips_through_frame_and_message() {
    for example in examples::all() {
        let bytes = example.frame();
        let (frame, message) =
            parse_message(&bytes).unwrap_or_else(|e| panic!("{}: {e}", example.name));
        assert_eq!(message, example.message, "{}", example.name);
        assert_eq!(frame.seq, example.seq);
        assert_eq!(frame.direction, example.message.direction());
    }
}

#[test]
fn every_example_rejects_every_truncation_and_an_extra_byte() {
    for example in examples::all() {
        let payload = payload_of(&example.message);
        // A probe reply's pattern has no length prefix: a shorter one is still a pattern.
        let checked = if example.name == "probe_reply" {
            3
        } else {
            payload.len()
        };
        for cut in 0..checked {
            let result = Message::decode(example.message.frame_type(), &payload[..cut]);
            assert!(
                matches!(
                    result,
                    Err(MessageError::Truncated { .. } | MessageError::InvalidField { .. })
                ),
                "{} cut at {cut}: {result:?}",
                example.name
            );
        }
        let mut longer = payload.clone();
        longer.push(0);
        let result = Message::decode(example.message.frame_type(), &longer);
        if example.name != "probe_reply" {
            assert_eq!(
                result,
                Err(MessageError::TrailingBytes(1)),
                "{}",
                example.name
            );
        }
    }
}

#[test]
fn start_transaction_layout_is_amount_currency_kind_modes() {
    let message = Message::StartTransaction(StartTransaction {
        amount: Money::twd_minor(0x0102),
        kind: TxnKind::Refund,
        entry_modes: EntryModes {
            chip: false,
            swipe: true,
            fallback: false,
        },
    });
    assert_eq!(
        payload_of(&message),
        [0, 0, 0, 0, 0, 0, 1, 2, 0x03, 0x85, 0x01, 0x02]
    );
}

#[test]
fn start_transaction_rejects_bad_codes() {
    let good = payload_of(&examples::all()[1].message);
    let cases: [(usize, u8, &str); 5] = [
        (8, 0x00, "currency"),     // currency 0x0085, not 901
        (10, 0x02, "kind"),        // neither sale nor refund
        (11, 0x00, "entry_modes"), // no mode at all
        (11, 0x05, "entry_modes"), // fallback without swipe
        (11, 0x0B, "entry_modes"), // reserved bit
    ];
    for (offset, value, field) in cases {
        let mut bad = good.clone();
        bad[offset] = value;
        assert_eq!(
            Message::decode(FrameType::StartTransaction, &bad),
            Err(MessageError::InvalidField { field }),
            "offset {offset} value {value:#x}"
        );
    }
}

#[test]
fn online_result_rejects_bad_codes_and_lengths() {
    let mut out = Vec::new();
    let mut result = OnlineResult {
        approved: true,
        response_code: "0".into(),
        auth_code: None,
        issuer_auth_data: vec![],
    };
    assert!(Message::OnlineResult(result.clone())
        .encode_payload(&mut out)
        .is_err());
    assert!(
        out.is_empty(),
        "a failed encode leaves the buffer untouched"
    );
    result.response_code = "00".into();
    result.auth_code = Some("1234567".into());
    assert!(Message::OnlineResult(result.clone())
        .encode_payload(&mut out)
        .is_err());
    result.auth_code = Some(String::new());
    assert!(Message::OnlineResult(result.clone())
        .encode_payload(&mut out)
        .is_err());
    result.auth_code = None;
    result.issuer_auth_data = vec![0; 17];
    assert!(Message::OnlineResult(result)
        .encode_payload(&mut out)
        .is_err());
    // approved = 2, and a response code with a control character
    assert_eq!(
        Message::decode(FrameType::OnlineResult, &[2, b'0', b'0', 0, 0]),
        Err(MessageError::InvalidField { field: "approved" })
    );
    assert_eq!(
        Message::decode(FrameType::OnlineResult, &[1, b'0', 0x07, 0, 0]),
        Err(MessageError::InvalidField {
            field: "response_code"
        })
    );
}

#[test]
fn reader_info_rejects_bad_ksn_battery_and_text() {
    let good = ReaderInfo {
        serial: "S1".into(),
        firmware: "F".into(),
        battery_percent: None,
        ksn: vec![0; 10],
    };
    let bytes = payload_of(&Message::Info(good.clone()));
    assert_eq!(
        Message::decode(FrameType::Info, &bytes),
        Ok(Message::Info(good.clone()))
    );
    let mut battery = bytes.clone();
    battery[5] = 101;
    assert_eq!(
        Message::decode(FrameType::Info, &battery),
        Err(MessageError::InvalidField { field: "battery" })
    );
    let mut control_char = bytes.clone();
    control_char[1] = b'\n';
    assert_eq!(
        Message::decode(FrameType::Info, &control_char),
        Err(MessageError::InvalidField { field: "serial" })
    );
    let eleven = ReaderInfo {
        ksn: vec![0; 11],
        ..good
    };
    assert!(Message::Info(eleven)
        .encode_payload(&mut Vec::new())
        .is_err());
}

#[test]
fn card_data_enforces_chip_tlv_rule_and_block_sizes() {
    assert!(
        Message::CardRead(card(EntryMode::Chip, Some(vec![0x9F, 0x27, 0x01, 0x80])))
            .encode_payload(&mut Vec::new())
            .is_ok()
    );
    for bad in [
        card(EntryMode::Chip, None),
        card(EntryMode::Swipe, Some(vec![1])),
        card(EntryMode::FallbackSwipe, Some(vec![1])),
        CardData {
            ciphertext: vec![0; 23],
            ..card(EntryMode::Swipe, None)
        },
        CardData {
            service_code: "2O1".into(),
            ..card(EntryMode::Swipe, None)
        },
    ] {
        assert!(Message::CardRead(bad)
            .encode_payload(&mut Vec::new())
            .is_err());
    }
}

#[test]
fn card_data_refuses_a_clear_card_number() {
    let mut bytes = payload_of(&Message::CardRead(card(EntryMode::Swipe, None)));
    // Overwrite the asterisks with digits: a clear PAN on the wire.
    for b in &mut bytes[7..13] {
        *b = b'5';
    }
    assert_eq!(
        Message::decode(FrameType::CardRead, &bytes),
        Err(MessageError::InvalidField {
            field: "masked_pan"
        })
    );
}

#[test]
fn card_data_mirrors_the_wire_payload() {
    let data = card(EntryMode::Chip, Some(vec![0x9F, 0x36, 0x02, 0x00, 0x07]));
    let payload = data.to_payload();
    assert_eq!(payload.ksn, "AB".repeat(12));
    assert_eq!(payload.emv_tlv.as_deref(), Some("9F36020007"));
    assert_eq!(CardData::from_payload(&payload), Ok(data));
    let not_hex = CardPayload {
        ciphertext: "zz".into(),
        ..payload
    };
    assert_eq!(
        CardData::from_payload(&not_hex),
        Err(CardDataError::NotHex("ciphertext"))
    );
}

#[test]
fn codes_round_trip_and_unknown_codes_are_refused() {
    for reason in ChipFailure::ALL {
        assert_eq!(ChipFailure::from_byte(reason as u8), Some(reason));
    }
    for outcome in TransactionOutcome::ALL {
        assert_eq!(TransactionOutcome::from_byte(outcome as u8), Some(outcome));
    }
    for code in ReaderErrorCode::ALL {
        assert_eq!(ReaderErrorCode::from_byte(code as u8), Some(code));
        assert!(
            !code.to_string().is_ascii(),
            "bilingual message for {code:?}"
        );
    }
    assert_eq!(
        Message::decode(FrameType::ChipReadFailed, &[0]),
        Err(MessageError::InvalidField { field: "reason" })
    );
    assert_eq!(
        Message::decode(FrameType::TransactionDone, &[9, 0, 0]),
        Err(MessageError::InvalidField { field: "outcome" })
    );
    // An error naming an event type as the refused command.
    assert_eq!(
        Message::decode(FrameType::Error, &[1, FrameType::Info as u8]),
        Err(MessageError::InvalidField { field: "command" })
    );
}

#[test]
fn link_messages_refuse_unknown_rates_levels_and_empty_patterns() {
    assert_eq!(
        Message::decode(FrameType::SetLink, &[4, 0]),
        Err(MessageError::InvalidField { field: "rate" })
    );
    assert_eq!(
        Message::decode(FrameType::SetLink, &[1, 4]),
        Err(MessageError::InvalidField { field: "level" })
    );
    assert_eq!(
        Message::decode(FrameType::LinkProbe, &[1, 0, 0]),
        Err(MessageError::InvalidField {
            field: "pattern_len"
        })
    );
    assert_eq!(
        Message::decode(FrameType::ProbeReply, &[1, 0]),
        Err(MessageError::InvalidField { field: "pattern" })
    );
}

#[test]
fn ack_and_nak_carry_no_message() {
    assert_eq!(
        Message::decode(FrameType::Ack, &[]),
        Err(MessageError::NotAMessage(FrameType::Ack))
    );
}

#[test]
fn parse_message_reports_the_failing_layer() {
    let mut bytes = Vec::new();
    encode_frame(
        Direction::Uplink,
        FrameType::ChipReadFailed,
        0,
        &[0x77],
        &mut bytes,
    )
    .unwrap();
    assert_eq!(
        parse_message(&bytes).unwrap_err(),
        ParseError::Message(MessageError::InvalidField { field: "reason" })
    );
    assert!(matches!(
        parse_message(&bytes[..3]),
        Err(ParseError::Frame(_))
    ));
}

#[test]
fn decoding_arbitrary_payloads_never_panics() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for frame_type in FrameType::ALL {
        for len in 0..80 {
            for _ in 0..40 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (state >> 56) as u8
                    })
                    .collect();
                let _ = Message::decode(frame_type, &bytes);
            }
        }
    }
}

#[test]
fn a_pin_pad_layout_is_a_permutation_of_the_ten_digits() {
    assert!(PinPadLayout::new([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]).is_ok());
    let invalid = MessageError::InvalidField { field: "layout" };
    assert_eq!(
        PinPadLayout::new([1, 1, 3, 4, 5, 6, 7, 8, 9, 0]),
        Err(invalid)
    );
    assert_eq!(
        PinPadLayout::new([10, 2, 3, 4, 5, 6, 7, 8, 9, 0]),
        Err(invalid)
    );
    let mut payload = vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 8];
    assert_eq!(Message::decode(FrameType::PinPad, &payload), Err(invalid));
    payload[9] = 9;
    let layout = PinPadLayout::new([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap();
    assert_eq!(
        Message::decode(FrameType::PinPad, &payload),
        Ok(Message::PinPad(layout))
    );
    assert_eq!(format!("{layout:?}"), "PinPadLayout(<hidden>)");
}

#[test]
fn pin_keys_are_4_to_12_positions_of_the_keypad() {
    let invalid = Err(MessageError::InvalidField { field: "keys" });
    assert_eq!(PinKeys::new(vec![1, 2, 3]), invalid);
    assert_eq!(PinKeys::new(vec![0; 13]), invalid);
    assert_eq!(PinKeys::new(vec![1, 2, 3, 10]), invalid);
    let invalid: Result<Message, _> = Err(MessageError::InvalidField { field: "keys" });
    let keys = PinKeys::new(vec![9, 0, 9, 0, 1, 2]).unwrap();
    assert_eq!(format!("{keys:?}"), "PinKeys(6 keys)");
    let payload = payload_of(&Message::PinEntered(keys.clone()));
    assert_eq!(payload, [6, 9, 0, 9, 0, 1, 2]);
    // A position past the keypad is refused when decoded too.
    assert_eq!(
        Message::decode(FrameType::PinEntered, &[4, 1, 2, 3, 10]),
        invalid
    );
}

#[test]
fn a_pin_block_pairs_aes_ksns_with_format_4_and_tdes_with_format_0() {
    let aes = PinBlock {
        ksn: vec![1; 12],
        block: vec![2; 16],
    };
    let tdes = PinBlock {
        ksn: vec![1; 10],
        block: vec![2; 8],
    };
    assert_eq!((aes.format(), tdes.format()), (4, 0));
    for pin in [&aes, &tdes] {
        let message = Message::PinBlock(pin.clone());
        assert_eq!(
            Message::decode(FrameType::PinBlock, &payload_of(&message)),
            Ok(message)
        );
    }
    let mixed = PinBlock {
        ksn: vec![1; 12],
        block: vec![2; 8],
    };
    let mut out = Vec::new();
    assert_eq!(
        Message::PinBlock(mixed).encode_payload(&mut out),
        Err(MessageError::InvalidField { field: "block" })
    );
    assert!(out.is_empty());
}
