//! [`ContactKernel`]: the reader's EMV contact kernel. It talks command
//! APDUs to a chip ([`Icc`]): SELECT the brand's application, GET
//! PROCESSING OPTIONS with the PDOL's data, READ RECORD per the AFL, then
//! the first GENERATE AC (ARQC) with the CDOL1's data; after the host's
//! answer, the second GENERATE AC. Every answer is checked: a status word
//! other than 9000, malformed BER-TLV or inconsistent card data is a
//! [`KernelError`], which the firmware reports as a failed chip read.

use crate::chip_data::{ChipRead, TerminalData};
use crate::icc::{aid, CardDecision, VirtualIcc};
use mpos_crypto::envelope::ClearCard;
use mpos_crypto::tlv::{self, tags, Tag, Tlv, TlvError};
use mpos_wire::card::luhn_valid;
use mpos_wire::Brand;

/// A chip the kernel can send command APDUs to.
pub trait Icc {
    /// Sends one command APDU; answers response data followed by SW1 SW2.
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8>;
}

impl Icc for VirtualIcc {
    fn transmit(&mut self, apdu: &[u8]) -> Vec<u8> {
        VirtualIcc::transmit(self, apdu)
    }
}

/// Why the kernel could not read the chip.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// The card refused a command.
    #[error("晶片拒絕 {command} ({sw:04X}),請重新插卡 / the chip refused {command} ({sw:04X}); insert the card again")]
    Status {
        /// The command refused.
        command: &'static str,
        /// SW1 SW2.
        sw: u16,
    },
    /// The card's answer is not what the command returns.
    #[error("晶片回應格式錯誤 ({command}),請重新插卡 / malformed chip answer to {command}; insert the card again")]
    Malformed {
        /// The command answered.
        command: &'static str,
    },
    /// The card's records disagree or its number fails the Luhn check.
    #[error("晶片卡資料不一致,請改用其他卡 / inconsistent chip card data; use another card")]
    CardData,
    /// The card asked for a terminal data object in a length the terminal does not have.
    #[error("晶片要求的資料長度不符 / the chip asks for {tag} in {length} bytes")]
    DolLength {
        /// The data object.
        tag: Tag,
        /// The length asked for.
        length: usize,
    },
    /// The card did not ask to go online at the first GENERATE AC.
    #[error("晶片未要求線上授權 / the chip did not ask for online authorisation")]
    NotArqc,
    /// The terminal data does not fit the EMV formats.
    #[error("終端資料錯誤 / terminal data: {0}")]
    TerminalData(#[from] TlvError),
}

/// A finished first GENERATE AC: what the phone is sent and what is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelRead {
    /// The chip data the phone forwards (no PAN).
    pub chip: ChipRead,
    /// The card from its track 2 equivalent data, for the envelope only
    /// (its Debug hides the number).
    pub card: ClearCard,
}

/// The card's answer to the second GENERATE AC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    /// TC or AAC.
    pub decision: CardDecision,
    /// The TC or AAC itself.
    pub cryptogram: [u8; 8],
}

/// The EMV contact kernel driving one chip.
pub struct ContactKernel<'a, I: Icc + ?Sized> {
    icc: &'a mut I,
}

impl<'a, I: Icc + ?Sized> ContactKernel<'a, I> {
    /// A kernel talking to `icc`.
    pub fn new(icc: &'a mut I) -> Self {
        ContactKernel { icc }
    }

    /// Selects the brand's application, reads the card and asks for an ARQC.
    pub fn read(
        &mut self,
        brand: Brand,
        terminal: &TerminalData,
    ) -> Result<KernelRead, KernelError> {
        // The terminal's data objects; AIP and ATC come from the card later.
        let terminal_objects = terminal.transaction_data([0; 2], 0)?.to_objects();

        let aid = aid(brand);
        let fci = self.exchange("SELECT", &apdu(0x00, 0xA4, 0x04, 0x00, aid))?;
        let fci = single_template(&fci, 0x6F, "SELECT")?;
        if tlv::find_bytes(&fci, tag(0x84)) != Some(aid) {
            return Err(KernelError::Malformed { command: "SELECT" });
        }
        let pdol = tlv::find_bytes(&fci, tag(0x9F38)).unwrap_or_default();
        let pdol_data = dol_data(pdol, &terminal_objects, "SELECT")?;

        let mut gpo_data = vec![0x83, length_byte(pdol_data.len())?];
        gpo_data.extend(pdol_data);
        let gpo = self.exchange(
            "GET PROCESSING OPTIONS",
            &apdu(0x80, 0xA8, 0x00, 0x00, &gpo_data),
        )?;
        let gpo = single_template(&gpo, 0x77, "GET PROCESSING OPTIONS")?;
        let malformed_gpo = KernelError::Malformed {
            command: "GET PROCESSING OPTIONS",
        };
        let aip: [u8; 2] = bytes_of(&gpo, tags::AIP).ok_or(malformed_gpo.clone())?;
        let afl = tlv::find_bytes(&gpo, tag(0x94)).ok_or(malformed_gpo.clone())?;
        if afl.is_empty() || afl.len() % 4 != 0 {
            return Err(malformed_gpo);
        }

        let mut records = Vec::new();
        for entry in afl.chunks(4) {
            let (sfi, first, last) = (entry[0] >> 3, entry[1], entry[2]);
            if sfi == 0 || first == 0 || last < first {
                return Err(KernelError::Malformed {
                    command: "GET PROCESSING OPTIONS",
                });
            }
            for record in first..=last {
                let answer = self.exchange(
                    "READ RECORD",
                    &[0x00, 0xB2, record, (sfi << 3) | 0x04, 0x00],
                )?;
                records.extend(single_template(&answer, 0x70, "READ RECORD")?);
            }
        }
        let malformed_record = || KernelError::Malformed {
            command: "READ RECORD",
        };
        let track2 = tlv::find_bytes(&records, tag(0x57)).ok_or_else(malformed_record)?;
        let card = parse_track2(track2)?;
        let expiry = tlv::find_bytes(&records, tag(0x5F24)).ok_or_else(malformed_record)?;
        if expiry.len() != 3 || hex::encode(&expiry[..2]) != card.expiry {
            return Err(KernelError::CardData);
        }
        let pan_sequence = tlv::find_bytes(&records, tags::PAN_SEQUENCE_NUMBER)
            .filter(|psn| psn.len() == 1)
            .and_then(|psn| tlv::numeric_value(psn).ok())
            .ok_or_else(malformed_record)?;
        let cdol1 = tlv::find_bytes(&records, tag(0x8C)).ok_or_else(malformed_record)?;
        let cdol1_data = dol_data(cdol1, &terminal_objects, "READ RECORD")?;

        let answer = self.exchange("GENERATE AC", &apdu(0x80, 0xAE, 0x80, 0x00, &cdol1_data))?;
        let answer = single_template(&answer, 0x77, "GENERATE AC")?;
        let malformed_ac = || KernelError::Malformed {
            command: "GENERATE AC",
        };
        let [cid]: [u8; 1] =
            bytes_of(&answer, tags::CRYPTOGRAM_INFORMATION_DATA).ok_or_else(malformed_ac)?;
        if cid & 0xC0 != 0x80 {
            return Err(KernelError::NotArqc);
        }
        let atc: [u8; 2] = bytes_of(&answer, tags::ATC).ok_or_else(malformed_ac)?;
        let arqc: [u8; 8] =
            bytes_of(&answer, tags::APPLICATION_CRYPTOGRAM).ok_or_else(malformed_ac)?;
        let iad = tlv::find_bytes(&answer, tags::ISSUER_APPLICATION_DATA)
            .ok_or_else(malformed_ac)?
            .to_vec();
        Ok(KernelRead {
            chip: ChipRead {
                data: terminal.transaction_data(aip, u16::from_be_bytes(atc))?,
                pan_sequence: u8::try_from(pan_sequence).map_err(|_| malformed_record())?,
                issuer_application_data: iad,
                arqc,
            },
            card,
        })
    }

    /// The second GENERATE AC with the host's answer: response code (8A)
    /// and issuer authentication data (91, zeros when the host sent none).
    pub fn complete(
        &mut self,
        approved: bool,
        response_code: [u8; 2],
        issuer_authentication_data: Option<[u8; 8]>,
    ) -> Result<Completion, KernelError> {
        let mut data = response_code.to_vec();
        data.extend(issuer_authentication_data.unwrap_or_default());
        let p1 = if approved { 0x40 } else { 0x00 };
        let answer = self.exchange("GENERATE AC", &apdu(0x80, 0xAE, p1, 0x00, &data))?;
        let answer = single_template(&answer, 0x77, "GENERATE AC")?;
        let malformed = || KernelError::Malformed {
            command: "GENERATE AC",
        };
        let [cid]: [u8; 1] =
            bytes_of(&answer, tags::CRYPTOGRAM_INFORMATION_DATA).ok_or_else(malformed)?;
        let decision = match cid & 0xC0 {
            0x40 if approved => CardDecision::Tc,
            0x00 => CardDecision::Aac,
            // A TC the terminal did not ask for, or an ARQC: the card broke the protocol.
            _ => return Err(malformed()),
        };
        let cryptogram = bytes_of(&answer, tags::APPLICATION_CRYPTOGRAM).ok_or_else(malformed)?;
        Ok(Completion {
            decision,
            cryptogram,
        })
    }

    /// Sends a command; the response data when the status is 9000.
    fn exchange(&mut self, command: &'static str, apdu: &[u8]) -> Result<Vec<u8>, KernelError> {
        let mut response = self.icc.transmit(apdu);
        let Some(split) = response.len().checked_sub(2) else {
            return Err(KernelError::Malformed { command });
        };
        let status = response.split_off(split);
        let sw = u16::from_be_bytes([status[0], status[1]]);
        if sw != 0x9000 {
            return Err(KernelError::Status { command, sw });
        }
        Ok(response)
    }
}

/// A case 3 or 4 command APDU with Le 00.
fn apdu(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![cla, ins, p1, p2, data.len() as u8];
    out.extend(data);
    out.push(0x00);
    out
}

/// A short length (Lc or a template's), refused above 255.
fn length_byte(length: usize) -> Result<u8, KernelError> {
    u8::try_from(length).map_err(|_| KernelError::Malformed { command: "SELECT" })
}

/// A tag this module knows to be valid.
fn tag(value: u32) -> Tag {
    Tag::new(value).expect("EMV tags in this module are valid")
}

/// The children of the one template `tag_value` that is the whole answer.
fn single_template(
    answer: &[u8],
    tag_value: u32,
    command: &'static str,
) -> Result<Vec<Tlv>, KernelError> {
    let malformed = || KernelError::Malformed { command };
    let objects = tlv::parse(answer).map_err(|_| malformed())?;
    match objects.as_slice() {
        [only] if only.tag() == tag(tag_value) => {
            only.children().map(<[Tlv]>::to_vec).ok_or_else(malformed)
        }
        _ => Err(malformed()),
    }
}

/// The bytes of a primitive object of exactly `N` bytes.
fn bytes_of<const N: usize>(objects: &[Tlv], tag: Tag) -> Option<[u8; N]> {
    tlv::find_bytes(objects, tag)?.try_into().ok()
}

/// The values a data object list asks for, concatenated; an object the
/// terminal does not know is zero-filled (EMV Book 3, 5.4).
fn dol_data(dol: &[u8], terminal: &[Tlv], command: &'static str) -> Result<Vec<u8>, KernelError> {
    let malformed = || KernelError::Malformed { command };
    let mut out = Vec::new();
    let mut at = 0;
    while at < dol.len() {
        let start = at;
        at += 1;
        if dol[start] & 0x1F == 0x1F {
            while *dol.get(at).ok_or_else(malformed)? & 0x80 != 0 {
                at += 1;
            }
            at += 1;
        }
        let tag_bytes = dol.get(start..at).ok_or_else(malformed)?;
        if tag_bytes.len() > 4 {
            return Err(malformed());
        }
        let tag_value = tag_bytes
            .iter()
            .fold(0u32, |value, b| (value << 8) | u32::from(*b));
        let tag = Tag::new(tag_value).map_err(|_| malformed())?;
        let length = usize::from(*dol.get(at).ok_or_else(malformed)?);
        at += 1;
        match tlv::find_bytes(terminal, tag) {
            Some(value) if value.len() == length => out.extend_from_slice(value),
            Some(_) => return Err(KernelError::DolLength { tag, length }),
            None => out.resize(out.len() + length, 0),
        }
    }
    Ok(out)
}

/// The card from track 2 equivalent data: PAN, D, YYMM, service code, F padding.
fn parse_track2(track2: &[u8]) -> Result<ClearCard, KernelError> {
    let text: String = track2
        .iter()
        .flat_map(|b| [b >> 4, b & 0x0F])
        .map(|nibble| char::from_digit(u32::from(nibble), 16).unwrap_or('?'))
        .collect::<String>()
        .to_uppercase();
    let text = text.strip_suffix('F').unwrap_or(&text);
    let (pan, rest) = text.split_once('D').ok_or(KernelError::CardData)?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(12..=19).contains(&pan.len()) || !digits(pan) || !luhn_valid(pan) {
        return Err(KernelError::CardData);
    }
    if rest.len() < 7 || !digits(rest) {
        return Err(KernelError::CardData);
    }
    Ok(ClearCard {
        pan: pan.to_string(),
        expiry: rest[..4].to_string(),
        service_code: rest[4..7].to_string(),
        chip_failures: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::icc::sw;
    use crate::test_keys::TEST_ISSUER_MASTER_KEY;
    use mpos_cards::{CardId, TestCard};
    use mpos_crypto::emv::{cvn18, CardStatusUpdate, IccMasterKey, IssuerMasterKey};
    use mpos_wire::Money;

    fn terminal() -> TerminalData {
        TerminalData {
            amount: Money::twd_minor(480_000),
            kind: mpos_wire::api::TxnKind::Sale,
            date: time::macros::date!(2030 - 03 - 10),
            unpredictable_number: [0x52, 0xBF, 0x45, 0x85],
        }
    }

    fn chip(card: CardId) -> VirtualIcc {
        let issuer = IssuerMasterKey::new(TEST_ISSUER_MASTER_KEY);
        VirtualIcc::personalise(TestCard::get(card), &issuer).unwrap()
    }

    /// The issuer's session key, derived independently of the chip.
    fn session(card: CardId, atc: u16) -> mpos_crypto::emv::SessionKey {
        let test_card = TestCard::get(card);
        let issuer = IssuerMasterKey::new(TEST_ISSUER_MASTER_KEY);
        let key = IccMasterKey::derive(&issuer, test_card.pan, test_card.pan_sequence).unwrap();
        cvn18::session_key(&key, atc)
    }

    fn status(response: &[u8]) -> [u8; 2] {
        response[response.len() - 2..].try_into().unwrap()
    }

    #[test]
    fn a_full_read_verifies_at_the_issuer_and_completes_with_a_tc() {
        for card in [CardId::VisaChipApproved, CardId::MastercardChipApproved] {
            let test_card = TestCard::get(card);
            let mut icc = chip(card);
            let mut kernel = ContactKernel::new(&mut icc);
            let read = kernel.read(test_card.brand(), &terminal()).unwrap();
            assert_eq!(read.card.pan, test_card.pan);
            assert_eq!(read.card.expiry, test_card.expiry);
            assert_eq!(read.card.service_code, test_card.service_code);
            assert_eq!(read.chip.pan_sequence, test_card.pan_sequence);
            assert_eq!(
                read.chip.data,
                terminal().transaction_data([0x1C, 0], 1).unwrap()
            );
            let key = session(card, read.chip.data.atc());
            assert!(cvn18::verify_arqc(
                &key,
                &read.chip.data,
                &read.chip.issuer_application_data,
                &read.chip.arqc
            ));
            let csu = CardStatusUpdate::approval();
            let mut issuer_data = cvn18::arpc(&key, &read.chip.arqc, &csu).to_vec();
            issuer_data.extend(csu.0);
            let done = kernel
                .complete(true, *b"00", Some(issuer_data.try_into().unwrap()))
                .unwrap();
            assert_eq!(done.decision, CardDecision::Tc);
            assert_ne!(done.cryptogram, read.chip.arqc);
            // Nothing waits any more: a further second GENERATE AC is refused.
            assert_eq!(
                kernel.complete(true, *b"00", None),
                Err(KernelError::Status {
                    command: "GENERATE AC",
                    sw: 0x6985
                })
            );
        }
    }

    #[test]
    fn no_issuer_data_or_a_host_decline_gives_aac() {
        let mut icc = chip(CardId::VisaChipApproved);
        let mut kernel = ContactKernel::new(&mut icc);
        kernel.read(Brand::Visa, &terminal()).unwrap();
        let done = kernel.complete(true, *b"00", None).unwrap();
        assert_eq!(done.decision, CardDecision::Aac);
        kernel.read(Brand::Visa, &terminal()).unwrap();
        let done = kernel.complete(false, *b"05", None).unwrap();
        assert_eq!(done.decision, CardDecision::Aac);
    }

    #[test]
    fn the_wrong_brand_aid_is_file_not_found() {
        let mut icc = chip(CardId::VisaChipApproved);
        let error = ContactKernel::new(&mut icc)
            .read(Brand::Mastercard, &terminal())
            .unwrap_err();
        assert_eq!(
            error,
            KernelError::Status {
                command: "SELECT",
                sw: 0x6A82
            }
        );
        assert!(!format!("{error}").is_empty());
    }

    #[test]
    fn the_chip_refuses_commands_out_of_order_or_malformed() {
        let mut icc = chip(CardId::VisaChipApproved);
        let select = apdu(0x00, 0xA4, 0x04, 0x00, aid(Brand::Visa));
        let cdol1 = apdu(0x80, 0xAE, 0x80, 0x00, &[0; 29]);
        // GENERATE AC or READ RECORD before GPO.
        assert_eq!(status(&icc.transmit(&cdol1)), sw::CONDITIONS_NOT_SATISFIED);
        assert_eq!(status(&icc.transmit(&select)), sw::OK);
        assert_eq!(status(&icc.transmit(&cdol1)), sw::CONDITIONS_NOT_SATISFIED);
        assert_eq!(
            status(&icc.transmit(&[0x00, 0xB2, 0x01, 0x0C, 0x00])),
            sw::CONDITIONS_NOT_SATISFIED
        );
        // GPO with PDOL data of the wrong length, and truncated APDUs.
        let short_gpo = apdu(0x80, 0xA8, 0x00, 0x00, &[0x83, 0x02, 0, 0]);
        assert_eq!(status(&icc.transmit(&short_gpo)), sw::WRONG_LENGTH);
        assert_eq!(status(&icc.transmit(&[0x80, 0xA8, 0x00])), sw::WRONG_LENGTH);
        assert_eq!(
            status(&icc.transmit(&[0x80, 0xA8, 0x00, 0x00, 0x05, 0x83])),
            sw::WRONG_LENGTH
        );
        let mut gpo_data = vec![0x83, 12];
        gpo_data.extend([0; 12]);
        let gpo = apdu(0x80, 0xA8, 0x00, 0x00, &gpo_data);
        assert_eq!(status(&icc.transmit(&gpo)), sw::OK);
        // A record that does not exist; a GENERATE AC of the wrong length.
        assert_eq!(
            status(&icc.transmit(&[0x00, 0xB2, 0x02, 0x0C, 0x00])),
            sw::RECORD_NOT_FOUND
        );
        let short_ac = apdu(0x80, 0xAE, 0x80, 0x00, &[0; 28]);
        assert_eq!(status(&icc.transmit(&short_ac)), sw::WRONG_LENGTH);
        assert_eq!(status(&icc.transmit(&cdol1)), sw::OK);
        // Unknown instruction and class.
        assert_eq!(
            status(&icc.transmit(&[0x00, 0xCA, 0x9F, 0x36, 0x00])),
            sw::INS_NOT_SUPPORTED
        );
        assert_eq!(
            status(&icc.transmit(&[0x84, 0xAE, 0x40, 0x00])),
            sw::CLA_NOT_SUPPORTED
        );
        // A new SELECT of another application ends the transaction.
        let other = apdu(0x00, 0xA4, 0x04, 0x00, aid(Brand::Jcb));
        assert_eq!(status(&icc.transmit(&other)), sw::FILE_NOT_FOUND);
        let second = apdu(0x80, 0xAE, 0x40, 0x00, &[0; 10]);
        assert_eq!(status(&icc.transmit(&second)), sw::CONDITIONS_NOT_SATISFIED);
    }

    /// A chip that answers from a script, to try the kernel's checks.
    struct Scripted(Vec<Vec<u8>>);

    impl Icc for Scripted {
        fn transmit(&mut self, _apdu: &[u8]) -> Vec<u8> {
            if self.0.is_empty() {
                vec![0x6D, 0x00]
            } else {
                self.0.remove(0)
            }
        }
    }

    #[test]
    fn every_error_status_and_malformed_answer_is_a_typed_error() {
        for (status, sw) in [
            ([0x6A, 0x82], 0x6A82),
            ([0x69, 0x85], 0x6985),
            ([0x67, 0x00], 0x6700),
            ([0x6D, 0x00], 0x6D00),
        ] {
            let mut card = Scripted(vec![status.to_vec()]);
            assert_eq!(
                ContactKernel::new(&mut card).read(Brand::Visa, &terminal()),
                Err(KernelError::Status {
                    command: "SELECT",
                    sw
                })
            );
        }
        let mut visa = chip(CardId::VisaChipApproved);
        let good_fci = visa.transmit(&apdu(0x00, 0xA4, 0x04, 0x00, aid(Brand::Visa)));
        for bad in [
            vec![0x90],
            vec![0x6F, 0x05, 0x84, 0x90, 0x00],
            vec![0x70, 0x00, 0x90, 0x00],
        ] {
            let mut card = Scripted(vec![bad]);
            assert_eq!(
                ContactKernel::new(&mut card).read(Brand::Visa, &terminal()),
                Err(KernelError::Malformed { command: "SELECT" })
            );
        }
        // A GPO answer missing the AFL.
        let mut card = Scripted(vec![
            good_fci.clone(),
            vec![0x77, 0x04, 0x82, 0x02, 0x1C, 0x00, 0x90, 0x00],
        ]);
        assert_eq!(
            ContactKernel::new(&mut card).read(Brand::Visa, &terminal()),
            Err(KernelError::Malformed {
                command: "GET PROCESSING OPTIONS"
            })
        );
    }

    #[test]
    fn a_track_2_failing_luhn_or_without_separator_is_refused() {
        let valid = hex::decode("4761739001010010D25122010000000F").unwrap();
        assert_eq!(parse_track2(&valid).unwrap().expiry, "2512");
        let luhn_broken = hex::decode("4761739001010011D25122010000000F").unwrap();
        assert_eq!(parse_track2(&luhn_broken), Err(KernelError::CardData));
        assert_eq!(
            parse_track2(&hex::decode("4761739001010010").unwrap()),
            Err(KernelError::CardData)
        );
    }

    #[test]
    fn debug_of_a_read_hides_the_number() {
        let card = TestCard::get(CardId::VisaChipApproved);
        let mut icc = chip(card.id);
        let read = ContactKernel::new(&mut icc)
            .read(card.brand(), &terminal())
            .unwrap();
        assert!(!format!("{read:?}").contains(card.pan));
    }
}
