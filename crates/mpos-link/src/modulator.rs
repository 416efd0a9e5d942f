//! Bytes to samples: a frame becomes a biphase-mark square wave.
//!
//! Each output sample is the average of the ideal square wave over that
//! sample's interval (a box filter), so an edge that falls between two
//! samples still moves the waveform by the right fraction: the receiver's
//! sub-sample timing sees the true edge positions at any sample rate.

use crate::line_code::{for_each_air_bit, BiphaseEncoder};
use crate::phy::{BitRate, ENVELOPE_BITS};

/// Turns frames into audio samples at a fixed rate and amplitude.
#[derive(Debug, Clone, Copy)]
pub struct Modulator {
    half_bit: f64,
    amplitude: f32,
    bit_rate: BitRate,
}

impl Modulator {
    /// A modulator for a DAC at `sample_rate` sending at `bit_rate` with peak `amplitude`.
    pub fn new(sample_rate: u32, bit_rate: BitRate, amplitude: f32) -> Modulator {
        Modulator {
            half_bit: bit_rate.half_bit_samples(sample_rate),
            amplitude,
            bit_rate,
        }
    }

    /// The bit rate.
    pub fn bit_rate(&self) -> BitRate {
        self.bit_rate
    }

    /// Appends the samples of one frame (CTRL through FCS) with its preamble,
    /// sync word and postamble; returns how many samples were appended.
    pub fn modulate(&self, frame: &[u8], out: &mut Vec<f32>) -> usize {
        let start = out.len();
        out.reserve(self.frame_samples(frame.len()));
        let mut encoder = BiphaseEncoder::new();
        let mut half_bits = 0u64;
        let mut t = 0.0f64; // where the area of the current sample is accumulated up to
        let mut sample_end = 1.0f64;
        let mut acc = 0.0f64;
        for_each_air_bit(frame, |one| {
            for level in encoder.bit(one) {
                half_bits += 1;
                let end = half_bits as f64 * self.half_bit;
                let level = f64::from(level);
                while sample_end <= end {
                    acc += level * (sample_end - t);
                    out.push(self.amplitude * acc as f32);
                    acc = 0.0;
                    t = sample_end;
                    sample_end += 1.0;
                }
                acc += level * (end - t);
                t = end;
            }
        });
        if t > sample_end - 1.0 {
            out.push(self.amplitude * acc as f32);
        }
        out.len() - start
    }

    /// Samples [`Modulator::modulate`] appends for a frame of `frame_len` bytes.
    pub fn frame_samples(&self, frame_len: usize) -> usize {
        let half_bits = 2 * air_bits(frame_len);
        (half_bits as f64 * self.half_bit).ceil() as usize
    }
}

/// Bits on air for a frame of `frame_len` bytes, envelope included.
pub fn air_bits(frame_len: usize) -> usize {
    ENVELOPE_BITS + 8 * frame_len
}

/// Milliseconds on air for a frame of `frame_len` bytes at `rate`.
pub fn air_millis(frame_len: usize, rate: BitRate) -> f64 {
    rate.millis_for_bits(air_bits(frame_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_count_matches_the_prediction() {
        for rate in [44_100, 48_000, 16_000] {
            for bit_rate in BitRate::FASTEST_FIRST {
                let modulator = Modulator::new(rate, bit_rate, 0.5);
                for len in [0, 1, 8, 37] {
                    let mut out = Vec::new();
                    let n = modulator.modulate(&vec![0x5A; len], &mut out);
                    assert_eq!(n, out.len());
                    assert_eq!(n, modulator.frame_samples(len), "{rate} {bit_rate:?} {len}");
                }
            }
        }
    }

    #[test]
    fn output_is_bounded_and_dc_free() {
        let modulator = Modulator::new(44_100, BitRate::Bps4800, 0.25);
        let mut out = Vec::new();
        modulator.modulate(&[0x00, 0xFF, 0x12, 0x34, 0x00, 0x00], &mut out);
        assert!(out.iter().all(|s| s.abs() <= 0.25 + 1e-6));
        let mean: f32 = out.iter().sum::<f32>() / out.len() as f32;
        // Biphase-mark's running disparity is at most one bit cell.
        let one_cell = 0.25 * 2.0 * 4.594 / out.len() as f32;
        assert!(mean.abs() <= 1.01 * one_cell, "mean {mean}");
        assert!(mean.abs() > 0.0);
    }

    #[test]
    fn starts_high_and_edges_sit_on_the_half_bit_grid() {
        let modulator = Modulator::new(48_000, BitRate::Bps2400, 1.0);
        let mut out = Vec::new();
        modulator.modulate(&[], &mut out);
        assert!(out[0] > 0.99);
        // Preamble ones: an edge every 10 samples at 48 kHz and 2400 bit/s.
        for k in 1..20 {
            assert!(out[10 * k - 1] * out[10 * k] < 0.0, "edge at {k}");
        }
    }

    #[test]
    fn air_time_of_an_empty_frame() {
        // 44 envelope bits + 8 header/FCS bytes at 2400 bit/s.
        assert!((air_millis(8, BitRate::Bps2400) - 45.0).abs() < 1e-9);
    }
}
