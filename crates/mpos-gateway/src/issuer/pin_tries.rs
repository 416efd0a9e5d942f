//! The issuer's PIN try counter as a pure rule: three wrong PINs in a row
//! block the card's PIN; a right PIN before that starts the count again.

/// Wrong PINs in a row that block the card's PIN (ISO 8583 response 75).
pub const PIN_TRY_LIMIT: u8 = 3;

/// What the issuer answers about the PIN of one authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinVerdict {
    /// The PIN is right: the authorization goes on.
    Verified,
    /// Wrong PIN (55); the cardholder may try again.
    Wrong,
    /// Allowable number of PIN tries exceeded (75): the PIN is blocked.
    TriesExceeded,
}

impl PinVerdict {
    /// The ISO 8583 response code of a refusal.
    pub fn response_code(self) -> Option<&'static str> {
        match self {
            PinVerdict::Verified => None,
            PinVerdict::Wrong => Some("55"),
            PinVerdict::TriesExceeded => Some("75"),
        }
    }
}

/// The verdict for a PIN that is `right` or not after `wrong_in_a_row`
/// wrong ones, and the count to keep.
pub fn judge_pin(wrong_in_a_row: u8, right: bool) -> (PinVerdict, u8) {
    if wrong_in_a_row >= PIN_TRY_LIMIT {
        // Blocked: even the right PIN is refused until the issuer unblocks it.
        return (PinVerdict::TriesExceeded, wrong_in_a_row);
    }
    if right {
        return (PinVerdict::Verified, 0);
    }
    let wrong = wrong_in_a_row + 1;
    if wrong >= PIN_TRY_LIMIT {
        (PinVerdict::TriesExceeded, wrong)
    } else {
        (PinVerdict::Wrong, wrong)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_third_wrong_pin_in_a_row_blocks_and_stays_blocked() {
        assert_eq!(judge_pin(0, false), (PinVerdict::Wrong, 1));
        assert_eq!(judge_pin(1, false), (PinVerdict::Wrong, 2));
        assert_eq!(judge_pin(2, false), (PinVerdict::TriesExceeded, 3));
        assert_eq!(judge_pin(3, true), (PinVerdict::TriesExceeded, 3));
        assert_eq!(PinVerdict::TriesExceeded.response_code(), Some("75"));
        assert_eq!(PinVerdict::Wrong.response_code(), Some("55"));
    }

    #[test]
    fn a_right_pin_before_the_limit_starts_the_count_again() {
        assert_eq!(judge_pin(2, true), (PinVerdict::Verified, 0));
        assert_eq!(judge_pin(0, true), (PinVerdict::Verified, 0));
        assert_eq!(PinVerdict::Verified.response_code(), None);
    }
}
