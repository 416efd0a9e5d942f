//! The 6-digit password is a product rule, so the hashes in a leaked
//! database must not be searchable offline: they are peppered with a key
//! kept outside the database. Hashes from before the pepper are replaced at
//! the user's next login.

mod common;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use common::*;
use reqwest::StatusCode;

fn stored_hash(gw_dir: &std::path::Path, username: &str) -> String {
    let db = rusqlite::Connection::open(gw_dir.join("gateway.db")).unwrap();
    db.query_row(
        "SELECT password_hash FROM users WHERE username = ?1",
        [username],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn a_leaked_database_alone_cannot_check_a_password_guess() {
    let gw = TestGateway::start_with(sqlite_test_config()).await;
    let user = gw.ready_user("rex").await;
    let hash = stored_hash(gw.dir.path(), "rex");
    let parsed = PasswordHash::new(&hash).unwrap();
    assert!(parsed.params.get_str("keyid").is_some(), "{hash}");
    // The attacker has the database and the right guess, but not the pepper.
    assert!(Argon2::default()
        .verify_password(user.password.as_bytes(), &parsed)
        .is_err());
    let pepper =
        std::fs::read_to_string(gw.dir.path().join("hsm").join(mpos_gateway::PEPPER_FILE)).unwrap();
    assert_eq!(
        pepper.trim().len(),
        64,
        "the pepper lives in its own key file"
    );
    let db = std::fs::read(gw.dir.path().join("gateway.db")).unwrap();
    assert!(
        !db.windows(16)
            .any(|w| w == &hex::decode(pepper.trim()).unwrap()[..16]),
        "and never in the database"
    );
}

#[tokio::test]
async fn a_hash_from_before_the_pepper_is_replaced_at_the_next_login() {
    let gw = TestGateway::start_with(sqlite_test_config()).await;
    let user = gw.ready_user("sia").await;
    let dir = gw.stop().await;
    let legacy = Argon2::default()
        .hash_password(
            user.password.as_bytes(),
            &SaltString::generate(&mut argon2::password_hash::rand_core::OsRng),
        )
        .unwrap()
        .to_string();
    rusqlite::Connection::open(dir.path().join("gateway.db"))
        .unwrap()
        .execute(
            "UPDATE users SET password_hash = ?1 WHERE username = 'sia'",
            [&legacy],
        )
        .unwrap();
    let gw = TestGateway::start_in(dir, sqlite_test_config()).await;
    let (status, body) = gw.login("sia", &user.password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now = stored_hash(gw.dir.path(), "sia");
    assert_ne!(now, legacy);
    assert!(now.contains("keyid="), "{now}");
    assert_eq!(gw.login("sia", &user.password).await.0, StatusCode::OK);
    assert_eq!(gw.login("sia", "000000").await.0, StatusCode::UNAUTHORIZED);
}
