//! Everything the demo's phone talks to, on loopback: an embedded gateway
//! over TLS with a temporary SQLite file, a real SMTP server, and the SMS
//! provider stand-in that speaks the gateway's SMS adapter format.

use crate::demo::DemoError;
use mpos_gateway::config::{
    BdkConfig, BdkScheme, HsmConfig, IssuerMasterKeyConfig, Mode, SmsConfig, SmtpConfig, SmtpTls,
};
use mpos_gateway::{GatewayConfig, RunningGateway, StartOptions};
use mpos_testkit::sms_provider::FakeSmsProvider;
use mpos_testkit::smtp_server::SmtpServer;
use mpos_wire::api::{paths, AdminUser, CreateUserRequest};
use mpos_wire::{ApiError, Brand};
use std::time::Duration;

/// How long the demo waits for an e-mail or SMS to arrive.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);

/// The running back office of the demo.
pub struct Environment {
    /// The embedded gateway.
    pub gateway: RunningGateway,
    /// Loopback SMTP server receiving every e-mail the gateway sends.
    pub smtp: SmtpServer,
    /// SMS provider stand-in receiving every text message.
    pub sms: FakeSmsProvider,
    admin: reqwest::Client,
    _data_dir: tempfile::TempDir,
}

impl Environment {
    /// Starts SMTP, SMS provider and gateway in a fresh temporary directory.
    pub async fn start() -> Result<Environment, DemoError> {
        let data_dir = tempfile::tempdir()
            .map_err(|e| DemoError::Setup(format!("temporary directory: {e}")))?;
        let smtp = SmtpServer::start()
            .await
            .map_err(|e| DemoError::Setup(format!("SMTP server: {e}")))?;
        let sms_token = "demo-sms-token".to_string();
        let sms = FakeSmsProvider::start(Some(sms_token.clone()))
            .await
            .map_err(|e| DemoError::Setup(format!("SMS provider: {e}")))?;

        // The published AES DUKPT test BDK, injected into the virtual reader
        // too, the published TDES DUKPT test BDK for legacy readers, and the
        // published EMV test issuer master key the chip cards are
        // personalised under: test keys live in test configuration only.
        let mut config = GatewayConfig::new(HsmConfig {
            bdks: vec![
                BdkConfig {
                    id_hex: hex_upper(&mpos_sim::TEST_BDK_ID),
                    bdk_hex: hex_upper(&mpos_sim::TEST_BDK),
                    scheme: BdkScheme::Aes128,
                },
                BdkConfig {
                    id_hex: hex_upper(&mpos_sim::TEST_TDES_KSI),
                    bdk_hex: hex_upper(&mpos_sim::TEST_TDES_BDK),
                    scheme: BdkScheme::Tdes,
                },
            ],
            issuer_master_keys: Brand::ALL
                .into_iter()
                .map(|brand| IssuerMasterKeyConfig {
                    brand: Some(brand),
                    bin_prefix: None,
                    imk_hex: hex_upper(&mpos_sim::TEST_ISSUER_MASTER_KEY),
                })
                .collect(),
            token_key_hex: None,
            zone_pin_key_hex: None,
        });
        // Development mode: the test keys, and the demo's own loopback SMTP in plain text.
        config.mode = Mode::Development;
        config.smtp = Some(SmtpConfig {
            host: smtp.addr().ip().to_string(),
            port: smtp.addr().port(),
            from: "mpos@gateway.demo".into(),
            tls: SmtpTls::None,
            ca_cert_path: None,
        });
        config.sms = Some(SmsConfig {
            url: format!("{}{}", sms.url(), mpos_testkit::sms_provider::MESSAGES_PATH),
            bearer_token: Some(sms_token),
        });
        let gateway = mpos_gateway::start(StartOptions {
            data_dir: data_dir.path().join("gateway"),
            listen: "127.0.0.1:0".parse().expect("literal address"),
            config,
            tls: None,
            test_clock: false,
        })
        .await
        .map_err(|e| DemoError::Setup(format!("gateway: {e}")))?;

        let admin = reqwest::Client::builder()
            .use_preconfigured_tls(trusting(&gateway.cert_pem)?)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| DemoError::Setup(format!("admin client: {e}")))?;
        Ok(Environment {
            gateway,
            smtp,
            sms,
            admin,
            _data_dir: data_dir,
        })
    }

    /// The administrator creates a phone user in the merchant portal's API.
    pub async fn create_user(&self, request: &CreateUserRequest) -> Result<AdminUser, DemoError> {
        let response = self
            .admin
            .post(format!("{}{}", self.gateway.base_url(), paths::ADMIN_USERS))
            .bearer_auth(&self.gateway.admin_token)
            .json(request)
            .send()
            .await
            .map_err(|e| DemoError::Gateway(e.to_string()))?;
        if !response.status().is_success() {
            let error: ApiError = response
                .json()
                .await
                .map_err(|e| DemoError::Gateway(e.to_string()))?;
            return Err(DemoError::Gateway(error.to_string()));
        }
        response
            .json()
            .await
            .map_err(|e| DemoError::Gateway(e.to_string()))
    }

    /// Every transaction, as the merchant portal lists them.
    pub async fn all_transactions(&self) -> Result<mpos_wire::api::TransactionList, DemoError> {
        self.admin
            .get(format!(
                "{}{}",
                self.gateway.base_url(),
                paths::ADMIN_TRANSACTIONS
            ))
            .bearer_auth(&self.gateway.admin_token)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| DemoError::Gateway(e.to_string()))?
            .json()
            .await
            .map_err(|e| DemoError::Gateway(e.to_string()))
    }

    /// The account name and default password from the activation e-mail to `email`.
    pub async fn activation_mail(&self, email: &str) -> Result<(String, String), DemoError> {
        let mail = self
            .smtp
            .wait_for_message(
                |mail| mail.to.iter().any(|to| to == email),
                DELIVERY_TIMEOUT,
            )
            .await
            .map_err(|_| DemoError::Delivery(format!("no activation e-mail reached {email}")))?;
        let body = mail
            .text_body()
            .map_err(|e| DemoError::Delivery(format!("activation e-mail: {e}")))?;
        let account = mpos_testkit::activation::account_name(&body)
            .map_err(|e| DemoError::Delivery(format!("activation e-mail: {e}")))?;
        let password = mpos_testkit::activation::default_password(&body)
            .map_err(|e| DemoError::Delivery(format!("activation e-mail: {e}")))?;
        Ok((account, password))
    }

    /// The activation code from the SMS to `phone`.
    pub async fn activation_sms(&self, phone: &str) -> Result<String, DemoError> {
        let sms = self
            .sms
            .wait_for_message(|sms| sms.to.ends_with(&phone[1..]), DELIVERY_TIMEOUT)
            .await
            .map_err(|_| DemoError::Delivery(format!("no activation SMS reached {phone}")))?;
        mpos_testkit::activation::activation_code(&sms.message)
            .map_err(|e| DemoError::Delivery(format!("activation SMS: {e}")))
    }

    /// Waits for an e-mail to `to` whose body mentions `needle`.
    pub async fn wait_for_mail_mentioning(&self, to: &str, needle: &str) -> Result<(), DemoError> {
        self.smtp
            .wait_for_message(
                |mail| {
                    mail.to.iter().any(|t| t == to)
                        && mail.text_body().is_ok_and(|b| b.contains(needle))
                },
                DELIVERY_TIMEOUT,
            )
            .await
            .map(|_| ())
            .map_err(|_| DemoError::Delivery(format!("no e-mail to {to} mentioning {needle}")))
    }

    /// Waits for an SMS to `phone` that mentions `needle`.
    pub async fn wait_for_sms_mentioning(
        &self,
        phone: &str,
        needle: &str,
    ) -> Result<(), DemoError> {
        self.sms
            .wait_for_message(
                |sms| sms.to.ends_with(&phone[1..]) && sms.message.contains(needle),
                DELIVERY_TIMEOUT,
            )
            .await
            .map(|_| ())
            .map_err(|_| DemoError::Delivery(format!("no SMS to {phone} mentioning {needle}")))
    }
}

/// A rustls client configuration that trusts one PEM certificate.
pub fn trusting(cert_pem: &str) -> Result<rustls::ClientConfig, DemoError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(cert_pem.as_bytes()) {
        let cert = cert.map_err(|e| DemoError::Setup(format!("gateway certificate: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| DemoError::Setup(format!("gateway certificate: {e}")))?;
    }
    Ok(
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| DemoError::Setup(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
