//! Noise smoothing before peak picking: two cascaded moving averages (a
//! triangular window). Linear phase, so every pulse is delayed by the same
//! amount and the intervals between transitions are untouched.

/// Two cascaded boxcars of `length` samples; `length` 1 passes samples through.
#[derive(Debug, Clone)]
pub(super) struct Smoother {
    first: Vec<f32>,
    second: Vec<f32>,
    position: usize,
    scale: f32,
}

impl Smoother {
    /// A smoother of `length` samples; its buffers are allocated here, once.
    pub(super) fn new(length: usize) -> Smoother {
        let length = length.max(1);
        Smoother {
            first: vec![0.0; length],
            second: vec![0.0; length],
            position: 0,
            scale: 1.0 / (length * length) as f32,
        }
    }

    /// Smooths one sample (tests; the front end runs a [`Lane`] per block).
    #[cfg(test)]
    pub(super) fn process(&mut self, x: f32) -> f32 {
        let mut lane = self.lane();
        let y = lane.process(x);
        let position = lane.position();
        self.keep(position);
        y
    }

    /// The smoother's state as locals for a block: the compiler keeps the
    /// sums in registers instead of reloading them after every store to
    /// the delay lines. The running sums start each block summed afresh
    /// from the delay lines, so they are `f32` (the `f64` conversions cost
    /// more than the rest of the front end) and yet never drift by more
    /// than one block's rounding. Hand [`Lane::position`] back to
    /// [`Smoother::keep`].
    pub(super) fn lane(&mut self) -> Lane<'_> {
        let sum = |line: &[f32]| line.iter().map(|&v| f64::from(v)).sum::<f64>() as f32;
        Lane {
            first_sum: sum(&self.first),
            second_sum: sum(&self.second),
            first: &mut self.first,
            second: &mut self.second,
            position: self.position,
            scale: self.scale,
        }
    }

    /// Stores the position a lane ended at.
    pub(super) fn keep(&mut self, position: usize) {
        self.position = position;
    }
}

/// A smoother borrowed for one block (see [`Smoother::lane`]).
pub(super) struct Lane<'a> {
    first: &'a mut [f32],
    second: &'a mut [f32],
    position: usize,
    first_sum: f32,
    second_sum: f32,
    scale: f32,
}

impl Lane<'_> {
    /// Smooths one sample.
    #[inline(always)]
    pub(super) fn process(&mut self, x: f32) -> f32 {
        let length = self.first.len();
        if length == 1 {
            return x;
        }
        let p = self.position;
        self.first_sum += x - self.first[p];
        self.first[p] = x;
        let stage = self.first_sum;
        self.second_sum += stage - self.second[p];
        self.second[p] = stage;
        self.position = if p + 1 == length { 0 } else { p + 1 };
        self.second_sum * self.scale
    }

    /// Where the delay lines stand, for [`Smoother::keep`].
    pub(super) fn position(&self) -> usize {
        self.position
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_one_is_the_identity() {
        let mut s = Smoother::new(1);
        for x in [0.3, -1.0, 2.5] {
            assert_eq!(s.process(x), x);
        }
    }

    #[test]
    fn impulse_response_is_a_unit_area_triangle_delayed_by_length_minus_one_samples() {
        let mut s = Smoother::new(4);
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
        let mut s = Smoother::new(8);
        let mut last = 0.0f32;
        for n in 0..100 {
            last = s.process(if n % 2 == 0 { 1.0 } else { -1.0 });
        }
        assert!(last.abs() < 1e-6, "{last}");
    }
}
