//! The printer draws the view's words, in the view's language.

use super::*;
use mpos_core::view::{render, Activity, Form, Locale};
use mpos_core::{Screen, UserMessage};

fn login(locale: Locale) -> String {
    let screen = Screen::Login {
        reader_connected: false,
        message: Some(UserMessage::from_code(mpos_wire::ErrorCode::AccountLocked)),
    };
    render_screen(&render(&screen, &Form::new(), Activity::default(), locale))
}

#[test]
fn the_printer_shows_the_views_words_in_its_language() {
    let zh = login(Locale::ZhTw);
    assert!(zh.contains("mPOS 登入"), "{zh}");
    assert!(zh.contains("[登入]"), "{zh}");
    assert!(zh.contains("未連接"), "{zh}");
    let en = login(Locale::En);
    assert!(en.contains("[Log in]"), "{en}");
    assert!(en.contains("Not connected"), "{en}");
    assert!(
        !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{en}"
    );
}

#[test]
fn the_printer_lists_each_check_with_its_state_and_what_to_do() {
    use mpos_core::{CheckItem, CheckLine, CheckStatus, Finding};
    let screen = Screen::SelfCheck {
        lines: vec![
            CheckLine::new(
                CheckItem::Reader,
                CheckStatus::Failed,
                Finding::ReaderMissing,
            ),
            CheckLine::new(
                CheckItem::Clock,
                CheckStatus::Ok,
                Finding::ClockSkew { seconds: 0 },
            ),
        ],
        running: false,
    };
    let en = render_screen(&render(
        &screen,
        &Form::new(),
        Activity::default(),
        Locale::En,
    ));
    assert!(en.contains("[Problem] Card reader: Not connected"), "{en}");
    assert!(
        en.contains("-> Plug the reader into the headset jack"),
        "{en}"
    );
    assert!(en.contains("[OK] Phone clock: Matches the gateway"), "{en}");
    assert!(en.contains("[Check again]"), "{en}");
}

#[test]
fn the_printer_draws_the_readers_keypad_in_rows_and_the_dots() {
    let screen = Screen::PinEntry {
        amount: mpos_wire::Money::twd_minor(60_000),
        brand: mpos_wire::Brand::UnionPay,
        masked_pan: "620000******0005".into(),
        keypad: Some(mpos_core::reader::KeypadLayout {
            digits: [7, 2, 9, 0, 4, 1, 8, 5, 3, 6],
        }),
        entered: 3,
        sent: false,
        message: None,
    };
    let text = render_screen(&render(
        &screen,
        &Form::new(),
        Activity::default(),
        Locale::En,
    ));
    assert!(text.contains("PIN: ●●●"), "{text}");
    assert!(text.contains("[7] [2] [9]"), "{text}");
    assert!(text.contains("[8] [5] [3]"), "{text}");
    assert!(text.contains("    [6]"), "{text}");
}
