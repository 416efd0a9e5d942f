//! Totals of a set of captures, and batches as the API shows them.

use crate::clock::format_time;
use crate::settlement::business_date::format_date;
use crate::store::{BatchRow, TxnRow};
use mpos_wire::api::{BatchSummary, BrandTotal, SettlementTotals, TxnKind};
use mpos_wire::{Brand, Money};

/// Sums approved sales and refunds, overall and per brand (in `Brand::ALL` order).
pub fn totals(captures: &[TxnRow]) -> SettlementTotals {
    let mut per_brand: Vec<BrandTotal> = Vec::new();
    let mut sales = (0u32, 0u64);
    let mut refunds = (0u32, 0u64);
    for brand in Brand::ALL {
        let mut total = BrandTotal {
            brand,
            sales_count: 0,
            sales_total: Money::twd_minor(0),
            refunds_count: 0,
            refunds_total: Money::twd_minor(0),
        };
        for capture in captures
            .iter()
            .filter(|c| c.brand == brand && c.is_capture())
        {
            match capture.kind {
                TxnKind::Sale => {
                    total.sales_count += 1;
                    total.sales_total.minor += capture.amount.minor;
                }
                TxnKind::Refund => {
                    total.refunds_count += 1;
                    total.refunds_total.minor += capture.amount.minor;
                }
            }
        }
        sales = (
            sales.0 + total.sales_count,
            sales.1 + total.sales_total.minor,
        );
        refunds = (
            refunds.0 + total.refunds_count,
            refunds.1 + total.refunds_total.minor,
        );
        if total.sales_count + total.refunds_count > 0 {
            per_brand.push(total);
        }
    }
    SettlementTotals {
        count: sales.0 + refunds.0,
        net_total: Money::twd_minor(sales.1.saturating_sub(refunds.1)),
        sales_count: sales.0,
        sales_total: Money::twd_minor(sales.1),
        refunds_count: refunds.0,
        refunds_total: Money::twd_minor(refunds.1),
        per_brand,
    }
}

/// The wire form of a batch.
pub fn batch_summary(batch: &BatchRow) -> BatchSummary {
    BatchSummary {
        id: batch.id.clone(),
        business_date: format_date(batch.business_date),
        closed_at: format_time(batch.closed_at),
        trigger: batch.trigger,
        totals: totals(&batch.captures),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_wire::api::TxnStatus;
    use mpos_wire::{EntryMode, MaskedPan};
    use time::macros::{date, datetime};

    fn capture(kind: TxnKind, brand: Brand, minor: u64, status: TxnStatus) -> TxnRow {
        TxnRow {
            id: "t".into(),
            user_id: "u".into(),
            merchant_id: "m".into(),
            terminal_id: "T1".into(),
            kind,
            status,
            amount: Money::twd_minor(minor),
            brand,
            masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
            card_token: "x".into(),
            entry_mode: EntryMode::Chip,
            auth_code: None,
            invoice_no: "000001".into(),
            response_code: "00".into(),
            response_text: "Approved".into(),
            created_at: datetime!(2030-01-01 00:00 UTC),
            approved_at: None,
            business_date: date!(2030 - 01 - 01),
            batch_id: None,
            original_id: None,
            idempotency_key: "k".into(),
            reversal_requested: false,
            receipt_token: "r".into(),
            signature: None,
            refunded: Money::twd_minor(0),
        }
    }

    #[test]
    fn sums_per_brand_and_nets_refunds() {
        let rows = vec![
            capture(TxnKind::Sale, Brand::Visa, 1000, TxnStatus::Approved),
            capture(TxnKind::Sale, Brand::Visa, 500, TxnStatus::Approved),
            capture(TxnKind::Refund, Brand::Visa, 200, TxnStatus::Approved),
            capture(TxnKind::Sale, Brand::Jcb, 300, TxnStatus::Approved),
            capture(TxnKind::Sale, Brand::Jcb, 999, TxnStatus::Voided),
        ];
        let t = totals(&rows);
        assert_eq!(t.count, 4);
        assert_eq!(t.sales_total.minor, 1800);
        assert_eq!(t.refunds_total.minor, 200);
        assert_eq!(t.net_total.minor, 1600);
        assert_eq!(t.per_brand.len(), 2);
        assert_eq!(t.per_brand[0].brand, Brand::Visa);
        assert_eq!(t.per_brand[0].sales_count, 2);
        assert_eq!(t.per_brand[1].sales_total.minor, 300);
    }

    #[test]
    fn refunds_above_sales_net_to_zero() {
        let t = totals(&[capture(
            TxnKind::Refund,
            Brand::Visa,
            200,
            TxnStatus::Approved,
        )]);
        assert_eq!(t.net_total.minor, 0);
    }
}
