//! ISO/IEC 9797-1 MAC algorithm 3, the "retail MAC" behind EMV application
//! cryptograms: single-DES CBC under the left half of a double-length key,
//! then a triple-DES output step on the last block (decrypt under the right
//! half, encrypt under the left). One 2-key TDES operation per message
//! instead of one per block is why cards use it.

use des::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use des::Des;

/// The DES block size.
pub const BLOCK: usize = 8;

/// ISO/IEC 9797-1 padding of the data before it is MACed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// Method 1: zero bytes up to a whole block; none when the data is
    /// already whole blocks (empty data becomes one zero block). Visa CVN 10.
    Method1,
    /// Method 2: a mandatory `80`, then zero bytes up to a whole block
    /// (as ISO/IEC 7816-4). EMV's default for cryptograms and ARPC method 2.
    Method2,
}

/// The data padded to whole blocks.
pub fn pad(data: &[u8], padding: Padding) -> Vec<u8> {
    let mut padded = data.to_vec();
    if padding == Padding::Method2 {
        padded.push(0x80);
    }
    // Method 1 on empty data still MACs one block (ISO/IEC 9797-1:2011, 6.1.2).
    let blocks = padded.len().div_ceil(BLOCK).max(1);
    padded.resize(blocks * BLOCK, 0);
    padded
}

/// MAC algorithm 3 of `data` under a double-length key (left half K, right half K').
pub fn retail_mac(key: &[u8; 16], data: &[u8], padding: Padding) -> [u8; BLOCK] {
    let left = Des::new_from_slice(&key[..8]).expect("8-byte DES key");
    let right = Des::new_from_slice(&key[8..]).expect("8-byte DES key");
    let mut chain = [0u8; BLOCK];
    for block in pad(data, padding).chunks_exact(BLOCK) {
        chain
            .iter_mut()
            .zip(block)
            .for_each(|(state, byte)| *state ^= byte);
        let mut cipher_block = chain.into();
        left.encrypt_block(&mut cipher_block);
        chain = cipher_block.into();
    }
    let mut output = chain.into();
    right.decrypt_block(&mut output);
    left.encrypt_block(&mut output);
    output.into()
}

/// Whether `mac` (the full 8 bytes or its leftmost 4 to 7) is the MAC of `data`.
pub fn verify_retail_mac(key: &[u8; 16], data: &[u8], padding: Padding, mac: &[u8]) -> bool {
    if !(4..=BLOCK).contains(&mac.len()) {
        return false;
    }
    constant_time_eq(&retail_mac(key, data, padding)[..mac.len()], mac)
}

/// Compares without an early exit, so timing does not tell how many leading bytes matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Vec<u8> {
        hex::decode(text).unwrap()
    }

    fn key(text: &str) -> [u8; 16] {
        bytes(text).try_into().unwrap()
    }

    #[test]
    fn padding_method_1_fills_with_zeros_only_when_needed() {
        assert_eq!(
            pad(&bytes("1234"), Padding::Method1),
            bytes("1234000000000000")
        );
        let whole = bytes("0123456789ABCDEF");
        assert_eq!(pad(&whole, Padding::Method1), whole);
        assert_eq!(pad(&[], Padding::Method1), vec![0; 8]);
    }

    #[test]
    fn padding_method_2_always_adds_80() {
        assert_eq!(
            pad(&bytes("1234"), Padding::Method2),
            bytes("1234800000000000")
        );
        assert_eq!(
            pad(&bytes("0123456789ABCDEF"), Padding::Method2),
            bytes("0123456789ABCDEF8000000000000000")
        );
        assert_eq!(pad(&[], Padding::Method2), bytes("8000000000000000"));
        assert_eq!(
            pad(&bytes("01020304050607"), Padding::Method2),
            bytes("0102030405060780")
        );
    }

    /// Single DES with one key, for the definition check below.
    fn des(key: &[u8], block: [u8; 8], encrypt: bool) -> [u8; 8] {
        let cipher = Des::new_from_slice(key).unwrap();
        let mut block = block.into();
        if encrypt {
            cipher.encrypt_block(&mut block);
        } else {
            cipher.decrypt_block(&mut block);
        }
        block.into()
    }

    #[test]
    fn is_des_cbc_with_a_triple_des_output_step() {
        // The definition written out for two blocks, against the implementation.
        let k = key("0123456789ABCDEFFEDCBA9876543210");
        let data = bytes("00112233445566778899AABBCCDDEE");
        let padded = pad(&data, Padding::Method2);
        let h1 = des(&k[..8], padded[..8].try_into().unwrap(), true);
        let x2: [u8; 8] = std::array::from_fn(|i| h1[i] ^ padded[8 + i]);
        let h2 = des(&k[..8], x2, true);
        let expected = des(&k[..8], des(&k[8..], h2, false), true);
        assert_eq!(retail_mac(&k, &data, Padding::Method2), expected);
    }

    #[test]
    fn the_two_paddings_give_different_macs() {
        let k = key("0123456789ABCDEFFEDCBA9876543210");
        let data = bytes("0123456789ABCDEF0123456789ABCDEF");
        assert_ne!(
            retail_mac(&k, &data, Padding::Method1),
            retail_mac(&k, &data, Padding::Method2)
        );
    }

    #[test]
    fn verification_takes_truncated_macs_and_refuses_changes() {
        let k = key("0123456789ABCDEFFEDCBA9876543210");
        let data = bytes("0123456789ABCDEF01");
        let mac = retail_mac(&k, &data, Padding::Method2);
        assert!(verify_retail_mac(&k, &data, Padding::Method2, &mac));
        assert!(verify_retail_mac(&k, &data, Padding::Method2, &mac[..4]));
        assert!(!verify_retail_mac(&k, &data, Padding::Method2, &mac[..3]));
        assert!(!verify_retail_mac(&k, &data, Padding::Method1, &mac));
        let mut flipped = mac;
        flipped[7] ^= 1;
        assert!(!verify_retail_mac(&k, &data, Padding::Method2, &flipped));
        let mut other = data.clone();
        other[0] ^= 0x80;
        assert!(!verify_retail_mac(&k, &other, Padding::Method2, &mac));
    }

    #[test]
    fn constant_time_eq_compares_lengths_and_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
