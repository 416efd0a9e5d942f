//! 信用卡結帳: the pending count and amounts, "Settle now", the batch.

use super::Ctx;
use crate::error::UserMessage;
use crate::view::format;
use crate::view::intent::Intent;
use crate::view::screen_view::{FieldView, ScreenId, ScreenView};
use crate::view::text::Text;
use mpos_wire::api::{BatchSummary, SettlementPreview, SettlementTotals, SettlementTrigger};

/// What settling now would close; loading until the preview came.
pub(super) fn review(
    preview: Option<&SettlementPreview>,
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::SettlementReview, Text::SettlementTitle);
    view.message = ctx.message(message);
    view.back = Some(Intent::Back);
    let Some(preview) = preview else {
        ctx.waiting(&mut view);
        view.buttons = vec![ctx.secondary(Text::Back, Intent::Back)];
        return view;
    };
    view.prompt = Some(ctx.t(Text::PromptSettle));
    view.fields = totals(&preview.totals, ctx);
    view.fields.push(ctx.field(
        Text::NextAutoSettlement,
        format::local_time(&preview.next_auto_settlement),
    ));
    view.buttons = vec![
        ctx.primary(Text::SettleNow, Intent::SettleNow),
        ctx.secondary(Text::Back, Intent::Back),
    ];
    view
}

/// The batch just closed.
pub(super) fn done(batch: &BatchSummary, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::SettlementDone, Text::SettlementDoneTitle);
    view.prompt = Some(ctx.t(Text::PromptSettled));
    let how = match batch.trigger {
        SettlementTrigger::Manual => Text::ManualSettlement,
        SettlementTrigger::Automatic => Text::AutomaticSettlement,
    };
    view.fields = vec![
        ctx.field(Text::Batch, batch.id.as_str()),
        ctx.field(Text::BusinessDate, batch.business_date.as_str()),
        ctx.field(Text::ClosedAt, format::local_time(&batch.closed_at)),
        ctx.field(Text::SettledHow, ctx.t(how)),
    ];
    view.fields.extend(totals(&batch.totals, ctx));
    view.buttons = vec![ctx.primary(Text::Done, Intent::Back)];
    view.back = Some(Intent::Back);
    view
}

/// Count, net amount, sales, refunds, and each brand's sales.
fn totals(totals: &SettlementTotals, ctx: &Ctx<'_>) -> Vec<FieldView> {
    let locale = ctx.locale;
    let line = |count: u32, amount| {
        format!(
            "{} · {}",
            format::count(count, locale),
            format::money(amount)
        )
    };
    let mut fields = vec![
        ctx.field(Text::PendingCount, format::count(totals.count, locale)),
        ctx.field(Text::PendingAmount, format::money(totals.net_total)),
        ctx.field(Text::Sales, line(totals.sales_count, totals.sales_total)),
        ctx.field(
            Text::Refunds,
            line(totals.refunds_count, totals.refunds_total),
        ),
    ];
    fields.extend(totals.per_brand.iter().map(|brand| FieldView {
        label: format::brand(brand.brand, locale).to_string(),
        value: line(brand.sales_count, brand.sales_total),
    }));
    fields
}
