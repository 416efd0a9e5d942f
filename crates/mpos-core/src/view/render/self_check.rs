//! 開班前檢查: one line per check (label, what was found, ok or what to
//! do), a verdict for the whole, "Check again" and "Back".

use super::Ctx;
use crate::flows::self_check::rules;
use crate::model::self_check::{CheckItem, CheckLine, CheckStatus, Finding};
use crate::notice::Notice;
use crate::view::format;
use crate::view::intent::Intent;
use crate::view::screen_view::{CheckState, CheckView, ScreenId, ScreenView};
use crate::view::text::Text;

/// The check's lines and, once every line is in, its verdict.
pub(super) fn self_check(lines: &[CheckLine], running: bool, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::SelfCheck, Text::SelfCheckTitle);
    view.checks = lines.iter().map(|line| check(line, ctx)).collect();
    let verdict = match rules::overall(lines) {
        CheckStatus::Checking => None,
        CheckStatus::Failed => Some(Notice::SelfCheckFailed),
        CheckStatus::Warning => Some(Notice::SelfCheckAttention),
        CheckStatus::Ok | CheckStatus::Skipped => Some(Notice::SelfCheckReady),
    };
    view.message = ctx.message(&verdict.map(Into::into));
    if running {
        view.prompt = Some(ctx.t(Text::SelfCheckRunning));
        ctx.waiting(&mut view);
    }
    let mut again = ctx.primary(Text::CheckAgain, Intent::RunSelfCheck);
    again.enabled = !running;
    view.buttons = vec![again, ctx.secondary(Text::Back, Intent::Back)];
    view.back = Some(Intent::Back);
    view
}

fn check(line: &CheckLine, ctx: &Ctx<'_>) -> CheckView {
    let (state, state_text) = match line.status {
        CheckStatus::Checking => (CheckState::Checking, Text::CheckChecking),
        CheckStatus::Skipped => (CheckState::Skipped, Text::CheckSkipped),
        CheckStatus::Ok => (CheckState::Ok, Text::CheckOk),
        CheckStatus::Warning => (CheckState::Warning, Text::CheckWarning),
        CheckStatus::Failed => (CheckState::Failed, Text::CheckFailed),
    };
    CheckView {
        label: ctx.t(label(line.item)),
        value: value(&line.finding, ctx),
        state,
        state_text: ctx.t(state_text),
        advice: advice(line).map(|text| ctx.t(text)),
    }
}

fn label(item: CheckItem) -> Text {
    match item {
        CheckItem::PhoneBattery => Text::PhoneBatteryLabel,
        CheckItem::Reader => Text::CardReader,
        CheckItem::ReaderBattery => Text::ReaderBatteryLabel,
        CheckItem::ReaderKeys => Text::ReaderKeysLabel,
        CheckItem::AudioLink => Text::AudioLinkLabel,
        CheckItem::LinkProfile => Text::LinkProfileLabel,
        CheckItem::Gateway => Text::GatewayLabel,
        CheckItem::Certificate => Text::CertificateLabel,
        CheckItem::Clock => Text::ClockLabel,
        CheckItem::AppVersion => Text::AppVersionLabel,
    }
}

/// What was found, in words and formatted numbers.
fn value(finding: &Finding, ctx: &Ctx<'_>) -> String {
    let locale = ctx.locale;
    let fill = |text: Text, values: &[&str]| text.fill(locale, values);
    match finding {
        Finding::Pending => ctx.t(Text::CheckPending),
        Finding::NeedsFirst(CheckItem::Reader) => ctx.t(Text::NeedsReader),
        Finding::NeedsFirst(_) => ctx.t(Text::NeedsGateway),
        Finding::PhoneBatteryUnknown => ctx.t(Text::NotReported),
        Finding::PhoneBattery { percent, charging } => {
            let percent = percent.to_string();
            if *charging {
                fill(Text::PercentCharging, &[&percent])
            } else {
                format!("{percent}%")
            }
        }
        Finding::MicrophoneBlocked => ctx.t(Text::MicrophoneBlocked),
        Finding::ReaderMissing => ctx.t(Text::ReaderMissing),
        Finding::ReaderAnswering { serial, firmware } => {
            fill(Text::ReaderSerialFirmware, &[serial, firmware])
        }
        Finding::ReaderBattery(Some(percent)) => format!("{percent}%"),
        Finding::ReaderBattery(None) => ctx.t(Text::NoBattery),
        Finding::KeysUnreadable
        | Finding::CertificateUnreadable
        | Finding::ClockUnreadable
        | Finding::VersionsUnreadable => ctx.t(Text::Unreadable),
        Finding::KeysLeft(left) => fill(Text::TransactionsLeft, &[&format::number(*left)]),
        Finding::LinkNotMeasured => ctx.t(Text::NotApplicable),
        Finding::Link(link) => fill(
            Text::LinkMeasures,
            &[
                &link.uplink_bps.to_string(),
                &format::number(u64::from(link.sample_rate)),
                &link.rx_level_percent.to_string(),
                &format::tenths(link.eye_snr_tenths_db),
            ],
        ),
        Finding::NoProfile => ctx.t(Text::ProfileNone),
        Finding::Profile { phone_model, saved } => {
            let text = if *saved {
                Text::ProfileSaved
            } else {
                Text::ProfileLearned
            };
            fill(text, &[phone_model])
        }
        Finding::GatewayReachable { round_trip_ms } => {
            fill(Text::GatewayReachable, &[&format::number(*round_trip_ms)])
        }
        Finding::GatewayNotPinned => ctx.t(Text::GatewayNotPinned),
        Finding::GatewayUntrusted => ctx.t(Text::GatewayUntrusted),
        Finding::GatewayUnreachable => ctx.t(Text::GatewayUnreachable),
        Finding::CertificateDaysLeft(days) if *days >= 0 => {
            fill(Text::ExpiresInDays, &[&format::number(days.unsigned_abs())])
        }
        Finding::CertificateDaysLeft(days) => fill(
            Text::ExpiredDaysAgo,
            &[&format::number(days.unsigned_abs())],
        ),
        Finding::ClockSkew { seconds: 0 } => ctx.t(Text::ClockMatches),
        Finding::ClockSkew { seconds } => {
            let text = if *seconds > 0 {
                Text::ClockAhead
            } else {
                Text::ClockBehind
            };
            fill(text, &[&format::number(seconds.unsigned_abs())])
        }
        Finding::Versions {
            current, latest, ..
        } => fill(
            Text::VersionAndLatest,
            &[&current.to_string(), &latest.to_string()],
        ),
    }
}

/// What to do about a line that is not ok.
fn advice(line: &CheckLine) -> Option<Text> {
    let failed = line.status == CheckStatus::Failed;
    Some(match (&line.finding, line.status) {
        (_, CheckStatus::Ok | CheckStatus::Checking | CheckStatus::Skipped) => return None,
        (Finding::PhoneBattery { .. }, _) if failed => Text::AdvicePhoneBatteryEmpty,
        (Finding::PhoneBattery { .. }, _) => Text::AdvicePhoneBatteryLow,
        (Finding::MicrophoneBlocked, _) => Text::AdviceAllowMicrophone,
        (Finding::ReaderMissing, _) => Text::AdvicePlugReader,
        (Finding::ReaderBattery(_), _) if failed => Text::AdviceReaderBatteryEmpty,
        (Finding::ReaderBattery(_), _) => Text::AdviceReaderBatteryLow,
        (Finding::KeysLeft(_), _) if failed => Text::AdviceKeysUsedUp,
        (Finding::KeysLeft(_), _) => Text::AdviceKeysLow,
        (Finding::KeysUnreadable, _) => Text::AdviceKeysUnreadable,
        (Finding::Link(_), _) => Text::AdviceWeakLink,
        (Finding::NoProfile, _) => Text::AdviceLearnProfile,
        (Finding::GatewayReachable { .. }, _) => Text::AdviceSlowNetwork,
        (Finding::GatewayUnreachable, _) => Text::AdviceCheckNetwork,
        (Finding::GatewayNotPinned, _) => Text::AdviceNotPinned,
        (Finding::GatewayUntrusted, _) => Text::AdviceUntrusted,
        (Finding::CertificateDaysLeft(_), _) if failed => Text::AdviceCertificateExpired,
        (Finding::CertificateDaysLeft(_), _) => Text::AdviceRenewCertificate,
        (Finding::CertificateUnreadable, _) => Text::AdviceCertificateUnreadable,
        (Finding::ClockSkew { .. }, _) => Text::AdviceSetClock,
        (Finding::ClockUnreadable, _) => Text::AdviceClockUnreadable,
        (Finding::Versions { .. }, _) if failed => Text::AdviceUpdateNow,
        (Finding::Versions { .. }, _) => Text::AdviceUpdateSoon,
        (Finding::VersionsUnreadable, _) => Text::AdviceVersionsUnreadable,
        (
            Finding::Pending
            | Finding::NeedsFirst(_)
            | Finding::PhoneBatteryUnknown
            | Finding::ReaderAnswering { .. }
            | Finding::LinkNotMeasured
            | Finding::Profile { .. },
            _,
        ) => return None,
    })
}
