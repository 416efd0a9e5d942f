use super::*;
use crate::channel::ChannelConfig;
use crate::loopback::Loopback;
use crate::message::ReaderInfo;
use crate::phy::{UplinkLevel, DEFAULT_UPLINK};

const RATE: u32 = 48_000;

fn info() -> Message {
    Message::Info(ReaderInfo {
        serial: "KGI-A1-000123".into(),
        firmware: "1.0.0".into(),
        battery_percent: None,
        ksn: vec![0x12; 12],
    })
}

fn default_settings() -> LinkSettings {
    LinkSettings {
        rate: DEFAULT_UPLINK.0,
        level: DEFAULT_UPLINK.1,
    }
}

fn loopback(
    profile: &LinkProfile,
    downlink: ChannelConfig,
    uplink: ChannelConfig,
    ratio: f64,
) -> Loopback {
    let phone = Station::phone(RATE, profile).unwrap();
    let reader = Station::reader(RATE, profile.settings).unwrap();
    Loopback::new(phone, reader, RATE, ratio, downlink, uplink, 256)
}

/// Phone-side microphone path: quiet, high-passed, noisy, inverted.
fn phone_mic(gain: f32) -> ChannelConfig {
    ChannelConfig {
        gain,
        highpass_hz: Some(300.0),
        invert: true,
        seed: 21,
        ..ChannelConfig::default()
    }
    .with_snr(UplinkLevel(1).sim_amplitude(), 25.0)
}

fn events(station: &mut Station) -> Vec<StationEvent> {
    std::iter::from_fn(|| station.poll_event()).collect()
}

/// Reader firmware for the tests: answers GetInfo with Info.
fn answer_get_info(link: &mut Loopback, seen: &mut Vec<StationEvent>) {
    for event in events(&mut link.reader) {
        if matches!(
            &event,
            StationEvent::Received {
                message: Message::GetInfo,
                ..
            }
        ) {
            link.reader.send(&info()).unwrap();
        }
        seen.push(event);
    }
}

#[test]
fn get_info_round_trip_through_audio() {
    let profile = LinkProfile::power_up_default("test");
    let mut link = loopback(&profile, ChannelConfig::default(), phone_mic(1.0), 1.005);
    let start = link.phone.now();
    link.phone.send(&Message::GetInfo).unwrap();
    let mut reader_seen = Vec::new();
    let mut phone_seen = Vec::new();
    let done = link.run_until(u64::from(RATE), |link| {
        answer_get_info(link, &mut reader_seen);
        phone_seen.extend(events(&mut link.phone));
        phone_seen.iter().any(|e| {
            matches!(
                e,
                StationEvent::Received {
                    message: Message::Info(_),
                    ..
                }
            )
        })
    });
    assert!(done, "phone saw {phone_seen:?}");
    let end = link.phone.now();
    // Within 300 ms at 2400 bit/s both ways.
    assert!(
        end - start <= u64::from(RATE) * 3 / 10,
        "{} samples",
        end - start
    );
    assert!(phone_seen.contains(&StationEvent::Delivered {
        frame_type: FrameType::GetInfo,
        seq: 0
    }));
    link.run_until(u64::from(RATE) / 5, |link| {
        reader_seen.extend(events(&mut link.reader));
        false
    });
    assert!(reader_seen.contains(&StationEvent::Delivered {
        frame_type: FrameType::Info,
        seq: 0
    }));
    assert_eq!(
        reader_seen
            .iter()
            .filter(|e| matches!(e, StationEvent::Received { .. }))
            .count(),
        1
    );
}

#[test]
fn a_lost_ack_is_recovered_by_retransmission_without_a_duplicate() {
    let profile = LinkProfile::power_up_default("test");
    let mut link = loopback(
        &profile,
        ChannelConfig::default(),
        ChannelConfig::default(),
        1.0,
    );
    link.phone.send(&Message::Cancel).unwrap();
    // The Cancel takes 45 ms; the reader's ACK follows. Lose the first 150 ms of uplink.
    link.mute_uplink_until(u64::from(RATE) * 15 / 100);
    let mut phone_seen = Vec::new();
    let mut reader_seen = Vec::new();
    let delivered = link.run_until(u64::from(RATE), |link| {
        phone_seen.extend(events(&mut link.phone));
        reader_seen.extend(events(&mut link.reader));
        phone_seen
            .iter()
            .any(|e| matches!(e, StationEvent::Delivered { .. }))
    });
    assert!(delivered, "{phone_seen:?}");
    let cancels = reader_seen
        .iter()
        .filter(|e| {
            matches!(
                e,
                StationEvent::Received {
                    message: Message::Cancel,
                    ..
                }
            )
        })
        .count();
    assert_eq!(cancels, 1, "the retransmission is not delivered twice");
}

#[test]
fn a_silent_reader_makes_the_phone_give_up() {
    let profile = LinkProfile::power_up_default("test");
    let mut link = loopback(
        &profile,
        ChannelConfig::default(),
        ChannelConfig::default(),
        1.0,
    );
    link.mute_uplink_until(u64::MAX);
    link.phone.send(&Message::GetInfo).unwrap();
    let mut seen = Vec::new();
    let failed = link.run_until(u64::from(RATE) * 2, |link| {
        seen.extend(events(&mut link.phone));
        seen.iter()
            .any(|e| matches!(e, StationEvent::Failed { .. }))
    });
    assert!(failed);
    // Four transmissions of 45 ms, each followed by a 115 ms timeout.
    let elapsed = link.phone.now();
    assert!(elapsed >= u64::from(RATE) * 4 * 160 / 1000, "{elapsed}");
    assert!(elapsed <= u64::from(RATE) * 4 * 200 / 1000, "{elapsed}");
}

#[test]
fn autoconfig_finds_a_band_limited_phones_rate_and_both_ends_switch() {
    let profile = LinkProfile::power_up_default("band-limited");
    let mic = ChannelConfig {
        lowpass_hz: Some(6000.0),
        ..phone_mic(0.8)
    };
    let mut link = loopback(&profile, ChannelConfig::default(), mic, 0.996);
    link.phone.start_autoconfig("band-limited").unwrap();
    let mut phone_seen = Vec::new();
    let mut reader_seen = Vec::new();
    let done = link.run_until(u64::from(RATE) * 10, |link| {
        phone_seen.extend(events(&mut link.phone));
        reader_seen.extend(events(&mut link.reader));
        phone_seen.iter().any(|e| {
            matches!(
                e,
                StationEvent::AutoConfigured(_) | StationEvent::AutoConfigFailed(_)
            )
        })
    });
    assert!(done);
    let Some(StationEvent::AutoConfigured(learned)) = phone_seen.last() else {
        panic!("{phone_seen:?}");
    };
    assert_eq!(learned.settings.rate, BitRate::Bps4800, "{learned:?}");
    assert!(learned.uplink_inverted);
    assert!(
        learned.rx_amplitude >= crate::autoconfig::TARGET_AMPLITUDE * 0.8,
        "{learned:?}"
    );
    assert_eq!(link.reader.settings(), learned.settings);
    assert_eq!(link.phone.settings(), learned.settings);
    assert!(reader_seen.contains(&StationEvent::LinkChanged(learned.settings)));

    // The link works at the new settings.
    link.phone.send(&Message::GetInfo).unwrap();
    let mut seen = Vec::new();
    let answered = link.run_until(u64::from(RATE), |link| {
        answer_get_info(link, &mut Vec::new());
        seen.extend(events(&mut link.phone));
        seen.iter().any(|e| {
            matches!(
                e,
                StationEvent::Received {
                    message: Message::Info(_),
                    ..
                }
            )
        })
    });
    assert!(answered, "{seen:?}");
}

#[test]
fn verifying_a_remembered_profile_takes_one_exchange() {
    let mut remembered = LinkProfile::power_up_default("Pixel 7");
    remembered.settings = LinkSettings {
        rate: BitRate::Bps9600,
        level: UplinkLevel(2),
    };
    let mut link = loopback(
        &LinkProfile::power_up_default("Pixel 7"),
        ChannelConfig::default(),
        phone_mic(1.0),
        1.0,
    );
    link.phone.verify_profile(&remembered).unwrap();
    let mut seen = Vec::new();
    let done = link.run_until(u64::from(RATE), |link| {
        seen.extend(events(&mut link.phone));
        !seen.is_empty()
    });
    assert!(done);
    assert!(
        matches!(&seen[0], StationEvent::AutoConfigured(p) if p.settings == remembered.settings),
        "{seen:?}"
    );
    // One SetLink at 2400 bit/s and a 16-byte reply at 9600: well under 200 ms.
    assert!(link.phone.now() < u64::from(RATE) / 5);
}

#[test]
fn ends_refuse_messages_of_the_other_direction() {
    let mut phone = Station::phone(RATE, &LinkProfile::power_up_default("x")).unwrap();
    assert_eq!(
        phone.send(&info()),
        Err(StationError::WrongDirection(FrameType::Info))
    );
    let mut reader = Station::reader(RATE, default_settings()).unwrap();
    assert_eq!(
        reader.send(&Message::GetInfo),
        Err(StationError::WrongDirection(FrameType::GetInfo))
    );
    assert_eq!(reader.start_autoconfig("x"), Err(StationError::NotPhone));
}

#[test]
fn an_idle_station_outputs_silence() {
    let mut phone = Station::phone(RATE, &LinkProfile::power_up_default("x")).unwrap();
    let mut out = vec![1.0f32; 512];
    phone.process(&[0.0; 512], &mut out);
    assert!(out.iter().all(|&s| s == 0.0));
    assert!(phone.is_idle());
    assert_eq!(phone.now(), 512);
}
