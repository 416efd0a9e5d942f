//! The auto-configuration test pattern: PRBS-9 (x^9 + x^5 + 1, ITU-T O.150),
//! seeded with all ones, bits packed least significant first.
//!
//! Pseudo-random data exercises every run length the line code can produce,
//! so a pattern that survives shows that the whole alphabet survives.

/// Fills `out` with the first `out.len()` bytes of the pattern.
pub fn fill(out: &mut [u8]) {
    let mut state: u16 = 0x1FF;
    for byte in out {
        let mut value = 0u8;
        for bit in 0..8 {
            let new = ((state >> 8) ^ (state >> 4)) & 1;
            state = ((state << 1) | new) & 0x1FF;
            value |= (new as u8) << bit;
        }
        *byte = value;
    }
}

/// The first `len` bytes of the pattern.
pub fn pattern(len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    fill(&mut out);
    out
}

/// Bit errors between `received` and the pattern of the same length.
pub fn bit_errors(received: &[u8]) -> u32 {
    // Patterns are at most 255 bytes; anything past that counts as wrong.
    let mut expected = [0u8; 255];
    let checked = received.len().min(expected.len());
    fill(&mut expected[..checked]);
    let errors: u32 = received[..checked]
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    errors + 8 * (received.len() - checked) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_511_bits() {
        let bits: Vec<bool> = pattern(128)
            .iter()
            .flat_map(|b| (0..8).map(move |i| b >> i & 1 == 1))
            .collect();
        assert_eq!(&bits[..511], &bits[511..1022]);
        assert_ne!(&bits[..100], &bits[1..101]);
    }

    #[test]
    fn has_256_ones_per_period() {
        let ones: u32 = pattern(511).iter().map(|b| b.count_ones()).sum();
        // 8 periods of 511 bits minus the 8 bits past 4088.
        assert!((2040..=2056).contains(&ones), "{ones}");
    }

    #[test]
    fn counts_bit_errors() {
        let mut data = pattern(64);
        assert_eq!(bit_errors(&data), 0);
        data[3] ^= 0b101;
        data[60] ^= 0x80;
        assert_eq!(bit_errors(&data), 3);
    }
}
