//! What production mode refuses to start with. Development mode (tests,
//! the demo, a laptop) may use the settable test clock, the published test
//! keys, plain SMTP and plain-http SMS; production may not, so none of them
//! can be switched on there by accident.

use crate::config::{GatewayConfig, Mode, SmtpTls};

/// The longest a gateway certificate may be valid in production: two
/// years. A key that lives longer is a key that leaks longer; rotating it
/// uses the phone's backup pin (`docs/deploy.md`).
pub const MAX_CERTIFICATE_DAYS: i64 = 731;

/// Why production refuses the TLS certificate, if it does.
pub fn certificate_refusal(mode: Mode, validity_days: Option<i64>) -> Option<String> {
    if mode == Mode::Development {
        return None;
    }
    match validity_days {
        None => Some("the TLS certificate's validity cannot be read".to_string()),
        Some(days) if days > MAX_CERTIFICATE_DAYS => Some(format!(
            "the TLS certificate is valid for {days} days; at most {MAX_CERTIFICATE_DAYS} (two years)"
        )),
        Some(_) => None,
    }
}

/// Keys published in standards and test suites (ANSI X9.24-3's AES DUKPT
/// test BDK; X9.24-1's TDES test BDK, also the common EMV test issuer
/// master key): whoever has the standard has them.
pub const PUBLISHED_TEST_KEYS: &[&str] = &[
    "FEDCBA9876543210F1F1F1F1F1F1F1F1",
    "0123456789ABCDEFFEDCBA9876543210",
];

/// Whether `hex` is a published test key or a trivial one (every byte the same).
pub fn is_unfit_key(hex: &str) -> bool {
    let hex = hex.trim().to_ascii_uppercase();
    let trivial = hex.len() >= 2 && hex.as_bytes().chunks(2).all(|b| b == &hex.as_bytes()[..2]);
    trivial || PUBLISHED_TEST_KEYS.contains(&hex.as_str())
}

/// Every reason `config` (with the test clock asked for or not) may not run
/// in its mode; empty in development mode.
pub fn refusals(config: &GatewayConfig, test_clock: bool) -> Vec<String> {
    if config.mode == Mode::Development {
        return Vec::new();
    }
    let mut refusals = Vec::new();
    if test_clock {
        refusals.push("the settable test clock is for development mode only".to_string());
    }
    for bdk in &config.hsm.bdks {
        if is_unfit_key(&bdk.bdk_hex) {
            refusals.push(format!(
                "hsm.bdks[{}] is a published test key or a trivial one",
                bdk.id_hex
            ));
        }
    }
    for imk in &config.hsm.issuer_master_keys {
        if is_unfit_key(&imk.imk_hex) {
            refusals.push(
                "an hsm.issuer_master_keys entry is a published test key or a trivial one"
                    .to_string(),
            );
        }
    }
    if let Some(token_key) = &config.hsm.token_key_hex {
        if is_unfit_key(token_key) {
            refusals.push("hsm.token_key_hex is a published test key or a trivial one".to_string());
        }
    }
    match &config.hsm.zone_pin_key_hex {
        // A key made up at start-up is known to no issuer: every PIN the
        // gateway forwards would be unverifiable, and it changes on restart.
        None if config.brands.iter().any(|rule| rule.pin_required) => refusals.push(
            "hsm.zone_pin_key_hex must be set (the key shared with the card network) while a brand requires a PIN"
                .to_string(),
        ),
        Some(key) if is_unfit_key(key) => {
            refusals.push("hsm.zone_pin_key_hex is a published test key or a trivial one".to_string())
        }
        _ => {}
    }
    if config
        .smtp
        .as_ref()
        .is_some_and(|smtp| smtp.tls == SmtpTls::None)
    {
        refusals.push(
            "smtp.tls must be \"starttls\" or \"tls\": activation e-mails carry default passwords"
                .to_string(),
        );
    }
    if config
        .sms
        .as_ref()
        .is_some_and(|sms| !sms.url.starts_with("https://"))
    {
        refusals.push("sms.url must be https: messages carry activation codes".to_string());
    }
    refusals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BdkConfig, BdkScheme, HsmConfig, SmsConfig, SmtpConfig};

    fn with_test_keys(mode: Mode) -> GatewayConfig {
        let mut config = GatewayConfig::new(HsmConfig {
            bdks: vec![BdkConfig {
                id_hex: "11111111".into(),
                bdk_hex: "fedcba9876543210f1f1f1f1f1f1f1f1".into(),
                scheme: BdkScheme::Aes128,
            }],
            ..HsmConfig::default()
        });
        config.mode = mode;
        config.smtp = Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            from: "m@example.com".into(),
            tls: SmtpTls::None,
            ca_cert_path: None,
        });
        config.sms = Some(SmsConfig {
            url: "http://sms.example.com/send".into(),
            bearer_token: None,
        });
        config
    }

    #[test]
    fn production_refuses_test_keys_the_test_clock_plain_smtp_and_http_sms() {
        let refusals = refusals(&with_test_keys(Mode::Production), true);
        assert_eq!(refusals.len(), 5, "{refusals:?}");
        assert!(refusals[0].contains("test clock"));
        assert!(refusals[1].contains("published test key"));
        assert!(refusals[2].contains("zone_pin_key_hex"));
        assert!(refusals[3].contains("smtp.tls"));
        assert!(refusals[4].contains("https"));
    }

    #[test]
    fn production_needs_a_shared_zone_pin_key_while_a_brand_requires_a_pin() {
        // The zone-key refusal `config` gets in production, if any.
        let zone_key_refusal = |config: &GatewayConfig| {
            refusals(config, false)
                .into_iter()
                .find(|r| r.contains("zone_pin_key_hex"))
        };
        let mut config = with_test_keys(Mode::Production);
        assert!(config.brands.iter().any(|rule| rule.pin_required));
        let missing = zone_key_refusal(&config).expect("refused without a key");
        assert!(missing.contains("must be set"), "{missing}");
        config.hsm.zone_pin_key_hex = Some("11111111111111111111111111111111".into());
        let trivial = zone_key_refusal(&config).expect("refused with a trivial key");
        assert!(
            trivial.contains("published test key or a trivial"),
            "{trivial}"
        );
        config.hsm.zone_pin_key_hex = Some("8E3A0C5B71D94F26A1B0C3D4E5F60718".into());
        assert_eq!(zone_key_refusal(&config), None);
        // No brand asks a PIN: no zone key is needed.
        config.hsm.zone_pin_key_hex = None;
        config
            .brands
            .iter_mut()
            .for_each(|rule| rule.pin_required = false);
        assert_eq!(zone_key_refusal(&config), None);
        assert!(refusals(&with_test_keys(Mode::Development), false).is_empty());
    }

    #[test]
    fn production_refuses_a_certificate_of_more_than_two_years() {
        assert_eq!(certificate_refusal(Mode::Production, Some(397)), None);
        assert_eq!(certificate_refusal(Mode::Production, Some(731)), None);
        assert!(certificate_refusal(Mode::Production, Some(732)).is_some());
        assert!(certificate_refusal(Mode::Production, None).is_some());
        assert_eq!(certificate_refusal(Mode::Development, Some(3_650)), None);
    }

    #[test]
    fn development_allows_them_all() {
        assert!(refusals(&with_test_keys(Mode::Development), true).is_empty());
    }

    #[test]
    fn trivial_keys_are_unfit_and_random_ones_are_not() {
        assert!(is_unfit_key("00000000000000000000000000000000"));
        assert!(is_unfit_key("0123456789abcdeffedcba9876543210"));
        assert!(!is_unfit_key("8E3A0C5B71D94F26A1B0C3D4E5F60718"));
    }
}
