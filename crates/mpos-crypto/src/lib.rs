//! Payment cryptography shared by the virtual reader and the gateway's HSM module.
//!
//! The phone links none of this: it only forwards the reader's envelope.

pub mod dukpt;
pub mod emv;
pub mod envelope;
pub mod mac;
pub mod pin_block;
pub mod tlv;
pub mod x509;
