//! The pre-shift check: each rule at its thresholds, and the flow's
//! commands and lines.

use super::rules::{self, keys_left};
use super::*;
use crate::model::host_error::HostError;
use crate::model::reader::ReaderInfo;
use crate::model::self_check::{GatewayProbe, LinkQuality, ProfileOrigin, ReaderCheck};
use mpos_wire::api::AppStatus;
use mpos_wire::{ApiError, ErrorCode};

/// 2031-03-04T05:06:07Z.
const NOW_MS: i64 = 1_930_367_167_000;

fn v(text: &str) -> AppVersion {
    text.parse().unwrap()
}

fn info(ksn: &str, battery: Option<u8>) -> ReaderInfo {
    ReaderInfo {
        serial: "SIM-7".into(),
        firmware: "2.1.0".into(),
        battery_percent: battery,
        ksn: ksn.into(),
    }
}

/// A fresh AES DUKPT key: 8 bytes of key id, counter 1.
const FRESH_KSN: &str = "123456789012345600000001";

fn link(snr_tenths: i32, origin: ProfileOrigin) -> LinkQuality {
    LinkQuality {
        sample_rate: 48_000,
        uplink_bps: 9_600,
        drive_level: 2,
        rx_level_percent: 41,
        eye_snr_tenths_db: snr_tenths,
        phone_model: "Pixel 7".into(),
        origin,
    }
}

fn connected(info: ReaderInfo, link: Option<LinkQuality>) -> ReaderCheck {
    ReaderCheck {
        info: Some(info),
        link,
        saved_profile_model: None,
    }
}

fn probe(server_time: &str, phone_offset_ms: i64) -> GatewayProbe {
    GatewayProbe {
        status: AppStatus {
            server_time: server_time.into(),
            latest_app_version: "1.4.0".into(),
            minimum_app_version: "1.2.0".into(),
        },
        sent_at_ms: NOW_MS + phone_offset_ms - 100,
        received_at_ms: NOW_MS + phone_offset_ms + 100,
        certificate_not_after: Some(NOW_MS / 1000 + 365 * 86_400),
    }
}

const SERVER_NOW: &str = "2031-03-04T05:06:07.000Z";

fn line(lines: &[CheckLine], item: CheckItem) -> CheckLine {
    lines
        .iter()
        .find(|line| line.item == item)
        .cloned()
        .unwrap_or_else(|| panic!("no {item:?} line in {lines:#?}"))
}

fn status(lines: &[CheckLine], item: CheckItem) -> CheckStatus {
    line(lines, item).status
}

#[test]
fn the_phone_battery_warns_below_20_and_fails_below_5_unless_charging() {
    let at = |percent, charging| rules::phone_battery(Some(PhonePower { percent, charging }));
    assert_eq!(at(20, false).status, CheckStatus::Ok);
    assert_eq!(at(19, false).status, CheckStatus::Warning);
    assert_eq!(at(5, false).status, CheckStatus::Warning);
    assert_eq!(at(4, false).status, CheckStatus::Failed);
    assert_eq!(at(4, true).status, CheckStatus::Ok);
    let unknown = rules::phone_battery(None);
    assert_eq!(unknown.status, CheckStatus::Skipped);
    assert_eq!(unknown.finding, Finding::PhoneBatteryUnknown);
}

#[test]
fn a_reader_that_answers_passes_with_its_serial_and_keys_left() {
    let check = connected(info(FRESH_KSN, None), Some(link(184, ProfileOrigin::Saved)));
    let lines = rules::reader(&check, true);
    assert_eq!(
        line(&lines, CheckItem::Reader).finding,
        Finding::ReaderAnswering {
            serial: "SIM-7".into(),
            firmware: "2.1.0".into()
        }
    );
    assert!(
        lines.iter().all(|line| line.status == CheckStatus::Ok),
        "{lines:#?}"
    );
    assert_eq!(
        line(&lines, CheckItem::ReaderKeys).finding,
        Finding::KeysLeft(2_448_023_841)
    );
    assert_eq!(
        line(&lines, CheckItem::LinkProfile).finding,
        Finding::Profile {
            phone_model: "Pixel 7".into(),
            saved: true
        }
    );
}

#[test]
fn no_reader_or_no_microphone_fails_and_skips_what_needs_the_reader() {
    let missing = ReaderCheck {
        info: None,
        link: None,
        saved_profile_model: Some("Pixel 7".into()),
    };
    let lines = rules::reader(&missing, true);
    assert_eq!(
        line(&lines, CheckItem::Reader).finding,
        Finding::ReaderMissing
    );
    assert_eq!(status(&lines, CheckItem::Reader), CheckStatus::Failed);
    for item in [
        CheckItem::ReaderBattery,
        CheckItem::ReaderKeys,
        CheckItem::AudioLink,
    ] {
        assert_eq!(
            line(&lines, item),
            CheckLine::new(
                item,
                CheckStatus::Skipped,
                Finding::NeedsFirst(CheckItem::Reader)
            )
        );
    }
    // The saved settings are still there for the next reader.
    assert_eq!(status(&lines, CheckItem::LinkProfile), CheckStatus::Ok);

    // Without the microphone, even a known reader cannot be heard.
    let known = connected(info(FRESH_KSN, None), Some(link(184, ProfileOrigin::Saved)));
    let lines = rules::reader(&known, false);
    assert_eq!(
        line(&lines, CheckItem::Reader).finding,
        Finding::MicrophoneBlocked
    );
    assert_eq!(status(&lines, CheckItem::Reader), CheckStatus::Failed);

    // Nothing learned on this phone yet: say how it will be.
    let never = ReaderCheck {
        info: None,
        link: None,
        saved_profile_model: None,
    };
    let lines = rules::reader(&never, true);
    assert_eq!(
        line(&lines, CheckItem::LinkProfile).finding,
        Finding::NoProfile
    );
    assert_eq!(status(&lines, CheckItem::LinkProfile), CheckStatus::Warning);
}

#[test]
fn the_reader_battery_warns_below_20_and_fails_below_5() {
    let battery = |percent| {
        let lines = rules::reader(&connected(info(FRESH_KSN, percent), None), true);
        status(&lines, CheckItem::ReaderBattery)
    };
    assert_eq!(
        battery(None),
        CheckStatus::Ok,
        "a jack-powered reader has none"
    );
    assert_eq!(battery(Some(20)), CheckStatus::Ok);
    assert_eq!(battery(Some(19)), CheckStatus::Warning);
    assert_eq!(battery(Some(5)), CheckStatus::Warning);
    assert_eq!(battery(Some(4)), CheckStatus::Failed);
}

#[test]
fn keys_left_come_from_the_ksn_counter_of_either_dukpt_scheme() {
    // AES: the last 4 bytes are the counter.
    assert_eq!(keys_left(FRESH_KSN), Some(2_448_023_841));
    assert_eq!(keys_left("1234567890123456FFFFFFFF"), Some(0));
    // TDES: the last 21 bits (X9.24-1 test KSN FFFF9876543210E00001).
    assert_eq!(keys_left("FFFF9876543210E00001"), Some(1_048_574));
    assert_eq!(keys_left("FFFF9876543210E"), None);
    assert_eq!(keys_left("not hex at all!!"), None);

    let status_at = |ksn: &str| {
        let lines = rules::reader(&connected(info(ksn, None), None), true);
        status(&lines, CheckItem::ReaderKeys)
    };
    // Near the end of TDES's 21 bits: above 0x1FF000 (9 one bits) only
    // the 11 counters adding one lower bit and 0x1FF800 remain.
    let near_end = "FFFF9876543210FFF000";
    assert_eq!(keys_left(near_end), Some(12));
    assert_eq!(status_at(near_end), CheckStatus::Warning);
    assert_eq!(status_at("1234567890123456FFFFFFFF"), CheckStatus::Failed);
    assert_eq!(status_at("12"), CheckStatus::Warning, "unreadable");
}

#[test]
fn a_link_with_little_snr_margin_is_a_warning() {
    let at = |snr| {
        let lines = rules::reader(
            &connected(
                info(FRESH_KSN, None),
                Some(link(snr, ProfileOrigin::Learned)),
            ),
            true,
        );
        (
            status(&lines, CheckItem::AudioLink),
            line(&lines, CheckItem::LinkProfile),
        )
    };
    assert_eq!(at(150).0, CheckStatus::Ok);
    assert_eq!(at(149).0, CheckStatus::Warning);
    assert_eq!(
        at(150).1.finding,
        Finding::Profile {
            phone_model: "Pixel 7".into(),
            saved: false
        }
    );
    // A reader off the audio path has no link to judge.
    let lines = rules::reader(&connected(info(FRESH_KSN, None), None), true);
    assert_eq!(
        line(&lines, CheckItem::AudioLink).finding,
        Finding::LinkNotMeasured
    );
    assert_eq!(status(&lines, CheckItem::AudioLink), CheckStatus::Ok);
}

#[test]
fn a_gateway_that_answers_in_time_with_the_same_clock_and_version_passes() {
    let lines = rules::gateway(&Ok(probe(SERVER_NOW, 0)), v("1.4.0"));
    assert!(
        lines.iter().all(|line| line.status == CheckStatus::Ok),
        "{lines:#?}"
    );
    assert_eq!(
        line(&lines, CheckItem::Gateway).finding,
        Finding::GatewayReachable { round_trip_ms: 200 }
    );
    assert_eq!(
        line(&lines, CheckItem::Certificate).finding,
        Finding::CertificateDaysLeft(365)
    );
    assert_eq!(
        line(&lines, CheckItem::Clock).finding,
        Finding::ClockSkew { seconds: 0 }
    );
}

#[test]
fn a_slow_round_trip_is_a_warning() {
    let mut slow = probe(SERVER_NOW, 0);
    slow.sent_at_ms = slow.received_at_ms - 2_001;
    let lines = rules::gateway(&Ok(slow.clone()), v("1.4.0"));
    assert_eq!(status(&lines, CheckItem::Gateway), CheckStatus::Warning);
    slow.sent_at_ms = slow.received_at_ms - 2_000;
    let lines = rules::gateway(&Ok(slow), v("1.4.0"));
    assert_eq!(status(&lines, CheckItem::Gateway), CheckStatus::Ok);
}

#[test]
fn gateway_failures_name_their_cause_and_skip_the_rest() {
    let cases = [
        (HostError::PinMismatch, Finding::GatewayNotPinned),
        (
            HostError::UntrustedCertificate("expired".into()),
            Finding::GatewayUntrusted,
        ),
        (HostError::Timeout, Finding::GatewayUnreachable),
        (
            HostError::Transport("refused".into()),
            Finding::GatewayUnreachable,
        ),
        (
            HostError::Api(ApiError::new(ErrorCode::Internal)),
            Finding::GatewayUnreachable,
        ),
    ];
    for (error, finding) in cases {
        let lines = rules::gateway(&Err(error), v("1.4.0"));
        assert_eq!(line(&lines, CheckItem::Gateway).finding, finding);
        assert_eq!(status(&lines, CheckItem::Gateway), CheckStatus::Failed);
        for item in [
            CheckItem::Certificate,
            CheckItem::Clock,
            CheckItem::AppVersion,
        ] {
            assert_eq!(
                line(&lines, item).finding,
                Finding::NeedsFirst(CheckItem::Gateway)
            );
        }
    }
}

#[test]
fn the_certificate_warns_30_days_ahead_and_fails_once_expired() {
    let days = |days_left: i64| {
        let mut at = probe(SERVER_NOW, 0);
        at.certificate_not_after = Some(at.received_at_ms / 1000 + days_left * 86_400 + 10);
        let lines = rules::gateway(&Ok(at), v("1.4.0"));
        line(&lines, CheckItem::Certificate)
    };
    assert_eq!(days(30).status, CheckStatus::Ok);
    assert_eq!(days(29).status, CheckStatus::Warning);
    assert_eq!(days(29).finding, Finding::CertificateDaysLeft(29));
    assert_eq!(days(0).status, CheckStatus::Warning);
    assert_eq!(days(-1).status, CheckStatus::Failed);
    assert_eq!(days(-1).finding, Finding::CertificateDaysLeft(-1));
    let mut unknown = probe(SERVER_NOW, 0);
    unknown.certificate_not_after = None;
    let lines = rules::gateway(&Ok(unknown), v("1.4.0"));
    assert_eq!(
        line(&lines, CheckItem::Certificate),
        CheckLine::new(
            CheckItem::Certificate,
            CheckStatus::Warning,
            Finding::CertificateUnreadable
        )
    );
}

#[test]
fn the_clock_warns_past_a_minute_and_fails_past_five_beyond_the_round_trip() {
    let skew = |offset_ms: i64| {
        let lines = rules::gateway(&Ok(probe(SERVER_NOW, offset_ms)), v("1.4.0"));
        line(&lines, CheckItem::Clock)
    };
    // The round trip is 200 ms: 100 ms of it is the benefit of the doubt.
    assert_eq!(skew(60_100).status, CheckStatus::Ok);
    assert_eq!(skew(61_100).status, CheckStatus::Warning);
    assert_eq!(skew(62_200).finding, Finding::ClockSkew { seconds: 62 });
    assert_eq!(skew(-62_200).finding, Finding::ClockSkew { seconds: -62 });
    assert_eq!(skew(-62_200).status, CheckStatus::Warning);
    assert_eq!(skew(300_100).status, CheckStatus::Warning);
    assert_eq!(skew(301_100).status, CheckStatus::Failed);
    let lines = rules::gateway(&Ok(probe("tea time", 0)), v("1.4.0"));
    assert_eq!(
        line(&lines, CheckItem::Clock).finding,
        Finding::ClockUnreadable
    );
}

#[test]
fn an_older_app_is_told_to_update_and_one_below_the_minimum_fails() {
    let at = |current: &str| {
        let lines = rules::gateway(&Ok(probe(SERVER_NOW, 0)), v(current));
        status(&lines, CheckItem::AppVersion)
    };
    assert_eq!(at("1.4.0"), CheckStatus::Ok);
    assert_eq!(at("1.10.0"), CheckStatus::Ok, "newer than announced");
    assert_eq!(at("1.3.9"), CheckStatus::Warning);
    assert_eq!(at("1.2.0"), CheckStatus::Warning);
    assert_eq!(at("1.1.9"), CheckStatus::Failed);
    let mut garbled = probe(SERVER_NOW, 0);
    garbled.status.latest_app_version = "latest".into();
    let lines = rules::gateway(&Ok(garbled), v("1.4.0"));
    assert_eq!(
        line(&lines, CheckItem::AppVersion).finding,
        Finding::VersionsUnreadable
    );
}

#[test]
fn the_verdict_is_the_worst_line_once_every_line_is_in() {
    let ok = CheckLine::new(CheckItem::Clock, CheckStatus::Ok, Finding::Pending);
    let warn = CheckLine::new(CheckItem::Clock, CheckStatus::Warning, Finding::Pending);
    let fail = CheckLine::new(CheckItem::Clock, CheckStatus::Failed, Finding::Pending);
    let skipped = CheckLine::new(CheckItem::Clock, CheckStatus::Skipped, Finding::Pending);
    let running = CheckLine::new(CheckItem::Clock, CheckStatus::Checking, Finding::Pending);
    assert_eq!(
        rules::overall(&[ok.clone(), skipped.clone()]),
        CheckStatus::Ok
    );
    assert_eq!(
        rules::overall(&[ok.clone(), warn.clone()]),
        CheckStatus::Warning
    );
    assert_eq!(rules::overall(&[fail, warn.clone()]), CheckStatus::Failed);
    assert_eq!(rules::overall(&[warn, running]), CheckStatus::Checking);
}

#[test]
fn the_flow_asks_for_both_checks_and_fills_each_line_from_its_answer() {
    let (mut flow, commands) = SelfCheckFlow::start(
        v("1.4.0"),
        Some(PhonePower {
            percent: 80,
            charging: false,
        }),
        true,
    );
    assert_eq!(commands, vec![Command::CheckReader, Command::CheckGateway]);
    assert!(flow.is_running());
    assert_eq!(flow.lines().len(), CheckItem::ALL.len());
    assert_eq!(
        status(flow.lines(), CheckItem::PhoneBattery),
        CheckStatus::Ok
    );
    assert_eq!(
        status(flow.lines(), CheckItem::Reader),
        CheckStatus::Checking
    );
    // "Check again" while running does nothing.
    assert!(flow.handle(SelfCheckInput::RunAgain).is_empty());

    let reader = connected(
        info(FRESH_KSN, Some(90)),
        Some(link(184, ProfileOrigin::Saved)),
    );
    flow.handle(SelfCheckInput::Reply(Reply::ReaderChecked(reader)));
    assert_eq!(status(flow.lines(), CheckItem::Reader), CheckStatus::Ok);
    assert_eq!(
        status(flow.lines(), CheckItem::Clock),
        CheckStatus::Checking
    );
    assert!(flow.is_running());
    flow.handle(SelfCheckInput::Reply(Reply::GatewayChecked(Ok(probe(
        SERVER_NOW, 0,
    )))));
    assert!(!flow.is_running());
    assert_eq!(rules::overall(flow.lines()), CheckStatus::Ok);

    // Answers nobody waits for are ignored.
    flow.handle(SelfCheckInput::Reply(Reply::GatewayChecked(Err(
        HostError::Timeout,
    ))));
    assert_eq!(status(flow.lines(), CheckItem::Gateway), CheckStatus::Ok);

    // Again, from the start.
    let commands = flow.handle(SelfCheckInput::RunAgain);
    assert_eq!(commands, vec![Command::CheckReader, Command::CheckGateway]);
    assert_eq!(
        status(flow.lines(), CheckItem::Gateway),
        CheckStatus::Checking
    );
}

#[test]
fn a_reader_plugged_in_or_out_is_checked_again_and_the_platform_facts_update_their_lines() {
    let (mut flow, _) = SelfCheckFlow::start(v("1.4.0"), None, true);
    let none = ReaderCheck {
        info: None,
        link: None,
        saved_profile_model: None,
    };
    flow.handle(SelfCheckInput::Reply(Reply::ReaderChecked(none)));
    flow.handle(SelfCheckInput::Reply(Reply::GatewayChecked(Ok(probe(
        SERVER_NOW, 0,
    )))));
    assert_eq!(status(flow.lines(), CheckItem::Reader), CheckStatus::Failed);

    assert_eq!(
        flow.handle(SelfCheckInput::ReaderChanged),
        vec![Command::CheckReader]
    );
    assert_eq!(
        status(flow.lines(), CheckItem::Reader),
        CheckStatus::Checking
    );
    // Only one reader check at a time.
    assert!(flow.handle(SelfCheckInput::ReaderChanged).is_empty());
    let reader = connected(
        info(FRESH_KSN, None),
        Some(link(184, ProfileOrigin::Learned)),
    );
    flow.handle(SelfCheckInput::Reply(Reply::ReaderChecked(reader)));
    assert_eq!(status(flow.lines(), CheckItem::Reader), CheckStatus::Ok);
    assert_eq!(
        status(flow.lines(), CheckItem::Gateway),
        CheckStatus::Ok,
        "untouched"
    );

    flow.handle(SelfCheckInput::MicrophoneAllowed(false));
    assert_eq!(
        line(flow.lines(), CheckItem::Reader).finding,
        Finding::MicrophoneBlocked
    );
    flow.handle(SelfCheckInput::MicrophoneAllowed(true));
    assert_eq!(status(flow.lines(), CheckItem::Reader), CheckStatus::Ok);

    assert_eq!(
        status(flow.lines(), CheckItem::PhoneBattery),
        CheckStatus::Skipped
    );
    flow.handle(SelfCheckInput::PhonePower(Some(PhonePower {
        percent: 3,
        charging: false,
    })));
    assert_eq!(
        status(flow.lines(), CheckItem::PhoneBattery),
        CheckStatus::Failed
    );
}
