//! TDES DUKPT, ANSI X9.24-1:2009 (Annex A), the scheme of deployed audio-jack readers.
//!
//! The 10-byte KSN is a 59-bit initial key serial number and a 21-bit
//! transaction counter. The host derives the initial PIN encryption key
//! (IPEK) from the BDK and the KSN with its counter cleared, then runs the
//! non-reversible key generation process once per one bit of the counter,
//! from the highest. Working keys are variants of that transaction key.

use super::{check_counter, next_counter_with, DukptError, Key16};
use des::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use des::{Des, TdesEde2};

/// A counter may have at most this many one bits (X9.24-1 A.2).
pub const MAX_ONE_BITS: u32 = 10;
/// The counter is the KSN's rightmost 21 bits.
pub const COUNTER_MASK: u32 = 0x1F_FFFF;

/// Mask applied to the BDK (and to keys in the key generation process) for the right half.
const KEY_MASK: [u8; 16] = [
    0xC0, 0xC0, 0xC0, 0xC0, 0, 0, 0, 0, 0xC0, 0xC0, 0xC0, 0xC0, 0, 0, 0, 0,
];
/// PIN encryption variant constant.
const PIN_VARIANT: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF];
/// MAC request variant constant.
const MAC_VARIANT: [u8; 16] = [0, 0, 0, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0];
/// Data encryption (request) variant constant.
const DATA_VARIANT: [u8; 16] = [0, 0, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0, 0];

/// A 10-byte TDES key serial number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ksn([u8; 10]);

impl Ksn {
    /// Wraps the 10 bytes of a KSN.
    pub const fn new(bytes: [u8; 10]) -> Self {
        Ksn(bytes)
    }

    /// The 10 KSN bytes.
    pub fn as_bytes(&self) -> &[u8; 10] {
        &self.0
    }

    /// The same device's KSN with `counter` (its low 21 bits) as the transaction counter.
    pub fn with_counter(&self, counter: u32) -> Ksn {
        let mut bytes = self.initial().0;
        let counter = (counter & COUNTER_MASK).to_be_bytes();
        bytes[7] |= counter[1];
        bytes[8] = counter[2];
        bytes[9] = counter[3];
        Ksn(bytes)
    }

    /// Parses 20 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, DukptError> {
        let bytes = hex::decode(text).map_err(|_| DukptError::MalformedKsn)?;
        let bytes: [u8; 10] = bytes.try_into().map_err(|_| DukptError::MalformedKsn)?;
        Ok(Ksn(bytes))
    }

    /// The transaction counter (rightmost 21 bits).
    pub fn counter(&self) -> u32 {
        u32::from_be_bytes([0, self.0[7], self.0[8], self.0[9]]) & COUNTER_MASK
    }

    /// The KSN with its counter cleared, as used for the IPEK.
    pub fn initial(&self) -> Ksn {
        let mut bytes = self.0;
        bytes[7] &= 0xE0;
        bytes[8] = 0;
        bytes[9] = 0;
        Ksn(bytes)
    }

    /// The KSN as 20 uppercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode_upper(self.0)
    }

    /// The rightmost 8 bytes, the KSN register of the key generation process.
    fn right8(&self) -> [u8; 8] {
        self.0[2..].try_into().expect("10 - 2 = 8")
    }
}

/// Checks a transaction counter: not zero and at most 10 one bits.
pub fn validate_counter(counter: u32) -> Result<(), DukptError> {
    check_counter(counter, MAX_ONE_BITS)
}

/// The device's next counter after `counter`, or `None` once the 21 bits are used up.
///
/// Counters with too many one bits are skipped (see `next_counter_with`).
pub fn next_counter(counter: u32) -> Option<u32> {
    next_counter_with(counter, MAX_ONE_BITS).filter(|&next| next <= COUNTER_MASK)
}

/// How many transactions a device whose counter is `counter` has left
/// (1,048,575 from a fresh key: X9.24-1's "about one million").
pub fn counters_left(counter: u32) -> u64 {
    super::counters_left_with(counter, MAX_ONE_BITS, 21)
}

/// Derives the initial PIN encryption key (IPEK) from the BDK and any KSN of the device.
pub fn ipek(bdk: &Key16, ksn: &Ksn) -> Key16 {
    let data: [u8; 8] = ksn.initial().0[..8].try_into().expect("8 of 10 bytes");
    let left = tdes_encrypt_block(bdk, data);
    let right = tdes_encrypt_block(&xor16(bdk, &KEY_MASK), data);
    join(left, right)
}

/// Derives the transaction key of a KSN from the IPEK.
///
/// Counter 0 is allowed here because it names the IPEK itself; counters
/// with more than 10 one bits never occur on a device and are refused.
pub fn transaction_key_from_ipek(ipek: &Key16, ksn: &Ksn) -> Result<Key16, DukptError> {
    let counter = ksn.counter();
    if counter != 0 {
        check_counter(counter, MAX_ONE_BITS)?;
    }
    let mut key = ipek.clone();
    let mut register = ksn.initial().right8();
    for shift in (0..21).rev() {
        let bit = 1u32 << shift;
        if counter & bit != 0 {
            let bytes = bit.to_be_bytes();
            register[5] |= bytes[1];
            register[6] |= bytes[2];
            register[7] |= bytes[3];
            key = non_reversible_key_generation(&key, &register);
        }
    }
    Ok(key)
}

/// The host's path: the transaction key straight from the BDK and the KSN.
pub fn transaction_key(bdk: &Key16, ksn: &Ksn) -> Result<Key16, DukptError> {
    transaction_key_from_ipek(&ipek(bdk, ksn), ksn)
}

/// The PIN encryption key: the transaction key's PIN variant.
pub fn pin_key(transaction_key: &Key16) -> Key16 {
    Key16::new(xor16(transaction_key, &PIN_VARIANT).0)
}

/// The MAC (request) key: the transaction key's MAC variant.
pub fn mac_key(transaction_key: &Key16) -> Key16 {
    Key16::new(xor16(transaction_key, &MAC_VARIANT).0)
}

/// The data encryption key: the data variant passed through the one-way
/// function (each half encrypted under the variant itself, X9.24-1:2009 A.4.1).
pub fn data_key(transaction_key: &Key16) -> Key16 {
    let variant = xor16(transaction_key, &DATA_VARIANT);
    let (left, right) = halves(&variant);
    join(
        tdes_encrypt_block(&variant, left),
        tdes_encrypt_block(&variant, right),
    )
}

/// TDES-CBC decryption with a zero IV, as readers send track data.
pub fn tdes_cbc_decrypt(key: &Key16, ciphertext: &[u8]) -> Result<Vec<u8>, DukptError> {
    if ciphertext.is_empty() || ciphertext.len() % 8 != 0 {
        return Err(DukptError::MalformedCiphertext);
    }
    let cipher = TdesEde2::new(key.as_bytes().into());
    let mut previous = [0u8; 8];
    let mut plain = Vec::with_capacity(ciphertext.len());
    for chunk in ciphertext.chunks_exact(8) {
        let mut block = des::cipher::generic_array::GenericArray::clone_from_slice(chunk);
        cipher.decrypt_block(&mut block);
        plain.extend(block.iter().zip(previous).map(|(b, p)| b ^ p));
        previous.copy_from_slice(chunk);
    }
    Ok(plain)
}

/// One step of the non-reversible key generation process (X9.24-1 A.2).
fn non_reversible_key_generation(key: &Key16, register: &[u8; 8]) -> Key16 {
    let right_half = |key: &Key16| -> [u8; 8] {
        let (left, right) = halves(key);
        let cipher = Des::new(&left.into());
        let mut block = xor8(register, &right).into();
        cipher.encrypt_block(&mut block);
        xor8(&block.into(), &right)
    };
    let new_right = right_half(key);
    let new_left = right_half(&xor16(key, &KEY_MASK));
    join(new_left, new_right)
}

/// Two-key TDES (EDE) encryption of one 8-byte block.
pub fn tdes_encrypt_block(key: &Key16, block: [u8; 8]) -> [u8; 8] {
    let cipher = TdesEde2::new(key.as_bytes().into());
    let mut block = block.into();
    cipher.encrypt_block(&mut block);
    block.into()
}

/// Two-key TDES (EDE) decryption of one 8-byte block.
pub fn tdes_decrypt_block(key: &Key16, block: [u8; 8]) -> [u8; 8] {
    let cipher = TdesEde2::new(key.as_bytes().into());
    let mut block = block.into();
    cipher.decrypt_block(&mut block);
    block.into()
}

fn halves(key: &Key16) -> ([u8; 8], [u8; 8]) {
    let bytes = key.as_bytes();
    (
        bytes[..8].try_into().expect("8 bytes"),
        bytes[8..].try_into().expect("8 bytes"),
    )
}

fn join(left: [u8; 8], right: [u8; 8]) -> Key16 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&left);
    bytes[8..].copy_from_slice(&right);
    Key16::new(bytes)
}

fn xor8(a: &[u8; 8], b: &[u8; 8]) -> [u8; 8] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

fn xor16(key: &Key16, mask: &[u8; 16]) -> Key16 {
    let bytes = key.as_bytes();
    Key16::new(std::array::from_fn(|i| bytes[i] ^ mask[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_left_count_every_usable_counter_and_fall_by_one_per_transaction() {
        assert_eq!(counters_left(0), 1048575);
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
        assert!(validate_counter(0x7FF).is_err());
        assert_eq!(counters_left(0x7FF), counters_left(0x7FF - 1));
        assert_eq!(counters_left(0x1F_FFFF), 0);
    }

    const BDK: &str = "0123456789ABCDEFFEDCBA9876543210";

    fn bdk() -> Key16 {
        Key16::from_hex(BDK).unwrap()
    }

    fn ksn(text: &str) -> Ksn {
        Ksn::from_hex(text).unwrap()
    }

    #[test]
    fn ipek_matches_annex_a() {
        assert_eq!(
            ipek(&bdk(), &ksn("FFFF9876543210E00000")).to_hex(),
            "6AC292FAA1315B4D858AB3A3D7D5933A"
        );
        // Any KSN of the device gives the same IPEK: the counter is cleared first.
        assert_eq!(
            ipek(&bdk(), &ksn("FFFF9876543210E00008")),
            ipek(&bdk(), &ksn("FFFF9876543210E00000"))
        );
    }

    #[test]
    fn transaction_keys_match_annex_a() {
        let cases = [
            ("FFFF9876543210E00001", "042666B49184CFA368DE9628D0397BC9"),
            ("FFFF9876543210E00008", "27F66D5244FF62E1AA6F6120EDEB4280"),
            ("FFFF9876543210F00000", "AA4D58DB653EC74A48C75F2F047DD2B5"),
        ];
        for (serial, expected) in cases {
            assert_eq!(
                transaction_key(&bdk(), &ksn(serial)).unwrap().to_hex(),
                expected,
                "{serial}"
            );
        }
    }

    #[test]
    fn next_counter_skips_counters_with_more_than_ten_one_bits() {
        assert_eq!(next_counter(0), Some(1));
        assert_eq!(next_counter(7), Some(8));
        // 0x3FF has 10 one bits and is valid; 0x3FF + 1 has one.
        assert_eq!(next_counter(0x3FE), Some(0x3FF));
        assert_eq!(next_counter(0x3FF), Some(0x400));
        // 0x7FE + 1 = 0x7FF has 11 one bits: skip to 0x800.
        assert_eq!(next_counter(0x7FE), Some(0x800));
        // The last valid counter is the top 10 bits; after it the device is spent.
        assert_eq!(next_counter(0x1F_F400), Some(0x1F_F800));
        assert_eq!(next_counter(0x1F_F800), None);
        let mut counter = 0;
        for _ in 0..5_000 {
            let next = next_counter(counter).unwrap();
            assert!(validate_counter(next).is_ok(), "{next:#x}");
            // Nothing valid was skipped.
            assert!(((counter + 1)..next).all(|c| validate_counter(c).is_err()));
            counter = next;
        }
        assert_eq!(validate_counter(0), Err(DukptError::ZeroCounter));
    }

    #[test]
    fn with_counter_replaces_only_the_counter_bits() {
        let base = ksn("FFFF9876543210E00000");
        assert_eq!(base.with_counter(1).to_hex(), "FFFF9876543210E00001");
        assert_eq!(
            base.with_counter(0x1F_F800).to_hex(),
            "FFFF9876543210FFF800"
        );
        assert_eq!(
            ksn("FFFF9876543210E00008").with_counter(2).to_hex(),
            "FFFF9876543210E00002"
        );
        assert_eq!(Ksn::new(*base.as_bytes()), base);
    }

    #[test]
    fn rollover_ksn_counter_is_the_high_bit() {
        assert_eq!(ksn("FFFF9876543210F00000").counter(), 0x10_0000);
        assert_eq!(ksn("FFFF9876543210E00008").counter(), 8);
    }

    #[test]
    fn pin_variant_encrypts_the_format_0_block() {
        let block = crate::pin_block::iso0_block("1234", "4012345678909").unwrap();
        assert_eq!(hex::encode_upper(block), "041274EDCBA9876F");
        let key = pin_key(&transaction_key(&bdk(), &ksn("FFFF9876543210E00001")).unwrap());
        assert_eq!(
            hex::encode_upper(tdes_encrypt_block(&key, block)),
            "1B9C1845EB993A7A"
        );
    }

    #[test]
    fn data_key_applies_the_one_way_function() {
        let key = transaction_key(&bdk(), &ksn("FFFF9876543210E00008")).unwrap();
        let data = data_key(&key);
        assert_eq!(data.to_hex(), "C39B2778B058AC376FB18DC906F75CBA");
        // The bare variant is not the data key.
        assert_ne!(xor16(&key, &DATA_VARIANT), data);
    }

    #[test]
    fn variants_differ_from_each_other() {
        let key = transaction_key(&bdk(), &ksn("FFFF9876543210E00001")).unwrap();
        assert_ne!(pin_key(&key), mac_key(&key));
        assert_ne!(mac_key(&key), data_key(&key));
        assert_ne!(pin_key(&key), key);
    }

    #[test]
    fn decrypts_the_software_verde_track_under_the_pin_variant() {
        let ciphertext = hex::decode(
            "C25C1D1197D31CAA87285D59A892047426D9182EC11353C051ADD6D0F072A6CB\
             3436560B3071FC1FD11D9F7E74886742D9BEE0CFD1EA1064C213BB55278B2F12",
        )
        .unwrap();
        let key = pin_key(&transaction_key(&bdk(), &ksn("FFFF9876543210E00008")).unwrap());
        let plain = tdes_cbc_decrypt(&key, &ciphertext).unwrap();
        let expected = b"%B5452300551227189^HOGAN/PAUL      ^08043210000000725000000?\0\0\0\0";
        assert_eq!(plain, expected);
        // The wrong KSN gives noise.
        let other = pin_key(&transaction_key(&bdk(), &ksn("FFFF9876543210E00001")).unwrap());
        assert_ne!(tdes_cbc_decrypt(&other, &ciphertext).unwrap(), expected);
    }

    #[test]
    fn refuses_bad_counters_and_malformed_input() {
        // 11 one bits.
        let eleven = ksn("FFFF9876543210E007FF");
        assert_eq!(eleven.counter().count_ones(), 11);
        assert!(matches!(
            transaction_key(&bdk(), &eleven),
            Err(DukptError::TooManyOneBits {
                ones: 11,
                max: 10,
                ..
            })
        ));
        assert_eq!(
            Ksn::from_hex("FFFF9876543210E000"),
            Err(DukptError::MalformedKsn)
        );
        assert_eq!(
            Ksn::from_hex("FFFF9876543210E0000G"),
            Err(DukptError::MalformedKsn)
        );
        assert_eq!(
            tdes_cbc_decrypt(&bdk(), &[0u8; 12]),
            Err(DukptError::MalformedCiphertext)
        );
        assert_eq!(
            tdes_cbc_decrypt(&bdk(), &[]),
            Err(DukptError::MalformedCiphertext)
        );
    }
}
