//! The issuer simulator: answers authorizations for the test-card
//! catalogue. Pure decisions here; the caller waits for slow issuers and
//! draws authorization codes.

use crate::hsm::OpenedCard;
use mpos_cards::{IssuerBehaviour, TestCard};
use time::Date;

/// The issuer's decision about one authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuerDecision {
    /// ISO 8583 response code; `00` approves.
    pub response_code: &'static str,
    /// Whether the answer comes only after the configured slow-issuer delay.
    pub slow: bool,
}

impl IssuerDecision {
    /// Whether it approves.
    pub fn approved(&self) -> bool {
        self.response_code == "00"
    }

    /// The response text.
    pub fn text(&self) -> &'static str {
        mpos_cards::response_text(self.response_code)
    }
}

/// Whether a `YYMM` expiry lies before the month of `today` (Asia/Taipei).
pub fn is_expired(expiry: &str, today: Date) -> bool {
    let parse =
        |range: std::ops::Range<usize>| expiry.get(range).and_then(|s| s.parse::<i32>().ok());
    match (expiry.len(), parse(0..2), parse(2..4)) {
        (4, Some(yy), Some(mm)) if (1..=12).contains(&mm) => {
            (2000 + yy, mm) < (today.year(), i32::from(u8::from(today.month())))
        }
        _ => true,
    }
}

/// The answer to a sale on `card` on business day `today`.
pub fn authorize_sale(card: &OpenedCard, today: Date) -> IssuerDecision {
    let Some(test_card) = TestCard::by_pan(card.pan()) else {
        return IssuerDecision {
            response_code: "14",
            slow: false,
        };
    };
    if is_expired(&card.expiry, today) {
        return IssuerDecision {
            response_code: "54",
            slow: false,
        };
    }
    match test_card.behaviour {
        IssuerBehaviour::Approve => IssuerDecision {
            response_code: "00",
            slow: false,
        },
        IssuerBehaviour::Decline(code) => IssuerDecision {
            response_code: code,
            slow: false,
        },
        IssuerBehaviour::SlowApprove => IssuerDecision {
            response_code: "00",
            slow: true,
        },
    }
}

/// The answer to a refund: issuers credit the card of an approved sale.
pub fn authorize_refund(card: &OpenedCard) -> IssuerDecision {
    let slow =
        TestCard::by_pan(card.pan()).is_some_and(|c| c.behaviour == IssuerBehaviour::SlowApprove);
    IssuerDecision {
        response_code: "00",
        slow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn expiry_is_month_granular() {
        let today = date!(2030 - 03 - 15);
        assert!(
            !is_expired("3003", today),
            "valid through the end of its month"
        );
        assert!(is_expired("3002", today));
        assert!(!is_expired("3012", today));
        assert!(is_expired("2012", today));
        assert!(is_expired("3013", today), "month 13 is malformed");
        assert!(is_expired("30", today));
    }

    #[test]
    fn decision_texts() {
        let d = IssuerDecision {
            response_code: "51",
            slow: false,
        };
        assert!(!d.approved());
        assert_eq!(d.text(), "Insufficient funds");
    }
}
