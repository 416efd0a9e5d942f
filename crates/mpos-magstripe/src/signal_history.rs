//! The last few seconds of the DC-free input, in a ring allocated once, so
//! the clock-aided reader (`clock_aided`) can go back over the faint end or
//! the dropouts of a swipe that the detector chains could not read.

/// Seconds of input kept: the slowest swipe the decoder reads, with room.
const SECONDS: f32 = 2.0;

/// Fixed-capacity ring of samples, addressed by absolute sample index.
#[derive(Debug, Clone)]
pub(super) struct SignalHistory {
    samples: Vec<f32>,
    /// Absolute index of the next sample to be written.
    written: u64,
}

impl SignalHistory {
    /// A history of [`SECONDS`] at `sample_rate`.
    pub(super) fn new(sample_rate: f32) -> SignalHistory {
        let capacity = ((SECONDS * sample_rate) as usize).next_power_of_two();
        SignalHistory {
            samples: vec![0.0; capacity],
            written: 0,
        }
    }

    /// Appends `block`, overwriting the oldest samples.
    pub(super) fn extend(&mut self, block: &[f32]) {
        let mask = self.samples.len() - 1;
        for (k, &x) in block.iter().enumerate() {
            self.samples[(self.written as usize + k) & mask] = x;
        }
        self.written += block.len() as u64;
    }

    /// Whether sample `index` is still held.
    pub(super) fn holds(&self, index: f64) -> bool {
        let oldest = self.written.saturating_sub(self.samples.len() as u64);
        index >= oldest as f64 && index < self.written as f64
    }

    /// The newest sample's index (-1 before any).
    pub(super) fn end(&self) -> f64 {
        self.written as f64 - 1.0
    }

    /// The mean square of the samples from `from` to `to` (absolute
    /// indices) that are still held; 0 when none is.
    pub(super) fn mean_square(&self, from: f64, to: f64) -> f32 {
        let mask = self.samples.len() - 1;
        let oldest = self.written.saturating_sub(self.samples.len() as u64);
        let first = (from.max(0.0) as u64).max(oldest);
        let last = (to.max(0.0) as u64).min(self.written);
        if first >= last {
            return 0.0;
        }
        let sum: f32 = (first..last)
            .map(|n| self.samples[n as usize & mask].powi(2))
            .sum();
        sum / (last - first) as f32
    }

    /// The input at `time` (in samples, between samples by linear
    /// interpolation); samples not held count as zero.
    #[inline]
    pub(super) fn at(&self, time: f64) -> f32 {
        let mask = self.samples.len() - 1;
        let floor = time.floor();
        let fraction = (time - floor) as f32;
        let oldest = self.written.saturating_sub(self.samples.len() as u64) as f64;
        if floor >= oldest && floor + 1.0 < self.written as f64 {
            let n = floor as usize;
            let (a, b) = (self.samples[n & mask], self.samples[(n + 1) & mask]);
            return a + (b - a) * fraction;
        }
        let sample = |n: f64| {
            if n >= oldest && n < self.written as f64 {
                self.samples[n as usize & mask]
            } else {
                0.0
            }
        };
        sample(floor) * (1.0 - fraction) + sample(floor + 1.0) * fraction
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_samples_by_absolute_index() {
        let mut history = SignalHistory::new(8_000.0);
        let capacity = history.samples.len();
        let ramp: Vec<f32> = (0..capacity + 10).map(|n| n as f32).collect();
        history.extend(&ramp[..100]);
        history.extend(&ramp[100..]);
        assert!(!history.holds(9.0));
        assert!(history.holds(10.0));
        assert!(!history.holds((capacity + 10) as f64));
        assert_eq!(history.at(20.0), 20.0);
        assert_eq!(history.mean_square(20.0, 22.0), (400.0 + 441.0) / 2.0);
        assert_eq!(history.mean_square(0.0, 11.0), 100.0);
        assert_eq!(history.at(20.25), 20.25);
        // The forgotten samples count as zero.
        assert_eq!(history.at(9.5), 5.0);
    }
}
