//! The administrators' second factor: TOTP (RFC 6238: HMAC-SHA-1, 6 digits,
//! 30-second steps, one step of clock drift either way, each step accepted
//! once), its enrolment QR code, and single-use recovery codes.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per TOTP step.
pub const STEP_SECONDS: u64 = 30;
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Letters of a recovery code (no 0/O, 1/I/L to misread).
const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters of a recovery code, shown as two groups of five.
const RECOVERY_LENGTH: usize = 10;

/// A fresh random TOTP secret (160 bits, as RFC 4226 recommends), base32.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::thread_rng().gen();
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => unreachable!("to_encoded encodes"),
    }
}

fn totp(secret_base32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS, bytes).ok()
}

/// The TOTP time step containing `now`.
pub fn step_at(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0) / STEP_SECONDS
}

/// The code of `step`.
pub fn code_at_step(secret_base32: &str, step: u64) -> Option<String> {
    totp(secret_base32).map(|t| t.generate(step * STEP_SECONDS))
}

/// The time step whose code `code` is, within one step of `now`; `None` if none.
/// The caller still refuses a step already used (`Admins::use_totp_step`).
pub fn matching_step(secret_base32: &str, code: &str, now: OffsetDateTime) -> Option<u64> {
    let totp = totp(secret_base32)?;
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_at(now);
    // Every candidate is computed and compared, so the time taken says nothing.
    let mut found = None;
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = totp.generate(step * STEP_SECONDS);
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// The `otpauth://` URI an authenticator app reads from the enrolment QR code.
pub fn enrolment_uri(issuer: &str, account: &str, secret_base32: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret_base32}&issuer={issuer}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        account = percent_encode(account),
    )
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The enrolment QR code as an SVG element.
pub fn enrolment_qr_svg(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// Fresh recovery codes, as the administrator writes them down (`ABCDE-FGHJK`).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let letters: String = (0..RECOVERY_LENGTH)
                .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &letters[..5], &letters[5..])
        })
        .collect()
}

/// The keyed digest a recovery code is stored as: HMAC-SHA-256 under the
/// pepper of the code without dashes or spaces, upper-cased.
pub fn recovery_digest(pepper_key: &[u8], code: &str) -> String {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let mut mac = Hmac::<Sha256>::new_from_slice(pepper_key).expect("HMAC takes any key length");
    mac.update(b"mpos recovery code\0");
    mac.update(normalized.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32.
    const RFC_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    #[test]
    fn rfc_6238_vectors_in_six_digits() {
        // Appendix B's 8-digit SHA-1 values, last six digits.
        for (unix, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let step = step_at(at(unix));
            assert_eq!(code_at_step(RFC_SEED, step).unwrap(), &eight[2..]);
            assert_eq!(matching_step(RFC_SEED, &eight[2..], at(unix)), Some(step));
        }
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let now = at(1_234_567_890);
        let step = step_at(now);
        for drift in [-1i64, 0, 1] {
            let s = (step as i64 + drift) as u64;
            let code = code_at_step(RFC_SEED, s).unwrap();
            assert_eq!(matching_step(RFC_SEED, &code, now), Some(s));
        }
        for drift in [-3i64, -2, 2, 3] {
            let code = code_at_step(RFC_SEED, (step as i64 + drift) as u64).unwrap();
            let matched = matching_step(RFC_SEED, &code, now);
            // A far step's code could collide with a near one by chance (1 in 10^6).
            assert!(matched.is_none() || code_at_step(RFC_SEED, matched.unwrap()) == Some(code));
        }
        assert_eq!(matching_step(RFC_SEED, "12345", now), None);
        assert_eq!(matching_step(RFC_SEED, "abcdef", now), None);
    }

    #[test]
    fn fresh_secrets_are_160_bits_and_differ() {
        let a = new_secret();
        assert_eq!(Secret::Encoded(a.clone()).to_bytes().unwrap().len(), 20);
        assert_ne!(a, new_secret());
    }

    #[test]
    fn enrolment_uri_names_issuer_and_account_escaped() {
        let uri = enrolment_uri("mpos 特店", "boss", "ABC");
        assert!(uri.starts_with(
            "otpauth://totp/mpos%20%E7%89%B9%E5%BA%97:boss?secret=ABC&issuer=mpos%20"
        ));
        assert!(enrolment_qr_svg(&uri).contains("<svg"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_digests_ignore_format() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        let key = [7u8; 32];
        assert_eq!(
            recovery_digest(&key, code),
            recovery_digest(&key, &code.replace('-', " ").to_lowercase())
        );
        assert_ne!(
            recovery_digest(&key, code),
            recovery_digest(&[8u8; 32], code)
        );
    }
}
