//! A stored transaction as the API shows it.

use crate::clock::format_time;
use crate::settlement::business_date::format_date;
use crate::state::AppState;
use crate::store::TxnRow;
use mpos_wire::api::TransactionSummary;

/// The wire form of a transaction.
pub fn summarize(state: &AppState, row: &TxnRow) -> TransactionSummary {
    TransactionSummary {
        id: row.id.clone(),
        kind: row.kind,
        status: row.status,
        amount: row.amount,
        brand: row.brand,
        masked_pan: row.masked_pan.clone(),
        entry_mode: row.entry_mode,
        auth_code: row.auth_code.clone(),
        invoice_no: row.invoice_no.clone(),
        response_code: row.response_code.clone(),
        response_text: row.response_text.clone(),
        created_at: format_time(row.created_at),
        business_date: format_date(row.business_date),
        batch_id: row.batch_id.clone(),
        refunded: row.refunded,
        original_transaction_id: row.original_id.clone(),
        signed: row.signature.is_some(),
        receipt_url: state.receipt_url(&row.receipt_token),
    }
}
