//! Test support: an in-process gateway over real TLS with a real SQLite
//! file, a virtual reader that seals test cards, and request helpers.
#![allow(dead_code)]
// Amounts are written dollars_cents: 50_000_00 is NT$50,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

use mpos_cards::{CardId, TestCard};
use mpos_crypto::emv::{cvn18, IccMasterKey, IssuerMasterKey, TransactionData};
use mpos_crypto::envelope::{ClearCard, DeviceKeys, LegacyReaderKeys, ReaderKeys};
use mpos_crypto::tlv::{self, tags, Tlv};
use mpos_gateway::config::{BdkConfig, BdkScheme, HsmConfig, IssuerMasterKeyConfig, Mode};
use mpos_gateway::{start, GatewayConfig, RunningGateway, StartOptions};
use mpos_wire::api::{paths, Limits, TxnKind, IDEMPOTENCY_KEY_HEADER};
use mpos_wire::{Brand, CardPayload, EntryMode, MaskedPan, Money};
use rand::RngCore;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The published AES-128 DUKPT test BDK (ANSI X9.24-3 test vectors), test configuration only.
pub const TEST_BDK_HEX: &str = "FEDCBA9876543210F1F1F1F1F1F1F1F1";
/// BDK id: the first 4 bytes of the readers' initial key ids.
pub const TEST_BDK_ID: [u8; 4] = [0x12, 0x34, 0x56, 0x78];
/// The published TDES DUKPT test BDK (ANSI X9.24-1 Annex A), test configuration only.
pub const TEST_TDES_BDK_HEX: &str = "0123456789ABCDEFFEDCBA9876543210";
/// TDES BDK id: the key set identifier, the first 5 bytes of the legacy readers' KSNs.
pub const TEST_TDES_KSI: [u8; 5] = [0xFF, 0xFF, 0x98, 0x76, 0x54];
/// The published EMV test issuer master key (pyemv's tests), test configuration only.
pub const TEST_IMK_HEX: &str = "0123456789ABCDEFFEDCBA9876543210";
/// A fixed, ordinary morning: 2030-03-10 10:00 in Taipei.
pub const MORNING: &str = "2030-03-10T02:00:00Z";

/// The test configuration on the suite's database: a fresh PostgreSQL
/// database when `MPOS_TEST_DATABASE=postgres` (tests/run.sh runs the suite
/// on both), else SQLite in the data directory.
pub fn test_config() -> GatewayConfig {
    let mut config = sqlite_test_config();
    if std::env::var("MPOS_TEST_DATABASE").as_deref() == Ok("postgres") {
        config = postgres_test_config();
    }
    config
}

/// The test configuration on a fresh PostgreSQL database, with the keys every
/// instance on it must share (random, for this test only).
pub fn postgres_test_config() -> GatewayConfig {
    let mut config = sqlite_test_config();
    config.database.url = Some(mpos_testkit::PostgresServer::shared().fresh_database());
    config.hsm.token_key_hex = Some(mpos_gateway::ids::random_hex(32));
    config.security.password_pepper_hex = Some(mpos_gateway::ids::random_hex(32));
    config
}

/// The test configuration on SQLite, for tests that look into `gateway.db`:
/// test BDKs (AES and TDES), fast scheduler, short slow-issuer delay.
pub fn sqlite_test_config() -> GatewayConfig {
    let mut config = GatewayConfig::new(HsmConfig {
        bdks: vec![
            BdkConfig {
                id_hex: hex::encode_upper(TEST_BDK_ID),
                bdk_hex: TEST_BDK_HEX.into(),
                scheme: BdkScheme::Aes128,
            },
            BdkConfig {
                id_hex: hex::encode_upper(TEST_TDES_KSI),
                bdk_hex: TEST_TDES_BDK_HEX.into(),
                scheme: BdkScheme::Tdes,
            },
        ],
        // Every catalogue brand's chips are personalised under the test IMK.
        issuer_master_keys: Brand::ALL
            .into_iter()
            .map(|brand| IssuerMasterKeyConfig {
                brand: Some(brand),
                bin_prefix: None,
                imk_hex: TEST_IMK_HEX.into(),
            })
            .collect(),
        token_key_hex: None,
        zone_pin_key_hex: None,
    });
    config.mode = Mode::Development;
    config.issuer.slow_delay_ms = 1500;
    config.settlement.check_interval_ms = 50;
    // The suites log in and send receipts faster than any cashier; the
    // rate-limit attack tests start gateways with the production rates.
    let r = &mut config.rate_limits;
    r.logins_per_address_per_minute = 10_000;
    r.logins_per_username_per_minute = 10_000;
    r.secrets_per_address_per_minute = 10_000;
    r.secrets_per_session_per_minute = 10_000;
    r.receipts_per_session_per_minute = 10_000;
    r.sms_per_user_per_hour = 10_000;
    config
}

/// A running gateway with a client that trusts its certificate.
pub struct TestGateway {
    pub gateway: Option<RunningGateway>,
    /// The configuration it runs with.
    pub config: GatewayConfig,
    pub client: reqwest::Client,
    pub base: String,
    pub dir: Arc<tempfile::TempDir>,
}

/// A logged-in phone user.
#[derive(Debug, Clone)]
pub struct AppUser {
    pub token: String,
    pub id: String,
    pub username: String,
    pub password: String,
    pub terminal_id: String,
}

/// Clear credentials read back from the outbox.
#[derive(Debug, Clone)]
pub struct Delivered {
    pub user: Value,
    pub default_password: String,
    pub activation_code: String,
}

/// A TLS client configuration that trusts only `cert_pem`.
pub fn tls_config_for(cert_pem: &str) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pemfile::certs(&mut cert_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

pub fn client_for(cert_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls_config_for(cert_pem))
        .build()
        .unwrap()
}

pub fn default_limits() -> Limits {
    Limits {
        per_transaction: Money::twd_minor(50_000_00),
        per_day: Money::twd_minor(200_000_00),
        refund_per_transaction: None,
    }
}

impl TestGateway {
    pub async fn start() -> Self {
        Self::start_with(test_config()).await
    }

    pub async fn start_with(config: GatewayConfig) -> Self {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        Self::start_in(dir, config).await
    }

    pub async fn start_in(dir: Arc<tempfile::TempDir>, config: GatewayConfig) -> Self {
        let gateway = start(StartOptions {
            data_dir: dir.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().unwrap(),
            config: config.clone(),
            tls: None,
            test_clock: true,
        })
        .await
        .unwrap();
        let gw = TestGateway {
            config,
            client: client_for(&gateway.cert_pem),
            base: gateway.base_url(),
            gateway: Some(gateway),
            dir,
        };
        gw.set_clock(MORNING).await;
        gw
    }

    pub fn gw(&self) -> &RunningGateway {
        self.gateway.as_ref().unwrap()
    }

    pub async fn stop(mut self) -> Arc<tempfile::TempDir> {
        self.gateway.take().unwrap().shutdown().await;
        self.dir.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request; returns status and JSON body (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, None, Some(body)).await
    }

    pub async fn set_clock(&self, now: &str) {
        let (status, body) = self
            .call(
                Method::PUT,
                paths::TEST_CLOCK,
                None,
                None,
                Some(json!({ "now": now })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    pub fn admin_token(&self) -> String {
        self.gw().admin_token.clone()
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        let (status, body) = self.get(path, &self.admin_token()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Every line of an outbox file.
    pub fn outbox(&self, file: &str) -> Vec<Value> {
        let path = self.dir.path().join("outbox").join(file);
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    /// The default password and activation code last sent to a user.
    pub fn delivered(&self, email: &str, phone: &str) -> (String, String) {
        let mail = self
            .outbox("mail.jsonl")
            .into_iter()
            .rev()
            .find(|m| m["to"] == email)
            .expect("activation e-mail");
        let body = mail["body"].as_str().unwrap();
        let password = body
            .lines()
            .find_map(|l| l.strip_prefix(mpos_gateway::admin::PASSWORD_LINE))
            .expect("default password line")
            .trim()
            .to_string();
        let sms = self
            .outbox("sms.jsonl")
            .into_iter()
            .rev()
            .find(|m| m["to"] == phone)
            .expect("activation SMS");
        let message = sms["message"].as_str().unwrap();
        let code: String = message
            .split(mpos_gateway::admin::ACTIVATION_CODE_LINE)
            .nth(1)
            .unwrap()
            .chars()
            .take(6)
            .collect();
        (password, code)
    }

    pub async fn create_user(&self, username: &str, limits: &Limits) -> Delivered {
        let phone = format!("09{:08}", rand::random::<u32>() % 100_000_000);
        let email = format!("{username}@example.com");
        let (status, user) = self
            .post(
                paths::ADMIN_USERS,
                Some(&self.admin_token()),
                json!({ "name": "陳小明", "phone": phone, "email": email, "username": username, "limits": limits }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let (default_password, activation_code) = self.delivered(&email, &phone);
        Delivered {
            user,
            default_password,
            activation_code,
        }
    }

    pub async fn login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.login_with_reader(username, password, "SIM-0001").await
    }

    /// A login presenting another card reader's serial.
    pub async fn login_with_reader(
        &self,
        username: &str,
        password: &str,
        reader_serial: &str,
    ) -> (StatusCode, Value) {
        self.post(
            paths::LOGIN,
            None,
            json!({ "username": username, "password": password, "reader_serial": reader_serial }),
        )
        .await
    }

    /// A user through login, activation and new password.
    pub async fn ready_user_with(&self, username: &str, limits: &Limits) -> AppUser {
        let delivered = self.create_user(username, limits).await;
        let (status, login) = self.login(username, &delivered.default_password).await;
        assert_eq!(status, StatusCode::OK, "{login}");
        let token = login["session_token"].as_str().unwrap().to_string();
        let (status, body) = self
            .post(
                paths::ACTIVATE,
                Some(&token),
                json!({ "activation_code": delivered.activation_code }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = self
            .post(
                paths::PASSWORD,
                Some(&token),
                json!({ "new_password": "864209" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        self.reenter_password(&token, "864209").await;
        AppUser {
            token,
            id: delivered.user["id"].as_str().unwrap().to_string(),
            username: username.to_string(),
            password: "864209".into(),
            terminal_id: delivered.user["terminal_id"].as_str().unwrap().to_string(),
        }
    }

    /// A fresh session for a user (after moving the clock past the session's end),
    /// with the password re-entered for transaction details.
    pub async fn relogin(&self, user: &mut AppUser) {
        let (status, body) = self.login(&user.username, &user.password).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        user.token = body["session_token"].as_str().unwrap().to_string();
        self.reenter_password(&user.token, &user.password).await;
    }

    /// Moves the clock to `now` and logs the user in again: a jump of more
    /// than the idle timeout ends the session, as a real phone's would.
    pub async fn later(&self, user: &mut AppUser, now: &str) {
        self.set_clock(now).await;
        self.relogin(user).await;
    }

    /// Re-enters the password: opens search, voids and settlement for 15 minutes.
    pub async fn reenter_password(&self, token: &str, password: &str) {
        let (status, body) = self
            .post(
                paths::VERIFY_PASSWORD,
                Some(token),
                json!({ "password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    pub async fn ready_user(&self, username: &str) -> AppUser {
        self.ready_user_with(username, &default_limits()).await
    }

    pub async fn financial(
        &self,
        path: &str,
        user: &AppUser,
        key: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(&user.token), Some(key), Some(body))
            .await
    }

    pub async fn sale(
        &self,
        user: &AppUser,
        reader: &Reader,
        card: CardId,
        minor: u64,
    ) -> (StatusCode, Value) {
        let body = sale_body(reader, card, minor, default_entry(card));
        self.financial(paths::SALES, user, &new_key(), body).await
    }

    /// A sale that must be approved; returns the transaction.
    pub async fn approved_sale(
        &self,
        user: &AppUser,
        reader: &Reader,
        card: CardId,
        minor: u64,
    ) -> Value {
        let (status, body) = self.sale(user, reader, card, minor).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["transaction"]["status"], "approved", "{body}");
        body["transaction"].clone()
    }

    pub async fn transactions(&self) -> Vec<Value> {
        self.admin_get(paths::ADMIN_TRANSACTIONS).await["transactions"]
            .as_array()
            .unwrap()
            .clone()
    }

    pub async fn batches(&self) -> Vec<Value> {
        self.admin_get(paths::ADMIN_BATCHES).await["batches"]
            .as_array()
            .unwrap()
            .clone()
    }

    pub async fn txn(&self, user: &AppUser, id: &str) -> Value {
        let (status, body) = self
            .get(&paths::fill(paths::TRANSACTION, id), &user.token)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn default_entry(card: CardId) -> EntryMode {
    if TestCard::get(card).has_chip() {
        EntryMode::Chip
    } else {
        EntryMode::Swipe
    }
}

/// A virtual reader with its own DUKPT initial key (AES, or TDES for a
/// legacy reader); its chip cards count their own ATC and sign with keys
/// from the test issuer master key.
pub struct Reader {
    keys: Mutex<DeviceKeys>,
    atc: Mutex<HashMap<CardId, u16>>,
}

impl Default for Reader {
    fn default() -> Self {
        Self::new()
    }
}

impl Reader {
    pub fn new() -> Self {
        let mut id = [0u8; 8];
        id[..4].copy_from_slice(&TEST_BDK_ID);
        rand::thread_rng().fill_bytes(&mut id[4..]);
        Reader::with_bdk(&hex_bdk(TEST_BDK_HEX), id)
    }

    pub fn with_bdk(bdk: &[u8; 16], id: [u8; 8]) -> Self {
        Reader {
            keys: Mutex::new(DeviceKeys::Aes128(ReaderKeys::inject(bdk, id))),
            atc: Mutex::new(HashMap::new()),
        }
    }

    /// A legacy reader sealing with TDES DUKPT under the test TDES BDK, with
    /// a random device id in its KSN.
    pub fn legacy() -> Self {
        let mut ksn = [0u8; 10];
        ksn[..5].copy_from_slice(&TEST_TDES_KSI);
        rand::thread_rng().fill_bytes(&mut ksn[5..8]);
        Reader::legacy_with_bdk(&hex_bdk(TEST_TDES_BDK_HEX), ksn)
    }

    /// A legacy (TDES DUKPT) reader injected from `bdk` with initial KSN `ksn`.
    pub fn legacy_with_bdk(bdk: &[u8; 16], ksn: [u8; 10]) -> Self {
        Reader {
            keys: Mutex::new(DeviceKeys::Tdes(LegacyReaderKeys::inject(bdk, ksn))),
            atc: Mutex::new(HashMap::new()),
        }
    }

    /// Reads `card` for a transaction: a chip read carries the chip's EMV
    /// data and ARQC over this amount and kind.
    pub fn read_for(
        &self,
        card: CardId,
        entry: EntryMode,
        minor: u64,
        kind: TxnKind,
    ) -> CardPayload {
        let mut payload = self.read(card, entry);
        if entry == EntryMode::Chip {
            let atc = {
                let mut counters = self.atc.lock().unwrap();
                let atc = counters.entry(card).or_insert(0);
                *atc += 1;
                *atc
            };
            let objects = chip_objects(TestCard::get(card), atc, minor, kind);
            payload.emv_tlv = Some(tlv::encode_hex(&objects));
        }
        payload
    }

    /// The PIN block of `pin` for the last card read (`card`), under that read's KSN.
    pub fn pin_block(&self, card: CardId, pin: &str) -> mpos_wire::api::PinBlockPayload {
        let block = self
            .keys
            .lock()
            .unwrap()
            .encipher_pin(pin, TestCard::get(card).pan, &rand::random())
            .unwrap();
        mpos_wire::api::PinBlockPayload {
            ksn: block.ksn,
            block: block.block,
        }
    }

    /// Reads `card` the way `entry` says and seals it, without chip data.
    pub fn read(&self, card: CardId, entry: EntryMode) -> CardPayload {
        let test_card = TestCard::get(card);
        let sealed = self
            .keys
            .lock()
            .unwrap()
            .seal(&ClearCard {
                pan: test_card.pan.into(),
                expiry: test_card.expiry.into(),
                service_code: test_card.service_code.into(),
                // A real reader attests the chip failures of a fallback swipe.
                chip_failures: if entry == EntryMode::FallbackSwipe {
                    3
                } else {
                    0
                },
            })
            .unwrap();
        CardPayload {
            masked_pan: MaskedPan::from_pan(test_card.pan).unwrap(),
            brand: test_card.brand(),
            entry_mode: entry,
            service_code: test_card.service_code.into(),
            ksn: sealed.ksn,
            ciphertext: sealed.ciphertext,
            emv_tlv: None,
        }
    }
}

/// What a chip answers to its first GENERATE AC (Visa CVN 18), computed
/// here independently of the virtual reader in mpos-sim.
pub fn chip_objects(card: &TestCard, atc: u16, minor: u64, kind: TxnKind) -> Vec<Tlv> {
    let amount = Tlv::numeric(tags::AMOUNT_AUTHORISED, minor, 12).unwrap();
    let data = TransactionData {
        amount_authorised: amount.bytes().unwrap().try_into().unwrap(),
        amount_other: [0; 6],
        terminal_country_code: [0x01, 0x58],
        terminal_verification_results: [0; 5],
        transaction_currency_code: [0x09, 0x01],
        transaction_date: [0x30, 0x03, 0x10],
        transaction_type: [if kind == TxnKind::Sale { 0x00 } else { 0x20 }],
        unpredictable_number: rand::random(),
        application_interchange_profile: [0x1C, 0x00],
        application_transaction_counter: atc.to_be_bytes(),
    };
    let iad = cvn18::issuer_application_data([0x03, 0xA0, 0x00, 0x00]);
    let arqc = cvn18::arqc(&card_session_key(card, atc), &data, &iad);
    let mut objects = data.to_objects();
    objects.extend([
        Tlv::numeric(tags::PAN_SEQUENCE_NUMBER, u64::from(card.pan_sequence), 2).unwrap(),
        Tlv::primitive(tags::ISSUER_APPLICATION_DATA, iad).unwrap(),
        Tlv::primitive(tags::APPLICATION_CRYPTOGRAM, arqc).unwrap(),
        Tlv::primitive(tags::CRYPTOGRAM_INFORMATION_DATA, [0x80]).unwrap(),
    ]);
    objects
}

/// The session key a catalogue card uses at this ATC.
pub fn card_session_key(card: &TestCard, atc: u16) -> mpos_crypto::emv::SessionKey {
    let imk = IssuerMasterKey::from_hex(TEST_IMK_HEX).unwrap();
    let icc = IccMasterKey::derive(&imk, card.pan, card.pan_sequence).unwrap();
    cvn18::session_key(&icc, atc)
}

pub fn hex_bdk(text: &str) -> [u8; 16] {
    hex::decode(text).unwrap().try_into().unwrap()
}

/// A sale's body; a UnionPay card (the brand that asks a PIN in the default
/// configuration) carries the block of its right PIN.
pub fn sale_body(reader: &Reader, card: CardId, minor: u64, entry: EntryMode) -> Value {
    let test_card = TestCard::get(card);
    let pin = (test_card.brand() == Brand::UnionPay).then_some(test_card.pin);
    sale_body_with_pin(reader, card, minor, entry, pin)
}

/// A sale's body with the reader's block of `pin` for the card read, if any.
pub fn sale_body_with_pin(
    reader: &Reader,
    card: CardId,
    minor: u64,
    entry: EntryMode,
    pin: Option<&str>,
) -> Value {
    let payload = reader.read_for(card, entry, minor, TxnKind::Sale);
    let mut body = json!({ "amount": Money::twd_minor(minor), "brand": TestCard::get(card).brand(), "card": payload });
    if let Some(pin) = pin {
        body["pin"] = serde_json::to_value(reader.pin_block(card, pin)).unwrap();
    }
    body
}

pub fn sale_body_brand(reader: &Reader, card: CardId, minor: u64, brand: Brand) -> Value {
    let payload = reader.read_for(card, default_entry(card), minor, TxnKind::Sale);
    json!({ "amount": Money::twd_minor(minor), "brand": brand, "card": payload })
}

pub fn refund_body(
    reader: &Reader,
    card: CardId,
    minor: u64,
    auth_code: &str,
    entry: EntryMode,
) -> Value {
    let payload = reader.read_for(card, entry, minor, TxnKind::Refund);
    json!({ "amount": Money::twd_minor(minor), "brand": TestCard::get(card).brand(), "original_auth_code": auth_code, "card": payload })
}

pub fn code(body: &Value) -> &str {
    body["code"].as_str().unwrap_or("<no code>")
}
