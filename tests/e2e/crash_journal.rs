//! The crash-safe journal: an app killed mid-authorization reverses the
//! sale when it starts again; an app killed on the signature pad returns
//! to that signature after login.

use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::{GatewayOptions, Phone, World, NEW_PASSWORD};
use mpos_wire::api::TxnStatus;
use mpos_wire::Brand;
use std::time::{Duration, Instant};

const SLOW_ISSUER_MS: u64 = 4_000;

/// After a restart: waits until the owed work is `done`, logging in when
/// the app asks for it with the `owed` message.
async fn finish_owed_work(
    phone: &Phone,
    username: &str,
    owed: &str,
    done: impl Fn(&Screen) -> bool,
) -> Screen {
    let screen = phone
        .wait_until("the restarted app to finish or ask for a login", |screen| {
            matches!(
                screen,
                Screen::Login {
                    message: Some(_),
                    ..
                }
            ) || done(screen)
        })
        .await;
    if !matches!(screen, Screen::Login { .. }) {
        return screen;
    }
    assert_eq!(message_code(&screen), Some(owed), "{screen:?}");
    phone.login(username, NEW_PASSWORD).await;
    phone.wait_until("the owed work after login", done).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_killed_during_the_authorization_reverses_it_after_restart() {
    let world = World::start_with(GatewayOptions {
        slow_issuer_ms: SLOW_ISSUER_MS,
        ..GatewayOptions::default()
    })
    .await;
    let (mut phone, credentials) = world.active_phone(roomy_limits()).await;

    phone.start_sale(2_000, Brand::Visa).await;
    let inserted = Instant::now();
    phone.reader().insert(CardId::VisaSlowIssuer);
    phone
        .wait_until("the authorization to be sent", |screen| {
            matches!(screen, Screen::Authorizing { .. })
        })
        .await;
    // The request is on its way to the slow issuer: kill the app.
    tokio::time::sleep(Duration::from_millis(500)).await;
    phone.restart().await;
    phone.remove_card();

    let screen = finish_owed_work(&phone, &credentials.username, "reversal_needs_login", |s| {
        matches!(
            s,
            Screen::OutcomeUnknown {
                reversal_acknowledged: true,
                ..
            }
        )
    })
    .await;
    let shown = phone.screens_seen().join("\n");
    assert!(
        !shown.contains("Signature {") && !shown.contains("Receipt {"),
        "the interrupted sale is never shown as approved"
    );
    assert_eq!(message_code(&screen), Some("not_charged"), "{screen:?}");

    let sale = world
        .final_state_of(
            dollars(2_000),
            inserted + Duration::from_millis(SLOW_ISSUER_MS + 500),
        )
        .await;
    assert_eq!(sale.status, TxnStatus::Reversed, "{sale:?}");

    // The cashier carries on with the same phone and reader.
    let mut screen = phone.act(UserAction::CancelPayment).await;
    if matches!(screen, Screen::Login { .. }) {
        screen = phone.login(&credentials.username, NEW_PASSWORD).await;
    }
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
    let next = phone
        .chip_sale(500, Brand::Jcb, CardId::JcbNoSignature)
        .await;
    assert_eq!(
        world.transaction(&next.id).await.status,
        TxnStatus::Approved
    );

    // Nothing is owed any more: another restart goes straight to the login.
    phone.restart().await;
    let screen = phone.screen();
    assert!(
        matches!(screen, Screen::Login { message: None, .. }),
        "{screen:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(matches!(
        phone.screen(),
        Screen::Login { message: None, .. }
    ));
    assert_eq!(
        world.transaction(&sale.id).await.status,
        TxnStatus::Reversed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_killed_on_the_signature_pad_returns_to_that_signature_after_login() {
    let world = World::start().await;
    let (mut phone, credentials) = world.active_phone(roomy_limits()).await;

    phone.start_sale(4_800, Brand::Visa).await;
    let screen = phone.insert(CardId::VisaChipApproved).await;
    phone.remove_card();
    let Screen::Signature { transaction, .. } = screen else {
        panic!("NT$4,800 on VISA is signed, got {screen:?}");
    };
    phone
        .act(UserAction::AddSignatureStroke {
            points: mpos_e2e::screens::signature_strokes().remove(0),
        })
        .await;

    phone.restart().await;
    let screen = finish_owed_work(
        &phone,
        &credentials.username,
        "signature_needs_login",
        |s| matches!(s, Screen::Signature { .. }),
    )
    .await;
    let Screen::Signature {
        transaction: resumed,
        strokes,
        ..
    } = screen
    else {
        unreachable!()
    };
    assert_eq!(resumed.id, transaction.id, "the same sale, not a new one");
    assert!(strokes.is_empty(), "the cardholder signs again");
    let screen = phone.sign().await;
    let Screen::Receipt {
        transaction: signed,
        ..
    } = screen
    else {
        unreachable!()
    };
    assert!(signed.signed);
    phone.finish_receipt().await;

    let all = world.transactions().await;
    assert_eq!(all.len(), 1, "one sale, charged once: {all:?}");
    assert_eq!(all[0].id, transaction.id);
    assert_eq!(all[0].status, TxnStatus::Approved);
    assert!(all[0].signed);
}
