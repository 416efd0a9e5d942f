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

/// The most unsure bits a competing reading may flip
/// ([`TrackFormat::could_be_misread`]): three of the clock-aided reader's
/// two-bit near-equal choices, enough for the smallest patterns that keep
/// every parity and the LRC. Each flip is only nearly as likely as the bit
/// read, so a competitor needing many more is not near-equal.
const MAX_FLIPS: usize = 6;

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
    /// Whether flipping some of the `unsure` bits of `bits` (card order;
    /// `unsure` sorted, in card order too) gives another record that frames
    /// as well as the one from `first` (its start sentinel) to `end` (past
    /// its trailing zeros): then the reading is one of two near-equals and
    /// is not to be trusted.
    ///
    /// Two near-equal choices in two characters, in the same bit positions,
    /// keep every parity and the LRC (`1111` read as `1221`); so can three
    /// characters' in three positions; an end sentinel and LRC made a few
    /// characters early; or zeros and a start sentinel made inside the
    /// record. Rather than list such patterns, this tries every start
    /// sentinel the flips can make after enough zeros, and from each follows
    /// every way at most [`MAX_FLIPS`] flips can go, character by character,
    /// keeping only the running LRC (at most 64 values) and the flips so
    /// far: the checks [`TrackFormat::frame`] makes. Allocates nothing.
    pub(super) fn could_be_misread(
        &self,
        bits: &[u8],
        first: usize,
        end: usize,
        unsure: &[usize],
    ) -> bool {
        // With every bit of this record sure, it is on the card, whatever
        // else the flips could make.
        let in_record = unsure.partition_point(|&u| u < first);
        if unsure.get(in_record).is_none_or(|&u| u >= end) {
            return false;
        }
        let n = self.char_bits();
        let ss = self.ss_code();
        let can_read_zero = |i: usize| bits[i] == 0 || unsure.binary_search(&i).is_ok();
        // A competitor starts within the genuine record, after clocking
        // zeros the flips can make: one before it would need a start
        // sentinel and an end sentinel made out of its clocking zeros (eight
        // flips at least), and one after it leaves the genuine record to be
        // found first.
        (first.max(MIN_CLOCKING_ZEROS)..end.min(bits.len().saturating_sub(n - 1)))
            .filter(|&start| (start - MIN_CLOCKING_ZEROS..start).all(can_read_zero))
            .any(|start| {
                let mut reach = [[false; MAX_FLIPS + 1]; 64];
                self.each_reading(bits, start, unsure, &mut |code, flips| {
                    if code == ss && flips <= MAX_FLIPS {
                        reach[usize::from(ss)][flips] = true;
                    }
                    false
                });
                let moved = start != first;
                self.another_record_from(bits, start + n, unsure, reach, moved, end)
            })
    }

    /// Calls `f` with each code (odd parity) the character at `at` can read
    /// as by flipping some of the `unsure` bits in it, and how many flips
    /// that takes, until `f` returns true; returns whether it did.
    fn each_reading(
        &self,
        bits: &[u8],
        at: usize,
        unsure: &[usize],
        f: &mut dyn FnMut(u8, usize) -> bool,
    ) -> bool {
        let n = self.char_bits();
        let lo = unsure.partition_point(|&u| u < at);
        let hi = unsure.partition_point(|&u| u < at + n);
        let flippable = &unsure[lo..hi];
        (0u32..1 << flippable.len()).any(|subset| {
            let (mut code, mut ones) = (0u8, 0u8);
            for i in 0..n {
                let k = flippable.iter().position(|&u| u == at + i);
                let bit = bits[at + i] ^ u8::from(k.is_some_and(|k| subset & 1 << k != 0));
                ones += bit;
                if i < usize::from(self.data_bits) {
                    code |= bit << i;
                }
            }
            ones & 1 == 1 && f(code, subset.count_ones() as usize)
        })
    }

    /// Whether a record whose characters after the start sentinel begin at
    /// `at` can frame by flipping at most [`MAX_FLIPS`] `unsure` bits, other
    /// than the genuine one (which starts at the same place unless `moved`,
    /// ends at `genuine_end` and needs no flip). `reach[lrc][flips]`: the
    /// running LRCs the start sentinel gives, by the flips it took.
    fn another_record_from(
        &self,
        bits: &[u8],
        mut at: usize,
        unsure: &[usize],
        mut reach: [[bool; MAX_FLIPS + 1]; 64],
        moved: bool,
        genuine_end: usize,
    ) -> bool {
        let n = self.char_bits();
        let ss = self.ss_code();
        let es = self.end_sentinel - self.ascii_base;
        // The flips that make the bits after an LRC ending at `end` all read
        // 0, if they can.
        let zeros_after = |end: usize| -> Option<usize> {
            let wanted = TRAILING_ZEROS.min(bits.len().saturating_sub(end));
            if wanted == 0 {
                return None;
            }
            let ones = (end..end + wanted).filter(|&i| bits[i] == 1);
            ones.map(|i| unsure.binary_search(&i).ok().map(|_| 1))
                .sum::<Option<usize>>()
        };
        let mut position = 1;
        while position + 2 <= self.max_chars && at + n <= bits.len() {
            let mut next = [[false; MAX_FLIPS + 1]; 64];
            for (lrc, flips_before) in reach.iter().enumerate() {
                for (before, _) in flips_before.iter().enumerate().filter(|(_, &r)| r) {
                    let another = self.each_reading(bits, at, unsure, &mut |code, flips| {
                        let lrc = lrc as u8 ^ code;
                        let flips = before + flips;
                        if code == ss || flips > MAX_FLIPS {
                            return false;
                        }
                        if code != es {
                            next[usize::from(lrc)][flips] = true;
                            return false;
                        }
                        // An end sentinel here: the LRC next, then zeros.
                        let lrc_at = at + n;
                        lrc_at + n <= bits.len()
                            && self.each_reading(bits, lrc_at, unsure, &mut |check, more| {
                                check == lrc
                                    && zeros_after(lrc_at + n).is_some_and(|zeros| {
                                        let flips = flips + more + zeros;
                                        flips <= MAX_FLIPS
                                            && (flips > 0 || moved || genuine_end != lrc_at + n)
                                    })
                            })
                    });
                    if another {
                        return true;
                    }
                }
            }
            if next.iter().all(|r| r.iter().all(|&x| !x)) {
                return false;
            }
            reach = next;
            at += n;
            position += 1;
        }
        false
    }

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

    fn sorted(bits: &[usize]) -> Vec<usize> {
        let mut sorted = bits.to_vec();
        sorted.sort_unstable();
        sorted
    }

    /// Whether flipping some non-empty subset of at most [`MAX_FLIPS`] of
    /// `unsure` in `bits` gives another record that frames: the brute-force
    /// answer.
    fn another_record_frames(format: &TrackFormat, bits: &[u8], unsure: &[usize]) -> bool {
        let mut genuine = String::new();
        format.frame(bits, &mut genuine).unwrap();
        (1u32..1 << unsure.len()).any(|subset| {
            if subset.count_ones() as usize > MAX_FLIPS {
                return false;
            }
            let mut flipped = bits.to_vec();
            for (k, &bit) in unsure.iter().enumerate() {
                if subset & 1 << k != 0 {
                    flipped[bit] ^= 1;
                }
            }
            let mut text = String::new();
            format.frame(&flipped, &mut text).is_ok() && text != genuine
        })
    }

    #[test]
    fn unsure_bits_that_could_make_another_record_are_found() {
        let bits = padded(
            &TRACK2
                .encode(";4111111111111111=30122011234567890?")
                .unwrap(),
        );
        let mut out = String::new();
        let framed = TRACK2.frame(&bits, &mut out).unwrap();
        let (first, end) = (framed.first_bit, framed.end_bit);
        let at = |character: usize, position: usize| first + 5 * character + position;
        // Two characters, the same two positions: `1111` read as `1221`.
        let rectangle = [at(3, 0), at(3, 1), at(4, 0), at(4, 1)];
        assert!(TRACK2.could_be_misread(&bits, first, end, &sorted(&rectangle)));
        assert!(another_record_frames(&TRACK2, &bits, &rectangle));
        // Three of its corners: every flip breaks a parity or the LRC.
        assert!(!TRACK2.could_be_misread(&bits, first, end, &sorted(&rectangle[..3])));
        assert!(!another_record_frames(&TRACK2, &bits, &rectangle[..3]));
        // Three characters, three positions, each character two of them.
        let hexagon = [at(5, 0), at(5, 1), at(6, 1), at(6, 2), at(7, 0), at(7, 2)];
        assert!(TRACK2.could_be_misread(&bits, first, end, &sorted(&hexagon)));
        assert!(another_record_frames(&TRACK2, &bits, &hexagon));
        // The end sentinel and LRC one character early, zeros after them:
        // the record cut short, every parity and its LRC right.
        let genuine = TRACK2
            .encode(";4111111111111111=30122011234567890?")
            .unwrap();
        let mut short = TRACK2
            .encode(";4111111111111111=3012201123456789?")
            .unwrap();
        short.resize(genuine.len(), 0);
        let truncation: Vec<usize> = (0..genuine.len())
            .filter(|&i| genuine[i] != short[i])
            .map(|i| first + i)
            .collect();
        assert!(another_record_frames(&TRACK2, &bits, &truncation));
        assert!(TRACK2.could_be_misread(&bits, first, end, &truncation));
        assert_eq!(
            TRACK2.could_be_misread(&bits, first, end, &truncation[1..]),
            another_record_frames(&TRACK2, &bits, &truncation[1..])
        );
    }

    #[test]
    fn could_be_misread_agrees_with_trying_every_flip() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for (format, text) in [
            (&TRACK2, ";4111111111111111=30122011234567890?"),
            (&TRACK1, "%B4111111111111111^TEST/VISA CHIP^3012201?"),
        ] {
            let bits = padded(&format.encode(text).unwrap());
            let mut out = String::new();
            let framed = format.frame(&bits, &mut out).unwrap();
            let (first, end) = (framed.first_bit, framed.end_bit);
            let width = usize::from(format.data_bits) + 1;
            let mut cycles = 0;
            for _ in 0..300 {
                // Up to nine unsure bits in three to five characters (past
                // the start sentinel), so cycles are neither rare nor sure.
                let base = 1 + next((end - first) / width - 6);
                let characters = 3 + next(3);
                let mut unsure: Vec<usize> = (0..2 + next(8))
                    .map(|_| first + width * (base + next(characters)) + next(width))
                    .collect();
                unsure.sort_unstable();
                unsure.dedup();
                let expected = another_record_frames(format, &bits, &unsure);
                assert_eq!(
                    format.could_be_misread(&bits, first, end, &unsure),
                    expected,
                    "track {} unsure {unsure:?}",
                    format.track
                );
                cycles += usize::from(expected);
            }
            assert!(
                (30..270).contains(&cycles),
                "{cycles} of 300 could be misread"
            );
        }
    }
}
