//! Server-certificate checking for the gateway: the chain must verify
//! against the configured trust root (rustls' own WebPKI verifier: names,
//! dates, signatures), and the end-entity certificate's public key must be
//! the pinned one: SHA-256 over its DER `SubjectPublicKeyInfo`, as in
//! HPKP (RFC 7469) and OkHttp's `CertificatePinner`.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Why the pinning verifier could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinningError {
    /// The trust root PEM holds no certificate.
    #[error("the trust root PEM holds no certificate")]
    NoTrustRoot,
    /// A trust root certificate could not be parsed.
    #[error("the trust root is not a usable certificate: {0}")]
    BadTrustRoot(String),
    /// The pin is not 64 hex digits.
    #[error("the pinned key must be a SHA-256 hash: 64 hex digits")]
    BadPin,
    /// rustls refused to build the verifier.
    #[error("could not build the certificate verifier: {0}")]
    Verifier(String),
}

/// The handshake error raised when the server's key is not the pinned one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server's public key {actual} is not the pinned key")]
pub struct PinMismatch {
    /// SHA-256 of the key the server presented, hex.
    pub actual: String,
}

/// SHA-256 of a certificate's DER `SubjectPublicKeyInfo` (outer SEQUENCE included).
pub fn spki_sha256(certificate: &CertificateDer<'_>) -> Result<[u8; 32], webpki::Error> {
    let parsed = webpki::EndEntityCert::try_from(certificate)?;
    Ok(Sha256::digest(parsed.subject_public_key_info().as_ref()).into())
}

/// When a DER certificate expires (its `notAfter`), Unix seconds; `None`
/// when it cannot be read. Only called on a certificate the handshake
/// already verified, for the pre-shift check's days-left line.
pub fn certificate_not_after(der: &[u8]) -> Option<i64> {
    mpos_crypto::x509::validity(der).map(|validity| validity.not_after)
}

/// The rustls crypto provider of the whole phone side: ring.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A [`ServerCertVerifier`] that needs both a valid chain and the pinned key.
#[derive(Debug)]
pub struct PinnedServerVerifier {
    chain: Arc<WebPkiServerVerifier>,
    /// The current key first, then backups (a key rotation: `docs/deploy.md`).
    pins: Vec<[u8; 32]>,
}

impl PinnedServerVerifier {
    /// Trusts the certificates of `trust_root_pem` and pins the keys of
    /// `pinned_spki_sha256`: one or more SHA-256 hashes (hex), separated by
    /// commas, the current key first and then the backup the gateway will
    /// move to, so a key rotation never strands a phone.
    pub fn new(
        trust_root_pem: &str,
        pinned_spki_sha256: &str,
    ) -> Result<PinnedServerVerifier, PinningError> {
        let pins = pinned_spki_sha256
            .split(',')
            .map(parse_pin)
            .collect::<Result<Vec<_>, _>>()?;
        let mut roots = RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(trust_root_pem.as_bytes()) {
            let certificate = certificate.map_err(|e| PinningError::BadTrustRoot(e.to_string()))?;
            roots
                .add(certificate)
                .map_err(|e| PinningError::BadTrustRoot(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(PinningError::NoTrustRoot);
        }
        let chain = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| PinningError::Verifier(e.to_string()))?;
        Ok(PinnedServerVerifier { chain, pins })
    }

    /// A rustls client configuration that uses this verifier (ring, TLS 1.2 and 1.3).
    pub fn into_client_config(self) -> Result<rustls::ClientConfig, PinningError> {
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| PinningError::Verifier(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(self))
            .with_no_client_auth();
        Ok(config)
    }
}

impl ServerCertVerifier for PinnedServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.chain.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let actual = spki_sha256(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        // Both values are public; a constant-time compare is not needed.
        if !self.pins.contains(&actual) {
            let mismatch = PinMismatch {
                actual: hex::encode(actual),
            };
            tracing::warn!(actual = %mismatch.actual, "gateway certificate key is not the pinned key");
            return Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(mismatch)),
            )));
        }
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chain.supported_verify_schemes()
    }
}

/// Whether an error, or anything it wraps, is a [`PinMismatch`].
///
/// reqwest wraps hyper's error, which wraps an `io::Error`, which wraps the
/// rustls error; `io::Error::source` skips its payload, so each `io::Error`
/// is opened with `get_ref` on the way down.
pub fn is_pin_mismatch(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = current {
        if error.is::<PinMismatch>() {
            return true;
        }
        if let Some(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner)))) =
            error.downcast_ref::<rustls::Error>()
        {
            return inner.is::<PinMismatch>();
        }
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if is_pin_mismatch(inner) {
                    return true;
                }
            }
        }
        current = error.source();
    }
    false
}

/// Whether a connection failed because rustls rejected the server's
/// certificate (unknown issuer, expired, wrong name...): the TLS handshake
/// failed, so no request was written.
pub fn is_certificate_rejected(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = current {
        if let Some(rustls::Error::InvalidCertificate(_)) = error.downcast_ref::<rustls::Error>() {
            return true;
        }
        if let Some(inner) = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            if is_certificate_rejected(inner) {
                return true;
            }
        }
        current = error.source();
    }
    false
}

fn parse_pin(text: &str) -> Result<[u8; 32], PinningError> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ':').collect();
    let bytes = hex::decode(cleaned).map_err(|_| PinningError::BadPin)?;
    bytes.try_into().map_err(|_| PinningError::BadPin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    struct Pki {
        root_pem: String,
        leaf: CertificateDer<'static>,
        leaf_key: KeyPair,
    }

    fn pki() -> Pki {
        pki_named("mpos test root")
    }

    fn pki_named(root_name: &str) -> Pki {
        let root_key = KeyPair::generate().unwrap();
        let mut root_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        root_params
            .distinguished_name
            .push(DnType::CommonName, root_name);
        root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let root = root_params.self_signed(&root_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf_params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let leaf = leaf_params.signed_by(&leaf_key, &root, &root_key).unwrap();
        Pki {
            root_pem: root.pem(),
            leaf: leaf.der().clone(),
            leaf_key,
        }
    }

    fn verify(
        verifier: &PinnedServerVerifier,
        leaf: &CertificateDer<'_>,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let name = ServerName::try_from("localhost").unwrap();
        verifier.verify_server_cert(leaf, &[], &name, &[], UnixTime::now())
    }

    #[test]
    fn the_expiry_is_the_certificates_not_after() {
        let pki = pki();
        assert!(certificate_not_after(pki.leaf.as_ref()).is_some());
        assert_eq!(certificate_not_after(b"not a certificate"), None);
    }

    #[test]
    fn spki_hash_is_the_hash_of_the_key_der() {
        let pki = pki();
        let expected: [u8; 32] = Sha256::digest(pki.leaf_key.public_key_der()).into();
        assert_eq!(spki_sha256(&pki.leaf).unwrap(), expected);
    }

    #[test]
    fn matching_pin_and_chain_are_accepted() {
        let pki = pki();
        let pin = hex::encode(spki_sha256(&pki.leaf).unwrap());
        let verifier = PinnedServerVerifier::new(&pki.root_pem, &pin).unwrap();
        assert!(verify(&verifier, &pki.leaf).is_ok());
        // Upper case and colon-separated pins are the same pin.
        let colons = pin
            .to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(":");
        let verifier = PinnedServerVerifier::new(&pki.root_pem, &colons).unwrap();
        assert!(verify(&verifier, &pki.leaf).is_ok());
    }

    #[test]
    fn a_backup_pin_lets_the_gateway_rotate_to_its_next_key() {
        // The app ships pinning "current,next"; the gateway moves to the
        // next key; phones on that app keep working, and a third key is refused.
        let current = KeyPair::generate().unwrap();
        let pki = pki();
        let pins = format!(
            "{},{}",
            hex::encode(Sha256::digest(current.public_key_der())),
            hex::encode(spki_sha256(&pki.leaf).unwrap())
        );
        let verifier = PinnedServerVerifier::new(&pki.root_pem, &pins).unwrap();
        assert!(verify(&verifier, &pki.leaf).is_ok(), "the rotated-to key");
        let only_current = hex::encode(Sha256::digest(current.public_key_der()));
        let verifier = PinnedServerVerifier::new(&pki.root_pem, &only_current).unwrap();
        assert!(is_pin_mismatch(&verify(&verifier, &pki.leaf).unwrap_err()));
        assert!(matches!(
            PinnedServerVerifier::new(&pki.root_pem, &format!("{only_current},zz")),
            Err(PinningError::BadPin)
        ));
    }

    #[test]
    fn valid_chain_with_another_key_is_refused_as_a_pin_mismatch() {
        let pki = pki();
        let other = KeyPair::generate().unwrap();
        let pin = hex::encode(Sha256::digest(other.public_key_der()));
        let verifier = PinnedServerVerifier::new(&pki.root_pem, &pin).unwrap();
        let error = verify(&verifier, &pki.leaf).unwrap_err();
        assert!(is_pin_mismatch(&error), "{error:?}");
        let wrapped = std::io::Error::new(std::io::ErrorKind::InvalidData, error);
        assert!(is_pin_mismatch(&wrapped));
    }

    #[test]
    fn pinned_key_under_an_untrusted_root_is_refused() {
        let trusted = pki_named("mpos test root");
        let rogue = pki_named("rogue root");
        // The rogue leaf's own key is pinned, but its chain is not trusted.
        let pin = hex::encode(spki_sha256(&rogue.leaf).unwrap());
        let verifier = PinnedServerVerifier::new(&trusted.root_pem, &pin).unwrap();
        let error = verify(&verifier, &rogue.leaf).unwrap_err();
        assert!(
            matches!(
                error,
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
            ),
            "{error:?}"
        );
        assert!(!is_pin_mismatch(&error));
        // A rogue root that copies the trusted root's name fails on the signature.
        let impostor = pki_named("mpos test root");
        let pin = hex::encode(spki_sha256(&impostor.leaf).unwrap());
        let verifier = PinnedServerVerifier::new(&trusted.root_pem, &pin).unwrap();
        let error = verify(&verifier, &impostor.leaf).unwrap_err();
        assert!(
            matches!(
                error,
                rustls::Error::InvalidCertificate(CertificateError::BadSignature)
            ),
            "{error:?}"
        );
    }

    #[test]
    fn wrong_host_name_is_refused_even_with_the_pin() {
        let pki = pki();
        let pin = hex::encode(spki_sha256(&pki.leaf).unwrap());
        let verifier = PinnedServerVerifier::new(&pki.root_pem, &pin).unwrap();
        let name = ServerName::try_from("gateway.example").unwrap();
        assert!(verifier
            .verify_server_cert(&pki.leaf, &[], &name, &[], UnixTime::now())
            .is_err());
    }

    #[test]
    fn bad_configuration_is_a_typed_error() {
        let pki = pki();
        let pin = "00".repeat(32);
        assert_eq!(
            PinnedServerVerifier::new("", &pin).unwrap_err(),
            PinningError::NoTrustRoot
        );
        assert_eq!(
            PinnedServerVerifier::new(&pki.root_pem, "abc").unwrap_err(),
            PinningError::BadPin
        );
        assert_eq!(
            PinnedServerVerifier::new(&pki.root_pem, &"zz".repeat(32)).unwrap_err(),
            PinningError::BadPin
        );
        assert_eq!(
            PinnedServerVerifier::new(&pki.root_pem, &"00".repeat(31)).unwrap_err(),
            PinningError::BadPin
        );
    }

    #[test]
    fn unrelated_errors_are_not_pin_mismatches() {
        let error = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(!is_pin_mismatch(&error));
        assert!(!is_pin_mismatch(&rustls::Error::InvalidCertificate(
            CertificateError::Expired
        )));
    }
}
