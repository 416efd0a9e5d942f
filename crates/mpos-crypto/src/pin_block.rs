//! ISO 9564-1 PIN blocks: format 0 (TDES, 8 bytes) and format 4 (AES, 16 bytes).
//!
//! The random fill of format 4 is an argument, so the caller (the reader's
//! PIN pad) owns the randomness and tests stay deterministic.

use crate::dukpt::{aes128, Key16};
use zeroize::Zeroizing;

/// Why a PIN block could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinBlockError {
    /// A PIN has 4 to 12 digits.
    #[error("the PIN must have 4 to 12 digits")]
    InvalidPin,
    /// A PAN has 12 to 19 digits.
    #[error("the card number must have 12 to 19 digits")]
    InvalidPan,
    /// A deciphered block is not a PIN block of the expected format for
    /// this card (another key, another card, or a changed block).
    #[error("the PIN block does not decipher to a PIN for this card")]
    NotAPinBlock,
}

fn check_pin(pin: &str) -> Result<(), PinBlockError> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinBlockError::InvalidPin)
    }
}

fn check_pan(pan: &str) -> Result<(), PinBlockError> {
    if (12..=19).contains(&pan.len()) && pan.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinBlockError::InvalidPan)
    }
}

/// Packs hex nibbles (given as ASCII hex digits) into bytes.
fn pack(nibbles: &str) -> Vec<u8> {
    hex::decode(nibbles).expect("built from hex digits only")
}

/// Format 0 clear PIN block: `0 | length | PIN | F fill` XOR `0000 | 12
/// rightmost PAN digits without the check digit` (ISO 9564-1: fewer than
/// 12, as a 12-digit PAN has, are padded on the left with zeros).
pub fn iso0_block(pin: &str, pan: &str) -> Result<[u8; 8], PinBlockError> {
    check_pin(pin)?;
    check_pan(pan)?;
    let pin_field = pack(&format!("0{:X}{pin:F<14}", pin.len()));
    let without_check = format!("{:0>12}", &pan[..pan.len() - 1]);
    let pan_field = pack(&format!(
        "0000{}",
        &without_check[without_check.len() - 12..]
    ));
    Ok(std::array::from_fn(|i| pin_field[i] ^ pan_field[i]))
}

/// Format 4 plain-text PIN field: `4 | length | PIN | A fill` then 8 random bytes.
pub fn iso4_pin_field(pin: &str, random_fill: &[u8; 8]) -> Result<[u8; 16], PinBlockError> {
    check_pin(pin)?;
    let mut field = [0u8; 16];
    field[..8].copy_from_slice(&pack(&format!("4{:X}{pin:A<14}", pin.len())));
    field[8..].copy_from_slice(random_fill);
    Ok(field)
}

/// Format 4 PAN field: `PAN length - 12 | PAN | 0 fill` over 16 bytes.
pub fn iso4_pan_field(pan: &str) -> Result<[u8; 16], PinBlockError> {
    check_pan(pan)?;
    let field = pack(&format!("{:X}{pan:0<31}", pan.len() - 12));
    Ok(field.try_into().expect("32 nibbles"))
}

/// Reads the PIN back from a clear format 0 block for `pan`.
pub fn iso0_pin(block: &[u8; 8], pan: &str) -> Result<Zeroizing<String>, PinBlockError> {
    let pan_field = iso0_block("0000", pan)?;
    // The block for PIN 0000 carries the PAN field XOR the PIN field of 0000.
    let zeros = pack("040000FFFFFFFFFF");
    let nibbles = Zeroizing::new(hex::encode_upper(std::array::from_fn::<u8, 8, _>(|i| {
        block[i] ^ pan_field[i] ^ zeros[i]
    })));
    read_pin_field(&nibbles, '0', 'F')
}

/// Reads `control | length | PIN | fill` from the first 16 nibbles of a PIN field.
fn read_pin_field(
    nibbles: &str,
    control: char,
    fill: char,
) -> Result<Zeroizing<String>, PinBlockError> {
    let mut chars = nibbles.chars();
    if chars.next() != Some(control) {
        return Err(PinBlockError::NotAPinBlock);
    }
    let length = chars
        .next()
        .and_then(|c| c.to_digit(16))
        .map(|n| n as usize)
        .filter(|n| (4..=12).contains(n))
        .ok_or(PinBlockError::NotAPinBlock)?;
    let rest = &nibbles[2..16];
    let (pin, padding) = rest.split_at(length);
    if !pin.bytes().all(|b| b.is_ascii_digit()) || !padding.chars().all(|c| c == fill) {
        return Err(PinBlockError::NotAPinBlock);
    }
    Ok(Zeroizing::new(pin.to_string()))
}

/// Format 4 encipherment: `AES(K, AES(K, PIN field) XOR PAN field)`.
pub fn iso4_encrypt(key: &Key16, pin_field: &[u8; 16], pan_field: &[u8; 16]) -> [u8; 16] {
    let intermediate = aes128::encrypt_block(key, *pin_field);
    aes128::encrypt_block(key, std::array::from_fn(|i| intermediate[i] ^ pan_field[i]))
}

/// Format 4 decipherment for `pan`: the PIN, or why the block is not one.
pub fn iso4_pin(
    key: &Key16,
    block: &[u8; 16],
    pan: &str,
) -> Result<Zeroizing<String>, PinBlockError> {
    let pan_field = iso4_pan_field(pan)?;
    let intermediate = aes128::decrypt_block(key, *block);
    let pin_field = Zeroizing::new(aes128::decrypt_block(
        key,
        std::array::from_fn(|i| intermediate[i] ^ pan_field[i]),
    ));
    let nibbles = Zeroizing::new(hex::encode_upper(&pin_field[..8]));
    read_pin_field(&nibbles, '4', 'A')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_pins_and_bad_pans() {
        assert_eq!(
            iso0_block("123", "4012345678909"),
            Err(PinBlockError::InvalidPin)
        );
        assert_eq!(
            iso0_block("12a4", "4012345678909"),
            Err(PinBlockError::InvalidPin)
        );
        assert_eq!(
            iso0_block("1234", "40123456789"),
            Err(PinBlockError::InvalidPan)
        );
        assert_eq!(
            iso4_pan_field("4111x11111111111"),
            Err(PinBlockError::InvalidPan)
        );
        assert_eq!(
            iso4_pin_field("1234567890123", &[0; 8]),
            Err(PinBlockError::InvalidPin)
        );
    }

    #[test]
    fn format_0_pads_a_12_digit_pan_on_the_left() {
        // It panicked (subtraction overflow). psec 1.3.0 refuses PANs under 13
        // digits, so the expected block is its answer for the same digits
        // padded as ISO 9564-1 says: 0123456789012 -> 041235DCBA9876FE.
        let block = iso0_block("1234", "123456789012").unwrap();
        assert_eq!(hex::encode_upper(block), "041235DCBA9876FE");
        assert_eq!(iso0_block("1234", "0123456789012").unwrap(), block);
    }

    #[test]
    fn format_0_agrees_with_an_independent_implementation() {
        // psec 1.3.0 pinblock.encode_pinblock_iso_0.
        for (pin, pan, expected) in [
            ("1234", "4012345678909", "041274EDCBA9876F"),
            ("123456789012", "4111111111111111111", "0C122547698103EE"),
        ] {
            assert_eq!(
                hex::encode_upper(iso0_block(pin, pan).unwrap()),
                expected,
                "{pan}"
            );
        }
    }

    #[test]
    fn format_4_pan_field_carries_the_length_beyond_twelve() {
        let field = iso4_pan_field("4111111111111111111").unwrap();
        assert_eq!(hex::encode_upper(field), "74111111111111111111000000000000");
        let field = iso4_pan_field("411111111111").unwrap();
        assert_eq!(hex::encode_upper(field), "04111111111110000000000000000000");
    }

    #[test]
    fn format_0_reads_back_the_pin_and_refuses_another_card() {
        for (pin, pan) in [
            ("1234", "4012345678909"),
            ("123456789012", "4111111111111111111"),
            ("857301", "123456789012"),
        ] {
            let block = iso0_block(pin, pan).unwrap();
            assert_eq!(iso0_pin(&block, pan).unwrap().as_str(), pin);
        }
        // psec 1.3.0's block for PIN 1234 and PAN 4012345678909.
        let published: [u8; 8] = hex::decode("041274EDCBA9876F").unwrap().try_into().unwrap();
        assert_eq!(
            iso0_pin(&published, "4012345678909").unwrap().as_str(),
            "1234"
        );
        assert_eq!(
            iso0_pin(&published, "4111111111111111"),
            Err(PinBlockError::NotAPinBlock)
        );
    }

    #[test]
    fn format_4_deciphers_the_published_block_and_refuses_another_card_or_key() {
        let bdk = Key16::new(
            hex::decode("FEDCBA9876543210F1F1F1F1F1F1F1F1")
                .unwrap()
                .try_into()
                .unwrap(),
        );
        let ikid = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
        let key =
            aes128::host_working_key(&bdk, &ikid, 1, aes128::KeyUsage::PinEncryption).unwrap();
        // X9.24-3's published block (see dukpt::aes128's test of the same vector).
        let block: [u8; 16] = hex::decode("A912150391AB65A67E52883D81CE2D15")
            .unwrap()
            .try_into()
            .unwrap();
        assert_eq!(
            iso4_pin(&key, &block, "4111111111111111").unwrap().as_str(),
            "1234"
        );
        assert_eq!(
            iso4_pin(&key, &block, "4111111111111129"),
            Err(PinBlockError::NotAPinBlock)
        );
        let other =
            aes128::host_working_key(&bdk, &ikid, 2, aes128::KeyUsage::PinEncryption).unwrap();
        assert_eq!(
            iso4_pin(&other, &block, "4111111111111111"),
            Err(PinBlockError::NotAPinBlock)
        );
    }
}
