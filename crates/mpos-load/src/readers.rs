//! Virtual readers, each with its own DUKPT initial key and its own chip
//! card, whose sales are sealed and signed before the clock starts: the
//! generator then only sends bytes, so it measures the gateway, not itself.

use mpos_cards::{CardId, TestCard};
use mpos_crypto::emv::IssuerMasterKey;
use mpos_crypto::envelope::{ClearCard, ReaderKeys};
use mpos_sim::chip_data::TerminalData;
use mpos_sim::icc::VirtualIcc;
use mpos_sim::{TEST_BDK, TEST_BDK_ID, TEST_ISSUER_MASTER_KEY};
use mpos_wire::api::{SaleRequest, TxnKind};
use mpos_wire::{CardPayload, EntryMode, MaskedPan, Money};
use rand::RngCore;

/// One precomputed sale: its idempotency key and JSON body.
pub struct PreparedSale {
    /// `Idempotency-Key` (32 hex digits, 128 bits).
    pub key: String,
    /// The request body.
    pub body: Vec<u8>,
}

/// `count` chip sales of `minor` each from a fresh reader, in its counter order.
pub fn prepare_sales(count: usize, minor: u64, today: time::Date) -> Vec<PreparedSale> {
    let card = TestCard::get(CardId::VisaChipApproved);
    let mut id = [0u8; 8];
    id[..4].copy_from_slice(&TEST_BDK_ID);
    rand::thread_rng().fill_bytes(&mut id[4..]);
    let mut keys = ReaderKeys::inject(&TEST_BDK, id);
    let imk = IssuerMasterKey::new(TEST_ISSUER_MASTER_KEY);
    let mut icc = VirtualIcc::personalise(card, &imk).expect("personalise the test card");
    let clear = ClearCard {
        pan: card.pan.into(),
        expiry: card.expiry.into(),
        service_code: card.service_code.into(),
        chip_failures: 0,
    };
    (0..count)
        .map(|_| {
            let sealed = keys.seal(&clear).expect("seal");
            let chip = icc
                .first_generate_ac(&TerminalData {
                    amount: Money::twd_minor(minor),
                    kind: TxnKind::Sale,
                    date: today,
                    unpredictable_number: rand::random(),
                })
                .expect("generate an ARQC");
            let request = SaleRequest {
                amount: Money::twd_minor(minor),
                brand: card.brand(),
                card: CardPayload {
                    masked_pan: MaskedPan::from_pan(card.pan).expect("mask"),
                    brand: card.brand(),
                    entry_mode: EntryMode::Chip,
                    service_code: card.service_code.into(),
                    ksn: sealed.ksn,
                    ciphertext: sealed.ciphertext,
                    emv_tlv: Some(chip.to_hex().expect("chip data")),
                },
            };
            PreparedSale {
                key: hex::encode(rand::random::<[u8; 16]>()),
                body: serde_json::to_vec(&request).expect("encode"),
            }
        })
        .collect()
}
