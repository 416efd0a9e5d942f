//! The magnetic head of a raw-head reader, simulated: the analog signal a
//! swipe puts on the phone's microphone input, written as WAV files.
//!
//! - `stripe`: a track's text as the F2F bit string on the card;
//! - `motion`: where the head is when (speed ramps, reverse swipes);
//! - `head`: the read-back pulse of each flux transition (ideal or a real head's);
//! - `real_world`: how real swipes depart from the ideal model;
//! - `highpass`: the phone's input high-pass filter;
//! - `noise`: seeded Gaussian noise;
//! - `synth`: [`synthesize`], the whole chain;
//! - `impostor`: sounds that are not swipes, for false-accept tests;
//! - `wav`: WAV output.
//!
//! Everything is deterministic for a given seed.

mod head;
mod highpass;
mod impostor;
mod motion;
mod noise;
mod real_world;
mod stripe;
mod synth;
mod wav;

pub use head::{PulseShape, ADC_PW50_SAMPLES, HEAD_PW50_INCHES, LEVEL_PER_IPS};
pub use highpass::Highpass;
pub use impostor::{hum_and_clicks, speech_like, white_noise};
pub use motion::Motion;
pub use noise::Gaussian;
pub use real_world::RealWorld;
pub use stripe::{Stripe, SynthError};
pub use synth::{synthesize, SwipeAudio, SwipeParams};
pub use wav::{write_wav, WavFormat};
