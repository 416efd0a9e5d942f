//! [`AudioJack`]: the card reader in the headset jack, as the shell hands
//! it to the app. The shell opens full-duplex audio (44.1 or 48 kHz),
//! and from its audio thread, per block: writes the microphone's mono
//! samples at `input_address`, calls `process(frames)`, and plays the
//! interleaved stereo samples at `output_address` (left: the reader's
//! power tone; right: data). Headset plug and unplug go to `set_headset`.

use crate::error::MposError;
use crate::sample_buffers::SampleBuffers;
use mpos_core::reader::audio_jack::AudioJackReader;
use mpos_link::LinkProfile;
use std::sync::Arc;

/// The headset-jack card reader's driver and its audio buffers.
#[derive(uniffi::Object)]
pub struct AudioJack {
    reader: Arc<AudioJackReader>,
    buffers: SampleBuffers,
}

impl AudioJack {
    /// The core's driver, for the app.
    pub(crate) fn reader(&self) -> Arc<AudioJackReader> {
        self.reader.clone()
    }
}

#[uniffi::export]
impl AudioJack {
    /// A driver for audio at `sample_rate` on the phone model
    /// `phone_model` (the platform's model name), with buffers for blocks
    /// of up to `block_capacity` frames. `saved_profile` is what
    /// `link_profile` returned on this phone before, if anything: the
    /// reader is then found with one exchange instead of a full search.
    #[uniffi::constructor]
    pub fn new(
        sample_rate: u32,
        phone_model: String,
        block_capacity: u32,
        saved_profile: Option<String>,
    ) -> Result<Arc<AudioJack>, MposError> {
        let reader = AudioJackReader::new(sample_rate, &phone_model)
            .map_err(|_| MposError::AudioRate(sample_rate))?;
        // A profile that no longer parses is only a slower first search.
        if let Some(profile) = saved_profile
            .as_deref()
            .and_then(|json| serde_json::from_str::<LinkProfile>(json).ok())
        {
            reader.remember_profile(profile);
        }
        Ok(Arc::new(AudioJack {
            reader: Arc::new(reader),
            buffers: SampleBuffers::new(block_capacity, 1, 2),
        }))
    }

    /// The sample rate the audio must run at.
    pub fn sample_rate(&self) -> u32 {
        self.reader.sample_rate()
    }

    /// The largest block `process` takes, in frames.
    pub fn block_capacity(&self) -> u32 {
        self.buffers.capacity()
    }

    /// Where the shell writes the microphone's mono `f32` samples.
    pub fn input_address(&self) -> u64 {
        self.buffers.input_address()
    }

    /// Where the shell reads the headphones' interleaved stereo `f32` samples.
    pub fn output_address(&self) -> u64 {
        self.buffers.output_address()
    }

    /// The address of this object for [`mpos_audio_jack_process`], valid
    /// while the shell holds the object.
    pub fn native_handle(&self) -> u64 {
        self as *const AudioJack as u64
    }

    /// Runs one block of `frames` frames in place. Allocates nothing here;
    /// a UniFFI call allocates its call status on the JVM, so the audio
    /// thread calls [`mpos_audio_jack_process`] instead.
    pub fn process(&self, frames: u32) -> Result<(), MposError> {
        Ok(self
            .buffers
            .with_block(frames, |input, output| self.reader.process(input, output))?)
    }

    /// Whether a reader answers at the end of the audio link.
    pub fn is_reader_connected(&self) -> bool {
        self.reader.link_state() == mpos_core::reader::audio_jack::LinkState::Connected
    }

    /// Whether nothing waits to be sent to the reader or acknowledged by it.
    pub fn is_link_idle(&self) -> bool {
        self.reader.is_link_idle()
    }

    /// The platform's headset detection: plugged in or pulled out.
    pub fn set_headset(&self, plugged: bool) {
        self.reader.set_headset(plugged);
    }

    /// What the link learned about this phone model, for the shell to keep
    /// (JSON) and pass back at the next start; `None` before a reader answered.
    pub fn link_profile(&self) -> Option<String> {
        self.reader
            .profile()
            .and_then(|profile| serde_json::to_string(&profile).ok())
    }
}

/// The audio thread's entry: `AudioJack::process` through the plain C ABI
/// (JNA direct mapping, a Swift C declaration), so a block costs one call
/// with two integers and no allocation on either side. Returns 0, or -1
/// when the block is larger than the buffers, or -2 on a panic.
///
/// # Safety
/// `handle` is what `native_handle` returned for an `AudioJack` the caller
/// still holds; only the caller's audio thread touches its buffers.
#[no_mangle]
pub unsafe extern "C" fn mpos_audio_jack_process(handle: u64, frames: u32) -> i32 {
    // SAFETY: the caller holds the object `handle` points to.
    let jack = unsafe { &*(handle as *const AudioJack) };
    crate::sample_buffers::status(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || jack.process(frames),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_power_tone_comes_out_at_the_output_address() {
        let jack = AudioJack::new(48_000, "Test Phone".into(), 480, None).unwrap();
        assert_eq!(jack.sample_rate(), 48_000);
        assert_eq!(jack.block_capacity(), 480);
        for _ in 0..3 {
            jack.process(480).unwrap();
        }
        let output = jack.output_address() as *const f32;
        // SAFETY: 480 stereo frames at the output address.
        let left: Vec<f32> = (0..480)
            .map(|i| unsafe { output.add(2 * i).read() })
            .collect();
        assert!(left.iter().any(|s| s.abs() > 0.1), "the power tone");
        assert!(jack.process(481).is_err());
        // SAFETY: the handle of a live object.
        assert_eq!(
            unsafe { mpos_audio_jack_process(jack.native_handle(), 480) },
            0
        );
        // SAFETY: as above.
        assert_eq!(
            unsafe { mpos_audio_jack_process(jack.native_handle(), 481) },
            -1
        );
        jack.set_headset(false);
        jack.process(480).unwrap();
        // SAFETY: as above.
        assert!((0..960).all(|i| unsafe { output.add(i).read() } == 0.0));
    }

    #[test]
    fn rates_the_link_cannot_use_are_refused() {
        assert_eq!(
            AudioJack::new(8_000, "Test Phone".into(), 80, None).err(),
            Some(MposError::AudioRate(8_000))
        );
        // A stored profile that no longer parses is ignored.
        assert!(AudioJack::new(44_100, "Test Phone".into(), 441, Some("{".into())).is_ok());
    }
}
