//! Physical-layer constants: the power tone, bit rates, levels and the
//! on-air frame envelope (preamble, sync word, postamble).
//!
//! The headset jack is wired CTIA: tip = left (power tone), ring 1 = right
//! (downlink data), ring 2 = ground, sleeve = microphone (uplink data).

use serde::{Deserialize, Serialize};

/// Frequency of the power tone on the left channel, in hertz.
///
/// 18 kHz sits inside every phone DAC's passband (which ends near 20 kHz,
/// where HiJack's 22 kHz tone would be 0.05 kHz from Nyquist at 44.1 kHz),
/// is inaudible to most adults, and is far above the data band (<= 9.6 kHz).
pub const POWER_TONE_HZ: f64 = 18_000.0;

/// Peak amplitude of the power tone, as a fraction of digital full scale.
pub const POWER_TONE_AMPLITUDE: f32 = 0.9;

/// The phone-to-reader bit rate; fixed so that a reader that has just
/// powered up always understands the phone.
pub const DOWNLINK_RATE: BitRate = BitRate::Bps2400;

/// Downlink data amplitude (fraction of full scale) the phone starts with.
pub const DEFAULT_DOWNLINK_AMPLITUDE: f32 = 0.5;

/// Downlink data amplitude the phone falls back to when the reader is silent.
pub const LOUD_DOWNLINK_AMPLITUDE: f32 = 1.0;

/// Uplink rate and level a reader uses after power-up until told otherwise.
pub const DEFAULT_UPLINK: (BitRate, UplinkLevel) = (BitRate::Bps2400, UplinkLevel(1));

/// Preamble bytes sent before the sync word (all ones: an edge every half-bit).
pub const PREAMBLE: [u8; 3] = [0xFF, 0xFF, 0xFF];

/// The sync word that follows the preamble (TI CC1101's default, good autocorrelation).
pub const SYNC_WORD: [u8; 2] = [0xD3, 0x91];

/// Ones sent after the last frame byte so that its last edge is complete.
pub const POSTAMBLE_BITS: usize = 4;

/// Bit times of silence a transmitter leaves between two frames.
pub const INTERFRAME_GAP_BITS: usize = 4;

/// Bits on air around a frame: preamble, sync word, and the postamble rounded up.
pub const ENVELOPE_BITS: usize = (PREAMBLE.len() + SYNC_WORD.len()) * 8 + POSTAMBLE_BITS;

/// A bit rate of the link, in bits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BitRate {
    /// 2400 bit/s: every phone; the downlink rate.
    #[serde(rename = "2400")]
    Bps2400,
    /// 4800 bit/s.
    #[serde(rename = "4800")]
    Bps4800,
    /// 9600 bit/s: needs a clean microphone path up to about 10 kHz.
    #[serde(rename = "9600")]
    Bps9600,
}

impl BitRate {
    /// Every rate, fastest first: the order auto-configuration tries them.
    pub const FASTEST_FIRST: [BitRate; 3] = [BitRate::Bps9600, BitRate::Bps4800, BitRate::Bps2400];

    /// Bits per second.
    pub fn bits_per_second(self) -> u32 {
        match self {
            BitRate::Bps2400 => 2400,
            BitRate::Bps4800 => 4800,
            BitRate::Bps9600 => 9600,
        }
    }

    /// The code that names this rate in LinkProbe / SetLink messages.
    pub fn code(self) -> u8 {
        match self {
            BitRate::Bps2400 => 1,
            BitRate::Bps4800 => 2,
            BitRate::Bps9600 => 3,
        }
    }

    /// Inverse of [`BitRate::code`].
    pub fn from_code(code: u8) -> Option<BitRate> {
        match code {
            1 => Some(BitRate::Bps2400),
            2 => Some(BitRate::Bps4800),
            3 => Some(BitRate::Bps9600),
            _ => None,
        }
    }

    /// Half-bit duration in samples at `sample_rate`.
    pub fn half_bit_samples(self, sample_rate: u32) -> f64 {
        f64::from(sample_rate) / (2.0 * f64::from(self.bits_per_second()))
    }

    /// Milliseconds to send `bits` bits.
    pub fn millis_for_bits(self, bits: usize) -> f64 {
        bits as f64 * 1000.0 / f64::from(self.bits_per_second())
    }
}

/// The reader's uplink drive level, 0 (quietest) to 3; each step is +6 dB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UplinkLevel(pub u8);

impl UplinkLevel {
    /// Every level, quietest first.
    pub const ALL: [UplinkLevel; 4] = [
        UplinkLevel(0),
        UplinkLevel(1),
        UplinkLevel(2),
        UplinkLevel(3),
    ];

    /// A level from its code; `None` above 3.
    pub fn from_code(code: u8) -> Option<UplinkLevel> {
        (code <= 3).then_some(UplinkLevel(code))
    }

    /// Peak voltage the reader drives onto the microphone line, in millivolts.
    pub fn millivolts(self) -> u32 {
        10 << self.0.min(3)
    }

    /// The reader's digital drive for this level in the simulation (full scale = 160 mV).
    pub fn sim_amplitude(self) -> f32 {
        self.millivolts() as f32 / 160.0
    }
}

/// Generates the phase-continuous power tone for the left channel.
#[derive(Debug, Clone)]
pub struct PowerTone {
    phase: f64,
    step: f64,
}

impl PowerTone {
    /// A tone generator for a DAC running at `sample_rate`.
    pub fn new(sample_rate: u32) -> PowerTone {
        PowerTone {
            phase: 0.0,
            step: std::f64::consts::TAU * POWER_TONE_HZ / f64::from(sample_rate),
        }
    }

    /// Writes the next `out.len()` samples of the tone.
    pub fn fill(&mut self, out: &mut [f32]) {
        for sample in out {
            *sample = POWER_TONE_AMPLITUDE * self.phase.sin() as f32;
            self.phase = (self.phase + self.step) % std::f64::consts::TAU;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_codes_round_trip_and_reject_unknown() {
        for rate in BitRate::FASTEST_FIRST {
            assert_eq!(BitRate::from_code(rate.code()), Some(rate));
        }
        assert_eq!(BitRate::from_code(0), None);
        assert_eq!(BitRate::from_code(4), None);
    }

    #[test]
    fn levels_double_per_step() {
        let mv: Vec<u32> = UplinkLevel::ALL.iter().map(|l| l.millivolts()).collect();
        assert_eq!(mv, [10, 20, 40, 80]);
        assert_eq!(UplinkLevel::from_code(4), None);
    }

    #[test]
    fn power_tone_has_the_specified_frequency_and_amplitude() {
        let rate = 48_000;
        let mut tone = PowerTone::new(rate);
        let mut samples = vec![0.0f32; rate as usize / 10];
        tone.fill(&mut samples);
        let peak = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        assert!((peak - POWER_TONE_AMPLITUDE).abs() < 0.01, "peak {peak}");
        // Rising zero crossings in 100 ms of an 18 kHz tone: 1800.
        let rising = samples
            .windows(2)
            .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
            .count();
        assert!((1799..=1800).contains(&rising), "rising {rising}");
    }
}
