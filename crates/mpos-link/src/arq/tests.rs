use super::*;
use crate::frame::{parse_frame, FrameType};

fn phone() -> Endpoint {
    Endpoint::new(
        Direction::Downlink,
        ArqConfig::for_peer_rate(BitRate::Bps4800),
    )
}

fn reader() -> Endpoint {
    Endpoint::new(
        Direction::Uplink,
        ArqConfig::for_peer_rate(BitRate::Bps2400),
    )
}

fn drain(endpoint: &mut Endpoint) -> Vec<ArqOutput> {
    std::iter::from_fn(|| endpoint.poll_output()).collect()
}

fn transmitted(outputs: &[ArqOutput]) -> Vec<Vec<u8>> {
    outputs
        .iter()
        .filter_map(|o| match o {
            ArqOutput::Transmit(bytes) => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

fn types(frames: &[Vec<u8>]) -> Vec<(FrameType, u8)> {
    frames
        .iter()
        .map(|f| {
            let frame = parse_frame(f).unwrap();
            (frame.frame_type, frame.seq)
        })
        .collect()
}

#[test]
fn timeout_follows_the_peer_rate() {
    // 20 ms turnaround + 45 ms for an empty frame at 2400 bit/s + 50 ms margin.
    assert_eq!(ack_timeout_ms(BitRate::Bps2400), 115);
    assert!(ack_timeout_ms(BitRate::Bps9600) < ack_timeout_ms(BitRate::Bps4800));
}

#[test]
fn send_transmits_and_arms_the_timer_then_ack_delivers() {
    let mut phone = phone();
    let seq = phone.send(FrameType::GetInfo, &[]).unwrap();
    let out = drain(&mut phone);
    assert_eq!(out.len(), 2);
    assert!(
        matches!(out[1], ArqOutput::StartTimer { millis } if millis == ack_timeout_ms(BitRate::Bps4800))
    );
    let mut reader = reader();
    reader.handle_frame(&transmitted(&out)[0]).unwrap();
    let reader_out = drain(&mut reader);
    assert!(reader_out.contains(&ArqOutput::Received {
        frame_type: FrameType::GetInfo,
        seq,
        payload: vec![]
    }));
    let acks = transmitted(&reader_out);
    assert_eq!(types(&acks), [(FrameType::Ack, seq)]);
    phone.handle_frame(&acks[0]).unwrap();
    assert_eq!(
        drain(&mut phone),
        [
            ArqOutput::StopTimer,
            ArqOutput::Delivered {
                frame_type: FrameType::GetInfo,
                seq
            }
        ]
    );
    assert!(phone.is_idle());
}

#[test]
fn an_ack_for_another_sequence_number_is_ignored() {
    let mut phone = phone();
    phone.send(FrameType::Cancel, &[]).unwrap();
    drain(&mut phone);
    let mut ack = Vec::new();
    encode_frame(Direction::Uplink, FrameType::Ack, 9, &[], &mut ack).unwrap();
    phone.handle_frame(&ack).unwrap();
    assert!(drain(&mut phone).is_empty());
    assert!(!phone.is_idle());
}

#[test]
fn timeouts_retransmit_the_same_bytes_then_fail() {
    let mut phone = phone();
    phone.send(FrameType::GetInfo, &[]).unwrap();
    let first = transmitted(&drain(&mut phone));
    for _ in 1..MAX_ATTEMPTS {
        phone.handle_timeout();
        let out = drain(&mut phone);
        assert_eq!(transmitted(&out), first);
        assert!(matches!(out.last(), Some(ArqOutput::StartTimer { .. })));
    }
    phone.handle_timeout();
    assert_eq!(
        drain(&mut phone),
        [
            ArqOutput::StopTimer,
            ArqOutput::Failed {
                frame_type: FrameType::GetInfo,
                seq: 0
            }
        ]
    );
    assert!(phone.is_idle());
    phone.handle_timeout();
    assert!(drain(&mut phone).is_empty(), "a stray timeout does nothing");
}

#[test]
fn a_damaged_frame_is_naked_and_the_nak_triggers_a_retransmission() {
    let mut phone = phone();
    let seq = phone.send(FrameType::StartTransaction, &[1, 2, 3]).unwrap();
    let mut bytes = transmitted(&drain(&mut phone)).remove(0);
    let original = bytes.clone();
    bytes[7] ^= 0x01; // a payload byte
    let mut reader = reader();
    assert!(matches!(
        reader.handle_frame(&bytes),
        Err(FrameError::BadCrc { .. })
    ));
    let out = drain(&mut reader);
    let naks = transmitted(&out);
    assert_eq!(types(&naks), [(FrameType::Nak, seq)]);
    assert_eq!(parse_frame(&naks[0]).unwrap().payload, [NAK_BAD_FCS]);
    assert!(!out.iter().any(|o| matches!(o, ArqOutput::Received { .. })));
    phone.handle_frame(&naks[0]).unwrap();
    assert_eq!(transmitted(&drain(&mut phone)), [original]);
}

#[test]
fn a_nak_on_the_last_attempt_fails_the_frame() {
    let mut phone = phone();
    phone.send(FrameType::Cancel, &[]).unwrap();
    drain(&mut phone);
    let mut nak = Vec::new();
    encode_frame(
        Direction::Uplink,
        FrameType::Nak,
        0,
        &[NAK_BAD_FCS],
        &mut nak,
    )
    .unwrap();
    for _ in 1..MAX_ATTEMPTS {
        phone.handle_frame(&nak).unwrap();
        assert_eq!(transmitted(&drain(&mut phone)).len(), 1);
    }
    phone.handle_frame(&nak).unwrap();
    assert!(drain(&mut phone).contains(&ArqOutput::Failed {
        frame_type: FrameType::Cancel,
        seq: 0
    }));
}

#[test]
fn a_duplicate_is_acked_again_but_delivered_once() {
    let mut phone = phone();
    phone.send(FrameType::GetInfo, &[]).unwrap();
    let bytes = transmitted(&drain(&mut phone)).remove(0);
    let mut reader = reader();
    reader.handle_frame(&bytes).unwrap();
    let first = drain(&mut reader);
    reader.handle_frame(&bytes).unwrap();
    let second = drain(&mut reader);
    let received = |out: &[ArqOutput]| {
        out.iter()
            .filter(|o| matches!(o, ArqOutput::Received { .. }))
            .count()
    };
    assert_eq!(received(&first), 1);
    assert_eq!(received(&second), 0);
    assert_eq!(types(&transmitted(&second)), [(FrameType::Ack, 0)]);
}

#[test]
fn same_sequence_number_with_other_content_is_new() {
    // A reader that restarted counts from 0 again; its new frame must not be lost.
    let mut phone = phone();
    for payload in [[1u8], [2u8]] {
        let mut reader = reader();
        reader.send(FrameType::ChipReadFailed, &payload).unwrap();
        let bytes = transmitted(&drain(&mut reader)).remove(0);
        phone.handle_frame(&bytes).unwrap();
        assert!(drain(&mut phone)
            .iter()
            .any(|o| matches!(o, ArqOutput::Received { .. })));
    }
}

#[test]
fn frames_queue_behind_the_one_in_flight() {
    let mut reader = reader();
    let a = reader.send(FrameType::CardInserted, &[]).unwrap();
    let b = reader.send(FrameType::CardRemoved, &[]).unwrap();
    assert_eq!((a, b), (0, 1));
    assert_eq!(
        types(&transmitted(&drain(&mut reader))),
        [(FrameType::CardInserted, 0)]
    );
    let mut ack = Vec::new();
    encode_frame(Direction::Downlink, FrameType::Ack, 0, &[], &mut ack).unwrap();
    reader.handle_frame(&ack).unwrap();
    let out = drain(&mut reader);
    assert_eq!(types(&transmitted(&out)), [(FrameType::CardRemoved, 1)]);
}

#[test]
fn the_queue_is_bounded() {
    let mut reader = reader();
    for _ in 0..reader.config().queue_limit {
        reader.send(FrameType::CardInserted, &[]).unwrap();
    }
    assert_eq!(
        reader.send(FrameType::CardInserted, &[]),
        Err(ArqError::QueueFull)
    );
}

#[test]
fn sequence_numbers_wrap() {
    let mut phone = phone();
    let mut ack = Vec::new();
    for expected in (0..=255u8).chain([0, 1]) {
        let seq = phone.send(FrameType::GetInfo, &[]).unwrap();
        assert_eq!(seq, expected);
        drain(&mut phone);
        ack.clear();
        encode_frame(Direction::Uplink, FrameType::Ack, seq, &[], &mut ack).unwrap();
        phone.handle_frame(&ack).unwrap();
        drain(&mut phone);
    }
}

#[test]
fn our_own_frames_echoed_back_are_ignored() {
    let mut phone = phone();
    phone.send(FrameType::GetInfo, &[]).unwrap();
    let bytes = transmitted(&drain(&mut phone)).remove(0);
    phone.handle_frame(&bytes).unwrap();
    assert!(drain(&mut phone).is_empty());
}

#[test]
fn a_peer_frame_while_waiting_restarts_the_timer() {
    let mut phone = phone();
    phone.send(FrameType::GetInfo, &[]).unwrap();
    drain(&mut phone);
    let mut reader = reader();
    reader.send(FrameType::CardInserted, &[]).unwrap();
    let event = transmitted(&drain(&mut reader)).remove(0);
    phone.handle_frame(&event).unwrap();
    let out = drain(&mut phone);
    assert_eq!(types(&transmitted(&out)), [(FrameType::Ack, 0)]);
    assert!(matches!(out.last(), Some(ArqOutput::StartTimer { .. })));
}

#[test]
fn link_management_frames_bypass_the_arq() {
    let mut phone = phone();
    assert_eq!(
        phone.send(FrameType::LinkProbe, &[1, 1, 16]),
        Err(ArqError::ControlFrame(FrameType::LinkProbe))
    );
    assert_eq!(
        phone.send_unsequenced(FrameType::Ack, &[]),
        Err(ArqError::ControlFrame(FrameType::Ack))
    );
    phone
        .send_unsequenced(FrameType::LinkProbe, &[1, 1, 16])
        .unwrap();
    let out = drain(&mut phone);
    assert_eq!(out.len(), 1, "no timer for an unsequenced frame");
    let mut reader = reader();
    reader.handle_frame(&transmitted(&out)[0]).unwrap();
    let reader_out = drain(&mut reader);
    assert!(
        transmitted(&reader_out).is_empty(),
        "no ACK for an unsequenced frame"
    );
    assert!(matches!(
        reader_out[0],
        ArqOutput::Received {
            frame_type: FrameType::LinkProbe,
            ..
        }
    ));
}

#[test]
fn reset_forgets_everything() {
    let mut phone = phone();
    phone.send(FrameType::GetInfo, &[]).unwrap();
    phone.send(FrameType::Cancel, &[]).unwrap();
    drain(&mut phone);
    phone.reset();
    assert_eq!(drain(&mut phone), [ArqOutput::StopTimer]);
    assert!(phone.is_idle());
    phone.handle_timeout();
    assert!(drain(&mut phone).is_empty());
}

#[test]
fn send_message_picks_the_arq_by_type() {
    let mut phone = phone();
    assert_eq!(phone.send_message(&Message::GetInfo), Ok(Some(0)));
    drain(&mut phone);
    let probe = Message::LinkProbe(crate::message::LinkProbe {
        settings: crate::message::LinkSettings {
            rate: BitRate::Bps9600,
            level: crate::phy::UplinkLevel(1),
        },
        pattern_len: 8,
    });
    assert_eq!(phone.send_message(&probe), Ok(None));
}
