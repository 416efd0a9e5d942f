//! DC removal: a one-pole high-pass far below the stripe's lowest tone, so
//! the peak detector sees zero-centred pulses whatever the microphone bias.

/// One-pole high-pass filter, `y[n] = x[n] - x[n-1] + r * y[n-1]`.
#[derive(Debug, Clone, Copy)]
pub(super) struct DcBlocker {
    r: f32,
    previous_input: f32,
    previous_output: f32,
}

impl DcBlocker {
    /// A blocker with its corner at `corner_hz`.
    pub(super) fn new(corner_hz: f32, sample_rate: f32) -> DcBlocker {
        DcBlocker {
            r: (-2.0 * std::f32::consts::PI * corner_hz / sample_rate).exp(),
            previous_input: 0.0,
            previous_output: 0.0,
        }
    }

    /// Filters one sample.
    #[inline]
    pub(super) fn process(&mut self, x: f32) -> f32 {
        let y = x - self.previous_input + self.r * self.previous_output;
        self.previous_input = x;
        self.previous_output = y;
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_a_constant_offset_and_keeps_a_tone() {
        let rate = 44_100.0;
        let mut blocker = DcBlocker::new(10.0, rate);
        let mut last_second = Vec::new();
        for n in 0..88_200 {
            let tone = (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / rate).sin();
            let y = blocker.process(0.5 + 0.1 * tone);
            if n >= 44_100 {
                last_second.push(y);
            }
        }
        let mean = last_second.iter().sum::<f32>() / last_second.len() as f32;
        let peak = last_second.iter().fold(0.0f32, |m, y| m.max(y.abs()));
        assert!(mean.abs() < 1e-3, "offset left: {mean}");
        assert!((peak - 0.1).abs() < 0.005, "tone changed: {peak}");
    }
}
