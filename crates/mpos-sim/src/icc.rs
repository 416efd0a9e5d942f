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
//!
//! The terminal reaches the chip through [`VirtualIcc::transmit`]: command
//! APDUs in, response data and status word out (EMV Book 3, chapter 6).
//! The chip is strict: a command out of order or of the wrong length is
//! refused with its status word, as a real card would.

use crate::chip_data::{ChipRead, TerminalData, CID_ARQC};
use mpos_cards::{ChipBehaviour, TestCard};
use mpos_crypto::emv::{cvn18, CardStatusUpdate, EmvError, IccMasterKey, IssuerMasterKey};
use mpos_crypto::emv::{SessionKey, TransactionData};
use mpos_crypto::tlv::{self, tags, Tag, Tlv, TlvError};
use mpos_wire::api::IssuerAuthentication;
use mpos_wire::Brand;
use std::fmt;

/// Application interchange profile (82) of the virtual cards: cardholder
/// verification, terminal risk management and issuer authentication supported.
pub const AIP: [u8; 2] = [0x1C, 0x00];

/// Status words (SW1 SW2) the chip answers with.
pub mod sw {
    /// Normal processing.
    pub const OK: [u8; 2] = [0x90, 0x00];
    /// Wrong length (Lc or data).
    pub const WRONG_LENGTH: [u8; 2] = [0x67, 0x00];
    /// Conditions of use not satisfied: the command came out of order.
    pub const CONDITIONS_NOT_SATISFIED: [u8; 2] = [0x69, 0x85];
    /// File (application) not found.
    pub const FILE_NOT_FOUND: [u8; 2] = [0x6A, 0x82];
    /// Record not found.
    pub const RECORD_NOT_FOUND: [u8; 2] = [0x6A, 0x83];
    /// Incorrect P1 P2.
    pub const WRONG_P1_P2: [u8; 2] = [0x6A, 0x86];
    /// Instruction not supported.
    pub const INS_NOT_SUPPORTED: [u8; 2] = [0x6D, 0x00];
    /// Class not supported.
    pub const CLA_NOT_SUPPORTED: [u8; 2] = [0x6E, 0x00];
}

/// The card's processing options data object list (9F38): amount, currency, challenge.
pub const PDOL: [u8; 9] = [0x9F, 0x02, 0x06, 0x5F, 0x2A, 0x02, 0x9F, 0x37, 0x04];
/// Length of the PDOL's data.
const PDOL_DATA_LEN: usize = 6 + 2 + 4;
/// The card's first card risk management data object list (8C): the cryptogram's terminal data.
pub const CDOL1: [u8; 21] = [
    0x9F, 0x02, 0x06, 0x9F, 0x03, 0x06, 0x9F, 0x1A, 0x02, 0x95, 0x05, 0x5F, 0x2A, 0x02, 0x9A, 0x03,
    0x9C, 0x01, 0x9F, 0x37, 0x04,
];
/// Length of the CDOL1's data.
const CDOL1_DATA_LEN: usize = 6 + 6 + 2 + 5 + 2 + 3 + 1 + 4;
/// Length of the second GENERATE AC's data: 8A response code, 91 issuer authentication data.
const CDOL2_DATA_LEN: usize = 2 + 8;
/// Application file locator (94): SFI 1, record 1 only, no record for offline authentication.
const AFL: [u8; 4] = [0x08, 0x01, 0x01, 0x00];
/// READ RECORD's P2 for SFI 1 ("P1 is a record number").
const READ_RECORD_SFI_1: u8 = (1 << 3) | 0x04;
/// GENERATE AC's P1: the cryptogram the terminal asks for.
const P1_AAC: u8 = 0x00;
const P1_TC: u8 = 0x40;
const P1_ARQC: u8 = 0x80;

/// The application identifier (AID) of a brand's credit/debit application.
pub fn aid(brand: Brand) -> &'static [u8] {
    match brand {
        Brand::Visa => &[0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10],
        Brand::Mastercard => &[0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10],
        Brand::Jcb => &[0xA0, 0x00, 0x00, 0x00, 0x65, 0x10, 0x10],
        Brand::UnionPay => &[0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01, 0x01],
        Brand::Amex => &[0xA0, 0x00, 0x00, 0x00, 0x25, 0x01],
    }
}

/// A tag this module knows to be valid.
fn tag(value: u32) -> Tag {
    Tag::new(value).expect("EMV tags in this module are valid")
}
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
    brand: Brand,
    /// Track 2 equivalent data (57): the card's number, so never in Debug.
    track2: Vec<u8>,
    /// Expiry, `YYMM`.
    expiry: String,
    selected: bool,
    processing: bool,
}

/// One command APDU, split (ISO 7816-4 cases 1 to 4).
struct Command<'a> {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
}

impl<'a> Command<'a> {
    fn parse(apdu: &'a [u8]) -> Result<Command<'a>, [u8; 2]> {
        let [cla, ins, p1, p2, body @ ..] = apdu else {
            return Err(sw::WRONG_LENGTH);
        };
        let data = match body {
            // Case 1 (no body) or case 2 (Le only).
            [] | [_] => &[][..],
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                // Case 3 (exactly Lc bytes) or case 4 (then Le).
                if lc == 0 || !(rest.len() == lc || rest.len() == lc + 1) {
                    return Err(sw::WRONG_LENGTH);
                }
                &rest[..lc]
            }
        };
        Ok(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
        })
    }
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
            key: IccMasterKey::derive(issuer, card.pan, card.pan_sequence)?,
            atc: 0,
            pending: None,
            behaviour: card.chip_behaviour,
            brand: card.brand(),
            track2: track2_equivalent(card),
            expiry: card.expiry.to_string(),
            selected: false,
            processing: false,
        })
    }

    /// Answers one command APDU: the response data, then SW1 SW2.
    pub fn transmit(&mut self, command_apdu: &[u8]) -> Vec<u8> {
        let (mut response, status) = match self.answer(command_apdu) {
            Ok(data) => (data, sw::OK),
            Err(status) => (Vec::new(), status),
        };
        response.extend(status);
        response
    }

    fn answer(&mut self, apdu: &[u8]) -> Result<Vec<u8>, [u8; 2]> {
        let command = Command::parse(apdu)?;
        match (command.cla, command.ins) {
            (0x00, 0xA4) => self.select(&command),
            (0x80, 0xA8) => self.get_processing_options(&command),
            (0x00, 0xB2) => self.read_record(&command),
            (0x80, 0xAE) => self.generate_ac(&command),
            (_, 0xA4 | 0xA8 | 0xB2 | 0xAE) => Err(sw::CLA_NOT_SUPPORTED),
            _ => Err(sw::INS_NOT_SUPPORTED),
        }
    }

    /// SELECT by AID: the FCI template with the PDOL.
    fn select(&mut self, command: &Command) -> Result<Vec<u8>, [u8; 2]> {
        if (command.p1, command.p2) != (0x04, 0x00) {
            return Err(sw::WRONG_P1_P2);
        }
        // Any SELECT ends the application's transaction in progress.
        self.selected = false;
        self.processing = false;
        self.pending = None;
        if command.data != aid(self.brand) {
            return Err(sw::FILE_NOT_FOUND);
        }
        self.selected = true;
        let label = self.brand.display_name().to_uppercase();
        let fci = Tlv::constructed(
            tag(0x6F),
            vec![
                Tlv::primitive(tag(0x84), aid(self.brand)).map_err(internal)?,
                Tlv::constructed(
                    tag(0xA5),
                    vec![
                        Tlv::primitive(tag(0x50), label.into_bytes()).map_err(internal)?,
                        Tlv::primitive(tag(0x9F38), PDOL).map_err(internal)?,
                    ],
                )
                .map_err(internal)?,
            ],
        )
        .map_err(internal)?;
        Ok(tlv::encode(&[fci]))
    }

    /// GET PROCESSING OPTIONS with the PDOL's data: format 2 with AIP and AFL.
    fn get_processing_options(&mut self, command: &Command) -> Result<Vec<u8>, [u8; 2]> {
        if !self.selected {
            return Err(sw::CONDITIONS_NOT_SATISFIED);
        }
        if (command.p1, command.p2) != (0x00, 0x00) {
            return Err(sw::WRONG_P1_P2);
        }
        match command.data {
            [0x83, length, data @ ..]
                if usize::from(*length) == PDOL_DATA_LEN && data.len() == PDOL_DATA_LEN => {}
            _ => return Err(sw::WRONG_LENGTH),
        }
        self.processing = true;
        self.pending = None;
        template(
            0x77,
            vec![
                Tlv::primitive(tags::AIP, AIP),
                Tlv::primitive(tag(0x94), AFL),
            ],
        )
    }

    /// READ RECORD of SFI 1 record 1: track 2 equivalent, expiry, PSN, CDOL1.
    fn read_record(&mut self, command: &Command) -> Result<Vec<u8>, [u8; 2]> {
        if !self.processing {
            return Err(sw::CONDITIONS_NOT_SATISFIED);
        }
        if !command.data.is_empty() {
            return Err(sw::WRONG_LENGTH);
        }
        if (command.p1, command.p2) != (1, READ_RECORD_SFI_1) {
            return Err(sw::RECORD_NOT_FOUND);
        }
        template(
            0x70,
            vec![
                Tlv::primitive(tag(0x57), self.track2.clone()),
                Tlv::primitive(
                    tag(0x5F24),
                    expiry_date(&self.expiry).ok_or(sw::FILE_NOT_FOUND)?,
                ),
                Tlv::numeric(tags::PAN_SEQUENCE_NUMBER, u64::from(self.pan_sequence), 2),
                Tlv::primitive(tag(0x8C), CDOL1),
            ],
        )
    }

    /// GENERATE AC: P1 80 is the first (ARQC); 40 or 00 the second (TC or AAC).
    fn generate_ac(&mut self, command: &Command) -> Result<Vec<u8>, [u8; 2]> {
        if command.p2 != 0x00 {
            return Err(sw::WRONG_P1_P2);
        }
        match command.p1 {
            P1_ARQC => {
                if !self.processing || self.pending.is_some() {
                    return Err(sw::CONDITIONS_NOT_SATISFIED);
                }
                let atc = self
                    .atc
                    .checked_add(1)
                    .ok_or(sw::CONDITIONS_NOT_SATISFIED)?;
                let data = cdol1_data(command.data, AIP, atc).ok_or(sw::WRONG_LENGTH)?;
                let read = self.generate_arqc(data, atc);
                // A new ARQC needs a new GET PROCESSING OPTIONS.
                self.processing = false;
                template(
                    0x77,
                    vec![
                        Tlv::primitive(tags::CRYPTOGRAM_INFORMATION_DATA, [CID_ARQC]),
                        Tlv::primitive(tags::ATC, atc.to_be_bytes()),
                        Tlv::primitive(tags::APPLICATION_CRYPTOGRAM, read.arqc),
                        Tlv::primitive(tags::ISSUER_APPLICATION_DATA, read.issuer_application_data),
                    ],
                )
            }
            P1_TC | P1_AAC => {
                if self.pending.is_none() {
                    return Err(sw::CONDITIONS_NOT_SATISFIED);
                }
                if command.data.len() != CDOL2_DATA_LEN {
                    return Err(sw::WRONG_LENGTH);
                }
                let (arc, issuer_data) = command.data.split_at(2);
                // Tag 91 filled with zeros: the host sent no issuer authentication data.
                let issuer = issuer_data
                    .iter()
                    .any(|b| *b != 0)
                    .then(|| IssuerAuthentication {
                        arpc_hex: hex::encode_upper(&issuer_data[..4]),
                        csu_hex: hex::encode_upper(&issuer_data[4..]),
                        arc: String::from_utf8_lossy(arc).into_owned(),
                    });
                let answer = self
                    .second_generate_ac(command.p1 == P1_TC, issuer.as_ref())
                    .ok_or(sw::CONDITIONS_NOT_SATISFIED)?;
                let cid = match answer.decision {
                    CardDecision::Tc => CID_TC,
                    CardDecision::Aac => CID_AAC,
                };
                template(
                    0x77,
                    vec![
                        Tlv::primitive(tags::CRYPTOGRAM_INFORMATION_DATA, [cid]),
                        Tlv::primitive(tags::ATC, self.atc.to_be_bytes()),
                        Tlv::primitive(tags::APPLICATION_CRYPTOGRAM, answer.cryptogram),
                    ],
                )
            }
            _ => Err(sw::WRONG_P1_P2),
        }
    }

    /// The application transaction counter of the last first GENERATE AC.
    pub fn atc(&self) -> u16 {
        self.atc
    }

    /// First GENERATE AC asking for an ARQC: counts the ATC up and signs the terminal's data.
    pub fn first_generate_ac(&mut self, terminal: &TerminalData) -> Result<ChipRead, IccError> {
        let atc = self.atc.checked_add(1).ok_or(IccError::AtcExhausted)?;
        let data = terminal.transaction_data(AIP, atc)?;
        Ok(self.generate_arqc(data, atc))
    }

    /// The ARQC over `data`, whose ATC is `atc`; the card waits for the second GENERATE AC.
    fn generate_arqc(&mut self, data: TransactionData, atc: u16) -> ChipRead {
        self.atc = atc;
        let session_key = cvn18::session_key(&self.key, atc);
        let iad = cvn18::issuer_application_data([cvr::LENGTH, cvr::ARQC_NO_SECOND_AC, 0, 0]);
        let arqc = cvn18::arqc(&session_key, &data, &iad);
        self.pending = Some(Pending {
            data: data.clone(),
            arqc,
            session_key,
        });
        ChipRead {
            data,
            pan_sequence: self.pan_sequence,
            issuer_application_data: iad.to_vec(),
            arqc,
        }
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

/// Cryptogram information data (9F27) of a TC and of an AAC.
const CID_TC: u8 = 0x40;
const CID_AAC: u8 = 0x00;

/// A template of objects, encoded; a build error is the card's own fault.
fn template(tag_value: u32, objects: Vec<Result<Tlv, TlvError>>) -> Result<Vec<u8>, [u8; 2]> {
    let objects = objects.into_iter().collect::<Result<Vec<_>, _>>();
    let template =
        Tlv::constructed(tag(tag_value), objects.map_err(internal)?).map_err(internal)?;
    Ok(tlv::encode(&[template]))
}

/// A chip that cannot build its own answer refuses the command.
fn internal(_: TlvError) -> [u8; 2] {
    sw::CONDITIONS_NOT_SATISFIED
}

/// The cryptogram's data from the CDOL1's data, in CDOL1 order; `None` unless exactly its length.
fn cdol1_data(data: &[u8], aip: [u8; 2], atc: u16) -> Option<TransactionData> {
    if data.len() != CDOL1_DATA_LEN {
        return None;
    }
    let take = |at: &mut usize, n: usize| {
        let field = &data[*at..*at + n];
        *at += n;
        field
    };
    let at = &mut 0;
    Some(TransactionData {
        amount_authorised: take(at, 6).try_into().ok()?,
        amount_other: take(at, 6).try_into().ok()?,
        terminal_country_code: take(at, 2).try_into().ok()?,
        terminal_verification_results: take(at, 5).try_into().ok()?,
        transaction_currency_code: take(at, 2).try_into().ok()?,
        transaction_date: take(at, 3).try_into().ok()?,
        transaction_type: take(at, 1).try_into().ok()?,
        unpredictable_number: take(at, 4).try_into().ok()?,
        application_interchange_profile: aip,
        application_transaction_counter: atc.to_be_bytes(),
    })
}

/// Track 2 equivalent data (57): PAN, separator D, expiry, service code, padded with F.
fn track2_equivalent(card: &TestCard) -> Vec<u8> {
    let mut nibbles: Vec<u8> = card
        .pan
        .bytes()
        .map(|b| b - b'0')
        .chain([0x0D])
        .chain(
            card.expiry
                .bytes()
                .chain(card.service_code.bytes())
                .map(|b| b - b'0'),
        )
        .collect();
    if nibbles.len() % 2 == 1 {
        nibbles.push(0x0F);
    }
    nibbles
        .chunks(2)
        .map(|pair| (pair[0] << 4) | pair[1])
        .collect()
}

/// Expiration date (5F24, n6 YYMMDD) from `YYMM`: the month's last day.
fn expiry_date(yymm: &str) -> Option<[u8; 3]> {
    let year: i32 = yymm.get(..2)?.parse().ok()?;
    let month: u8 = yymm.get(2..4)?.parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    let day = month.length(2000 + year);
    let digits = format!("{yymm}{day:02}");
    hex::decode(digits).ok()?.try_into().ok()
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
        let key = IccMasterKey::derive(&issuer(), test_card.pan, test_card.pan_sequence).unwrap();
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
            IccMasterKey::derive(&issuer(), visa_card.pan, visa_card.pan_sequence).unwrap();
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
