//! 交易明細: the password again, the search of unsettled transactions,
//! the sale details with "Void now", and the void's result.

use super::Ctx;
use crate::error::UserMessage;
use crate::view::format;
use crate::view::intent::{FieldId, Intent};
use crate::view::screen_view::{ButtonStyle, InputKind, RowView, ScreenId, ScreenView};
use crate::view::text::Text;
use mpos_wire::api::{TransactionSummary, TxnKind};

/// The password again before the transaction details.
pub(super) fn query_password(message: &Option<UserMessage>, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::QueryPassword, Text::TransactionsTitle);
    view.prompt = Some(ctx.t(Text::PromptQueryPassword));
    view.inputs = vec![ctx.input(FieldId::QueryPassword, Text::Password, InputKind::Password)];
    view.message = ctx.message(message);
    view.buttons = vec![
        ctx.primary(Text::Confirm, Intent::SubmitQueryPassword),
        ctx.secondary(Text::Back, Intent::Back),
    ];
    view.back = Some(Intent::Back);
    view
}

/// The search form and the unsettled transactions found.
pub(super) fn search(
    results: &[TransactionSummary],
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::TransactionSearch, Text::TransactionsTitle);
    view.prompt = Some(ctx.t(Text::PromptSearch));
    view.inputs = vec![
        ctx.input(FieldId::SearchLast4, Text::Last4, InputKind::Digits),
        ctx.input(FieldId::SearchAuthCode, Text::AuthCode, InputKind::Code),
        ctx.input(FieldId::SearchInvoiceNo, Text::InvoiceNo, InputKind::Digits),
    ];
    view.rows = results
        .iter()
        .map(|transaction| RowView {
            title: format!(
                "{} {}",
                format::money(transaction.amount),
                format::brand(transaction.brand, ctx.locale)
            ),
            detail: format!(
                "{} · {}",
                transaction.masked_pan.as_str(),
                format::local_time(&transaction.created_at)
            ),
            trailing: format!("{} {}", ctx.t(Text::InvoiceNo), transaction.invoice_no),
            intent: Intent::OpenTransaction {
                id: transaction.id.clone(),
            },
        })
        .collect();
    view.empty_rows = Some(ctx.t(Text::NoResultsYet));
    view.message = ctx.message(message);
    view.buttons = vec![
        ctx.primary(Text::Search, Intent::Search),
        ctx.secondary(Text::EnterSettlement, Intent::EnterSettlement),
        ctx.secondary(Text::Back, Intent::Back),
    ];
    view.back = Some(Intent::Back);
    view
}

/// 銷售詳情 (or the refund's): "Void now" only for an unsettled approval.
pub(super) fn detail(
    transaction: &TransactionSummary,
    can_void: bool,
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let title = match transaction.kind {
        TxnKind::Sale => Text::SaleDetailTitle,
        TxnKind::Refund => Text::RefundDetailTitle,
    };
    let mut view = ctx.view(ScreenId::TransactionDetail, title);
    view.fields = details(transaction, ctx);
    view.message = ctx.message(message);
    if can_void {
        view.buttons
            .push(ctx.button(Text::VoidNow, Intent::VoidNow, ButtonStyle::Danger));
    }
    view.buttons.push(ctx.secondary(Text::Back, Intent::Back));
    view.back = Some(Intent::Back);
    view
}

/// Voided: send the e-receipt or go back to the sale details.
pub(super) fn void_done(transaction: &TransactionSummary, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::VoidDone, Text::VoidDoneTitle);
    view.prompt = Some(ctx.t(Text::PromptVoided));
    view.fields = details(transaction, ctx);
    view.buttons = vec![
        ctx.primary(Text::SendReceipt, Intent::ShowReceipt),
        ctx.secondary(Text::BackToDetails, Intent::BackToDetails),
    ];
    view.back = Some(Intent::BackToDetails);
    view
}

/// Everything the app knows of a transaction.
fn details(
    transaction: &TransactionSummary,
    ctx: &Ctx<'_>,
) -> Vec<crate::view::screen_view::FieldView> {
    let mut fields = ctx.transaction_fields(transaction);
    let settled = if transaction.is_settled() {
        Text::Settled
    } else {
        Text::Unsettled
    };
    let signed = if transaction.signed {
        Text::Signed
    } else {
        Text::NotSigned
    };
    fields.extend([
        ctx.field(
            Text::EntryMode,
            format::entry_mode(transaction.entry_mode, ctx.locale),
        ),
        ctx.field(Text::SettlementState, ctx.t(settled)),
        ctx.field(Text::SignatureLabel, ctx.t(signed)),
    ]);
    fields
}
