//! Starts the real `mpos-gateway` binary with a test configuration and
//! reads its `ready` line.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Published AES-128 DUKPT test BDK (ANSI X9.24-3 test vectors), test configuration only.
pub const TEST_BDK_HEX: &str = "FEDCBA9876543210F1F1F1F1F1F1F1F1";

/// What a test can change in the gateway's configuration.
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    /// Loopback SMTP server port, or `None` for the mail outbox.
    pub smtp_port: Option<u16>,
    /// Fake SMS provider URL, or `None` for the SMS outbox.
    pub sms_url: Option<String>,
    /// Bearer token the SMS provider expects.
    pub sms_token: Option<String>,
    /// How long the slow test issuer takes.
    pub slow_issuer_ms: u64,
}

impl Default for GatewayOptions {
    fn default() -> Self {
        GatewayOptions {
            smtp_port: None,
            sms_url: None,
            sms_token: None,
            slow_issuer_ms: 3_000,
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
}

/// Path of a binary built next to this test executable (`target/debug/NAME`).
pub fn workspace_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first with `cargo build -p {name} --bins` (tests/run.sh does)",
        path.display()
    );
    path
}

/// The JSON configuration a test gateway runs with.
pub fn test_config(options: &GatewayOptions) -> Value {
    json!({
        "merchant": { "id": "000812345678901", "name": "mpos 測試商店 Test Shop" },
        "brands": [
            { "brand": "visa", "accepted": true, "signature": { "rule": "above", "minor": 300000 }, "pin_required": false },
            { "brand": "mastercard", "accepted": true, "signature": { "rule": "above", "minor": 300000 }, "pin_required": false },
            { "brand": "jcb", "accepted": true, "signature": { "rule": "never" }, "pin_required": false },
            { "brand": "union_pay", "accepted": true, "signature": { "rule": "always" }, "pin_required": false },
            { "brand": "amex", "accepted": false, "signature": { "rule": "always" }, "pin_required": false }
        ],
        "smtp": options.smtp_port.map(|port| json!({ "host": "127.0.0.1", "port": port, "from": "mpos@gateway.test" })),
        "sms": options.sms_url.as_ref().map(|url| json!({ "url": url, "bearer_token": options.sms_token })),
        "hsm": { "bdks": [ { "id_hex": "12345678", "bdk_hex": TEST_BDK_HEX } ] },
        "issuer": { "slow_delay_ms": options.slow_issuer_ms },
        "settlement": { "auto_local_time": "23:00", "check_interval_ms": 200 }
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
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start mpos-gateway");
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
            panic!("mpos-gateway exited before it was ready");
        })
        .await
        .expect("mpos-gateway ready within 60 s");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let text = |key: &str| ready[key].as_str().unwrap_or_else(|| panic!("ready line lacks {key}: {ready}")).to_string();
        let cert_pem = std::fs::read_to_string(text("cert_path")).expect("read cert");
        let admin_token = std::fs::read_to_string(text("admin_token_path"))
            .expect("read admin token")
            .trim()
            .to_string();
        GatewayProcess {
            child,
            base_url: text("base_url"),
            cert_pem,
            spki_sha256: text("spki_sha256"),
            admin_token,
            data_dir,
        }
    }

    /// An HTTPS client that trusts this gateway's certificate.
    pub fn http(&self) -> reqwest::Client {
        let mut roots = rustls::RootCertStore::empty();
        for cert in certificates_from_pem(&self.cert_pem) {
            roots.add(cert).expect("add root");
        }
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        reqwest::Client::builder()
            .use_preconfigured_tls(config)
            .build()
            .expect("http client")
    }

    /// Sets the gateway's clock (RFC 3339).
    pub async fn set_clock(&self, now: &str) {
        let response = self
            .http()
            .put(format!("{}{}", self.base_url, mpos_wire::api::paths::TEST_CLOCK))
            .json(&mpos_wire::api::SetClockRequest { now: now.to_string() })
            .send()
            .await
            .expect("set clock");
        assert!(response.status().is_success(), "set clock: {}", response.status());
    }

    /// Stops the process and hands back its data directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill().await;
        self.data_dir
    }
}

fn certificates_from_pem(pem: &str) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("certificate PEM")
}
