//! A virtual chip (ICC) for a catalogue card.
//!
//! At "personalisation" it receives its ICC master key, derived by option A
//! from an issuer master key, its PAN and PAN sequence number, exactly as
//! the issuer's HSM derives it again at authorization time. Each first
//! GENERATE AC counts the application transaction counter (ATC) up and
//! answers with an ARQC (Visa CVN 18: a session key per ATC). The second
//! GENERATE AC answers TC only when the host approved and the issuer's
//! ARPC verifies with a card status update that approves; otherwise AAC.
//! A card whose catalogue entry says [`ChipBehaviour::DeclinesAfterApproval`]
//! answers AAC even then, as a card whose own risk checks refuse would.

use crate::chip_data::{ChipRead, TerminalData};
use mpos_cards::{ChipBehaviour, TestCard};
use mpos_crypto::emv::{cvn18, CardStatusUpdate, EmvError, IccMasterKey, IssuerMasterKey};
use mpos_crypto::emv::{SessionKey, TransactionData};
use mpos_crypto::tlv::TlvError;
use mpos_wire::api::IssuerAuthentication;
use std::fmt;

/// Application interchange profile (82) of the virtual cards: cardholder
/// verification, terminal risk management and issuer authentication supported.
pub const AIP: [u8; 2] = [0x1C, 0x00];

/// Card verification results byte 2 (Visa): which cryptograms the card returned.
mod cvr {
    /// First GENERATE AC returned an ARQC; no second GENERATE AC yet.
    pub const ARQC_NO_SECOND_AC: u8 = 0xA0;
    /// ARQC first, then a TC.
    pub const ARQC_THEN_TC: u8 = 0x60;
    /// ARQC first, then an AAC.
    pub const ARQC_THEN_AAC: u8 = 0x20;
    /// Issuer authentication performed and failed.
    pub const ISSUER_AUTHENTICATION_FAILED: u8 = 0x08;
    /// The CVR's first byte is its length.
    pub const LENGTH: u8 = 0x03;
}

/// Why the chip could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IccError {
    /// The card's key could not be derived from its data.
    #[error("cannot personalise the chip: {0}")]
    Personalisation(#[from] EmvError),
    /// The ATC reached its maximum: a real card blocks itself here.
    #[error("the application transaction counter is exhausted")]
    AtcExhausted,
    /// The terminal data does not fit the EMV formats.
    #[error("terminal data: {0}")]
    TerminalData(#[from] TlvError),
}

/// The type of the second GENERATE AC's cryptogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardDecision {
    /// Transaction certificate: the card accepts the approved transaction.
    Tc,
    /// Application authentication cryptogram: the card declines.
    Aac,
}

/// The card's answer to the second GENERATE AC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondGenerateAc {
    /// TC or AAC.
    pub decision: CardDecision,
    /// Whether the issuer's ARPC verified.
    pub issuer_authenticated: bool,
    /// The TC or AAC itself.
    pub cryptogram: [u8; 8],
}

/// The first GENERATE AC the card still has to finish.
struct Pending {
    data: TransactionData,
    arqc: [u8; 8],
    session_key: SessionKey,
}

/// A personalised virtual chip.
pub struct VirtualIcc {
    pan_sequence: u8,
    key: IccMasterKey,
    atc: u16,
    pending: Option<Pending>,
    behaviour: ChipBehaviour,
}

impl fmt::Debug for VirtualIcc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VirtualIcc")
            .field("pan_sequence", &self.pan_sequence)
            .field("atc", &self.atc)
            .finish_non_exhaustive()
    }
}

impl VirtualIcc {
    /// Personalises the chip of `card` under the issuer master key; the ATC starts at 0.
    pub fn personalise(card: &TestCard, issuer: &IssuerMasterKey) -> Result<Self, IccError> {
        Ok(VirtualIcc {
            pan_sequence: card.pan_sequence,
            key: IccMasterKey::derive_option_a(issuer, card.pan, card.pan_sequence)?,
            atc: 0,
            pending: None,
            behaviour: card.chip_behaviour,
        })
    }

    /// The application transaction counter of the last first GENERATE AC.
    pub fn atc(&self) -> u16 {
        self.atc
    }

    /// First GENERATE AC asking for an ARQC: counts the ATC up and signs the terminal's data.
    pub fn first_generate_ac(&mut self, terminal: &TerminalData) -> Result<ChipRead, IccError> {
        let atc = self.atc.checked_add(1).ok_or(IccError::AtcExhausted)?;
        let data = terminal.transaction_data(AIP, atc)?;
        self.atc = atc;
        let session_key = cvn18::session_key(&self.key, atc);
        let iad = cvn18::issuer_application_data([cvr::LENGTH, cvr::ARQC_NO_SECOND_AC, 0, 0]);
        let arqc = cvn18::arqc(&session_key, &data, &iad);
        self.pending = Some(Pending {
            data: data.clone(),
            arqc,
            session_key,
        });
        Ok(ChipRead {
            data,
            pan_sequence: self.pan_sequence,
            issuer_application_data: iad.to_vec(),
            arqc,
        })
    }

    /// Second GENERATE AC with the host's answer; `None` when no ARQC is waiting.
    pub fn second_generate_ac(
        &mut self,
        approved: bool,
        issuer: Option<&IssuerAuthentication>,
    ) -> Option<SecondGenerateAc> {
        let pending = self.pending.take()?;
        let issuer_authenticated = issuer.and_then(parse).is_some_and(|(arpc, csu)| {
            cvn18::verify_arpc(&pending.session_key, &pending.arqc, &csu, &arpc) && csu.approves()
        });
        let accepts = self.behaviour == ChipBehaviour::Normal;
        let decision = if approved && issuer_authenticated && accepts {
            CardDecision::Tc
        } else {
            CardDecision::Aac
        };
        let mut byte2 = match decision {
            CardDecision::Tc => cvr::ARQC_THEN_TC,
            CardDecision::Aac => cvr::ARQC_THEN_AAC,
        };
        if issuer.is_some() && !issuer_authenticated {
            byte2 |= cvr::ISSUER_AUTHENTICATION_FAILED;
        }
        let iad = cvn18::issuer_application_data([cvr::LENGTH, byte2, 0, 0]);
        Some(SecondGenerateAc {
            decision,
            issuer_authenticated,
            cryptogram: cvn18::arqc(&pending.session_key, &pending.data, &iad),
        })
    }
}

/// The ARPC and CSU of issuer authentication data; `None` when malformed.
fn parse(issuer: &IssuerAuthentication) -> Option<([u8; 4], CardStatusUpdate)> {
    let arpc: [u8; 4] = hex::decode(&issuer.arpc_hex).ok()?.try_into().ok()?;
    let csu: [u8; 4] = hex::decode(&issuer.csu_hex).ok()?.try_into().ok()?;
    Some((arpc, CardStatusUpdate(csu)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::TEST_ISSUER_MASTER_KEY;
    use mpos_cards::CardId;
    use mpos_wire::Money;

    fn issuer() -> IssuerMasterKey {
        IssuerMasterKey::new(TEST_ISSUER_MASTER_KEY)
    }

    fn icc(card: CardId) -> VirtualIcc {
        VirtualIcc::personalise(TestCard::get(card), &issuer()).unwrap()
    }

    fn terminal() -> TerminalData {
        TerminalData {
            amount: Money::twd_minor(480_000),
            kind: mpos_wire::api::TxnKind::Sale,
            date: time::macros::date!(2030 - 03 - 10),
            unpredictable_number: [0x52, 0xBF, 0x45, 0x85],
        }
    }

    /// The issuer's side, computed independently from the issuer master key.
    fn issuer_answer(card: CardId, read: &ChipRead, csu: CardStatusUpdate) -> IssuerAuthentication {
        let test_card = TestCard::get(card);
        let key = IccMasterKey::derive_option_a(&issuer(), test_card.pan, test_card.pan_sequence)
            .unwrap();
        let session = cvn18::session_key(&key, read.data.atc());
        assert!(cvn18::verify_arqc(
            &session,
            &read.data,
            &read.issuer_application_data,
            &read.arqc
        ));
        IssuerAuthentication {
            arpc_hex: hex::encode_upper(cvn18::arpc(&session, &read.arqc, &csu)),
            csu_hex: hex::encode_upper(csu.0),
            arc: "00".into(),
        }
    }

    #[test]
    fn the_issuer_verifies_the_arqc_and_the_card_accepts_its_arpc() {
        let mut chip = icc(CardId::VisaChipApproved);
        let read = chip.first_generate_ac(&terminal()).unwrap();
        assert_eq!(read.pan_sequence, 1);
        assert_eq!(
            cvn18::card_verification_results(&read.issuer_application_data),
            Ok([0x03, 0xA0, 0, 0])
        );
        let answer = issuer_answer(
            CardId::VisaChipApproved,
            &read,
            CardStatusUpdate::approval(),
        );
        let second = chip.second_generate_ac(true, Some(&answer)).unwrap();
        assert_eq!(second.decision, CardDecision::Tc);
        assert!(second.issuer_authenticated);
        assert_ne!(second.cryptogram, read.arqc);
        // The transaction is finished: a second answer has nothing to finish.
        assert_eq!(chip.second_generate_ac(true, Some(&answer)), None);
    }

    #[test]
    fn a_wrong_or_missing_arpc_makes_the_card_decline() {
        let mut chip = icc(CardId::MastercardChipApproved);
        let read = chip.first_generate_ac(&terminal()).unwrap();
        let mut answer = issuer_answer(
            CardId::MastercardChipApproved,
            &read,
            CardStatusUpdate::approval(),
        );
        answer.arpc_hex = format!(
            "{:08X}",
            u32::from_str_radix(&answer.arpc_hex, 16).unwrap() ^ 1
        );
        let second = chip.second_generate_ac(true, Some(&answer)).unwrap();
        assert_eq!(second.decision, CardDecision::Aac);
        assert!(!second.issuer_authenticated);

        chip.first_generate_ac(&terminal()).unwrap();
        let second = chip.second_generate_ac(true, None).unwrap();
        assert_eq!(second.decision, CardDecision::Aac);

        chip.first_generate_ac(&terminal()).unwrap();
        let malformed = IssuerAuthentication {
            arpc_hex: "zz".into(),
            csu_hex: "00800000".into(),
            arc: "00".into(),
        };
        let second = chip.second_generate_ac(true, Some(&malformed)).unwrap();
        assert_eq!(second.decision, CardDecision::Aac);
    }

    #[test]
    fn an_arpc_for_another_card_or_transaction_is_refused() {
        let mut visa = icc(CardId::VisaChipApproved);
        let mut mastercard = icc(CardId::MastercardChipApproved);
        let old = visa.first_generate_ac(&terminal()).unwrap();
        let stale = issuer_answer(CardId::VisaChipApproved, &old, CardStatusUpdate::approval());
        // The next transaction of the same card: a replayed ARPC does not fit.
        visa.first_generate_ac(&terminal()).unwrap();
        assert_eq!(
            visa.second_generate_ac(true, Some(&stale))
                .unwrap()
                .decision,
            CardDecision::Aac
        );
        // The Mastercard's ARQC answered under the Visa card's key.
        let read = mastercard.first_generate_ac(&terminal()).unwrap();
        let visa_card = TestCard::get(CardId::VisaChipApproved);
        let visa_key =
            IccMasterKey::derive_option_a(&issuer(), visa_card.pan, visa_card.pan_sequence)
                .unwrap();
        let session = cvn18::session_key(&visa_key, read.data.atc());
        let mut other_card = stale.clone();
        other_card.arpc_hex = hex::encode_upper(cvn18::arpc(
            &session,
            &read.arqc,
            &CardStatusUpdate::approval(),
        ));
        assert_eq!(
            mastercard
                .second_generate_ac(true, Some(&other_card))
                .unwrap()
                .decision,
            CardDecision::Aac
        );
    }

    #[test]
    fn a_declining_csu_or_a_declined_host_answer_gives_aac() {
        let mut chip = icc(CardId::VisaChipApproved);
        let read = chip.first_generate_ac(&terminal()).unwrap();
        let decline = issuer_answer(CardId::VisaChipApproved, &read, CardStatusUpdate::decline());
        let second = chip.second_generate_ac(true, Some(&decline)).unwrap();
        assert_eq!(second.decision, CardDecision::Aac);
        // A tampered CSU (decline turned into approval) no longer matches the ARPC.
        let read = chip.first_generate_ac(&terminal()).unwrap();
        let mut forged =
            issuer_answer(CardId::VisaChipApproved, &read, CardStatusUpdate::decline());
        forged.csu_hex = "00800000".into();
        assert_eq!(
            chip.second_generate_ac(true, Some(&forged))
                .unwrap()
                .decision,
            CardDecision::Aac
        );
        let read = chip.first_generate_ac(&terminal()).unwrap();
        let approval = issuer_answer(
            CardId::VisaChipApproved,
            &read,
            CardStatusUpdate::approval(),
        );
        let second = chip.second_generate_ac(false, Some(&approval)).unwrap();
        assert_eq!(second.decision, CardDecision::Aac);
        assert!(second.issuer_authenticated);
    }

    #[test]
    fn the_atc_counts_up_and_changes_the_cryptogram() {
        let mut chip = icc(CardId::VisaChipApproved);
        let first = chip.first_generate_ac(&terminal()).unwrap();
        let second = chip.first_generate_ac(&terminal()).unwrap();
        assert_eq!((first.data.atc(), second.data.atc(), chip.atc()), (1, 2, 2));
        assert_ne!(first.arqc, second.arqc);
        chip.atc = u16::MAX;
        assert_eq!(
            chip.first_generate_ac(&terminal()),
            Err(IccError::AtcExhausted)
        );
        assert_eq!(chip.atc(), u16::MAX);
    }

    #[test]
    fn another_issuer_key_gives_cards_another_key() {
        let mut ours = icc(CardId::VisaChipApproved);
        let mut theirs = VirtualIcc::personalise(
            TestCard::get(CardId::VisaChipApproved),
            &IssuerMasterKey::new([0x11; 16]),
        )
        .unwrap();
        let a = ours.first_generate_ac(&terminal()).unwrap();
        let b = theirs.first_generate_ac(&terminal()).unwrap();
        assert_eq!(a.data, b.data);
        assert_ne!(a.arqc, b.arqc);
    }

    #[test]
    fn a_chip_that_declines_after_approval_answers_aac_to_a_good_arpc() {
        let card = CardId::VisaChipDeclinesAfterApproval;
        let mut chip = icc(card);
        let read = chip.first_generate_ac(&terminal()).unwrap();
        let answer = issuer_answer(card, &read, CardStatusUpdate::approval());
        let second = chip.second_generate_ac(true, Some(&answer)).unwrap();
        // The issuer's answer is genuine, yet the card declines.
        assert!(second.issuer_authenticated);
        assert_eq!(second.decision, CardDecision::Aac);
        // The same answer on an ordinary card gives a TC.
        let mut normal = icc(CardId::VisaChipApproved);
        let read = normal.first_generate_ac(&terminal()).unwrap();
        let answer = issuer_answer(
            CardId::VisaChipApproved,
            &read,
            CardStatusUpdate::approval(),
        );
        let second = normal.second_generate_ac(true, Some(&answer)).unwrap();
        assert_eq!(second.decision, CardDecision::Tc);
    }

    #[test]
    fn debug_shows_no_key() {
        let text = format!("{:?}", icc(CardId::VisaChipApproved));
        assert!(text.starts_with("VirtualIcc"), "{text}");
        assert!(!text.contains("key"), "{text}");
    }
}
