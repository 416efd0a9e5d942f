//! The pre-shift check's rules: pure functions from the facts the driver
//! gathered to the lines the screen shows, each ok, a warning, or failed,
//! with the thresholds that decide it.

use crate::model::host_error::HostError;
use crate::model::self_check::{
    CheckItem, CheckLine, CheckStatus, Finding, GatewayProbe, LinkQuality, PhonePower,
    ProfileOrigin, ReaderCheck,
};
use mpos_crypto::dukpt::{aes128, tdes};
use mpos_wire::AppVersion;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Below this charge a phone that is not charging gets a warning.
pub const PHONE_BATTERY_LOW_PERCENT: u8 = 20;
/// Below this charge a phone that is not charging may die mid-payment.
pub const PHONE_BATTERY_EMPTY_PERCENT: u8 = 5;
/// Below this charge the reader gets a warning.
pub const READER_BATTERY_LOW_PERCENT: u8 = 20;
/// Below this charge the reader may stop mid-payment.
pub const READER_BATTERY_EMPTY_PERCENT: u8 = 5;
/// Fewer transactions left than this: the bank should re-key the reader soon.
pub const KEYS_LOW: u64 = 10_000;
/// An eye SNR under this (tenths of a dB) works, with little margin: 3 dB
/// above the 12 dB that qualifies a rate (`mpos_link::autoconfig::MIN_EYE_SNR_DB`).
pub const LINK_SNR_MARGIN_TENTHS_DB: i32 = 150;
/// A round trip slower than this risks payments timing out.
pub const SLOW_ROUND_TRIP_MS: u64 = 2_000;
/// Fewer days than this before the certificate expires: tell the administrator.
pub const CERTIFICATE_RENEW_DAYS: i64 = 30;
/// A clock off by more than this (beyond the round trip's uncertainty)
/// shows wrong times on screens and receipts.
pub const CLOCK_WARN_SECONDS: i64 = 60;
/// Off by more than this, certificate and session times are misjudged.
pub const CLOCK_FAIL_SECONDS: i64 = 300;

/// The phone's battery line; `None` when the shell has not reported it.
pub fn phone_battery(power: Option<PhonePower>) -> CheckLine {
    let Some(power) = power else {
        return CheckLine::new(
            CheckItem::PhoneBattery,
            CheckStatus::Skipped,
            Finding::PhoneBatteryUnknown,
        );
    };
    let status = match power {
        PhonePower { charging: true, .. } => CheckStatus::Ok,
        PhonePower { percent, .. } if percent < PHONE_BATTERY_EMPTY_PERCENT => CheckStatus::Failed,
        PhonePower { percent, .. } if percent < PHONE_BATTERY_LOW_PERCENT => CheckStatus::Warning,
        _ => CheckStatus::Ok,
    };
    CheckLine::new(
        CheckItem::PhoneBattery,
        status,
        Finding::PhoneBattery {
            percent: power.percent,
            charging: power.charging,
        },
    )
}

/// The reader's lines: present, battery, keys left, audio link, saved profile.
pub fn reader(check: &ReaderCheck, microphone_allowed: bool) -> Vec<CheckLine> {
    let profile = profile_line(check);
    let info = match (&check.info, microphone_allowed) {
        (_, false) => None,
        (info, true) => info.as_ref(),
    };
    let Some(info) = info else {
        let finding = if microphone_allowed {
            Finding::ReaderMissing
        } else {
            Finding::MicrophoneBlocked
        };
        let mut lines = vec![CheckLine::new(
            CheckItem::Reader,
            CheckStatus::Failed,
            finding,
        )];
        lines.extend(
            [
                CheckItem::ReaderBattery,
                CheckItem::ReaderKeys,
                CheckItem::AudioLink,
            ]
            .map(|item| {
                CheckLine::new(
                    item,
                    CheckStatus::Skipped,
                    Finding::NeedsFirst(CheckItem::Reader),
                )
            }),
        );
        lines.push(profile);
        return lines;
    };
    vec![
        CheckLine::new(
            CheckItem::Reader,
            CheckStatus::Ok,
            Finding::ReaderAnswering {
                serial: info.serial.clone(),
                firmware: info.firmware.clone(),
            },
        ),
        reader_battery(info.battery_percent),
        reader_keys(&info.ksn),
        audio_link(check.link.as_ref()),
        profile,
    ]
}

fn reader_battery(percent: Option<u8>) -> CheckLine {
    let status = match percent {
        Some(percent) if percent < READER_BATTERY_EMPTY_PERCENT => CheckStatus::Failed,
        Some(percent) if percent < READER_BATTERY_LOW_PERCENT => CheckStatus::Warning,
        _ => CheckStatus::Ok,
    };
    CheckLine::new(
        CheckItem::ReaderBattery,
        status,
        Finding::ReaderBattery(percent),
    )
}

fn reader_keys(ksn_hex: &str) -> CheckLine {
    let Some(left) = keys_left(ksn_hex) else {
        return CheckLine::new(
            CheckItem::ReaderKeys,
            CheckStatus::Warning,
            Finding::KeysUnreadable,
        );
    };
    let status = match left {
        0 => CheckStatus::Failed,
        left if left < KEYS_LOW => CheckStatus::Warning,
        _ => CheckStatus::Ok,
    };
    CheckLine::new(CheckItem::ReaderKeys, status, Finding::KeysLeft(left))
}

/// Transactions left on the reader's key, from its current KSN: 24 hex
/// digits for AES DUKPT (X9.24-3, a 32-bit counter at the end), 20 for
/// TDES DUKPT (X9.24-1, a 21-bit counter at the end).
pub fn keys_left(ksn_hex: &str) -> Option<u64> {
    let bytes = hex::decode(ksn_hex).ok()?;
    match bytes.len() {
        12 => {
            let counter = u32::from_be_bytes(bytes[8..12].try_into().ok()?);
            Some(aes128::counters_left(counter))
        }
        10 => {
            let tail = u32::from_be_bytes(bytes[6..10].try_into().ok()?);
            Some(tdes::counters_left(tail & tdes::COUNTER_MASK))
        }
        _ => None,
    }
}

fn audio_link(link: Option<&LinkQuality>) -> CheckLine {
    match link {
        None => CheckLine::new(
            CheckItem::AudioLink,
            CheckStatus::Ok,
            Finding::LinkNotMeasured,
        ),
        Some(link) => {
            let status = if link.eye_snr_tenths_db < LINK_SNR_MARGIN_TENTHS_DB {
                CheckStatus::Warning
            } else {
                CheckStatus::Ok
            };
            CheckLine::new(CheckItem::AudioLink, status, Finding::Link(link.clone()))
        }
    }
}

fn profile_line(check: &ReaderCheck) -> CheckLine {
    let (phone_model, saved) = match (&check.link, &check.saved_profile_model) {
        (Some(link), _) => (
            link.phone_model.clone(),
            link.origin == ProfileOrigin::Saved,
        ),
        (None, Some(model)) => (model.clone(), true),
        // A reader off the audio path has no link settings to keep.
        (None, None) if check.info.is_some() => {
            return CheckLine::new(
                CheckItem::LinkProfile,
                CheckStatus::Ok,
                Finding::LinkNotMeasured,
            )
        }
        (None, None) => {
            return CheckLine::new(
                CheckItem::LinkProfile,
                CheckStatus::Warning,
                Finding::NoProfile,
            )
        }
    };
    CheckLine::new(
        CheckItem::LinkProfile,
        CheckStatus::Ok,
        Finding::Profile { phone_model, saved },
    )
}

/// The gateway's lines: reachable with the pinned certificate, the
/// certificate's days left, the clock's skew, this app's version.
pub fn gateway(probe: &Result<GatewayProbe, HostError>, current: AppVersion) -> Vec<CheckLine> {
    let probe = match probe {
        Ok(probe) => probe,
        Err(error) => {
            let finding = match error {
                HostError::PinMismatch => Finding::GatewayNotPinned,
                HostError::UntrustedCertificate(_) => Finding::GatewayUntrusted,
                _ => Finding::GatewayUnreachable,
            };
            let mut lines = vec![CheckLine::new(
                CheckItem::Gateway,
                CheckStatus::Failed,
                finding,
            )];
            lines.extend(
                [
                    CheckItem::Certificate,
                    CheckItem::Clock,
                    CheckItem::AppVersion,
                ]
                .map(|item| {
                    CheckLine::new(
                        item,
                        CheckStatus::Skipped,
                        Finding::NeedsFirst(CheckItem::Gateway),
                    )
                }),
            );
            return lines;
        }
    };
    let round_trip_ms = probe.received_at_ms.saturating_sub(probe.sent_at_ms).max(0) as u64;
    let reachable = if round_trip_ms > SLOW_ROUND_TRIP_MS {
        CheckStatus::Warning
    } else {
        CheckStatus::Ok
    };
    vec![
        CheckLine::new(
            CheckItem::Gateway,
            reachable,
            Finding::GatewayReachable { round_trip_ms },
        ),
        certificate(probe),
        clock(probe),
        version(probe, current),
    ]
}

fn certificate(probe: &GatewayProbe) -> CheckLine {
    let Some(not_after) = probe.certificate_not_after else {
        return CheckLine::new(
            CheckItem::Certificate,
            CheckStatus::Warning,
            Finding::CertificateUnreadable,
        );
    };
    let days = (not_after - probe.received_at_ms.div_euclid(1000)).div_euclid(86_400);
    let status = match days {
        days if days < 0 => CheckStatus::Failed,
        days if days < CERTIFICATE_RENEW_DAYS => CheckStatus::Warning,
        _ => CheckStatus::Ok,
    };
    CheckLine::new(
        CheckItem::Certificate,
        status,
        Finding::CertificateDaysLeft(days),
    )
}

fn clock(probe: &GatewayProbe) -> CheckLine {
    let Ok(server) = OffsetDateTime::parse(&probe.status.server_time, &Rfc3339) else {
        return CheckLine::new(
            CheckItem::Clock,
            CheckStatus::Warning,
            Finding::ClockUnreadable,
        );
    };
    let server_ms = (server.unix_timestamp_nanos() / 1_000_000) as i64;
    // The gateway read its clock somewhere between send and receive: take
    // the middle, and give the phone the benefit of half the round trip.
    let phone_ms = probe.sent_at_ms + (probe.received_at_ms - probe.sent_at_ms) / 2;
    let skew_ms = phone_ms - server_ms;
    let uncertainty_ms = (probe.received_at_ms - probe.sent_at_ms).max(0) / 2;
    let beyond_ms = (skew_ms.abs() - uncertainty_ms).max(0);
    let status = match beyond_ms / 1000 {
        seconds if seconds > CLOCK_FAIL_SECONDS => CheckStatus::Failed,
        seconds if seconds > CLOCK_WARN_SECONDS => CheckStatus::Warning,
        _ => CheckStatus::Ok,
    };
    CheckLine::new(
        CheckItem::Clock,
        status,
        Finding::ClockSkew {
            seconds: skew_ms / 1000,
        },
    )
}

fn version(probe: &GatewayProbe, current: AppVersion) -> CheckLine {
    let latest = probe.status.latest_app_version.parse::<AppVersion>();
    let minimum = probe.status.minimum_app_version.parse::<AppVersion>();
    let (Ok(latest), Ok(minimum)) = (latest, minimum) else {
        return CheckLine::new(
            CheckItem::AppVersion,
            CheckStatus::Warning,
            Finding::VersionsUnreadable,
        );
    };
    let status = if current < minimum {
        CheckStatus::Failed
    } else if current < latest {
        CheckStatus::Warning
    } else {
        CheckStatus::Ok
    };
    CheckLine::new(
        CheckItem::AppVersion,
        status,
        Finding::Versions {
            current,
            latest,
            minimum,
        },
    )
}

/// The worst status of finished lines, or `Checking` while any runs.
pub fn overall(lines: &[CheckLine]) -> CheckStatus {
    if lines
        .iter()
        .any(|line| line.status == CheckStatus::Checking)
    {
        return CheckStatus::Checking;
    }
    lines
        .iter()
        .map(|line| line.status)
        .max()
        .unwrap_or(CheckStatus::Ok)
}
