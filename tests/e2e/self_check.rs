//! The pre-shift check against the real gateway, with the reader on the
//! far end of the audio jack: the reader's identity, keys and link as the
//! audio carried them, the gateway's pinned certificate, its clock (moved
//! by the test clock) and the versions it announces.

use mpos_core::view::{CheckState, Intent, ScreenView};
use mpos_core::{CheckItem, CheckLine, CheckStatus, Finding, PhonePower, Screen, UserAction};
use mpos_e2e::{GatewayOptions, PhoneOptions, World};
use std::time::Duration;

/// Waits for a check that is not running any more.
async fn finished_check(phone: &mpos_e2e::Phone) -> Vec<CheckLine> {
    let screen = phone
        .wait_until("the pre-shift check to finish", |screen| {
            matches!(screen, Screen::SelfCheck { running: false, .. })
        })
        .await;
    match screen {
        Screen::SelfCheck { lines, .. } => lines,
        other => panic!("{other:?}"),
    }
}

fn line(lines: &[CheckLine], item: CheckItem) -> &CheckLine {
    lines
        .iter()
        .find(|line| line.item == item)
        .unwrap_or_else(|| panic!("no {item:?} line in {lines:#?}"))
}

fn view_line<'a>(view: &'a ScreenView, label: &str) -> &'a mpos_core::view::CheckView {
    view.checks
        .iter()
        .find(|check| check.label == label)
        .unwrap_or_else(|| panic!("no {label} line in {:#?}", view.checks))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_the_shift_the_phone_checks_its_battery_the_reader_the_gateway_the_clock_and_its_version(
) {
    let world = World::start_with(GatewayOptions {
        app_releases: Some(("9.0.0".into(), "0.1.0".into())),
        ..GatewayOptions::default()
    })
    .await;
    let phone = world.phone_with(PhoneOptions::pinned_to(&world.gateway).over_audio());
    phone.plug_in().await;
    phone
        .set_phone_power(Some(PhonePower {
            percent: 76,
            charging: false,
        }))
        .await;
    // The gateway's clock runs ten minutes ahead of the phone's.
    let now = time::OffsetDateTime::now_utc();
    world
        .gateway
        .set_clock(now + time::Duration::minutes(10))
        .await;

    // From the login screen, before anyone logs in.
    phone.act(UserAction::OpenSelfCheck).await;
    let lines = finished_check(&phone).await;
    assert_eq!(lines.len(), CheckItem::ALL.len());

    assert_eq!(
        line(&lines, CheckItem::PhoneBattery).status,
        CheckStatus::Ok
    );
    let reader = line(&lines, CheckItem::Reader);
    assert_eq!(reader.status, CheckStatus::Ok);
    let Finding::ReaderAnswering { serial, firmware } = &reader.finding else {
        panic!("{reader:?}");
    };
    assert!(
        serial.starts_with("SIM-") && !firmware.is_empty(),
        "{reader:?}"
    );
    // A fresh AES DUKPT key has 2,448,023,842 counters; the few the
    // reader used since it was keyed are gone.
    let Finding::KeysLeft(left) = line(&lines, CheckItem::ReaderKeys).finding else {
        panic!("{lines:#?}");
    };
    assert!((2_448_000_000..2_448_023_842).contains(&left), "{left}");
    // The link as auto-configuration measured it over the audio.
    let Finding::Link(link) = &line(&lines, CheckItem::AudioLink).finding else {
        panic!("{lines:#?}");
    };
    assert_eq!(link.sample_rate, 48_000);
    assert!([2_400, 4_800, 9_600].contains(&link.uplink_bps), "{link:?}");
    assert!(
        link.eye_snr_tenths_db >= 120,
        "qualified at 12 dB: {link:?}"
    );
    assert_eq!(
        line(&lines, CheckItem::LinkProfile).finding,
        Finding::Profile {
            phone_model: "e2e phone".into(),
            saved: false
        },
        "learned on this first connection"
    );

    assert_eq!(line(&lines, CheckItem::Gateway).status, CheckStatus::Ok);
    // The gateway generated its certificate for 397 days a moment ago.
    assert!(matches!(
        line(&lines, CheckItem::Certificate).finding,
        Finding::CertificateDaysLeft(396 | 397)
    ));
    let clock = line(&lines, CheckItem::Clock);
    assert_eq!(clock.status, CheckStatus::Failed, "{clock:?}");
    let Finding::ClockSkew { seconds } = clock.finding else {
        panic!("{clock:?}");
    };
    assert!(
        (-605..=-595).contains(&seconds),
        "ten minutes behind: {seconds}"
    );
    let version = line(&lines, CheckItem::AppVersion);
    assert_eq!(
        version.status,
        CheckStatus::Warning,
        "9.0.0 is out: {version:?}"
    );

    // What the shells draw: the verdict, and what to do about the clock.
    let view = phone.view();
    assert_eq!(
        view.message.as_ref().map(|m| m.code.as_str()),
        Some("self_check_failed")
    );
    let clock = view_line(&view, "手機時間");
    assert_eq!(clock.state, CheckState::Failed);
    assert!(clock.value.starts_with("比主機慢"), "{clock:?}");
    assert!(clock
        .advice
        .as_deref()
        .unwrap()
        .contains("自動設定日期與時間"));

    // The clock set right, checked again: only the update remains.
    world
        .gateway
        .set_clock(time::OffsetDateTime::now_utc())
        .await;
    phone.act(UserAction::RunSelfCheck).await;
    let lines = finished_check(&phone).await;
    assert_eq!(line(&lines, CheckItem::Clock).status, CheckStatus::Ok);
    assert_eq!(
        phone.view().message.as_ref().map(|m| m.code.as_str()),
        Some("self_check_attention")
    );

    // The reader pulled out while the check shows: its line fails by itself.
    tokio::task::block_in_place(|| phone.hands().unplug());
    let screen = phone
        .wait_until("the reader line to fail", |screen| match screen {
            Screen::SelfCheck { lines, .. } => {
                line(lines, CheckItem::Reader).finding == Finding::ReaderMissing
            }
            _ => false,
        })
        .await;
    let Screen::SelfCheck { lines, .. } = screen else {
        unreachable!()
    };
    assert_eq!(
        line(&lines, CheckItem::LinkProfile).finding,
        Finding::Profile {
            phone_model: "e2e phone".into(),
            saved: true
        },
        "the settings stay for the next reader"
    );

    // Back to the login screen, which knows the reader is gone.
    let screen = phone.act(UserAction::Back).await;
    assert!(
        matches!(
            screen,
            Screen::Login {
                reader_connected: false,
                ..
            }
        ),
        "{screen:?}"
    );
    assert!(phone.view().button(&Intent::OpenSelfCheck).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_that_is_not_the_pinned_one_or_not_there_fails_the_check() {
    let world = World::start().await;
    let genuine = PhoneOptions::pinned_to(&world.gateway);
    let pin = &genuine.pinned_spki_sha256;
    let other_pin = format!(
        "{}{}",
        if pin.starts_with('0') { '1' } else { '0' },
        &pin[1..]
    );
    let mispinned = world.phone_with(PhoneOptions {
        pinned_spki_sha256: other_pin,
        ..genuine.clone()
    });
    mispinned.act(UserAction::OpenSelfCheck).await;
    let lines = finished_check(&mispinned).await;
    assert_eq!(
        line(&lines, CheckItem::Gateway).finding,
        Finding::GatewayNotPinned
    );
    assert_eq!(line(&lines, CheckItem::Gateway).status, CheckStatus::Failed);
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
    let view = mispinned.view();
    let gateway = view_line(&view, "收單主機連線");
    assert!(
        gateway.advice.as_deref().unwrap().contains("請勿交易"),
        "{gateway:?}"
    );

    // Nobody listening: the network line says to check Wi-Fi.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("https://{}", listener.local_addr().unwrap());
    drop(listener);
    let offline = world.phone_with(PhoneOptions {
        gateway_url: closed,
        request_timeout_ms: 2_000,
        ..genuine
    });
    offline.act(UserAction::OpenSelfCheck).await;
    let lines = tokio::time::timeout(Duration::from_secs(20), finished_check(&offline))
        .await
        .expect("the check ends");
    assert_eq!(
        line(&lines, CheckItem::Gateway).finding,
        Finding::GatewayUnreachable
    );
    assert_eq!(
        line(&lines, CheckItem::Reader).finding,
        Finding::ReaderMissing,
        "this phone's reader is not plugged in"
    );
}
