//! What a run needs before its clock starts: the gateway configuration, and
//! users with sessions already past login, activation and the new password
//! (written through the gateway's own store, so argon2 and the activation
//! e-mails stay out of the figures).

use mpos_gateway::config::{BdkConfig, BdkScheme, HsmConfig, IssuerMasterKeyConfig, Mode};
use mpos_gateway::store::{NewCredentials, NewUser, SessionRow, Store};
use mpos_gateway::GatewayConfig;
use mpos_sim::{TEST_BDK, TEST_BDK_ID, TEST_ISSUER_MASTER_KEY};
use mpos_wire::api::{Limits, SessionStage};
use mpos_wire::{Brand, Money};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// A user ready to sell: its session token.
pub struct SellingUser {
    /// Bearer token of a ready session.
    pub token: String,
}

/// The configuration every instance of a run shares: the published test
/// keys (development mode), one card-token key and pepper, and the database.
pub fn config(database_url: Option<String>) -> GatewayConfig {
    let mut config = GatewayConfig::new(HsmConfig {
        bdks: vec![BdkConfig {
            id_hex: hex::encode_upper(TEST_BDK_ID),
            bdk_hex: hex::encode_upper(TEST_BDK),
            scheme: BdkScheme::Aes128,
        }],
        issuer_master_keys: vec![IssuerMasterKeyConfig {
            brand: Some(Brand::Visa),
            bin_prefix: None,
            imk_hex: hex::encode_upper(TEST_ISSUER_MASTER_KEY),
        }],
        token_key_hex: Some(hex::encode(rand::random::<[u8; 32]>())),
        zone_pin_key_hex: None,
    });
    config.mode = Mode::Development;
    config.security.password_pepper_hex = Some(hex::encode(rand::random::<[u8; 32]>()));
    config.database.url = database_url;
    // As many connections as readers, so no sale waits for the pool.
    config.database.max_connections = 64;
    // Every virtual reader connects from 127.0.0.1, as phones behind one
    // shop router would.
    config.network.max_connections = 4_096;
    config.network.max_connections_per_address = 4_096;
    config
}

/// [`config`] as the JSON file the instances read (the keys, which the
/// configuration never writes out, put back in).
pub fn config_json(database_url: Option<String>) -> serde_json::Value {
    let config = config(database_url);
    let mut json = serde_json::to_value(&config).expect("config JSON");
    json["hsm"]["token_key_hex"] = config.hsm.token_key_hex.clone().into();
    json["security"]["password_pepper_hex"] = config.security.password_pepper_hex.clone().into();
    json
}

/// Creates `count` users with limits no run reaches, each with a ready session.
pub async fn selling_users(store: &Store, count: usize) -> Vec<SellingUser> {
    selling_users_at(store, count, OffsetDateTime::now_utc()).await
}

/// [`selling_users`] whose sessions open at `now` (the gateway's clock) with
/// the password re-entered, so they may also refund and settle.
pub async fn selling_users_at(
    store: &Store,
    count: usize,
    now: OffsetDateTime,
) -> Vec<SellingUser> {
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        let created = store
            .users()
            .create(&NewUser {
                username: format!("load{i:05}"),
                name: format!("Load {i}"),
                phone: format!("09{i:08}"),
                email: format!("load{i}@example.com"),
                limits: Limits {
                    per_transaction: Money::twd_minor(100_000_000),
                    per_day: Money::twd_minor(1_000_000_000_000),
                    refund_per_transaction: None,
                },
                credentials: NewCredentials {
                    password_hash: "unused".into(),
                    activation_code_hash: "unused".into(),
                    activation_expires_at: now + Duration::hours(1),
                },
                created_at: now,
            })
            .await
            .expect("create a load user");
        store
            .users()
            .consume_activation_code(&created.id, "unused")
            .await
            .expect("activate");
        store
            .users()
            .set_password(&created.id, "unused", "")
            .await
            .expect("set the password");
        let token = hex::encode(rand::random::<[u8; 32]>());
        store
            .sessions()
            .insert(&SessionRow {
                token_hash: hex::encode(Sha256::digest(token.as_bytes())),
                user_id: created.id,
                stage: SessionStage::Ready,
                created_at: now,
                expires_at: now + Duration::hours(8),
                verified_until: Some(now + Duration::hours(8)),
                last_seen_at: now,
            })
            .await
            .expect("open a session");
        users.push(SellingUser { token });
    }
    users
}
