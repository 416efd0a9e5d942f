//! No answer in time: the phone never shows approved or declined, reverses
//! until the gateway acknowledges, and the sale is never settled.

use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::{GatewayOptions, World};
use mpos_wire::api::TxnStatus;
use mpos_wire::Brand;
use std::time::{Duration, Instant};

const SLOW_ISSUER_MS: u64 = 4_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_sale_is_reversed_never_shown_as_approved_and_never_settled() {
    let world = World::start_with(GatewayOptions {
        slow_issuer_ms: SLOW_ISSUER_MS,
        ..GatewayOptions::default()
    })
    .await;
    let (phone, _) = world
        .active_phone_with(roomy_limits(), |options| mpos_e2e::PhoneOptions {
            request_timeout_ms: 1_500,
            ..options
        })
        .await;
    let earlier = phone
        .chip_sale(1_000, Brand::Visa, CardId::VisaChipApproved)
        .await;

    let told_the_card = phone.reader().last_online_result();
    phone.start_sale(2_000, Brand::Visa).await;
    let inserted = Instant::now();
    let screen = phone.insert(CardId::VisaSlowIssuer).await;
    phone.remove_card();
    assert!(
        matches!(screen, Screen::OutcomeUnknown { .. }),
        "no answer in 1.5 s: the outcome is unknown, got {screen:?}"
    );
    let screen = phone
        .wait_until("the reversal to be acknowledged", |screen| {
            matches!(
                screen,
                Screen::OutcomeUnknown {
                    reversal_acknowledged: true,
                    ..
                }
            )
        })
        .await;
    assert_eq!(message_code(&screen), Some("not_charged"), "{screen:?}");
    // The listener delivers screens in order but late, so the earlier sale's
    // receipt may land in the record after this sale's first screens: look
    // from the listener's own "Authorizing" (the last one recorded) on.
    let seen = phone.screens_seen();
    let this_sale = seen
        .iter()
        .rposition(|s| s.starts_with("Authorizing") && s.contains("minor: 200000"))
        .expect("the slow sale was authorizing");
    let shown = seen[this_sale..].to_vec();
    assert!(
        shown.iter().all(|s| !s.starts_with("Signature")
            && !s.starts_with("Receipt")
            && !s.starts_with("Declined")),
        "an unknown outcome is never shown as a result: {shown:#?}"
    );

    assert_eq!(
        phone.reader().last_online_result(),
        told_the_card,
        "the card is never told the sale was approved"
    );

    // The issuer approves after 4 s; the reversal must win at the gateway.
    let slow = world
        .final_state_of(
            dollars(2_000),
            inserted + Duration::from_millis(SLOW_ISSUER_MS + 500),
        )
        .await;
    assert_eq!(slow.status, TxnStatus::Reversed, "{slow:?}");
    assert_eq!(slow.batch_id, None);

    let screen = phone.act(UserAction::CancelPayment).await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
    phone.open_transactions().await;
    let preview = phone.settlement_preview().await;
    assert_eq!(
        preview.totals.count, 1,
        "only the earlier sale: {preview:?}"
    );
    assert_eq!(preview.totals.sales_total, dollars(1_000));
    let batch = phone.settle_now().await;
    assert_eq!(batch.totals.count, 1);
    assert_eq!(
        world.transaction(&earlier.id).await.batch_id.as_deref(),
        Some(batch.id.as_str())
    );
    let slow = world.transaction(&slow.id).await;
    assert_eq!(slow.status, TxnStatus::Reversed);
    assert_eq!(slow.batch_id, None, "a reversed sale is in no batch");
}
