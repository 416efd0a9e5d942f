//! The phone's input high-pass filter (100 to 500 Hz on real handsets): a
//! 2nd-order Butterworth biquad, bilinear transform (RBJ cookbook).

/// A 2nd-order Butterworth high-pass filter.
#[derive(Debug, Clone)]
pub struct Highpass {
    b: [f64; 3],
    a: [f64; 2],
    x: [f64; 2],
    y: [f64; 2],
}

impl Highpass {
    /// A filter with its -3 dB corner at `corner_hz`.
    pub fn new(corner_hz: f64, sample_rate: f64) -> Highpass {
        let w0 = 2.0 * std::f64::consts::PI * corner_hz / sample_rate;
        let alpha = w0.sin() / (2.0 * std::f64::consts::FRAC_1_SQRT_2);
        let cos = w0.cos();
        let a0 = 1.0 + alpha;
        Highpass {
            b: [
                (1.0 + cos) / 2.0 / a0,
                -(1.0 + cos) / a0,
                (1.0 + cos) / 2.0 / a0,
            ],
            a: [-2.0 * cos / a0, (1.0 - alpha) / a0],
            x: [0.0; 2],
            y: [0.0; 2],
        }
    }

    /// Filters one sample.
    pub fn process(&mut self, x: f64) -> f64 {
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

    fn gain(corner: f64, tone: f64) -> f64 {
        let rate = 44_100.0;
        let mut hp = Highpass::new(corner, rate);
        let mut peak = 0.0f64;
        for n in 0..44_100 {
            let y = hp.process((2.0 * std::f64::consts::PI * tone * n as f64 / rate).sin());
            if n > 22_050 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn corner_is_minus_3_db_and_the_slope_is_12_db_per_octave() {
        assert!((gain(300.0, 300.0) - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.01);
        assert!((gain(300.0, 5000.0) - 1.0).abs() < 0.01);
        let low = gain(400.0, 50.0);
        let lower = gain(400.0, 25.0);
        assert!(
            (20.0 * (low / lower).log10() - 12.0).abs() < 0.5,
            "{low} {lower}"
        );
    }
}
