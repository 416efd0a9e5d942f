//! [`VirtualReader`]: `mpos-sim`'s reader device and a typical phone's
//! analog paths, as an audio device a shell's test or preview plugs into
//! its audio bridge instead of the headset jack. Its keys are the
//! published test keys.
//!
//! The shell's audio pump, per block: the app's headphone samples (stereo,
//! at `AudioJack::output_address`) are copied to `input_address`,
//! `process(frames)` runs the reader, and the microphone samples at
//! `output_address` are copied to `AudioJack::input_address`.

use crate::sample_buffers::{BlockTooLarge, SampleBuffers};
use mpos_cards::CardId;
use mpos_sim::{AudioLoopConfig, JackPeer, ReaderDevice};
use std::sync::{Arc, Mutex};

/// An audio block larger than the reader's buffers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum BlockError {
    /// The block does not fit.
    #[error("the block of {frames} frames is larger than the {capacity}-frame buffers")]
    TooLarge {
        /// Frames asked for.
        frames: u32,
        /// Frames the buffers hold.
        capacity: u32,
    },
}

impl From<BlockTooLarge> for BlockError {
    fn from(error: BlockTooLarge) -> BlockError {
        BlockError::TooLarge {
            frames: error.frames,
            capacity: error.capacity,
        }
    }
}

/// A published test card, for the cardholder's hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TestCard {
    /// Visa chip card, approved.
    VisaChipApproved,
    /// Mastercard chip card, approved (always signed).
    MastercardChipApproved,
    /// Visa stripe-only card, approved.
    VisaSwipeOnlyApproved,
    /// Visa, declined 05 (do not honour).
    VisaDeclined05,
    /// Visa, declined 51 (insufficient funds).
    VisaDeclined51,
    /// Visa, expired.
    VisaExpired,
    /// Visa, reported lost.
    VisaLost,
    /// Visa, reported stolen.
    VisaStolen,
    /// Visa whose issuer answers slowly.
    VisaSlowIssuer,
    /// JCB, needs no signature.
    JcbNoSignature,
    /// UnionPay, approved.
    UnionPayApproved,
    /// American Express, approved.
    AmexApproved,
    /// Visa chip that declines the issuer's approval (AAC).
    VisaChipDeclinesAfterApproval,
}

impl From<TestCard> for CardId {
    fn from(card: TestCard) -> CardId {
        match card {
            TestCard::VisaChipApproved => CardId::VisaChipApproved,
            TestCard::MastercardChipApproved => CardId::MastercardChipApproved,
            TestCard::VisaSwipeOnlyApproved => CardId::VisaSwipeOnlyApproved,
            TestCard::VisaDeclined05 => CardId::VisaDeclined05,
            TestCard::VisaDeclined51 => CardId::VisaDeclined51,
            TestCard::VisaExpired => CardId::VisaExpired,
            TestCard::VisaLost => CardId::VisaLost,
            TestCard::VisaStolen => CardId::VisaStolen,
            TestCard::VisaSlowIssuer => CardId::VisaSlowIssuer,
            TestCard::JcbNoSignature => CardId::JcbNoSignature,
            TestCard::UnionPayApproved => CardId::UnionPayApproved,
            TestCard::AmexApproved => CardId::AmexApproved,
            TestCard::VisaChipDeclinesAfterApproval => CardId::VisaChipDeclinesAfterApproval,
        }
    }
}

/// The virtual reader on the far side of a simulated headset jack.
#[derive(uniffi::Object)]
pub struct VirtualReader {
    peer: Mutex<JackPeer>,
    device: Arc<Mutex<ReaderDevice>>,
    buffers: SampleBuffers,
}

impl VirtualReader {
    fn hands(&self, act: impl FnOnce(&mut ReaderDevice)) {
        act(&mut self.device.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

#[uniffi::export]
impl VirtualReader {
    /// Reader number `device_number` (its serial and DUKPT key id follow
    /// from it) at `sample_rate`, behind a typical phone's analog paths,
    /// with buffers for blocks of up to `block_capacity` frames; unplugged.
    #[uniffi::constructor]
    pub fn new(sample_rate: u32, device_number: u32, block_capacity: u32) -> Arc<VirtualReader> {
        let device = ReaderDevice::new(
            sample_rate,
            &mpos_sim::TEST_BDK,
            mpos_sim::test_initial_key_id(device_number),
            format!("SIM-{device_number:08X}"),
            &mpos_sim::TEST_ISSUER_MASTER_KEY,
        );
        let config = AudioLoopConfig {
            sample_rate,
            block: block_capacity as usize,
            ..AudioLoopConfig::typical_phone()
        };
        let peer = JackPeer::new(device, config);
        let device = peer.device_handle();
        Arc::new(VirtualReader {
            peer: Mutex::new(peer),
            device,
            buffers: SampleBuffers::new(block_capacity, 2, 1),
        })
    }

    /// Where the pump writes the app's headphone samples (interleaved stereo).
    pub fn input_address(&self) -> u64 {
        self.buffers.input_address()
    }

    /// Where the pump reads the microphone's samples (mono).
    pub fn output_address(&self) -> u64 {
        self.buffers.output_address()
    }

    /// The largest block `process` takes, in frames.
    pub fn block_capacity(&self) -> u32 {
        self.buffers.capacity()
    }

    /// The address of this object for [`mpos_virtual_reader_process`].
    pub fn native_handle(&self) -> u64 {
        self as *const VirtualReader as u64
    }

    /// Runs one block of `frames` frames through the analog paths and the reader.
    pub fn process(&self, frames: u32) -> Result<(), BlockError> {
        self.buffers
            .with_block(frames, |headphones, mic| {
                self.peer
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .process(headphones, mic);
            })
            .map_err(BlockError::from)
    }

    /// Plugs the reader into the jack.
    pub fn plug_in(&self) {
        self.hands(ReaderDevice::plug_in);
    }

    /// Pulls the reader out.
    pub fn unplug(&self) {
        self.hands(ReaderDevice::unplug);
    }

    /// Inserts a card into the chip slot.
    pub fn insert(&self, card: TestCard) {
        self.hands(|device| device.insert(card.into()));
    }

    /// Inserts a chip card whose chip does not answer.
    pub fn insert_with_unreadable_chip(&self, card: TestCard) {
        self.hands(|device| device.insert_with_unreadable_chip(card.into()));
    }

    /// Swipes a card's stripe.
    pub fn swipe(&self, card: TestCard) {
        self.hands(|device| device.swipe(card.into()));
    }

    /// Swipes so badly the stripe cannot be read.
    pub fn swipe_badly(&self, card: TestCard) {
        self.hands(|device| device.swipe_badly(card.into()));
    }

    /// Takes the card out.
    pub fn remove_card(&self) {
        self.hands(ReaderDevice::remove_card);
    }

    /// Whether the reader has nothing left to send.
    pub fn is_idle(&self) -> bool {
        self.device
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_idle()
    }
}

/// `VirtualReader::process` through the plain C ABI, for the test pump's
/// audio thread (see `mpos_audio_jack_process`).
///
/// # Safety
/// `handle` is what `native_handle` returned for a `VirtualReader` the
/// caller still holds; only the caller's pump thread touches its buffers.
#[no_mangle]
pub unsafe extern "C" fn mpos_virtual_reader_process(handle: u64, frames: u32) -> i32 {
    // SAFETY: the caller holds the object `handle` points to.
    let reader = unsafe { &*(handle as *const VirtualReader) };
    crate::sample_buffers::status(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || reader.process(frames),
    )))
}

/// The PIN the issuer simulator holds for `card` (a published test value),
/// as its cardholder knows it.
#[uniffi::export]
pub fn test_card_pin(card: TestCard) -> String {
    mpos_cards::TestCard::get(card.into()).pin.to_string()
}
