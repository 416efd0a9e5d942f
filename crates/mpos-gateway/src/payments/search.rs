//! The phone's transaction query: one user's unsettled captures by exactly
//! one criterion (after the password was re-entered), and one transaction by
//! id (session only: the phone resumes a signature with it after a restart).

use crate::auth::session::{ReadySession, VerifiedSession};
use crate::error::{ApiPath, ApiQuery, AppError};
use crate::payments::summary::summarize;
use crate::state::AppState;
use crate::store::SearchCriterion;
use axum::extract::State;
use axum::Json;
use mpos_wire::api::{TransactionList, TransactionSearch, TransactionSummary};
use mpos_wire::ErrorCode;

fn digits(value: &str, len: usize) -> bool {
    value.len() == len && value.bytes().all(|b| b.is_ascii_digit())
}

/// Turns the query into exactly one checked criterion.
pub fn criterion(search: TransactionSearch) -> Result<SearchCriterion, AppError> {
    let bad = |m: &str| AppError::detail(ErrorCode::BadRequest, m.to_string());
    match (search.last4, search.auth_code, search.invoice_no) {
        (Some(v), None, None) if digits(&v, 4) => Ok(SearchCriterion::Last4(v)),
        (None, Some(v), None) if v.len() == 6 && v.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Ok(SearchCriterion::AuthCode(v))
        }
        (None, None, Some(v)) if digits(&v, 6) => Ok(SearchCriterion::InvoiceNo(v)),
        (Some(_), None, None) => Err(bad("last4 must be 4 digits")),
        (None, Some(_), None) => Err(bad("auth_code must be 6 characters")),
        (None, None, Some(_)) => Err(bad("invoice_no must be 6 digits")),
        _ => Err(bad("give exactly one of last4, auth_code, invoice_no")),
    }
}

/// `GET /v1/app/transactions`.
pub async fn search(
    State(state): State<AppState>,
    VerifiedSession(session): VerifiedSession,
    ApiQuery(query): ApiQuery<TransactionSearch>,
) -> Result<Json<TransactionList>, AppError> {
    let criterion = criterion(query)?;
    let rows = state
        .store
        .transactions()
        .search_unsettled(&session.user.id, &criterion)
        .await?;
    Ok(Json(TransactionList {
        transactions: rows.iter().map(|row| summarize(&state, row)).collect(),
    }))
}

/// `GET /v1/app/transactions/{id}`: the session user's own transactions only.
pub async fn get(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TransactionSummary>, AppError> {
    let row = state
        .store
        .transactions()
        .by_id(&id)
        .await?
        .filter(|row| row.user_id == session.user.id)
        .ok_or(ErrorCode::NotFound)?;
    Ok(Json(summarize(&state, &row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(
        last4: Option<&str>,
        auth: Option<&str>,
        invoice: Option<&str>,
    ) -> Result<SearchCriterion, AppError> {
        criterion(TransactionSearch {
            last4: last4.map(String::from),
            auth_code: auth.map(String::from),
            invoice_no: invoice.map(String::from),
        })
    }

    #[test]
    fn exactly_one_criterion() {
        assert!(matches!(
            search(Some("1111"), None, None),
            Ok(SearchCriterion::Last4(_))
        ));
        assert!(matches!(
            search(None, Some("123456"), None),
            Ok(SearchCriterion::AuthCode(_))
        ));
        assert!(matches!(
            search(None, None, Some("000001")),
            Ok(SearchCriterion::InvoiceNo(_))
        ));
        assert!(search(None, None, None).is_err());
        assert!(search(Some("1111"), Some("123456"), None).is_err());
        assert!(search(Some("11a1"), None, None).is_err());
        assert!(search(None, None, Some("1")).is_err());
    }
}
