//! Noise smoothing before peak picking: two cascaded moving averages (a
//! triangular window). Linear phase, so every pulse is delayed by the same
//! amount and the intervals between transitions are untouched.

/// Two cascaded boxcars of `length` samples; `length` 1 passes samples through.
#[derive(Debug, Clone)]
pub(super) struct Smoother {
    length: usize,
    /// The last `length` inputs, followed while filtering by the block's.
    inputs: Vec<f32>,
    /// The last `length` first-stage sums, likewise.
    sums: Vec<f32>,
    scale: f32,
}

impl Smoother {
    /// A smoother of `length` samples; its buffers are allocated here, for
    /// blocks of up to `block` samples.
    pub(super) fn new(length: usize, block: usize) -> Smoother {
        let length = length.max(1);
        let line = |capacity: usize| {
            let mut line = Vec::with_capacity(capacity);
            line.resize(length, 0.0);
            line
        };
        Smoother {
            length,
            inputs: line(length + block),
            sums: line(length + block),
            scale: 1.0 / (length * length) as f32,
        }
    }

    /// Smooths one sample (tests).
    #[cfg(test)]
    pub(super) fn process(&mut self, x: f32) -> f32 {
        let mut sample = [x];
        self.filter(&mut sample);
        sample[0]
    }

    /// Smooths `samples` in place, continuing from the samples before them.
    /// The block's inputs and first-stage sums follow the last `length` of
    /// the ones before in one line each, so each boxcar is a running sum
    /// that adds the newest sample and takes away the one `length` before,
    /// with no delay line to wrap around. The running sums start each block
    /// summed afresh, so they are `f32` (`f64` conversions cost more than
    /// the rest of the front end) and yet never drift by more than one
    /// block's rounding.
    pub(super) fn filter(&mut self, samples: &mut [f32]) {
        let (length, len) = (self.length, samples.len());
        if length == 1 {
            return;
        }
        let sum = |line: &[f32]| line.iter().map(|&v| f64::from(v)).sum::<f64>() as f32;
        let mut first = sum(&self.inputs[..length]);
        let mut second = sum(&self.sums[..length]);
        self.inputs.extend_from_slice(samples);
        self.sums.resize(length + len, 0.0);
        let (newest, oldest) = (&self.inputs[length..], &self.inputs[..len]);
        let (sums, scale) = (&mut self.sums[..length + len], self.scale);
        for (n, ((sample, &new), &old)) in samples.iter_mut().zip(newest).zip(oldest).enumerate() {
            first += new - old;
            sums[length + n] = first;
            second += first - sums[n];
            *sample = second * scale;
        }
        self.inputs.drain(..len);
        self.sums.drain(..len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_one_is_the_identity() {
        let mut s = Smoother::new(1, 1);
        for x in [0.3, -1.0, 2.5] {
            assert_eq!(s.process(x), x);
        }
    }

    #[test]
    fn impulse_response_is_a_unit_area_triangle_delayed_by_length_minus_one_samples() {
        let mut s = Smoother::new(4, 1);
        let response: Vec<f32> = (0..10)
            .map(|n| s.process(if n == 0 { 1.0 } else { 0.0 }))
            .collect();
        let expected = [1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0, 0.0, 0.0, 0.0].map(|v| v / 16.0);
        for (got, want) in response.iter().zip(expected) {
            assert!((got - want).abs() < 1e-6, "{response:?}");
        }
        let peak = response
            .iter()
            .enumerate()
            .fold((0, 0.0), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
        assert_eq!(peak.0, 3);
    }

    #[test]
    fn reduces_alternating_noise() {
        let mut s = Smoother::new(8, 1);
        let mut last = 0.0f32;
        for n in 0..100 {
            last = s.process(if n % 2 == 0 { 1.0 } else { -1.0 });
        }
        assert!(last.abs() < 1e-6, "{last}");
    }
}
