//! Issuer declines: the response code on screen, nothing charged, and a
//! declined amount never counts against the user's daily limit.

use mpos_cards::{CardId, TestCard};
use mpos_core::Screen;
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{dollars, limits};
use mpos_e2e::World;
use mpos_wire::api::TxnStatus;
use mpos_wire::Brand;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declines_show_the_issuer_code_and_do_not_count_against_limits() {
    let world = World::start().await;
    // NT$1,500 a day: the five declined NT$1,000 sales alone would exceed it.
    let (phone, _) = world.active_phone(limits(5_000, 1_500)).await;

    let declines = [
        (CardId::VisaDeclined05, "05"),
        (CardId::VisaDeclined51, "51"),
        (CardId::VisaExpired, "54"),
        (CardId::VisaLost, "41"),
        (CardId::VisaStolen, "43"),
    ];
    let mut declined_ids = Vec::new();
    for (card, code) in declines {
        phone.start_sale(1_000, Brand::Visa).await;
        let screen = phone.insert(card).await;
        phone.remove_card();
        let Screen::Declined {
            response_code,
            masked_pan,
            amount,
            ..
        } = &screen
        else {
            panic!("{card:?} must be declined, got {screen:?}");
        };
        assert_eq!(response_code, code, "{card:?}");
        assert_eq!(*amount, dollars(1_000));
        let pan = TestCard::get(card).pan;
        assert_eq!(masked_pan.as_str(), mpos_wire::mask_pan(pan).unwrap());
        assert_eq!(message_code(&screen), Some("declined"), "{screen:?}");
        phone.cancel_payment().await;

        let at_gateway = world.transactions().await;
        let newest = at_gateway
            .iter()
            .find(|t| !declined_ids.contains(&t.id))
            .unwrap_or_else(|| panic!("the portal lists the {card:?} decline"));
        assert_eq!(newest.status, TxnStatus::Declined, "{card:?}");
        assert_eq!(newest.response_code, code);
        assert_eq!(
            newest.auth_code, None,
            "a decline has no authorization code"
        );
        declined_ids.push(newest.id.clone());
    }

    // NT$1,000 still fits the day: the declines did not count.
    let approved = phone
        .chip_sale(1_000, Brand::Visa, CardId::VisaChipApproved)
        .await;
    assert_eq!(approved.status, TxnStatus::Approved);

    // And the limit is real: NT$600 more would take the day to NT$1,600.
    phone.start_sale(600, Brand::Visa).await;
    let screen = phone.insert(CardId::VisaChipApproved).await;
    phone.remove_card();
    assert_eq!(
        message_code(&screen),
        Some("limit_per_day_exceeded"),
        "{screen:?}"
    );

    let all = world.transactions().await;
    let charged: Vec<_> = all
        .iter()
        .filter(|t| t.status == TxnStatus::Approved)
        .collect();
    assert_eq!(
        charged.len(),
        1,
        "only the one approval is charged: {all:?}"
    );
    assert_eq!(charged[0].id, approved.id);
    assert_eq!(
        all.iter()
            .filter(|t| t.status == TxnStatus::Declined)
            .count(),
        declines.len()
    );
}
