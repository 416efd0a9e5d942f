//! Test data shared by the flow tests: published test card numbers only.

use mpos_wire::api::{
    AuthorizationResponse, BrandRule, Limits, SignatureRule, TerminalConfig, TransactionSummary,
    TxnKind, TxnStatus, UserProfile,
};
use mpos_wire::{Brand, CardPayload, Currency, EntryMode, MaskedPan, Money};

/// A published test PAN of the brand.
pub fn test_pan(brand: Brand) -> &'static str {
    match brand {
        Brand::Visa => "4111111111111111",
        Brand::Mastercard => "5555555555554444",
        Brand::Jcb => "3566002020360505",
        Brand::UnionPay => "6200000000000005",
        Brand::Amex => "378282246310005",
    }
}

fn payload(brand: Brand, service_code: &str, entry_mode: EntryMode) -> CardPayload {
    CardPayload {
        masked_pan: MaskedPan::from_pan(test_pan(brand)).unwrap(),
        brand,
        entry_mode,
        service_code: service_code.into(),
        ksn: "FFFF9876543210E00001".into(),
        ciphertext: "A1B2C3D4E5F60718293A4B5C6D7E8F90".into(),
        emv_tlv: None,
    }
}

/// What the reader reports for a swipe.
pub fn swipe_payload(brand: Brand, service_code: &str) -> CardPayload {
    payload(brand, service_code, EntryMode::Swipe)
}

/// What the reader reports for a chip read.
pub fn chip_payload(brand: Brand) -> CardPayload {
    let mut card = payload(brand, "201", EntryMode::Chip);
    card.emv_tlv = Some("9F2608AABBCCDDEEFF0011".into());
    card
}

/// A terminal that accepts Visa (signature above NT$3,000), Mastercard
/// (always signed), JCB (never signed); UnionPay is not accepted.
pub fn config() -> TerminalConfig {
    TerminalConfig {
        merchant_id: "M001".into(),
        merchant_name: "Tea House".into(),
        terminal_id: "T0001".into(),
        currency: Currency::Twd,
        brands: vec![
            BrandRule {
                brand: Brand::Visa,
                accepted: true,
                signature: SignatureRule::Above { minor: 300_000 },
                pin_required: false,
                pin_from_minor: 0,
            },
            BrandRule {
                brand: Brand::Mastercard,
                accepted: true,
                signature: SignatureRule::Always,
                pin_required: false,
                pin_from_minor: 0,
            },
            BrandRule {
                brand: Brand::Jcb,
                accepted: true,
                signature: SignatureRule::Never,
                pin_required: false,
                pin_from_minor: 0,
            },
            BrandRule {
                brand: Brand::UnionPay,
                accepted: false,
                signature: SignatureRule::Always,
                pin_required: true,
                pin_from_minor: 0,
            },
        ],
        time_zone: "Asia/Taipei".into(),
        auto_settle_at: "23:00".into(),
    }
}

/// [`config`] where UnionPay is accepted and asks a PIN at every amount,
/// and Visa asks one from NT$10,000 up.
pub fn pin_config() -> TerminalConfig {
    let mut config = config();
    for rule in &mut config.brands {
        match rule.brand {
            Brand::UnionPay => rule.accepted = true,
            Brand::Visa => {
                rule.pin_required = true;
                rule.pin_from_minor = 1_000_000;
            }
            _ => {}
        }
    }
    config
}

/// A logged-in user.
pub fn profile() -> UserProfile {
    UserProfile {
        user_id: "u1".into(),
        username: "amy".into(),
        display_name: "Amy Lin".into(),
        merchant_name: "Tea House".into(),
        limits: Limits {
            per_transaction: Money::twd_dollars(50_000).unwrap(),
            per_day: Money::twd_dollars(200_000).unwrap(),
            refund_per_transaction: None,
        },
    }
}

/// A transaction as the gateway would answer.
pub fn summary(
    id: &str,
    kind: TxnKind,
    status: TxnStatus,
    amount: Money,
    brand: Brand,
) -> TransactionSummary {
    let approved = status == TxnStatus::Approved;
    TransactionSummary {
        id: id.into(),
        kind,
        status,
        amount,
        brand,
        masked_pan: MaskedPan::from_pan(test_pan(brand)).unwrap(),
        entry_mode: EntryMode::Chip,
        auth_code: approved.then(|| "A1B2C3".to_string()),
        invoice_no: "000042".into(),
        response_code: if approved { "00" } else { "05" }.into(),
        response_text: if approved {
            "Approved"
        } else {
            "Do not honour"
        }
        .into(),
        created_at: "2025-03-01T04:00:00Z".into(),
        business_date: "2025-03-01".into(),
        batch_id: None,
        refunded: Money::twd_minor(0),
        original_transaction_id: None,
        signed: false,
        receipt_url: format!("https://gw.example/r/{id}"),
    }
}

/// An authorization answer.
pub fn authorization(
    kind: TxnKind,
    status: TxnStatus,
    amount: Money,
    brand: Brand,
    signature_required: bool,
) -> AuthorizationResponse {
    AuthorizationResponse {
        transaction: summary("t1", kind, status, amount, brand),
        signature_required,
        issuer_authentication: None,
    }
}
