//! Transaction query: the password again first, then a search by card last
//! 4 digits, authorization code or invoice number, unsettled only.

use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::roomy_limits;
use mpos_e2e::{World, NEW_PASSWORD};
use mpos_wire::api::{TransactionSearch, TransactionSummary};
use mpos_wire::Brand;

fn ids(transactions: &[TransactionSummary]) -> Vec<&str> {
    transactions.iter().map(|t| t.id.as_str()).collect()
}

fn by_last4(last4: &str) -> TransactionSearch {
    TransactionSearch {
        last4: Some(last4.into()),
        ..TransactionSearch::default()
    }
}

fn by_auth_code(code: &str) -> TransactionSearch {
    TransactionSearch {
        auth_code: Some(code.into()),
        ..TransactionSearch::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_query_asks_the_password_again_and_finds_unsettled_transactions_only() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;
    let visa = phone
        .chip_sale(1_000, Brand::Visa, CardId::VisaChipApproved)
        .await;
    let mastercard = phone
        .chip_sale(800, Brand::Mastercard, CardId::MastercardChipApproved)
        .await;
    let jcb = phone
        .chip_sale(500, Brand::Jcb, CardId::JcbNoSignature)
        .await;

    // The password is asked again, and a wrong one does not open the details.
    let screen = phone.act(UserAction::OpenTransactions).await;
    assert!(
        matches!(screen, Screen::QueryPassword { message: None }),
        "{screen:?}"
    );
    let screen = phone
        .act(UserAction::EnterQueryPassword {
            password: "999999".into(),
        })
        .await;
    assert!(matches!(screen, Screen::QueryPassword { .. }), "{screen:?}");
    assert_eq!(
        message_code(&screen),
        Some("invalid_credentials"),
        "{screen:?}"
    );
    let screen = phone
        .act(UserAction::EnterQueryPassword {
            password: NEW_PASSWORD.into(),
        })
        .await;
    assert!(
        matches!(screen, Screen::TransactionSearch { .. }),
        "{screen:?}"
    );

    assert_eq!(
        ids(&phone.search(by_last4("1111")).await),
        vec![visa.id.as_str()]
    );
    assert_eq!(
        ids(&phone.search(by_last4("4444")).await),
        vec![mastercard.id.as_str()]
    );
    let code = mastercard.auth_code.clone().expect("approved");
    assert_eq!(
        ids(&phone.search(by_auth_code(&code)).await),
        vec![mastercard.id.as_str()]
    );
    let results = phone
        .search(TransactionSearch {
            invoice_no: Some(jcb.invoice_no.clone()),
            ..TransactionSearch::default()
        })
        .await;
    assert_eq!(ids(&results), vec![jcb.id.as_str()]);
    let screen = phone
        .act(UserAction::Search {
            criteria: by_last4("9999"),
        })
        .await;
    assert!(
        matches!(&screen, Screen::TransactionSearch { results, .. } if results.is_empty()),
        "{screen:?}"
    );
    assert_eq!(message_code(&screen), Some("no_results"));

    // Settle, then sell again on the same card: only the new sale is listed.
    phone.settlement_preview().await;
    phone.settle_now().await;
    phone.act(UserAction::Back).await;
    let screen = phone.act(UserAction::Back).await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
    let later = phone
        .chip_sale(700, Brand::Visa, CardId::VisaChipApproved)
        .await;
    phone.open_transactions().await;
    assert_eq!(
        ids(&phone.search(by_last4("1111")).await),
        vec![later.id.as_str()]
    );
    let visa_code = visa.auth_code.clone().expect("approved");
    assert!(phone.search(by_auth_code(&visa_code)).await.is_empty());

    // The portal still has every transaction, the settled ones in their batch.
    let all = world.transactions().await;
    assert_eq!(all.len(), 4);
    for settled in [&visa, &mastercard, &jcb] {
        let at_gateway = all.iter().find(|t| t.id == settled.id).expect("listed");
        assert!(at_gateway.batch_id.is_some(), "{at_gateway:?}");
    }
    assert!(all
        .iter()
        .find(|t| t.id == later.id)
        .expect("listed")
        .batch_id
        .is_none());
}
