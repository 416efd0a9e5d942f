//! Test helpers: a card as a reader reads it and the payload a sale carries
//! once the reader has sealed it (test PANs only).

use mpos_crypto::envelope::{ClearCard, SealedCard};
use mpos_wire::{Brand, CardPayload, EntryMode, MaskedPan};

/// The card `pan` with a far expiry and service code 201.
pub(crate) fn clear_card(pan: &str) -> ClearCard {
    ClearCard {
        pan: pan.into(),
        expiry: "3012".into(),
        service_code: "201".into(),
        chip_failures: 0,
    }
}

/// The chip read `sealed` of the `brand` card `pan`, as a sale sends it.
pub(crate) fn payload(sealed: SealedCard, pan: &str, brand: Brand) -> CardPayload {
    CardPayload {
        masked_pan: MaskedPan::from_pan(pan).unwrap(),
        brand,
        entry_mode: EntryMode::Chip,
        service_code: "201".into(),
        ksn: sealed.ksn,
        ciphertext: sealed.ciphertext,
        emv_tlv: None,
    }
}
