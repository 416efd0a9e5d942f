//! The e-receipt as the phone shows it: a QR code of the hosted receipt page.

pub mod qr;
