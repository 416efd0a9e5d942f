//! Five wrong passwords lock the account for 30 minutes.

use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{parse_time, roomy_limits};
use mpos_e2e::{World, NEW_PASSWORD};
use time::{Duration, OffsetDateTime};

const WRONG_PASSWORD: &str = "135790";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_account_for_thirty_minutes() {
    let world = World::start().await;
    let (phone, credentials) = world.active_phone(roomy_limits()).await;
    assert_ne!(WRONG_PASSWORD, NEW_PASSWORD);
    assert!(matches!(
        phone.act(UserAction::Logout).await,
        Screen::Login { .. }
    ));

    for attempt in 1..=4 {
        let screen = phone.login(&credentials.username, WRONG_PASSWORD).await;
        assert!(
            matches!(screen, Screen::Login { .. }),
            "attempt {attempt}: {screen:?}"
        );
        assert_eq!(
            message_code(&screen),
            Some("invalid_credentials"),
            "attempt {attempt}"
        );
    }
    let before_fifth = OffsetDateTime::now_utc();
    let screen = phone.login(&credentials.username, WRONG_PASSWORD).await;
    assert!(matches!(screen, Screen::Login { .. }), "{screen:?}");
    let fifth = message_code(&screen);
    assert!(
        matches!(fifth, Some("invalid_credentials" | "account_locked")),
        "the fifth wrong password is refused, got {screen:?}"
    );

    // Locked: even the right password is refused, and the message says so.
    let screen = phone.login(&credentials.username, NEW_PASSWORD).await;
    assert!(matches!(screen, Screen::Login { .. }), "{screen:?}");
    assert_eq!(message_code(&screen), Some("account_locked"), "{screen:?}");

    // The portal shows the lock: 30 minutes from the fifth failure.
    let locked_until = world
        .user(&credentials.user.id)
        .await
        .locked_until
        .map(|text| parse_time(&text))
        .expect("the portal shows until when the account is locked");
    let lock = locked_until - before_fifth;
    assert!(
        lock > Duration::minutes(29) && lock <= Duration::minutes(31),
        "locked for {lock}"
    );

    // 29 minutes later the portal still shows the lock.
    world
        .gateway
        .set_clock(before_fifth + Duration::minutes(29))
        .await;
    assert!(world
        .user(&credentials.user.id)
        .await
        .locked_until
        .is_some());

    // 31 minutes later: the right password works again.
    world
        .gateway
        .set_clock(before_fifth + Duration::minutes(31))
        .await;
    let screen = phone.login(&credentials.username, NEW_PASSWORD).await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
    assert_eq!(world.user(&credentials.user.id).await.locked_until, None);
}
