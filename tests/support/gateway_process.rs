//! Starts the real `mpos-gateway` binary with a test configuration, reads
//! its `ready` line, and keeps its log lines for the tests to inspect.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// What a test can change in the gateway's configuration.
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    /// Loopback SMTP server port, or `None` for the mail outbox.
    pub smtp_port: Option<u16>,
    /// The fake SMS provider's send endpoint (`url() + MESSAGES_PATH`), or `None` for the SMS outbox.
    pub sms_url: Option<String>,
    /// Bearer token the SMS provider expects.
    pub sms_token: Option<String>,
    /// How long the slow test issuer takes.
    pub slow_issuer_ms: u64,
    /// The app versions announced to phones (latest, minimum); `None`: the gateway's own.
    pub app_releases: Option<(String, String)>,
}

impl Default for GatewayOptions {
    fn default() -> Self {
        GatewayOptions {
            smtp_port: None,
            sms_url: None,
            sms_token: None,
            slow_issuer_ms: 3_000,
            app_releases: None,
        }
    }
}

/// A running gateway process; killed on drop.
pub struct GatewayProcess {
    child: Child,
    /// `https://127.0.0.1:PORT`.
    pub base_url: String,
    /// The gateway's self-signed certificate, PEM.
    pub cert_pem: String,
    /// SHA-256 of the certificate's SubjectPublicKeyInfo, hex.
    pub spki_sha256: String,
    /// Bearer token of the admin API.
    pub admin_token: String,
    /// Data directory (SQLite file, TLS material, outboxes).
    pub data_dir: tempfile::TempDir,
    http: reqwest::Client,
    log: Arc<Mutex<Vec<String>>>,
}

/// Path of a binary built next to this executable (`target/debug/NAME`):
/// a test runs from `target/debug/deps/`, a binary from `target/debug/`.
pub fn workspace_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("executable path");
    let dir = exe.parent().expect("target/<profile>/...");
    let profile_dir = if dir.ends_with("deps") {
        dir.parent().expect("target/<profile>/deps")
    } else {
        dir
    };
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo build -p {name} --bins` (tests/run.sh does)",
        path.display()
    );
    path
}

/// The published test BDK and its id, as the configuration file spells them.
fn test_bdk() -> Value {
    json!({
        "id_hex": hex::encode_upper(mpos_sim::TEST_BDK_ID),
        "bdk_hex": hex::encode_upper(mpos_sim::TEST_BDK),
    })
}

/// The published TDES DUKPT test BDK of legacy readers, named by its key set id.
fn test_tdes_bdk() -> Value {
    json!({
        "id_hex": hex::encode_upper(mpos_sim::TEST_TDES_KSI),
        "bdk_hex": hex::encode_upper(mpos_sim::TEST_TDES_BDK),
        "scheme": "tdes",
    })
}

/// The published EMV test issuer master key, for every brand's chip cards.
fn test_issuer_master_keys() -> Value {
    let key = hex::encode_upper(mpos_sim::TEST_ISSUER_MASTER_KEY);
    Value::Array(
        ["visa", "mastercard", "jcb", "union_pay", "amex"]
            .into_iter()
            .map(|brand| json!({ "brand": brand, "imk_hex": key }))
            .collect(),
    )
}

/// The JSON configuration a test gateway runs with.
///
/// Signature rules: VISA and Mastercard sign above NT$3,000, JCB never,
/// UnionPay always, and UnionPay asks the cardholder's PIN at every amount;
/// AMEX is not accepted. The settlement scheduler looks at
/// the clock every 200 ms so a moved test clock settles at once.
pub fn test_config(options: &GatewayOptions) -> Value {
    json!({
        "merchant": { "id": "000812345678901", "name": "mpos 測試商店 Test Shop" },
        "brands": [
            { "brand": "visa", "accepted": true, "signature": { "rule": "above", "minor": 300000 }, "pin_required": false },
            { "brand": "mastercard", "accepted": true, "signature": { "rule": "above", "minor": 300000 }, "pin_required": false },
            { "brand": "jcb", "accepted": true, "signature": { "rule": "never" }, "pin_required": false },
            { "brand": "union_pay", "accepted": true, "signature": { "rule": "always" }, "pin_required": true },
            { "brand": "amex", "accepted": false, "signature": { "rule": "always" }, "pin_required": false }
        ],
        "mode": "development",
        "smtp": options.smtp_port.map(|port| json!({ "host": "127.0.0.1", "port": port, "from": "mpos@gateway.test", "tls": "none" })),
        "sms": options.sms_url.as_ref().map(|url| json!({ "url": url, "bearer_token": options.sms_token })),
        "hsm": { "bdks": [ test_bdk(), test_tdes_bdk() ], "issuer_master_keys": test_issuer_master_keys() },
        "issuer": { "slow_delay_ms": options.slow_issuer_ms },
        "settlement": { "auto_local_time": "23:00", "check_interval_ms": 200 },
        // Every test phone logs in from 127.0.0.1, as many phones behind one
        // shop's router would; the per-name and per-session limits stay as shipped.
        "rate_limits": { "logins_per_address_per_minute": 600, "secrets_per_address_per_minute": 600 },
        "app_releases": options.app_releases.as_ref().map_or_else(
            || json!({}),
            |(latest, minimum)| json!({ "latest": latest, "minimum": minimum }),
        )
    })
}

impl GatewayProcess {
    /// Starts the gateway binary with a test clock and waits for its ready line.
    pub async fn start(options: &GatewayOptions) -> GatewayProcess {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(data_dir, options).await
    }

    /// Starts the gateway on an existing data directory (a restart).
    pub async fn start_in(data_dir: tempfile::TempDir, options: &GatewayOptions) -> GatewayProcess {
        let config_path = data_dir.path().join("gateway.json");
        std::fs::write(&config_path, test_config(options).to_string()).expect("write config");
        let mut child = Command::new(workspace_binary("mpos-gateway"))
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir.path())
            .arg("--config")
            .arg(&config_path)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--test-clock")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start mpos-gateway");

        // The log goes to stderr, one JSON object a line; kept for the tests.
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = log.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
        });

        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready: Value = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read gateway stdout") {
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    if value["event"] == "ready" {
                        return value;
                    }
                }
            }
            let log = log.lock().unwrap_or_else(|p| p.into_inner()).join("\n");
            panic!("mpos-gateway exited before it was ready; its log:\n{log}");
        })
        .await
        .expect("mpos-gateway ready within 60 s");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let text = |key: &str| {
            ready[key]
                .as_str()
                .unwrap_or_else(|| panic!("ready line lacks {key}: {ready}"))
                .to_string()
        };
        let cert_pem = std::fs::read_to_string(text("cert_path")).expect("read cert");
        let admin_token = std::fs::read_to_string(text("admin_token_path"))
            .expect("read admin token")
            .trim()
            .to_string();
        let http = https_client(&cert_pem);
        GatewayProcess {
            child,
            base_url: text("base_url"),
            cert_pem,
            spki_sha256: text("spki_sha256"),
            admin_token,
            data_dir,
            http,
            log,
        }
    }

    /// An HTTPS client that trusts this gateway's certificate.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Sets the gateway's clock; it keeps running from there.
    pub async fn set_clock(&self, now: OffsetDateTime) {
        let now = now.format(&Rfc3339).expect("RFC 3339 time");
        let response = self
            .http
            .put(self.url(mpos_wire::api::paths::TEST_CLOCK))
            .json(&mpos_wire::api::SetClockRequest { now: now.clone() })
            .send()
            .await
            .expect("set clock");
        assert!(
            response.status().is_success(),
            "set clock to {now}: {}",
            response.status()
        );
    }

    /// Every log line so far.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many requests to this route template (`/v1/app/login`) the gateway has logged.
    pub fn requests_to(&self, route: &str) -> usize {
        let quoted = format!("\"{route}\"");
        self.log_lines()
            .iter()
            .filter(|line| line.contains("http_request") && line.contains(&quoted))
            .count()
    }

    /// [`GatewayProcess::requests_to`] once every request answered so far is
    /// in the log: the gateway logs a request before answering it, so once
    /// the line of a fresh `GET /health` has come through the pipe, the
    /// lines of everything answered before it have too.
    pub async fn logged_requests_to(&self, route: &str) -> usize {
        let health = mpos_wire::api::paths::HEALTH;
        let before = self.requests_to(health);
        let response = self
            .http
            .get(self.url(health))
            .send()
            .await
            .expect("health check");
        assert!(
            response.status().is_success(),
            "health: {}",
            response.status()
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while self.requests_to(health) <= before {
            assert!(
                std::time::Instant::now() < deadline,
                "the gateway did not log the health check"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.requests_to(route)
    }

    /// Stops the process and hands back its data directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill().await;
        self.data_dir
    }
}

/// A reqwest client on rustls (ring) that trusts the certificates of `pem`.
pub fn https_client(pem: &str) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in certificates_from_pem(pem) {
        roots.add(cert).expect("add root");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

fn certificates_from_pem(pem: &str) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("certificate PEM")
}
