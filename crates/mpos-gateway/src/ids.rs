//! Random identifiers, tokens and codes, all from the operating system's CSPRNG.

use rand::rngs::OsRng;
use rand::{Rng, RngCore};

/// A 128-bit random id with a readable prefix, e.g. `txn_3f2a...`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_hex(16))
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// `n` random decimal digits.
pub fn random_digits(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + OsRng.gen_range(0..10u8)))
        .collect()
}

/// `n` random characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn random_password(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    (0..n)
        .map(|_| char::from(ALPHABET[OsRng.gen_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(new_id("txn").len(), 4 + 32);
        assert_ne!(new_id("txn"), new_id("txn"));
        let digits = random_digits(6);
        assert_eq!(digits.len(), 6);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        let password = random_password(8);
        assert_eq!(password.chars().count(), 8);
        assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
