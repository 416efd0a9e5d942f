//! The chip-first rule: a chip card must be inserted. Its stripe is read
//! only after the chip failed [`CHIP_FAILURES_FOR_FALLBACK`] times in the
//! same transaction, and that read is marked as a fallback swipe.

use mpos_wire::{CardPayload, EntryMode};

pub use mpos_wire::card::CHIP_FAILURES_FOR_FALLBACK;

/// What to do with a swiped card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwipeVerdict {
    /// Read it, with this entry mode.
    Accept(EntryMode),
    /// Refuse it: the card has a chip that must be inserted.
    InsertChip,
}

/// Chip failures seen in one transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChipFirst {
    chip_failures: u32,
}

impl ChipFirst {
    /// A new transaction: no failures yet.
    pub fn new() -> ChipFirst {
        ChipFirst::default()
    }

    /// Counts one failed chip read; returns the count.
    pub fn chip_failed(&mut self) -> u32 {
        self.chip_failures = self.chip_failures.saturating_add(1);
        self.chip_failures
    }

    /// Failed chip reads so far.
    pub fn chip_failures(&self) -> u32 {
        self.chip_failures
    }

    /// Whether a chip card may now be swiped.
    pub fn fallback_allowed(&self) -> bool {
        self.chip_failures >= CHIP_FAILURES_FOR_FALLBACK
    }

    /// Judges a swipe by the stripe's service code (first digit 2 or 6: chip card).
    pub fn judge_swipe(&self, card: &CardPayload) -> SwipeVerdict {
        if !card.has_chip() {
            SwipeVerdict::Accept(EntryMode::Swipe)
        } else if self.fallback_allowed() {
            SwipeVerdict::Accept(EntryMode::FallbackSwipe)
        } else {
            SwipeVerdict::InsertChip
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::testing::swipe_payload;
    use mpos_wire::Brand;

    #[test]
    fn card_without_chip_is_a_plain_swipe() {
        let rule = ChipFirst::new();
        for code in ["101", "120", "501"] {
            let verdict = rule.judge_swipe(&swipe_payload(Brand::Visa, code));
            assert_eq!(verdict, SwipeVerdict::Accept(EntryMode::Swipe), "{code}");
        }
    }

    #[test]
    fn chip_card_swipe_is_refused_before_three_chip_failures() {
        let mut rule = ChipFirst::new();
        for code in ["201", "601"] {
            let card = swipe_payload(Brand::Visa, code);
            assert_eq!(rule.judge_swipe(&card), SwipeVerdict::InsertChip);
        }
        rule.chip_failed();
        rule.chip_failed();
        assert_eq!(rule.chip_failures(), 2);
        assert!(!rule.fallback_allowed());
        assert_eq!(
            rule.judge_swipe(&swipe_payload(Brand::Visa, "201")),
            SwipeVerdict::InsertChip
        );
    }

    #[test]
    fn third_chip_failure_allows_a_fallback_swipe() {
        let mut rule = ChipFirst::new();
        for _ in 0..CHIP_FAILURES_FOR_FALLBACK {
            rule.chip_failed();
        }
        assert!(rule.fallback_allowed());
        assert_eq!(
            rule.judge_swipe(&swipe_payload(Brand::Mastercard, "201")),
            SwipeVerdict::Accept(EntryMode::FallbackSwipe)
        );
        assert_eq!(
            rule.judge_swipe(&swipe_payload(Brand::Mastercard, "601")),
            SwipeVerdict::Accept(EntryMode::FallbackSwipe)
        );
        // A card without a chip stays a plain swipe, never a fallback.
        assert_eq!(
            rule.judge_swipe(&swipe_payload(Brand::Mastercard, "101")),
            SwipeVerdict::Accept(EntryMode::Swipe)
        );
    }

    #[test]
    fn a_new_transaction_starts_without_failures() {
        let mut rule = ChipFirst::new();
        rule.chip_failed();
        rule.chip_failed();
        rule.chip_failed();
        let fresh = ChipFirst::new();
        assert_eq!(
            fresh.judge_swipe(&swipe_payload(Brand::Jcb, "201")),
            SwipeVerdict::InsertChip
        );
    }
}
