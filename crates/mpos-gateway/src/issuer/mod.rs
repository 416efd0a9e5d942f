//! The issuer seen from the acquirer: an [`Issuer`] answers each
//! authorization. [`SimulatedIssuer`] (the test-card catalogue) is the one
//! implementation; a card network's would be another.

pub mod pin_tries;
mod simulator;

pub use simulator::{authorize_refund, authorize_sale, is_expired, SimulatedIssuer};

use crate::hsm::{OpenedCard, ZonePinBlock};
use std::future::Future;
use std::pin::Pin;
use time::Date;

/// The issuer's decision about one authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuerDecision {
    /// ISO 8583 response code; `00` approves.
    pub response_code: &'static str,
    /// Whether the simulator answers only after its slow-issuer delay.
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

/// An issuer's answer on its way.
pub type IssuerFuture<'a> = Pin<Box<dyn Future<Output = IssuerDecision> + Send + 'a>>;

/// Whoever approves or declines the cardholder's authorizations.
pub trait Issuer: Send + Sync {
    /// A sale on `card` on business day `today`, with the cardholder's PIN
    /// under the zone PIN key when one was entered.
    fn authorize_sale<'a>(
        &'a self,
        card: &'a OpenedCard,
        pin: Option<&'a ZonePinBlock>,
        today: Date,
    ) -> IssuerFuture<'a>;
    /// A refund to `card` of an approved sale.
    fn authorize_refund<'a>(&'a self, card: &'a OpenedCard) -> IssuerFuture<'a>;
}
