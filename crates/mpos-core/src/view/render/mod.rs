//! [`Screen`] to [`ScreenView`]: one function per screen group, and the
//! parts they share (messages, buttons, inputs, a transaction's fields).

mod login;
mod payment;
mod pin;
mod receipt;
mod self_check;
mod settlement;
mod transactions;

use super::form::Form;
use super::format;
use super::intent::{FieldId, Intent};
use super::locale::Locale;
use super::screen_view::{
    BusyView, ButtonStyle, ButtonView, FieldView, InputKind, InputView, MessageView, ScreenView,
    Tone,
};
use super::text::Text;
use crate::error::UserMessage;
use crate::model::screen::Screen;
use mpos_wire::api::TransactionSummary;

/// What the app is doing besides showing the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    /// A request is running.
    pub busy: bool,
    /// It moves no money, so the user may cancel it.
    pub cancellable: bool,
}

/// Renders `screen` in `locale` with the inputs' text of `form`.
pub fn render(screen: &Screen, form: &Form, activity: Activity, locale: Locale) -> ScreenView {
    let ctx = Ctx { form, locale };
    let mut view = match screen {
        Screen::Login {
            reader_connected,
            message,
        } => login::login(*reader_connected, message, &ctx),
        Screen::Activation { message } => login::activation(message, &ctx),
        Screen::NewPassword { message } => login::new_password(message, &ctx),
        Screen::Loading { message } => login::loading(message, &ctx),
        Screen::Home {
            display_name,
            merchant_name,
            reader_connected,
            message,
        } => login::home(
            display_name,
            merchant_name,
            *reader_connected,
            message,
            &ctx,
        ),
        Screen::Amount {
            kind,
            dollars,
            brand,
            accepted_brands,
            message,
        } => payment::amount(*kind, *dollars, *brand, accepted_brands, message, &ctx),
        Screen::RefundAuthCode {
            amount,
            brand,
            auth_code,
            message,
        } => payment::refund_auth_code(*amount, *brand, auth_code, message, &ctx),
        Screen::PresentCard {
            kind,
            amount,
            brand,
            prompt,
            chip_failures,
            message,
        } => payment::present_card(
            payment::PresentCard {
                kind: *kind,
                amount: *amount,
                brand: *brand,
                prompt: *prompt,
                chip_failures: *chip_failures,
                message,
            },
            &ctx,
        ),
        Screen::PinEntry {
            amount,
            brand,
            masked_pan,
            keypad,
            entered,
            sent,
            message,
        } => pin::pin_entry(
            pin::PinEntryScreen {
                amount: *amount,
                brand: *brand,
                masked_pan,
                keypad: *keypad,
                entered: *entered,
                sent: *sent,
                message,
            },
            &ctx,
        ),
        Screen::WrongPin {
            amount,
            masked_pan,
            response_code,
            response_text,
            message,
        } => pin::wrong_pin(
            *amount,
            masked_pan,
            (response_code, response_text),
            message,
            &ctx,
        ),
        Screen::Authorizing {
            kind,
            amount,
            brand,
            masked_pan,
        } => payment::authorizing(*kind, *amount, *brand, masked_pan, &ctx),
        Screen::OutcomeUnknown {
            kind,
            amount,
            masked_pan,
            reversal_acknowledged,
            message,
        } => payment::outcome_unknown(
            *kind,
            *amount,
            masked_pan,
            *reversal_acknowledged,
            message,
            &ctx,
        ),
        Screen::Declined {
            amount,
            masked_pan,
            response_code,
            response_text,
            message,
        } => payment::declined(
            *amount,
            masked_pan,
            (response_code, response_text),
            message,
            &ctx,
        ),
        Screen::Signature {
            transaction,
            strokes,
            message,
        } => payment::signature(transaction, strokes, message, &ctx),
        Screen::Receipt {
            transaction,
            qr,
            sent_to,
            message,
            ..
        } => receipt::receipt(transaction, qr, sent_to, message, &ctx),
        Screen::QueryPassword { message } => transactions::query_password(message, &ctx),
        Screen::TransactionSearch {
            results, message, ..
        } => transactions::search(results, message, &ctx),
        Screen::TransactionDetail {
            transaction,
            can_void,
            message,
        } => transactions::detail(transaction, *can_void, message, &ctx),
        Screen::VoidDone { transaction } => transactions::void_done(transaction, &ctx),
        Screen::SettlementReview { preview, message } => {
            settlement::review(preview.as_ref(), message, &ctx)
        }
        Screen::SettlementDone { batch } => settlement::done(batch, &ctx),
        Screen::SelfCheck { lines, running } => self_check::self_check(lines, *running, &ctx),
    };
    if activity.busy {
        ctx.busy(&mut view, activity.cancellable);
    }
    view
}

/// What every screen renderer needs.
pub(super) struct Ctx<'a> {
    form: &'a Form,
    locale: Locale,
}

impl Ctx<'_> {
    /// A fixed text.
    fn t(&self, text: Text) -> String {
        text.get(self.locale).to_string()
    }

    /// An empty view of `screen` titled `title`.
    fn view(&self, screen: super::screen_view::ScreenId, title: Text) -> ScreenView {
        ScreenView::titled(screen, self.locale, title.get(self.locale))
    }

    /// A message in the user's language.
    fn message(&self, message: &Option<UserMessage>) -> Option<MessageView> {
        message.as_ref().map(|message| MessageView {
            code: message.code.clone(),
            text: self.locale.pick(&message.zh, &message.en).to_string(),
            tone: tone(&message.code),
        })
    }

    fn button(&self, label: Text, intent: Intent, style: ButtonStyle) -> ButtonView {
        ButtonView {
            label: self.t(label),
            intent,
            style,
            enabled: true,
        }
    }

    fn primary(&self, label: Text, intent: Intent) -> ButtonView {
        self.button(label, intent, ButtonStyle::Primary)
    }

    fn secondary(&self, label: Text, intent: Intent) -> ButtonView {
        self.button(label, intent, ButtonStyle::Secondary)
    }

    fn input(&self, field: FieldId, label: Text, kind: InputKind) -> InputView {
        InputView {
            field,
            label: self.t(label),
            value: self.form.value(field),
            kind,
            max_length: field.max_length(),
            revision: self.form.revision(field),
        }
    }

    fn field(&self, label: Text, value: impl Into<String>) -> FieldView {
        FieldView {
            label: self.t(label),
            value: value.into(),
        }
    }

    /// The card reader's status line.
    fn reader(&self, connected: bool) -> FieldView {
        let state = if connected {
            Text::ReaderConnected
        } else {
            Text::ReaderMissing
        };
        self.field(Text::CardReader, self.t(state))
    }

    /// What a receipt or the sale details list about a transaction.
    fn transaction_fields(&self, transaction: &TransactionSummary) -> Vec<FieldView> {
        let locale = self.locale;
        let mut fields = vec![
            self.field(
                Text::TransactionType,
                format::kind(transaction.kind, locale),
            ),
            self.field(Text::Amount, format::money(transaction.amount)),
            self.field(Text::CardBrand, format::brand(transaction.brand, locale)),
            self.field(Text::CardNumber, transaction.masked_pan.as_str()),
        ];
        if let Some(code) = &transaction.auth_code {
            fields.push(self.field(Text::AuthCode, code.as_str()));
        }
        fields.extend([
            self.field(Text::InvoiceNo, transaction.invoice_no.as_str()),
            self.field(Text::DateTime, format::local_time(&transaction.created_at)),
            self.field(Text::Status, format::status(transaction.status, locale)),
        ]);
        fields
    }

    /// Marks the view busy: nothing can be pressed but a cancel, if allowed.
    fn busy(&self, view: &mut ScreenView, cancellable: bool) {
        for button in &mut view.buttons {
            button.enabled = false;
        }
        let cancel = cancellable.then(|| self.secondary(Text::Cancel, Intent::CancelRequest));
        view.busy = Some(BusyView {
            text: self.t(Text::Working),
            cancel,
        });
        if cancellable {
            view.back = Some(Intent::CancelRequest);
        }
    }

    /// A busy indicator that belongs to the screen itself (waiting for the bank).
    fn waiting(&self, view: &mut ScreenView) {
        view.busy = Some(BusyView {
            text: self.t(Text::Working),
            cancel: None,
        });
    }
}

/// Success for outcomes the user asked for, information for instructions,
/// warning for everything that went wrong.
fn tone(code: &str) -> Tone {
    match code {
        "not_charged" | "signature_no_longer_needed" | "self_check_ready" => Tone::Success,
        "cancelled"
        | "reader_not_connected"
        | "signature_needs_login"
        | "reversal_needs_login"
        | "microphone_needed" => Tone::Info,
        _ => Tone::Warning,
    }
}

#[cfg(test)]
mod tests;
