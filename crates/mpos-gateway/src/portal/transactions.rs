//! The transactions pages: every transaction, settled and unsettled,
//! filtered and paged; the CSV export of what a filter matches; and one
//! transaction's detail with its receipt and signature.

use super::chrome::{message, query_escape, Chrome, Section};
use super::csv;
use super::format::{parse_date, taipei_day_start, taipei_time};
use super::page;
use super::session::PortalSession;
use super::sign_in::session_actor;
use super::text::{entry_mode, txn_kind, txn_status, Locale, Text};
use crate::audit::{record, Action};
use crate::receipts::page::signature_required;
use crate::server::ClientAddr;
use crate::state::AppState;
use crate::store::{TxnFilter, TxnRow, UserRow};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use mpos_wire::api::TxnStatus;
use mpos_wire::Brand;
use serde::Deserialize;
use std::collections::HashMap;

/// Transactions per page.
pub const PAGE_SIZE: u64 = 50;
/// Rows one CSV export holds at most.
pub const EXPORT_LIMIT: u64 = 100_000;

/// The filter as the query string carries it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilterQuery {
    /// From date (YYYY-MM-DD, Taipei).
    #[serde(default)]
    pub from: String,
    /// To date, inclusive.
    #[serde(default)]
    pub to: String,
    /// User id.
    #[serde(default)]
    pub user: String,
    /// Brand code.
    #[serde(default)]
    pub brand: String,
    /// Status name.
    #[serde(default)]
    pub status: String,
    /// `settled` or `unsettled`.
    #[serde(default)]
    pub settled: String,
    /// Last 4 digits.
    #[serde(default)]
    pub last4: String,
    /// Authorization code.
    #[serde(default)]
    pub auth: String,
    /// Invoice number.
    #[serde(default)]
    pub invoice: String,
    /// Page, from 1.
    #[serde(default)]
    pub page: Option<u64>,
}

/// The statuses a filter can ask for, by stored name.
const STATUSES: [TxnStatus; 5] = [
    TxnStatus::Approved,
    TxnStatus::Declined,
    TxnStatus::Voided,
    TxnStatus::Reversed,
    TxnStatus::Pending,
];

fn status_name(status: TxnStatus) -> String {
    crate::store::stored_name(status)
}

impl FilterQuery {
    /// The store's filter, or what is wrong with the query.
    pub fn to_filter(&self, t: &'static Text) -> Result<TxnFilter, &'static str> {
        let some = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        let date = |s: &str| -> Result<Option<time::Date>, &'static str> {
            match some(s) {
                None => Ok(None),
                Some(text) => parse_date(&text).map(Some).ok_or(t.error_date),
            }
        };
        let from = date(&self.from)?.map(taipei_day_start);
        let until = date(&self.to)?
            .and_then(|d| d.next_day())
            .map(taipei_day_start);
        let last4 = some(&self.last4);
        if let Some(l) = &last4 {
            if l.len() != 4 || !l.bytes().all(|b| b.is_ascii_digit()) {
                return Err(t.error_last4);
            }
        }
        Ok(TxnFilter {
            from,
            until,
            user_id: some(&self.user),
            brand: some(&self.brand).filter(|b| Brand::from_code(b).is_some()),
            status: some(&self.status).filter(|s| STATUSES.iter().any(|st| status_name(*st) == *s)),
            settled: match self.settled.as_str() {
                "settled" => Some(true),
                "unsettled" => Some(false),
                _ => None,
            },
            last4,
            auth_code: some(&self.auth),
            invoice_no: some(&self.invoice),
        })
    }

    /// The query string of this filter (without the page), for links.
    pub fn query_string(&self) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("user", &self.user),
            ("brand", &self.brand),
            ("status", &self.status),
            ("settled", &self.settled),
            ("last4", &self.last4),
            ("auth", &self.auth),
            ("invoice", &self.invoice),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", query_escape(v.trim())))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A transaction as a row of the list shows it.
#[derive(Debug, Clone)]
pub struct TxnView {
    /// Id (for the link).
    pub id: String,
    /// When, Taipei.
    pub time: String,
    /// The user's name (and account).
    pub user: String,
    /// Terminal.
    pub terminal_id: String,
    /// Sale or refund, in words.
    pub kind: &'static str,
    /// Brand.
    pub brand: &'static str,
    /// Masked card number.
    pub card: String,
    /// Amount.
    pub amount: String,
    /// Status, in words.
    pub status: &'static str,
    /// Settled (the batch) or not, in words.
    pub settlement: String,
    /// Authorization code.
    pub auth_code: String,
    /// Invoice number.
    pub invoice_no: String,
}

fn txn_view(locale: Locale, txn: &TxnRow, users: &HashMap<String, UserRow>) -> TxnView {
    let t = locale.text();
    TxnView {
        id: txn.id.clone(),
        time: taipei_time(txn.created_at),
        user: users.get(&txn.user_id).map_or_else(
            || txn.user_id.clone(),
            |u| format!("{} ({})", u.name, u.username),
        ),
        terminal_id: txn.terminal_id.clone(),
        kind: txn_kind(locale, txn.kind),
        brand: txn.brand.display_name(),
        card: txn.masked_pan.to_string(),
        amount: txn.amount.to_string(),
        status: txn_status(locale, txn.status),
        settlement: match &txn.batch_id {
            Some(batch) => format!("{} {batch}", t.settled),
            None => t.unsettled.to_string(),
        },
        auth_code: txn.auth_code.clone().unwrap_or_else(|| "-".into()),
        invoice_no: txn.invoice_no.clone(),
    }
}

/// A choice of a select box: value, label, selected.
pub type Choice = (String, String, bool);

/// The list page.
#[derive(Template)]
#[template(path = "portal/transactions.html")]
pub struct TransactionsPage {
    /// Layout.
    pub chrome: Chrome,
    /// The filter as typed.
    pub query: FilterQuery,
    /// Users to filter by.
    pub users: Vec<Choice>,
    /// Brands to filter by.
    pub brands: Vec<Choice>,
    /// Statuses to filter by.
    pub statuses: Vec<Choice>,
    /// Settled or not.
    pub settlement: Vec<Choice>,
    /// The page's rows.
    pub rows: Vec<TxnView>,
    /// How many match.
    pub total: u64,
    /// This page, from 1.
    pub page_no: u64,
    /// Pages in all.
    pub pages: u64,
    /// Link to the previous page.
    pub previous: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
    /// Link to the CSV of this filter.
    pub csv_href: String,
}

fn choices(options: Vec<(String, String)>, selected: &str) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| {
            let on = value == selected;
            (value, label, on)
        })
        .collect()
}

async fn users_by_id(
    state: &AppState,
) -> Result<HashMap<String, UserRow>, crate::store::StoreError> {
    Ok(state
        .store
        .users()
        .list()
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect())
}

/// `GET /portal/transactions`.
pub async fn list(
    State(state): State<AppState>,
    PortalSession(session): PortalSession,
    Query(query): Query<FilterQuery>,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    let users = match users_by_id(&state).await {
        Ok(users) => users,
        Err(e) => return super::users::failed(locale, &e.into()),
    };
    let (filter, problem) = match query.to_filter(t) {
        Ok(filter) => (Some(filter), None),
        Err(problem) => (None, Some(problem)),
    };
    let page_no = query.page.unwrap_or(1).max(1);
    let (rows, total) = match &filter {
        Some(filter) => match state
            .store
            .transactions()
            .filtered(filter, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
            .await
        {
            Ok(found) => found,
            Err(e) => return super::users::failed(locale, &e.into()),
        },
        None => (Vec::new(), 0),
    };
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let base = query.query_string();
    let link = |n: u64| {
        if base.is_empty() {
            format!("/portal/transactions?page={n}")
        } else {
            format!("/portal/transactions?{base}&page={n}")
        }
    };
    let mut user_list: Vec<&UserRow> = users.values().collect();
    user_list.sort_by(|a, b| a.name.cmp(&b.name).then(a.username.cmp(&b.username)));
    let any = || (String::new(), t.any.to_string());
    let here = if base.is_empty() {
        "/portal/transactions".to_string()
    } else {
        format!("/portal/transactions?{base}")
    };
    let page_data = TransactionsPage {
        chrome: Chrome::signed_in(&session, Section::Transactions, t.transactions_title, &here)
            .with_error(problem),
        users: choices(
            std::iter::once(any())
                .chain(
                    user_list
                        .iter()
                        .map(|u| (u.id.clone(), format!("{} ({})", u.name, u.username))),
                )
                .collect(),
            query.user.trim(),
        ),
        brands: choices(
            std::iter::once(any())
                .chain(
                    Brand::ALL
                        .iter()
                        .map(|b| (b.code().to_string(), b.display_name().to_string())),
                )
                .collect(),
            query.brand.trim(),
        ),
        statuses: choices(
            std::iter::once(any())
                .chain(
                    STATUSES
                        .iter()
                        .map(|s| (status_name(*s), txn_status(locale, *s).to_string())),
                )
                .collect(),
            query.status.trim(),
        ),
        settlement: choices(
            vec![
                any(),
                ("settled".into(), t.settled.into()),
                ("unsettled".into(), t.unsettled.into()),
            ],
            query.settled.trim(),
        ),
        rows: rows.iter().map(|r| txn_view(locale, r, &users)).collect(),
        total,
        page_no,
        pages,
        previous: (page_no > 1).then(|| link(page_no - 1)),
        next: (page_no < pages).then(|| link(page_no + 1)),
        csv_href: if base.is_empty() {
            "/portal/transactions.csv".into()
        } else {
            format!("/portal/transactions.csv?{base}")
        },
        query,
    };
    page(
        if page_data.chrome.error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        &page_data,
    )
}

/// The CSV's header line.
pub const CSV_HEADER: [&str; 17] = [
    "transaction_id",
    "time_taipei",
    "business_date",
    "user",
    "account",
    "terminal_id",
    "kind",
    "status",
    "amount",
    "currency",
    "brand",
    "card",
    "entry_mode",
    "auth_code",
    "invoice_no",
    "response_code",
    "batch_id",
];

/// One transaction as a CSV line.
pub fn csv_line(txn: &TxnRow, user: Option<&UserRow>) -> String {
    let amount = format!("{}.{:02}", txn.amount.minor / 100, txn.amount.minor % 100);
    csv::line(&[
        txn.id.clone(),
        taipei_time(txn.created_at),
        super::format::date(txn.business_date),
        user.map(|u| u.name.clone()).unwrap_or_default(),
        user.map(|u| u.username.clone()).unwrap_or_default(),
        txn.terminal_id.clone(),
        crate::store::stored_name(txn.kind),
        crate::store::stored_name(txn.status),
        amount,
        "TWD".into(),
        txn.brand.code().into(),
        txn.masked_pan.to_string(),
        crate::store::stored_name(txn.entry_mode),
        txn.auth_code.clone().unwrap_or_default(),
        txn.invoice_no.clone(),
        txn.response_code.clone(),
        txn.batch_id.clone().unwrap_or_default(),
    ])
}

/// `GET /portal/transactions.csv`: what the filter matches, newest first (audited).
pub async fn export(
    State(state): State<AppState>,
    client: ClientAddr,
    portal: PortalSession,
    Query(query): Query<FilterQuery>,
) -> Response {
    let session = &portal.0;
    let locale = session.locale;
    let t = locale.text();
    let filter = match query.to_filter(t) {
        Ok(filter) => filter,
        Err(problem) => return message(locale, StatusCode::BAD_REQUEST, problem),
    };
    let found = state
        .store
        .transactions()
        .filtered(&filter, 0, EXPORT_LIMIT)
        .await;
    let users = users_by_id(&state).await;
    let ((rows, total), users) = match (found, users) {
        (Ok(found), Ok(users)) => (found, users),
        (Err(e), _) | (_, Err(e)) => return super::users::failed(locale, &e.into()),
    };
    let detail = format!("{} rows; filter: {}", rows.len(), query.query_string());
    if let Err(e) = record(
        &state,
        &session_actor(&portal, &client),
        Action::TransactionsExported,
        "",
        &detail,
    )
    .await
    {
        return super::users::failed(locale, &e.into());
    }
    // A byte-order mark so spreadsheet programs read the names as UTF-8.
    let mut body = String::from("\u{feff}");
    body.push_str(&csv::line(&CSV_HEADER));
    for txn in &rows {
        body.push_str(&csv_line(txn, users.get(&txn.user_id)));
    }
    tracing::info!(
        event = "transactions_exported",
        rows = rows.len(),
        total,
        "CSV export"
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"transactions.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}

/// One fact of the detail: label and value.
pub type Fact = (&'static str, String);

/// A transaction's page.
#[derive(Template)]
#[template(path = "portal/transaction.html")]
pub struct TransactionPage {
    /// Layout.
    pub chrome: Chrome,
    /// The receipt's facts.
    pub facts: Vec<Fact>,
    /// The signature as SVG (made here from numbers), if signed.
    pub signature_svg: Option<String>,
    /// What to say when there is no signature.
    pub no_signature: &'static str,
    /// The hosted e-receipt.
    pub receipt_href: String,
    /// The original sale of a refund.
    pub original_href: Option<String>,
}

/// The receipt's facts in `locale`.
pub fn receipt_facts(
    locale: Locale,
    merchant: &str,
    txn: &TxnRow,
    user: Option<&UserRow>,
) -> Vec<Fact> {
    let t = locale.text();
    let mut facts = vec![
        (t.merchant, merchant.to_string()),
        (t.terminal, txn.terminal_id.clone()),
        (
            t.user,
            user.map_or_else(
                || txn.user_id.clone(),
                |u| format!("{} ({})", u.name, u.username),
            ),
        ),
        (t.kind, txn_kind(locale, txn.kind).to_string()),
        (t.status, txn_status(locale, txn.status).to_string()),
        (t.amount, txn.amount.to_string()),
        (t.brand, txn.brand.display_name().to_string()),
        (t.card, txn.masked_pan.to_string()),
        (t.entry, entry_mode(locale, txn.entry_mode).to_string()),
        (
            t.auth_code,
            txn.auth_code.clone().unwrap_or_else(|| "-".into()),
        ),
        (t.invoice_no, txn.invoice_no.clone()),
        (
            t.date_time,
            format!("{} (Asia/Taipei)", taipei_time(txn.created_at)),
        ),
        (t.business_date, super::format::date(txn.business_date)),
        (
            t.response,
            format!("{} {}", txn.response_code, txn.response_text),
        ),
        (
            t.batch,
            txn.batch_id
                .clone()
                .unwrap_or_else(|| t.unsettled.to_string()),
        ),
    ];
    if txn.refunded.minor > 0 {
        facts.push((t.refunded, txn.refunded.to_string()));
    }
    facts
}

/// `GET /portal/transactions/{id}` (audited: it shows a cardholder's signature).
pub async fn detail(
    State(state): State<AppState>,
    client: ClientAddr,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Response {
    let session = &portal.0;
    let locale = session.locale;
    let t = locale.text();
    let txn = match state.store.transactions().by_id(&id).await {
        Ok(Some(txn)) => txn,
        Ok(None) => return message(locale, StatusCode::NOT_FOUND, t.not_found),
        Err(e) => return super::users::failed(locale, &e.into()),
    };
    let actor = session_actor(&portal, &client);
    if let Err(e) = record(&state, &actor, Action::TransactionViewed, &txn.id, "").await {
        return super::users::failed(locale, &e.into());
    }
    let user = state.store.users().by_id(&txn.user_id).await.ok().flatten();
    let merchant = format!(
        "{} ({})",
        state.config.merchant.name, state.config.merchant.id
    );
    let required = signature_required(&state.config.brands, &txn);
    let page_data = TransactionPage {
        chrome: Chrome::signed_in(
            session,
            Section::Transactions,
            t.transaction_title,
            &format!("/portal/transactions/{id}"),
        ),
        facts: receipt_facts(locale, &merchant, &txn, user.as_ref()),
        signature_svg: txn
            .signature
            .as_ref()
            .map(|s| crate::receipts::signature_svg::render(s)),
        no_signature: if required {
            t.signature_missing
        } else {
            t.no_signature
        },
        receipt_href: state.receipt_url(&txn.receipt_token),
        original_href: txn
            .original_id
            .as_ref()
            .map(|o| format!("/portal/transactions/{o}")),
    };
    page(StatusCode::OK, &page_data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::text::EN;

    #[test]
    fn the_query_becomes_the_filter_and_back() {
        let query = FilterQuery {
            from: "2030-01-02".into(),
            to: "2030-01-02".into(),
            brand: "visa".into(),
            status: "approved".into(),
            settled: "unsettled".into(),
            last4: "0119".into(),
            ..FilterQuery::default()
        };
        let filter = query.to_filter(&EN).unwrap();
        assert_eq!(
            filter.from,
            Some(time::macros::datetime!(2030-01-01 16:00 UTC))
        );
        assert_eq!(
            filter.until,
            Some(time::macros::datetime!(2030-01-02 16:00 UTC))
        );
        assert_eq!(filter.brand.as_deref(), Some("visa"));
        assert_eq!(filter.status.as_deref(), Some("approved"));
        assert_eq!(filter.settled, Some(false));
        assert_eq!(
            query.query_string(),
            "from=2030-01-02&to=2030-01-02&brand=visa&status=approved&settled=unsettled&last4=0119"
        );
    }

    #[test]
    fn bad_dates_and_last4_say_what_to_fix_and_unknown_choices_are_ignored() {
        let bad_date = FilterQuery {
            from: "02/01/2030".into(),
            ..FilterQuery::default()
        };
        assert_eq!(bad_date.to_filter(&EN).unwrap_err(), EN.error_date);
        let bad_last4 = FilterQuery {
            last4: "12a4".into(),
            ..FilterQuery::default()
        };
        assert_eq!(bad_last4.to_filter(&EN).unwrap_err(), EN.error_last4);
        let unknown = FilterQuery {
            brand: "diners".into(),
            status: "'; DROP".into(),
            ..FilterQuery::default()
        };
        assert_eq!(unknown.to_filter(&EN).unwrap(), TxnFilter::default());
    }
}
