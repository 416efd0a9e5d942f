//! The reader firmware's chip-first rule: what a swipe becomes, given the
//! card's service code, the transaction's entry modes and the chip failures
//! so far (`docs/reader-protocol.md` 6.2).

use mpos_link::message::EntryModes;
use mpos_wire::EntryMode;

pub use mpos_wire::card::CHIP_FAILURES_FOR_FALLBACK;

/// What the firmware does with a swipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwipeVerdict {
    /// Read the stripe and report it with this entry mode.
    Read(EntryMode),
    /// Refuse it: the card has a chip; tell the phone to ask for the chip.
    InsertChip,
}

/// Judges a swipe of a card (`has_chip`: service code 2xx or 6xx).
pub fn judge_swipe(has_chip: bool, modes: EntryModes, chip_failures: u32) -> SwipeVerdict {
    if !has_chip || !modes.chip {
        // No chip, or a swipe-only transaction (refunds): the stripe is the read.
        SwipeVerdict::Read(EntryMode::Swipe)
    } else if modes.fallback && chip_failures >= CHIP_FAILURES_FOR_FALLBACK {
        SwipeVerdict::Read(EntryMode::FallbackSwipe)
    } else {
        SwipeVerdict::InsertChip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALE: EntryModes = EntryModes {
        chip: true,
        swipe: true,
        fallback: true,
    };

    #[test]
    fn a_chip_card_is_refused_until_three_chip_failures_then_is_a_fallback() {
        for failures in 0..CHIP_FAILURES_FOR_FALLBACK {
            assert_eq!(
                judge_swipe(true, SALE, failures),
                SwipeVerdict::InsertChip,
                "{failures}"
            );
        }
        assert_eq!(
            judge_swipe(true, SALE, 3),
            SwipeVerdict::Read(EntryMode::FallbackSwipe)
        );
        assert_eq!(
            judge_swipe(true, SALE, 7),
            SwipeVerdict::Read(EntryMode::FallbackSwipe)
        );
    }

    #[test]
    fn without_the_fallback_mode_a_chip_card_is_never_swiped() {
        let no_fallback = EntryModes {
            fallback: false,
            ..SALE
        };
        assert_eq!(judge_swipe(true, no_fallback, 5), SwipeVerdict::InsertChip);
    }

    #[test]
    fn stripe_only_cards_and_swipe_only_transactions_read_the_stripe() {
        assert_eq!(
            judge_swipe(false, SALE, 0),
            SwipeVerdict::Read(EntryMode::Swipe)
        );
        let refund = EntryModes {
            chip: false,
            swipe: true,
            fallback: false,
        };
        assert_eq!(
            judge_swipe(true, refund, 0),
            SwipeVerdict::Read(EntryMode::Swipe)
        );
    }
}
