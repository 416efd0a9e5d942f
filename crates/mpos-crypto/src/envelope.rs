//! The reader's card envelope: clear card data sealed under an AES-128
//! DUKPT data key (ANSI X9.24-3), opened only by the gateway's HSM module.

/// Clear card data as the reader read it (track-2-equivalent fields).
#[derive(Clone, PartialEq, Eq)]
pub struct ClearCard {
    /// Primary account number.
    pub pan: String,
    /// Expiry, `YYMM`.
    pub expiry: String,
    /// Service code, 3 digits.
    pub service_code: String,
}

impl std::fmt::Debug for ClearCard {
    /// Never prints the number in clear.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClearCard").field("pan", &"<hidden>").finish_non_exhaustive()
    }
}

/// A sealed envelope: the key serial number and the ciphertext, both hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedCard {
    /// AES DUKPT key serial number (12 bytes), hex.
    pub ksn: String,
    /// AES-CBC ciphertext, hex.
    pub ciphertext: String,
}

/// Why an envelope could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The KSN is not 24 hex digits or its counter is invalid.
    #[error("invalid key serial number")]
    InvalidKsn,
    /// The ciphertext is not hex or not a whole number of blocks.
    #[error("malformed ciphertext")]
    MalformedCiphertext,
    /// The plaintext did not parse as card data (wrong key or tampering).
    #[error("card data did not decrypt to a valid track")]
    InvalidPlaintext,
    /// The reader's transaction counter is exhausted.
    #[error("the reader's key counter is exhausted")]
    CounterExhausted,
}

/// The reader's side: an initial key (loaded at key injection) and a counter.
pub struct ReaderKeys {
    initial_key_id: [u8; 8],
    initial_key: [u8; 16],
    counter: u32,
}

impl ReaderKeys {
    /// Injects a reader: derives its initial key from the BDK and initial key id.
    pub fn inject(bdk: &[u8; 16], initial_key_id: [u8; 8]) -> Self {
        let _ = (bdk, initial_key_id);
        todo!("helper C")
    }

    /// The KSN the next seal will use, hex.
    pub fn next_ksn(&self) -> String {
        todo!("helper C")
    }

    /// Seals card data under the next transaction key and advances the counter.
    pub fn seal(&mut self, card: &ClearCard) -> Result<SealedCard, EnvelopeError> {
        let _ = (card, &self.initial_key_id, &self.initial_key, self.counter);
        todo!("helper C")
    }
}

/// The HSM's side: opens an envelope with the BDK.
pub fn open(bdk: &[u8; 16], sealed: &SealedCard) -> Result<ClearCard, EnvelopeError> {
    let _ = (bdk, sealed);
    todo!("helper C")
}

/// Splits a KSN into its initial key id (hex) and transaction counter.
pub fn ksn_parts(ksn_hex: &str) -> Result<(String, u32), EnvelopeError> {
    let _ = ksn_hex;
    todo!("helper C")
}
