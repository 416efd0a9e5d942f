//! The test-card catalogue: published test card numbers and how the
//! gateway's issuer simulator answers each one.
//!
//! The virtual reader (`mpos-sim`) reads these cards, the gateway's issuer
//! simulator authorizes them, and the tests pick them by [`CardId`]. Every
//! number is a published test value (card-network and payment-processor
//! test cards); no real card number may ever be added here.
//! `docs/test-cards.md` is generated from the same table by a test.

use mpos_wire::Brand;

/// Names the cards tests and the demo use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardId {
    /// Visa chip card, approved.
    VisaChipApproved,
    /// Mastercard chip card, approved.
    MastercardChipApproved,
    /// Visa magnetic-stripe-only card (service code 101), approved.
    VisaSwipeOnlyApproved,
    /// Visa chip card declined with 05 (do not honour).
    VisaDeclined05,
    /// Visa chip card declined with 51 (insufficient funds).
    VisaDeclined51,
    /// Visa chip card past its expiry date (54).
    VisaExpired,
    /// Visa chip card reported lost (41).
    VisaLost,
    /// Visa chip card reported stolen (43).
    VisaStolen,
    /// Visa chip card whose issuer answers slowly, for timeout tests.
    VisaSlowIssuer,
    /// JCB chip card; JCB is the brand that needs no signature in the test configuration.
    JcbNoSignature,
    /// UnionPay chip card, approved.
    UnionPayApproved,
    /// American Express chip card, approved.
    AmexApproved,
    /// Visa chip card the issuer approves but whose chip then declines (AAC
    /// at the second GENERATE AC): the phone must reverse the approval.
    VisaChipDeclinesAfterApproval,
    /// UnionPay debit chip card, approved with its PIN; for the PIN-tries tests.
    UnionPayDebitApproved,
}

/// How the issuer simulator answers an authorization for a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerBehaviour {
    /// Approves within the cardholder's credit.
    Approve,
    /// Declines with an ISO 8583 response code.
    Decline(&'static str),
    /// Approves, but only after the gateway's configured slow-issuer delay.
    SlowApprove,
}

/// How the card's chip answers the second GENERATE AC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChipBehaviour {
    /// TC when the host approved and the issuer's ARPC verifies; AAC otherwise.
    Normal,
    /// AAC whatever the host and the issuer said: the chip declines an approval.
    DeclinesAfterApproval,
}

/// One virtual card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// Catalogue name.
    pub id: CardId,
    /// Published test card number.
    pub pan: &'static str,
    /// Expiry, `YYMM`.
    pub expiry: &'static str,
    /// Magnetic-stripe service code; first digit 2 means the card has a chip.
    pub service_code: &'static str,
    /// Name on the card (track 1).
    pub cardholder: &'static str,
    /// EMV PAN sequence number.
    pub pan_sequence: u8,
    /// How the issuer simulator answers.
    pub behaviour: IssuerBehaviour,
    /// How the chip answers the second GENERATE AC.
    pub chip_behaviour: ChipBehaviour,
    /// The PIN the issuer simulator holds for the card (a test value: the
    /// UnionPay cards have 6 digits, as UnionPay issues them in Taiwan).
    pub pin: &'static str,
    /// What the card is for, in one line.
    pub purpose: &'static str,
}

impl TestCard {
    /// The card's brand, from its number.
    pub fn brand(&self) -> Brand {
        Brand::from_pan(self.pan).expect("catalogue cards have known prefixes")
    }

    /// Whether the card carries an EMV chip.
    pub fn has_chip(&self) -> bool {
        mpos_wire::card::service_code_has_chip(self.service_code)
    }

    /// Looks a card up by its number (what the issuer simulator does after decryption).
    pub fn by_pan(pan: &str) -> Option<&'static TestCard> {
        CATALOGUE.iter().find(|card| card.pan == pan)
    }

    /// Looks a card up by its catalogue name.
    pub fn get(id: CardId) -> &'static TestCard {
        CATALOGUE
            .iter()
            .find(|card| card.id == id)
            .expect("every CardId has a catalogue entry")
    }
}

/// The ISO 8583 response code and text the issuer simulator gives for a code.
pub fn response_text(code: &str) -> &'static str {
    match code {
        "00" => "Approved",
        "05" => "Do not honour",
        "14" => "Invalid card number",
        "41" => "Lost card, pick up",
        "43" => "Stolen card, pick up",
        "51" => "Insufficient funds",
        "54" => "Expired card",
        "55" => "Incorrect PIN",
        "75" => "Allowable number of PIN tries exceeded",
        "91" => "Issuer unavailable",
        _ => "Declined",
    }
}

/// Every test card.
pub static CATALOGUE: &[TestCard] = &[
    TestCard {
        id: CardId::VisaChipApproved,
        pan: "4111111111111111",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/VISA CHIP",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Chip sale approved; the everyday card of the demo.",
    },
    TestCard {
        id: CardId::MastercardChipApproved,
        pan: "5555555555554444",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/MASTERCARD",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Chip sale approved on a second brand.",
    },
    TestCard {
        id: CardId::VisaSwipeOnlyApproved,
        pan: "4242424242424242",
        expiry: "3012",
        service_code: "101",
        cardholder: "TEST/VISA STRIPE",
        pan_sequence: 0,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Magnetic stripe only: swipe accepted at once; refunds.",
    },
    TestCard {
        id: CardId::VisaDeclined05,
        pan: "4000000000000002",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/DECLINE 05",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Decline("05"),
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Declined: do not honour (05).",
    },
    TestCard {
        id: CardId::VisaDeclined51,
        pan: "4000000000009995",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/DECLINE 51",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Decline("51"),
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Declined: insufficient funds (51).",
    },
    TestCard {
        id: CardId::VisaExpired,
        pan: "4000000000000069",
        expiry: "2012",
        service_code: "201",
        cardholder: "TEST/EXPIRED",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Expired in December 2020: the issuer simulator declines 54 from the date.",
    },
    TestCard {
        id: CardId::VisaLost,
        pan: "4000000000009987",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/LOST",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Decline("41"),
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Reported lost (41).",
    },
    TestCard {
        id: CardId::VisaStolen,
        pan: "4000000000009979",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/STOLEN",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Decline("43"),
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Reported stolen (43).",
    },
    TestCard {
        id: CardId::VisaSlowIssuer,
        pan: "4000000000000119",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/SLOW ISSUER",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::SlowApprove,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "Issuer answers after the slow-issuer delay: timeouts and reversals.",
    },
    TestCard {
        id: CardId::JcbNoSignature,
        pan: "3566002020360505",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/JCB",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "JCB: the brand configured to need no signature in tests.",
    },
    TestCard {
        id: CardId::UnionPayApproved,
        pan: "6200000000000005",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/UNIONPAY",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "246813",
        purpose: "UnionPay chip sale approved.",
    },
    TestCard {
        id: CardId::AmexApproved,
        pan: "378282246310005",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/AMEX",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "1234",
        purpose: "American Express chip sale approved.",
    },
    TestCard {
        id: CardId::VisaChipDeclinesAfterApproval,
        pan: "4012888888881881",
        expiry: "3012",
        service_code: "201",
        cardholder: "TEST/CHIP DECLINES",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::DeclinesAfterApproval,
        pin: "1234",
        purpose: "Issuer approves, the chip answers AAC: the phone reverses the sale.",
    },
    TestCard {
        id: CardId::UnionPayDebitApproved,
        pan: "6200000000000047",
        expiry: "3012",
        service_code: "220",
        cardholder: "TEST/UNIONPAY DEBIT",
        pan_sequence: 1,
        behaviour: IssuerBehaviour::Approve,
        chip_behaviour: ChipBehaviour::Normal,
        pin: "975310",
        purpose: "UnionPay debit chip card: wrong PINs (55) until the tries are exceeded (75).",
    },
];

/// The catalogue as a Markdown table, the body of `docs/test-cards.md`.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Card | Brand | Masked number | Expiry | Service code | PIN | Issuer answer | Chip after approval | Purpose |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for card in CATALOGUE {
        let answer = match card.behaviour {
            IssuerBehaviour::Approve if card.id == CardId::VisaExpired => {
                "54 Expired card".to_string()
            }
            IssuerBehaviour::Approve => "00 Approved".to_string(),
            IssuerBehaviour::Decline(code) => format!("{code} {}", response_text(code)),
            IssuerBehaviour::SlowApprove => "00 Approved, after the slow-issuer delay".to_string(),
        };
        let chip = match (card.has_chip(), card.chip_behaviour) {
            (false, _) => "no chip",
            (true, ChipBehaviour::Normal) => "TC",
            (true, ChipBehaviour::DeclinesAfterApproval) => "AAC (declines)",
        };
        out.push_str(&format!(
            "| `{:?}` | {} | `{}` | {} | {} | {} | {} | {} | {} |\n",
            card.id,
            card.brand(),
            mpos_wire::mask_pan(card.pan).expect("catalogue numbers are well formed"),
            card.expiry,
            card.service_code,
            card.pin,
            answer,
            chip,
            card.purpose
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_card_is_luhn_valid_with_a_known_brand() {
        for card in CATALOGUE {
            assert!(mpos_wire::luhn_valid(card.pan), "{:?}", card.id);
            assert!(Brand::from_pan(card.pan).is_some(), "{:?}", card.id);
            assert_eq!(card.expiry.len(), 4);
            assert_eq!(card.service_code.len(), 3);
        }
    }

    #[test]
    fn ids_and_numbers_are_unique() {
        for (i, a) in CATALOGUE.iter().enumerate() {
            for b in &CATALOGUE[i + 1..] {
                assert_ne!(a.id, b.id);
                assert_ne!(a.pan, b.pan);
            }
        }
    }

    #[test]
    fn chip_flag_follows_service_code() {
        assert!(TestCard::get(CardId::VisaChipApproved).has_chip());
        assert!(!TestCard::get(CardId::VisaSwipeOnlyApproved).has_chip());
    }

    #[test]
    fn only_the_declining_chip_declines_after_approval() {
        let declining: Vec<CardId> = CATALOGUE
            .iter()
            .filter(|card| card.chip_behaviour == ChipBehaviour::DeclinesAfterApproval)
            .map(|card| card.id)
            .collect();
        assert_eq!(declining, vec![CardId::VisaChipDeclinesAfterApproval]);
        let card = TestCard::get(CardId::VisaChipDeclinesAfterApproval);
        // The issuer approves: only the chip can turn the sale down.
        assert_eq!(card.behaviour, IssuerBehaviour::Approve);
        assert!(card.has_chip());
        assert!(markdown_table().contains("| AAC (declines) |"));
    }

    #[test]
    fn lookup_by_number() {
        let card = TestCard::by_pan("4000000000000002").unwrap();
        assert_eq!(card.id, CardId::VisaDeclined05);
        assert!(TestCard::by_pan("4111111111111112").is_none());
    }

    #[test]
    fn markdown_never_shows_a_full_number() {
        let table = markdown_table();
        for card in CATALOGUE {
            assert!(!table.contains(card.pan), "{:?}", card.id);
        }
    }
}
