//! A track as it sits on the card: clocking zeros, the F2F-encoded record
//! (characters with odd parity, then the LRC), clocking zeros.

use mpos_magstripe::{MagstripeError, TrackFormat};

/// Length of the encoded area of an ISO 7811 card, inches.
const CARD_LENGTH_IN: f32 = 3.3;
/// Distance from the card's leading edge to the start sentinel, inches
/// (ISO 7811-2 puts it about 0.293 in from the edge).
const LEADING_ZEROS_IN: f32 = 0.293;
/// Trailing zeros never fewer than this.
const MIN_TRAILING_ZEROS: usize = 10;

/// What the synthesizer refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    /// The track text cannot be encoded.
    #[error(transparent)]
    Track(#[from] MagstripeError),
    /// A parameter is out of range.
    #[error("參數無效：{0}，請修正後重試 / invalid parameter: {0}; correct it and retry")]
    Parameter(&'static str),
}

/// The bits along one track of a card, in card order.
#[derive(Debug, Clone, PartialEq)]
pub struct Stripe {
    /// Recording density, bits per inch.
    pub density_bpi: f32,
    /// Every bit, clocking zeros included.
    pub bits: Vec<u8>,
    /// Index of the record's first bit (the start sentinel).
    pub record_start: usize,
    /// Index one past the record's last bit (the LRC).
    pub record_end: usize,
}

impl Stripe {
    /// The stripe of `track` carrying `characters` (start through end
    /// sentinel), with the clocking zeros of a real card.
    pub fn for_track(track: u8, characters: &str) -> Result<Stripe, SynthError> {
        let format = TrackFormat::for_track(track)?;
        let record = format.encode(characters)?;
        let leading = (LEADING_ZEROS_IN * format.density_bpi).round() as usize;
        let total = (CARD_LENGTH_IN * format.density_bpi) as usize;
        let trailing = total
            .saturating_sub(leading + record.len())
            .max(MIN_TRAILING_ZEROS);
        Ok(Stripe::from_record(
            format.density_bpi,
            &record,
            leading,
            trailing,
        ))
    }

    /// A stripe made of `record` bits between runs of clocking zeros.
    pub fn from_record(density_bpi: f32, record: &[u8], leading: usize, trailing: usize) -> Stripe {
        let mut bits = vec![0u8; leading];
        bits.extend_from_slice(record);
        bits.extend(std::iter::repeat_n(0u8, trailing));
        Stripe {
            density_bpi,
            bits,
            record_start: leading,
            record_end: leading + record.len(),
        }
    }

    /// Positions of the flux transitions along the stripe (inches from the
    /// first bit): one at every cell boundary, one more mid-cell for a `1`.
    pub fn transition_positions(&self) -> Vec<f64> {
        let cell = 1.0 / f64::from(self.density_bpi);
        let mut positions = Vec::with_capacity(self.bits.len() * 2 + 1);
        for (i, &bit) in self.bits.iter().enumerate() {
            let start = i as f64 * cell;
            positions.push(start);
            if bit == 1 {
                positions.push(start + cell / 2.0);
            }
        }
        positions.push(self.bits.len() as f64 * cell);
        positions
    }

    /// Length of the encoded area, inches.
    pub fn length_in(&self) -> f64 {
        self.bits.len() as f64 / f64::from(self.density_bpi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track2_has_iso_clocking_zeros_and_fills_the_card() {
        let stripe = Stripe::for_track(2, ";4111111111111111=30122011234567890?").unwrap();
        assert_eq!(stripe.record_start, 22);
        assert_eq!(stripe.record_end - stripe.record_start, 37 * 5);
        assert!(stripe.bits[..22].iter().all(|&b| b == 0));
        assert!(stripe.bits[stripe.record_end..].iter().all(|&b| b == 0));
        assert_eq!(stripe.bits.len(), (3.3f32 * 75.0) as usize);
    }

    #[test]
    fn transitions_follow_f2f() {
        let stripe = Stripe::from_record(100.0, &[1, 0, 1], 1, 1);
        // bits 0 1 0 1 0: boundaries at 0..5 cells, extra mid-cell for the ones.
        let expected = [0.0, 0.01, 0.015, 0.02, 0.03, 0.035, 0.04, 0.05];
        let got = stripe.transition_positions();
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{got:?}");
        }
    }

    #[test]
    fn bad_text_is_a_typed_error() {
        assert!(matches!(
            Stripe::for_track(2, "4111?"),
            Err(SynthError::Track(_))
        ));
        assert!(matches!(
            Stripe::for_track(5, ";1?"),
            Err(SynthError::Track(_))
        ));
    }
}
