//! The issuer simulator: answers authorizations for the test-card
//! catalogue (pure decisions), the slow issuer after the configured delay.
//! It knows each test card's PIN and counts wrong PINs per card in memory
//! (an issuer's own state: it lasts as long as the gateway process).

use super::pin_tries::{judge_pin, PinVerdict};
use super::{Issuer, IssuerDecision, IssuerFuture};
use crate::hsm::{zone_pin_matches, OpenedCard, ZonePinBlock};
use mpos_cards::{IssuerBehaviour, TestCard};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use time::Date;

/// The simulated issuer of the test-card catalogue.
pub struct SimulatedIssuer {
    slow_delay: Duration,
    zone_pin_key: [u8; 16],
    /// Wrong PINs in a row, by card token.
    wrong_pins: Mutex<HashMap<String, u8>>,
}

impl SimulatedIssuer {
    /// A simulator whose slow cards answer after `slow_delay`, receiving
    /// PIN blocks under `zone_pin_key`.
    pub fn new(slow_delay: Duration, zone_pin_key: [u8; 16]) -> Self {
        SimulatedIssuer {
            slow_delay,
            zone_pin_key,
            wrong_pins: Mutex::new(HashMap::new()),
        }
    }

    /// Checks the PIN against the card's and keeps the try count.
    fn verify_pin(&self, card: &OpenedCard, pin: &ZonePinBlock) -> PinVerdict {
        let right = TestCard::by_pan(card.pan())
            .is_some_and(|test| zone_pin_matches(&self.zone_pin_key, pin, card.pan(), test.pin));
        let mut tries = self.wrong_pins.lock().unwrap_or_else(|p| p.into_inner());
        let wrong_so_far = tries.get(&card.card_token).copied().unwrap_or(0);
        let (verdict, wrong) = judge_pin(wrong_so_far, right);
        tries.insert(card.card_token.clone(), wrong);
        verdict
    }

    fn answer(&self, decision: IssuerDecision) -> IssuerFuture<'static> {
        let delay = decision.slow.then_some(self.slow_delay);
        Box::pin(async move {
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            decision
        })
    }
}

impl Issuer for SimulatedIssuer {
    fn authorize_sale<'a>(
        &'a self,
        card: &'a OpenedCard,
        pin: Option<&'a ZonePinBlock>,
        today: Date,
    ) -> IssuerFuture<'a> {
        // An unknown or expired card is refused before its PIN is looked at.
        let pin_refusal = pin
            .filter(|_| card_refusal(card, today).is_none())
            .and_then(|pin| self.verify_pin(card, pin).response_code());
        self.answer(match pin_refusal {
            Some(response_code) => IssuerDecision {
                response_code,
                slow: false,
            },
            None => authorize_sale(card, today),
        })
    }

    fn authorize_refund<'a>(&'a self, card: &'a OpenedCard) -> IssuerFuture<'a> {
        self.answer(authorize_refund(card))
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
    if let Some(refusal) = card_refusal(card, today) {
        return refusal;
    }
    let behaviour = TestCard::by_pan(card.pan()).map_or(IssuerBehaviour::Approve, |c| c.behaviour);
    match behaviour {
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

/// The refusal of a card the issuer does not know (14) or that has expired
/// (54), whatever the sale; `None` for a card it will judge.
fn card_refusal(card: &OpenedCard, today: Date) -> Option<IssuerDecision> {
    let response_code = if TestCard::by_pan(card.pan()).is_none() {
        "14"
    } else if is_expired(&card.expiry, today) {
        "54"
    } else {
        return None;
    };
    Some(IssuerDecision {
        response_code,
        slow: false,
    })
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

    #[tokio::test]
    async fn slow_cards_answer_after_the_delay() {
        let issuer = SimulatedIssuer::new(Duration::from_millis(200), [0x11; 16]);
        let started = std::time::Instant::now();
        let decision = issuer
            .answer(IssuerDecision {
                response_code: "00",
                slow: true,
            })
            .await;
        assert!(decision.approved());
        assert!(started.elapsed() >= Duration::from_millis(200));
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
