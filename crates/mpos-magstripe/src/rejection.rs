//! Why a decoded bit string was not accepted as a track. The decoder tries
//! many candidates per swipe; tests use the reason to prove each check bites.

/// The first acceptance check a candidate failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No start sentinel after a run of clocking zeros.
    #[error("no start sentinel after the leading zeros")]
    NoStartSentinel,
    /// A character's parity bit is not odd.
    #[error("parity error in character {position}")]
    Parity {
        /// Index of the character, the start sentinel being 0.
        position: usize,
    },
    /// A start sentinel appeared inside the data.
    #[error("start sentinel inside the data at character {position}")]
    MisplacedSentinel {
        /// Index of the character, the start sentinel being 0.
        position: usize,
    },
    /// The bits ran out before the end sentinel and LRC.
    #[error("no end sentinel and LRC before the bits ran out")]
    NoEndSentinel,
    /// More characters than the track may hold.
    #[error("longer than the track's limit of {max} characters")]
    TooLong {
        /// The track's limit, sentinels and LRC included.
        max: usize,
    },
    /// The longitudinal redundancy check does not match, or its parity is wrong.
    #[error("LRC mismatch")]
    Lrc,
    /// The record is not followed by clocking zeros.
    #[error("no trailing zeros after the LRC")]
    NoTrailingZeros,
}

/// Which field rule of ISO 7813 / ISO 4909 the track text breaks: why an
/// accepted track is not a payment card's ([`crate::TrackKind::Other`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldRejection {
    /// Track 1 must start with format code `B`; track 3 with two digits.
    #[error("wrong format code")]
    FormatCode,
    /// The card number is not 12 to 19 digits followed by its separator.
    #[error("card number is not 12 to 19 digits")]
    PanLength,
    /// The card number fails the Luhn check.
    #[error("card number fails the Luhn check")]
    Luhn,
    /// The cardholder name is missing, too long or badly terminated.
    #[error("cardholder name is invalid")]
    Name,
    /// The expiry is not YYMM with a month from 01 to 12.
    #[error("expiry is not YYMM")]
    Expiry,
    /// The service code is not three digits.
    #[error("service code is not three digits")]
    ServiceCode,
    /// A character is not allowed in that field.
    #[error("character not allowed in the discretionary data")]
    Character,
}
