//! The form of an idempotency key: at least 128 bits, so that no client
//! can guess or collide with another's key. The phone sends 32 hex digits
//! (16 random bytes); any client may use URL-safe base64 or hex. A key is
//! 32 to 128 characters of `A-Z a-z 0-9 - _`: 32 characters of the
//! narrowest of these alphabets, hex, carry 128 bits.

/// The fewest characters in a key.
pub const MIN_LEN: usize = 32;
/// The most characters in a key.
pub const MAX_LEN: usize = 128;

/// Why a key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Shorter than [`MIN_LEN`] or longer than [`MAX_LEN`].
    #[error("an idempotency key is 32 to 128 characters (16 random bytes as hex or more)")]
    Length,
    /// A character outside `A-Z a-z 0-9 - _`.
    #[error("an idempotency key uses only A-Z, a-z, 0-9, '-' and '_'")]
    Alphabet,
}

/// Checks a key's form.
pub fn check(key: &str) -> Result<(), KeyError> {
    if !(MIN_LEN..=MAX_LEN).contains(&key.len()) {
        return Err(KeyError::Length);
    }
    if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(KeyError::Alphabet);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_random_bytes_as_hex_or_base64url_are_keys() {
        assert_eq!(check(&"0123456789abcdef".repeat(2)), Ok(()));
        assert_eq!(check("AbCdEfGhIjKlMnOpQrStUvWxYz-_0123"), Ok(()));
        assert_eq!(
            check(&format!("reversal-timeout-{}", "ab".repeat(16))),
            Ok(())
        );
    }

    #[test]
    fn short_long_or_odd_keys_are_refused() {
        assert_eq!(check("order-42"), Err(KeyError::Length));
        assert_eq!(check(&"a".repeat(31)), Err(KeyError::Length));
        assert_eq!(check(&"a".repeat(129)), Err(KeyError::Length));
        assert_eq!(
            check(&format!("{} ", "a".repeat(32))),
            Err(KeyError::Alphabet)
        );
        assert_eq!(check(&"a.b/".repeat(8)), Err(KeyError::Alphabet));
    }
}
