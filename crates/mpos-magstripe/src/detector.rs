//! One peak-detector chain: adaptive-threshold peak picking over one of the
//! decoder's (smoothed) signals, and the log of the swipe's transitions. The
//! decoder runs several chains with different settings side by side
//! (Square's decoder runs three) and keeps whichever candidate passes the
//! acceptance checks.
//!
//! A chain's swipe (its "segment") opens at the first pulse over the noise
//! threshold and closes after a silence of several transition intervals.
//! Between swipes a block whose every sample is under the threshold only
//! updates the noise floor, which keeps the decoder far faster than real time.
//!
//! The noise floor is not known when the stream starts: the first 10 ms
//! may be silence or the middle of a swipe (real recordings start
//! mid-swipe, a few clocking zeros before the record). So the chain detects
//! from the first sample with the pulses' envelope alone as its threshold,
//! and after the warm-up judges what it saw: a segment whose intervals are
//! an F2F swipe's goes on (and the floor is learnt after it), anything
//! else was noise, is dropped, and gives the floor. When that "noise" was a
//! swipe after all, the quiet after it falls well under the first floor
//! (`floor_settled_under_first`), and the decoder reads the start again.

use super::front_end::Signal;
use super::peak_picker::{PeakPicker, PickerSettings};
use super::transition_log::TransitionLog;

/// Transitions one swipe can leave: track 1 across a whole card at 210 bpi
/// is about 1,400, with room for noise before the swipe.
pub(super) const LOG_CAPACITY: usize = 4096;
/// How many of the longest recent intervals of silence end a swipe.
const SILENCE_INTERVALS: f64 = 5.0;
/// Per interval, the remembered longest interval shrinks by this factor.
const LONGEST_DECAY: f64 = 0.97;
/// Until a segment has this many transitions, only the longest silence ends
/// it: a stray noise peak before the first pulses must not set a short one.
const ESTABLISHED: usize = 16;
/// Longest recent intervals without a transition after which the
/// threshold sags (F2F has a transition in every cell).
const SAG_AFTER: f64 = 1.15;
/// How far under the threshold a block's peak must be for the block to
/// be passed whole ([`Detector::passes_quiet`]).
const QUIET_MARGIN: f32 = 0.999;
/// The silence that ends a swipe never exceeds this (seconds).
const MAX_SILENCE_S: f64 = 0.06;
/// Nor is it ever shorter than this (seconds).
const MIN_SILENCE_S: f64 = 0.0015;
/// Time constant of the noise-floor estimate (seconds).
const NOISE_TIME_S: f32 = 0.01;
/// Input spent learning the noise floor before the first detection (seconds).
const WARM_UP_S: f32 = 0.01;
/// After this long (seconds) a segment is not a swipe; the noise floor learns again.
const LONGEST_SWIPE_S: f64 = 2.0;
/// Score bounds of the regularity test: an F2F swipe's consecutive intervals
/// are in ratio 1, 2 or 1/2; noise peaks' are not. Each regular pair adds 1,
/// each irregular one takes 2; at the floor the segment is taken for noise
/// and the noise floor learns again (it is frozen during swipes), so a jump
/// in the noise level does not hold a segment open for seconds.
const REGULARITY_FLOOR: i32 = -16;
const REGULARITY_CEILING: i32 = 16;
/// A segment open at the end of a warm-up is a swipe once its regularity
/// score reaches this (an F2F swipe's every pair is regular; smoothed noise
/// has near-equal intervals often enough to pass a lower bar).
const SWIPE_REGULARITY: i32 = 12;
/// Irregular pairs a segment open from the start may have and still be a
/// swipe: the recording may cut its first pulse; smoothed noise, whose
/// intervals are often near-equal, has many more.
const WARM_UP_IRREGULAR: u32 = 1;
/// How many times quieter (in power) than the floor the warm-up took the
/// quiet after it must be for the warm-up to have been a swipe's middle
/// taken for noise: 6 dB, where the noise of one input wanders far less.
const FLOOR_FALL: f32 = 4.0;
/// The floor has settled once it stays within this factor (in power, about
/// 1 dB) for the time the decoder asks: the quiet after a swipe, not the
/// fading end of one slowing down (about 2 dB in that time).
const FLOOR_SETTLED: f32 = 1.25;
/// How many warm-ups a slow swipe may take to reach that score (a 4 ips
/// track 2 swipe has three bit cells in one warm-up) before it is taken
/// for noise.
const WARM_UP_PATIENCE: u64 = 6;

/// Settings of one chain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DetectorSettings {
    /// The chain's name, as `decode-wav --explain` prints it.
    pub name: &'static str,
    /// The signal the chain looks at.
    pub signal: Signal,
    /// Threshold settings.
    pub picker: PickerSettings,
}

/// A block of one of the decoder's signals, with its statistics.
#[derive(Debug, Clone)]
pub(super) struct Block {
    /// The samples.
    pub samples: Vec<f32>,
    /// Largest magnitude in the block.
    pub peak: f32,
    /// Mean square of the block.
    pub power: f32,
}

impl Block {
    /// An empty block with room for `capacity` samples.
    pub(super) fn with_capacity(capacity: usize) -> Block {
        Block {
            samples: Vec::with_capacity(capacity),
            peak: 0.0,
            power: 0.0,
        }
    }

    /// Computes the peak and power of the samples now held.
    pub(super) fn measure(&mut self) {
        // Eight independent lanes, and `>` rather than `f32::max` (whose
        // NaN rule keeps it scalar), so the compiler vectorizes the pass.
        let mut largest = [0.0f32; 8];
        let mut energy = [0.0f32; 8];
        let chunks = self.samples.chunks_exact(8);
        let rest = chunks.remainder();
        let mut add = |lane: usize, y: f32| {
            let square = y * y;
            largest[lane] = if square > largest[lane] {
                square
            } else {
                largest[lane]
            };
            energy[lane] += square;
        };
        for chunk in chunks {
            for (lane, &y) in chunk.iter().enumerate() {
                add(lane, y);
            }
        }
        for (lane, &y) in rest.iter().enumerate() {
            add(lane, y);
        }
        let largest = largest
            .iter()
            .fold(0.0f32, |a, &b| if b > a { b } else { a });
        // The root of the largest square is the largest magnitude.
        self.peak = largest.sqrt();
        self.power = energy.iter().sum::<f32>() / self.samples.len().max(1) as f32;
    }
}

/// One chain's state.
#[derive(Debug, Clone)]
pub(super) struct Detector {
    picker: PeakPicker,
    log: TransitionLog,
    open: bool,
    segment_start: u64,
    last_activity: u64,
    silence: u64,
    last_peak: f64,
    sag_at: u64,
    last_interval: f64,
    longest_interval: f64,
    regularity: i32,
    irregular: u32,
    noisy: bool,
    warm_up: u64,
    warm_up_end: u64,
    min_silence: f64,
    max_silence: u64,
    longest_swipe: u64,
    /// The first noise floor taken (power; 0 until then).
    first_floor: f32,
    /// The floor when it last moved by more than [`FLOOR_SETTLED`], and the
    /// sample it moved at.
    floor_mark: (f32, u64),
}

impl Detector {
    /// A chain for `sample_rate`; every buffer is allocated here.
    pub(super) fn new(settings: PickerSettings, sample_rate: f32) -> Detector {
        Detector {
            picker: PeakPicker::new(settings, NOISE_TIME_S * sample_rate),
            log: TransitionLog::new(LOG_CAPACITY),
            open: false,
            segment_start: 0,
            last_activity: 0,
            silence: 0,
            last_peak: 0.0,
            sag_at: u64::MAX,
            last_interval: 0.0,
            longest_interval: 0.0,
            regularity: 0,
            irregular: 0,
            noisy: false,
            warm_up: (WARM_UP_S * sample_rate) as u64,
            warm_up_end: (WARM_UP_S * sample_rate) as u64,
            min_silence: MIN_SILENCE_S * f64::from(sample_rate),
            max_silence: (MAX_SILENCE_S * f64::from(sample_rate)) as u64,
            longest_swipe: (LONGEST_SWIPE_S * f64::from(sample_rate)) as u64,
            first_floor: 0.0,
            floor_mark: (0.0, 0),
        }
    }

    /// Scans `block.samples[from..]`, the first of which is sample
    /// `first_index` of the stream. Returns how many samples were consumed
    /// when a segment closes (its transitions are then ready in
    /// [`Detector::transitions`]), or `None` when the block is done.
    pub(super) fn scan(&mut self, block: &Block, from: usize, first_index: u64) -> Option<usize> {
        self.scan_runs(block, from, first_index, true)
    }

    /// [`Detector::scan`], passing quiet runs whole when `runs` (the tests
    /// compare against stepping through every sample).
    fn scan_runs(
        &mut self,
        block: &Block,
        from: usize,
        first_index: u64,
        runs: bool,
    ) -> Option<usize> {
        let samples = &block.samples[from..];
        let idle = from == 0 && !self.open && self.picker.noise_known();
        if idle && block.peak <= self.picker.threshold() {
            let last = samples.last().copied().unwrap_or(0.0);
            self.picker
                .learn_noise_block(block.power, samples.len(), last);
            return None;
        }
        if from == 0 && self.passes_quiet(block, first_index) {
            return None;
        }
        let mut k = 0;
        while k < samples.len() {
            if runs {
                // Where a run ends inside the block, the next sample is one
                // that needs a step.
                k += self.follow(&samples[k..], first_index + k as u64);
                if k == samples.len() {
                    break;
                }
            }
            if self.step(samples[k], first_index + k as u64) {
                return Some(k + 1);
            }
            k += 1;
        }
        if idle && !self.open {
            // Peaks over the threshold that opened no swipe. The block is
            // learnt whole, after the scan: learning sample by sample while
            // scanning lifted the threshold over the very pulse about to
            // cross it, so a swipe growing out of the noise (real swipes
            // grow 15x) never opened this chain.
            let last = samples.last().copied().unwrap_or(0.0);
            self.picker
                .learn_noise_mean(block.power, samples.len(), last);
        }
        None
    }

    /// Passes a whole block of an open segment at once when stepping
    /// through it would only wait: no sample over the threshold, no sag,
    /// no noise to learn and no close within it. A segment a noise peak
    /// opened waits the longest silence (60 ms) before it closes, and the
    /// integrated chains' narrow-band noise opens several a second, so
    /// they stepped through two thirds of the input this way. True when
    /// the block was passed.
    fn passes_quiet(&mut self, block: &Block, first_index: u64) -> bool {
        let Some(last) = (first_index + block.samples.len() as u64).checked_sub(1) else {
            return false;
        };
        // The peak is the root of the largest square: a hair under the
        // largest magnitude at worst, hence the margin.
        let quiet = block.peak < QUIET_MARGIN * self.picker.threshold();
        let waiting = self.open
            && self.picker.noise_known()
            && !self.noisy
            && last <= self.sag_at
            && last - self.segment_start <= self.longest_swipe
            && last - self.last_activity <= self.silence;
        if !(quiet && waiting) {
            return false;
        }
        self.picker.pass_quiet(&block.samples, first_index);
        true
    }

    /// Steps through `samples` (the first is sample `index`) while
    /// stepping would only wait or follow a lobe of the sign sought: up to
    /// the next transition, sag, close, noise learning or a swipe's first
    /// pulse. Returns how many samples it took.
    fn follow(&mut self, samples: &[f32], index: u64) -> usize {
        let learning = self.open && (self.noisy || index - self.segment_start > self.longest_swipe);
        if !self.picker.noise_known() || learning {
            return 0;
        }
        // The first sample at which stepping would do more (a close is
        // only ever later than this, as the lobe's samples put it off).
        let mut event = self.sag_at.saturating_add(1);
        if self.open {
            let close = self.last_activity + self.silence + 1;
            let learn = self.segment_start + self.longest_swipe + 1;
            event = event.min(close).min(learn);
        }
        let room = event.saturating_sub(index).min(samples.len() as u64) as usize;
        let (taken, last_loud) = self.picker.follow(&samples[..room], index, self.open);
        if let Some(last) = last_loud {
            self.last_activity = last;
        }
        taken
    }

    /// Processes one sample; true when a segment has just closed.
    #[inline]
    fn step(&mut self, y: f32, index: u64) -> bool {
        if !self.picker.noise_known() {
            self.picker.learn_noise(y);
            if index >= self.warm_up_end {
                self.judge_warm_up(index);
            }
        } else if self.open && (self.noisy || index - self.segment_start > self.longest_swipe) {
            self.picker.learn_noise(y);
        }
        if index > self.sag_at {
            // No transition for over a cell in an established swipe: a
            // dropout (worn oxide, the card lifting). Halve the envelope each
            // half cell so the weak pulses inside it are still picked.
            self.picker.sag();
            self.sag_at += ((0.5 * self.longest_interval) as u64).max(1);
        }
        let mut active = false;
        if let Some(peak) = self.picker.process(y, index, &mut active) {
            self.record(peak.time);
        }
        if active {
            if !self.open {
                self.open = true;
                self.segment_start = index;
                self.longest_interval = 0.0;
                self.silence = self.max_silence;
                self.regularity = 0;
                self.irregular = 0;
                self.noisy = false;
            }
            self.last_activity = index;
            return false;
        }
        self.open && index - self.last_activity > self.silence
    }

    /// The end of a warm-up: a segment that reads as a swipe goes on (the
    /// floor will be learnt after it); otherwise the floor learnt during the
    /// warm-up is the noise's, and the segment (noise) is dropped.
    fn judge_warm_up(&mut self, index: u64) {
        if self.open && !self.noisy && self.irregular <= WARM_UP_IRREGULAR {
            if self.regularity >= SWIPE_REGULARITY {
                self.picker.forget_noise();
                self.warm_up_end = u64::MAX;
                return;
            }
            let patience = self.segment_start + WARM_UP_PATIENCE * self.warm_up;
            if self.regularity > 0 && index < patience {
                return;
            }
        }
        self.take_floor();
        if self.open {
            self.picker.end_segment();
            self.log.clear();
            self.open = false;
            self.last_interval = 0.0;
        }
    }

    /// Takes what was learnt so far as the noise floor, remembering the
    /// first floor taken.
    fn take_floor(&mut self) {
        self.picker.know_noise();
        if self.first_floor == 0.0 {
            self.first_floor = self.picker.noise_power().max(f32::MIN_POSITIVE);
        }
    }

    /// Starts with `power` as the noise floor, learnt elsewhere: no warm-up.
    pub(super) fn preset_floor(&mut self, power: f32) {
        self.picker.preset_noise(power);
        self.warm_up_end = u64::MAX;
        self.first_floor = power.max(f32::MIN_POSITIVE);
    }

    /// The noise floor's power as learnt so far.
    pub(super) fn noise_power(&self) -> f32 {
        self.picker.noise_power()
    }

    /// Whether the quiet learnt by sample `now` is [`FLOOR_FALL`] times
    /// quieter than the first floor taken and has held within
    /// [`FLOOR_SETTLED`] for `settle` samples (or at once when `ended`):
    /// the warm-up then took a swipe under way when the stream began
    /// (faint, or too noisy to read as F2F) for noise, and the threshold it
    /// set hid that swipe. Call once a block to follow the floor.
    pub(super) fn floor_settled_under_first(&mut self, now: u64, settle: u64, ended: bool) -> bool {
        let floor = self.picker.noise_power();
        let mark = self.floor_mark.0;
        if floor > mark * FLOOR_SETTLED || floor * FLOOR_SETTLED < mark {
            self.floor_mark = (floor, now);
        }
        !self.open
            && self.picker.noise_known()
            && floor * FLOOR_FALL < self.first_floor
            && (ended || now >= self.floor_mark.1 + settle)
    }

    fn record(&mut self, time: f64) {
        if self.log.len() > 0 {
            let interval = time - self.last_peak;
            self.longest_interval = interval.max(LONGEST_DECAY * self.longest_interval);
            if self.last_interval > 0.0 {
                let ratio = interval / self.last_interval;
                let regular = (0.75..=1.33).contains(&ratio)
                    || (0.4..=0.625).contains(&ratio)
                    || (1.6..=2.5).contains(&ratio);
                self.regularity = if regular {
                    (self.regularity + 1).min(REGULARITY_CEILING)
                } else {
                    self.irregular += 1;
                    self.regularity - 2
                };
                if self.regularity <= REGULARITY_FLOOR {
                    self.noisy = true;
                    if !self.picker.noise_known() && self.warm_up_end == u64::MAX {
                        // Not a swipe after all: its level is the floor's.
                        self.take_floor();
                    }
                }
            }
            self.last_interval = interval;
        }
        self.last_peak = time;
        self.sag_at = if self.log.len() + 1 >= ESTABLISHED {
            (time + SAG_AFTER * self.longest_interval) as u64
        } else {
            u64::MAX
        };
        self.log.push(time);
        self.silence = if self.log.len() < ESTABLISHED {
            self.max_silence
        } else {
            let max = self.max_silence as f64;
            (SILENCE_INTERVALS * self.longest_interval).clamp(self.min_silence, max) as u64
        };
    }

    /// Closes the segment: the last extreme becomes the final transition.
    pub(super) fn close(&mut self) {
        self.last_interval = 0.0;
        if let Some(peak) = self.picker.end_segment() {
            self.record(peak.time);
        }
        self.open = false;
        self.sag_at = u64::MAX;
        if !self.picker.noise_known() {
            // A swipe that was under way when the stream began: learn the
            // floor now, after it (the segment closes a silence after its
            // last activity).
            self.warm_up_end = self.last_activity + self.silence + self.warm_up;
        }
    }

    /// Whether a segment is open.
    pub(super) fn is_open(&self) -> bool {
        self.open
    }

    /// The sample at which the closed segment opened.
    pub(super) fn segment_start(&self) -> u64 {
        self.segment_start
    }

    /// The closed segment's transitions.
    pub(super) fn transitions(&self) -> &TransitionLog {
        &self.log
    }

    /// Forgets the closed segment's transitions.
    pub(super) fn clear(&mut self) {
        self.log.clear();
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

    /// Runs `signal` through a chain in blocks of 64; returns the transition
    /// count of every segment that closed.
    fn segments(signal: &[f32], rate: f32) -> Vec<usize> {
        closings(signal, SETTINGS, rate, true)
            .iter()
            .map(|(_, times)| times.len())
            .collect()
    }

    fn pulses(count: usize, spacing: usize, start: usize, len: usize) -> Vec<f32> {
        let mut signal = vec![0.0f32; len];
        for k in 0..count {
            let centre = start + k * spacing;
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            for (n, s) in signal.iter_mut().enumerate().skip(centre - 6).take(13) {
                let t = n as f32 - centre as f32;
                *s += sign * (-t * t / 4.0).exp();
            }
        }
        signal
    }

    /// Where each segment of `signal` (at `rate`) closed and its
    /// transitions, in blocks of 64, each passed whole when it can be
    /// (`whole`) or always stepped through sample by sample.
    fn closings(
        signal: &[f32],
        settings: PickerSettings,
        rate: f32,
        whole: bool,
    ) -> Vec<(u64, Vec<f64>)> {
        let mut detector = Detector::new(settings, rate);
        let mut block = Block::with_capacity(64);
        let mut closed = Vec::new();
        for (b, chunk) in signal.chunks(64).enumerate() {
            block.samples.clear();
            block.samples.extend_from_slice(chunk);
            block.measure();
            if !whole {
                block.peak = f32::INFINITY;
            }
            let mut from = 0;
            while let Some(consumed) =
                detector.scan_runs(&block, from, (b * 64 + from) as u64, whole)
            {
                from += consumed;
                detector.close();
                let mut times = Vec::new();
                detector.transitions().copy_into(&mut times);
                closed.push(((b * 64 + from) as u64, times));
                detector.clear();
            }
        }
        closed
    }

    #[test]
    fn quiet_blocks_and_runs_passed_whole_change_nothing() {
        // Noise, a lone noise peak that opens a segment (which then waits
        // the longest silence in quiet blocks), a swipe, and a swipe with a
        // dropout (the threshold sags inside a run): in peak and in
        // zero-crossing mode, the same segments close at the same samples
        // with the same transitions as when every sample is stepped through.
        let mut state = 3u32;
        let mut signal: Vec<f32> = (0..30_000)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                0.001 * ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
            })
            .collect();
        signal[6_000] += 0.05;
        for (s, p) in signal[12_000..].iter_mut().zip(pulses(50, 40, 100, 18_000)) {
            *s += p;
        }
        let mut dropout = pulses(60, 40, 2_000, 20_000);
        for s in &mut dropout[3_180..3_380] {
            *s *= 0.2;
        }
        signal.extend(dropout);
        for crossing in [false, true] {
            let settings = PickerSettings {
                crossing,
                ..SETTINGS
            };
            let whole = closings(&signal, settings, 44_100.0, true);
            assert_eq!(whole.len(), 3, "the peak's segment and the swipes'");
            if !crossing {
                // (Zero-crossing mode reads these single-lobed pulses badly.)
                assert_eq!(whole[2].1.len(), 60, "every pulse of the dropout swipe");
            }
            assert_eq!(whole, closings(&signal, settings, 44_100.0, false));
        }
        // Slow pulses 200 samples apart with no noise; after the second, a
        // faint tail crosses zero inside a quiet block, long before the
        // third: in zero-crossing mode that crossing times a transition.
        let mut signal = vec![0.0f32; 6_000];
        signal.extend(pulses(2, 200, 100, 600));
        signal[6_308..6_450].fill(-1e-5);
        signal[6_450..6_600].fill(1e-5);
        signal.extend(pulses(20, 200, 100, 8_000));
        let settings = PickerSettings {
            crossing: true,
            ..SETTINGS
        };
        let whole = closings(&signal, settings, 44_100.0, true);
        assert_eq!(whole[0].1[1], 6_449.5);
        assert_eq!(whole, closings(&signal, settings, 44_100.0, false));
    }

    #[test]
    fn a_burst_of_pulses_is_one_segment_closed_by_silence() {
        let signal = pulses(50, 40, 2_000, 20_000);
        assert_eq!(segments(&signal, 44_100.0), vec![50]);
    }

    #[test]
    fn pulses_at_a_fifth_of_the_level_in_a_dropout_are_still_picked() {
        // Pulses 30 to 34 of 60 fall to a fifth of the level: under the
        // threshold of 0.3 of the envelope, but it sags a little over a cell
        // after the last confirmed transition (which is one pulse behind,
        // confirmed when the next crosses), before the first weak pulse.
        let mut signal = pulses(60, 40, 2_000, 20_000);
        for (n, s) in signal.iter_mut().enumerate() {
            if (2_000 + 30 * 40 - 20..2_000 + 35 * 40 - 20).contains(&n) {
                *s *= 0.2;
            }
        }
        assert_eq!(segments(&signal, 44_100.0), vec![60]);
    }

    #[test]
    fn two_swipes_with_a_pause_are_two_segments() {
        let mut signal = pulses(30, 40, 2_000, 10_000);
        signal.extend(pulses(20, 40, 1_000, 10_000));
        assert_eq!(segments(&signal, 44_100.0), vec![30, 20]);
    }

    #[test]
    fn a_swipe_under_way_when_the_stream_starts_is_detected() {
        // No silence before it: the pulses begin at the first samples.
        let mut signal = pulses(60, 40, 6, 10_000);
        // Then a second swipe after a pause: the floor learnt after the first.
        signal.extend(pulses(30, 40, 2_000, 10_000));
        assert_eq!(segments(&signal, 44_100.0), vec![60, 30]);
    }

    #[test]
    fn noise_at_the_start_is_dropped_and_sets_the_floor() {
        let mut state = 5u32;
        let mut signal: Vec<f32> = (0..4_000)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                0.01 * ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
            })
            .collect();
        signal.extend(pulses(50, 40, 1_000, 10_000));
        assert_eq!(segments(&signal, 44_100.0), vec![50]);
    }

    #[test]
    fn a_jump_in_the_noise_level_does_not_hold_a_segment_open() {
        // Quiet noise, then noise 20 times louder for a second: the chain
        // must take it for noise, relearn the floor and close.
        let mut state = 1u32;
        let mut noise = |level: f32| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            level * ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
        };
        let mut signal: Vec<f32> = (0..4_410).map(|_| noise(0.001)).collect();
        signal.extend((0..44_100).map(|_| noise(0.02)));
        signal.extend((0..22_050).map(|_| noise(0.02)));
        let mut detector = Detector::new(SETTINGS, 44_100.0);
        let mut block = Block::with_capacity(64);
        let mut open_at_end = Vec::new();
        for (b, chunk) in signal.chunks(64).enumerate() {
            block.samples.clear();
            block.samples.extend_from_slice(chunk);
            block.measure();
            let mut from = 0;
            while let Some(consumed) = detector.scan(&block, from, (b * 64 + from) as u64) {
                detector.close();
                detector.clear();
                from += consumed;
            }
            open_at_end.push(detector.is_open());
        }
        // Well within the loud second the chain is idle again, and stays so.
        let tail = &open_at_end[open_at_end.len() - 400..];
        assert!(tail.iter().all(|open| !open), "still open");
    }
}
