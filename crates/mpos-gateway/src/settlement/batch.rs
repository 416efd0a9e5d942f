//! Totals of a set of captures, and batches as the API shows them.

use crate::clock::format_time;
use crate::settlement::business_date::format_date;
use crate::store::{BatchRow, CaptureGroup};
use mpos_wire::api::{BatchSummary, BrandTotal, SettlementTotals, TxnKind};
use mpos_wire::{Brand, Money};

/// Sums sales and refunds, overall and per brand (in `Brand::ALL` order).
pub fn totals(groups: &[CaptureGroup]) -> SettlementTotals {
    let mut per_brand: Vec<BrandTotal> = Vec::new();
    for brand in Brand::ALL {
        let mut total = BrandTotal {
            brand,
            sales_count: 0,
            sales_total: Money::twd_minor(0),
            refunds_count: 0,
            refunds_total: Money::twd_minor(0),
        };
        for group in groups.iter().filter(|g| g.brand == brand) {
            let count = u32::try_from(group.count).unwrap_or(u32::MAX);
            match group.kind {
                TxnKind::Sale => {
                    total.sales_count += count;
                    total.sales_total.minor += group.total.minor;
                }
                TxnKind::Refund => {
                    total.refunds_count += count;
                    total.refunds_total.minor += group.total.minor;
                }
            }
        }
        if total.sales_count + total.refunds_count > 0 {
            per_brand.push(total);
        }
    }
    let sum = |f: fn(&BrandTotal) -> (u32, u64)| {
        per_brand
            .iter()
            .map(f)
            .fold((0u32, 0u64), |a, b| (a.0 + b.0, a.1 + b.1))
    };
    let sales = sum(|t| (t.sales_count, t.sales_total.minor));
    let refunds = sum(|t| (t.refunds_count, t.refunds_total.minor));
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
        totals: totals(&batch.groups),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(kind: TxnKind, brand: Brand, count: u64, minor: u64) -> CaptureGroup {
        CaptureGroup {
            kind,
            brand,
            count,
            total: Money::twd_minor(minor),
        }
    }

    #[test]
    fn sums_per_brand_and_nets_refunds() {
        let groups = vec![
            group(TxnKind::Sale, Brand::Jcb, 1, 300),
            group(TxnKind::Sale, Brand::Visa, 2, 1500),
            group(TxnKind::Refund, Brand::Visa, 1, 200),
        ];
        let t = totals(&groups);
        assert_eq!(t.count, 4);
        assert_eq!(t.sales_count, 3);
        assert_eq!(t.sales_total.minor, 1800);
        assert_eq!(t.refunds_total.minor, 200);
        assert_eq!(t.net_total.minor, 1600);
        assert_eq!(t.per_brand.len(), 2);
        assert_eq!(t.per_brand[0].brand, Brand::Visa, "Brand::ALL order");
        assert_eq!(t.per_brand[0].sales_count, 2);
        assert_eq!(t.per_brand[1].sales_total.minor, 300);
    }

    #[test]
    fn refunds_above_sales_net_to_zero() {
        let t = totals(&[group(TxnKind::Refund, Brand::Visa, 1, 200)]);
        assert_eq!(t.net_total.minor, 0);
        assert_eq!(t.refunds_count, 1);
    }
}
