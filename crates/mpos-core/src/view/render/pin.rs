//! PIN entry and wrong PIN. The keypad is the reader's: its digits come in
//! the reader's random order, and a key sends only its position.

use super::payment::{refused, Refusal};
use super::Ctx;
use crate::error::UserMessage;
use crate::model::reader::KeypadLayout;
use crate::view::format;
use crate::view::intent::Intent;
use crate::view::screen_view::{ButtonStyle, ButtonView, PinPadView, ScreenId, ScreenView};
use crate::view::text::Text;
use mpos_wire::{Brand, Money};

/// The dot shown for each digit entered.
const DOT: char = '●';

/// What the PIN entry screen shows.
pub(super) struct PinEntryScreen<'a> {
    pub(super) amount: Money,
    pub(super) brand: Brand,
    pub(super) masked_pan: &'a str,
    pub(super) keypad: Option<KeypadLayout>,
    pub(super) entered: u32,
    pub(super) sent: bool,
    pub(super) message: &'a Option<UserMessage>,
}

/// The cardholder enters the PIN: masked dots, the reader's keys, clear,
/// confirm and cancel; the display stays on.
pub(super) fn pin_entry(screen: PinEntryScreen<'_>, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::PinEntry, Text::PinEntryTitle);
    view.fields = vec![
        ctx.field(Text::Amount, format::money(screen.amount)),
        ctx.field(Text::CardBrand, format::brand(screen.brand, ctx.locale)),
        ctx.field(Text::CardNumber, screen.masked_pan),
    ];
    view.message = ctx.message(screen.message);
    let ready = screen.keypad.is_some() && !screen.sent;
    view.prompt = Some(ctx.t(match (screen.keypad, screen.sent) {
        (_, true) => Text::PromptPinSent,
        (None, false) => Text::PromptWaitingForKeypad,
        (Some(_), false) => Text::PromptEnterPin,
    }));
    let keys = match screen.keypad.filter(|_| ready) {
        Some(layout) => (0u8..)
            .zip(layout.digits)
            .map(|(key, digit)| ButtonView {
                label: digit.to_string(),
                intent: Intent::PinKey { key },
                style: ButtonStyle::Secondary,
                enabled: true,
            })
            .collect(),
        None => Vec::new(),
    };
    view.pin_pad = Some(PinPadView {
        keys,
        label: ctx.t(Text::PinDigits),
        dots: std::iter::repeat_n(DOT, screen.entered as usize).collect(),
    });
    let mut confirm = ctx.primary(Text::ConfirmPin, Intent::ConfirmPin);
    confirm.enabled = ready && screen.entered > 0;
    let mut clear = ctx.secondary(Text::ClearPin, Intent::ClearPin);
    clear.enabled = ready && screen.entered > 0;
    view.buttons = vec![
        confirm,
        clear,
        ctx.secondary(Text::Cancel, Intent::CancelPayment),
    ];
    view.back = Some(Intent::CancelPayment);
    view.keep_screen_on = true;
    view
}

/// The issuer said the PIN was wrong: nothing was charged; read the card
/// again for another try, or stop.
pub(super) fn wrong_pin(
    amount: Money,
    masked_pan: &str,
    response: (&str, &str),
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let refusal = Refusal {
        screen: ScreenId::WrongPin,
        title: Text::WrongPinTitle,
        amount,
        masked_pan,
        response,
        retry: (Text::RetryPin, Intent::RetryPin),
        message,
    };
    refused(refusal, ctx)
}
