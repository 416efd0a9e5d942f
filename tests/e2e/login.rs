//! First login (default password, SMS activation code, 6-digit password),
//! later logins, and the reader that must be plugged in to log in.

use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::roomy_limits;
use mpos_e2e::{World, NEW_PASSWORD};
use mpos_wire::api::{paths, UserStatus};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_login_needs_the_reader_the_sms_code_and_a_six_digit_password() {
    let world = World::start().await;
    let credentials = world.create_user(roomy_limits()).await;
    assert_eq!(credentials.user.status, UserStatus::PendingActivation);
    assert_eq!(credentials.activation_code.len(), 6);
    let notice = world
        .wait_for_mail_to(&credentials.user.email, |_| true)
        .await;
    let subject = notice.subject().unwrap_or_default();
    assert!(
        subject.contains("mPOS mobile user account activation notice"),
        "{subject}"
    );
    let phone = world.phone();

    // No reader in the jack: refused on the phone, nothing sent.
    let screen = phone
        .login(&credentials.username, &credentials.default_password)
        .await;
    assert!(
        matches!(
            screen,
            Screen::Login {
                reader_connected: false,
                ..
            }
        ),
        "{screen:?}"
    );
    assert_eq!(message_code(&screen), Some("reader_not_connected"));
    assert_eq!(world.gateway.logged_requests_to(paths::LOGIN).await, 0);

    phone.plug_in().await;
    let screen = phone
        .login(&credentials.username, &credentials.default_password)
        .await;
    assert!(
        matches!(screen, Screen::Activation { message: None }),
        "{screen:?}"
    );
    assert_eq!(world.gateway.logged_requests_to(paths::LOGIN).await, 1);

    // A wrong code is refused and the user stays on the activation screen.
    let wrong = if credentials.activation_code == "000000" {
        "111111"
    } else {
        "000000"
    };
    let screen = phone
        .act(UserAction::SubmitActivationCode { code: wrong.into() })
        .await;
    assert!(matches!(screen, Screen::Activation { .. }), "{screen:?}");
    assert_eq!(message_code(&screen), Some("activation_code_invalid"));

    let screen = phone
        .act(UserAction::SubmitActivationCode {
            code: credentials.activation_code.clone(),
        })
        .await;
    assert!(
        matches!(screen, Screen::NewPassword { message: None }),
        "{screen:?}"
    );

    // The new password is exactly 6 digits, typed twice alike.
    for (password, confirmation, code) in [
        ("24681", "24681", "password_not_six_digits"),
        ("2468101", "2468101", "password_not_six_digits"),
        ("abcdef", "abcdef", "password_not_six_digits"),
        (NEW_PASSWORD, "246811", "password_mismatch"),
    ] {
        let screen = phone
            .act(UserAction::SetNewPassword {
                password: password.into(),
                confirmation: confirmation.into(),
            })
            .await;
        assert!(
            matches!(screen, Screen::NewPassword { .. }),
            "{password}: {screen:?}"
        );
        assert_eq!(
            message_code(&screen),
            Some(code),
            "{password}/{confirmation}"
        );
    }
    let screen = phone
        .act(UserAction::SetNewPassword {
            password: NEW_PASSWORD.into(),
            confirmation: NEW_PASSWORD.into(),
        })
        .await;
    let Screen::Home {
        display_name,
        merchant_name,
        reader_connected: true,
        ..
    } = screen
    else {
        panic!("a 6-digit password completes the first login, got {screen:?}");
    };
    assert_eq!(display_name, credentials.user.name);
    assert_eq!(merchant_name, "mpos 測試商店 Test Shop");
    assert_eq!(
        world.user(&credentials.user.id).await.status,
        UserStatus::Active
    );

    // Later logins: user name and the 6-digit password; the default one is gone.
    assert!(matches!(
        phone.act(UserAction::Logout).await,
        Screen::Login { .. }
    ));
    let screen = phone
        .login(&credentials.username, &credentials.default_password)
        .await;
    assert!(matches!(screen, Screen::Login { .. }), "{screen:?}");
    assert_eq!(message_code(&screen), Some("invalid_credentials"));
    let screen = phone.login(&credentials.username, NEW_PASSWORD).await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");

    // A freshly installed app: no activation again, straight home.
    let other = world.phone();
    other.plug_in().await;
    let screen = other.login(&credentials.username, NEW_PASSWORD).await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");

    // Reader pulled out: the next login is refused before anything is sent.
    phone.unplug().await;
    assert!(matches!(
        phone.act(UserAction::Logout).await,
        Screen::Login { .. }
    ));
    let sent = world.gateway.logged_requests_to(paths::LOGIN).await;
    let screen = phone.login(&credentials.username, NEW_PASSWORD).await;
    assert!(
        matches!(
            screen,
            Screen::Login {
                reader_connected: false,
                ..
            }
        ),
        "{screen:?}"
    );
    assert_eq!(message_code(&screen), Some("reader_not_connected"));
    assert_eq!(world.gateway.logged_requests_to(paths::LOGIN).await, sent);
}
