//! The signals the detector chains look at, computed together, one block at
//! a time: DC removal, then the raw pulses, a lightly smoothed copy (against
//! noise), an integrated and smoothed copy (undoing one differentiation by
//! the phone's high-pass filter) and a slimmed copy (against the overlap of
//! dense pulses). The DC blocker, integrator and slimming share one loop,
//! each smoother runs in its own, and the statistics the chains' idle
//! checks use are a vectorized pass of their own.

use super::dc_blocker::DcBlocker;
use super::detector::Block;
use super::smoother::Smoother;

/// Corner of the DC blocker, far below the 5 ips track 2 tone (190 Hz).
const DC_CORNER_HZ: f32 = 15.0;
/// Length of the light smoothing, seconds.
const SMOOTHING_S: f32 = 0.000_15;
/// Corner of the leaky integrator, Hz.
const INTEGRATOR_CORNER_HZ: f32 = 100.0;
/// Length of the smoothing after the integrator, seconds.
const INTEGRATED_SMOOTHING_S: f32 = 0.000_12;
/// Side-tap weight `a` of the slimming equalizer `[-a, 1 + 2a, -a]`.
const SLIMMING: f32 = 0.5;

/// Which signal a chain reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Signal {
    /// The DC-free input.
    Raw = 0,
    /// Lightly smoothed.
    Smoothed = 1,
    /// Leaky-integrated, then smoothed.
    Integrated = 2,
    /// Pulse-slimmed: narrower pulses, less intersymbol interference.
    Slimmed = 3,
}

/// The filters and the current block of each signal.
#[derive(Debug, Clone)]
pub(super) struct FrontEnd {
    dc: DcBlocker,
    smoother: Smoother,
    leak: f32,
    integral: f32,
    integral_smoother: Smoother,
    history: [f32; 2],
    blocks: [Block; 4],
}

impl FrontEnd {
    /// The front end at `sample_rate`, with blocks of up to `block` samples.
    pub(super) fn new(sample_rate: f32, block: usize) -> FrontEnd {
        let samples = |seconds: f32| (seconds * sample_rate).round() as usize;
        FrontEnd {
            dc: DcBlocker::new(DC_CORNER_HZ, sample_rate),
            smoother: Smoother::new(samples(SMOOTHING_S), block),
            leak: (-2.0 * std::f32::consts::PI * INTEGRATOR_CORNER_HZ / sample_rate).exp(),
            integral: 0.0,
            integral_smoother: Smoother::new(samples(INTEGRATED_SMOOTHING_S), block),
            history: [0.0; 2],
            blocks: std::array::from_fn(|_| Block::with_capacity(block)),
        }
    }

    /// Filters a block of input (at most the block size) into the four signals.
    pub(super) fn load(&mut self, input: &[f32]) {
        for block in &mut self.blocks {
            block.samples.clear();
            block.samples.resize(input.len(), 0.0);
        }
        let [raw, smoothed, integrated, slimmed] = &mut self.blocks;
        // The recursions that need no history in one loop, each smoother in
        // its own: few enough values live that the compiler keeps every
        // state in a register (one loop for all spilled them, and the
        // reloads lengthened every recursion).
        let mut dc = self.dc;
        let (mut integral, mut history) = (self.integral, self.history);
        let (leak, gain) = (self.leak, 1.0 - self.leak);
        let (side, centre) = (SLIMMING, 1.0 + 2.0 * SLIMMING);
        let outputs = raw
            .samples
            .iter_mut()
            .zip(integrated.samples.iter_mut())
            .zip(slimmed.samples.iter_mut());
        for (&x, ((raw, integrated), slimmed)) in input.iter().zip(outputs) {
            let y = dc.process(x);
            *raw = y;
            integral = gain * y + leak * integral;
            *integrated = integral;
            // One sample late, like the equalizer's centre tap.
            *slimmed = centre * history[0] - side * (y + history[1]);
            history = [y, history[0]];
        }
        self.dc = dc;
        self.integral = integral;
        self.history = history;
        smoothed.samples.copy_from_slice(&raw.samples);
        self.smoother.filter(&mut smoothed.samples);
        self.integral_smoother.filter(&mut integrated.samples);
        for block in &mut self.blocks {
            block.measure();
        }
    }

    /// The current block of `signal`.
    pub(super) fn block(&self, signal: Signal) -> &Block {
        &self.blocks[signal as usize]
    }

    /// Samples in the current block.
    pub(super) fn len(&self) -> usize {
        self.blocks[0].samples.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(front: &mut FrontEnd, input: &[f32]) -> [Vec<f32>; 4] {
        front.load(input);
        [
            Signal::Raw,
            Signal::Smoothed,
            Signal::Integrated,
            Signal::Slimmed,
        ]
        .map(|s| front.block(s).samples.clone())
    }

    #[test]
    fn slimming_narrows_a_pulse() {
        let pulse: Vec<f32> = (0..40)
            .map(|n| 1.0 / (1.0 + ((n as f32 - 20.0) / 1.5).powi(2)))
            .collect();
        let mut front = FrontEnd::new(44_100.0, 64);
        let [raw, _, _, slim] = load(&mut front, &pulse);
        // One sample late; the neighbours fall further below the peak.
        assert!(slim[22] / slim[21] < raw[21] / raw[20]);
        assert_eq!(front.len(), 40);
    }

    #[test]
    fn integrating_a_doublet_gives_a_pulse_whose_peak_is_the_crossing() {
        // The derivative of a Gaussian centred on sample 100, as a
        // high-pass filter leaves a slow pulse.
        let doublet: Vec<f32> = (0..200)
            .map(|n| {
                let t = (n as f32 - 100.0) / 10.0;
                -t * (-t * t / 2.0).exp()
            })
            .collect();
        let mut front = FrontEnd::new(44_100.0, 256);
        let [_, _, integrated, _] = load(&mut front, &doublet);
        let peak = integrated
            .iter()
            .enumerate()
            .fold((0, 0.0f32), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
        // The smoothing after the integrator delays by its length less one.
        let delay = (INTEGRATED_SMOOTHING_S * 44_100.0).round() - 1.0;
        assert!((peak.0 as f32 - 100.0 - delay).abs() <= 2.0, "{peak:?}");
    }

    #[test]
    fn every_signal_is_dc_free() {
        let mut front = FrontEnd::new(8_000.0, 256);
        let mut last = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..40 {
            last = load(&mut front, &[0.5; 256]);
        }
        for signal in last {
            assert!(signal.iter().all(|v| v.abs() < 1e-3), "{:?}", &signal[..4]);
        }
    }
}
