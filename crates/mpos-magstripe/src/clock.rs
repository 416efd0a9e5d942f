//! F2F (Aiken biphase) clock recovery: intervals between flux transitions in,
//! bits out. Every bit cell starts with a transition; a `1` has one more in
//! the middle. The leading zeros train the bit period, which is then updated
//! after every bit, so the clock follows a swipe that doubles or halves its
//! speed (the period changes by well under 1 % per bit); the clock's cell
//! boundary moves by part of each phase error, so a worn card's jitter is
//! averaged out of the clock that each transition is judged against.

/// Consecutive near-equal intervals that count as the clocking zeros.
const TRAINING_RUN: usize = 8;
/// How far (as a ratio) a training interval may stray from the run's mean.
const TRAINING_SPREAD: f64 = 1.35;
/// A transition under this fraction of the period after the clock's cell
/// boundary is a `1`'s middle.
const HALF_LIMIT: f64 = 0.75;
/// A transition within this fraction of the period of [`HALF_LIMIT`] is a
/// close call, and the bits it decides are listed as unsure
/// ([`RecoveredBits::unsure`]): a high-pass corner near a slow swipe's bit
/// rate can move a zero crossing that far in one pattern, read `1111` as
/// `1221` (parity and LRC still hold) and fool the steady-clock check.
const CLOSE_CALL: f64 = 0.05;
/// A transition over this many periods after the boundary means
/// transitions were lost: stop.
const GAP_LIMIT: f64 = 1.7;
/// How much of a cell's measured phase error moves the clock's boundary (1
/// puts it on the transition; less averages a worn card's jitter out of
/// the clock, which each transition is then judged against).
const PHASE_GAIN: f64 = 0.3;
/// The longest a `1`'s second half may measure, in periods, once the
/// clock puts its end within the cell's bounds.
const SECOND_HALF_LIMIT: f64 = 0.9;

/// Bits recovered from one pass over the transitions.
#[derive(Debug, Clone)]
pub(super) struct RecoveredBits {
    /// The bits, in the order the intervals were read.
    pub bits: Vec<u8>,
    /// `starts[i]` is when bit `i` began (samples from the first bit);
    /// one extra entry marks the end of the last bit.
    pub starts: Vec<f64>,
    /// For a `1`, where its middle transition fell, as a fraction of the
    /// cell (ideally 0.5); 0 for a `0`.
    pub middles: Vec<f32>,
    /// The interval (in reading order) the first bit began with.
    pub first: usize,
    /// Bits a reading nearly as likely read the other way, in increasing
    /// order: the clock's close calls ([`CLOSE_CALL`]), and what the
    /// clock-aided reader was unsure of.
    pub unsure: Vec<usize>,
}

impl RecoveredBits {
    /// Buffers for up to `capacity` bits, allocated once.
    pub(super) fn with_capacity(capacity: usize) -> RecoveredBits {
        RecoveredBits {
            bits: Vec::with_capacity(capacity),
            starts: Vec::with_capacity(capacity + 1),
            middles: Vec::with_capacity(capacity),
            first: 0,
            unsure: Vec::with_capacity(capacity),
        }
    }

    /// Samples spanned by bits `from..to`.
    pub(super) fn duration(&self, from: usize, to: usize) -> f64 {
        self.starts[to] - self.starts[from]
    }
}

/// Where the clocking zeros begin and the period they set, if there is a run.
fn training(intervals: impl Iterator<Item = f64>) -> Option<(usize, f64)> {
    let mut window = [0.0f64; TRAINING_RUN];
    for (i, d) in intervals.enumerate() {
        window[i % TRAINING_RUN] = d;
        if i + 1 < TRAINING_RUN {
            continue;
        }
        let (lo, hi) = window
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), &d| (lo.min(d), hi.max(d)));
        if lo > 0.0 && hi <= lo * TRAINING_SPREAD {
            let mean = window.iter().sum::<f64>() / TRAINING_RUN as f64;
            return Some((i + 1 - TRAINING_RUN, mean));
        }
    }
    None
}

/// Recovers bits from `intervals` (in samples), read backwards when
/// `backwards`, with the period tracking gain `gain` (0 to 1). Clears `out`
/// first; allocates nothing while `out` has room.
pub(super) fn recover_bits(intervals: &[f64], backwards: bool, gain: f64, out: &mut RecoveredBits) {
    out.bits.clear();
    out.starts.clear();
    out.middles.clear();
    out.unsure.clear();
    let n = intervals.len();
    let at = |k: usize| {
        if backwards {
            intervals[n - 1 - k]
        } else {
            intervals[k]
        }
    };
    let Some((start, mut period)) = training((0..n).map(at)) else {
        return;
    };
    out.first = start;
    let capacity = out.bits.capacity();
    // `time` is where the cell's first transition was measured; `boundary`
    // where the clock puts the cell's start. Each transition is judged
    // against the clock, not against the transition before it, so a worn
    // card's jitter counts once in each decision, not twice.
    let mut time = 0.0;
    let mut boundary = 0.0;
    let mut k = start;
    while k < n && out.bits.len() < capacity {
        let d = at(k);
        let offset = time + d - boundary;
        if offset > GAP_LIMIT * period {
            break;
        }
        out.starts.push(time);
        if (offset / period - HALF_LIMIT).abs() < CLOSE_CALL {
            // The other reading differs here and in the next cell.
            let bit = out.bits.len();
            if out.unsure.last() != Some(&bit) {
                out.unsure.push(bit);
            }
            out.unsure.push(bit + 1);
        }
        if offset >= HALF_LIMIT * period {
            out.bits.push(0);
            out.middles.push(0.0);
            next_cell(&mut boundary, &mut period, offset, gain);
            time += d;
            k += 1;
            continue;
        }
        out.bits.push(1);
        if k + 1 < n {
            let cell = d + at(k + 1);
            let end = time + cell - boundary;
            let second_half = at(k + 1) < SECOND_HALF_LIMIT * period;
            if second_half && (HALF_LIMIT * period..GAP_LIMIT * period).contains(&end) {
                out.middles.push((d / cell) as f32);
                next_cell(&mut boundary, &mut period, end, gain);
                time += cell;
                k += 2;
                continue;
            }
        }
        // A lone half cell: the framing checks will reject what follows.
        out.middles.push(1.0);
        time += d;
        boundary = time;
        k += 1;
    }
    out.starts.push(time);
    // A close call in the last cell read has no next bit.
    if out.unsure.last() == Some(&out.bits.len()) {
        out.unsure.pop();
    }
}

/// Moves the clock on by one cell whose end was measured `end` samples
/// after `boundary`: the boundary by the period and part of the phase
/// error ([`PHASE_GAIN`]), the period by `gain` of it.
fn next_cell(boundary: &mut f64, period: &mut f64, end: f64, gain: f64) {
    let error = end - *period;
    *boundary += *period + PHASE_GAIN * error;
    *period += gain * error;
}

/// A cell may stray from the mean of its neighbours by this many times the
/// record's own mean stray, and a group of cells' mean from the group
/// before it by this many times their mean jump: a worn card's jitter
/// widens both bounds, a clean card's narrows them, so a splice or a lost
/// transition stands out against the swipe's own wobble either way.
const STRAY_FACTOR: f64 = 6.0;
/// The bounds on a cell's stray, whatever the record's jitter.
const CELL_TOLERANCE: std::ops::RangeInclusive<f64> = 0.12..=0.4;
/// The bounds on the jump in the mean period between neighbouring groups.
const SPEED_JUMP_TOLERANCE: std::ops::RangeInclusive<f64> = 0.05..=0.15;
/// Cells averaged on each side.
const NEIGHBOURS: usize = 4;
/// Where a `1`'s middle transition may fall, as a fraction of its cell.
const MIDDLE_RANGE: std::ops::RangeInclusive<f32> = 0.25..=0.75;

/// How far cell `i` strays from the mean of its neighbours within
/// `from..to`, and how far the mean of the cells after it jumps from the
/// mean of those before it (when it has a full group on each side).
fn strays(
    recovered: &RecoveredBits,
    from: usize,
    to: usize,
    i: usize,
) -> (Option<f64>, Option<f64>) {
    let cell = |i: usize| recovered.starts[i + 1] - recovered.starts[i];
    let before = i.saturating_sub(NEIGHBOURS).max(from)..i;
    let after = i + 1..(i + 1 + NEIGHBOURS).min(to);
    let count = before.len() + after.len();
    let (sum_before, sum_after) = (
        before.clone().map(cell).sum::<f64>(),
        after.clone().map(cell).sum::<f64>(),
    );
    let stray =
        (count > 0).then(|| (cell(i) * count as f64 / (sum_before + sum_after) - 1.0).abs());
    let full = before.len() == NEIGHBOURS && after.len() == NEIGHBOURS;
    let jump = full.then(|| (sum_after / sum_before - 1.0).abs());
    (stray, jump)
}

/// Whether bits `from..to` were read at a steady clock: every cell close to
/// its neighbours' mean, every `1` split near its middle, and no jump in
/// the period, each judged against the record's own jitter (see
/// [`STRAY_FACTOR`]). A swipe slows or speeds up smoothly (well under 1 %
/// per bit); two recordings spliced together, or transitions lost and
/// found by luck, do not. Used on accepted records only, as a last check.
pub(super) fn steady(recovered: &RecoveredBits, from: usize, to: usize) -> bool {
    // First the record's mean stray and mean jump; then every cell against
    // a multiple of them.
    let (mut stray_sum, mut strays_counted, mut jump_sum, mut jumps_counted) = (0.0, 0, 0.0, 0);
    for i in from..to {
        if recovered.bits[i] == 1 && !MIDDLE_RANGE.contains(&recovered.middles[i]) {
            return false;
        }
        let (stray, jump) = strays(recovered, from, to, i);
        if let Some(stray) = stray {
            stray_sum += stray;
            strays_counted += 1;
        }
        if let Some(jump) = jump {
            jump_sum += jump;
            jumps_counted += 1;
        }
    }
    let bound = |sum: f64, count: usize, range: &std::ops::RangeInclusive<f64>| {
        (STRAY_FACTOR * sum / count.max(1) as f64).clamp(*range.start(), *range.end())
    };
    let cell_tolerance = bound(stray_sum, strays_counted, &CELL_TOLERANCE);
    let jump_tolerance = bound(jump_sum, jumps_counted, &SPEED_JUMP_TOLERANCE);
    (from..to).all(|i| {
        let (stray, jump) = strays(recovered, from, to, i);
        stray.is_none_or(|s| s <= cell_tolerance) && jump.is_none_or(|j| j <= jump_tolerance)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Intervals of an F2F stream for `bits` with the bit period changing
    /// linearly from `first` to `last` samples.
    fn f2f_intervals(bits: &[u8], first: f64, last: f64) -> Vec<f64> {
        let mut out = Vec::new();
        for (i, &bit) in bits.iter().enumerate() {
            let period = first + (last - first) * i as f64 / bits.len() as f64;
            if bit == 1 {
                out.push(period / 2.0);
                out.push(period / 2.0);
            } else {
                out.push(period);
            }
        }
        out
    }

    fn pattern() -> Vec<u8> {
        let mut bits = vec![0u8; 20];
        for i in 0..200 {
            bits.push(((i * 7 + i / 3) % 3 == 0) as u8);
        }
        bits.extend_from_slice(&[0; 20]);
        bits
    }

    #[test]
    fn recovers_bits_at_constant_speed() {
        let bits = pattern();
        let mut out = RecoveredBits::with_capacity(1024);
        recover_bits(&f2f_intervals(&bits, 40.0, 40.0), false, 0.15, &mut out);
        assert_eq!(out.bits, bits);
        assert!((out.duration(0, bits.len()) - 40.0 * bits.len() as f64).abs() < 1e-6);
    }

    #[test]
    fn follows_the_speed_doubling_and_halving_within_a_swipe() {
        let bits = pattern();
        let mut out = RecoveredBits::with_capacity(1024);
        recover_bits(&f2f_intervals(&bits, 40.0, 20.0), false, 0.15, &mut out);
        assert_eq!(out.bits, bits);
        recover_bits(&f2f_intervals(&bits, 10.0, 20.0), false, 0.15, &mut out);
        assert_eq!(out.bits, bits);
    }

    #[test]
    fn a_middle_near_the_half_limit_leaves_its_bit_and_the_next_unsure() {
        let bits = pattern();
        let mut out = RecoveredBits::with_capacity(1024);
        let steady = f2f_intervals(&bits, 40.0, 40.0);
        recover_bits(&steady, false, 0.15, &mut out);
        assert!(out.unsure.is_empty());
        // The first `1` after the clocking zeros, its middle moved late.
        let one = bits.iter().position(|&b| b == 1).unwrap();
        let interval = one; // Only zeros before it: one interval each.
        for (middle, unsure) in [(0.73, vec![one, one + 1]), (0.68, vec![])] {
            let mut moved = steady.clone();
            moved[interval] = middle * 40.0;
            moved[interval + 1] = (1.0 - middle) * 40.0;
            recover_bits(&moved, false, 0.15, &mut out);
            assert_eq!(out.bits, bits, "middle at {middle}");
            assert_eq!(out.unsure, unsure, "middle at {middle}");
        }
    }

    #[test]
    fn without_tracking_a_doubling_is_lost() {
        let bits = pattern();
        let mut out = RecoveredBits::with_capacity(1024);
        recover_bits(&f2f_intervals(&bits, 40.0, 20.0), false, 0.0, &mut out);
        assert_ne!(out.bits, bits);
    }

    #[test]
    fn reading_backwards_gives_the_reversed_bits() {
        let bits = pattern();
        let mut out = RecoveredBits::with_capacity(1024);
        recover_bits(&f2f_intervals(&bits, 30.0, 30.0), true, 0.15, &mut out);
        let reversed: Vec<u8> = bits.iter().rev().copied().collect();
        assert_eq!(out.bits, reversed);
    }

    #[test]
    fn skips_garbage_before_the_clocking_zeros_and_stops_at_a_gap() {
        let bits = pattern();
        let mut intervals = vec![3.0, 77.0, 12.0, 5.0];
        intervals.extend(f2f_intervals(&bits, 40.0, 40.0));
        intervals.push(400.0);
        intervals.extend([40.0; 30]);
        let mut out = RecoveredBits::with_capacity(1024);
        recover_bits(&intervals, false, 0.15, &mut out);
        assert_eq!(out.bits, bits);
        assert_eq!(out.starts.len(), bits.len() + 1);
    }

    #[test]
    fn no_training_run_gives_no_bits() {
        let mut out = RecoveredBits::with_capacity(64);
        recover_bits(
            &[10.0, 30.0, 10.0, 30.0, 10.0, 30.0, 10.0, 30.0, 10.0],
            false,
            0.15,
            &mut out,
        );
        assert!(out.bits.is_empty());
    }

    /// `intervals` with each transition moved by up to `jitter` of a period
    /// (a fixed pseudo-random pattern).
    fn jittered(intervals: &[f64], period: f64, jitter: f64) -> Vec<f64> {
        let mut state = 9u32;
        let mut moves = intervals.iter().map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            jitter * period * ((state >> 8) as f64 / f64::from(1u32 << 24) - 0.5) * 2.0
        });
        let mut previous = 0.0;
        intervals
            .iter()
            .map(|&d| {
                let moved = moves.next().unwrap_or(0.0);
                let out = d + moved - previous;
                previous = moved;
                out
            })
            .collect()
    }

    #[test]
    fn steadiness_is_judged_against_the_records_own_jitter() {
        let bits = pattern();
        let mut out = RecoveredBits::with_capacity(1024);
        // A worn card: every transition up to 8 % of a cell off, yet steady.
        let worn = jittered(&f2f_intervals(&bits, 40.0, 40.0), 40.0, 0.08);
        recover_bits(&worn, false, 0.15, &mut out);
        // (The clock may train a few zeros in, where the jitter lets it.)
        assert!(out.bits.len() > 220 && bits.ends_with(&out.bits));
        assert!(steady(&out, 0, out.bits.len()));
        // A clean card spliced to a swipe 7 % slower: caught, though the
        // fixed 10 % bound of old would have let it through.
        let mut spliced = f2f_intervals(&bits[..120], 30.0, 30.0);
        spliced.extend(f2f_intervals(&bits[120..], 32.1, 32.1));
        let spliced = jittered(&spliced, 30.0, 0.01);
        recover_bits(&spliced, false, 0.15, &mut out);
        assert_eq!(out.bits, bits);
        assert!(!steady(&out, 0, bits.len()));
    }

    #[test]
    fn a_steady_ramp_is_steady_and_a_splice_is_not() {
        let bits = pattern();
        let mut out = RecoveredBits::with_capacity(1024);
        recover_bits(&f2f_intervals(&bits, 40.0, 20.0), false, 0.15, &mut out);
        assert!(steady(&out, 0, bits.len()));
        // Halfway, the recording switches to a swipe 30 % slower, a jump no
        // hand makes within a cell: the clock, which follows the phase by
        // parts, misreads what follows, or reads it and finds it unsteady.
        let mut spliced = f2f_intervals(&bits[..120], 30.0, 30.0);
        spliced.extend(f2f_intervals(&bits[120..], 39.0, 39.0));
        recover_bits(&spliced, false, 0.15, &mut out);
        assert!(out.bits != bits || !steady(&out, 0, bits.len()));
        // A `1` whose middle transition sits at a quarter of the cell.
        let mut lopsided = f2f_intervals(&bits, 30.0, 30.0);
        let one = bits.iter().position(|&b| b == 1).unwrap();
        lopsided[one] = 7.0;
        lopsided[one + 1] = 22.0;
        recover_bits(&lopsided, false, 0.15, &mut out);
        assert_eq!(out.bits, bits);
        assert!(!steady(&out, 0, bits.len()));
    }
}
