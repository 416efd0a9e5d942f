//! Alternating-polarity peak picking with an adaptive threshold.
//!
//! Each flux reversal reads as a pulse of the opposite sign to the one
//! before, so the picker looks for one sign at a time: once the signal
//! crosses the threshold in the wanted sign it follows the extreme, and the
//! extreme is confirmed as a transition only when the signal crosses the
//! threshold of the other sign. Ripples, the phone high-pass filter's
//! undershoots and noise smaller than the threshold cannot add a transition.
//! The extreme's time is refined by a parabola through it and its neighbours.
//!
//! In crossing mode the transition is instead the zero crossing just before
//! the threshold of the other sign is reached. Near the phone's high-pass
//! corner (slow swipes through a 300-500 Hz filter) each head pulse becomes a
//! doublet, two equal lobes of opposite sign, and the transition is the
//! crossing between them: there the lobes of neighbouring transitions have
//! the same sign and a peak picker cannot tell which one to take.
//!
//! The threshold is the larger of a fraction of the recent peak envelope
//! (which follows the pulses as the speed, and so the amplitude, changes) and
//! a multiple of the noise floor measured while no swipe is under way.

/// A confirmed flux transition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Peak {
    /// Time in samples, with the sub-sample vertex of the parabola.
    pub time: f64,
    /// Interpolated value at the vertex.
    pub value: f32,
}

/// Threshold settings of one picker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PickerSettings {
    /// Fraction of the peak envelope a pulse must exceed.
    pub relative: f32,
    /// Multiple of the noise RMS a pulse must exceed.
    pub noise_factor: f32,
    /// Report zero crossings between lobes instead of the lobes' peaks.
    pub crossing: bool,
}

/// Below this the input is digital silence: one 16-bit step.
const ABSOLUTE_FLOOR: f32 = 1.0 / 32_768.0;
/// Weight of a peak above the envelope (fast attack).
const ENVELOPE_ATTACK: f32 = 0.5;
/// Weight of a peak below it (slow decay): the envelope stays near the
/// strong pulses, so small high-pass undershoots taken for peaks cannot
/// drag the threshold down after them.
const ENVELOPE_DECAY: f32 = 0.06;
/// Samples between refreshes of the noise part of the threshold.
const REFRESH_EVERY: u32 = 16;
/// How many times slower the noise floor rises than it falls between
/// swipes: a swipe whose level grows from far below the threshold (real
/// swipes grow 15x) must not drag the floor up with it, while a floor that
/// falls, or noise that jumps (taken for noise by the detector's
/// regularity test, and learnt at the full rate), is followed at once.
const SLOW_RISE: f32 = 300.0;

#[derive(Debug, Clone, Copy, Default)]
struct Candidate {
    value: f32,
    before: f32,
    after: f32,
    index: u64,
    after_pending: bool,
}

/// The picker's state; everything lives inline, nothing is allocated.
#[derive(Debug, Clone)]
pub(super) struct PeakPicker {
    settings: PickerSettings,
    noise_weight: f32,
    noise_power: f32,
    envelope: f32,
    noise_known: bool,
    threshold: f32,
    refresh_in: u32,
    seeking: f32,
    candidate: Candidate,
    previous: f32,
    crossing: (u64, f32, f32),
}

impl PeakPicker {
    /// A picker whose noise estimate averages over `noise_samples` samples.
    pub(super) fn new(settings: PickerSettings, noise_samples: f32) -> PeakPicker {
        PeakPicker {
            settings,
            noise_weight: 1.0 / noise_samples.max(1.0),
            noise_power: 0.0,
            envelope: 0.0,
            noise_known: false,
            threshold: ABSOLUTE_FLOOR,
            refresh_in: 0,
            seeking: 0.0,
            candidate: Candidate::default(),
            previous: 0.0,
            crossing: (0, 0.0, 0.0),
        }
    }

    /// Feeds a sample taken while no swipe is under way to the noise estimate.
    #[inline]
    pub(super) fn learn_noise(&mut self, y: f32) {
        self.noise_power += self.noise_weight * (y * y - self.noise_power);
        if self.refresh_in == 0 {
            self.refresh_threshold();
            self.refresh_in = REFRESH_EVERY;
        }
        self.refresh_in -= 1;
    }

    /// Feeds a whole block of noise-only input (`mean_square` over `len`
    /// samples, the last of which was `last`): the same as `len` calls of
    /// [`PeakPicker::learn_noise`] with the block's mean power, but a block
    /// louder than the floor raises it [`SLOW_RISE`] times slower.
    pub(super) fn learn_noise_block(&mut self, mean_square: f32, len: usize, last: f32) {
        let slower = if mean_square > self.noise_power {
            SLOW_RISE
        } else {
            1.0
        };
        self.learn_block(mean_square, len, last, slower);
    }

    /// Feeds a whole block's mean power at the full rate, rising or falling:
    /// [`PeakPicker::learn_noise`] for every sample, in one step.
    pub(super) fn learn_noise_mean(&mut self, mean_square: f32, len: usize, last: f32) {
        self.learn_block(mean_square, len, last, 1.0);
    }

    fn learn_block(&mut self, mean_square: f32, len: usize, last: f32, slower: f32) {
        let keep = (1.0 - self.noise_weight / slower).powi(len as i32);
        self.noise_power += (1.0 - keep) * (mean_square - self.noise_power);
        self.previous = last;
        self.refresh_threshold();
    }

    /// The current threshold.
    pub(super) fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Whether the noise floor is known. Until it is, the threshold follows
    /// the pulses' envelope alone: a recording that starts mid-swipe has no
    /// silence to learn the floor from, and the swipe's own pulses, taken
    /// for noise, would raise the threshold over them.
    pub(super) fn noise_known(&self) -> bool {
        self.noise_known
    }

    /// Takes what was learnt so far as the noise floor.
    pub(super) fn know_noise(&mut self) {
        self.noise_known = true;
        self.refresh_threshold();
    }

    /// The noise floor's power as learnt so far.
    pub(super) fn noise_power(&self) -> f32 {
        self.noise_power
    }

    /// Takes `power` as the noise floor, learnt elsewhere.
    pub(super) fn preset_noise(&mut self, power: f32) {
        self.noise_power = power;
        self.know_noise();
    }

    /// Forgets the noise floor (it was learnt from a swipe): the threshold
    /// follows the envelope alone until [`PeakPicker::know_noise`].
    pub(super) fn forget_noise(&mut self) {
        self.noise_known = false;
        self.noise_power = 0.0;
        self.refresh_threshold();
    }

    fn refresh_threshold(&mut self) {
        let noise = if self.noise_known {
            self.settings.noise_factor * self.noise_power.sqrt()
        } else {
            0.0
        };
        self.threshold = (self.settings.relative * self.envelope)
            .max(noise)
            .max(ABSOLUTE_FLOOR);
    }

    fn start_candidate(&mut self, y: f32, index: u64) {
        self.candidate = Candidate {
            value: y,
            before: self.previous,
            after: y,
            index,
            after_pending: true,
        };
    }

    fn vertex(&self) -> Peak {
        let c = self.candidate;
        let curvature = c.before - 2.0 * c.value + c.after;
        let offset = if curvature.abs() > f32::EPSILON {
            (0.5 * (c.before - c.after) / curvature).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        Peak {
            time: c.index as f64 + f64::from(offset),
            value: c.value - 0.25 * (c.before - c.after) * offset,
        }
    }

    fn confirm(&mut self) -> Peak {
        let mut peak = self.vertex();
        if self.settings.crossing {
            // Linear interpolation of where the signal last crossed zero.
            let (index, before, after) = self.crossing;
            peak.time = (index - 1) as f64 + f64::from(before / (before - after));
        }
        let magnitude = peak.value.abs();
        self.envelope = if self.envelope == 0.0 {
            magnitude
        } else if magnitude > self.envelope {
            self.envelope + ENVELOPE_ATTACK * (magnitude - self.envelope)
        } else {
            self.envelope + ENVELOPE_DECAY * (magnitude - self.envelope)
        };
        self.refresh_threshold();
        peak
    }

    /// Processes one sample; returns a transition when one is confirmed and
    /// sets `active` when the sample is beyond the threshold.
    #[inline]
    pub(super) fn process(&mut self, y: f32, index: u64, active: &mut bool) -> Option<Peak> {
        if self.candidate.after_pending {
            self.candidate.after = y;
            self.candidate.after_pending = false;
        }
        if self.settings.crossing && (y < 0.0) != (self.previous < 0.0) {
            self.crossing = (index, self.previous, y);
        }
        let threshold = self.threshold;
        if y.abs() <= threshold {
            // Between pulses: nothing to do (the common case).
            self.previous = y;
            return None;
        }
        *active = true;
        let s = self.seeking;
        let mut confirmed = None;
        if s == 0.0 {
            self.seeking = y.signum();
            self.start_candidate(y, index);
        } else if s * y > 0.0 {
            if s * y > s * self.candidate.value {
                self.start_candidate(y, index);
            }
        } else {
            confirmed = Some(self.confirm());
            self.seeking = -s;
            self.start_candidate(y, index);
        }
        self.previous = y;
        confirmed
    }

    /// [`PeakPicker::process`] for each of `samples` (the first of which
    /// is sample `first_index`) up to the first that would confirm a
    /// transition or start the first lobe: one that is over the threshold
    /// in the sign not sought, or at all when `loud` is false or nothing is
    /// sought yet. Returns how many samples it took and the index of the
    /// last one over the threshold. In the throughput benchmark's swipes
    /// about one sample in nine is left for the chain to step.
    pub(super) fn follow(
        &mut self,
        samples: &[f32],
        first_index: u64,
        loud: bool,
    ) -> (usize, Option<u64>) {
        let (threshold, sought) = (self.threshold, self.seeking);
        let loud = loud && sought != 0.0;
        let crossing_mode = self.settings.crossing;
        // The state in locals, written back once; the updates as selects,
        // which spare the branches the compiler finds worth sparing.
        let mut previous = self.previous;
        let mut candidate = self.candidate;
        let mut pending = candidate.after_pending;
        let (mut crossing_index, mut crossing_before, mut crossing_after) = self.crossing;
        let mut last_loud = u64::MAX;
        let mut taken = samples.len();
        for (k, &y) in samples.iter().enumerate() {
            let index = first_index + k as u64;
            // A NaN counts as over, as in `process`.
            let over = y.abs() > threshold || y.is_nan();
            if over && !(loud && sought * y > 0.0) {
                taken = k;
                break;
            }
            candidate.after = if pending { y } else { candidate.after };
            let crossed = crossing_mode & ((y < 0.0) != (previous < 0.0));
            crossing_index = if crossed { index } else { crossing_index };
            crossing_before = if crossed { previous } else { crossing_before };
            crossing_after = if crossed { y } else { crossing_after };
            let better = over & (sought * y > sought * candidate.value);
            candidate.value = if better { y } else { candidate.value };
            candidate.before = if better { previous } else { candidate.before };
            candidate.index = if better { index } else { candidate.index };
            pending = better;
            last_loud = if over { index } else { last_loud };
            previous = y;
        }
        candidate.after_pending = pending;
        self.candidate = candidate;
        self.crossing = (crossing_index, crossing_before, crossing_after);
        self.previous = previous;
        (taken, (last_loud != u64::MAX).then_some(last_loud))
    }

    /// What [`PeakPicker::process`] does for each of `samples` (the first
    /// of which is sample `first_index`) when none is over the threshold:
    /// the pending candidate's next sample, the last zero crossing and the
    /// previous sample. The caller checks that none is over it.
    pub(super) fn pass_quiet(&mut self, samples: &[f32], first_index: u64) {
        let Some(&last) = samples.last() else { return };
        if self.candidate.after_pending {
            self.candidate.after = samples[0];
            self.candidate.after_pending = false;
        }
        if self.settings.crossing {
            // Only the last crossing counts: search from the end.
            let before = |k: usize| {
                if k == 0 {
                    self.previous
                } else {
                    samples[k - 1]
                }
            };
            let last_crossing = (0..samples.len())
                .rev()
                .find(|&k| (samples[k] < 0.0) != (before(k) < 0.0));
            if let Some(k) = last_crossing {
                self.crossing = (first_index + k as u64, before(k), samples[k]);
            }
        }
        self.previous = last;
    }

    /// Halves the envelope part of the threshold (a dropout: see the detector).
    pub(super) fn sag(&mut self) {
        self.envelope *= 0.5;
        self.refresh_threshold();
    }

    /// Ends the swipe: confirms the last pending extreme, if any, and forgets
    /// the envelope so the next swipe starts from the noise floor.
    pub(super) fn end_segment(&mut self) -> Option<Peak> {
        // In crossing mode the last transition was reported when the last
        // lobe began; in peak mode the last lobe's peak is still pending.
        let last = (self.seeking != 0.0 && !self.settings.crossing).then(|| self.vertex());
        self.seeking = 0.0;
        self.envelope = 0.0;
        self.candidate = Candidate::default();
        self.refresh_threshold();
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: PickerSettings = PickerSettings {
        relative: 0.3,
        noise_factor: 5.0,
        crossing: false,
    };

    fn run(picker: &mut PeakPicker, signal: &[f32]) -> Vec<Peak> {
        let mut peaks = Vec::new();
        let mut active = false;
        for (n, &y) in signal.iter().enumerate() {
            peaks.extend(picker.process(y, n as u64, &mut active));
        }
        peaks.extend(picker.end_segment());
        peaks
    }

    fn gaussian_pulse(t: f64, centre: f64, width: f64) -> f32 {
        (-(t - centre).powi(2) / (2.0 * width * width)).exp() as f32
    }

    #[test]
    fn finds_alternating_pulses_with_sub_sample_times() {
        let centres = [20.3, 40.7, 55.5, 80.1];
        let signal: Vec<f32> = (0..100)
            .map(|n| {
                centres
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| {
                        let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
                        sign * gaussian_pulse(n as f64, c, 2.0)
                    })
                    .sum()
            })
            .collect();
        let mut picker = PeakPicker::new(SETTINGS, 100.0);
        let peaks = run(&mut picker, &signal);
        assert_eq!(peaks.len(), 4, "{peaks:?}");
        for (peak, centre) in peaks.iter().zip(centres) {
            assert!((peak.time - centre).abs() < 0.1, "{peak:?} vs {centre}");
        }
        assert!(peaks[0].value > 0.0 && peaks[1].value < 0.0);
    }

    #[test]
    fn a_same_sign_ripple_does_not_add_a_transition() {
        // A double-humped positive pulse, then a negative one.
        let signal: Vec<f32> = (0..80)
            .map(|n| {
                let t = n as f64;
                gaussian_pulse(t, 20.0, 2.0) + 0.9 * gaussian_pulse(t, 27.0, 2.0)
                    - gaussian_pulse(t, 50.0, 2.0)
            })
            .collect();
        let mut picker = PeakPicker::new(SETTINGS, 100.0);
        let peaks = run(&mut picker, &signal);
        assert_eq!(peaks.len(), 2, "{peaks:?}");
        assert!((peaks[0].time - 20.0).abs() < 0.5);
    }

    #[test]
    fn small_opposite_undershoots_stay_below_the_relative_threshold() {
        // Each pulse has a 20 % undershoot on both sides, as after a high-pass filter.
        let pulse = |t: f64, c: f64, s: f32| {
            s * (gaussian_pulse(t, c, 2.0)
                - 0.2 * gaussian_pulse(t, c - 6.0, 2.0)
                - 0.2 * gaussian_pulse(t, c + 6.0, 2.0))
        };
        let signal: Vec<f32> = (0..200)
            .map(|n| {
                let t = n as f64;
                pulse(t, 30.0, 1.0) + pulse(t, 80.0, -1.0) + pulse(t, 130.0, 1.0)
            })
            .collect();
        let mut picker = PeakPicker::new(SETTINGS, 100.0);
        // A noise floor of 0.05 RMS: the first pulse's leading undershoot
        // (0.2) stays under 5 x 0.05 before any envelope exists.
        for n in 0..2000 {
            picker.learn_noise(if n % 2 == 0 { 0.05 } else { -0.05 });
        }
        picker.know_noise();
        let peaks = run(&mut picker, &signal);
        let times: Vec<f64> = peaks.iter().map(|p| p.time.round()).collect();
        assert_eq!(times, vec![30.0, 80.0, 130.0]);
    }

    #[test]
    fn the_noise_floor_raises_the_threshold() {
        let mut picker = PeakPicker::new(SETTINGS, 10.0);
        for n in 0..1000 {
            picker.learn_noise(if n % 2 == 0 { 0.01 } else { -0.01 });
        }
        // Until the floor is known, only the envelope (none yet) counts.
        assert!(picker.threshold() < 1e-3, "{}", picker.threshold());
        picker.know_noise();
        let mut active = false;
        picker.process(0.0, 0, &mut active);
        assert!(
            (picker.threshold() - 0.05).abs() < 1e-3,
            "{}",
            picker.threshold()
        );
        // A 4-sigma blip does not start a swipe.
        assert!(picker.process(0.04, 1, &mut active).is_none());
        assert!(!active);
    }

    #[test]
    fn crossing_mode_times_the_middle_of_each_doublet() {
        // Doublets (first derivative of a Gaussian) centred on the transitions,
        // alternating in sign: neighbouring lobes share a sign.
        let centres = [30.25, 90.5, 150.75];
        let doublet = |t: f64, c: f64| -(t - c) / 3.0 * (-(t - c).powi(2) / 18.0).exp();
        let signal: Vec<f32> = (0..200)
            .map(|n| {
                let t = n as f64;
                (doublet(t, centres[0]) - doublet(t, centres[1]) + doublet(t, centres[2])) as f32
            })
            .collect();
        let crossing = PickerSettings {
            crossing: true,
            ..SETTINGS
        };
        let peaks = run(&mut PeakPicker::new(crossing, 100.0), &signal);
        assert_eq!(peaks.len(), 3, "{peaks:?}");
        for (peak, centre) in peaks.iter().zip(centres) {
            assert!((peak.time - centre).abs() < 0.05, "{peak:?} vs {centre}");
        }
        // A peak picker on the same doublets reports the lobes instead.
        let lobes = run(&mut PeakPicker::new(SETTINGS, 100.0), &signal);
        assert!(lobes
            .iter()
            .all(|p| centres.iter().all(|c| (p.time - c).abs() > 2.0)));
    }
}
