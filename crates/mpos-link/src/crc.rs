//! The two checksums of a frame: CRC-8 over the header, CRC-16 over the frame.
//!
//! Both are MSB-first, unreflected CRCs from the Rocksoft catalogue, so a
//! reader vendor can take them from any CRC library by name:
//! - header check: CRC-8/SMBUS (poly 0x07, init 0x00, xorout 0x00), check 0xF4;
//! - frame check: CRC-16/IBM-3740, also called CRC-16/CCITT-FALSE
//!   (poly 0x1021, init 0xFFFF, xorout 0x0000), check 0x29B1.
//!
//! The check values are the CRCs of the ASCII string `123456789`.

/// CRC-8/SMBUS of `data`: the frame's header check sequence (HCS).
pub fn crc8(data: &[u8]) -> u8 {
    data.iter()
        .fold(0u8, |crc, &byte| CRC8_TABLE[usize::from(crc ^ byte)])
}

/// CRC-16/IBM-3740 (CCITT-FALSE) of `data`: the frame check sequence (FCS).
pub fn crc16(data: &[u8]) -> u16 {
    data.iter().fold(0xFFFF_u16, |crc, &byte| {
        let index = usize::from((crc >> 8) as u8 ^ byte);
        (crc << 8) ^ CRC16_TABLE[index]
    })
}

/// Table-driven so that a 1 kB frame costs a few microseconds on a phone.
const CRC8_TABLE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

const CRC16_TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference, written from the polynomial, to check the tables.
    fn crc16_bitwise(data: &[u8]) -> u16 {
        let mut crc = 0xFFFF_u16;
        for &byte in data {
            crc ^= u16::from(byte) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ 0x1021
                } else {
                    crc << 1
                };
            }
        }
        crc
    }

    #[test]
    fn catalogue_check_values() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
        assert_eq!(crc8(b"123456789"), 0xF4);
    }

    #[test]
    fn empty_input_gives_the_init_value() {
        assert_eq!(crc16(&[]), 0xFFFF);
        assert_eq!(crc8(&[]), 0x00);
    }

    #[test]
    fn table_matches_bitwise_reference() {
        let data: Vec<u8> = (0..=255u8).chain([0x00, 0xFF, 0x5A]).collect();
        for len in [1, 2, 7, 64, data.len()] {
            assert_eq!(crc16(&data[..len]), crc16_bitwise(&data[..len]));
        }
    }

    #[test]
    fn every_single_bit_error_changes_the_crc() {
        let data = *b"\x01\x10\x00\x00\x00reader";
        let good16 = crc16(&data);
        let good8 = crc8(&data);
        for byte in 0..data.len() {
            for bit in 0..8 {
                let mut bad = data;
                bad[byte] ^= 1 << bit;
                assert_ne!(crc16(&bad), good16);
                assert_ne!(crc8(&bad), good8);
            }
        }
    }
}
