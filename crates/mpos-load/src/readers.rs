//! Virtual readers, each with its own DUKPT initial key and its own chip
//! card, whose sales are sealed and signed before the clock starts: the
//! generator then only sends bytes, so it measures the gateway, not itself.

use mpos_cards::{CardId, TestCard};
use mpos_crypto::emv::IssuerMasterKey;
use mpos_crypto::envelope::{ClearCard, ReaderKeys};
use mpos_sim::chip_data::TerminalData;
use mpos_sim::icc::VirtualIcc;
use mpos_sim::{TEST_BDK, TEST_BDK_ID, TEST_ISSUER_MASTER_KEY};
use mpos_wire::api::{RefundRequest, SaleRequest, TxnKind, IDEMPOTENCY_KEY_HEADER};
use mpos_wire::{CardPayload, EntryMode, MaskedPan, Money};
use rand::RngCore;

/// One precomputed sale: its idempotency key and JSON body.
pub struct PreparedSale {
    /// `Idempotency-Key` (32 hex digits, 128 bits).
    pub key: String,
    /// The request body.
    pub body: Vec<u8>,
}

impl PreparedSale {
    /// Its request to `url` as `token`'s session: the key, the JSON body.
    pub fn request(
        &self,
        client: &reqwest::Client,
        url: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        client
            .post(url)
            .bearer_auth(token)
            .header(IDEMPOTENCY_KEY_HEADER, &self.key)
            .header("content-type", "application/json")
            .body(self.body.clone())
    }
}

/// `count` chip sales of `minor` each from a fresh reader, in its counter order.
pub fn prepare_sales(count: usize, minor: u64, today: time::Date) -> Vec<PreparedSale> {
    VirtualReader::new(CardId::VisaChipApproved).sales(count, minor, today)
}

/// A virtual reader holding one chip card.
pub struct VirtualReader {
    card: &'static TestCard,
    keys: ReaderKeys,
    icc: VirtualIcc,
}

impl VirtualReader {
    /// A reader with a fresh DUKPT initial key and `card` in it.
    pub fn new(card: CardId) -> Self {
        let card = TestCard::get(card);
        let mut id = [0u8; 8];
        id[..4].copy_from_slice(&TEST_BDK_ID);
        rand::thread_rng().fill_bytes(&mut id[4..]);
        let imk = IssuerMasterKey::new(TEST_ISSUER_MASTER_KEY);
        VirtualReader {
            card,
            keys: ReaderKeys::inject(&TEST_BDK, id),
            icc: VirtualIcc::personalise(card, &imk).expect("personalise the test card"),
        }
    }

    fn clear(&self) -> ClearCard {
        ClearCard {
            pan: self.card.pan.into(),
            expiry: self.card.expiry.into(),
            service_code: self.card.service_code.into(),
            chip_failures: 0,
        }
    }

    fn payload(&mut self, entry_mode: EntryMode, emv_tlv: Option<String>) -> CardPayload {
        let sealed = self.keys.seal(&self.clear()).expect("seal");
        CardPayload {
            masked_pan: MaskedPan::from_pan(self.card.pan).expect("mask"),
            brand: self.card.brand(),
            entry_mode,
            service_code: self.card.service_code.into(),
            ksn: sealed.ksn,
            ciphertext: sealed.ciphertext,
            emv_tlv,
        }
    }

    /// `count` chip sales of `minor` each on `date`, in counter order.
    pub fn sales(&mut self, count: usize, minor: u64, date: time::Date) -> Vec<PreparedSale> {
        (0..count)
            .map(|_| {
                let chip = self
                    .icc
                    .first_generate_ac(&TerminalData {
                        amount: Money::twd_minor(minor),
                        kind: TxnKind::Sale,
                        date,
                        unpredictable_number: rand::random(),
                    })
                    .expect("generate an ARQC");
                let card = self.payload(EntryMode::Chip, Some(chip.to_hex().expect("chip data")));
                let request = SaleRequest {
                    amount: Money::twd_minor(minor),
                    brand: self.card.brand(),
                    card,
                    // The load runs Visa chip sales, whose rule asks no PIN.
                    pin: None,
                };
                PreparedSale {
                    key: hex::encode(rand::random::<[u8; 16]>()),
                    body: serde_json::to_vec(&request).expect("encode"),
                }
            })
            .collect()
    }

    /// A refund of `minor` against the sale with `auth_code` (refunds are swiped).
    pub fn refund(&mut self, minor: u64, auth_code: &str) -> PreparedSale {
        let card = self.payload(EntryMode::Swipe, None);
        let request = RefundRequest {
            amount: Money::twd_minor(minor),
            brand: self.card.brand(),
            original_auth_code: auth_code.into(),
            card,
        };
        PreparedSale {
            key: hex::encode(rand::random::<[u8; 16]>()),
            body: serde_json::to_vec(&request).expect("encode"),
        }
    }
}
