//! Samples to frames: a streaming biphase-mark receiver.
//!
//! The chain, per sample, with no allocation after construction:
//! 1. a DC blocker (one pole at bit rate / 100);
//! 2. a half-bit matched filter (moving average over ~0.8 half-bit);
//! 3. zero crossings of the filter output, located to a fraction of a sample
//!    by linear interpolation and confirmed by a Schmitt trigger whose
//!    threshold follows the signal envelope (gain-independent);
//! 4. a second-order digital PLL on the half-bit grid, fed by those crossings,
//!    with fast gains while hunting and slow gains inside a frame: it follows
//!    a sample-clock offset of a few per cent and any drift within a frame;
//! 5. the filter output interpolated at each half-bit centre; a bit is a one
//!    when the two halves of its cell differ in sign. Decisions use signs
//!    only, so gain and polarity do not matter;
//! 6. the 24-bit sync pattern searched on both half-bit alignments, then the
//!    header (CTRL..HCS) checked to learn the frame length.
//!
//! A phone's high-pass filter (a first-order 100-500 Hz coupling) keeps the
//! sign of a two-level signal between edges, so it shifts no decision; the
//! DC blocker removes any offset before the filter.

use crate::frame::{declared_frame_len, HEADER_LEN, MAX_FRAME_LEN};
use crate::line_code::{sync_final_level, SYNC_MASK, SYNC_PATTERN};
use crate::phy::BitRate;

/// What the receiver measured about one frame; auto-configuration uses it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RxStats {
    /// Samples seen when the sync word was recognised.
    pub sync_sample: u64,
    /// Samples seen when the frame's last bit was decided.
    pub end_sample: u64,
    /// Mean magnitude of the half-bit values, in full-scale units.
    pub amplitude: f32,
    /// Largest input sample magnitude during the frame.
    pub peak: f32,
    /// Input samples at or beyond 0.99 of full scale during the frame.
    pub clipped_samples: u32,
    /// Signal-to-noise ratio of the half-bit values (the decision "eye"), in dB.
    pub eye_snr_db: f32,
    /// Whether the signal arrived inverted relative to the sender.
    pub inverted: bool,
}

/// Why a demodulator cannot be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DemodError {
    /// Fewer than two samples per half-bit.
    #[error("{bit_rate:?} needs a sample rate of at least {min} Hz, not {sample_rate} Hz")]
    SampleRateTooLow {
        /// The requested rate.
        bit_rate: BitRate,
        /// The sample rate given.
        sample_rate: u32,
        /// The lowest usable sample rate.
        min: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Hunt,
    Frame { parity: u64 },
}

/// Loop gains: proportional (phase) and integral (frequency), per crossing.
const HUNT_GAINS: (f64, f64) = (0.35, 0.03);
const TRACK_GAINS: (f64, f64) = (0.12, 0.004);
/// The PLL may pull the half-bit period this far from nominal.
const MAX_FREQUENCY_OFFSET: f64 = 0.03;
/// Schmitt threshold as a fraction of the envelope.
const THRESHOLD: f32 = 0.2;
/// A frame is abandoned when this many of the last 16 bit cells lacked their opening edge.
const MAX_VIOLATIONS: u32 = 5;

/// A streaming receiver for one bit rate.
#[derive(Debug, Clone)]
pub struct Demodulator {
    bit_rate: BitRate,
    nominal: f64,
    n: u64,
    dc_a: f32,
    dc_x: f32,
    dc_y: f32,
    ring: Vec<f32>,
    ring_pos: usize,
    box_sum: f32,
    box_scale: f32,
    y_prev: f32,
    env: f32,
    env_decay: f32,
    high: bool,
    last_zero: f64,
    next_mid: f64,
    period: f64,
    h1: f32,
    h2: f32,
    half_index: u64,
    regs: [u32; 2],
    expected_sync_level: i8,
    state: State,
    buf: Vec<u8>,
    byte: u8,
    nbits: u8,
    expect: usize,
    violations: u16,
    stats: RxStats,
    abs_sum: f64,
    sq_sum: f64,
    count: u32,
    ready: bool,
}

impl Demodulator {
    /// A receiver for `bit_rate` on an ADC running at `sample_rate`.
    pub fn new(sample_rate: u32, bit_rate: BitRate) -> Result<Demodulator, DemodError> {
        let nominal = bit_rate.half_bit_samples(sample_rate);
        if nominal < 2.0 {
            return Err(DemodError::SampleRateTooLow {
                bit_rate,
                sample_rate,
                min: 4 * bit_rate.bits_per_second(),
            });
        }
        let box_len = ((nominal * 0.8).round() as usize).max(1);
        let dc_cutoff = f64::from(bit_rate.bits_per_second()) / 100.0;
        Ok(Demodulator {
            bit_rate,
            nominal,
            n: 0,
            dc_a: (1.0 - std::f64::consts::TAU * dc_cutoff / f64::from(sample_rate)) as f32,
            dc_x: 0.0,
            dc_y: 0.0,
            ring: vec![0.0; box_len],
            ring_pos: 0,
            box_sum: 0.0,
            box_scale: 1.0 / box_len as f32,
            y_prev: 0.0,
            env: 0.0,
            env_decay: (-1.0 / (8.0 * nominal)).exp() as f32,
            high: false,
            last_zero: 0.0,
            next_mid: nominal,
            period: nominal,
            h1: 0.0,
            h2: 0.0,
            half_index: 0,
            regs: [0; 2],
            expected_sync_level: sync_final_level(),
            state: State::Hunt,
            buf: Vec::with_capacity(MAX_FRAME_LEN),
            byte: 0,
            nbits: 0,
            expect: 0,
            violations: 0,
            stats: RxStats::default(),
            abs_sum: 0.0,
            sq_sum: 0.0,
            count: 0,
            ready: false,
        })
    }

    /// The bit rate this receiver listens for.
    pub fn bit_rate(&self) -> BitRate {
        self.bit_rate
    }

    /// Samples consumed since construction: the receiver's clock.
    pub fn samples_seen(&self) -> u64 {
        self.n
    }

    /// Whether a frame's sync word has been seen and its bytes are arriving.
    pub fn is_receiving(&self) -> bool {
        matches!(self.state, State::Frame { .. })
    }

    /// Consumes samples until a frame completes or the input runs out;
    /// returns how many were consumed. After a frame completes, read it with
    /// [`Demodulator::frame`] before the next call.
    pub fn push(&mut self, samples: &[f32]) -> usize {
        if self.ready {
            self.ready = false;
            self.buf.clear();
        }
        for (i, &x) in samples.iter().enumerate() {
            if self.step(x) {
                return i + 1;
            }
        }
        samples.len()
    }

    /// The frame (CTRL through FCS) completed by the last [`Demodulator::push`].
    pub fn frame(&self) -> Option<(&[u8], &RxStats)> {
        self.ready.then_some((self.buf.as_slice(), &self.stats))
    }

    /// One sample; true when it completed a frame.
    fn step(&mut self, x: f32) -> bool {
        self.n += 1;
        let t = self.n as f64;
        if self.is_receiving() {
            let magnitude = x.abs();
            self.stats.peak = self.stats.peak.max(magnitude);
            if magnitude >= 0.99 {
                self.stats.clipped_samples += 1;
            }
        }
        let d = x - self.dc_x + self.dc_a * self.dc_y;
        self.dc_x = x;
        self.dc_y = d;

        self.box_sum += d - self.ring[self.ring_pos];
        self.ring[self.ring_pos] = d;
        self.ring_pos += 1;
        if self.ring_pos == self.ring.len() {
            self.ring_pos = 0;
            // Recomputing once per window keeps rounding error from accumulating.
            self.box_sum = self.ring.iter().sum();
        }
        let y = self.box_sum * self.box_scale;

        let y_prev = self.y_prev;
        if (y >= 0.0) != (y_prev >= 0.0) {
            let fraction = f64::from(y_prev / (y_prev - y));
            self.last_zero = t - 1.0 + fraction.clamp(0.0, 1.0);
        }
        self.env = y.abs().max(self.env * self.env_decay);
        let threshold = THRESHOLD * self.env;
        if (self.high && y < -threshold) || (!self.high && y > threshold) {
            self.high = !self.high;
            self.on_crossing(self.last_zero);
        }

        let mut completed = false;
        if t >= self.next_mid {
            let fraction = (self.next_mid - (t - 1.0)).clamp(0.0, 1.0) as f32;
            let h = y_prev + (y - y_prev) * fraction;
            self.next_mid += self.period;
            completed = self.on_half_bit(h);
        }
        self.y_prev = y;
        completed
    }

    /// Pulls the half-bit grid towards a confirmed zero crossing.
    fn on_crossing(&mut self, tz: f64) {
        let boundary = self.next_mid - 0.5 * self.period;
        let d = (tz - boundary) / self.period;
        let error = (d - d.round()) * self.period;
        let (kp, ki) = match self.state {
            State::Hunt => HUNT_GAINS,
            State::Frame { .. } => TRACK_GAINS,
        };
        self.next_mid += kp * error;
        let limit = self.nominal * MAX_FREQUENCY_OFFSET;
        self.period = (self.period + ki * error).clamp(self.nominal - limit, self.nominal + limit);
    }

    /// One half-bit value; true when it completed a frame.
    fn on_half_bit(&mut self, h: f32) -> bool {
        self.half_index += 1;
        let k = self.half_index;
        // If h closes a bit cell: a one changes sign mid-cell, and every
        // cell must open with a change.
        let one = self.h1 * h < 0.0;
        let opened = self.h2 * self.h1 < 0.0;
        let completed = match self.state {
            State::Hunt => {
                let reg = &mut self.regs[(k & 1) as usize];
                *reg = (*reg << 1) | u32::from(one);
                if *reg & SYNC_MASK == SYNC_PATTERN {
                    self.start_frame(k & 1, h);
                }
                false
            }
            State::Frame { parity } if k & 1 == parity => self.on_bit(one, opened, h),
            State::Frame { .. } => false,
        };
        self.h2 = self.h1;
        self.h1 = h;
        completed
    }

    fn start_frame(&mut self, parity: u64, h: f32) {
        self.state = State::Frame { parity };
        self.regs = [0; 2];
        self.buf.clear();
        self.byte = 0;
        self.nbits = 0;
        self.expect = 0;
        self.violations = 0;
        self.abs_sum = 0.0;
        self.sq_sum = 0.0;
        self.count = 0;
        self.stats = RxStats {
            sync_sample: self.n,
            inverted: (h > 0.0) != (self.expected_sync_level > 0),
            ..RxStats::default()
        };
    }

    fn on_bit(&mut self, one: bool, opened: bool, h: f32) -> bool {
        for v in [self.h1, h] {
            let a = f64::from(v.abs());
            self.abs_sum += a;
            self.sq_sum += a * a;
            self.count += 1;
        }
        self.violations = (self.violations << 1) | u16::from(!opened);
        if self.violations.count_ones() >= MAX_VIOLATIONS {
            self.state = State::Hunt;
            return false;
        }
        self.byte |= u8::from(one) << self.nbits;
        self.nbits += 1;
        if self.nbits < 8 {
            return false;
        }
        self.buf.push(self.byte);
        self.byte = 0;
        self.nbits = 0;
        if self.buf.len() == HEADER_LEN {
            match declared_frame_len(&self.buf) {
                Some(len) => self.expect = len,
                None => {
                    self.state = State::Hunt;
                    return false;
                }
            }
        }
        if self.buf.len() < HEADER_LEN || self.buf.len() < self.expect {
            return false;
        }
        let count = f64::from(self.count);
        let mean = self.abs_sum / count;
        let variance = (self.sq_sum / count - mean * mean).max(1e-12);
        self.stats.amplitude = mean as f32;
        self.stats.eye_snr_db = (10.0 * (mean * mean / variance).log10()).min(60.0) as f32;
        self.stats.end_sample = self.n;
        self.state = State::Hunt;
        self.ready = true;
        true
    }
}

#[cfg(test)]
mod tests;
