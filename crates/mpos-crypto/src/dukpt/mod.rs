//! Derived Unique Key Per Transaction: every card read is encrypted under a
//! key used once, derived from a base derivation key (BDK) the reader never holds.
//!
//! [`aes128`] is the current scheme (ANSI X9.24-3-2017) used by the reader
//! envelope; [`tdes`] is the legacy scheme (ANSI X9.24-1:2009) that deployed
//! audio-jack readers still speak.

pub mod aes128;
pub mod tdes;

use std::fmt;

/// A 16-byte key (AES-128 or double-length TDES) whose `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key16([u8; 16]);

impl Key16 {
    /// Wraps raw key bytes.
    pub const fn new(bytes: [u8; 16]) -> Self {
        Key16(bytes)
    }

    /// Parses 32 hex digits.
    pub fn from_hex(hex_key: &str) -> Result<Self, DukptError> {
        let bytes = hex::decode(hex_key).map_err(|_| DukptError::MalformedKey)?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| DukptError::MalformedKey)?;
        Ok(Key16(bytes))
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The key as 32 uppercase hex digits (for test comparisons and key ceremonies only).
    pub fn to_hex(&self) -> String {
        hex::encode_upper(self.0)
    }
}

impl fmt::Debug for Key16 {
    /// Keys never reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key16(<redacted>)")
    }
}

/// Why a DUKPT derivation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DukptError {
    /// Counter 0 is never used for a transaction: the first key is counter 1.
    #[error("DUKPT counter 0 is not a transaction counter")]
    ZeroCounter,
    /// A valid counter has at most the scheme's number of one bits.
    #[error("DUKPT counter {counter:#x} has {ones} one bits; at most {max} are allowed")]
    TooManyOneBits {
        /// The refused counter.
        counter: u32,
        /// How many one bits it has.
        ones: u32,
        /// The scheme's limit.
        max: u32,
    },
    /// Ciphertext is empty or not a whole number of cipher blocks.
    #[error("ciphertext is not a whole number of cipher blocks")]
    MalformedCiphertext,
    /// A key serial number has the wrong length or is not hex.
    #[error("malformed key serial number")]
    MalformedKsn,
    /// A key is not 32 hex digits.
    #[error("malformed key: expected 32 hex digits")]
    MalformedKey,
}

/// The smallest counter above `counter` with at most `max_ones` one bits, or
/// `None` on 32-bit overflow. A counter with too many one bits is skipped by
/// adding its lowest one bit, which clears a run of ones (X9.24-1 A.2,
/// X9.24-3 6.5).
fn next_counter_with(counter: u32, max_ones: u32) -> Option<u32> {
    let mut next = counter.checked_add(1)?;
    while next.count_ones() > max_ones {
        next = next.checked_add(next & next.wrapping_neg())?;
    }
    Some(next)
}

/// How many counters of `bits` bits with at most `max_ones` one bits lie
/// above `counter`: the transactions a device has left before its key must
/// be injected again.
fn counters_left_with(counter: u32, max_ones: u32, bits: u32) -> u64 {
    let top = if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    };
    counters_up_to(top, max_ones) - counters_up_to(counter.min(top), max_ones)
}

/// How many values in `0..=limit` have at most `max_ones` one bits.
fn counters_up_to(limit: u32, max_ones: u32) -> u64 {
    let mut count = 0u64;
    let mut ones = 0u32;
    for bit in (0..32u32).rev() {
        if limit & (1 << bit) == 0 {
            continue;
        }
        // This bit 0 and anything below: every value under the prefix so far.
        count += (0..=max_ones - ones).map(|j| binomial(bit, j)).sum::<u64>();
        ones += 1;
        if ones > max_ones {
            return count;
        }
    }
    count + 1
}

/// n choose k (0 when k > n).
fn binomial(n: u32, k: u32) -> u64 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    (0..k).fold(1u64, |acc, i| acc * u64::from(n - i) / u64::from(i + 1))
}

/// Checks the rules both schemes share: not zero, at most `max_ones` one bits.
fn check_counter(counter: u32, max_ones: u32) -> Result<(), DukptError> {
    if counter == 0 {
        return Err(DukptError::ZeroCounter);
    }
    let ones = counter.count_ones();
    if ones > max_ones {
        return Err(DukptError::TooManyOneBits {
            counter,
            ones,
            max: max_ones,
        });
    }
    Ok(())
}
