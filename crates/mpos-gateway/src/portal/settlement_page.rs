//! The settlement page: the captures awaiting tonight's cut-off per
//! terminal, the cut-off itself (23:00 Asia/Taipei by default), and every
//! closed batch with its totals per brand.

use super::chrome::{Chrome, Section};
use super::format::{date, taipei_time};
use super::session::PortalSession;
use super::text::{trigger, Locale};
use crate::settlement::batch::totals;
use crate::state::AppState;
use crate::store::{BatchRow, CaptureGroup};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// One brand's line of totals.
#[derive(Debug, Clone)]
pub struct BrandLine {
    /// Brand.
    pub brand: &'static str,
    /// Sales count.
    pub sales_count: u32,
    /// Sales total.
    pub sales_total: String,
    /// Refunds count.
    pub refunds_count: u32,
    /// Refunds total.
    pub refunds_total: String,
}

/// Totals of a set of captures, as the page shows them.
#[derive(Debug, Clone)]
pub struct TotalsView {
    /// Per brand.
    pub brands: Vec<BrandLine>,
    /// Captures in all.
    pub count: u32,
    /// Sales minus refunds.
    pub net: String,
}

fn totals_view(groups: &[CaptureGroup]) -> TotalsView {
    let totals = totals(groups);
    TotalsView {
        brands: totals
            .per_brand
            .iter()
            .map(|b| BrandLine {
                brand: b.brand.display_name(),
                sales_count: b.sales_count,
                sales_total: b.sales_total.to_string(),
                refunds_count: b.refunds_count,
                refunds_total: b.refunds_total.to_string(),
            })
            .collect(),
        count: totals.count,
        net: totals.net_total.to_string(),
    }
}

/// A terminal's captures awaiting settlement.
#[derive(Debug, Clone)]
pub struct PendingView {
    /// Terminal.
    pub terminal_id: String,
    /// Its user.
    pub user: String,
    /// Totals.
    pub totals: TotalsView,
}

/// A closed batch.
#[derive(Debug, Clone)]
pub struct BatchView {
    /// Id.
    pub id: String,
    /// Terminal.
    pub terminal_id: String,
    /// Business date.
    pub business_date: String,
    /// Closed at, Taipei.
    pub closed_at: String,
    /// Manual or automatic, in words.
    pub trigger: &'static str,
    /// Totals.
    pub totals: TotalsView,
}

fn batch_view(locale: Locale, batch: &BatchRow) -> BatchView {
    BatchView {
        id: batch.id.clone(),
        terminal_id: batch.terminal_id.clone(),
        business_date: date(batch.business_date),
        closed_at: taipei_time(batch.closed_at),
        trigger: trigger(locale, batch.trigger),
        totals: totals_view(&batch.groups),
    }
}

/// The page.
#[derive(Template)]
#[template(path = "portal/settlement.html")]
pub struct SettlementPage {
    /// Layout.
    pub chrome: Chrome,
    /// The next cut-off, Taipei.
    pub cutoff: String,
    /// The business date it closes.
    pub business_date: String,
    /// Terminals with captures awaiting it.
    pub pending: Vec<PendingView>,
    /// Closed batches, newest first.
    pub batches: Vec<BatchView>,
}

/// `GET /portal/settlement`.
pub async fn page(
    State(state): State<AppState>,
    PortalSession(session): PortalSession,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    let now = state.clock.now();
    let loaded = async {
        let users = state.store.users().list().await?;
        let mut pending = Vec::new();
        for user in &users {
            let groups = state
                .store
                .settlement()
                .unsettled(&user.terminal_id)
                .await?;
            if !groups.is_empty() {
                pending.push(PendingView {
                    terminal_id: user.terminal_id.clone(),
                    user: format!("{} ({})", user.name, user.username),
                    totals: totals_view(&groups),
                });
            }
        }
        let mut batches = state.store.settlement().list_batches().await?;
        batches.sort_by_key(|b| std::cmp::Reverse(b.closed_at));
        Ok::<_, crate::store::StoreError>((pending, batches))
    };
    let (pending, batches) = match loaded.await {
        Ok(found) => found,
        Err(e) => return super::users::failed(locale, &e.into()),
    };
    let page_data = SettlementPage {
        chrome: Chrome::signed_in(
            &session,
            Section::Settlement,
            t.settlement_title,
            "/portal/settlement",
        ),
        cutoff: format!("{} (Asia/Taipei)", taipei_time(state.cutoff.next_run(now))),
        business_date: date(state.cutoff.business_date(now)),
        pending,
        batches: batches.iter().map(|b| batch_view(locale, b)).collect(),
    };
    super::page(StatusCode::OK, &page_data)
}
