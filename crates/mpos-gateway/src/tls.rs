//! The server certificate: loaded from PEM files, or generated once
//! (self-signed for `localhost` and `127.0.0.1`) and kept in the data directory.

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why the TLS identity could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("TLS file {path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The PEM holds no certificate or no private key.
    #[error("TLS file {0} holds no usable certificate or private key")]
    Pem(PathBuf),
    /// Generating or reading the key failed.
    #[error("TLS key: {0}")]
    Key(#[from] rcgen::Error),
    /// rustls refused the certificate or key.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// How long a generated certificate is valid: the CA/Browser Forum's limit
/// for public TLS certificates, so the phones' pre-shift check counts down
/// to a real renewal date (the pin is on the key, which a renewal keeps).
pub const GENERATED_VALIDITY_DAYS: i64 = 397;

/// A self-signed certificate for `localhost` and `127.0.0.1`, valid from an
/// hour before `now` (clocks differ) for [`GENERATED_VALIDITY_DAYS`].
fn self_signed(
    key_pair: &rcgen::KeyPair,
    now: time::OffsetDateTime,
) -> Result<rcgen::Certificate, rcgen::Error> {
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(GENERATED_VALIDITY_DAYS);
    params.self_signed(key_pair)
}

/// The certificate and key the server presents.
pub struct TlsIdentity {
    /// Certificate chain, PEM.
    pub cert_pem: String,
    /// Where the certificate lives.
    pub cert_path: PathBuf,
    /// SHA-256 of the leaf's SubjectPublicKeyInfo, hex (for pinning).
    pub spki_sha256_hex: String,
    /// How many days the leaf is valid for, from `notBefore` to `notAfter`.
    pub validity_days: Option<i64>,
    /// The rustls server configuration (ring provider, HTTP/2 and HTTP/1.1).
    pub server_config: Arc<rustls::ServerConfig>,
}

fn read(path: &Path) -> Result<String, TlsError> {
    std::fs::read_to_string(path).map_err(|source| TlsError::Io {
        path: path.into(),
        source,
    })
}

fn write(path: &Path, contents: &str) -> Result<(), TlsError> {
    let io = |source| TlsError::Io {
        path: path.into(),
        source,
    };
    if path.exists() {
        std::fs::remove_file(path).map_err(io)?;
    }
    crate::private_files::write_new(path, contents.as_bytes()).map_err(io)
}

/// Loads `cert`/`key`, or — when `given` is `None` — `dir/cert.pem` and
/// `dir/key.pem`, generating them on first start.
pub fn load_or_generate(
    given: Option<(&Path, &Path)>,
    dir: &Path,
) -> Result<TlsIdentity, TlsError> {
    let (cert_path, key_path) = match given {
        Some((cert, key)) => (cert.to_path_buf(), key.to_path_buf()),
        None => {
            let cert = dir.join("cert.pem");
            let key = dir.join("key.pem");
            if !cert.exists() || !key.exists() {
                let key_pair = rcgen::KeyPair::generate()?;
                let generated = self_signed(&key_pair, time::OffsetDateTime::now_utc())?;
                write(&key, &key_pair.serialize_pem())?;
                write(&cert, &generated.pem())?;
                tracing::info!(cert = %cert.display(), "generated a self-signed TLS certificate");
            }
            (cert, key)
        }
    };
    let cert_pem = read(&cert_path)?;
    let key_pem = read(&key_path)?;
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|source| TlsError::Io {
            path: cert_path.clone(),
            source,
        })?;
    if certs.is_empty() {
        return Err(TlsError::Pem(cert_path));
    }
    let validity = mpos_crypto::x509::validity(certs[0].as_ref());
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut key_pem.as_bytes())
        .map_err(|source| TlsError::Io {
            path: key_path.clone(),
            source,
        })?
        .ok_or_else(|| TlsError::Pem(key_path.clone()))?;
    let spki = rcgen::KeyPair::from_pem(&key_pem)?.public_key_der();
    let spki_sha256_hex = hex::encode(Sha256::digest(&spki));

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsIdentity {
        cert_pem,
        cert_path,
        spki_sha256_hex,
        validity_days: validity.map(|v| v.days()),
        server_config: Arc::new(config),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_generate(None, dir.path()).unwrap();
        let second = load_or_generate(None, dir.path()).unwrap();
        assert_eq!(first.cert_pem, second.cert_pem);
        assert_eq!(first.spki_sha256_hex, second.spki_sha256_hex);
        assert_eq!(first.spki_sha256_hex.len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn missing_given_files_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        assert!(load_or_generate(Some((&missing, &missing)), dir.path()).is_err());
    }
}
