//! What a successful swipe yields. It holds clear card data, so its `Debug`
//! shows only the masked form, and [`DecodedTrack::masked`] and
//! [`DecodedTrack::sha256_hex`] are the only forms meant to leave the phone's
//! memory (logs, screens, test output).

use super::fields::{check_fields, pan_range};
use super::rejection::FieldRejection;
use sha2::{Digest, Sha256};
use std::fmt;

/// Which way the card went through the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Start sentinel first.
    Forward,
    /// End of the stripe first; the bits were read backwards.
    Reverse,
}

impl Direction {
    /// `"forward"` or `"reverse"`, as `mpos decode-wav --json` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Reverse => "reverse",
        }
    }
}

/// What an accepted track holds. The decoder accepts any well-formed ISO
/// 7811 track (sentinels, parity, LRC, length, a steady clock); whether it
/// is a payment card's (ISO 7813 fields, Luhn) is for the payment path to
/// ask, since a raw head reads loyalty, access and hotel cards too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    /// A payment card's track: the ISO 7813 fields and a Luhn-valid number.
    PaymentCard,
    /// Another kind of card: the first payment-field rule the track breaks.
    Other(FieldRejection),
}

impl TrackKind {
    /// Whether the track is a payment card's.
    pub fn is_payment_card(self) -> bool {
        self == TrackKind::PaymentCard
    }
}

/// One accepted track.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodedTrack {
    /// Track number, 1 to 3.
    pub track: u8,
    /// Start sentinel through end sentinel, LRC excluded. Clear card data.
    pub characters: String,
}

impl DecodedTrack {
    /// The track text with every character hidden but the sentinels, field
    /// separators, the track 1 format code and the first 6 and last 4 digits
    /// of the card number.
    pub fn masked(&self) -> String {
        let pan = pan_range(self.track, &self.characters).unwrap_or(0..0);
        let last = self.characters.len().saturating_sub(1);
        self.characters
            .char_indices()
            .map(|(i, c)| {
                let shown_pan_digit = pan.contains(&i) && (i < pan.start + 6 || i >= pan.end - 4);
                let structural =
                    i == 0 || i == last || matches!(c, '=' | '^') || (self.track == 1 && i == 1);
                if shown_pan_digit || structural {
                    c
                } else {
                    '*'
                }
            })
            .collect()
    }

    /// The card number masked to its first 6 and last 4 digits.
    pub fn masked_pan(&self) -> Option<mpos_wire::MaskedPan> {
        let range = pan_range(self.track, &self.characters)?;
        mpos_wire::MaskedPan::from_pan(&self.characters[range])
    }

    /// Whether the track is a payment card's, by the ISO 7813 field rules and Luhn.
    pub fn kind(&self) -> TrackKind {
        match check_fields(self.track, &self.characters) {
            Ok(()) => TrackKind::PaymentCard,
            Err(field) => TrackKind::Other(field),
        }
    }

    /// Lowercase hex SHA-256 of the characters (start through end sentinel).
    pub fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(self.characters.as_bytes()))
    }
}

impl fmt::Debug for DecodedTrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedTrack")
            .field("track", &self.track)
            .field("masked", &self.masked())
            .finish()
    }
}

/// The tracks read in one swipe.
#[derive(Clone, PartialEq)]
pub struct DecodedSwipe {
    /// Accepted tracks, by track number.
    pub tracks: Vec<DecodedTrack>,
    /// Which way the card went.
    pub direction: Direction,
    /// Mean swipe speed over the record, inches per second.
    pub speed_ips: f32,
}

impl DecodedSwipe {
    /// Every track in masked form (see [`DecodedTrack::masked`]).
    pub fn masked(&self) -> Vec<String> {
        self.tracks.iter().map(DecodedTrack::masked).collect()
    }
}

impl fmt::Debug for DecodedSwipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodedSwipe")
            .field("tracks", &self.tracks)
            .field("direction", &self.direction)
            .field("speed_ips", &self.speed_ips)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(track: u8, characters: &str) -> DecodedTrack {
        DecodedTrack {
            track,
            characters: characters.to_owned(),
        }
    }

    #[test]
    fn masked_track2_shows_only_six_and_four_digits() {
        let t = track(2, ";4111111111111111=30122011234567890?");
        assert_eq!(t.masked(), ";411111******1111=*****************?");
        assert_eq!(t.masked_pan().unwrap().as_str(), "411111******1111");
    }

    #[test]
    fn masked_track1_hides_the_name_and_discretionary_data() {
        let t = track(1, "%B5555555555554444^TEST/MASTERCARD^3012201000?");
        assert_eq!(t.masked(), "%B555555******4444^***************^**********?");
    }

    #[test]
    fn masked_without_a_card_number_hides_every_digit() {
        let t = track(3, ";9912=34?");
        assert_eq!(t.masked(), ";****=**?");
        assert!(!t.masked().bytes().any(|b| b.is_ascii_digit()));
    }

    #[test]
    fn debug_never_shows_the_clear_track() {
        let swipe = DecodedSwipe {
            tracks: vec![track(2, ";4111111111111111=30122011234567890?")],
            direction: Direction::Reverse,
            speed_ips: 30.0,
        };
        let debug = format!("{swipe:?}");
        assert!(!debug.contains("4111111111111111"), "{debug}");
        assert!(!debug.contains("3012201"), "{debug}");
        assert!(debug.contains("411111******1111"), "{debug}");
        assert_eq!(swipe.masked(), vec![swipe.tracks[0].masked()]);
    }

    #[test]
    fn a_track_says_whether_it_is_a_payment_card() {
        assert_eq!(
            track(2, ";4111111111111111=30122011234567890?").kind(),
            TrackKind::PaymentCard
        );
        assert!(track(2, ";4111111111111111=3012201?")
            .kind()
            .is_payment_card());
        // A membership card: framed digits, no card number.
        let loyalty = track(2, ";90210=5?");
        assert_eq!(loyalty.kind(), TrackKind::Other(FieldRejection::PanLength));
        assert!(!loyalty.kind().is_payment_card());
        assert_eq!(
            track(2, ";4111111111111112=3012201?").kind(),
            TrackKind::Other(FieldRejection::Luhn)
        );
    }

    #[test]
    fn sha256_is_of_the_exact_characters() {
        let t = track(2, ";4111111111111111=30122011234567890?");
        // Computed independently (Python hashlib) from the same 36 characters.
        assert_eq!(
            t.sha256_hex(),
            "f8cc9ce7ed80c936f8f6d1e7a3068f382c4e724ded712da82b78212fbba61fd0"
        );
    }
}
