//! Voids: an unsettled sale is voided; a settled one is refused and stays
//! approved in its batch.

use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::World;
use mpos_wire::api::{TransactionSearch, TxnStatus};
use mpos_wire::Brand;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsettled_sale_is_voided_and_a_settled_one_is_refused() {
    let world = World::start().await;
    let (phone, credentials) = world.active_phone(roomy_limits()).await;
    let jcb = phone
        .chip_sale(1_200, Brand::Jcb, CardId::JcbNoSignature)
        .await;
    let visa = phone
        .chip_sale(4_800, Brand::Visa, CardId::VisaChipApproved)
        .await;

    // Void the JCB sale, found by its authorization code.
    phone.open_transactions().await;
    let results = phone
        .search(TransactionSearch {
            auth_code: jcb.auth_code.clone(),
            ..TransactionSearch::default()
        })
        .await;
    assert_eq!(
        results.iter().map(|t| &t.id).collect::<Vec<_>>(),
        vec![&jcb.id]
    );
    let screen = phone
        .act(UserAction::OpenTransaction { id: jcb.id.clone() })
        .await;
    assert!(
        matches!(screen, Screen::TransactionDetail { can_void: true, .. }),
        "{screen:?}"
    );
    let screen = phone.act(UserAction::VoidNow).await;
    let Screen::VoidDone {
        transaction: voided,
    } = screen
    else {
        panic!("Void now voids the unsettled sale, got {screen:?}");
    };
    assert_eq!(voided.id, jcb.id);
    assert_eq!(voided.status, TxnStatus::Voided);
    let screen = phone.act(UserAction::BackToDetails).await;
    assert!(
        matches!(
            screen,
            Screen::TransactionDetail {
                can_void: false,
                ..
            }
        ),
        "a voided sale cannot be voided again: {screen:?}"
    );
    assert_eq!(world.transaction(&jcb.id).await.status, TxnStatus::Voided);

    // The cashier leaves the VISA sale's details open on this phone...
    phone.act(UserAction::Back).await;
    let results = phone
        .search(TransactionSearch {
            last4: Some("1111".into()),
            ..TransactionSearch::default()
        })
        .await;
    assert!(results.iter().any(|t| t.id == visa.id), "{results:?}");
    let screen = phone
        .act(UserAction::OpenTransaction {
            id: visa.id.clone(),
        })
        .await;
    assert!(
        matches!(screen, Screen::TransactionDetail { can_void: true, .. }),
        "{screen:?}"
    );

    // ...while the counter phone, same user, settles.
    let counter = world.second_phone(&credentials).await;
    counter.open_transactions().await;
    let preview = counter.settlement_preview().await;
    assert_eq!(
        preview.totals.count, 1,
        "the voided sale is not settled: {preview:?}"
    );
    assert_eq!(preview.totals.sales_total, dollars(4_800));
    let batch = counter.settle_now().await;

    // Void now on the stale details: the gateway refuses, a refund is needed.
    let screen = phone.act(UserAction::VoidNow).await;
    assert!(
        !matches!(screen, Screen::VoidDone { .. }),
        "a settled sale must not be voided: {screen:?}"
    );
    assert_eq!(message_code(&screen), Some("already_settled"), "{screen:?}");

    let at_gateway = world.transaction(&visa.id).await;
    assert_eq!(at_gateway.status, TxnStatus::Approved);
    assert_eq!(at_gateway.batch_id.as_deref(), Some(batch.id.as_str()));
    let batches = world.batches().await;
    let in_portal = batches
        .iter()
        .find(|b| b.id == batch.id)
        .expect("the portal lists the batch");
    assert_eq!(in_portal.totals.count, 1);
    assert_eq!(in_portal.totals.net_total, dollars(4_800));
    assert_eq!(world.transaction(&jcb.id).await.batch_id, None);
}
