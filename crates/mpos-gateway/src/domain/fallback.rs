//! Chip first: a card whose stripe announces a chip may be swiped only as a
//! fallback, after the chip failed `CHIP_FAILURES_FOR_FALLBACK` times, and
//! the gateway takes that from the reader, not the phone: the count travels
//! inside the reader's MACed envelope, so a phone that labels an ordinary
//! swipe of a chip card "fallback" is refused.

use mpos_wire::card::CHIP_FAILURES_FOR_FALLBACK;
use mpos_wire::EntryMode;

/// What the gateway makes of how a card was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackVerdict {
    /// A chip read, or a swipe of a card without a chip: nothing to judge.
    NotASwipeOfAChipCard,
    /// A fallback swipe the reader attested.
    Attested,
    /// A swipe of a chip card without the reader's attestation.
    Refused,
}

/// Judges a read: `has_chip` from the sealed service code, `entry_mode` as
/// the phone reports it, `attested` the chip failures sealed by the reader.
pub fn judge(has_chip: bool, entry_mode: EntryMode, attested: u8) -> FallbackVerdict {
    match entry_mode {
        EntryMode::Chip => FallbackVerdict::NotASwipeOfAChipCard,
        EntryMode::Swipe | EntryMode::FallbackSwipe if !has_chip => {
            FallbackVerdict::NotASwipeOfAChipCard
        }
        EntryMode::FallbackSwipe if u32::from(attested) >= CHIP_FAILURES_FOR_FALLBACK => {
            FallbackVerdict::Attested
        }
        EntryMode::Swipe | EntryMode::FallbackSwipe => FallbackVerdict::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chip_card_swiped_is_refused_unless_the_reader_attests_three_failures() {
        assert_eq!(judge(true, EntryMode::Swipe, 0), FallbackVerdict::Refused);
        assert_eq!(
            judge(true, EntryMode::Swipe, 3),
            FallbackVerdict::Refused,
            "labelled an ordinary swipe"
        );
        assert_eq!(
            judge(true, EntryMode::FallbackSwipe, 0),
            FallbackVerdict::Refused,
            "the phone's word alone"
        );
        assert_eq!(
            judge(true, EntryMode::FallbackSwipe, 2),
            FallbackVerdict::Refused
        );
        assert_eq!(
            judge(true, EntryMode::FallbackSwipe, 3),
            FallbackVerdict::Attested
        );
    }

    #[test]
    fn chip_reads_and_cards_without_a_chip_need_no_attestation() {
        assert_eq!(
            judge(true, EntryMode::Chip, 0),
            FallbackVerdict::NotASwipeOfAChipCard
        );
        assert_eq!(
            judge(false, EntryMode::Swipe, 0),
            FallbackVerdict::NotASwipeOfAChipCard
        );
        assert_eq!(
            judge(false, EntryMode::FallbackSwipe, 0),
            FallbackVerdict::NotASwipeOfAChipCard
        );
    }
}
