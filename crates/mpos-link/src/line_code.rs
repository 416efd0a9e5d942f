//! The line code: biphase-mark (F2F / Aiken biphase, the code on a card's
//! magnetic stripe), bytes sent least significant bit first.
//!
//! Every bit cell starts with a level change; a one has a second change in
//! the middle of the cell. Only changes carry information, so the code is
//! immune to polarity inversion, has no DC, and gives the receiver an edge at
//! least every bit for clock recovery.

use crate::phy::{POSTAMBLE_BITS, PREAMBLE, SYNC_WORD};

/// Produces the two half-bit levels (+1 or -1) of each bit.
#[derive(Debug, Clone, Copy)]
pub struct BiphaseEncoder {
    level: i8,
}

impl Default for BiphaseEncoder {
    fn default() -> Self {
        BiphaseEncoder::new()
    }
}

impl BiphaseEncoder {
    /// An encoder whose first half-bit is high (+1), as the protocol requires.
    pub fn new() -> BiphaseEncoder {
        // The first cell's opening change takes the idle line to high.
        BiphaseEncoder { level: -1 }
    }

    /// The two half-bit levels of the next bit.
    pub fn bit(&mut self, one: bool) -> [i8; 2] {
        self.level = -self.level;
        let first = self.level;
        if one {
            self.level = -self.level;
        }
        [first, self.level]
    }
}

/// Calls `f` with every bit of a frame as sent on air: preamble, sync word,
/// the frame bytes (LSB first) and the postamble.
pub fn for_each_air_bit(frame: &[u8], mut f: impl FnMut(bool)) {
    for &byte in PREAMBLE.iter().chain(&SYNC_WORD).chain(frame) {
        for bit in 0..8 {
            f(byte >> bit & 1 == 1);
        }
    }
    for _ in 0..POSTAMBLE_BITS {
        f(true);
    }
}

/// The last preamble byte and the sync word as a 24-bit register, in the
/// order a receiver shifts bits in (oldest bit in bit 23).
pub const SYNC_PATTERN: u32 = {
    let bytes = [PREAMBLE[PREAMBLE.len() - 1], SYNC_WORD[0], SYNC_WORD[1]];
    let mut reg = 0u32;
    let mut i = 0;
    while i < 24 {
        reg = (reg << 1) | ((bytes[i / 8] >> (i % 8)) & 1) as u32;
        i += 1;
    }
    reg
};

/// Mask of the bits of a receiver's shift register compared with [`SYNC_PATTERN`].
pub const SYNC_MASK: u32 = 0x00FF_FFFF;

/// The level of the last half-bit of the sync word when the sender starts high.
pub fn sync_final_level() -> i8 {
    let mut encoder = BiphaseEncoder::new();
    let mut last = 0;
    for &byte in PREAMBLE.iter().chain(&SYNC_WORD) {
        for bit in 0..8 {
            last = encoder.bit(byte >> bit & 1 == 1)[1];
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_opens_with_a_change_and_ones_change_mid_cell() {
        let mut encoder = BiphaseEncoder::new();
        let bits = [true, false, false, true, true, false];
        let mut previous = -1i8; // idle line, below the first high half-bit
        for one in bits {
            let [a, b] = encoder.bit(one);
            assert_ne!(a, previous, "a cell must open with a change");
            assert_eq!(a != b, one, "a one, and only a one, changes mid-cell");
            previous = b;
        }
    }

    #[test]
    fn first_half_bit_is_high() {
        assert_eq!(BiphaseEncoder::new().bit(false)[0], 1);
    }

    #[test]
    fn air_bits_are_lsb_first_and_framed() {
        let mut bits = Vec::new();
        for_each_air_bit(&[0x01], |b| bits.push(b));
        let frame_start = (PREAMBLE.len() + SYNC_WORD.len()) * 8;
        assert!(bits[..PREAMBLE.len() * 8].iter().all(|&b| b));
        assert_eq!(
            &bits[frame_start..frame_start + 8],
            &[true, false, false, false, false, false, false, false]
        );
        assert_eq!(bits.len(), frame_start + 8 + POSTAMBLE_BITS);
    }

    #[test]
    fn sync_pattern_is_the_preamble_tail_then_the_sync_word() {
        assert_eq!(SYNC_PATTERN >> 16, 0xFF);
        // 0xD3 LSB first is 1100 1011.
        assert_eq!((SYNC_PATTERN >> 8) & 0xFF, 0b1100_1011);
        assert_ne!(SYNC_PATTERN & 0xFFFF, 0xFFFF);
    }
}
