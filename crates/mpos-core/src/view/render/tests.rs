//! Every screen rendered in both languages: the words follow the locale,
//! values are formatted, card numbers stay masked, and each screen offers
//! the buttons its rules allow.

use super::*;
use crate::flows::payment::CardPrompt;
use crate::flows::testing;
use crate::model::reader::KeypadLayout;
use crate::model::self_check::{
    CheckItem, CheckLine, CheckStatus, Finding, LinkQuality, ProfileOrigin,
};
use crate::notice::Notice;
use crate::receipt::qr::QrMatrix;
use crate::view::screen_view::{ButtonStyle, CheckState, ScreenId};
use mpos_wire::api::Point;
use mpos_wire::api::{
    BatchSummary, BrandTotal, SettlementPreview, SettlementTotals, SettlementTrigger, Stroke,
    TransactionSearch, TxnKind, TxnStatus,
};
use mpos_wire::{Brand, ErrorCode, Money};

fn twd(dollars: u64) -> Money {
    Money::twd_dollars(dollars).unwrap()
}

fn approved_sale() -> TransactionSummary {
    testing::summary(
        "t1",
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(4_800),
        Brand::Visa,
    )
}

fn totals() -> SettlementTotals {
    SettlementTotals {
        count: 3,
        net_total: twd(5_300),
        sales_count: 2,
        sales_total: twd(6_000),
        refunds_count: 1,
        refunds_total: twd(700),
        per_brand: vec![BrandTotal {
            brand: Brand::Jcb,
            sales_count: 2,
            sales_total: twd(6_000),
            refunds_count: 1,
            refunds_total: twd(700),
        }],
    }
}

/// One of every screen, with a message where the screen can have one.
fn every_screen() -> Vec<Screen> {
    let message = Some(UserMessage::from(Notice::ReaderNotConnected));
    let sale = approved_sale();
    vec![
        Screen::Login {
            reader_connected: false,
            message: message.clone(),
        },
        Screen::Activation {
            message: Some(UserMessage::from_code(ErrorCode::ActivationCodeInvalid)),
        },
        Screen::NewPassword {
            message: Some(Notice::PasswordMismatch.into()),
        },
        Screen::Loading { message: None },
        Screen::Home {
            display_name: "Amy Lin".into(),
            merchant_name: "Tea House".into(),
            reader_connected: true,
            message: None,
        },
        Screen::Amount {
            kind: TxnKind::Sale,
            dollars: 4_800,
            brand: Some(Brand::Visa),
            accepted_brands: vec![Brand::Visa, Brand::Mastercard, Brand::UnionPay],
            message: None,
        },
        Screen::RefundAuthCode {
            amount: twd(700),
            brand: Brand::Jcb,
            auth_code: "A1B2C3".into(),
            message: Some(Notice::AuthCodeInvalid.into()),
        },
        Screen::PresentCard {
            kind: TxnKind::Sale,
            amount: twd(4_800),
            brand: Brand::Visa,
            prompt: CardPrompt::SwipeAfterChipFailure,
            chip_failures: 3,
            message: Some(Notice::SwipeAfterChipFailure.into()),
        },
        Screen::PinEntry {
            amount: twd(4_800),
            brand: Brand::UnionPay,
            masked_pan: "620000******0005".into(),
            keypad: Some(KEYPAD),
            entered: 4,
            sent: false,
            message: Some(Notice::EnterPin.into()),
        },
        Screen::WrongPin {
            amount: twd(4_800),
            masked_pan: "620000******0005".into(),
            response_code: "55".into(),
            response_text: "Incorrect PIN".into(),
            message: Some(Notice::WrongPin.into()),
        },
        Screen::Authorizing {
            kind: TxnKind::Sale,
            amount: twd(4_800),
            brand: Brand::Visa,
            masked_pan: sale.masked_pan.to_string(),
        },
        Screen::OutcomeUnknown {
            kind: TxnKind::Sale,
            amount: twd(4_800),
            masked_pan: sale.masked_pan.to_string(),
            reversal_acknowledged: false,
            message: Some(Notice::OutcomeUnknown.into()),
        },
        Screen::Declined {
            amount: twd(4_800),
            masked_pan: sale.masked_pan.to_string(),
            response_code: "05".into(),
            response_text: "Do not honour".into(),
            message: Some(Notice::Declined.into()),
        },
        Screen::Signature {
            transaction: sale.clone(),
            strokes: vec![Stroke {
                points: vec![Point { x: 10, y: 20 }, Point { x: 900, y: 500 }],
            }],
            message: None,
        },
        Screen::Receipt {
            transaction: sale.clone(),
            receipt_url: sale.receipt_url.clone(),
            qr: QrMatrix::encode(&sale.receipt_url).unwrap(),
            sent_to: vec!["c***@example.tw".into()],
            message: None,
        },
        Screen::QueryPassword { message: None },
        Screen::TransactionSearch {
            criteria: TransactionSearch::default(),
            results: vec![sale.clone()],
            message: Some(Notice::NoResults.into()),
        },
        Screen::TransactionDetail {
            transaction: sale.clone(),
            can_void: true,
            message: None,
        },
        Screen::VoidDone {
            transaction: TransactionSummary {
                status: TxnStatus::Voided,
                ..sale.clone()
            },
        },
        Screen::SettlementReview {
            preview: Some(SettlementPreview {
                totals: totals(),
                next_auto_settlement: "2025-03-01T15:00:00Z".into(),
            }),
            message: None,
        },
        Screen::SettlementDone {
            batch: BatchSummary {
                id: "B20250301-01".into(),
                business_date: "2025-03-01".into(),
                closed_at: "2025-03-01T15:00:00Z".into(),
                trigger: SettlementTrigger::Automatic,
                totals: totals(),
            },
        },
        Screen::SelfCheck {
            lines: self_check_lines(),
            running: false,
        },
    ]
}

/// A check with every kind of finding and status.
fn self_check_lines() -> Vec<CheckLine> {
    use CheckStatus::*;
    vec![
        CheckLine::new(
            CheckItem::PhoneBattery,
            Warning,
            Finding::PhoneBattery {
                percent: 15,
                charging: false,
            },
        ),
        CheckLine::new(
            CheckItem::Reader,
            Ok,
            Finding::ReaderAnswering {
                serial: "SIM-7".into(),
                firmware: "2.1.0".into(),
            },
        ),
        CheckLine::new(CheckItem::ReaderBattery, Ok, Finding::ReaderBattery(None)),
        CheckLine::new(CheckItem::ReaderKeys, Ok, Finding::KeysLeft(2_448_023_841)),
        CheckLine::new(
            CheckItem::AudioLink,
            Warning,
            Finding::Link(LinkQuality {
                sample_rate: 48_000,
                uplink_bps: 9_600,
                drive_level: 2,
                rx_level_percent: 41,
                eye_snr_tenths_db: 134,
                phone_model: "Pixel 7".into(),
                origin: ProfileOrigin::Saved,
            }),
        ),
        CheckLine::new(
            CheckItem::LinkProfile,
            Ok,
            Finding::Profile {
                phone_model: "Pixel 7".into(),
                saved: true,
            },
        ),
        CheckLine::new(
            CheckItem::Gateway,
            Ok,
            Finding::GatewayReachable {
                round_trip_ms: 1_234,
            },
        ),
        CheckLine::new(
            CheckItem::Certificate,
            Failed,
            Finding::CertificateDaysLeft(-3),
        ),
        CheckLine::new(
            CheckItem::Clock,
            Warning,
            Finding::ClockSkew { seconds: -95 },
        ),
        CheckLine::new(
            CheckItem::AppVersion,
            Warning,
            Finding::Versions {
                current: "1.3.0".parse().unwrap(),
                latest: "1.4.0".parse().unwrap(),
                minimum: "1.2.0".parse().unwrap(),
            },
        ),
    ]
}

/// A reader's keypad: key k shows these digits.
const KEYPAD: KeypadLayout = KeypadLayout {
    digits: [7, 2, 9, 0, 4, 1, 8, 5, 3, 6],
};

#[test]
fn the_pin_pad_draws_the_readers_order_and_dots_never_digits() {
    let screen = Screen::PinEntry {
        amount: twd(500),
        brand: Brand::UnionPay,
        masked_pan: "620000******0005".into(),
        keypad: Some(KEYPAD),
        entered: 0,
        sent: false,
        message: None,
    };
    let shown = view(&screen, Locale::En);
    let pad = shown.pin_pad.as_ref().expect("a PIN pad");
    let labels: Vec<&str> = pad.keys.iter().map(|k| k.label.as_str()).collect();
    assert_eq!(labels, ["7", "2", "9", "0", "4", "1", "8", "5", "3", "6"]);
    for (key, button) in (0u8..).zip(&pad.keys) {
        assert_eq!(button.intent, Intent::PinKey { key });
    }
    assert_eq!(pad.dots, "");
    let confirm = shown.button(&Intent::ConfirmPin).unwrap();
    assert!(!confirm.enabled, "nothing to confirm yet");
    assert!(shown.button(&Intent::CancelPayment).is_some());
    assert!(shown.keep_screen_on);
    // Four keys in: four dots, the digits nowhere on screen but on the keys.
    let four = Screen::PinEntry {
        amount: twd(500),
        brand: Brand::UnionPay,
        masked_pan: "620000******0005".into(),
        keypad: Some(KEYPAD),
        entered: 4,
        sent: false,
        message: None,
    };
    let shown = super::render(&four, &Form::new(), Activity::default(), Locale::ZhTw);
    let pad = shown.pin_pad.as_ref().unwrap();
    assert_eq!(pad.dots, "●●●●");
    assert!(shown.button(&Intent::ConfirmPin).unwrap().enabled);
    assert!(shown.button(&Intent::ClearPin).unwrap().enabled);
    // Before the layout and after sending there are no keys to touch.
    for (keypad, sent) in [(None, false), (Some(KEYPAD), true)] {
        let waiting = Screen::PinEntry {
            keypad,
            sent,
            entered: 0,
            amount: twd(500),
            brand: Brand::UnionPay,
            masked_pan: "620000******0005".into(),
            message: None,
        };
        let shown = super::render(&waiting, &Form::new(), Activity::default(), Locale::En);
        assert!(!shown.button(&Intent::ConfirmPin).unwrap().enabled);
        assert!(shown.pin_pad.unwrap().keys.is_empty());
    }
}

#[test]
fn a_wrong_pin_says_what_to_do_and_offers_another_try() {
    let screen = Screen::WrongPin {
        amount: twd(500),
        masked_pan: "620000******0005".into(),
        response_code: "55".into(),
        response_text: "Incorrect PIN".into(),
        message: Some(Notice::WrongPin.into()),
    };
    let shown = view(&screen, Locale::En);
    assert_eq!(shown.title, "Wrong PIN");
    assert_eq!(shown.buttons[0].intent, Intent::RetryPin);
    assert_eq!(shown.buttons[0].label, "Enter the PIN again");
    assert_eq!(shown.field("Bank's answer"), Some("55 Incorrect PIN"));
    assert!(shown.message.unwrap().text.contains("try again"));
}

fn view(screen: &Screen, locale: Locale) -> ScreenView {
    render(screen, &Form::new(), Activity::default(), locale)
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_screen_has_its_id_a_title_and_something_to_do() {
    let screens = every_screen();
    assert_eq!(screens.len(), ScreenId::ALL.len(), "one of each");
    for screen in &screens {
        let view = view(screen, Locale::ZhTw);
        assert_eq!(view.screen, ScreenId::of(screen));
        assert!(!view.title.is_empty());
        let waits = view.busy.is_some();
        assert!(
            waits || !view.buttons.is_empty(),
            "{:?} offers no way on",
            view.screen
        );
    }
}

#[test]
fn switching_the_locale_changes_every_string() {
    for screen in every_screen() {
        let zh = view(&screen, Locale::ZhTw);
        let en = view(&screen, Locale::En);
        assert_eq!((zh.locale, en.locale), (Locale::ZhTw, Locale::En));
        for text in en.texts() {
            assert!(
                !has_cjk(text),
                "{:?}: Chinese in English: {text}",
                en.screen
            );
        }
        if zh.screen != ScreenId::Loading {
            assert_ne!(zh.title, en.title, "{:?}", zh.screen);
            assert!(has_cjk(&zh.title), "{:?}: {}", zh.screen, zh.title);
        }
        for (a, b) in zh.buttons.iter().zip(&en.buttons) {
            assert!(has_cjk(&a.label) && a.label != b.label, "{a:?} / {b:?}");
            assert_eq!(a.intent, b.intent, "the same action in both languages");
        }
        for (a, b) in zh.inputs.iter().zip(&en.inputs) {
            assert!(has_cjk(&a.label) && a.label != b.label, "{a:?} / {b:?}");
        }
        // Labels are words except where a brand names itself (JCB is JCB).
        for (a, b) in zh
            .fields
            .iter()
            .chain(&zh.status)
            .zip(en.fields.iter().chain(&en.status))
        {
            assert!(
                a.label != b.label || a.label == "JCB",
                "{:?}: untranslated label {}",
                zh.screen,
                a.label
            );
        }
        for (a, b) in zh.prompt.iter().zip(&en.prompt) {
            assert!(has_cjk(a) && a != b);
        }
        for (a, b) in zh.message.iter().zip(&en.message) {
            assert!(has_cjk(&a.text) && a.text != b.text && a.code == b.code);
        }
    }
}

#[test]
fn amounts_dates_and_card_numbers_are_formatted_for_the_eye() {
    let sale = approved_sale();
    let receipt = view(
        &Screen::Receipt {
            transaction: sale.clone(),
            receipt_url: sale.receipt_url.clone(),
            qr: QrMatrix::encode(&sale.receipt_url).unwrap(),
            sent_to: Vec::new(),
            message: None,
        },
        Locale::ZhTw,
    );
    assert_eq!(receipt.field("金額"), Some("NT$4,800"));
    assert_eq!(receipt.field("卡號"), Some("411111******1111"));
    // 04:00 UTC is noon in Taipei.
    assert_eq!(receipt.field("交易時間"), Some("2025-03-01 12:00"));
    assert_eq!(receipt.field("卡別"), Some("VISA"));
    assert_eq!(receipt.field("狀態"), Some("已核准"));
    let qr = receipt.qr.expect("a QR code");
    assert_eq!(qr.content, "https://gw.example/r/t1");
    assert_eq!(qr.modules.len(), (qr.size * qr.size).div_ceil(8) as usize);
    assert!(qr.svg.starts_with("<svg") || qr.svg.starts_with("<?xml"));

    let amount = view(&every_screen()[5], Locale::En);
    assert_eq!(amount.field("Amount"), Some("NT$4,800"));
    assert_eq!(amount.inputs[0].value, "4800");
    let choice = amount.choice.expect("brands to choose");
    let chosen: Vec<_> = choice.options.iter().filter(|o| o.selected).collect();
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].label, "Visa");
    assert_eq!(choice.options[2].label, "UnionPay");
}

#[test]
fn no_screen_shows_a_card_number_in_clear() {
    for screen in every_screen() {
        for locale in [Locale::ZhTw, Locale::En] {
            for text in view(&screen, locale).texts() {
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                for pan in ["4111111111111111", "5555555555554444", "3566002020360505"] {
                    assert!(!digits.contains(pan), "{text}");
                }
            }
        }
    }
}

#[test]
fn only_an_unsettled_approval_offers_void_now() {
    let sale = approved_sale();
    let offered = |can_void| {
        view(
            &Screen::TransactionDetail {
                transaction: sale.clone(),
                can_void,
                message: None,
            },
            Locale::ZhTw,
        )
        .button(&Intent::VoidNow)
        .map(|button| button.style)
    };
    assert_eq!(offered(true), Some(ButtonStyle::Danger));
    assert_eq!(offered(false), None);
    let settled = view(
        &Screen::TransactionDetail {
            transaction: TransactionSummary {
                batch_id: Some("B1".into()),
                ..sale.clone()
            },
            can_void: false,
            message: None,
        },
        Locale::ZhTw,
    );
    assert_eq!(settled.field("請款狀態"), Some("已請款"));
}

#[test]
fn a_signature_or_an_authorization_has_no_way_back() {
    let screens = every_screen();
    for screen in [&screens[10], &screens[11], &screens[13]] {
        let view = view(screen, Locale::ZhTw);
        assert_eq!(view.back, None, "{:?}", view.screen);
        assert!(view.button(&Intent::Back).is_none());
        assert!(view.button(&Intent::CancelPayment).is_none());
    }
    let pad = view(&screens[13], Locale::ZhTw).signature.unwrap();
    assert_eq!(pad.strokes.len(), 1);
    assert_eq!(
        pad.strokes[0].points[1],
        crate::view::SignaturePoint { x: 900, y: 500 }
    );
}

#[test]
fn the_display_stays_on_while_a_card_is_read() {
    let screens = every_screen();
    assert!(view(&screens[7], Locale::ZhTw).keep_screen_on);
    assert!(view(&screens[10], Locale::ZhTw).keep_screen_on);
    assert!(!view(&screens[4], Locale::ZhTw).keep_screen_on);
}

#[test]
fn a_running_request_disables_the_buttons_and_only_a_safe_one_can_be_cancelled() {
    let login = &every_screen()[0];
    let cancellable = render(
        login,
        &Form::new(),
        Activity {
            busy: true,
            cancellable: true,
        },
        Locale::ZhTw,
    );
    assert!(cancellable.buttons.iter().all(|b| !b.enabled));
    let busy = cancellable.busy.expect("busy");
    assert_eq!(busy.cancel.map(|b| b.intent), Some(Intent::CancelRequest));
    assert_eq!(cancellable.back, Some(Intent::CancelRequest));

    let money = render(
        &every_screen()[10],
        &Form::new(),
        Activity {
            busy: true,
            cancellable: false,
        },
        Locale::ZhTw,
    );
    assert_eq!(money.busy.expect("busy").cancel, None);
    assert_eq!(money.back, None);
}

#[test]
fn inputs_echo_the_form_but_never_a_secret() {
    let mut form = Form::new();
    form.edit(FieldId::Username, "amy");
    form.edit(FieldId::Password, "135790");
    let login = render(&every_screen()[0], &form, Activity::default(), Locale::En);
    assert_eq!(login.inputs[0].value, "amy");
    assert_eq!(login.inputs[1].value, "");
    assert_eq!(login.inputs[1].kind, crate::view::InputKind::Password);
    assert!(!login.texts().contains(&"135790"));
}

#[test]
fn the_self_check_says_what_each_line_found_and_what_to_do() {
    let screen = Screen::SelfCheck {
        lines: self_check_lines(),
        running: false,
    };
    let en = view(&screen, Locale::En);
    let zh = view(&screen, Locale::ZhTw);
    assert_eq!(en.checks.len(), CheckItem::ALL.len());
    let line = |view: &ScreenView, label: &str| {
        view.checks
            .iter()
            .find(|check| check.label == label)
            .cloned()
            .unwrap_or_else(|| panic!("no line {label}: {:#?}", view.checks))
    };
    let keys = line(&en, "Reader encryption keys");
    assert_eq!(keys.value, "2,448,023,841 transactions left");
    assert_eq!((keys.state, keys.advice), (CheckState::Ok, None));
    assert_eq!(
        line(&zh, "讀卡機加密金鑰").value,
        "剩餘 2,448,023,841 筆交易"
    );
    let link = line(&en, "Audio link quality");
    assert_eq!(
        link.value,
        "9600 bit/s · 48,000 Hz audio · level 41% · SNR 13.4 dB"
    );
    assert_eq!(link.state, CheckState::Warning);
    assert!(link.advice.unwrap().contains("plug all the way in"));
    let certificate = line(&en, "Gateway certificate");
    assert_eq!(certificate.value, "Expired 3 days ago");
    assert_eq!(
        (certificate.state, certificate.state_text.as_str()),
        (CheckState::Failed, "Problem")
    );
    assert!(certificate.advice.unwrap().contains("call support"));
    assert_eq!(line(&en, "Phone clock").value, "95 s behind the gateway");
    assert_eq!(line(&zh, "手機時間").value, "比主機慢 95 秒");
    assert_eq!(line(&en, "App version").value, "1.3.0 (latest 1.4.0)");
    assert_eq!(line(&en, "Phone battery").value, "15%");
    assert_eq!(
        line(&en, "Card reader").value,
        "Serial SIM-7 · firmware 2.1.0"
    );
    // The worst line decides the verdict; "Check again" and "Back".
    let verdict = en.message.as_ref().unwrap();
    assert_eq!(
        (verdict.code.as_str(), verdict.tone),
        ("self_check_failed", Tone::Warning)
    );
    assert!(en.button(&Intent::RunSelfCheck).is_some_and(|b| b.enabled));
    assert!(en.button(&Intent::Back).is_some());
    assert_eq!(en.back, Some(Intent::Back));

    // While it runs: no verdict, "Check again" waits.
    let mut lines = self_check_lines();
    lines[6] = CheckLine::new(CheckItem::Gateway, CheckStatus::Checking, Finding::Pending);
    let running = view(
        &Screen::SelfCheck {
            lines,
            running: true,
        },
        Locale::En,
    );
    assert!(running.message.is_none());
    assert!(running.busy.is_some());
    assert!(running
        .button(&Intent::RunSelfCheck)
        .is_some_and(|b| !b.enabled));
    assert_eq!(line(&running, "Gateway connection").value, "Checking…");

    // Every line fine: ready for the shift.
    let fine: Vec<CheckLine> = self_check_lines()
        .into_iter()
        .map(|line| CheckLine {
            status: CheckStatus::Ok,
            ..line
        })
        .collect();
    let ready = view(
        &Screen::SelfCheck {
            lines: fine,
            running: false,
        },
        Locale::ZhTw,
    );
    let verdict = ready.message.unwrap();
    assert_eq!(
        (verdict.code.as_str(), verdict.tone),
        ("self_check_ready", Tone::Success)
    );
    assert!(ready.checks.iter().all(|check| check.advice.is_none()));
}

#[test]
fn login_and_home_offer_the_pre_shift_check() {
    for screen in [&every_screen()[0], &every_screen()[4]] {
        let view = view(screen, Locale::En);
        assert!(
            view.button(&Intent::OpenSelfCheck).is_some(),
            "{:?}",
            view.screen
        );
    }
}
