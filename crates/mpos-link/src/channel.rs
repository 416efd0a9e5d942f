//! A simulated phone audio path, for tests and benchmarks.
//!
//! In order: the two ends' sample clocks differ (resampling by a ratio with
//! cubic interpolation), the analog gain, the phone's input high-pass
//! (coupling capacitor, optionally a second-order voice filter), an optional
//! low-pass (a band-limited microphone path), white Gaussian noise, an
//! optional dead band (a reader comparator's threshold), polarity inversion,
//! and the ADC clipping at full scale.
//!
//! The noise generator is seeded, so every run of a test sees the same noise.

/// The impairments of one direction of the audio path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelConfig {
    /// Receiver sample clock over sender sample clock (1.005: receiver 0.5 % fast).
    pub clock_ratio: f64,
    /// Linear gain from the sender's samples to the receiver's.
    pub gain: f32,
    /// High-pass corner in hertz, if any.
    pub highpass_hz: Option<f32>,
    /// Order of the high-pass: 1 (a coupling capacitor) or 2 (Butterworth).
    pub highpass_order: u8,
    /// Low-pass corner in hertz (fourth-order Butterworth), if any.
    pub lowpass_hz: Option<f32>,
    /// Standard deviation of the added white noise, in full-scale units.
    pub noise_rms: f32,
    /// Magnitudes below this become 0 after the noise: a reader comparator's
    /// insensitivity (its input is deaf to signals under the threshold).
    pub deadband: f32,
    /// Whether the path inverts the signal.
    pub invert: bool,
    /// Seed of the noise generator.
    pub seed: u64,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            clock_ratio: 1.0,
            gain: 1.0,
            highpass_hz: None,
            highpass_order: 1,
            lowpass_hz: None,
            noise_rms: 0.0,
            deadband: 0.0,
            invert: false,
            seed: 1,
        }
    }
}

impl ChannelConfig {
    /// Sets the noise so that a square wave of peak `signal_peak` (before
    /// `gain`) arrives `snr_db` above the noise, measured over the full band.
    pub fn with_snr(mut self, signal_peak: f32, snr_db: f32) -> ChannelConfig {
        // A square wave's RMS equals its peak.
        self.noise_rms = signal_peak * self.gain * 10f32.powf(-snr_db / 20.0);
        self
    }
}

/// A streaming instance of a [`ChannelConfig`].
#[derive(Debug, Clone)]
pub struct Channel {
    config: ChannelConfig,
    history: [f32; 4],
    received: u64,
    position: f64,
    step: f64,
    highpass: Option<Highpass>,
    lowpass: Option<[Biquad; 2]>,
    rng: u64,
    spare: Option<f32>,
}

impl Channel {
    /// A channel whose receiver samples at `sample_rate` (the filters' reference).
    pub fn new(sample_rate: u32, config: ChannelConfig) -> Channel {
        let fs = sample_rate as f32;
        let highpass = config.highpass_hz.map(|fc| {
            if config.highpass_order >= 2 {
                Highpass::Second(Biquad::highpass(fs, fc))
            } else {
                Highpass::First(FirstOrderHighpass::new(fs, fc))
            }
        });
        // Fourth-order Butterworth: two biquads with Q 0.541 and 1.307.
        let lowpass = config.lowpass_hz.map(|fc| {
            [
                Biquad::lowpass(fs, fc, 0.541_196),
                Biquad::lowpass(fs, fc, 1.306_563),
            ]
        });
        Channel {
            config,
            history: [0.0; 4],
            received: 0,
            position: 1.0,
            step: 1.0 / config.clock_ratio,
            highpass,
            lowpass,
            rng: config.seed.max(1),
            spare: None,
        }
    }

    /// Runs `input` (sender samples) through the path and appends the
    /// receiver's samples to `out` (about `input.len() * clock_ratio` of them).
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        for &x in input {
            self.history = [self.history[1], self.history[2], self.history[3], x];
            self.received += 1;
            // history[1] is sample `received - 3`; interpolate between it and history[2].
            let base = self.received as f64 - 3.0;
            while self.position < base + 1.0 {
                if self.position >= base {
                    let frac = (self.position - base) as f32;
                    let y = catmull_rom(self.history, frac);
                    let y = self.impair(y);
                    out.push(y);
                }
                self.position += self.step;
            }
        }
    }

    fn impair(&mut self, x: f32) -> f32 {
        let mut y = x * self.config.gain;
        if let Some(hp) = &mut self.highpass {
            y = hp.process(y);
        }
        if let Some([a, b]) = &mut self.lowpass {
            y = b.process(a.process(y));
        }
        if self.config.noise_rms > 0.0 {
            y += self.config.noise_rms * self.gaussian();
        }
        if y.abs() < self.config.deadband {
            y = 0.0;
        }
        if self.config.invert {
            y = -y;
        }
        y.clamp(-1.0, 1.0)
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*: fast, seeded, good enough for test noise.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal deviate (Box-Muller, both outputs used).
    fn gaussian(&mut self) -> f32 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * self.uniform().ln()).sqrt();
        let theta = std::f64::consts::TAU * self.uniform();
        self.spare = Some((r * theta.sin()) as f32);
        (r * theta.cos()) as f32
    }
}

/// Catmull-Rom interpolation between p[1] and p[2].
fn catmull_rom(p: [f32; 4], t: f32) -> f32 {
    let a = -0.5 * p[0] + 1.5 * p[1] - 1.5 * p[2] + 0.5 * p[3];
    let b = p[0] - 2.5 * p[1] + 2.0 * p[2] - 0.5 * p[3];
    let c = -0.5 * p[0] + 0.5 * p[2];
    ((a * t + b) * t + c) * t + p[1]
}

#[derive(Debug, Clone)]
enum Highpass {
    First(FirstOrderHighpass),
    Second(Biquad),
}

impl Highpass {
    fn process(&mut self, x: f32) -> f32 {
        match self {
            Highpass::First(f) => f.process(x),
            Highpass::Second(f) => f.process(x),
        }
    }
}

/// An RC high-pass: a series capacitor into the input resistance.
#[derive(Debug, Clone)]
struct FirstOrderHighpass {
    a: f32,
    x1: f32,
    y1: f32,
}

impl FirstOrderHighpass {
    fn new(fs: f32, fc: f32) -> Self {
        let rc = 1.0 / (std::f32::consts::TAU * fc);
        FirstOrderHighpass {
            a: rc / (rc + 1.0 / fs),
            x1: 0.0,
            y1: 0.0,
        }
    }

    fn process(&mut self, x: f32) -> f32 {
        let y = self.a * (self.y1 + x - self.x1);
        self.x1 = x;
        self.y1 = y;
        y
    }
}

/// A biquad from R. Bristow-Johnson's audio EQ cookbook.
#[derive(Debug, Clone)]
struct Biquad {
    b: [f32; 3],
    a: [f32; 2],
    x: [f32; 2],
    y: [f32; 2],
}

impl Biquad {
    fn new(b: [f32; 3], a0: f32, a: [f32; 2]) -> Self {
        Biquad {
            b: b.map(|v| v / a0),
            a: a.map(|v| v / a0),
            x: [0.0; 2],
            y: [0.0; 2],
        }
    }

    fn highpass(fs: f32, fc: f32) -> Self {
        let w = std::f32::consts::TAU * fc / fs;
        let alpha = w.sin() / (2.0 * std::f32::consts::FRAC_1_SQRT_2);
        let c = w.cos();
        Biquad::new(
            [(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0],
            1.0 + alpha,
            [-2.0 * c, 1.0 - alpha],
        )
    }

    fn lowpass(fs: f32, fc: f32, q: f32) -> Self {
        let w = std::f32::consts::TAU * fc / fs;
        let alpha = w.sin() / (2.0 * q);
        let c = w.cos();
        Biquad::new(
            [(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0],
            1.0 + alpha,
            [-2.0 * c, 1.0 - alpha],
        )
    }

    fn process(&mut self, x: f32) -> f32 {
        let y = self.b[0] * x + self.b[1] * self.x[0] + self.b[2] * self.x[1]
            - self.a[0] * self.y[0]
            - self.a[1] * self.y[1];
        self.x = [x, self.x[0]];
        self.y = [y, self.y[0]];
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(fs: f32, f: f32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (std::f32::consts::TAU * f * i as f32 / fs).sin())
            .collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn clock_ratio_changes_the_sample_count() {
        let mut channel = Channel::new(
            48_000,
            ChannelConfig {
                clock_ratio: 1.005,
                ..ChannelConfig::default()
            },
        );
        let mut out = Vec::new();
        channel.process(&vec![0.1; 100_000], &mut out);
        let expected = 100_000.0 * 1.005;
        assert!((out.len() as f64 - expected).abs() < 5.0, "{}", out.len());
    }

    #[test]
    fn resampling_preserves_a_tone() {
        let input = sine(48_000.0, 1000.0, 4800);
        let mut channel = Channel::new(
            48_000,
            ChannelConfig {
                clock_ratio: 0.995,
                ..ChannelConfig::default()
            },
        );
        let mut out = Vec::new();
        channel.process(&input, &mut out);
        // 1 kHz at the sender's clock is 1 kHz / 0.995 at the receiver's.
        let crossings = out.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        assert!((99..=101).contains(&crossings), "{crossings}");
        assert!((rms(&out[100..]) - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01);
    }

    #[test]
    fn highpass_attenuates_below_its_corner() {
        for order in [1, 2] {
            let config = ChannelConfig {
                highpass_hz: Some(500.0),
                highpass_order: order,
                ..ChannelConfig::default()
            };
            let mut low = Vec::new();
            Channel::new(48_000, config).process(&sine(48_000.0, 50.0, 48_000), &mut low);
            let mut high = Vec::new();
            Channel::new(48_000, config).process(&sine(48_000.0, 5000.0, 48_000), &mut high);
            assert!(
                rms(&low[24_000..]) < 0.1 * std::f32::consts::FRAC_1_SQRT_2,
                "order {order}"
            );
            assert!(
                rms(&high[24_000..]) > 0.95 * std::f32::consts::FRAC_1_SQRT_2,
                "order {order}"
            );
        }
    }

    #[test]
    fn lowpass_removes_what_lies_above_its_corner() {
        let config = ChannelConfig {
            lowpass_hz: Some(4000.0),
            ..ChannelConfig::default()
        };
        let mut out = Vec::new();
        Channel::new(48_000, config).process(&sine(48_000.0, 12_000.0, 9600), &mut out);
        assert!(rms(&out[4800..]) < 0.02);
    }

    #[test]
    fn noise_has_the_requested_snr_and_is_reproducible() {
        let config = ChannelConfig {
            gain: 0.5,
            seed: 7,
            ..ChannelConfig::default()
        }
        .with_snr(0.2, 20.0);
        let silence = vec![0.0f32; 200_000];
        let mut a = Vec::new();
        Channel::new(48_000, config).process(&silence, &mut a);
        let mut b = Vec::new();
        Channel::new(48_000, config).process(&silence, &mut b);
        assert_eq!(a, b);
        // signal RMS 0.1 at the receiver, 20 dB above: noise RMS 0.01.
        assert!((rms(&a) - 0.01).abs() < 0.0003, "{}", rms(&a));
    }

    #[test]
    fn dead_band_silences_signals_under_the_threshold() {
        let config = ChannelConfig {
            deadband: 0.03,
            ..ChannelConfig::default()
        };
        let mut out = Vec::new();
        Channel::new(48_000, config).process(&[0.02; 8], &mut out);
        assert!(out.iter().all(|&s| s == 0.0));
        out.clear();
        Channel::new(48_000, config).process(&[0.04; 8], &mut out);
        assert!(out[2..].iter().all(|&s| (s - 0.04).abs() < 1e-6));
    }

    #[test]
    fn inverts_and_clips() {
        let config = ChannelConfig {
            gain: 4.0,
            invert: true,
            ..ChannelConfig::default()
        };
        let mut out = Vec::new();
        Channel::new(48_000, config).process(&[0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 0.5], &mut out);
        assert!((out[2] + 0.4).abs() < 1e-5);
        assert_eq!(*out.last().unwrap(), -1.0);
    }
}
