//! Sale and refund: amount and brand, the original authorization code,
//! the card, the wait for the bank, an unknown outcome, a decline and the
//! signature pad.

use super::Ctx;
use crate::error::UserMessage;
use crate::flows::payment::CardPrompt;
use crate::view::format;
use crate::view::intent::{CardBrand, FieldId, Intent};
use crate::view::screen_view::{
    ChoiceGroupView, ChoiceView, InputKind, ScreenId, ScreenView, SignaturePadView, SignaturePoint,
    SignatureStroke,
};
use crate::view::text::Text;
use mpos_wire::api::{Stroke, TransactionSummary, TxnKind};
use mpos_wire::{Brand, Money};

/// Amount and card brand.
pub(super) fn amount(
    kind: TxnKind,
    dollars: u64,
    brand: Option<Brand>,
    accepted_brands: &[Brand],
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::Amount, kind_title(kind));
    let mut input = ctx.input(FieldId::Amount, Text::AmountInput, InputKind::Digits);
    input.value = if dollars == 0 {
        String::new()
    } else {
        dollars.to_string()
    };
    view.inputs.push(input);
    view.fields
        .push(ctx.field(Text::Amount, format::dollars(dollars)));
    view.choice = Some(ChoiceGroupView {
        label: ctx.t(Text::CardBrand),
        options: accepted_brands
            .iter()
            .map(|&option| ChoiceView {
                label: format::brand(option, ctx.locale).to_string(),
                intent: Intent::ChooseBrand {
                    brand: CardBrand::from(option),
                },
                selected: brand == Some(option),
            })
            .collect(),
    });
    view.message = ctx.message(message);
    view.buttons = vec![
        match kind {
            TxnKind::Sale => ctx.primary(Text::PayNow, Intent::PayNow),
            TxnKind::Refund => ctx.primary(Text::RefundNow, Intent::RefundNow),
        },
        ctx.secondary(Text::Cancel, Intent::CancelPayment),
    ];
    view.back = Some(Intent::Back);
    view
}

/// Refund: the original authorization code.
pub(super) fn refund_auth_code(
    amount: Money,
    brand: Brand,
    auth_code: &str,
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::RefundAuthCode, Text::RefundTitle);
    view.fields = vec![
        ctx.field(Text::RefundAmount, format::money(amount)),
        ctx.field(Text::CardBrand, format::brand(brand, ctx.locale)),
    ];
    let mut input = ctx.input(
        FieldId::OriginalAuthCode,
        Text::OriginalAuthCode,
        InputKind::Code,
    );
    input.value = auth_code.to_string();
    view.inputs.push(input);
    view.message = ctx.message(message);
    view.buttons = vec![
        ctx.primary(Text::Continue, Intent::ContinueRefund),
        ctx.secondary(Text::Back, Intent::Back),
    ];
    view.back = Some(Intent::Back);
    view
}

/// What the present-card screen shows.
pub(super) struct PresentCard<'a> {
    pub(super) kind: TxnKind,
    pub(super) amount: Money,
    pub(super) brand: Brand,
    pub(super) prompt: CardPrompt,
    pub(super) chip_failures: u32,
    pub(super) message: &'a Option<UserMessage>,
}

/// Insert or swipe the card; the display stays on.
pub(super) fn present_card(screen: PresentCard<'_>, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::PresentCard, Text::PresentCardTitle);
    view.fields = vec![
        ctx.field(Text::TransactionType, format::kind(screen.kind, ctx.locale)),
        ctx.field(Text::Amount, format::money(screen.amount)),
        ctx.field(Text::CardBrand, format::brand(screen.brand, ctx.locale)),
    ];
    if screen.chip_failures > 0 {
        view.fields
            .push(ctx.field(Text::ChipFailures, format!("{} / 3", screen.chip_failures)));
    }
    view.prompt = Some(ctx.t(match screen.prompt {
        CardPrompt::InsertOrSwipe => Text::PromptInsertOrSwipe,
        CardPrompt::InsertChip => Text::PromptInsertChip,
        CardPrompt::SwipeOnly => Text::PromptSwipeOnly,
        CardPrompt::SwipeAfterChipFailure => Text::PromptSwipeAfterChipFailure,
    }));
    view.message = ctx.message(screen.message);
    view.buttons = vec![ctx.secondary(Text::Cancel, Intent::CancelPayment)];
    view.back = Some(Intent::Back);
    view.keep_screen_on = true;
    view
}

/// Waiting for the bank: nothing to press, the display stays on.
pub(super) fn authorizing(
    kind: TxnKind,
    amount: Money,
    brand: Brand,
    masked_pan: &str,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::Authorizing, Text::AuthorizingTitle);
    view.fields = vec![
        ctx.field(Text::TransactionType, format::kind(kind, ctx.locale)),
        ctx.field(Text::Amount, format::money(amount)),
        ctx.field(Text::CardBrand, format::brand(brand, ctx.locale)),
        ctx.field(Text::CardNumber, masked_pan),
    ];
    view.prompt = Some(ctx.t(Text::PromptAuthorizing));
    ctx.waiting(&mut view);
    view.keep_screen_on = true;
    view
}

/// No answer: the transaction is being reversed; never a result.
pub(super) fn outcome_unknown(
    kind: TxnKind,
    amount: Money,
    masked_pan: &str,
    reversal_acknowledged: bool,
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::OutcomeUnknown, Text::OutcomeUnknownTitle);
    view.fields = vec![
        ctx.field(Text::TransactionType, format::kind(kind, ctx.locale)),
        ctx.field(Text::Amount, format::money(amount)),
        ctx.field(Text::CardNumber, masked_pan),
    ];
    view.message = ctx.message(message);
    if reversal_acknowledged {
        view.prompt = Some(ctx.t(Text::PromptReversed));
        view.buttons = vec![ctx.primary(Text::Back, Intent::Back)];
        view.back = Some(Intent::Back);
    } else {
        view.prompt = Some(ctx.t(Text::PromptReversing));
        ctx.waiting(&mut view);
        view.keep_screen_on = true;
    }
    view
}

/// The issuer's refusal: the amount, the card, the bank's answer, what to
/// do; another try (`retry`) or home.
pub(super) struct Refusal<'a> {
    pub(super) screen: ScreenId,
    pub(super) title: Text,
    pub(super) amount: Money,
    pub(super) masked_pan: &'a str,
    pub(super) response: (&'a str, &'a str),
    pub(super) retry: (Text, Intent),
    pub(super) message: &'a Option<UserMessage>,
}

/// A refusal by the issuer (declined, wrong PIN).
pub(super) fn refused(refusal: Refusal<'_>, ctx: &Ctx<'_>) -> ScreenView {
    let (code, text) = refusal.response;
    let mut view = ctx.view(refusal.screen, refusal.title);
    view.fields = vec![
        ctx.field(Text::Amount, format::money(refusal.amount)),
        ctx.field(Text::CardNumber, refusal.masked_pan),
        ctx.field(Text::ResponseCode, format!("{code} {text}")),
    ];
    view.message = ctx.message(refusal.message);
    let (label, intent) = refusal.retry;
    view.buttons = vec![
        ctx.primary(label, intent),
        ctx.secondary(Text::GoHome, Intent::CancelPayment),
    ];
    view.back = Some(Intent::Back);
    view
}

/// The issuer declined: try again from the amount, or home.
pub(super) fn declined(
    amount: Money,
    masked_pan: &str,
    response: (&str, &str),
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let refusal = Refusal {
        screen: ScreenId::Declined,
        title: Text::DeclinedTitle,
        amount,
        masked_pan,
        response,
        retry: (Text::TryAgain, Intent::Back),
        message,
    };
    refused(refusal, ctx)
}

/// The cardholder signs; approved money is owed a signature, so there is
/// no way back.
pub(super) fn signature(
    transaction: &TransactionSummary,
    strokes: &[Stroke],
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::Signature, Text::SignatureTitle);
    view.fields = vec![
        ctx.field(Text::Amount, format::money(transaction.amount)),
        ctx.field(
            Text::CardBrand,
            format::brand(transaction.brand, ctx.locale),
        ),
        ctx.field(Text::CardNumber, transaction.masked_pan.as_str()),
    ];
    if let Some(code) = &transaction.auth_code {
        view.fields.push(ctx.field(Text::AuthCode, code.as_str()));
    }
    view.prompt = Some(ctx.t(Text::PromptSign));
    view.signature = Some(SignaturePadView {
        strokes: strokes
            .iter()
            .map(|stroke| SignatureStroke {
                points: stroke
                    .points
                    .iter()
                    .map(|p| SignaturePoint { x: p.x, y: p.y })
                    .collect(),
            })
            .collect(),
        hint: ctx.t(Text::PromptSign),
    });
    view.message = ctx.message(message);
    view.buttons = vec![
        ctx.primary(Text::ConfirmSignature, Intent::ConfirmSignature),
        ctx.secondary(Text::ClearSignature, Intent::ClearSignature),
    ];
    view.keep_screen_on = true;
    view
}

fn kind_title(kind: TxnKind) -> Text {
    match kind {
        TxnKind::Sale => Text::SaleTitle,
        TxnKind::Refund => Text::RefundTitle,
    }
}
