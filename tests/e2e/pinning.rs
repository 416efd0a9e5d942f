//! The phone talks only to the gateway whose key it pins, through the
//! trust root it ships with: anything else fails before a byte is sent.

use mpos_core::Screen;
use mpos_e2e::screens::message_code;
use mpos_e2e::world::roomy_limits;
use mpos_e2e::{Phone, PhoneOptions, World};
use mpos_wire::api::paths;

/// The pin with its first hex digit changed: a well-formed SHA-256 of another key.
fn other_pin(pin: &str) -> String {
    let first = if pin.starts_with('0') { '1' } else { '0' };
    format!("{first}{}", &pin[1..])
}

/// Five wrong passwords: had any of them reached the gateway, the account would lock.
async fn login_five_times(phone: &Phone, username: &str) -> Vec<Screen> {
    let mut screens = Vec::new();
    for _ in 0..5 {
        screens.push(phone.login(username, "135790").await);
    }
    screens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_key_other_than_the_pinned_one_or_another_trust_root_is_refused() {
    let world = World::start().await;
    let credentials = world.create_user(roomy_limits()).await;
    let genuine = PhoneOptions::pinned_to(&world.gateway);

    // The right trust root, another pinned key.
    let mispinned = world.phone_with(PhoneOptions {
        pinned_spki_sha256: other_pin(&genuine.pinned_spki_sha256),
        ..genuine.clone()
    });
    mispinned.plug_in().await;
    for screen in login_five_times(&mispinned, &credentials.username).await {
        assert!(matches!(screen, Screen::Login { .. }), "{screen:?}");
        assert_eq!(
            message_code(&screen),
            Some("secure_connection_failed"),
            "{screen:?}"
        );
    }
    let screen = mispinned
        .login(&credentials.username, &credentials.default_password)
        .await;
    assert!(
        matches!(screen, Screen::Login { .. }),
        "no session: {screen:?}"
    );
    assert_eq!(message_code(&screen), Some("secure_connection_failed"));

    // Another trust root (a look-alike certificate for the same address), the right pin.
    let impostor = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()])
        .expect("look-alike certificate");
    let untrusted = world.phone_with(PhoneOptions {
        trust_root_pem: impostor.cert.pem(),
        ..genuine.clone()
    });
    untrusted.plug_in().await;
    let untrusted_screens = login_five_times(&untrusted, &credentials.username).await;
    for screen in &untrusted_screens {
        assert!(matches!(screen, Screen::Login { .. }), "{screen:?}");
        assert!(
            message_code(screen).is_some(),
            "the login fails with a message"
        );
    }

    // Nothing reached the gateway: no request logged, no failure counted.
    assert_eq!(world.gateway.logged_requests_to(paths::LOGIN).await, 0);
    assert_eq!(world.user(&credentials.user.id).await.locked_until, None);
    let phone = world.phone();
    phone.plug_in().await;
    let screen = phone
        .login(&credentials.username, &credentials.default_password)
        .await;
    assert!(
        matches!(screen, Screen::Activation { .. }),
        "the genuine app still logs in: {screen:?}"
    );

    // A server the app does not trust is a security failure, not a network
    // one: "check the network" would be the wrong advice.
    for screen in &untrusted_screens {
        assert_eq!(
            message_code(screen),
            Some("secure_connection_failed"),
            "{screen:?}"
        );
    }
}
