//! Keeps `docs/reader-protocol.md` and the code in step: every worked
//! example, test vector, timer and error message in the document is
//! checked against what the reference implementation produces.

use mpos_link::arq::ack_timeout_ms;
use mpos_link::autoconfig::reply_timeout_ms;
use mpos_link::crc::{crc16, crc8};
use mpos_link::examples;
use mpos_link::line_code::SYNC_PATTERN;
use mpos_link::message::ReaderErrorCode;
use mpos_link::{parse_frame, parse_message, prbs, BitRate};

fn document() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/reader-protocol.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bytes of the ```hex block that follows `marker`.
fn hex_after(doc: &str, marker: &str) -> Vec<u8> {
    let at = doc
        .find(marker)
        .unwrap_or_else(|| panic!("document lacks {marker}"));
    let rest = &doc[at + marker.len()..];
    let open = rest
        .find("```hex\n")
        .unwrap_or_else(|| panic!("no hex block after {marker}"));
    let body = &rest[open + "```hex\n".len()..];
    let close = body.find("```").expect("hex block is closed");
    body[..close]
        .split_whitespace()
        .map(|pair| {
            u8::from_str_radix(pair, 16).unwrap_or_else(|_| panic!("{marker}: bad hex {pair:?}"))
        })
        .collect()
}

#[test]
fn every_message_example_is_the_reference_encoding() {
    let doc = document();
    for example in examples::all() {
        let marker = format!("<!-- example: {} -->", example.name);
        let bytes = hex_after(&doc, &marker);
        assert_eq!(
            bytes,
            example.frame(),
            "{}: the document shows\n{}\nthe code builds\n{}",
            example.name,
            examples::hex_lines(&bytes),
            examples::hex_lines(&example.frame())
        );
        let (frame, message) =
            parse_message(&bytes).unwrap_or_else(|e| panic!("{}: {e}", example.name));
        assert_eq!(message, example.message, "{}", example.name);
        assert_eq!(frame.seq, example.seq, "{}", example.name);
    }
}

#[test]
fn ack_and_nak_examples_are_the_reference_encoding() {
    let doc = document();
    for (name, direction, frame_type, seq, payload) in examples::control_examples() {
        let bytes = hex_after(&doc, &format!("<!-- example: {name} -->"));
        let frame = parse_frame(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (frame.direction, frame.frame_type, frame.seq, frame.payload),
            (direction, frame_type, seq, payload.as_slice()),
            "{name}"
        );
        let mut rebuilt = Vec::new();
        mpos_link::encode_frame(direction, frame_type, seq, &payload, &mut rebuilt).unwrap();
        assert_eq!(bytes, rebuilt, "{name}");
    }
}

#[test]
fn the_document_has_no_example_the_code_does_not_know() {
    let doc = document();
    let known: Vec<String> = examples::all()
        .iter()
        .map(|e| e.name.to_string())
        .chain(examples::control_examples().iter().map(|c| c.0.to_string()))
        .collect();
    let mut rest = doc.as_str();
    let mut count = 0;
    while let Some(at) = rest.find("<!-- example: ") {
        rest = &rest[at + "<!-- example: ".len()..];
        let name = &rest[..rest.find(" -->").expect("marker is closed")];
        assert!(known.iter().any(|k| k == name), "unknown example {name}");
        count += 1;
    }
    assert_eq!(count, known.len());
}

#[test]
fn test_vectors_match_the_code() {
    let doc = document();
    assert_eq!(hex_after(&doc, "<!-- vector: prbs9 -->"), prbs::pattern(16));
    let sync = format!("0x{SYNC_PATTERN:06x}");
    let marker_at = doc
        .find("<!-- vector: sync_pattern -->")
        .expect("sync marker");
    assert!(
        doc[marker_at..marker_at + 200].contains(&sync),
        "sync pattern {sync}"
    );
    for (value, name) in [
        (format!("0x{:02X}", crc8(b"123456789")), "CRC-8/SMBUS"),
        (format!("0x{:04X}", crc16(b"123456789")), "CRC-16/IBM-3740"),
    ] {
        let row = doc.lines().find(|l| l.contains(name)).expect("CRC row");
        assert!(row.ends_with(&format!("| {value} |")), "{row}");
    }
}

#[test]
fn timer_table_matches_the_code() {
    let doc = document();
    for rate in [BitRate::Bps2400, BitRate::Bps4800, BitRate::Bps9600] {
        let row = format!(
            "| {} | {} | {} | {} |",
            rate.bits_per_second(),
            ack_timeout_ms(rate),
            reply_timeout_ms(rate, 16),
            reply_timeout_ms(rate, 64)
        );
        assert!(doc.contains(&row), "missing timer row {row}");
    }
}

#[test]
fn error_code_messages_match_the_code() {
    let doc = document();
    for code in ReaderErrorCode::ALL {
        let row = format!("| {:#04x} | {code:?} | {code} |", code as u8);
        assert!(doc.contains(&row), "missing or stale row {row}");
    }
}
