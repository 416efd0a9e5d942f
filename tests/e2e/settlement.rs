//! Settlement: the manual batch holds exactly what the review showed, per
//! brand; the automatic run at 23:00 Asia/Taipei closes the business day,
//! and a capture after 23:00 belongs to the next day's batch.

use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::World;
use mpos_wire::api::{
    BatchSummary, BrandTotal, SettlementTrigger, TransactionSearch, TxnKind, TxnStatus,
};
use mpos_wire::Brand;
use std::time::{Duration, Instant};
use time::macros::{format_description, time};
use time::{Date, OffsetDateTime, UtcOffset};

/// Asia/Taipei is UTC+8 all year (no daylight saving since 1979): a fixed offset is exact.
const TAIPEI: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+08:00 is a valid offset"),
};

fn brand_total(brand: Brand, sales: &[u64], refunds: &[u64]) -> BrandTotal {
    BrandTotal {
        brand,
        sales_count: sales.len() as u32,
        sales_total: dollars(sales.iter().sum()),
        refunds_count: refunds.len() as u32,
        refunds_total: dollars(refunds.iter().sum()),
    }
}

/// Per-brand totals that have something in them, in a fixed order.
fn nonzero_sorted(per_brand: &[BrandTotal]) -> Vec<BrandTotal> {
    let mut totals: Vec<BrandTotal> = per_brand
        .iter()
        .filter(|t| t.sales_count + t.refunds_count > 0)
        .cloned()
        .collect();
    totals.sort_by_key(|t| t.brand);
    totals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_settlement_closes_exactly_what_the_review_showed() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;
    let visa_big = phone
        .chip_sale(4_800, Brand::Visa, CardId::VisaChipApproved)
        .await;
    let visa = phone
        .chip_sale(1_000, Brand::Visa, CardId::VisaChipApproved)
        .await;
    let mastercard = phone
        .chip_sale(800, Brand::Mastercard, CardId::MastercardChipApproved)
        .await;
    let jcb = phone
        .chip_sale(500, Brand::Jcb, CardId::JcbNoSignature)
        .await;
    let union_pay = phone
        .chip_sale(300, Brand::UnionPay, CardId::UnionPayApproved)
        .await;
    // A refund of NT$200 on the NT$1,000 VISA sale.
    phone
        .start_refund(
            200,
            Brand::Visa,
            visa.auth_code.as_deref().expect("approved"),
        )
        .await;
    let screen = phone.swipe(CardId::VisaChipApproved).await;
    let Screen::Receipt {
        transaction: refund,
        ..
    } = screen
    else {
        panic!("the refund is approved, got {screen:?}");
    };
    phone.finish_receipt().await;
    // A decline and a void: neither may be settled.
    phone.start_sale(700, Brand::Visa).await;
    let screen = phone.insert(CardId::VisaDeclined05).await;
    phone.remove_card();
    assert!(matches!(screen, Screen::Declined { .. }), "{screen:?}");
    phone.cancel_payment().await;
    let voided = phone
        .chip_sale(100, Brand::Jcb, CardId::JcbNoSignature)
        .await;
    phone.open_transactions().await;
    phone
        .search(TransactionSearch {
            auth_code: voided.auth_code.clone(),
            ..TransactionSearch::default()
        })
        .await;
    phone
        .act(UserAction::OpenTransaction {
            id: voided.id.clone(),
        })
        .await;
    let screen = phone.act(UserAction::VoidNow).await;
    assert!(matches!(screen, Screen::VoidDone { .. }), "{screen:?}");
    phone.act(UserAction::BackToDetails).await;
    phone.act(UserAction::Back).await;

    let preview = phone.settlement_preview().await;
    let totals = &preview.totals;
    assert_eq!(totals.count, 6, "5 sales and 1 refund: {totals:?}");
    assert_eq!(
        (totals.sales_count, totals.sales_total),
        (5, dollars(7_400))
    );
    assert_eq!(
        (totals.refunds_count, totals.refunds_total),
        (1, dollars(200))
    );
    assert_eq!(totals.net_total, dollars(7_200));
    assert_eq!(
        nonzero_sorted(&totals.per_brand),
        vec![
            brand_total(Brand::Visa, &[4_800, 1_000], &[200]),
            brand_total(Brand::Mastercard, &[800], &[]),
            brand_total(Brand::Jcb, &[500], &[]),
            brand_total(Brand::UnionPay, &[300], &[]),
        ]
    );

    let batch = phone.settle_now().await;
    assert_eq!(
        batch.totals, preview.totals,
        "the batch is what the review showed"
    );
    assert_eq!(batch.trigger, SettlementTrigger::Manual);
    let in_portal: Vec<BatchSummary> = world
        .batches()
        .await
        .into_iter()
        .filter(|b| b.id == batch.id)
        .collect();
    assert_eq!(in_portal.len(), 1);
    assert_eq!(in_portal[0].totals, batch.totals);

    let all = world.transactions().await;
    for captured in [&visa_big, &visa, &mastercard, &jcb, &union_pay, &refund] {
        let at_gateway = all.iter().find(|t| t.id == captured.id).expect("listed");
        assert_eq!(
            at_gateway.batch_id.as_deref(),
            Some(batch.id.as_str()),
            "{at_gateway:?}"
        );
    }
    for left_out in all
        .iter()
        .filter(|t| t.status == TxnStatus::Declined || t.status == TxnStatus::Voided)
    {
        assert_eq!(left_out.batch_id, None, "{left_out:?}");
    }
    assert_eq!(all.len(), 8);

    // Nothing is left to settle.
    phone.act(UserAction::Back).await;
    let preview = phone.settlement_preview().await;
    assert_eq!(preview.totals.count, 0);
    let screen = phone.act(UserAction::SettleNow).await;
    assert_eq!(
        message_code(&screen),
        Some("nothing_to_settle"),
        "{screen:?}"
    );
    assert_eq!(
        world
            .batches()
            .await
            .iter()
            .filter(|b| b.totals.count > 0)
            .count(),
        1
    );
}

/// Waits for the automatic batch of a business date.
async fn automatic_batch(world: &World, business_date: &str) -> BatchSummary {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(batch) =
            world.batches().await.into_iter().find(|b| {
                b.business_date == business_date && b.trigger == SettlementTrigger::Automatic
            })
        {
            return batch;
        }
        assert!(
            Instant::now() < deadline,
            "no automatic batch for {business_date}: {:?}",
            world.batches().await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn date_text(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        .expect("date format")
}

fn utc(date: Date, at: time::Time) -> OffsetDateTime {
    date.with_time(at).assume_utc()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_capture_after_23_00_taipei_settles_with_the_next_business_day() {
    let world = World::start().await;
    // The scheduler settles each business date once and, at start-up, closes
    // the last date whose 23:00 has passed on the real clock; a date two days
    // ahead is one whose 23:00 run is still to come.
    let day = OffsetDateTime::now_utc().to_offset(TAIPEI).date() + time::Duration::days(2);
    let next_day = day.next_day().expect("a next day");
    // 22:50 in Taipei is 14:50 UTC.
    world.gateway.set_clock(utc(day, time!(14:50))).await;
    let (phone, _) = world.active_phone(roomy_limits()).await;

    // 22:59 in Taipei: sale A belongs to `day`.
    world.gateway.set_clock(utc(day, time!(14:59))).await;
    let a = phone
        .chip_sale(1_000, Brand::Visa, CardId::VisaChipApproved)
        .await;
    assert_eq!(a.business_date, date_text(day));

    // 23:00:30 in Taipei: the day is closed; sale B belongs to the next one.
    world.gateway.set_clock(utc(day, time!(15:00:30))).await;
    let b = phone
        .chip_sale(700, Brand::Mastercard, CardId::MastercardChipApproved)
        .await;
    assert_eq!(b.business_date, date_text(next_day));

    let first = automatic_batch(&world, &date_text(day)).await;
    assert_eq!(first.totals.count, 1, "{first:?}");
    assert_eq!(first.totals.sales_total, dollars(1_000));
    assert_eq!(
        world.transaction(&a.id).await.batch_id.as_deref(),
        Some(first.id.as_str())
    );
    assert_eq!(
        world.transaction(&b.id).await.batch_id,
        None,
        "B waits for its day"
    );

    // The next day's 23:00 settles B.
    world
        .gateway
        .set_clock(utc(next_day, time!(15:00:30)))
        .await;
    let second = automatic_batch(&world, &date_text(next_day)).await;
    assert_eq!(second.totals.count, 1, "{second:?}");
    assert_eq!(second.totals.sales_total, dollars(700));
    assert_eq!(
        world.transaction(&b.id).await.batch_id.as_deref(),
        Some(second.id.as_str())
    );

    // Every capture is in exactly one batch.
    let all = world.transactions().await;
    let captures: Vec<_> = all
        .iter()
        .filter(|t| t.status == TxnStatus::Approved && t.kind == TxnKind::Sale)
        .collect();
    assert_eq!(captures.len(), 2);
    assert!(captures.iter().all(|t| t.batch_id.is_some()), "{all:?}");
    let batches = world.batches().await;
    let batched: u32 = batches.iter().map(|b| b.totals.count).sum();
    assert_eq!(batched, 2, "no capture counted twice: {batches:?}");
    let settled: u64 = batches.iter().map(|b| b.totals.sales_total.minor).sum();
    assert_eq!(settled, dollars(1_700).minor);
}
