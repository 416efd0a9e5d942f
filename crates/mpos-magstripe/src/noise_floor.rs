//! The splice check: the input's noise just before a swipe and just after
//! it must be one input's.
//!
//! The noise comes from the phone's input, not from the card, so the quiet
//! before the first flux transition and the quiet after the last hold the
//! same noise, whatever the swipe did in between. Two recordings cut
//! together inside their records can pass every bit check (parity, LRC, a
//! steady clock, when the cut falls where both cards' bits agree), but they
//! rarely share a noise level: one's quiet leads in, the other's trails.
//! (Inside the swipe the pulses' tails swamp any noise estimate at high
//! SNR, so only the quiet around it is measured.)

use super::signal_history::SignalHistory;

/// Quiet measured before the first transition at most, seconds.
const LEAD_S: f64 = 0.01;
/// Quiet measured after the last transition, seconds: the read waits for
/// it (4 ms is 192 samples at 48 kHz, enough to tell 3.5 dB apart).
const TAIL_S: f64 = 0.004;
/// Fewest quiet samples on each side for the comparison to be made.
const MIN_QUIET: usize = 64;
/// A gap this many median gaps long is no swipe's: a 5x speed change
/// stretches a cell 2.5 medians at most.
const STRAY_GAPS: f64 = 8.0;
/// The share of a swipe, at each end, whose level the quiet beside it is
/// compared with.
const EDGE: f64 = 0.125;
/// How much quieter (RMS) than the swipe beside it the quiet must be to be
/// measured as noise.
const QUIET_UNDER_SWIPE: f32 = 0.5;
/// Second-difference RMS below any real input's noise (16-bit
/// quantization alone gives about 4e-5): digital silence, as a synthetic
/// recording has, tells nothing.
const DIGITAL_SILENCE: f32 = 1e-6;
/// How many times louder one side's noise may be than the other's. Over
/// the benchmark's genuine swipes (33,400 checks) one side measured at most
/// 1.43 times the other, the estimate's own spread (about 9 % with the
/// quiet a swipe leaves); the two spliced recordings that passed every bit
/// check measured 1.61 and 3.5.
const MARGIN: f32 = 1.5;

/// Where a read swipe's quiet lies, in samples: before its first
/// transition, and after its last, up to where the check is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Quiet {
    /// The quiet before the swipe.
    lead: (f64, f64),
    /// The swipe's first and last stretches, next to the quiet.
    ends: [(f64, f64); 2],
    /// Where the quiet after it starts.
    pub(super) tail_from: f64,
    /// Where the quiet after it ends: the check waits for this sample.
    pub(super) tail_to: f64,
}

impl Quiet {
    /// The quiet around the transitions `times`, whose `gaps` (reordered
    /// here) are given, the lead starting no earlier than `quiet_from`
    /// (where the last swipe ended); `None` for a segment of one transition.
    pub(super) fn around(
        times: &[f64],
        gaps: &mut [f64],
        quiet_from: f64,
        sample_rate: u32,
    ) -> Option<Quiet> {
        let half = gaps.len().checked_sub(1)? / 2;
        // A cell's room (about) from the pulses either side, whose tails
        // are no noise.
        let cell = *gaps.select_nth_unstable_by(half, f64::total_cmp).1;
        // A segment may begin or end with stray noise peaks, far from the
        // swipe: the quiet around them is noise all the same.
        let dense = |w: &[f64]| w[1] - w[0] <= STRAY_GAPS * cell;
        let first = times[times.windows(2).position(dense)?];
        let last = times[times.windows(2).rposition(dense)? + 1];
        let rate = f64::from(sample_rate);
        let edge = (last - first) * EDGE;
        Some(Quiet {
            lead: (quiet_from.max(first - LEAD_S * rate), first - cell),
            ends: [(first, first + edge), (last - edge, last)],
            tail_from: last + cell,
            tail_to: last + cell + TAIL_S * rate,
        })
    }

    /// The noise (second-difference RMS) before the swipe and after it, up
    /// to `now` at most; `None` when either side is too short or too loud
    /// to be measured as noise.
    pub(super) fn noise(&self, history: &SignalHistory, now: f64) -> Option<(f32, f32)> {
        let tail = (self.tail_from, self.tail_to.min(now));
        // Quiet only if well under the swipe beside it: a recording that
        // starts mid-swipe has swipe there, undetected, and so has a swipe
        // whose faint end is at the noise (then nothing tells).
        let is_quiet = |(from, to): (f64, f64), (swipe_from, swipe_to): (f64, f64)| {
            history.mean_square(from, to)
                < QUIET_UNDER_SWIPE * QUIET_UNDER_SWIPE * history.mean_square(swipe_from, swipe_to)
        };
        if !is_quiet(self.lead, self.ends[0]) || !is_quiet(tail, self.ends[1]) {
            return None;
        }
        let before = second_difference_rms(history, self.lead.0, self.lead.1)?;
        let after = second_difference_rms(history, tail.0, tail.1)?;
        (before.min(after) >= DIGITAL_SILENCE).then_some((before, after))
    }
}

/// Whether the noise measured before a swipe and after it (`None` when it
/// could not be) leaves it one input's: true when it tells nothing (a
/// recording that starts mid-swipe, a faint end at the noise, a low sample
/// rate, the end of the stream).
pub(super) fn is_one_input(noise: Option<(f32, f32)>) -> bool {
    noise.is_none_or(|(before, after)| after <= before * MARGIN && before <= after * MARGIN)
}

/// RMS of the input's second difference over whole samples `from..to`
/// still held (white noise passes it at about 2.4 times its RMS, slow
/// tails hardly at all); `None` for fewer than [`MIN_QUIET`].
fn second_difference_rms(history: &SignalHistory, from: f64, to: f64) -> Option<f32> {
    let (from, to) = (from.ceil() + 1.0, to.floor() - 1.0);
    if !(to - from >= MIN_QUIET as f64 && history.holds(from - 1.0) && history.holds(to + 1.0)) {
        return None;
    }
    let mut sum = 0f32;
    let mut n = from;
    while n <= to {
        let d = history.at(n + 1.0) - 2.0 * history.at(n) + history.at(n - 1.0);
        sum += d * d;
        n += 1.0;
    }
    Some((sum / (to - from + 1.0) as f32).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    /// White noise (uniform, from a xorshift) of the given RMS, scaled by
    /// `louder` from sample `from` on.
    fn noise_history(rms: f32, louder: f32, from: usize) -> SignalHistory {
        let mut history = SignalHistory::new(RATE as f32);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let samples: Vec<f32> = (0..8_000)
            .map(|n| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let uniform = (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                let gain = if n >= from { louder } else { 1.0 };
                // The swipe: a transition every 20 samples, 40x the noise.
                let pulse = if (1_000..=5_000).contains(&n) && n % 20 == 0 {
                    40.0 * rms * if n % 40 == 0 { 1.0 } else { -1.0 }
                } else {
                    0.0
                };
                uniform * rms * 12f32.sqrt() * gain + pulse
            })
            .collect();
        history.extend(&samples);
        history
    }

    /// The check over the quiet around `times`, made at sample `now`.
    fn one_input(times: &[f64], quiet_from: f64, now: f64, history: &SignalHistory) -> bool {
        let mut gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        Quiet::around(times, &mut gaps, quiet_from, RATE)
            .is_none_or(|quiet| is_one_input(quiet.noise(history, now)))
    }

    /// Transitions every 20 samples from 1,000 to 5,000.
    fn swipe() -> Vec<f64> {
        (0..=200).map(|k| 1_000.0 + 20.0 * f64::from(k)).collect()
    }

    #[test]
    fn one_input_s_noise_on_both_sides_is_one_recording() {
        let history = noise_history(0.01, 1.0, 0);
        assert!(one_input(&swipe(), 0.0, 5_200.0, &history));
        assert!(one_input(&swipe(), 0.0, 5_120.0, &history));
    }

    #[test]
    fn noise_twice_as_loud_after_the_swipe_is_two_recordings() {
        for louder in [2.0, 0.5] {
            let history = noise_history(0.01, louder, 3_000);
            assert!(!one_input(&swipe(), 0.0, 5_200.0, &history), "{louder}");
        }
    }

    #[test]
    fn too_little_quiet_on_either_side_tells_nothing() {
        let history = noise_history(0.01, 2.0, 3_000);
        // The swipe ends too soon after its last transition to measure.
        assert!(one_input(&swipe(), 0.0, 5_060.0, &history));
        // A swipe before it (or the recording's start) leaves no quiet.
        assert!(one_input(&swipe(), 950.0, 5_200.0, &history));
        assert!(one_input(&[1_000.0], 0.0, 5_200.0, &history));
    }
}
