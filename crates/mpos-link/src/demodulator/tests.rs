use super::*;
use crate::channel::{Channel, ChannelConfig};
use crate::frame::{encode_frame, parse_frame, Direction, FrameType};
use crate::modulator::Modulator;

const AMPLITUDE: f32 = 0.25;

/// `count` distinct frames with `payload_len`-byte payloads.
fn frames(count: usize, payload_len: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let payload: Vec<u8> = (0..payload_len)
                .map(|j| (i * 31 + j * 7) as u8 ^ 0x5A)
                .collect();
            let mut out = Vec::new();
            encode_frame(
                Direction::Uplink,
                FrameType::CardRead,
                i as u8,
                &payload,
                &mut out,
            )
            .unwrap();
            out
        })
        .collect()
}

/// Modulates the frames with silent gaps, runs them through the channel and
/// returns what the demodulator produced.
fn run(
    sample_rate: u32,
    rate: BitRate,
    config: ChannelConfig,
    sent: &[Vec<u8>],
) -> Vec<(Vec<u8>, RxStats)> {
    let modulator = Modulator::new(sample_rate, rate, AMPLITUDE);
    let mut tx = vec![0.0f32; 500];
    for frame in sent {
        modulator.modulate(frame, &mut tx);
        tx.extend(std::iter::repeat_n(0.0, 300));
    }
    let mut rx = Vec::new();
    Channel::new(sample_rate, config).process(&tx, &mut rx);
    let mut demod = Demodulator::new(sample_rate, rate).unwrap();
    let mut got = Vec::new();
    // Feed in audio-callback-sized blocks, as a phone would.
    for block in rx.chunks(256) {
        let mut offset = 0;
        while offset < block.len() {
            offset += demod.push(&block[offset..]);
            if let Some((bytes, stats)) = demod.frame() {
                got.push((bytes.to_vec(), *stats));
            }
        }
    }
    got
}

fn assert_all_received(
    sample_rate: u32,
    rate: BitRate,
    config: ChannelConfig,
    count: usize,
) -> Vec<RxStats> {
    let sent = frames(count, 24);
    let got = run(sample_rate, rate, config, &sent);
    let good: Vec<_> = got.iter().filter(|(b, _)| parse_frame(b).is_ok()).collect();
    assert_eq!(
        good.len(),
        sent.len(),
        "{sample_rate} Hz {rate:?} {config:?}: {} of {} frames",
        good.len(),
        sent.len()
    );
    for ((bytes, _), expected) in good.iter().zip(&sent) {
        assert_eq!(bytes, expected);
    }
    got.into_iter().map(|(_, s)| s).collect()
}

#[test]
fn clean_round_trip_at_every_rate_and_sample_rate() {
    for sample_rate in [44_100, 48_000] {
        for rate in BitRate::FASTEST_FIRST {
            let stats = assert_all_received(sample_rate, rate, ChannelConfig::default(), 4);
            assert!(
                stats.iter().all(|s| !s.inverted && s.eye_snr_db > 15.0),
                "{stats:?}"
            );
        }
    }
}

#[test]
fn survives_20_db_noise() {
    for rate in BitRate::FASTEST_FIRST {
        let config = ChannelConfig {
            seed: 3,
            ..ChannelConfig::default()
        }
        .with_snr(AMPLITUDE, 20.0);
        assert_all_received(44_100, rate, config, 10);
    }
}

#[test]
fn follows_clock_offsets_of_half_a_percent_and_the_one_percent_receiver_tolerance() {
    for ratio in [0.99, 0.995, 1.005, 1.01] {
        for rate in BitRate::FASTEST_FIRST {
            let config = ChannelConfig {
                clock_ratio: ratio,
                seed: 5,
                ..ChannelConfig::default()
            }
            .with_snr(AMPLITUDE, 25.0);
            // Long frames: 1 % of 300 bytes is 24 bits of slip to follow.
            let sent = frames(3, 290);
            let got = run(48_000, rate, config, &sent);
            let good = got.iter().filter(|(b, _)| parse_frame(b).is_ok()).count();
            assert_eq!(good, 3, "ratio {ratio} {rate:?}");
        }
    }
}

#[test]
fn inverted_signal_decodes_and_is_reported() {
    let config = ChannelConfig {
        invert: true,
        ..ChannelConfig::default()
    };
    for rate in BitRate::FASTEST_FIRST {
        let stats = assert_all_received(48_000, rate, config, 3);
        assert!(stats.iter().all(|s| s.inverted));
    }
}

#[test]
fn survives_phone_high_pass_filters() {
    for (hz, order) in [(100.0, 1), (500.0, 1), (100.0, 2)] {
        for rate in BitRate::FASTEST_FIRST {
            let config = ChannelConfig {
                highpass_hz: Some(hz),
                highpass_order: order,
                seed: 9,
                ..ChannelConfig::default()
            }
            .with_snr(AMPLITUDE, 25.0);
            assert_all_received(44_100, rate, config, 5);
        }
    }
}

#[test]
fn gain_does_not_matter_from_quiet_to_clipping() {
    for gain in [0.02, 0.3, 12.0] {
        let config = ChannelConfig {
            gain,
            ..ChannelConfig::default()
        }
        .with_snr(AMPLITUDE, 30.0);
        let stats = assert_all_received(48_000, BitRate::Bps4800, config, 3);
        let expected = (AMPLITUDE * gain).min(1.0);
        for s in &stats {
            assert!(
                (s.amplitude / expected - 1.0).abs() < 0.3,
                "gain {gain}: amplitude {} expected {expected}",
                s.amplitude
            );
            assert_eq!(s.clipped_samples > 0, gain > 4.0, "gain {gain}");
        }
    }
}

#[test]
fn all_impairments_together() {
    let config = ChannelConfig {
        clock_ratio: 1.005,
        gain: 0.4,
        highpass_hz: Some(300.0),
        invert: true,
        seed: 11,
        ..ChannelConfig::default()
    }
    .with_snr(AMPLITUDE, 20.0);
    for rate in BitRate::FASTEST_FIRST {
        assert_all_received(44_100, rate, config, 8);
    }
}

#[test]
fn noise_alone_produces_no_valid_frame() {
    let config = ChannelConfig {
        noise_rms: 0.05,
        seed: 13,
        ..ChannelConfig::default()
    };
    let mut rx = Vec::new();
    Channel::new(48_000, config).process(&vec![0.0; 48_000 * 3], &mut rx);
    let mut demod = Demodulator::new(48_000, BitRate::Bps9600).unwrap();
    let mut offset = 0;
    while offset < rx.len() {
        offset += demod.push(&rx[offset..]);
        if let Some((bytes, _)) = demod.frame() {
            assert!(parse_frame(bytes).is_err());
        }
    }
    assert_eq!(demod.samples_seen(), rx.len() as u64);
}

#[test]
fn a_damaged_frame_is_delivered_for_nak_and_the_next_one_is_found() {
    let sent = frames(2, 16);
    let modulator = Modulator::new(48_000, BitRate::Bps4800, AMPLITUDE);
    let mut tx = Vec::new();
    modulator.modulate(&sent[0], &mut tx);
    // Flip the polarity of one payload half-bit region: a bit error after the header.
    let half = 5usize;
    let cut = (40 + 8 * 10) * 2 * half;
    for s in &mut tx[cut..cut + half] {
        *s = -*s;
    }
    tx.extend(std::iter::repeat_n(0.0, 200));
    modulator.modulate(&sent[1], &mut tx);
    tx.extend(std::iter::repeat_n(0.0, 200));
    let mut demod = Demodulator::new(48_000, BitRate::Bps4800).unwrap();
    let mut results = Vec::new();
    let mut offset = 0;
    while offset < tx.len() {
        offset += demod.push(&tx[offset..]);
        if let Some((bytes, _)) = demod.frame() {
            results.push(parse_frame(bytes).map(|f| f.seq));
        }
    }
    assert!(
        matches!(
            results[0],
            Err(crate::frame::FrameError::BadCrc { seq: 0, .. })
        ),
        "{results:?}"
    );
    assert_eq!(results[1], Ok(1));
}

#[test]
fn refuses_sample_rates_below_two_samples_per_half_bit() {
    assert!(Demodulator::new(16_000, BitRate::Bps9600).is_err());
    assert!(Demodulator::new(8_000, BitRate::Bps2400).is_err());
    assert!(Demodulator::new(11_025, BitRate::Bps2400).is_ok());
}
