//! The SMS activation code: it expires after 15 minutes and works once.

use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{parse_time, roomy_limits};
use mpos_e2e::{World, NEW_PASSWORD};
use mpos_wire::api::UserStatus;
use time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_activation_code_is_refused_and_a_used_one_cannot_be_used_again() {
    let world = World::start().await;

    // Expired: 16 minutes after the account was created.
    // (The user logs in late: a session left 16 minutes on the activation
    // screen would have ended on the idle timeout first.)
    let late = world.create_user(roomy_limits()).await;
    let created = parse_time(&late.user.created_at);
    world
        .gateway
        .set_clock(created + Duration::minutes(16))
        .await;
    let phone = world.phone();
    phone.plug_in().await;
    let screen = phone.login(&late.username, &late.default_password).await;
    assert!(matches!(screen, Screen::Activation { .. }), "{screen:?}");
    let screen = phone
        .act(UserAction::SubmitActivationCode {
            code: late.activation_code.clone(),
        })
        .await;
    assert_eq!(
        message_code(&screen),
        Some("activation_code_expired"),
        "{screen:?}"
    );
    assert!(
        matches!(screen, Screen::Login { .. } | Screen::Activation { .. }),
        "an expired code does not lead on: {screen:?}"
    );
    assert_eq!(
        world.user(&late.user.id).await.status,
        UserStatus::PendingActivation
    );

    // Used once: a second session of the same user cannot use it again.
    let credentials = world.create_user(roomy_limits()).await;
    let first = world.phone();
    let second = world.phone();
    for phone in [&first, &second] {
        phone.plug_in().await;
        let screen = phone
            .login(&credentials.username, &credentials.default_password)
            .await;
        assert!(matches!(screen, Screen::Activation { .. }), "{screen:?}");
    }
    let code = UserAction::SubmitActivationCode {
        code: credentials.activation_code.clone(),
    };
    let screen = first.act(code.clone()).await;
    assert!(
        matches!(screen, Screen::NewPassword { message: None }),
        "{screen:?}"
    );
    let screen = second.act(code).await;
    assert!(
        !matches!(screen, Screen::NewPassword { .. } | Screen::Home { .. }),
        "a used activation code must not activate again: {screen:?}"
    );
    assert_eq!(
        message_code(&screen),
        Some("activation_code_invalid"),
        "{screen:?}"
    );
    let screen = first
        .act(UserAction::SetNewPassword {
            password: NEW_PASSWORD.into(),
            confirmation: NEW_PASSWORD.into(),
        })
        .await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
    assert_eq!(
        world.user(&credentials.user.id).await.status,
        UserStatus::Active
    );
}
