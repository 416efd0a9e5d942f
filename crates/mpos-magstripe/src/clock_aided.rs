//! Clock-aided reading of a swipe's faint end or dropouts.
//!
//! A swipe whose level grows 15x starts at a fifteenth of its peak. Where
//! it also starts fast, its first pulses are a few samples wide and under
//! two standard deviations of the noise: no threshold picks them, so every
//! chain loses the run-in and the first characters. A dropout (a few cells
//! at a fifth of the level) can cost a chain its clock the same way. But
//! the part the chain did read has already told us the clock and what a
//! pulse looks like. This reader carries them on from there, through the
//! faint end or the dropout, one bit cell at a time: it knows
//! where the next cell boundary and middle must fall and which sign each
//! pulse must have, so it only decides between the two patterns a cell can
//! hold, `0` (one pulse at the boundary) or `1` (one in the middle, then
//! one of the other sign at the boundary). Each candidate place is scored
//! by correlating the input with the pulse as the strong end showed it (a
//! matched filter), and the cell's likelihood under each pattern comes from
//! those scores with the pulses' height unknown but likely near the learnt
//! shape's (a Gaussian prior whose weight against the data is the noise's),
//! so there is no threshold to learn. A Viterbi search
//! over the boundary pulse's sign weighs each cell with the next, a
//! tracking loop follows the pulses' times as the speed changes, and the
//! pulse shape follows what is read.
//! The framing checks then judge the bits as they judge any chain's.

use super::clock::RecoveredBits;
use super::signal_history::SignalHistory;

/// Cells read past the chain's bits at most, beyond those dropped from
/// its end: the run-in and the characters a faint end hides.
const MAX_CELLS: usize = 160;
/// The most cells of the chain's own reading read again.
pub(super) const MAX_DROPPED: usize = 128;
/// The kept cells whose transitions teach the pulse shape.
const LOOK_BACK: usize = 16;
/// The shortest cell read, in samples: a shorter one leaves the pulse
/// shape too few samples to be learnt from (a dense track 1 at 60 ips is
/// 3.5 samples a cell at 44.1 kHz; the faint fast start of a track 2 swipe
/// at 19 ips, 31).
const MIN_PERIOD: f64 = 8.0;
/// Cells averaged for the starting period.
const PERIOD_CELLS: usize = 4;
/// Points of the pulse shape.
const SHAPE_POINTS: usize = 17;
/// The shape spans this many cells either side of the transition.
const SHAPE_REACH_CELLS: f64 = 0.25;
/// How far a pulse is looked for around its predicted time, in cells.
const SEARCH_CELLS: f64 = 0.12;
/// Places tried on either side of the predicted time (at least a sample
/// apart): a slow swipe's wide pulses need no finer search than a fast one's.
const SEARCH_STEPS: f64 = 3.0;
/// The tracking loop's phase gain.
const PHASE_GAIN: f64 = 0.3;
/// The tracking loop's period gain.
const PERIOD_GAIN: f64 = 0.05;
/// The largest change of the rate from one cell to the next, as a fraction
/// of it (a swipe changing 5x changes it by at most 1.5 %).
const MAX_TREND: f64 = 0.03;
/// Kept cells whose lengths give the trend.
const TREND_CELLS: usize = 32;
/// How fast the pulse shape follows what is read, per pulse.
const SHAPE_GAIN: f32 = 0.05;
/// How much likelier (in nats, the natural log of the likelihood ratio) a
/// reading must be than every other the search weighed, cell by cell, for
/// its bits to count as sure. Below 4, readings of the benchmark's real
/// swipes came back wrong: two near-equal choices in two characters, in the
/// same bit positions, keep every parity and the LRC.
const UNSURE_NATS: f32 = 4.0;
/// A boundary pulse found at under this fraction of the learnt shape's
/// height is faint: a dropout's, at a fifth of the level (a `0` cell's end
/// pulse reads at about half the shape, as the high-pass leaves it).
const FAINT: f32 = 0.4;
/// How far a pulse's height may stray from the learnt shape's, as the
/// standard deviation (a fraction of it) of the prior the cells are read
/// with. Where the pulses are faint against the noise the prior decides
/// more than they do, and reads them better: with the height left free
/// (no prior) a faint start's noise read as pulses as readily as its
/// pulses did, and the 12 dB target read 89.0 % of the swipes; with this
/// prior alone 92.6 % (0.3 or 0.2: 93.0 or 93.1 %, but dropouts came back
/// read wrong; the shape's own height: 93.5 %, 7 wrong in 18,000).
const HEIGHT_SPREAD: f32 = 0.5;
/// Cells [`slip`] counts strayed cells over.
const SLIP_WINDOW: usize = 16;
/// Strayed cells among [`SLIP_WINDOW`] that show the clock lost: the
/// splice the benchmark's impostors once had read wrong strayed in 8 to 9
/// of 16; 10 of the 31,500 readings the real-swipe rows accepted strayed
/// in 7 or more, and stopping there read one swipe fewer in one row (a
/// worn card at 12 dB) and one more in another (the target at 12 dB).
const SLIP_STRAYS: usize = 7;

/// Where a reading stands: the last cell boundary, the period, and the
/// shape of a positive pulse.
#[derive(Debug, Clone)]
struct Tracker {
    /// Absolute time of the last boundary as the tracking loop has it, in
    /// samples: where the next one is looked for from.
    boundary: f64,
    /// Where the last boundary's pulse was found: the reading reports these
    /// times, not the loop's smoothed ones, so the steady-clock check sees
    /// a splice or a slip in the read part as it would in a chain's.
    found: f64,
    /// Samples per cell.
    period: f64,
    /// How much the rate (cells per sample, the reciprocal of the period)
    /// changes from one cell to the next: a swipe's speed changes steadily,
    /// and at its slow end a cell can be 1.5 % longer than the last.
    trend: f64,
    /// The longest period the trend may take the reading to (4x the
    /// starting one); the shortest is a sixteenth of it.
    slowest: f64,
    /// A positive pulse as the input shows it, at evenly spaced fractions
    /// of a cell around its time.
    shape: [f32; SHAPE_POINTS],
    /// The noise power at one point of the shape ([`zero_middle_noise`]),
    /// as the kept cells showed it: what weighs the height prior against
    /// the data (0, no prior, where none of them was a `0`).
    noise: f32,
}

/// One way of reading the cells so far, as the Viterbi search keeps it.
#[derive(Debug, Clone)]
struct Survivor {
    /// Timing and pulse shape as this reading left them.
    tracker: Tracker,
    /// The sign of the last boundary's pulse, relative to the shape.
    polarity: f32,
    /// Log-likelihood of this reading (up to a constant), with the height
    /// prior.
    metric: f32,
    /// The same with every cell's pulse height free (no prior), which a
    /// faint cell's way in is checked with ([`mark_unsure`]).
    free_metric: f32,
}

/// One cell of a survivor's path: the survivor it came from, the bit, where
/// its middle fell and the absolute time its end's pulse was found at.
#[derive(Debug, Clone, Copy)]
struct Step {
    from: u8,
    bit: u8,
    middle: f32,
    end: f64,
    /// How much likelier this way into the cell's state was than the other
    /// way (infinite when there was none), in the metric's units.
    margin: f32,
    /// The end pulse's matched score over the shape's energy: about 1 for
    /// a pulse like the learnt one, 0 or less where none of the expected
    /// sign was anywhere it was looked for.
    height: f32,
    /// [`Step::margin`] with the pulse heights free (no prior).
    free_margin: f32,
    /// Whether a pulse of the cell scored better just beyond where it was
    /// looked for: the clock slipped there (a splice of two swipes, or a
    /// tracker that lost the pulses), and the cell's reading is a guess.
    strayed: bool,
}

/// Replaces what `recovered` read after its first `keep` bits with a
/// clock-aided reading of `history`. `origin` is the absolute time (in
/// samples) of `recovered.starts[0]`; `direction` is +1 when the bits were
/// read forwards in time, -1 backwards. Returns false (leaving
/// `recovered` as it was) when there are too few bits to start from, or
/// their cells are too short to read this way ([`MIN_PERIOD`]).
///
/// The cells are read by a Viterbi search over the two possible signs of
/// the boundary pulse: one misjudged cell flips the sign expected for every
/// later pulse, which the next cell shows, so deciding cell by cell would
/// turn each such error into two.
pub(super) fn extend(
    recovered: &mut RecoveredBits,
    keep: usize,
    origin: f64,
    direction: f64,
    history: &SignalHistory,
) -> bool {
    if keep < LOOK_BACK || keep > recovered.bits.len() {
        return false;
    }
    let starts = &recovered.starts;
    if starts[keep] - starts[keep - PERIOD_CELLS] < (PERIOD_CELLS as f64) * MIN_PERIOD {
        return false;
    }
    let dropped = recovered.bits.len() - keep;
    recovered.bits.truncate(keep);
    recovered.middles.truncate(keep);
    recovered.starts.truncate(keep + 1);
    let first = Survivor {
        tracker: start(recovered, origin, direction, history),
        polarity: 1.0,
        metric: 0.0,
        free_metric: 0.0,
    };
    // Index 0 holds the reading whose last boundary is positive, 1 negative.
    let mut survivors = [Some(first), None];
    let mut path = [[Step::default(); 2]; MAX_CELLS + MAX_DROPPED];
    let room = recovered.bits.capacity() - keep;
    let mut cells = 0;
    while cells < (dropped.min(MAX_DROPPED) + MAX_CELLS).min(room) {
        // Into each state, the better of the (at most two) ways in (its
        // metrics, survivor and bit), and the other's metrics.
        let mut next: [Option<([f32; 2], u8, u8)>; 2] = [None, None];
        let mut rival = [[f32::NEG_INFINITY; 2]; 2];
        for (i, survivor) in survivors.iter().enumerate() {
            let Some(survivor) = survivor else { continue };
            if !survivor.tracker.within(direction, history) {
                continue;
            }
            for bit in [0u8, 1] {
                let [with_prior, free] =
                    survivor
                        .tracker
                        .branch(history, direction, survivor.polarity, bit);
                let metric = [survivor.metric + with_prior, survivor.free_metric + free];
                let polarity = if bit == 0 {
                    -survivor.polarity
                } else {
                    survivor.polarity
                };
                let state = usize::from(polarity < 0.0);
                match next[state] {
                    Some((best, _, _)) if metric[0] <= best[0] => rival[state] = metric,
                    Some((best, _, _)) => {
                        rival[state] = best;
                        next[state] = Some((metric, i as u8, bit));
                    }
                    None => next[state] = Some((metric, i as u8, bit)),
                }
            }
        }
        if next.iter().all(Option::is_none) {
            break;
        }
        let mut advanced = [None, None];
        for (state, choice) in next.into_iter().enumerate() {
            let Some((metric, from, bit)) = choice else {
                continue;
            };
            let mut survivor = survivors[usize::from(from)]
                .clone()
                .expect("a live survivor");
            let (middle, height, strayed) =
                survivor
                    .tracker
                    .advance(history, direction, survivor.polarity, bit);
            survivor.polarity = if state == 0 { 1.0 } else { -1.0 };
            [survivor.metric, survivor.free_metric] = metric;
            path[cells][state] = Step {
                from,
                bit,
                middle,
                end: survivor.tracker.found,
                margin: metric[0] - rival[state][0],
                height,
                free_margin: metric[1] - rival[state][1],
                strayed,
            };
            advanced[state] = Some(survivor);
        }
        survivors = advanced;
        cells += 1;
    }
    // Trace the best reading back, then append it in reading order.
    let Some(best) = (0..2).filter(|&s| survivors[s].is_some()).max_by(|&a, &b| {
        let metric = |s: usize| survivors[s].as_ref().map_or(f32::MIN, |v| v.metric);
        metric(a).total_cmp(&metric(b))
    }) else {
        return true;
    };
    let mut states = [0u8; MAX_CELLS + MAX_DROPPED];
    let mut state = best as u8;
    for cell in (0..cells).rev() {
        states[cell] = state;
        state = path[cell][usize::from(state)].from;
    }
    let cells = slip(&path[..cells], &states[..cells]).unwrap_or(cells);
    let mut boundary = origin + direction * recovered.starts[keep];
    for (cell, &state) in path[..cells].iter().zip(&states) {
        let step = cell[usize::from(state)];
        let last = recovered.starts[recovered.starts.len() - 1];
        recovered.bits.push(step.bit);
        recovered.middles.push(step.middle);
        recovered
            .starts
            .push(last + (step.end - boundary) * direction);
        boundary = step.end;
    }
    let tracker = &survivors[best].as_ref().expect("the best survivor").tracker;
    let read = keep..recovered.bits.len();
    let noise = zero_middle_noise(tracker, history, recovered, read, origin, direction);
    mark_unsure(&path[..cells], &states[..cells], noise, keep, recovered);
    true
}

/// Where the chosen reading lost the clock, if it did: the first strayed
/// cell ([`Step::strayed`]) of the first [`SLIP_WINDOW`] cells holding
/// [`SLIP_STRAYS`] or more. Past it the cells are read at the wrong times:
/// a splice of two swipes was read on into the second card's bits there,
/// and its last characters kept parity and the LRC by chance.
fn slip(path: &[[Step; 2]], states: &[u8]) -> Option<usize> {
    let strayed = |cell: usize| path[cell][usize::from(states[cell])].strayed;
    let mut in_window = 0;
    for cell in 0..states.len() {
        in_window += usize::from(strayed(cell));
        if cell >= SLIP_WINDOW {
            in_window -= usize::from(strayed(cell - SLIP_WINDOW));
        }
        if in_window >= SLIP_STRAYS {
            let window = cell.saturating_sub(SLIP_WINDOW - 1)..=cell;
            return window.into_iter().find(|&cell| strayed(cell));
        }
    }
    None
}

/// The noise power at one point of the pulse shape, as the matched filter
/// sees it: the mean squared score, over the shape's energy, at the
/// middles of the `0` cells among `cells`, where no pulse is (infinite
/// when there are none).
fn zero_middle_noise(
    tracker: &Tracker,
    history: &SignalHistory,
    recovered: &RecoveredBits,
    cells: std::ops::Range<usize>,
    origin: f64,
    direction: f64,
) -> f32 {
    let mut sum = 0.0f32;
    let mut count = 0usize;
    for i in cells {
        if recovered.bits[i] == 0 {
            let middle = 0.5 * (recovered.starts[i] + recovered.starts[i + 1]);
            let score = tracker.score(history, origin + direction * middle);
            sum += score * score;
            count += 1;
        }
    }
    if count == 0 {
        return f32::INFINITY;
    }
    sum / count as f32 / tracker.energy().max(f32::MIN_POSITIVE)
}

/// Lists in `recovered.unsure` the bits from `keep` on that a reading
/// nearly as likely as the chosen one read the other way: where the
/// Viterbi search chose a way into a cell's state by less than
/// [`UNSURE_NATS`], every bit the discarded way differed in until it joined
/// the chosen one. And where a cell's end pulse was lost (none of the
/// expected sign anywhere it was looked for), the faint cells around it:
/// the tracker's timing there is a guess until the pulses come back, and a
/// guess can be confidently wrong (a dropout read `45` as `76`, parity and
/// LRC kept). Where a cell's end pulse is faint, the way into it must be
/// likelier with the pulse heights free too: the height prior reads a
/// dropout's `11` (five pulses at a fifth of the shape) as `00` (three)
/// with a wide margin, in two characters that keep parity and the LRC.
/// (`path` and `states`: the search's steps and the chosen state of each
/// cell; `noise`: [`zero_middle_noise`] over the cells read.)
fn mark_unsure(
    path: &[[Step; 2]],
    states: &[u8],
    noise: f32,
    keep: usize,
    recovered: &mut RecoveredBits,
) {
    let chosen = |cell: usize| path[cell][usize::from(states[cell])];
    recovered.unsure.retain(|&bit| bit < keep);
    for cell in 0..states.len() {
        let step = chosen(cell);
        let margin = if step.height < FAINT {
            step.margin.min(step.free_margin)
        } else {
            step.margin
        };
        if margin / noise >= UNSURE_NATS {
            continue;
        }
        recovered.unsure.push(keep + cell);
        // The discarded way came from the other state before this cell.
        let mut other = 1 - step.from;
        for earlier in (0..cell).rev() {
            if other == states[earlier] {
                break;
            }
            let theirs = path[earlier][usize::from(other)];
            if theirs.bit != chosen(earlier).bit {
                recovered.unsure.push(keep + earlier);
            }
            other = theirs.from;
        }
    }
    let faint = |cell: usize| chosen(cell).height < FAINT;
    for lost in (0..states.len()).filter(|&cell| chosen(cell).height <= 0.0) {
        let mut from = lost;
        while from > 0 && faint(from - 1) {
            from -= 1;
        }
        let mut to = lost + 1;
        while to < states.len() && faint(to) {
            to += 1;
        }
        recovered.unsure.extend((from..to).map(|cell| keep + cell));
    }
    recovered.unsure.sort_unstable();
    recovered.unsure.dedup();
}

impl Default for Step {
    fn default() -> Step {
        Step {
            from: 0,
            bit: 0,
            middle: 0.0,
            end: 0.0,
            margin: f32::INFINITY,
            height: 1.0,
            free_margin: f32::INFINITY,
            strayed: false,
        }
    }
}

/// The tracker at the end of the kept bits: the period of their last
/// cells, and the mean pulse at their last transitions, each turned to the
/// sign of the last boundary's (whichever that is).
fn start(
    recovered: &RecoveredBits,
    origin: f64,
    direction: f64,
    history: &SignalHistory,
) -> Tracker {
    let keep = recovered.bits.len();
    let starts = &recovered.starts;
    let period = (starts[keep] - starts[keep - PERIOD_CELLS]) / PERIOD_CELLS as f64;
    let trend = rate_trend(starts, keep);
    let absolute = |relative: f64| origin + direction * relative;
    let mut tracker = Tracker {
        boundary: absolute(starts[keep]),
        found: absolute(starts[keep]),
        period,
        trend,
        slowest: 4.0 * period,
        shape: [0.0; SHAPE_POINTS],
        noise: 0.0,
    };
    let mut sum = [0.0f32; SHAPE_POINTS];
    let mut count = 0usize;
    let mut add = |time: f64, sign: f32| {
        for (k, point) in sum.iter_mut().enumerate() {
            *point += sign * history.at(time + tracker.offset(k));
        }
        count += 1;
    };
    let mut sign = 1.0f32;
    add(absolute(starts[keep]), sign);
    for i in (keep - LOOK_BACK..keep).rev() {
        let cell = starts[i + 1] - starts[i];
        if recovered.bits[i] == 1 {
            sign = -sign;
            add(
                absolute(starts[i] + f64::from(recovered.middles[i]) * cell),
                sign,
            );
        }
        sign = -sign;
        add(absolute(starts[i]), sign);
    }
    for (point, total) in tracker.shape.iter_mut().zip(sum) {
        *point = total / count as f32;
    }
    let last = keep.saturating_sub(TREND_CELLS)..keep;
    let noise = zero_middle_noise(&tracker, history, recovered, last, origin, direction);
    tracker.noise = if noise.is_finite() { noise } else { 0.0 };
    tracker
}

/// The change of the rate (cells per sample) per cell over the last
/// [`TREND_CELLS`] kept cells, by least squares.
fn rate_trend(starts: &[f64], keep: usize) -> f64 {
    let n = TREND_CELLS.min(keep);
    let (mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0);
    for i in keep - n..keep {
        let x = i as f64;
        let y = 1.0 / (starts[i + 1] - starts[i]).max(f64::MIN_POSITIVE);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    let m = n as f64;
    let denominator = m * sxx - sx * sx;
    if denominator <= 0.0 {
        return 0.0;
    }
    (m * sxy - sx * sy) / denominator
}

impl Tracker {
    /// Where shape point `k` lies from the transition, in samples.
    fn offset(&self, k: usize) -> f64 {
        let step = 2.0 * SHAPE_REACH_CELLS / (SHAPE_POINTS - 1) as f64;
        (k as f64 * step - SHAPE_REACH_CELLS) * self.period
    }

    /// The input at `time` correlated with the pulse shape: the shape's
    /// energy for a pulse like it there, minus that for one of the other sign.
    fn score(&self, history: &SignalHistory, time: f64) -> f32 {
        (0..SHAPE_POINTS)
            .map(|k| self.shape[k] * history.at(time + self.offset(k)))
            .sum()
    }

    /// The shape's energy: the score of a pulse exactly like it.
    fn energy(&self) -> f32 {
        self.shape.iter().map(|v| v * v).sum()
    }

    /// The time near `time` where a pulse of sign `sign` (relative to the
    /// shape's) scores best, that score, and whether the place just beyond
    /// the search (on the side the best one is at its end) scores better.
    fn find(&self, history: &SignalHistory, time: f64, sign: f32) -> (f64, f32, bool) {
        let step = (SEARCH_CELLS * self.period / SEARCH_STEPS).max(1.0);
        let reach = (SEARCH_CELLS * self.period / step).ceil() as i64;
        let score = |j: i64| sign * self.score(history, time + j as f64 * step);
        // The scores of the search and one place beyond each end, so the
        // best one's neighbours are at hand.
        let mut scores = [0.0f32; 2 * SEARCH_STEPS as usize + 5];
        let width = (2 * reach + 3) as usize;
        for (k, slot) in scores.iter_mut().enumerate().take(width) {
            *slot = score(k as i64 - reach - 1);
        }
        let (mut best, mut best_score) = (0i64, scores[reach as usize + 1]);
        for j in -reach..=reach {
            let s = scores[(j + reach + 1) as usize];
            if s > best_score {
                (best, best_score) = (j, s);
            }
        }
        let at = |j: i64| scores[(j + reach + 1) as usize];
        let (before, after) = (at(best - 1), at(best + 1));
        let beyond =
            (best == -reach && before > best_score) || (best == reach && after > best_score);
        let curve = before - 2.0 * best_score + after;
        let shift = if curve < 0.0 {
            (0.5 * (before - after) / curve).clamp(-0.5, 0.5)
        } else {
            0.0
        };
        (
            time + (best as f64 + f64::from(shift)) * step,
            best_score,
            beyond,
        )
    }

    /// Moves the shape a little towards the input around a pulse read at
    /// `time` with sign `sign`.
    fn learn(&mut self, history: &SignalHistory, time: f64, sign: f32) {
        for k in 0..SHAPE_POINTS {
            let seen = sign * history.at(time + self.offset(k));
            self.shape[k] += SHAPE_GAIN * (seen - self.shape[k]);
        }
    }

    /// Whether the next cell and its pulses are still within the history.
    fn within(&self, direction: f64, history: &SignalHistory) -> bool {
        let reach = direction * (1.0 + SEARCH_CELLS + SHAPE_REACH_CELLS) * self.period;
        history.holds(self.boundary + reach)
    }

    /// The log-likelihood (up to a constant) of the next cell holding `bit`
    /// when the last boundary's pulse has sign `polarity`: a `1` puts a
    /// pulse of the other sign in the middle and one of this sign at the
    /// end, a `0` one of the other sign at the end. The pulses' height is
    /// the likeliest for the cell given the [`HEIGHT_SPREAD`] prior around
    /// the shape's; and, second, free (a generalized likelihood ratio),
    /// which [`mark_unsure`] checks faint cells with. A pulse of the wrong
    /// sign costs what it costs free, plus the prior's cost of no pulse.
    fn branch(&self, history: &SignalHistory, direction: f64, polarity: f32, bit: u8) -> [f32; 2] {
        let end = self.score(history, self.boundary + direction * self.period);
        let (sum, pulses) = if bit == 0 {
            (-polarity * end, 1.0)
        } else {
            let middle = self.score(history, self.boundary + direction * self.period / 2.0);
            (-polarity * middle + polarity * end, 2.0)
        };
        let energy = pulses * self.energy().max(f32::MIN_POSITIVE);
        let free = sum * sum.abs() / (2.0 * energy);
        // The prior's weight: the data's is the energy over the noise.
        let prior = self.noise / (HEIGHT_SPREAD * HEIGHT_SPREAD);
        if sum < 0.0 {
            return [free - prior / 2.0, free];
        }
        let height = (sum + prior) / (energy + prior);
        let stray = height - 1.0;
        let with_prior =
            height * sum - height * height * energy / 2.0 - prior * stray * stray / 2.0;
        [with_prior, free]
    }

    /// Moves past the next cell, read as `bit` after a boundary of sign
    /// `polarity`: times its pulses, follows the speed and learns the
    /// pulses' shape. Returns where the middle fell (a fraction of the
    /// cell; 0 for a `0`), the end pulse's height ([`Step::height`]) and
    /// whether a pulse lay beyond the search ([`Step::strayed`]).
    fn advance(
        &mut self,
        history: &SignalHistory,
        direction: f64,
        polarity: f32,
        bit: u8,
    ) -> (f32, f32, bool) {
        let end = self.boundary + direction * self.period;
        let end_sign = if bit == 1 { polarity } else { -polarity };
        let (found_end, end_score, mut strayed) = self.find(history, end, end_sign);
        let cell = ((found_end - self.found) * direction).max(f64::MIN_POSITIVE);
        let mut fraction = 0.0;
        if bit == 1 {
            let middle = self.boundary + direction * self.period / 2.0;
            let (found_middle, _, middle_strayed) = self.find(history, middle, -polarity);
            strayed |= middle_strayed;
            fraction = ((found_middle - self.found) * direction / cell) as f32;
            self.learn(history, found_middle, -polarity);
        }
        let height = end_score / self.energy().max(f32::MIN_POSITIVE);
        self.learn(history, found_end, end_sign);
        self.found = found_end;
        let error = (found_end - self.boundary) * direction - self.period;
        self.boundary += direction * (self.period + PHASE_GAIN * error);
        self.period += PERIOD_GAIN * error;
        // The speed goes on changing as it did where the chain read.
        let rate = 1.0 / self.period;
        self.trend = self.trend.clamp(-MAX_TREND * rate, MAX_TREND * rate);
        self.period = (1.0 / (rate + self.trend)).clamp(self.slowest / 16.0, self.slowest);
        (fraction.clamp(0.0, 1.0), height, strayed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples per cell of the test signal.
    const PERIOD: f64 = 30.0;

    /// Gaussian noise from a fixed seed (xorshift and Box-Muller).
    fn noise(seed: u64, count: usize, sigma: f32) -> Vec<f32> {
        let mut state = seed;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        (0..count)
            .map(|_| {
                let (u, v) = (uniform(), uniform());
                sigma * ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
            })
            .collect()
    }

    /// The boundaries of `cells` cells of a steady [`PERIOD`] from sample 100.
    fn steady(cells: usize) -> Vec<f64> {
        (0..=cells).map(|k| 100.0 + k as f64 * PERIOD).collect()
    }

    /// F2F pulses for `bits` in cells bounded by `bounds` (one more than
    /// the bits), each `height(cell)` tall, plus `noise`.
    fn f2f(bits: &[u8], bounds: &[f64], height: impl Fn(usize) -> f32, noise: &[f32]) -> Vec<f32> {
        let mut pulses = Vec::new();
        for (cell, &bit) in bits.iter().enumerate() {
            pulses.push((bounds[cell], height(cell)));
            if bit == 1 {
                pulses.push((0.5 * (bounds[cell] + bounds[cell + 1]), height(cell)));
            }
        }
        pulses.push((bounds[bits.len()], height(bits.len() - 1)));
        let mut signal = noise.to_vec();
        let mut sign = 1.0f32;
        for (time, height) in pulses {
            for (n, sample) in signal.iter_mut().enumerate() {
                let u = (n as f64 - time) / 2.0;
                *sample += sign * height / (1.0 + (u * u) as f32);
            }
            sign = -sign;
        }
        signal
    }

    /// What a chain read of the last `strong` cells (bounded by `bounds`),
    /// backwards in time from the last transition: their bits and starts.
    fn strong_end(bits: &[u8], bounds: &[f64], strong: usize) -> RecoveredBits {
        let mut recovered = RecoveredBits::with_capacity(bits.len() + 8);
        let last = bounds[bits.len()];
        for (k, &bit) in bits.iter().rev().take(strong).enumerate() {
            recovered.bits.push(bit);
            recovered.middles.push(if bit == 1 { 0.5 } else { 0.0 });
            recovered.starts.push(last - bounds[bits.len() - k]);
        }
        recovered.starts.push(last - bounds[bits.len() - strong]);
        recovered
    }

    /// Reads `bits` (in cells bounded by `bounds`, drawn `height` tall over
    /// `noise`) back in time from the last `strong` cells, which a chain is
    /// taken to have read: the bits in time order, and the reading.
    fn read_back(
        bits: &[u8],
        bounds: &[f64],
        height: impl Fn(usize) -> f32,
        noise: &[f32],
        strong: usize,
    ) -> (Vec<u8>, RecoveredBits) {
        let signal = f2f(bits, bounds, height, noise);
        let mut history = SignalHistory::new(8_000.0);
        history.extend(&signal);
        let mut recovered = strong_end(bits, bounds, strong);
        let last = bounds[bits.len()];
        assert!(extend(&mut recovered, strong, last, -1.0, &history));
        (recovered.bits.iter().rev().copied().collect(), recovered)
    }

    fn pattern(cells: usize) -> Vec<u8> {
        // Clocking zeros, then a mix of ones and zeros.
        (0..cells)
            .map(|k| u8::from(k >= 12 && (k * 7 + k / 3) % 5 < 2))
            .collect()
    }

    #[test]
    fn reads_a_faint_start_from_the_strong_end() {
        // The first 80 cells are a fifth of the last 40's height, their
        // pulses under 2 standard deviations of the noise.
        let bits = pattern(120);
        let samples = 100 + 121 * PERIOD as usize + 100;
        let height = |cell: usize| if cell < 80 { 0.2 } else { 1.0 };
        let noise = noise(7, samples, 0.11);
        let (read, recovered) = read_back(&bits, &steady(120), height, &noise, 40);
        // It reads on past the first cell into the silence before it.
        assert!(read.len() > bits.len(), "{} cells", read.len());
        let start = read.len() - bits.len();
        assert_eq!(&read[start..], &bits[..]);
        // The cells, timed where their pulses were found, keep the period.
        let cells: Vec<f64> = recovered.starts.windows(2).map(|w| w[1] - w[0]).collect();
        let mean = cells[..120].iter().sum::<f64>() / 120.0;
        assert!((mean - PERIOD).abs() < 0.5, "{mean}");
        assert!(cells[..120]
            .iter()
            .all(|c| (c - PERIOD).abs() < PERIOD / 4.0));
    }

    #[test]
    fn ones_in_a_dropout_stay_ones() {
        // Six `1`s at a fifth of the level, the rest at full level: against
        // the shape's own height, fewer pulses read likelier and `11`
        // became `00`, which keeps parity; the cell's own height does not.
        let mut bits = pattern(100);
        bits[50..56].fill(1);
        let samples = 100 + 101 * PERIOD as usize + 100;
        let height = |cell: usize| if (50..56).contains(&cell) { 0.2 } else { 1.0 };
        let (read, _) = read_back(&bits, &steady(100), height, &noise(5, samples, 0.01), 30);
        assert_eq!(&read[read.len() - bits.len()..], &bits[..]);
    }

    #[test]
    fn too_few_bits_to_learn_from_leave_the_reading_alone() {
        let bits = pattern(40);
        let bounds = steady(40);
        let signal = f2f(&bits, &bounds, |_| 1.0, &noise(3, 1_400, 0.01));
        let mut history = SignalHistory::new(8_000.0);
        history.extend(&signal);
        let last = bounds[40];
        let mut recovered = strong_end(&bits, &bounds, LOOK_BACK - 1);
        let before = recovered.bits.clone();
        assert!(!extend(&mut recovered, LOOK_BACK - 1, last, -1.0, &history));
        assert_eq!(recovered.bits, before);
    }

    #[test]
    fn a_speed_changing_on_through_the_faint_part_is_followed() {
        // Each cell 1.3 % longer than the one before, as near the slow end
        // of a swipe changing 5x: read back from the slow end, the period
        // shrinks faster than the tracking loop alone follows.
        let bits = pattern(100);
        let mut bounds = vec![100.0];
        for k in 0..100 {
            bounds.push(bounds[k] + 16.0 * 1.013f64.powi(k as i32));
        }
        let samples = bounds[100] as usize + 100;
        let height = |cell: usize| if cell < 60 { 0.2 } else { 1.0 };
        let (read, _) = read_back(&bits, &bounds, height, &noise(9, samples, 0.05), 40);
        // Without the trend it read 83 cells, the last 43 of them wrong.
        assert!(read.len() >= bits.len(), "{} cells", read.len());
        assert_eq!(&read[read.len() - bits.len()..], &bits[..]);
    }

    #[test]
    fn a_reading_stops_where_a_splice_throws_the_clock() {
        // The first 60 cells come from another swipe: 15 % slower, and
        // joined on almost half a cell out of phase. Read back from the
        // last 40, the reading stops at the join instead of reading the
        // other swipe's bits at the wrong times.
        let bits = pattern(120);
        let mut bounds = vec![100.0];
        for k in 0..120 {
            let cell = match k {
                0..59 => PERIOD * 1.15,
                59 => PERIOD * 1.6,
                _ => PERIOD,
            };
            bounds.push(bounds[k] + cell);
        }
        let samples = bounds[120] as usize + 100;
        let (read, _) = read_back(&bits, &bounds, |_| 1.0, &noise(4, samples, 0.05), 40);
        assert!(read.len() < 70, "{} cells", read.len());
        assert_eq!(&read[read.len() - 58..], &bits[62..]);
        // Joined in step, the same cells read on to the first.
        let steady = steady(120);
        let (read, _) = read_back(&bits, &steady, |_| 1.0, &noise(4, samples, 0.05), 40);
        assert_eq!(&read[read.len() - bits.len()..], &bits[..]);
    }

    #[test]
    fn seven_strayed_cells_in_sixteen_are_a_slip() {
        let (mut path, states) = sure_path(48);
        // A stray every third cell is a worn card's jitter: 6 in any 16.
        for cell in (0..48).step_by(3) {
            path[cell][0].strayed = true;
        }
        assert_eq!(slip(&path, &states), None);
        let (mut path, states) = sure_path(48);
        for cell in (20..34).step_by(2) {
            path[cell][0].strayed = true;
        }
        assert_eq!(slip(&path, &states), Some(20));
        path[32][0].strayed = false;
        assert_eq!(slip(&path, &states), None);
    }

    /// A path of `cells` cells, state 0 throughout, every way into it sure.
    fn sure_path(cells: usize) -> (Vec<[Step; 2]>, Vec<u8>) {
        (vec![[Step::default(); 2]; cells], vec![0; cells])
    }

    #[test]
    fn a_near_equal_way_in_marks_the_bits_it_differs_in() {
        let (mut path, states) = sure_path(12);
        // At cell 8 the discarded way came from state 1, which had left
        // the chosen path after cell 4 and read cells 5 and 7 the other way.
        path[8][0] = Step {
            from: 0,
            margin: 1.0,
            ..Step::default()
        };
        for (cell, (from, bit)) in [(5, (0, 1)), (6, (1, 0)), (7, (1, 1))] {
            path[cell][1] = Step {
                from,
                bit,
                ..Step::default()
            };
        }
        let mut recovered = RecoveredBits::with_capacity(64);
        recovered.unsure.extend([3, 20]);
        mark_unsure(&path, &states, 2.0 / UNSURE_NATS, 10, &mut recovered);
        // Bit 3 was the chain's and stays; 20 was read again and is judged anew.
        assert_eq!(recovered.unsure, [3, 15, 17, 18]);
        // Likelier by the limit, the same way in is sure.
        recovered.unsure.clear();
        mark_unsure(&path, &states, 1.0 / UNSURE_NATS, 10, &mut recovered);
        assert!(recovered.unsure.is_empty());
    }

    #[test]
    fn a_faint_cell_chosen_only_for_the_prior_is_unsure() {
        // Cell 6's way in is far likelier with the height prior, but not
        // with the heights free: where its end pulse is faint (a dropout's
        // `11` read as `00`), that makes it and the bits the other way
        // read differently unsure; where the pulse is strong, it does not.
        let (mut path, states) = sure_path(10);
        path[6][0] = Step {
            margin: 40.0,
            free_margin: 1.0,
            height: 0.3,
            ..Step::default()
        };
        path[5][1] = Step {
            from: 0,
            bit: 1,
            ..Step::default()
        };
        let mut recovered = RecoveredBits::with_capacity(64);
        mark_unsure(&path, &states, 1.0, 0, &mut recovered);
        assert_eq!(recovered.unsure, [5, 6]);
        path[6][0].height = 0.9;
        recovered.unsure.clear();
        mark_unsure(&path, &states, 1.0, 0, &mut recovered);
        assert!(recovered.unsure.is_empty());
    }

    #[test]
    fn the_faint_cells_around_a_lost_pulse_are_unsure() {
        let (mut path, states) = sure_path(12);
        for (cell, height) in [(3, 0.3), (4, -0.1), (5, 0.2), (6, 0.8), (9, 0.1)] {
            path[cell][0].height = height;
        }
        let mut recovered = RecoveredBits::with_capacity(64);
        mark_unsure(&path, &states, 1.0, 0, &mut recovered);
        // Cell 9 is faint but nothing was lost near it.
        assert_eq!(recovered.unsure, [3, 4, 5]);
    }
}
