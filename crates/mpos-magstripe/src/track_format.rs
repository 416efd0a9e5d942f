//! ISO/IEC 7811 track layouts: character sets, sentinels, odd parity and the
//! LRC, with an encoder (for the synthesizer and tests) and the framing check
//! that turns a decoded bit string back into characters.

use super::error::MagstripeError;
use super::rejection::Rejection;

/// Clocking zeros required before the start sentinel: every ISO card has
/// them, and random bit strings rarely do.
pub const MIN_CLOCKING_ZEROS: usize = 4;
/// Zeros required after the LRC (or as many as were read after it): a card
/// is blank from its record to its edge, while the bits after a record that
/// data happened to frame are random. With the payment fields no longer
/// part of acceptance, this is what keeps such frames out.
pub const TRAILING_ZEROS: usize = 8;

/// The layout of one ISO 7811 track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackFormat {
    /// Track number, 1 to 3.
    pub track: u8,
    /// Data bits per character, parity excluded (6 on track 1, 4 on tracks 2 and 3).
    pub data_bits: u8,
    /// Recording density in bits per inch.
    pub density_bpi: f32,
    /// Longest record in characters, sentinels and LRC included.
    pub max_chars: usize,
    /// ASCII code of character code 0: 0x20 on track 1, 0x30 on tracks 2 and 3.
    pub ascii_base: u8,
    /// Start sentinel (`%` or `;`).
    pub start_sentinel: u8,
    /// End sentinel (`?`).
    pub end_sentinel: u8,
}

/// Track 1: IATA, 210 bpi, 7-bit alphanumeric, at most 79 characters.
pub const TRACK1: TrackFormat = TrackFormat {
    track: 1,
    data_bits: 6,
    density_bpi: 210.0,
    max_chars: 79,
    ascii_base: 0x20,
    start_sentinel: b'%',
    end_sentinel: b'?',
};

/// Track 2: ABA, 75 bpi, 5-bit numeric, at most 40 characters.
pub const TRACK2: TrackFormat = TrackFormat {
    track: 2,
    data_bits: 4,
    density_bpi: 75.0,
    max_chars: 40,
    ascii_base: 0x30,
    start_sentinel: b';',
    end_sentinel: b'?',
};

/// Track 3: ISO 4909, 210 bpi, 5-bit numeric, at most 107 characters.
pub const TRACK3: TrackFormat = TrackFormat {
    track: 3,
    data_bits: 4,
    density_bpi: 210.0,
    max_chars: 107,
    ascii_base: 0x30,
    start_sentinel: b';',
    end_sentinel: b'?',
};

/// A record found in a bit string: where it starts and ends (bit indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framed {
    /// Index of the first bit of the start sentinel.
    pub first_bit: usize,
    /// Index one past the last bit of the LRC.
    pub end_bit: usize,
}

impl TrackFormat {
    /// The layout of track 1, 2 or 3.
    pub fn for_track(track: u8) -> Result<&'static TrackFormat, MagstripeError> {
        match track {
            1 => Ok(&TRACK1),
            2 => Ok(&TRACK2),
            3 => Ok(&TRACK3),
            _ => Err(MagstripeError::UnknownTrack { track }),
        }
    }

    /// Bits per character on the stripe, parity included.
    pub fn char_bits(&self) -> usize {
        usize::from(self.data_bits) + 1
    }

    fn code_of(&self, ascii: u8) -> Option<u8> {
        let code = ascii.checked_sub(self.ascii_base)?;
        (code < 1 << self.data_bits).then_some(code)
    }

    fn push_char(&self, code: u8, bits: &mut Vec<u8>) {
        let mut ones = 0;
        for i in 0..self.data_bits {
            let bit = (code >> i) & 1;
            ones += bit;
            bits.push(bit);
        }
        bits.push(1 - (ones & 1));
    }

    /// Encodes `characters` (start sentinel through end sentinel) as the bits
    /// on the stripe, least significant bit first, with odd parity and the
    /// LRC appended. Clocking zeros are the caller's.
    pub fn encode(&self, characters: &str) -> Result<Vec<u8>, MagstripeError> {
        let invalid = |reason| MagstripeError::InvalidTrackData {
            track: self.track,
            reason,
        };
        let bytes = characters.as_bytes();
        if bytes.first() != Some(&self.start_sentinel) {
            return Err(invalid("it must begin with the start sentinel"));
        }
        if bytes.len() < 2 || bytes.last() != Some(&self.end_sentinel) {
            return Err(invalid("it must end with the end sentinel"));
        }
        if bytes.len() + 1 > self.max_chars {
            return Err(invalid("it is longer than the track allows"));
        }
        let inner = &bytes[1..bytes.len() - 1];
        if inner
            .iter()
            .any(|&b| b == self.start_sentinel || b == self.end_sentinel)
        {
            return Err(invalid("a sentinel appears inside the data"));
        }
        let mut bits = Vec::with_capacity((bytes.len() + 1) * self.char_bits());
        let mut lrc = 0u8;
        for &b in bytes {
            let code = self
                .code_of(b)
                .ok_or_else(|| invalid("a character is outside the track's character set"))?;
            lrc ^= code;
            self.push_char(code, &mut bits);
        }
        self.push_char(lrc, &mut bits);
        Ok(bits)
    }

    /// Finds a record in `bits` (card order) and writes its characters, start
    /// sentinel through end sentinel, into `out`. Checks the sentinels, every
    /// character's parity, the length, the LRC and the clocking zeros on both
    /// sides; the payment fields are the payment path's
    /// ([`crate::TrackKind`]). Allocates nothing when `out` has room for
    /// `max_chars` characters.
    pub fn frame(&self, bits: &[u8], out: &mut String) -> Result<Framed, Rejection> {
        let n = self.char_bits();
        let mut first_failure = Rejection::NoStartSentinel;
        let mut zeros = 0usize;
        for start in 0..bits.len() {
            if bits[start] == 0 {
                zeros += 1;
                continue;
            }
            let preceded = zeros >= MIN_CLOCKING_ZEROS;
            zeros = 0;
            if !preceded || start + n > bits.len() || self.read(bits, start) != Some(self.ss_code())
            {
                continue;
            }
            match self.frame_at(bits, start, out) {
                Ok(framed) => return Ok(framed),
                Err(rejection) => {
                    if first_failure == Rejection::NoStartSentinel {
                        first_failure = rejection;
                    }
                }
            }
        }
        out.clear();
        Err(first_failure)
    }

    fn ss_code(&self) -> u8 {
        self.start_sentinel - self.ascii_base
    }

    /// The character code at `at` if its parity is odd.
    fn read(&self, bits: &[u8], at: usize) -> Option<u8> {
        let n = self.char_bits();
        let slice = bits.get(at..at + n)?;
        let mut code = 0u8;
        let mut ones = 0u8;
        for (i, &bit) in slice.iter().enumerate() {
            ones += bit;
            if i < usize::from(self.data_bits) {
                code |= bit << i;
            }
        }
        (ones & 1 == 1).then_some(code)
    }

    fn frame_at(&self, bits: &[u8], start: usize, out: &mut String) -> Result<Framed, Rejection> {
        let n = self.char_bits();
        let es_code = self.end_sentinel - self.ascii_base;
        out.clear();
        let mut lrc = 0u8;
        let mut at = start;
        let mut position = 0usize;
        loop {
            if position + 2 > self.max_chars {
                return Err(Rejection::TooLong {
                    max: self.max_chars,
                });
            }
            if at + n > bits.len() {
                return Err(Rejection::NoEndSentinel);
            }
            let code = self.read(bits, at).ok_or(Rejection::Parity { position })?;
            if position > 0 && code == self.ss_code() {
                return Err(Rejection::MisplacedSentinel { position });
            }
            lrc ^= code;
            out.push(char::from(self.ascii_base + code));
            at += n;
            position += 1;
            if code == es_code {
                break;
            }
        }
        if at + n > bits.len() {
            return Err(Rejection::NoEndSentinel);
        }
        let check = self.read(bits, at).ok_or(Rejection::Lrc)?;
        if check != lrc {
            return Err(Rejection::Lrc);
        }
        at += n;
        // The zeros after the LRC: the first few must be zeros, though the
        // bits may stop sooner (the clock lost the card's last cells).
        let after = &bits[at..];
        let wanted = TRAILING_ZEROS.min(after.len());
        if wanted == 0 || after[..wanted].iter().any(|&b| b != 0) {
            return Err(Rejection::NoTrailingZeros);
        }
        Ok(Framed {
            first_bit: start,
            end_bit: at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(bits: &[u8]) -> Vec<u8> {
        let mut all = vec![0u8; 10];
        all.extend_from_slice(bits);
        all.extend_from_slice(&[0u8; 10]);
        all
    }

    #[test]
    fn track2_sentinels_encode_as_iso_7811_bit_patterns() {
        let bits = TRACK2.encode(";?").unwrap();
        // ';' = 1011 LSB first 1101 + parity 0; '?' = 1111 + parity 1; LRC = 0100 -> 0010 + 0.
        assert_eq!(bits, vec![1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0]);
    }

    #[test]
    fn track1_start_sentinel_is_seven_bits_with_odd_parity() {
        let bits = TRACK1.encode("%?").unwrap();
        assert_eq!(&bits[..7], &[1, 0, 1, 0, 0, 0, 1]);
        assert_eq!(&bits[7..14], &[1, 1, 1, 1, 1, 0, 0]);
    }

    #[test]
    fn encode_then_frame_round_trips_on_every_track() {
        for (format, text) in [
            (&TRACK1, "%B4111111111111111^TEST/VISA CHIP^3012201?"),
            (&TRACK2, ";4111111111111111=30122011234567890?"),
            (&TRACK3, ";014111111111111111=7247241000000000003030?"),
        ] {
            let bits = padded(&format.encode(text).unwrap());
            let mut out = String::new();
            let framed = format.frame(&bits, &mut out).unwrap();
            assert_eq!(out, text);
            assert_eq!(framed.first_bit, 10);
            assert_eq!(framed.end_bit, 10 + (text.len() + 1) * format.char_bits());
        }
    }

    #[test]
    fn every_single_bit_flip_in_the_record_is_rejected() {
        let text = ";4111111111111111=30122011234567890?";
        let clean = padded(&TRACK2.encode(text).unwrap());
        let mut out = String::new();
        for i in 10..clean.len() - 10 {
            let mut bits = clean.clone();
            bits[i] ^= 1;
            let result = TRACK2.frame(&bits, &mut out);
            assert!(result.is_err(), "flip at {i} gave {result:?}");
        }
    }

    #[test]
    fn a_parity_error_is_reported_at_its_character() {
        let mut bits = padded(&TRACK2.encode(";1234567890?").unwrap());
        bits[10 + 3 * 5 + 1] ^= 1;
        let mut out = String::new();
        assert_eq!(
            TRACK2.frame(&bits, &mut out),
            Err(Rejection::Parity { position: 3 })
        );
    }

    #[test]
    fn two_flips_in_one_character_pass_parity_but_fail_the_lrc() {
        let mut bits = padded(&TRACK2.encode(";1234567890?").unwrap());
        bits[10 + 3 * 5] ^= 1;
        bits[10 + 3 * 5 + 1] ^= 1;
        let mut out = String::new();
        assert_eq!(TRACK2.frame(&bits, &mut out), Err(Rejection::Lrc));
    }

    #[test]
    fn missing_end_sentinel_and_missing_zeros_are_rejected() {
        let bits = TRACK2.encode(";1234567890?").unwrap();
        let mut out = String::new();
        // Cut before the end sentinel: zeros read as characters fail parity...
        let cut = padded(&bits[..bits.len() - 10]);
        assert_eq!(
            TRACK2.frame(&cut, &mut out),
            Err(Rejection::Parity { position: 11 })
        );
        // ...and when the bits simply stop, the end sentinel is missing.
        let mut stopped = vec![0u8; 10];
        stopped.extend_from_slice(&bits[..bits.len() - 10]);
        assert_eq!(
            TRACK2.frame(&stopped, &mut out),
            Err(Rejection::NoEndSentinel)
        );
        let mut no_lead = bits.clone();
        no_lead.extend_from_slice(&[0; 10]);
        assert_eq!(
            TRACK2.frame(&no_lead, &mut out),
            Err(Rejection::NoStartSentinel)
        );
        let mut no_trail = vec![0u8; 10];
        no_trail.extend_from_slice(&bits);
        no_trail.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(
            TRACK2.frame(&no_trail, &mut out),
            Err(Rejection::NoTrailingZeros)
        );
        let mut none_after = vec![0u8; 10];
        none_after.extend_from_slice(&bits);
        assert_eq!(
            TRACK2.frame(&none_after, &mut out),
            Err(Rejection::NoTrailingZeros)
        );
        // Bits that stop two zeros after the LRC still frame.
        let mut short_tail = vec![0u8; 10];
        short_tail.extend_from_slice(&bits);
        short_tail.extend_from_slice(&[0, 0]);
        assert!(TRACK2.frame(&short_tail, &mut out).is_ok());
    }

    #[test]
    fn records_over_the_length_limit_are_rejected() {
        let long = format!(";{}?", "1".repeat(38));
        assert!(TRACK2.encode(&long).is_err());
        // Build the over-long record by hand: 39 characters + LRC > 40.
        let ok = format!(";{}?", "1".repeat(37));
        let bits = TRACK2.encode(&ok).unwrap();
        let mut out = String::new();
        assert!(TRACK2.frame(&padded(&bits), &mut out).is_ok());
        let mut longer = bits[..5].to_vec();
        longer.extend_from_slice(&bits[5..10]);
        longer.extend_from_slice(&bits[5..]);
        assert_eq!(
            TRACK2.frame(&padded(&longer), &mut out),
            Err(Rejection::TooLong { max: 40 })
        );
    }

    #[test]
    fn encoder_refuses_text_the_track_cannot_hold() {
        assert!(TRACK2.encode("4111?").is_err());
        assert!(TRACK2.encode(";4111").is_err());
        assert!(TRACK2.encode(";41A1?").is_err());
        assert!(TRACK2.encode(";41;1?").is_err());
        assert!(TRACK1.encode("%b1?").is_err());
        assert!(TrackFormat::for_track(4).is_err());
    }
}
