//! The legacy reader envelope: TDES DUKPT (ANSI X9.24-1:2009), for deployed
//! readers that cannot do AES.
//!
//! KSN: 10 bytes as 20 uppercase hex digits: the 5-byte key set identifier
//! (which names the BDK), a 19-bit device id and a 21-bit transaction
//! counter. Plaintext: the same `PAN=YYMMSSS` as the AES envelope, padded
//! with ISO 9797-1 method 2 to 8-byte blocks and encrypted with two-key
//! TDES-CBC, zero IV, under the counter's data encryption key (the data
//! variant of the transaction key through X9.24-1's one-way function).
//!
//! Encrypt-then-MAC, as the AES envelope: 8 bytes of ISO 9797-1 MAC
//! algorithm 3 (padding method 2) under the transaction key's MAC variant,
//! over the 10 KSN bytes and the CBC ciphertext, follow the ciphertext.
//! [`open`] verifies it in constant time before anything is decrypted.

use super::{decode_card, encode_card, ClearCard, EnvelopeError, SealedCard, MAC_LEN};
use crate::dukpt::tdes::{self, Ksn};
use crate::dukpt::Key16;
use crate::mac::{self, Padding};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockEncryptMut, KeyIvInit};
use des::TdesEde2;

/// The DES block size.
const TDES_BLOCK: usize = 8;

/// A legacy reader's side: its IPEK (loaded at key injection), its KSN and counter.
pub struct LegacyReaderKeys {
    /// The reader's KSN with the counter cleared.
    initial_ksn: Ksn,
    ipek: Key16,
    counter: u32,
}

impl std::fmt::Debug for LegacyReaderKeys {
    /// Shows the KSN, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyReaderKeys")
            .field("initial_ksn", &self.initial_ksn.to_hex())
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl LegacyReaderKeys {
    /// Injects a legacy reader: derives its IPEK from the BDK and its initial
    /// KSN (any counter bits in `ksn_initial` are cleared: the first seal uses counter 1).
    pub fn inject(bdk: &[u8; 16], ksn_initial: [u8; 10]) -> Self {
        let initial_ksn = Ksn::new(ksn_initial).initial();
        LegacyReaderKeys {
            ipek: tdes::ipek(&Key16::new(*bdk), &initial_ksn),
            initial_ksn,
            counter: 0,
        }
    }

    /// The KSN the next seal will use, hex; once the counter is exhausted, the last KSN used.
    pub fn next_ksn(&self) -> String {
        let counter = tdes::next_counter(self.counter).unwrap_or(self.counter);
        self.initial_ksn.with_counter(counter).to_hex()
    }

    /// Seals card data under the next transaction key and advances the counter.
    ///
    /// Card data that [`open`] would refuse is refused here too, and then
    /// the counter does not move.
    pub fn seal(&mut self, card: &ClearCard) -> Result<SealedCard, EnvelopeError> {
        let plaintext = encode_card(card, TDES_BLOCK)?;
        let counter = tdes::next_counter(self.counter).ok_or(EnvelopeError::CounterExhausted)?;
        let ksn = self.initial_ksn.with_counter(counter);
        // A device keeps future keys rather than the IPEK; the keys are the same.
        let transaction_key = tdes::transaction_key_from_ipek(&self.ipek, &ksn)
            .map_err(|_| EnvelopeError::InvalidKsn)?;
        let data_key = tdes::data_key(&transaction_key);
        self.counter = counter;
        let mut envelope =
            cbc::Encryptor::<TdesEde2>::new(data_key.as_bytes().into(), &[0u8; 8].into())
                .encrypt_padded_vec_mut::<NoPadding>(&plaintext);
        let tag = mac::retail_mac(
            tdes::mac_key(&transaction_key).as_bytes(),
            &mac_input(&ksn, &envelope),
            Padding::Method2,
        );
        envelope.extend_from_slice(&tag[..MAC_LEN]);
        Ok(SealedCard {
            ksn: ksn.to_hex(),
            ciphertext: hex::encode_upper(envelope),
        })
    }

    /// Sets the counter, to test a reader near the end of its key life.
    #[cfg(test)]
    fn with_counter(mut self, counter: u32) -> Self {
        self.counter = counter;
        self
    }
}

/// 20 hex digits with a valid transaction counter.
pub(super) fn parse_ksn(ksn_hex: &str) -> Result<Ksn, EnvelopeError> {
    let ksn = Ksn::from_hex(ksn_hex).map_err(|_| EnvelopeError::InvalidKsn)?;
    tdes::validate_counter(ksn.counter()).map_err(|_| EnvelopeError::InvalidKsn)?;
    Ok(ksn)
}

/// The HSM's side of a TDES envelope.
pub(super) fn open(bdk: &[u8; 16], sealed: &SealedCard) -> Result<ClearCard, EnvelopeError> {
    let ksn = parse_ksn(&sealed.ksn)?;
    let envelope =
        hex::decode(&sealed.ciphertext).map_err(|_| EnvelopeError::MalformedCiphertext)?;
    let Some(body_len) = envelope.len().checked_sub(MAC_LEN) else {
        return Err(EnvelopeError::MalformedCiphertext);
    };
    if body_len == 0 || body_len % TDES_BLOCK != 0 {
        return Err(EnvelopeError::MalformedCiphertext);
    }
    let (ciphertext, tag) = envelope.split_at(body_len);
    let transaction_key =
        tdes::transaction_key(&Key16::new(*bdk), &ksn).map_err(|_| EnvelopeError::InvalidKsn)?;
    let mac_key = tdes::mac_key(&transaction_key);
    let input = mac_input(&ksn, ciphertext);
    if !mac::verify_retail_mac(mac_key.as_bytes(), &input, Padding::Method2, tag) {
        return Err(EnvelopeError::AuthenticationFailed);
    }
    let plaintext = tdes::tdes_cbc_decrypt(&tdes::data_key(&transaction_key), ciphertext)
        .map_err(|_| EnvelopeError::MalformedCiphertext)?;
    decode_card(&plaintext, TDES_BLOCK)
}

impl LegacyReaderKeys {
    /// Enciphers `pin` for `pan` as format 0 under the PIN variant of the
    /// last seal's transaction key.
    pub fn encipher_pin(
        &self,
        pin: &str,
        pan: &str,
    ) -> Result<super::EncipheredPin, super::PinEnvelopeError> {
        if self.counter == 0 {
            return Err(super::PinEnvelopeError::NoCardRead);
        }
        let ksn = self.initial_ksn.with_counter(self.counter);
        let transaction_key = tdes::transaction_key_from_ipek(&self.ipek, &ksn)
            .map_err(|_| super::PinEnvelopeError::InvalidKsn)?;
        let clear = zeroize::Zeroizing::new(crate::pin_block::iso0_block(pin, pan)?);
        let block = tdes::tdes_encrypt_block(&tdes::pin_key(&transaction_key), *clear);
        Ok(super::EncipheredPin {
            ksn: ksn.to_hex(),
            block: hex::encode_upper(block),
        })
    }
}

/// The HSM's side of a format 0 PIN block from a TDES reader.
pub(super) fn open_pin(
    bdk: &[u8; 16],
    ksn_hex: &str,
    block: &[u8; 8],
    pan: &str,
) -> Result<zeroize::Zeroizing<String>, super::PinEnvelopeError> {
    let ksn = parse_ksn(ksn_hex).map_err(|_| super::PinEnvelopeError::InvalidKsn)?;
    let transaction_key = tdes::transaction_key(&Key16::new(*bdk), &ksn)
        .map_err(|_| super::PinEnvelopeError::InvalidKsn)?;
    let clear = zeroize::Zeroizing::new(tdes::tdes_decrypt_block(
        &tdes::pin_key(&transaction_key),
        *block,
    ));
    Ok(crate::pin_block::iso0_pin(&clear, pan)?)
}

/// What the MAC covers: the KSN bytes, then the CBC ciphertext.
fn mac_input(ksn: &Ksn, ciphertext: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(10 + ciphertext.len());
    input.extend_from_slice(ksn.as_bytes());
    input.extend_from_slice(ciphertext);
    input
}

#[cfg(test)]
mod tests {
    use super::super::{ksn_parts, open as open_any, Scheme};
    use super::*;

    /// The published X9.24-1 Annex A test BDK and initial KSN.
    const BDK: [u8; 16] = [
        0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32,
        0x10,
    ];
    const KSN: [u8; 10] = [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0x00, 0x00];

    fn card(pan: &str) -> ClearCard {
        ClearCard {
            pan: pan.to_string(),
            expiry: "3012".to_string(),
            service_code: "201".to_string(),
            chip_failures: 0,
        }
    }

    fn key(text: &str) -> [u8; 16] {
        hex::decode(text).unwrap().try_into().unwrap()
    }

    fn xor(a: [u8; 16], b: [u8; 16]) -> [u8; 16] {
        std::array::from_fn(|i| a[i] ^ b[i])
    }

    fn sealed_visa() -> SealedCard {
        LegacyReaderKeys::inject(&BDK, KSN)
            .seal(&card("4111111111111111"))
            .unwrap()
    }

    #[test]
    fn round_trips_card_data_of_every_pan_length_through_open() {
        let mut reader = LegacyReaderKeys::inject(&BDK, KSN);
        for pan in [
            "411111111117",
            "378282246310005",
            "4111111111111111",
            "4111111111111111110",
        ] {
            let sealed = reader.seal(&card(pan)).unwrap();
            assert_eq!(sealed.ksn.len(), 20);
            assert_eq!(Scheme::of_ksn(&sealed.ksn), Ok(Scheme::Tdes));
            assert_eq!(open_any(&BDK, &sealed).unwrap(), card(pan));
            assert!(!sealed.ciphertext.contains(pan));
        }
    }

    #[test]
    fn counters_start_at_one_and_skip_invalid_ones() {
        // Counter bits in the injected KSN are ignored.
        let mut stray = KSN;
        stray[9] = 0x05;
        let mut reader = LegacyReaderKeys::inject(&BDK, stray);
        assert_eq!(reader.next_ksn(), "FFFF9876543210E00001");
        let first = reader.seal(&card("4111111111111111")).unwrap();
        assert_eq!(first.ksn, "FFFF9876543210E00001");
        let second = reader.seal(&card("4111111111111111")).unwrap();
        assert_eq!(second.ksn, "FFFF9876543210E00002");
        assert_ne!(first.ciphertext, second.ciphertext);
        assert_eq!(
            ksn_parts(&second.ksn).unwrap(),
            ("FFFF9876543210E00000".to_string(), 2)
        );
        // 0x7FF has 11 one bits: never used.
        let mut reader = LegacyReaderKeys::inject(&BDK, KSN).with_counter(0x7FE);
        assert_eq!(
            reader.seal(&card("4111111111111111")).unwrap().ksn,
            "FFFF9876543210E00800"
        );
    }

    #[test]
    fn ciphertext_is_tdes_cbc_under_the_published_data_key() {
        // Counter 8's data key is the published X9.24-1 vector (dukpt::tdes tests).
        let mut reader = LegacyReaderKeys::inject(&BDK, KSN);
        let eighth = (0..8)
            .map(|_| reader.seal(&card("4111111111111111")).unwrap())
            .last()
            .unwrap();
        assert_eq!(eighth.ksn, "FFFF9876543210E00008");
        let envelope = hex::decode(&eighth.ciphertext).unwrap();
        assert_eq!(envelope.len(), 32 + MAC_LEN);
        let data_key = Key16::new(key("C39B2778B058AC376FB18DC906F75CBA"));
        let plain = tdes::tdes_cbc_decrypt(&data_key, &envelope[..32]).unwrap();
        assert_eq!(&plain[..24], b"4111111111111111=3012201");
        assert_eq!(plain[24], 0x80);
        assert!(plain[25..].iter().all(|&b| b == 0));
    }

    #[test]
    fn the_mac_is_iso_9797_alg_3_under_the_published_keys_mac_variant() {
        // Counter 1's transaction key is published (X9.24-1 Annex A); the MAC
        // request variant flips byte 6 of each half.
        let transaction_key = key("042666B49184CFA368DE9628D0397BC9");
        let variant = key("000000000000FF00000000000000FF00");
        let mac_key = xor(transaction_key, variant);
        let sealed = sealed_visa();
        let envelope = hex::decode(&sealed.ciphertext).unwrap();
        let (body, tag) = envelope.split_at(envelope.len() - MAC_LEN);
        let mut input = hex::decode("FFFF9876543210E00001").unwrap();
        input.extend_from_slice(body);
        assert_eq!(tag, mac::retail_mac(&mac_key, &input, Padding::Method2));
    }

    #[test]
    fn wrong_bdk_other_ksn_and_any_tampered_byte_are_refused() {
        let sealed = sealed_visa();
        let mut other = BDK;
        // Not the low bit: DES ignores each key byte's parity bit.
        other[15] ^= 0x10;
        assert_eq!(
            open_any(&other, &sealed),
            Err(EnvelopeError::AuthenticationFailed)
        );
        // The AES test BDK is no TDES BDK either.
        let aes_bdk = key("FEDCBA9876543210F1F1F1F1F1F1F1F1");
        assert_eq!(
            open_any(&aes_bdk, &sealed),
            Err(EnvelopeError::AuthenticationFailed)
        );
        for ksn in ["FFFF9876543210E00002", "FFFF9876543211E00001"] {
            let attempt = SealedCard {
                ksn: ksn.into(),
                ..sealed.clone()
            };
            assert_eq!(
                open_any(&BDK, &attempt),
                Err(EnvelopeError::AuthenticationFailed),
                "{ksn}"
            );
        }
        let bytes = hex::decode(&sealed.ciphertext).unwrap();
        for index in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[index] ^= 0x40;
            let attempt = SealedCard {
                ksn: sealed.ksn.clone(),
                ciphertext: hex::encode_upper(tampered),
            };
            assert_eq!(
                open_any(&BDK, &attempt),
                Err(EnvelopeError::AuthenticationFailed),
                "byte {index}"
            );
        }
    }

    #[test]
    fn malformed_ksns_and_ciphertexts_are_refused() {
        let sealed = sealed_visa();
        for ksn in [
            "FFFF9876543210E0001",
            "FFFF9876543210E000011",
            "FFFF9876543210E0000G",
            "FFFF9876543210E00000",
            "FFFF9876543210E007FF",
        ] {
            let attempt = SealedCard {
                ksn: ksn.into(),
                ..sealed.clone()
            };
            assert_eq!(
                open_any(&BDK, &attempt),
                Err(EnvelopeError::InvalidKsn),
                "{ksn}"
            );
            assert_eq!(ksn_parts(ksn), Err(EnvelopeError::InvalidKsn), "{ksn}");
        }
        for ciphertext in [
            "",
            "XY",
            "00",
            &sealed.ciphertext[..20],
            &sealed.ciphertext[2..],
        ] {
            let attempt = SealedCard {
                ciphertext: ciphertext.into(),
                ..sealed.clone()
            };
            assert_eq!(
                open_any(&BDK, &attempt),
                Err(EnvelopeError::MalformedCiphertext),
                "{ciphertext:?}"
            );
        }
    }

    #[test]
    fn invalid_card_data_is_refused_without_using_a_counter() {
        let mut reader = LegacyReaderKeys::inject(&BDK, KSN);
        assert_eq!(
            reader.seal(&card("4111111111111112")),
            Err(EnvelopeError::InvalidPlaintext)
        );
        assert_eq!(reader.next_ksn(), "FFFF9876543210E00001");
    }

    #[test]
    fn the_last_counter_is_used_then_the_reader_is_spent() {
        let mut reader = LegacyReaderKeys::inject(&BDK, KSN).with_counter(0x1F_F400);
        let last = reader.seal(&card("4111111111111111")).unwrap();
        assert_eq!(last.ksn, "FFFF9876543210FFF800");
        assert!(open_any(&BDK, &last).is_ok());
        assert_eq!(reader.next_ksn(), "FFFF9876543210FFF800");
        assert_eq!(
            reader.seal(&card("4111111111111111")),
            Err(EnvelopeError::CounterExhausted)
        );
    }

    #[test]
    fn debug_output_hides_the_ipek() {
        let reader = LegacyReaderKeys::inject(&BDK, KSN);
        // The published IPEK of this BDK and KSN.
        let text = format!("{reader:?}").to_uppercase();
        assert!(!text.contains("6AC292FA"), "{text}");
        assert!(text.contains("FFFF9876543210E00000"), "{text}");
    }
}
