//! AES-128 DUKPT, ANSI X9.24-3-2017.
//!
//! The reader holds an initial key derived from the BDK and its 8-byte
//! initial key id. For a transaction counter it walks the counter's one bits
//! from the highest, deriving an intermediate key at each, and ends at the
//! counter's derivation key; working keys (PIN, MAC, data) are derived from
//! that key for one usage each. The host repeats the walk from the BDK.
//!
//! Every derivation is one AES-128 encryption of a 16-byte derivation-data
//! block under the parent key (X9.24-3 section 6.3.2):
//! `version 01 | block counter 01 | key usage (2) | algorithm (2) | length in bits (2) | 8 bytes of context`.

use super::{check_counter, next_counter_with, DukptError, Key16};
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes128;

/// A counter may have at most this many one bits (X9.24-3 section 6.1).
pub const MAX_ONE_BITS: u32 = 16;

/// Derivation-data algorithm indicator of an AES-128 key.
const ALGORITHM_AES128: u16 = 0x0002;
/// Derivation-data length field of a 128-bit key.
const LENGTH_BITS_128: u16 = 0x0080;

/// What a derived key is for; the value is the X9.24-3 key usage indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyUsage {
    /// Encrypts other keys.
    KeyEncryption,
    /// Encrypts PIN blocks.
    PinEncryption,
    /// Generates MACs.
    MacGeneration,
    /// Verifies MACs.
    MacVerification,
    /// Generates and verifies MACs.
    MacBothWays,
    /// Encrypts data.
    DataEncrypt,
    /// Decrypts data.
    DataDecrypt,
    /// Encrypts and decrypts data.
    DataBothWays,
}

impl KeyUsage {
    /// The 2-byte key usage indicator of the derivation data.
    pub fn indicator(self) -> u16 {
        match self {
            KeyUsage::KeyEncryption => 0x0002,
            KeyUsage::PinEncryption => 0x1000,
            KeyUsage::MacGeneration => 0x2000,
            KeyUsage::MacVerification => 0x2001,
            KeyUsage::MacBothWays => 0x2002,
            KeyUsage::DataEncrypt => 0x3000,
            KeyUsage::DataDecrypt => 0x3001,
            KeyUsage::DataBothWays => 0x3002,
        }
    }
}

/// Key usage indicator of an intermediate derivation key.
const USAGE_KEY_DERIVATION: u16 = 0x8000;
/// Key usage indicator of the initial key.
const USAGE_INITIAL_KEY: u16 = 0x8001;

/// Checks that a counter may be used: not zero, at most 16 one bits.
pub fn validate_counter(counter: u32) -> Result<(), DukptError> {
    check_counter(counter, MAX_ONE_BITS)
}

/// The smallest valid counter above `counter`, or `None` when the 32-bit space is exhausted.
///
/// Counters with too many one bits are skipped (see `next_counter_with`).
pub fn next_counter(counter: u32) -> Option<u32> {
    next_counter_with(counter, MAX_ONE_BITS)
}

/// How many transactions a device whose counter is `counter` has left
/// (2,448,023,842 from a fresh key).
pub fn counters_left(counter: u32) -> u64 {
    super::counters_left_with(counter, MAX_ONE_BITS, 32)
}

/// Derives the reader's initial key from the BDK and the 8-byte initial key id.
pub fn initial_key(bdk: &Key16, initial_key_id: &[u8; 8]) -> Key16 {
    derive(bdk, USAGE_INITIAL_KEY, initial_key_id)
}

/// Derives the derivation key of a transaction counter from the initial key.
pub fn derivation_key(
    initial_key: &Key16,
    initial_key_id: &[u8; 8],
    counter: u32,
) -> Result<Key16, DukptError> {
    validate_counter(counter)?;
    let mut key = initial_key.clone();
    let mut working_counter = 0u32;
    for bit in (0..32).rev().map(|shift| 1u32 << shift) {
        if counter & bit != 0 {
            working_counter |= bit;
            key = derive(
                &key,
                USAGE_KEY_DERIVATION,
                &context(initial_key_id, working_counter),
            );
        }
    }
    Ok(key)
}

/// Derives a working key for one usage from a counter's derivation key.
pub fn working_key(
    derivation_key: &Key16,
    initial_key_id: &[u8; 8],
    counter: u32,
    usage: KeyUsage,
) -> Result<Key16, DukptError> {
    validate_counter(counter)?;
    Ok(derive(
        derivation_key,
        usage.indicator(),
        &context(initial_key_id, counter),
    ))
}

/// The host's path: a working key straight from the BDK, initial key id and counter.
pub fn host_working_key(
    bdk: &Key16,
    initial_key_id: &[u8; 8],
    counter: u32,
    usage: KeyUsage,
) -> Result<Key16, DukptError> {
    let initial = initial_key(bdk, initial_key_id);
    let derivation = derivation_key(&initial, initial_key_id, counter)?;
    working_key(&derivation, initial_key_id, counter, usage)
}

/// The context of a non-initial derivation: the key id's last 4 bytes (the
/// derivation id) and the counter.
fn context(initial_key_id: &[u8; 8], counter: u32) -> [u8; 8] {
    let mut data = [0u8; 8];
    data[..4].copy_from_slice(&initial_key_id[4..]);
    data[4..].copy_from_slice(&counter.to_be_bytes());
    data
}

/// One derivation step: AES-128 encryption of the derivation data under the parent key.
fn derive(parent: &Key16, usage: u16, context: &[u8; 8]) -> Key16 {
    let mut block = [0u8; 16];
    block[0] = 0x01; // version
    block[1] = 0x01; // first (only) block of a 128-bit key
    block[2..4].copy_from_slice(&usage.to_be_bytes());
    block[4..6].copy_from_slice(&ALGORITHM_AES128.to_be_bytes());
    block[6..8].copy_from_slice(&LENGTH_BITS_128.to_be_bytes());
    block[8..].copy_from_slice(context);
    Key16::new(encrypt_block(parent, block))
}

/// AES-128 encryption of one block.
pub fn encrypt_block(key: &Key16, block: [u8; 16]) -> [u8; 16] {
    let cipher = Aes128::new(key.as_bytes().into());
    let mut block = block.into();
    cipher.encrypt_block(&mut block);
    block.into()
}

/// AES-128 decryption of one block.
pub fn decrypt_block(key: &Key16, block: [u8; 16]) -> [u8; 16] {
    let cipher = Aes128::new(key.as_bytes().into());
    let mut block = block.into();
    cipher.decrypt_block(&mut block);
    block.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_left_count_every_usable_counter_and_fall_by_one_per_transaction() {
        assert_eq!(counters_left(0), 2448023842);
        // Walking the device's own sequence: one fewer at each step.
        let mut counter = 0;
        for _ in 0..2_000 {
            let next = next_counter(counter).unwrap();
            assert_eq!(
                counters_left(counter) - counters_left(next),
                1,
                "{counter:#x}"
            );
            counter = next;
        }
        // A counter with too many one bits is never used, so it is not left either.
        assert!(validate_counter(0x1_FFFF).is_err());
        assert_eq!(counters_left(0x1_FFFF), counters_left(0x1_FFFF - 1));
        assert_eq!(counters_left(u32::MAX), 0);
    }

    const BDK: &str = "FEDCBA9876543210F1F1F1F1F1F1F1F1";
    const IKID: [u8; 8] = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];

    fn bdk() -> Key16 {
        Key16::from_hex(BDK).unwrap()
    }

    #[test]
    fn initial_key_matches_x9_24_3_vector() {
        assert_eq!(
            initial_key(&bdk(), &IKID).to_hex(),
            "1273671EA26AC29AFA4D1084127652A1"
        );
    }

    #[test]
    fn counter_one_keys_match_x9_24_3_vectors() {
        let initial = initial_key(&bdk(), &IKID);
        let derivation = derivation_key(&initial, &IKID, 1).unwrap();
        assert_eq!(derivation.to_hex(), "4F21B565BAD9835E112B6465635EAE44");
        let key = |usage| working_key(&derivation, &IKID, 1, usage).unwrap().to_hex();
        assert_eq!(
            key(KeyUsage::PinEncryption),
            "AF8CB133A78F8DC2D1359F18527593FB"
        );
        assert_eq!(
            key(KeyUsage::MacGeneration),
            "A2DC23DE6FDE0824A2BC321E08E4B8B7"
        );
        assert_eq!(
            key(KeyUsage::DataEncrypt),
            "A35C412EFD41FDB98B69797C02DCD08F"
        );
    }

    #[test]
    fn every_usage_gives_a_different_key() {
        let usages = [
            KeyUsage::KeyEncryption,
            KeyUsage::PinEncryption,
            KeyUsage::MacGeneration,
            KeyUsage::MacVerification,
            KeyUsage::MacBothWays,
            KeyUsage::DataEncrypt,
            KeyUsage::DataDecrypt,
            KeyUsage::DataBothWays,
        ];
        let keys: Vec<_> = usages
            .iter()
            .map(|&usage| host_working_key(&bdk(), &IKID, 1, usage).unwrap())
            .collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn host_path_equals_reader_path() {
        let initial = initial_key(&bdk(), &IKID);
        for counter in [1, 2, 3, 0x10, 0xFFFF, 0xFFFF_0000] {
            let derivation = derivation_key(&initial, &IKID, counter).unwrap();
            assert_eq!(
                working_key(&derivation, &IKID, counter, KeyUsage::DataEncrypt).unwrap(),
                host_working_key(&bdk(), &IKID, counter, KeyUsage::DataEncrypt).unwrap()
            );
        }
    }

    #[test]
    fn derivation_walks_each_one_bit_from_the_highest() {
        // Counter 3 = derive(bit 1) then derive(bits 1|0) from the initial key.
        let initial = initial_key(&bdk(), &IKID);
        let step_two = derive(&initial, USAGE_KEY_DERIVATION, &context(&IKID, 2));
        let step_three = derive(&step_two, USAGE_KEY_DERIVATION, &context(&IKID, 3));
        assert_eq!(derivation_key(&initial, &IKID, 3).unwrap(), step_three);
        assert_eq!(derivation_key(&initial, &IKID, 2).unwrap(), step_two);
    }

    #[test]
    fn pin_block_format_4_vector_encrypts_under_the_pin_key() {
        let pin_key = host_working_key(&bdk(), &IKID, 1, KeyUsage::PinEncryption).unwrap();
        let pin_field =
            crate::pin_block::iso4_pin_field("1234", &hex_array("2F69ADDE2E9E7ACE")).unwrap();
        let pan_field = crate::pin_block::iso4_pan_field("4111111111111111").unwrap();
        assert_eq!(
            hex::encode_upper(pin_field),
            "441234AAAAAAAAAA2F69ADDE2E9E7ACE"
        );
        assert_eq!(
            hex::encode_upper(pan_field),
            "44111111111111111000000000000000"
        );
        let block = crate::pin_block::iso4_encrypt(&pin_key, &pin_field, &pan_field);
        assert_eq!(hex::encode_upper(block), "A912150391AB65A67E52883D81CE2D15");
    }

    fn hex_array(text: &str) -> [u8; 8] {
        hex::decode(text).unwrap().try_into().unwrap()
    }

    #[test]
    fn counter_with_seventeen_one_bits_is_rejected() {
        let initial = initial_key(&bdk(), &IKID);
        assert_eq!(
            derivation_key(&initial, &IKID, 0x1FFFF),
            Err(DukptError::TooManyOneBits {
                counter: 0x1FFFF,
                ones: 17,
                max: 16
            })
        );
        assert!(derivation_key(&initial, &IKID, 0xFFFF).is_ok());
        assert!(host_working_key(&bdk(), &IKID, 0x1FFFF, KeyUsage::DataEncrypt).is_err());
    }

    #[test]
    fn counter_zero_is_rejected() {
        let initial = initial_key(&bdk(), &IKID);
        assert_eq!(
            derivation_key(&initial, &IKID, 0),
            Err(DukptError::ZeroCounter)
        );
        assert_eq!(
            host_working_key(&bdk(), &IKID, 0, KeyUsage::PinEncryption),
            Err(DukptError::ZeroCounter)
        );
    }

    #[test]
    fn next_counter_skips_counters_with_too_many_one_bits() {
        assert_eq!(next_counter(0), Some(1));
        assert_eq!(next_counter(1), Some(2));
        // 0xFFFF + 1 = 0x10000 has one bit: fine.
        assert_eq!(next_counter(0xFFFF), Some(0x10000));
        // 0x1FFFE + 1 = 0x1FFFF has 17 bits: skip to 0x20000.
        assert_eq!(next_counter(0x1FFFE), Some(0x20000));
        assert_eq!(next_counter(0xFFFF_0000), None);
        for counter in [5u32, 0xFFFE, 0x1_FFFD, 0x7FFF_FFF0, 0xFFFE_FFFF] {
            if let Some(next) = next_counter(counter) {
                assert!(next > counter);
                assert!(validate_counter(next).is_ok(), "{next:#x}");
                // Nothing valid was skipped.
                for between in counter + 1..next.min(counter + 4096) {
                    assert!(validate_counter(between).is_err(), "{between:#x}");
                }
            }
        }
    }
}
