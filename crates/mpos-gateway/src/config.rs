//! The gateway's configuration file (JSON). Every section has a default
//! except the HSM keys: key material never has a default in code.

use crate::settlement::business_date::Cutoff;
use mpos_wire::api::{BrandRule, SignatureRule};
use mpos_wire::{AppVersion, Brand};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The file is not valid configuration JSON.
    #[error("the configuration file is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    /// A value is out of range; the message says which and what to write.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Production (the default) or development; see `production::refusals`.
    #[serde(default)]
    pub mode: Mode,
    /// The merchant this gateway serves.
    #[serde(default)]
    pub merchant: MerchantConfig,
    /// Card brands and their signature rules.
    #[serde(default = "default_brands")]
    pub brands: Vec<BrandRule>,
    /// SMTP relay; `null` writes e-mails to `DIR/outbox/mail.jsonl`.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// SMS provider; `null` writes messages to `DIR/outbox/sms.jsonl`.
    #[serde(default)]
    pub sms: Option<SmsConfig>,
    /// Keys of the HSM module.
    #[serde(default)]
    pub hsm: HsmConfig,
    /// The issuer simulator.
    #[serde(default)]
    pub issuer: IssuerConfig,
    /// Login and session rules.
    #[serde(default)]
    pub security: SecurityConfig,
    /// Automatic settlement.
    #[serde(default)]
    pub settlement: SettlementConfig,
    /// Base of receipt URLs; default `https://` + the listen address.
    #[serde(default)]
    pub public_base_url: Option<String>,
    /// The app versions announced to phones (`GET /v1/app/status`).
    #[serde(default)]
    pub app_releases: AppReleasesConfig,
    /// Connection limits and timeouts of the HTTPS listener.
    #[serde(default)]
    pub network: NetworkConfig,
    /// Rate limits on logins, secrets, e-receipts and SMS.
    #[serde(default)]
    pub rate_limits: RateLimitConfig,
    /// Where the data lives: SQLite in the data directory, or PostgreSQL.
    #[serde(default)]
    pub database: DatabaseConfig,
    /// The merchant portal's sessions.
    #[serde(default)]
    pub portal: PortalConfig,
}

/// Rate limits (token buckets: the burst, regained over the period).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Logins from one client address per minute.
    #[serde(default = "default_logins_per_address_per_minute")]
    pub logins_per_address_per_minute: u32,
    /// Logins naming one user name per minute.
    #[serde(default = "default_logins_per_username_per_minute")]
    pub logins_per_username_per_minute: u32,
    /// Activation codes and password checks from one client address per minute.
    #[serde(default = "default_secrets_per_address_per_minute")]
    pub secrets_per_address_per_minute: u32,
    /// Activation codes and password checks in one session per minute.
    #[serde(default = "default_secrets_per_session_per_minute")]
    pub secrets_per_session_per_minute: u32,
    /// E-receipts sent from one session per minute.
    #[serde(default = "default_receipts_per_session_per_minute")]
    pub receipts_per_session_per_minute: u32,
    /// Receipt SMS sent by one user per hour.
    #[serde(default = "default_sms_per_user_per_hour")]
    pub sms_per_user_per_hour: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            logins_per_address_per_minute: default_logins_per_address_per_minute(),
            logins_per_username_per_minute: default_logins_per_username_per_minute(),
            secrets_per_address_per_minute: default_secrets_per_address_per_minute(),
            secrets_per_session_per_minute: default_secrets_per_session_per_minute(),
            receipts_per_session_per_minute: default_receipts_per_session_per_minute(),
            sms_per_user_per_hour: default_sms_per_user_per_hour(),
        }
    }
}

fn default_logins_per_address_per_minute() -> u32 {
    30
}
fn default_logins_per_username_per_minute() -> u32 {
    10
}
fn default_secrets_per_address_per_minute() -> u32 {
    30
}
fn default_secrets_per_session_per_minute() -> u32 {
    10
}
fn default_receipts_per_session_per_minute() -> u32 {
    10
}
fn default_sms_per_user_per_hour() -> u32 {
    20
}

/// The database. Without a URL the gateway keeps SQLite in `DIR/gateway.db`
/// (one instance); with a PostgreSQL URL any number of instances share it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://user:password@host:port/database`; absent for SQLite.
    #[serde(default)]
    pub url: Option<String>,
    /// Connections this instance opens to PostgreSQL at most.
    #[serde(default = "default_database_connections")]
    pub max_connections: usize,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: default_database_connections(),
        }
    }
}

fn default_database_connections() -> usize {
    16
}

/// The merchant portal's sessions (PCI DSS 8.2.8: 15 idle minutes at most).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfig {
    /// Minutes without a request after which a portal session ends.
    #[serde(default = "default_portal_idle_minutes")]
    pub idle_minutes: u32,
    /// Hours after sign-in at which a portal session ends regardless.
    #[serde(default = "default_portal_session_hours")]
    pub session_hours: u32,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            idle_minutes: default_portal_idle_minutes(),
            session_hours: default_portal_session_hours(),
        }
    }
}

fn default_portal_idle_minutes() -> u32 {
    15
}

fn default_portal_session_hours() -> u32 {
    12
}

/// Connection limits and timeouts: what a client that connects and then
/// trickles, stalls or floods may hold of the gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Open connections at most; beyond, the listener stops accepting until one closes.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Open connections from one client address at most; beyond, new ones are closed at once.
    #[serde(default = "default_max_connections_per_address")]
    pub max_connections_per_address: u32,
    /// Time for the TLS handshake.
    #[serde(default = "default_handshake_timeout_ms")]
    pub handshake_timeout_ms: u64,
    /// Time for a request's headers, counted from when the connection
    /// waits for one: it is also how long an idle keep-alive connection lives.
    #[serde(default = "default_header_read_timeout_ms")]
    pub header_read_timeout_ms: u64,
    /// Time from a request's headers to its answer, body included.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Load balancers whose `X-Forwarded-For` is believed: a request from
    /// one of these addresses is rate-limited by the client address it
    /// forwards (the nearest one it did not add itself); any other sender's
    /// header is ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            max_connections: default_max_connections(),
            max_connections_per_address: default_max_connections_per_address(),
            handshake_timeout_ms: default_handshake_timeout_ms(),
            header_read_timeout_ms: default_header_read_timeout_ms(),
            request_timeout_ms: default_request_timeout_ms(),
            trusted_proxies: Vec::new(),
        }
    }
}

fn default_max_connections() -> u32 {
    1_024
}
fn default_max_connections_per_address() -> u32 {
    64
}
fn default_handshake_timeout_ms() -> u64 {
    10_000
}
fn default_header_read_timeout_ms() -> u64 {
    20_000
}
fn default_request_timeout_ms() -> u64 {
    30_000
}

/// The phone app versions the gateway announces.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppReleasesConfig {
    /// The newest release; phones on an older one are told to update.
    #[serde(default = "current_app_version")]
    pub latest: String,
    /// The oldest release still fit to take payments (security fixes).
    #[serde(default = "current_app_version")]
    pub minimum: String,
}

impl Default for AppReleasesConfig {
    fn default() -> Self {
        AppReleasesConfig {
            latest: current_app_version(),
            minimum: current_app_version(),
        }
    }
}

/// The phone app and the gateway are released together: by default the
/// gateway announces its own version.
fn current_app_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The merchant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantConfig {
    /// Acquirer's merchant id.
    pub id: String,
    /// Name on screens and receipts.
    pub name: String,
}

impl Default for MerchantConfig {
    fn default() -> Self {
        MerchantConfig {
            id: "000812345678901".into(),
            name: "mpos 測試商店 Test Shop".into(),
        }
    }
}

/// An SMTP relay (plain SMTP, as a local relay or test server speaks it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Sender address.
    pub from: String,
    /// How the connection is protected; production refuses `none`.
    #[serde(default)]
    pub tls: SmtpTls,
    /// A PEM file of the certificate authority (or self-signed certificate)
    /// to trust for the relay, instead of the public web roots.
    #[serde(default)]
    pub ca_cert_path: Option<PathBuf>,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// STARTTLS on the submission port (required, never skipped).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain text: development mode only.
    None,
}

/// Whether the gateway runs for real or for tests and demos.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Real money: no test clock, no published keys, encrypted mail and SMS.
    #[default]
    Production,
    /// Tests, the demo, a laptop: anything goes.
    Development,
}

/// An SMS provider reached by HTTP POST.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// Where to POST `{"to":..., "message":...}`.
    pub url: String,
    /// Sent as `Authorization: Bearer ...` when present.
    #[serde(default)]
    pub bearer_token: Option<String>,
}

impl fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &self.url)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Keys of the HSM module.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsmConfig {
    /// Base derivation keys, chosen by the KSN's scheme (its length) and
    /// its first bytes (see [`BdkConfig::id_hex`]).
    #[serde(default)]
    pub bdks: Vec<BdkConfig>,
    /// Issuer master keys (AC) that chip cryptograms are verified with,
    /// chosen by card number prefix (longest first), then by brand.
    #[serde(default)]
    pub issuer_master_keys: Vec<IssuerMasterKeyConfig>,
    /// HMAC key for card tokens (32 bytes hex), supplied by the HSM/KMS in
    /// production; when absent it is kept in `DIR/hsm/card-token.key`, never in the database.
    #[serde(default)]
    pub token_key_hex: Option<String>,
    /// The zone PIN key (two-key TDES, 32 hex digits) shared with the card
    /// network, under which PIN blocks leave for the issuer; when absent a
    /// random one is drawn at start and handed to the simulated issuer.
    #[serde(default)]
    pub zone_pin_key_hex: Option<String>,
}

impl fmt::Debug for HsmConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HsmConfig")
            .field("bdks", &self.bdks)
            .field("issuer_master_keys", &self.issuer_master_keys)
            .field(
                "token_key_hex",
                &self.token_key_hex.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "zone_pin_key_hex",
                &self.zone_pin_key_hex.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The DUKPT scheme a base derivation key serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BdkScheme {
    /// AES-128 DUKPT (ANSI X9.24-3), 12-byte KSNs: the default.
    #[default]
    Aes128,
    /// TDES DUKPT (ANSI X9.24-1), 10-byte KSNs: legacy readers.
    Tdes,
}

impl BdkScheme {
    /// How many leading KSN bytes name a BDK of this scheme: AES, the first
    /// 4 bytes of the initial key id; TDES, the 5-byte key set identifier
    /// (the KSN layout of deployed TDES readers: 40-bit key set id, 19-bit
    /// device id, 21-bit counter).
    pub fn id_len(self) -> usize {
        match self {
            BdkScheme::Aes128 => 4,
            BdkScheme::Tdes => 5,
        }
    }
}

/// One base derivation key (AES-128 or double-length TDES, 16 bytes either way).
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BdkConfig {
    /// The KSN's first bytes that name this BDK: 8 hex digits (the first 4
    /// bytes of the initial key id) for `aes128`, 10 hex digits (the key set
    /// identifier) for `tdes`.
    pub id_hex: String,
    /// 32 hex digits.
    pub bdk_hex: String,
    /// `"aes128"` (default) or `"tdes"`.
    #[serde(default)]
    pub scheme: BdkScheme,
}

impl fmt::Debug for BdkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BdkConfig")
            .field("scheme", &self.scheme)
            .field("id_hex", &self.id_hex)
            .field("bdk_hex", &"<redacted>")
            .finish()
    }
}

/// One issuer master key for application cryptograms (double-length TDES).
/// Exactly one of `brand` and `bin_prefix` says which cards it is for.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerMasterKeyConfig {
    /// Every card of this brand without a more specific `bin_prefix` key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<Brand>,
    /// Cards whose number starts with these 1 to 11 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin_prefix: Option<String>,
    /// 32 hex digits.
    pub imk_hex: String,
}

impl fmt::Debug for IssuerMasterKeyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerMasterKeyConfig")
            .field("brand", &self.brand)
            .field("bin_prefix", &self.bin_prefix)
            .field("imk_hex", &"<redacted>")
            .finish()
    }
}

/// The issuer simulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// How long the slow test card's issuer takes to answer.
    #[serde(default = "default_slow_delay_ms")]
    pub slow_delay_ms: u64,
    /// After how long a transaction still pending is given up: reversed
    /// (`91`), its limits released and its idempotency key answered.
    #[serde(default = "default_pending_timeout_ms")]
    pub pending_timeout_ms: u64,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        IssuerConfig {
            slow_delay_ms: default_slow_delay_ms(),
            pending_timeout_ms: default_pending_timeout_ms(),
        }
    }
}

/// Login and session rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// Consecutive wrong passwords (or activation codes) that lock the account.
    #[serde(default = "default_max_failed_logins")]
    pub max_failed_logins: u32,
    /// How long a lock lasts.
    #[serde(default = "default_lock_minutes")]
    pub lock_minutes: u32,
    /// Lifetime of an activation code.
    #[serde(default = "default_activation_code_minutes")]
    pub activation_code_minutes: u32,
    /// Lifetime of a session.
    #[serde(default = "default_session_minutes")]
    pub session_minutes: u32,
    /// How long after its admission an approved transaction may still be
    /// reversed by its own user without the password (later: a void).
    #[serde(default = "default_reversal_window_seconds")]
    pub reversal_window_seconds: u32,
    /// A session unused this long ends (PCI DSS 8.2.8 asks for at most 15 minutes).
    #[serde(default = "default_session_idle_minutes")]
    pub session_idle_minutes: u32,
    /// How many days the hosted e-receipt page stays online.
    #[serde(default = "default_receipt_page_days")]
    pub receipt_page_days: u32,
    /// The password pepper, 64 hex digits (from the HSM/KMS); when absent,
    /// `DIR/hsm/password-pepper.key`, created on first start. Never in the database.
    #[serde(default, skip_serializing)]
    pub password_pepper_hex: Option<String>,
}

impl SecurityConfig {
    /// The idle timeout of sessions.
    pub fn session_idle(&self) -> time::Duration {
        time::Duration::minutes(i64::from(self.session_idle_minutes))
    }

    /// The reversal window as a duration.
    pub fn reversal_window(&self) -> time::Duration {
        time::Duration::seconds(i64::from(self.reversal_window_seconds))
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            max_failed_logins: default_max_failed_logins(),
            lock_minutes: default_lock_minutes(),
            activation_code_minutes: default_activation_code_minutes(),
            session_minutes: default_session_minutes(),
            reversal_window_seconds: default_reversal_window_seconds(),
            session_idle_minutes: default_session_idle_minutes(),
            receipt_page_days: default_receipt_page_days(),
            password_pepper_hex: None,
        }
    }
}

/// Automatic settlement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementConfig {
    /// Local Asia/Taipei time of the daily settlement and business-date cut-off, `HH:MM`.
    #[serde(default = "default_auto_local_time")]
    pub auto_local_time: String,
    /// How often the scheduler looks at the clock.
    #[serde(default = "default_check_interval_ms")]
    pub check_interval_ms: u64,
}

impl Default for SettlementConfig {
    fn default() -> Self {
        SettlementConfig {
            auto_local_time: default_auto_local_time(),
            check_interval_ms: default_check_interval_ms(),
        }
    }
}

fn default_slow_delay_ms() -> u64 {
    5000
}
fn default_pending_timeout_ms() -> u64 {
    60_000
}
fn default_max_failed_logins() -> u32 {
    5
}
fn default_lock_minutes() -> u32 {
    30
}
fn default_activation_code_minutes() -> u32 {
    15
}
fn default_session_minutes() -> u32 {
    480
}
fn default_receipt_page_days() -> u32 {
    crate::domain::receipt_page::DEFAULT_DAYS
}
fn default_session_idle_minutes() -> u32 {
    crate::domain::session::DEFAULT_IDLE.whole_minutes() as u32
}
fn default_reversal_window_seconds() -> u32 {
    crate::domain::reversal::DEFAULT_WINDOW.whole_seconds() as u32
}
fn default_auto_local_time() -> String {
    "23:00".into()
}
fn default_check_interval_ms() -> u64 {
    1000
}

/// Visa, Mastercard, JCB and AMEX sign above NT$3,000; UnionPay always
/// signs and asks the cardholder's PIN.
pub fn default_brands() -> Vec<BrandRule> {
    Brand::ALL
        .into_iter()
        .map(|brand| BrandRule {
            brand,
            accepted: true,
            signature: if brand == Brand::UnionPay {
                SignatureRule::Always
            } else {
                SignatureRule::Above { minor: 300_000 }
            },
            // UnionPay cards in Taiwan carry a PIN the issuer checks online.
            pin_required: brand == Brand::UnionPay,
            pin_from_minor: 0,
        })
        .collect()
}

impl GatewayConfig {
    /// Defaults everywhere, with the given HSM keys.
    pub fn new(hsm: HsmConfig) -> Self {
        GatewayConfig {
            mode: Mode::default(),
            merchant: MerchantConfig::default(),
            brands: default_brands(),
            smtp: None,
            sms: None,
            hsm,
            issuer: IssuerConfig::default(),
            security: SecurityConfig::default(),
            settlement: SettlementConfig::default(),
            public_base_url: None,
            app_releases: AppReleasesConfig::default(),
            network: NetworkConfig::default(),
            rate_limits: RateLimitConfig::default(),
            database: DatabaseConfig::default(),
            portal: PortalConfig::default(),
        }
    }

    /// Reads and checks a JSON configuration file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let config: GatewayConfig = serde_json::from_str(&text)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks values serde cannot: key lengths, times, positive limits.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        let latest = self.app_releases.latest.parse::<AppVersion>();
        let minimum = self.app_releases.minimum.parse::<AppVersion>();
        match (latest, minimum) {
            (Ok(latest), Ok(minimum)) if minimum <= latest => {}
            (Ok(_), Ok(_)) => {
                return invalid("app_releases.minimum must not be newer than app_releases.latest")
            }
            (Err(error), _) => return invalid(&format!("app_releases.latest: {error}")),
            (_, Err(error)) => return invalid(&format!("app_releases.minimum: {error}")),
        }
        if !(1..=15).contains(&self.portal.idle_minutes) {
            return invalid("portal.idle_minutes must be 1 to 15 (PCI DSS 8.2.8)");
        }
        if !(1..=24).contains(&self.portal.session_hours) {
            return invalid("portal.session_hours must be 1 to 24");
        }
        let mut bdk_ids = std::collections::HashSet::new();
        for bdk in &self.hsm.bdks {
            let id = hex::decode(&bdk.id_hex).ok();
            match (bdk.scheme, id.as_ref().map(Vec::len)) {
                (BdkScheme::Aes128, Some(4)) | (BdkScheme::Tdes, Some(5)) => {}
                (BdkScheme::Aes128, _) => {
                    return invalid("hsm.bdks[].id_hex must be 8 hex digits for an aes128 BDK")
                }
                (BdkScheme::Tdes, _) => {
                    return invalid("hsm.bdks[].id_hex must be 10 hex digits for a tdes BDK")
                }
            }
            if decode_hex::<16>(&bdk.bdk_hex).is_none() {
                return invalid(
                    "hsm.bdks[].bdk_hex must be 32 hex digits (AES-128 or double-length TDES)",
                );
            }
            if !bdk_ids.insert((bdk.scheme, id)) {
                return invalid("hsm.bdks[] names the same id twice for one scheme");
            }
        }
        for imk in &self.hsm.issuer_master_keys {
            match (&imk.brand, &imk.bin_prefix) {
                (Some(_), None) => {}
                (None, Some(prefix))
                    if (1..=11).contains(&prefix.len())
                        && prefix.bytes().all(|b| b.is_ascii_digit()) => {}
                (None, Some(_)) => {
                    return invalid("hsm.issuer_master_keys[].bin_prefix must be 1 to 11 digits")
                }
                _ => {
                    return invalid(
                        "hsm.issuer_master_keys[] needs exactly one of brand and bin_prefix",
                    )
                }
            }
            if decode_hex::<16>(&imk.imk_hex).is_none() {
                return invalid(
                    "hsm.issuer_master_keys[].imk_hex must be 32 hex digits (double-length TDES)",
                );
            }
        }
        if let Some(key) = &self.hsm.token_key_hex {
            if decode_hex::<32>(key).is_none() {
                return invalid("hsm.token_key_hex must be 64 hex digits");
            }
        }
        if let Some(key) = &self.hsm.zone_pin_key_hex {
            if decode_hex::<16>(key).is_none() {
                return invalid("hsm.zone_pin_key_hex must be 32 hex digits (double-length TDES)");
            }
        }
        if Cutoff::parse(&self.settlement.auto_local_time).is_none() {
            return invalid("settlement.auto_local_time must be HH:MM, for example 23:00");
        }
        if self.issuer.pending_timeout_ms <= self.issuer.slow_delay_ms {
            return invalid(
                "issuer.pending_timeout_ms must be above issuer.slow_delay_ms, or slow answers would be reversed",
            );
        }
        if self.settlement.check_interval_ms == 0 {
            return invalid("settlement.check_interval_ms must be above 0");
        }
        let s = &self.security;
        if s.max_failed_logins == 0
            || s.lock_minutes == 0
            || s.activation_code_minutes == 0
            || s.session_minutes == 0
            || s.reversal_window_seconds == 0
            || s.session_idle_minutes == 0
            || s.receipt_page_days == 0
        {
            return invalid("security values must be above 0");
        }
        let n = &self.network;
        if n.max_connections == 0
            || n.max_connections_per_address == 0
            || n.handshake_timeout_ms == 0
            || n.header_read_timeout_ms == 0
            || n.request_timeout_ms == 0
        {
            return invalid("network values must be above 0");
        }
        if n.max_connections_per_address > n.max_connections {
            return invalid(
                "network.max_connections_per_address must not exceed network.max_connections",
            );
        }
        let r = &self.rate_limits;
        if [
            r.logins_per_address_per_minute,
            r.logins_per_username_per_minute,
            r.secrets_per_address_per_minute,
            r.secrets_per_session_per_minute,
            r.receipts_per_session_per_minute,
            r.sms_per_user_per_hour,
        ]
        .contains(&0)
        {
            return invalid("rate_limits values must be above 0");
        }
        if self.merchant.id.is_empty() || self.merchant.name.is_empty() {
            return invalid("merchant.id and merchant.name must not be empty");
        }
        if let Some(url) = &self.database.url {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                return invalid("database.url must be a postgres:// URL (leave it out for SQLite)");
            }
            // Key files are per data directory: instances sharing a database
            // would tokenize cards and pepper passwords each their own way.
            if self.hsm.token_key_hex.is_none() || self.security.password_pepper_hex.is_none() {
                return invalid(
                    "with database.url, set hsm.token_key_hex and security.password_pepper_hex: \
                     every instance on the database must use the same keys",
                );
            }
            if self.database.max_connections == 0 {
                return invalid("database.max_connections must be above 0");
            }
        }
        Ok(())
    }

    /// The business-date cut-off (validated).
    pub fn cutoff(&self) -> Cutoff {
        Cutoff::parse(&self.settlement.auto_local_time)
            .unwrap_or(Cutoff(time::macros::time!(23:00)))
    }
}

/// Decodes exactly `N` bytes of hex.
pub fn decode_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_missing_sections() {
        let config: GatewayConfig = serde_json::from_str("{}").unwrap();
        config.validate().unwrap();
        assert_eq!(config.security.max_failed_logins, 5);
        assert_eq!(config.security.lock_minutes, 30);
        assert_eq!(config.security.activation_code_minutes, 15);
        assert_eq!(config.settlement.auto_local_time, "23:00");
        assert!(config.hsm.bdks.is_empty(), "no key defaults in code");
        assert!(
            config.hsm.issuer_master_keys.is_empty(),
            "no key defaults in code"
        );
        let unionpay = config
            .brands
            .iter()
            .find(|b| b.brand == Brand::UnionPay)
            .unwrap();
        assert_eq!(unionpay.signature, SignatureRule::Always);
        let visa = config
            .brands
            .iter()
            .find(|b| b.brand == Brand::Visa)
            .unwrap();
        assert_eq!(visa.signature, SignatureRule::Above { minor: 300_000 });
    }

    #[test]
    fn refuses_short_keys_and_bad_times() {
        let mut config = GatewayConfig::new(HsmConfig {
            bdks: vec![BdkConfig {
                id_hex: "12345678".into(),
                bdk_hex: "00".into(),
                scheme: BdkScheme::Aes128,
            }],
            ..HsmConfig::default()
        });
        assert!(config.validate().is_err());
        config.hsm.bdks.clear();
        config.settlement.auto_local_time = "25:00".into();
        assert!(config.validate().is_err());
    }

    #[test]
    fn pending_timeout_must_exceed_the_slow_issuer_delay() {
        let mut config = GatewayConfig::new(HsmConfig::default());
        assert_eq!(config.issuer.pending_timeout_ms, 60_000);
        config.issuer.slow_delay_ms = 60_000;
        assert!(config.validate().is_err());
        config.issuer.pending_timeout_ms = 60_001;
        config.validate().unwrap();
    }

    #[test]
    fn announced_app_versions_are_versions_and_the_minimum_is_not_newer() {
        let config = GatewayConfig::new(HsmConfig::default());
        assert_eq!(config.app_releases.latest, env!("CARGO_PKG_VERSION"));
        config.validate().unwrap();
        let with = |latest: &str, minimum: &str| {
            let mut config = GatewayConfig::new(HsmConfig::default());
            config.app_releases = AppReleasesConfig {
                latest: latest.into(),
                minimum: minimum.into(),
            };
            config.validate().map_err(|error| error.to_string())
        };
        assert!(with("1.4.0", "1.2.9").is_ok());
        assert!(with("1.4.0", "1.4.0").is_ok());
        let newer = with("1.4.0", "1.10.0").unwrap_err();
        assert!(newer.contains("minimum must not be newer"), "{newer}");
        let bad = with("1.4", "1.0.0").unwrap_err();
        assert!(bad.contains("app_releases.latest"), "{bad}");
        let bad = with("1.4.0", "v1").unwrap_err();
        assert!(bad.contains("app_releases.minimum"), "{bad}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<GatewayConfig>(r#"{"smpt": null}"#).is_err());
    }

    #[test]
    fn debug_redacts_keys() {
        let hsm = HsmConfig {
            bdks: vec![BdkConfig {
                id_hex: "12345678".into(),
                bdk_hex: "00112233445566778899AABBCCDDEEFF".into(),
                scheme: BdkScheme::Aes128,
            }],
            issuer_master_keys: vec![IssuerMasterKeyConfig {
                brand: Some(Brand::Visa),
                bin_prefix: None,
                imk_hex: "FEDCBA98765432100123456789ABCDEF".into(),
            }],
            token_key_hex: Some("ab".repeat(32)),
            zone_pin_key_hex: None,
        };
        let text = format!("{hsm:?}");
        assert!(!text.contains("00112233"));
        assert!(!text.contains("abab"));
        assert!(!text.contains("FEDCBA98"));
        assert!(text.contains("Visa"), "{text}");
    }

    #[test]
    fn bdks_default_to_aes128_and_their_id_length_follows_the_scheme() {
        let parse = |bdks: serde_json::Value| {
            let config: GatewayConfig =
                serde_json::from_value(serde_json::json!({ "hsm": { "bdks": bdks } }))?;
            Ok::<_, serde_json::Error>(config)
        };
        let key = "0123456789ABCDEFFEDCBA9876543210";
        let config = parse(serde_json::json!([{ "id_hex": "12345678", "bdk_hex": key }])).unwrap();
        assert_eq!(config.hsm.bdks[0].scheme, BdkScheme::Aes128);
        config.validate().unwrap();
        let tdes = serde_json::json!({ "id_hex": "FFFF987654", "bdk_hex": key, "scheme": "tdes" });
        let config = parse(serde_json::json!([tdes])).unwrap();
        assert_eq!(config.hsm.bdks[0].scheme, BdkScheme::Tdes);
        config.validate().unwrap();
        // Each scheme's id length, and one id per scheme.
        for bdks in [
            serde_json::json!([{ "id_hex": "FFFF987654", "bdk_hex": key }]),
            serde_json::json!([{ "id_hex": "12345678", "bdk_hex": key, "scheme": "tdes" }]),
            serde_json::json!([{ "id_hex": "FFFF987654", "bdk_hex": "00", "scheme": "tdes" }]),
            serde_json::json!([tdes, tdes]),
        ] {
            assert!(parse(bdks.clone()).unwrap().validate().is_err(), "{bdks}");
        }
        // The same id under both schemes names two keys.
        let both = serde_json::json!([
            { "id_hex": "FFFF987654", "bdk_hex": key, "scheme": "tdes" },
            { "id_hex": "FFFF9876", "bdk_hex": key, "scheme": "aes128" },
        ]);
        parse(both).unwrap().validate().unwrap();
        assert!(parse(
            serde_json::json!([{ "id_hex": "12345678", "bdk_hex": key, "scheme": "des" }])
        )
        .is_err());
    }

    #[test]
    fn issuer_master_keys_name_their_cards_and_have_the_right_length() {
        let parse = |imk: serde_json::Value| {
            let config: GatewayConfig = serde_json::from_value(
                serde_json::json!({ "hsm": { "issuer_master_keys": [imk] } }),
            )?;
            Ok::<_, serde_json::Error>(config.validate().is_ok())
        };
        let key = "0123456789ABCDEFFEDCBA9876543210";
        assert!(parse(serde_json::json!({ "brand": "visa", "imk_hex": key })).unwrap());
        assert!(parse(serde_json::json!({ "bin_prefix": "411111", "imk_hex": key })).unwrap());
        // Neither, both, a non-digit or over-long prefix, a short key.
        assert!(!parse(serde_json::json!({ "imk_hex": key })).unwrap());
        assert!(
            !parse(serde_json::json!({ "brand": "visa", "bin_prefix": "4", "imk_hex": key }))
                .unwrap()
        );
        assert!(!parse(serde_json::json!({ "bin_prefix": "41x", "imk_hex": key })).unwrap());
        assert!(
            !parse(serde_json::json!({ "bin_prefix": "411111111111", "imk_hex": key })).unwrap()
        );
        assert!(!parse(serde_json::json!({ "brand": "visa", "imk_hex": "0123" })).unwrap());
        // A typo is refused, not ignored.
        assert!(parse(serde_json::json!({ "brand": "visa", "imk": key })).is_err());
    }
}
