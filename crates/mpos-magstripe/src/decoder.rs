//! The streaming decoder: PCM in, accepted swipes out.
//!
//! Samples go through in blocks: the front end removes DC and makes the
//! four signals the five detector chains read; each chain picks transitions and
//! notices where a swipe ends. Then that chain's transitions are decoded
//! into bits (forwards and backwards in time, so each end of the card can
//! train the clock), the bits are framed as track 2, 1 and 3 in both card
//! directions, and the candidate that passes every check (framing and a
//! steady clock; not the payment fields, see [`crate::TrackKind`]) is
//! reported at once. Later candidates from other chains
//! for the same swipe are dropped; two different accepted texts from one
//! chain are taken for noise and dropped too. When no chain's segment reads
//! alone, two chains' segments of the same stretch are joined where they
//! agree (`join`: a swipe whose speed changes 5x is read best by one chain
//! at its slow end and another at its fast end) and read again. Last, the
//! clock-aided reader (`clock_aided`) reads on from a chain's bits through
//! a faint end or a dropout in the input itself, kept in a
//! `SignalHistory`. Every read then waits a few milliseconds for the quiet
//! after the swipe, whose noise must match the quiet before it
//! (`noise_floor`): two recordings cut together are not one swipe.
//!
//! Nothing on the per-sample path allocates: the chains, logs and bit
//! buffers are sized in [`MagstripeDecoder::new`]. Only an accepted swipe
//! allocates, for the [`DecodedSwipe`] it returns.

use super::clock::{recover_bits, steady, RecoveredBits};
use super::clock_aided;
use super::detector::{Detector, DetectorSettings, LOG_CAPACITY};
use super::error::MagstripeError;
use super::front_end::{FrontEnd, Signal};
use super::join::{join, Unread, JOIN_AT};
use super::noise_floor::{is_one_input, Quiet};
use super::peak_picker::PickerSettings;
use super::signal_history::SignalHistory;
use super::swipe::{DecodedSwipe, DecodedTrack, Direction};
use super::track_format::{TrackFormat, TRACK1, TRACK2, TRACK3};

/// Lowest sample rate accepted.
pub const MIN_SAMPLE_RATE: u32 = 8_000;
/// Highest sample rate accepted.
pub const MAX_SAMPLE_RATE: u32 = 48_000;

/// Period-tracking gain of the clock.
pub(super) const CLOCK_GAIN: f64 = 0.15;
/// Fewest transitions worth decoding: the shortest track 2 has about 150.
pub(super) const MIN_TRANSITIONS: usize = 40;
/// Samples processed per block.
const BLOCK: usize = 256;
/// How long a chain's noise floor must hold still after falling before the
/// stream's start is read again (seconds).
const SETTLE_S: f64 = 0.04;

/// The detector chains. Each suits a regime of the head signal; all run on
/// every sample and the first accepted candidate wins. (Variants with other
/// thresholds were measured and added nothing over these.)
pub(super) const DETECTORS: [DetectorSettings; 5] = [
    // Pulses as the head makes them: medium and fast swipes.
    DetectorSettings {
        name: "raw pulses",
        signal: Signal::Raw,
        picker: PickerSettings {
            relative: 0.3,
            noise_factor: 5.0,
            crossing: false,
        },
    },
    // Slow swipes near the phone's high-pass corner: each pulse became a
    // doublet, and its zero crossing is the transition.
    DetectorSettings {
        name: "smoothed, zero crossings",
        signal: Signal::Smoothed,
        picker: PickerSettings {
            relative: 0.3,
            noise_factor: 5.0,
            crossing: true,
        },
    },
    // Slow pulses through a low high-pass corner (100 to 200 Hz) are
    // neither pulses nor doublets but in between; integrating once makes
    // them pulses again, and keeps the wideband noise out of the faint
    // start of a swipe that speeds up.
    DetectorSettings {
        name: "integrated pulses",
        signal: Signal::Integrated,
        picker: PickerSettings {
            relative: 0.3,
            noise_factor: 5.0,
            crossing: false,
        },
    },
    // Slower still (or a higher corner): the filter has differentiated the
    // pulses twice; integrating once brings back the doublets. The
    // integration also keeps most of the wideband noise out.
    DetectorSettings {
        name: "integrated, zero crossings",
        signal: Signal::Integrated,
        picker: PickerSettings {
            relative: 0.3,
            noise_factor: 5.0,
            crossing: true,
        },
    },
    // Dense track 1 at speed: pulses overlap and the slimming equalizer
    // separates them again.
    DetectorSettings {
        name: "slimmed pulses",
        signal: Signal::Slimmed,
        picker: PickerSettings {
            relative: 0.25,
            noise_factor: 5.0,
            crossing: false,
        },
    },
];

/// Buffers reused by every decode attempt.
#[derive(Debug, Clone)]
struct Scratch {
    times: Vec<f64>,
    intervals: Vec<f64>,
    recovered: RecoveredBits,
    card_bits: Vec<u8>,
    /// `recovered.unsure` in card order.
    card_unsure: Vec<usize>,
    text: String,
    accepted: String,
    /// The clock-aided reader's first accepted text, awaiting a second.
    agreed: String,
    /// The text of the read waiting for the splice check ([`Held`]).
    held: String,
    /// What the clock-aided reader did on its last segment.
    aided: AidedTally,
}

/// What the clock-aided reader did with one segment (for `explain`).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct AidedTally {
    /// Readings made (one per starting point and time direction).
    pub readings: usize,
    /// Readings that framed a track at a steady clock, starting in the
    /// chain's own bits.
    pub framed: usize,
    /// Readings that framed at a steady clock but were refused because
    /// their unsure bits could make another record
    /// ([`TrackFormat::could_be_misread`]).
    pub unsure: usize,
    /// Where the first framed reading took over from the chain, in samples.
    pub took_over: Option<f64>,
    /// Whether two readings agreed, so the track was accepted.
    pub accepted: bool,
}

/// A track found in one segment.
#[derive(Debug, Clone, Copy)]
struct Found {
    track: u8,
    direction: Direction,
    speed_ips: f32,
    /// The record's first bit and the end of its last, in the order the
    /// bits were recovered.
    record: (usize, usize),
}

/// A closed segment as one chain saw it, kept only by an observing decoder
/// (`explain`): which chain, when, and its transition times in samples.
#[derive(Debug, Clone)]
pub(super) struct ObservedSegment {
    /// Index into [`DETECTORS`].
    pub chain: usize,
    /// First sample of the segment.
    pub start: u64,
    /// Sample at which it closed.
    pub end: u64,
    /// Transition times, in samples.
    pub times: Vec<f64>,
}

/// Streaming magnetic-stripe decoder for one audio channel (one head).
///
/// Push samples in chunks of any size; each push returns the swipes that
/// ended within it, usually about 5 ms after the card leaves the head (the
/// splice check waits 4 ms for the quiet after it; about 50 ms for a swipe
/// only the clock-aided reader reads, or at `finish`). Give it ~10 ms of
/// input before the swipe to learn the noise; it keeps the last 2 seconds
/// of input. A stream that starts mid-swipe without those 10 ms may be
/// read only once the quiet after the swipe has settled (about 40 ms of it
/// more than 6 dB under the warm-up's floor), or at `finish`.
#[derive(Debug, Clone)]
pub struct MagstripeDecoder {
    sample_rate: u32,
    front: FrontEnd,
    /// The DC-free input of the last seconds, for the clock-aided reader.
    history: SignalHistory,
    detectors: Vec<(Signal, Detector)>,
    scratch: Scratch,
    index: u64,
    last_emitted: u64,
    /// Every closed segment, when explaining (never on the reader).
    observed: Option<Vec<ObservedSegment>>,
    /// Every accepted join, when explaining.
    observed_joins: Option<Vec<ObservedJoin>>,
    /// What the clock-aided reader did with each chain's segment it tried
    /// (the chain's index into [`DETECTORS`]), when explaining.
    observed_aided: Option<Vec<(usize, AidedTally)>>,
    /// Each chain's last segment no reading accepted, for a join.
    unread: Vec<Unread>,
    /// A read waiting for the quiet after it (the splice check).
    held: Option<Held>,
    /// Every splice check made, when explaining.
    observed_splices: Option<Vec<ObservedSplice>>,
    /// Whether the stream's start was read again, or can no longer be.
    start_replayed: bool,
    /// The clock-aided reader's first framed reading of a stretch (its
    /// text in `scratch.agreed`), awaiting a second reading, of any chain's
    /// segment, that agrees.
    aided_first: Option<FirstReading>,
    /// The stream's start read again, when explaining.
    observed_replays: Option<Vec<ObservedReplay>>,
}

/// The stream's start read again ([`MagstripeDecoder`] says when), kept
/// only by an observing decoder.
#[derive(Debug, Clone, Copy)]
pub(super) struct ObservedReplay {
    /// The sample at which it was read again.
    pub at: u64,
    /// The first of the observed segments that reading closed.
    pub first_segment: usize,
    /// The swipes it read.
    pub swipes: usize,
}

/// A splice check on a read swipe, kept only by an observing decoder
/// (`explain`).
#[derive(Debug, Clone, Copy)]
pub(super) struct ObservedSplice {
    /// Where the quiet after the swipe starts, in samples.
    pub at: f64,
    /// The noise before and after it (second-difference RMS), when both
    /// sides could be measured.
    pub noise: Option<(f32, f32)>,
    /// Whether the read was reported.
    pub one_input: bool,
}

/// A read swipe waiting for [`noise_floor`](super::noise_floor)'s check of
/// the quiet after it: a few milliseconds, so two recordings cut together
/// are not reported as one swipe.
#[derive(Debug, Clone, Copy)]
struct Held {
    /// The read; its text waits in `Scratch::held`.
    found: Found,
    /// Where the quiet around it lies.
    quiet: Quiet,
}

/// The swipe `found` read, with its `text`.
fn held_swipe(found: Found, text: &str) -> DecodedSwipe {
    DecodedSwipe {
        tracks: vec![DecodedTrack {
            track: found.track,
            characters: text.to_owned(),
        }],
        direction: found.direction,
        speed_ips: found.speed_ips,
    }
}

/// Two chains' segments joined into a read swipe, kept only by an observing
/// decoder (`explain`).
#[derive(Debug, Clone, Copy)]
pub(super) struct ObservedJoin {
    /// The chain whose transitions come first (index into [`DETECTORS`]).
    pub head: usize,
    /// The chain whose transitions follow.
    pub tail: usize,
    /// Where they were joined, in samples.
    pub at: f64,
}

impl MagstripeDecoder {
    /// A decoder that also keeps every closed segment for [`crate::explain`].
    pub(super) fn observing(sample_rate: u32) -> Result<MagstripeDecoder, MagstripeError> {
        let mut decoder = MagstripeDecoder::new(sample_rate)?;
        decoder.observed = Some(Vec::new());
        decoder.observed_joins = Some(Vec::new());
        decoder.observed_aided = Some(Vec::new());
        decoder.observed_splices = Some(Vec::new());
        decoder.observed_replays = Some(Vec::new());
        Ok(decoder)
    }

    /// The start read again, if it was (observing decoders only).
    pub(super) fn take_observed_replays(&mut self) -> Vec<ObservedReplay> {
        self.observed_replays
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The joins kept so far (observing decoders only).
    pub(super) fn take_observed_joins(&mut self) -> Vec<ObservedJoin> {
        self.observed_joins
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The clock-aided readings kept so far (observing decoders only).
    pub(super) fn take_observed_aided(&mut self) -> Vec<(usize, AidedTally)> {
        self.observed_aided
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The splice checks kept so far (observing decoders only).
    pub(super) fn take_observed_splices(&mut self) -> Vec<ObservedSplice> {
        self.observed_splices
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The segments kept so far (observing decoders only).
    pub(super) fn take_observed(&mut self) -> Vec<ObservedSegment> {
        self.observed
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// A decoder for PCM at `sample_rate` Hz (8 to 48 kHz).
    pub fn new(sample_rate: u32) -> Result<MagstripeDecoder, MagstripeError> {
        if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate) {
            return Err(MagstripeError::UnsupportedSampleRate { rate: sample_rate });
        }
        let rate = sample_rate as f32;
        let detectors = DETECTORS
            .iter()
            .map(|settings| (settings.signal, Detector::new(settings.picker, rate)))
            .collect();
        let max_chars = TRACK3.max_chars.max(TRACK1.max_chars);
        Ok(MagstripeDecoder {
            sample_rate,
            front: FrontEnd::new(rate, BLOCK),
            history: SignalHistory::new(rate),
            detectors,
            scratch: Scratch {
                times: Vec::with_capacity(LOG_CAPACITY),
                intervals: Vec::with_capacity(LOG_CAPACITY),
                recovered: RecoveredBits::with_capacity(LOG_CAPACITY),
                card_bits: Vec::with_capacity(LOG_CAPACITY),
                card_unsure: Vec::with_capacity(LOG_CAPACITY),
                text: String::with_capacity(max_chars),
                accepted: String::with_capacity(max_chars),
                agreed: String::with_capacity(max_chars),
                held: String::with_capacity(max_chars),
                aided: AidedTally::default(),
            },
            index: 0,
            last_emitted: 0,
            observed: None,
            observed_joins: None,
            observed_aided: None,
            unread: DETECTORS
                .iter()
                .map(|_| Unread::with_capacity(LOG_CAPACITY))
                .collect(),
            held: None,
            observed_splices: None,
            start_replayed: false,
            aided_first: None,
            observed_replays: None,
        })
    }

    /// The sample rate the decoder was built for.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Samples consumed so far.
    pub fn samples_seen(&self) -> u64 {
        self.index
    }

    /// Feeds float samples (full scale ±1.0); returns the swipes that ended.
    pub fn push_f32(&mut self, samples: &[f32]) -> Vec<DecodedSwipe> {
        let mut swipes = Vec::new();
        for chunk in samples.chunks(BLOCK) {
            self.front.load(chunk);
            self.run_block(&mut swipes);
        }
        swipes
    }

    /// Feeds 16-bit samples; returns the swipes that ended.
    pub fn push_i16(&mut self, samples: &[i16]) -> Vec<DecodedSwipe> {
        let mut swipes = Vec::new();
        let mut converted = [0.0f32; BLOCK];
        for chunk in samples.chunks(BLOCK) {
            for (out, &x) in converted.iter_mut().zip(chunk) {
                *out = f32::from(x) / 32_768.0;
            }
            self.front.load(&converted[..chunk.len()]);
            self.run_block(&mut swipes);
        }
        swipes
    }

    /// Ends the stream: closes any swipe under way and returns what it held.
    pub fn finish(&mut self) -> Vec<DecodedSwipe> {
        let mut swipes = Vec::new();
        for d in 0..self.detectors.len() {
            if self.detectors[d].1.is_open() {
                self.end_segment(d, self.index, &mut swipes);
            }
        }
        for _ in 0..self.unread.len() {
            self.read_with_clock(None, &mut swipes);
        }
        self.release_held(true, &mut swipes);
        if !self.start_replayed {
            self.replay_a_hidden_start(true, &mut swipes);
        }
        swipes
    }

    fn run_block(&mut self, swipes: &mut Vec<DecodedSwipe>) {
        self.history.extend(&self.front.block(Signal::Raw).samples);
        self.release_held(false, swipes);
        for d in 0..self.detectors.len() {
            let mut from = 0;
            loop {
                let (signal, detector) = &mut self.detectors[d];
                let block = self.front.block(*signal);
                let Some(consumed) = detector.scan(block, from, self.index + from as u64) else {
                    break;
                };
                from += consumed;
                self.end_segment(d, self.index + from as u64, swipes);
            }
        }
        self.index += self.front.len() as u64;
        self.read_with_clock(Some(self.index), swipes);
        if !self.start_replayed {
            self.replay_a_hidden_start(false, swipes);
        }
    }

    /// Reads the stream's start again when the quiet now learnt shows the
    /// warm-up took a swipe under way for noise (a recording that starts
    /// mid-swipe, faint or noisy): a fresh decoder that knows this floor
    /// from its first sample goes over the input kept since. Once a
    /// stream at most, within the input kept, and only while nothing was
    /// read, held or is being read; it allocates that decoder. The floor
    /// must have settled first, unless the stream has `ended`.
    fn replay_a_hidden_start(&mut self, ended: bool, swipes: &mut Vec<DecodedSwipe>) {
        if self.last_emitted > 0 || !self.history.holds(0.0) {
            self.start_replayed = true;
            return;
        }
        let settle = (SETTLE_S * f64::from(self.sample_rate)) as u64;
        let mut settled_lower = false;
        for (_, detector) in &mut self.detectors {
            // Every chain follows its floor, so no short-circuit.
            settled_lower |= detector.floor_settled_under_first(self.index, settle, ended);
        }
        let idle = self.held.is_none()
            && self.detectors.iter().all(|(_, d)| !d.is_open())
            && self.unread.iter().all(|u| !u.clock_aided);
        if !idle || !settled_lower {
            return;
        }
        self.start_replayed = true;
        let observing = self.observed.is_some();
        let again = if observing {
            MagstripeDecoder::observing(self.sample_rate)
        } else {
            MagstripeDecoder::new(self.sample_rate)
        };
        let Ok(mut again) = again else { return };
        again.start_replayed = true;
        for ((_, fresh), (_, seen)) in again.detectors.iter_mut().zip(&self.detectors) {
            fresh.preset_floor(seen.noise_power());
        }
        // The kept input is already DC-free; the fresh decoder's own DC
        // blocker passes it nearly unchanged.
        let mut found = Vec::new();
        let mut block = [0.0f32; BLOCK];
        let mut at = 0;
        while at < self.index {
            let n = (self.index - at).min(BLOCK as u64) as usize;
            for (k, sample) in block[..n].iter_mut().enumerate() {
                *sample = self.history.at((at + k as u64) as f64);
            }
            found.extend(again.push_f32(&block[..n]));
            at += n as u64;
        }
        found.extend(again.finish());
        if observing {
            self.observe_replay(&mut again, found.len());
        }
        if !found.is_empty() {
            self.last_emitted = self.index;
            self.unread.iter_mut().for_each(|u| u.waiting = false);
            swipes.extend(found);
        }
    }

    fn end_segment(&mut self, d: usize, now: u64, swipes: &mut Vec<DecodedSwipe>) {
        let detector = &mut self.detectors[d].1;
        detector.close();
        if let Some(observed) = &mut self.observed {
            let mut times = Vec::new();
            detector.transitions().copy_into(&mut times);
            observed.push(ObservedSegment {
                chain: d,
                start: detector.segment_start(),
                end: now,
                times,
            });
        }
        let same_swipe = detector.segment_start() < self.last_emitted;
        if !same_swipe && detector.transitions().len() >= MIN_TRANSITIONS {
            detector.transitions().copy_into(&mut self.scratch.times);
            let found = decode_segment(&mut self.scratch, self.sample_rate).or_else(|| {
                let detector = &self.detectors[d].1;
                self.unread[d].keep(detector.transitions(), detector.segment_start(), now);
                self.join_with_others(d)
            });
            match found {
                Some(found) => self.emit(found, now, swipes),
                None => self.unread[d].clock_aided = true,
            }
        }
        self.detectors[d].1.clear();
    }

    /// Reads the track in `scratch.accepted` and forgets the segments that
    /// waited for a join or the clock-aided reader; reports it once the
    /// quiet after it shows it is one recording ([`Held`]).
    fn emit(&mut self, found: Found, now: u64, swipes: &mut Vec<DecodedSwipe>) {
        // One read waits at a time; an earlier one is judged on what quiet
        // it has (a swipe cannot follow another within the wait).
        self.release_held(true, swipes);
        load_intervals(&mut self.scratch);
        let quiet = Quiet::around(
            &self.scratch.times,
            &mut self.scratch.intervals,
            self.last_emitted as f64,
            self.sample_rate,
        );
        self.last_emitted = now;
        self.unread.iter_mut().for_each(|u| {
            u.waiting = false;
            u.clock_aided = false;
        });
        self.scratch.held.clear();
        self.scratch.held.push_str(&self.scratch.accepted);
        match quiet {
            Some(quiet) => {
                self.held = Some(Held { found, quiet });
                self.release_held(false, swipes);
            }
            None => swipes.push(held_swipe(found, &self.scratch.held)),
        }
    }

    /// Reports the held read once the input holds the quiet after it (or
    /// on what quiet there is, `at_once`), unless that quiet is another
    /// input's.
    fn release_held(&mut self, at_once: bool, swipes: &mut Vec<DecodedSwipe>) {
        let Some(held) = self.held else { return };
        let ready = self.history.holds(held.quiet.tail_to);
        if !(ready || at_once) {
            return;
        }
        self.held = None;
        let until = if ready {
            held.quiet.tail_to
        } else {
            self.history.end()
        };
        let noise = held.quiet.noise(&self.history, until);
        let one_input = is_one_input(noise);
        if let Some(observed) = &mut self.observed_splices {
            observed.push(ObservedSplice {
                at: held.quiet.tail_from,
                noise,
                one_input,
            });
        }
        if one_input {
            swipes.push(held_swipe(held.found, &self.scratch.held));
        }
    }

    /// Once every chain has closed its segment of a stretch and had
    /// [`CLOCK_AIDED_WAIT_S`] more (or at the end of the stream, `now` =
    /// `None`), reads its longest unread segment with the clock-aided
    /// reader; the stretch's other segments follow in the next blocks until
    /// one reads. It is slow, so it waits for the chains rather than running
    /// on each one's segment as it closes.
    fn read_with_clock(&mut self, now: Option<u64>, swipes: &mut Vec<DecodedSwipe>) {
        let wait = (CLOCK_AIDED_WAIT_S * f64::from(self.sample_rate)) as u64;
        // A chain still reading the stretch may yet read it alone.
        let reading = |u: &Unread| {
            self.detectors
                .iter()
                .any(|(_, detector)| detector.is_open() && detector.segment_start() < u.end)
        };
        let ready =
            |u: &Unread| u.clock_aided && now.is_none_or(|now| now >= u.end + wait && !reading(u));
        let Some(d) = (0..self.unread.len())
            .filter(|&d| ready(&self.unread[d]))
            .max_by_key(|&d| self.unread[d].times.len())
        else {
            return;
        };
        let (start, end) = (self.unread[d].start, self.unread[d].end);
        // The longest segment first; the others of the stretch in the next
        // blocks, until one reads.
        self.unread[d].clock_aided = false;
        if start < self.last_emitted {
            return;
        }
        self.scratch.times.clear();
        self.scratch.times.extend_from_slice(&self.unread[d].times);
        // A first reading of another stretch is no evidence for this one.
        if self.aided_first.is_some_and(|first| first.until < start) {
            self.aided_first = None;
        }
        let found = clock_aided_reading(
            &mut self.scratch,
            self.sample_rate,
            &self.history,
            &mut self.aided_first,
            d,
            end,
        );
        if let Some(observed) = &mut self.observed_aided {
            observed.push((d, self.scratch.aided));
        }
        if let Some(found) = found {
            self.emit(found, end, swipes);
        }
    }

    /// Adds what the decoder that read the start again saw to what this
    /// one saw (observing decoders only).
    fn observe_replay(&mut self, again: &mut MagstripeDecoder, swipes: usize) {
        let (Some(segments), Some(joins), Some(aided), Some(splices), Some(replays)) = (
            &mut self.observed,
            &mut self.observed_joins,
            &mut self.observed_aided,
            &mut self.observed_splices,
            &mut self.observed_replays,
        ) else {
            return;
        };
        replays.push(ObservedReplay {
            at: self.index,
            first_segment: segments.len(),
            swipes,
        });
        segments.extend(again.take_observed());
        joins.extend(again.take_observed_joins());
        aided.extend(again.take_observed_aided());
        splices.extend(again.take_observed_splices());
    }

    /// Tries chain `d`'s unread segment joined with every other chain's
    /// unread segment of the same stretch (the `join` module says why),
    /// the earlier-starting one first.
    fn join_with_others(&mut self, d: usize) -> Option<Found> {
        for e in 0..self.unread.len() {
            if e == d || !self.unread[d].overlaps(&self.unread[e]) {
                continue;
            }
            let (mine, theirs) = (&self.unread[d], &self.unread[e]);
            let (head, tail, chains) = if mine.times.first() <= theirs.times.first() {
                (mine, theirs, (d, e))
            } else {
                (theirs, mine, (e, d))
            };
            for at in JOIN_AT {
                let Some(time) = join(&head.times, &tail.times, at, &mut self.scratch.times) else {
                    break;
                };
                if let Some(found) = decode_segment(&mut self.scratch, self.sample_rate) {
                    if let Some(joins) = &mut self.observed_joins {
                        joins.push(ObservedJoin {
                            head: chains.0,
                            tail: chains.1,
                            at: time,
                        });
                    }
                    return Some(found);
                }
            }
        }
        None
    }
}

/// Decodes the transition times in `scratch.times` into at most one track.
fn decode_segment(scratch: &mut Scratch, sample_rate: u32) -> Option<Found> {
    load_intervals(scratch);
    let mut found: Option<Found> = None;
    for backwards_in_time in [false, true] {
        recover_bits(
            &scratch.intervals,
            backwards_in_time,
            CLOCK_GAIN,
            &mut scratch.recovered,
        );
        if !read_recovered(scratch, backwards_in_time, sample_rate, &mut found) {
            return None;
        }
    }
    found
}

/// The intervals between the transitions in `scratch.times`.
fn load_intervals(scratch: &mut Scratch) {
    scratch.intervals.clear();
    let times = &scratch.times;
    scratch
        .intervals
        .extend(times.windows(2).map(|w| w[1] - w[0]));
}

/// The track the clock-aided reader finds in `scratch.times` when two of
/// its readings, started at different points, agree on it, and the record
/// starts in the chain's own bits. What it reads past the chain is timed
/// in noise (a faint end, a dropout), so the steady-clock check says less
/// there than in a chain's reading; one reading alone is not trusted. The
/// two may come from different chains' segments of one stretch, or from
/// one chain's different cuts: `first` holds the stretch's
/// first framed reading, and this segment, chain `chain`'s, ends at
/// `end_sample`.
fn clock_aided_reading(
    scratch: &mut Scratch,
    sample_rate: u32,
    history: &SignalHistory,
    first: &mut Option<FirstReading>,
    chain: usize,
    end_sample: u64,
) -> Option<Found> {
    load_intervals(scratch);
    scratch.aided = AidedTally::default();
    let (Some(&start), Some(&end)) = (scratch.times.first(), scratch.times.last()) else {
        return None;
    };
    // Only where the chains may have lost the clock for want of level: at
    // a faint end, read on from the other; in a dropout, from either end.
    // (Trying every segment both ways read a few more swipes at 12 dB, at
    // about 5 % of the throughput on clean swipes.)
    let edge = (end - start) * FAINT_EDGE;
    let early = history.mean_square(start, start + edge);
    let late = history.mean_square(end - edge, end);
    let dropout = has_dropout(history, start, end);
    let faint_start = dropout || late > FAINT_END_RATIO * FAINT_END_RATIO * early;
    let faint_end = dropout || early > FAINT_END_RATIO * FAINT_END_RATIO * late;
    for backwards_in_time in [true, false] {
        let faint = if backwards_in_time {
            faint_start
        } else {
            faint_end
        };
        if !faint {
            continue;
        }
        for cut in (CLOCK_AIDED_CUT_STEP..=CLOCK_AIDED_MAX_CUT).step_by(CLOCK_AIDED_CUT_STEP) {
            recover_bits(
                &scratch.intervals,
                backwards_in_time,
                CLOCK_GAIN,
                &mut scratch.recovered,
            );
            let recovered = &mut scratch.recovered;
            // A record must start in at least MIN_CHAIN_BITS_IN_RECORD of
            // the chain's bits (below), so fewer kept bits cannot give one.
            let Some(keep) = recovered
                .bits
                .len()
                .checked_sub(cut)
                .filter(|&keep| keep >= MIN_CHAIN_BITS_IN_RECORD)
            else {
                break;
            };
            let n = scratch.intervals.len();
            let (origin, direction) = if backwards_in_time {
                (scratch.times[n - recovered.first], -1.0)
            } else {
                (scratch.times[recovered.first], 1.0)
            };
            if !clock_aided::extend(recovered, keep, origin, direction, history) {
                break;
            }
            scratch.aided.readings += 1;
            let mut found = None;
            if !read_recovered(scratch, backwards_in_time, sample_rate, &mut found) {
                continue;
            }
            let Some(found) = found else { continue };
            // The reader completes a record the chain read most of; a
            // record wholly in what it read itself is not evidence enough.
            if keep.saturating_sub(found.record.0) < MIN_CHAIN_BITS_IN_RECORD {
                continue;
            }
            scratch.aided.framed += 1;
            match *first {
                None => {
                    *first = Some(FirstReading {
                        found,
                        until: end_sample,
                        chain,
                        cut,
                    });
                    scratch.aided.took_over =
                        Some(origin + direction * scratch.recovered.starts[keep]);
                    std::mem::swap(&mut scratch.accepted, &mut scratch.agreed);
                }
                Some(earlier) => {
                    // One chain reads the same transitions alike from the
                    // same cut, in any of its segments: one reading, not two.
                    // (Requiring cuts 16 apart: 96.0 % of the 12 dB target
                    // against 96.8 %; 64 apart: 92.0 %; two chains: 83.5 %.)
                    if earlier.chain == chain && earlier.cut == cut {
                        continue;
                    }
                    if earlier.found.track == found.track && scratch.accepted == scratch.agreed {
                        scratch.aided.accepted = true;
                        *first = None;
                        return Some(earlier.found);
                    }
                }
            }
        }
    }
    None
}

/// The first framed clock-aided reading of a stretch, which a second must
/// agree with.
#[derive(Debug, Clone, Copy)]
struct FirstReading {
    /// What it read.
    found: Found,
    /// The last sample of its segment: a later stretch's readings do not
    /// count with it.
    until: u64,
    /// The chain whose segment it read.
    chain: usize,
    /// The bits dropped from the chain's reading before it took over.
    cut: usize,
}

/// The share of a segment, at each end, whose level tells whether that end
/// is faint.
const FAINT_EDGE: f64 = 0.125;
/// How many times quieter (in RMS) than the other a segment's faint end
/// is. A chain that lost a slowing-down swipe's faint start may have kept
/// only its loud last third, whose ends differ by about 2.4x: at 2.5 the
/// 12 dB target read 94.2 % of the swipes, at 2.0 96.8 % (1.5: 97.0 %,
/// but a fast swipe whose level is even, which no chain read for other
/// reasons, would cost the slow reading too).
const FAINT_END_RATIO: f32 = 2.0;
/// How many times quieter (in RMS) than the segment's median a dropout is.
const DROPOUT_RATIO: f32 = 2.5;
/// Stretches a segment is cut into to look for a dropout (a track 2 swipe
/// has about 240 cells, so each holds five; a dropout is 3 to 8).
const DROPOUT_WINDOWS: usize = 48;

/// Whether the level somewhere inside `start..end` falls to a
/// [`DROPOUT_RATIO`]th of the segment's median level: a dropout, or the
/// faint end of a swipe whose level grows more than about 6x (then both
/// ends are tried, the faint one too, which costs little and read one
/// more speeding-up swipe of the benchmark's 12 dB target).
fn has_dropout(history: &SignalHistory, start: f64, end: f64) -> bool {
    let width = (end - start) / DROPOUT_WINDOWS as f64;
    let mut levels = [0f32; DROPOUT_WINDOWS];
    for (k, level) in levels.iter_mut().enumerate() {
        let from = start + k as f64 * width;
        *level = history.mean_square(from, from + width);
    }
    levels.sort_unstable_by(f32::total_cmp);
    levels[0] * DROPOUT_RATIO * DROPOUT_RATIO < levels[DROPOUT_WINDOWS / 2]
}

/// The fewest of a clock-aided record's bits that the chain itself read
/// (four track 2 characters; eight read 1.4 points fewer of the 12 dB
/// target's swipes, and the unsure bits guard the rest).
const MIN_CHAIN_BITS_IN_RECORD: usize = 20;

/// How long the clock-aided reader waits after a segment no chain read,
/// seconds: every chain closes its segment of a swipe within this.
const CLOCK_AIDED_WAIT_S: f64 = 0.05;

/// Bits dropped from the end of a chain's reading before the clock-aided
/// reader takes over, tried in turn: the chain's last bits are its least
/// sure, and where it started to go wrong differs from swipe to swipe.
/// Every [`CLOCK_AIDED_CUT_STEP`] cells up to [`CLOCK_AIDED_MAX_CUT`]: the
/// 12 dB target read 96.8 % of the swipes, against 95.7 % with 8 of these
/// (8 to 32 every 8, then 48, 64, 96 and 128). Every 4 cells, two readings
/// started 4 apart read a worn card's `40` as `73` alike (they share what
/// they misread).
const CLOCK_AIDED_CUT_STEP: usize = 8;
/// The most bits dropped from the end of a chain's reading.
const CLOCK_AIDED_MAX_CUT: usize = 128;

/// Frames `scratch.recovered` in both card directions and records an
/// accepted track in `found`; false when two readings disagree.
fn read_recovered(
    scratch: &mut Scratch,
    backwards_in_time: bool,
    sample_rate: u32,
    found: &mut Option<Found>,
) -> bool {
    let Scratch {
        recovered,
        card_bits,
        card_unsure,
        text,
        accepted,
        aided,
        ..
    } = scratch;
    for card_reversed in [false, true] {
        card_bits.clear();
        if card_reversed {
            card_bits.extend(recovered.bits.iter().rev());
        } else {
            card_bits.extend_from_slice(&recovered.bits);
        }
        let Some((format, first, end)) = accept(card_bits, text) else {
            continue;
        };
        let len = card_bits.len();
        let (from, to) = if card_reversed {
            (len - end, len - first)
        } else {
            (first, end)
        };
        if !steady(recovered, from, to) {
            continue;
        }
        // Two near-equal readings: neither is to be trusted.
        card_unsure.clear();
        if card_reversed {
            card_unsure.extend(recovered.unsure.iter().rev().map(|&bit| len - 1 - bit));
        } else {
            card_unsure.extend_from_slice(&recovered.unsure);
        }
        if format.could_be_misread(card_bits, first, end, card_unsure) {
            aided.unsure += 1;
            continue;
        }
        let seconds = recovered.duration(from, to) / f64::from(sample_rate);
        let speed_ips = ((to - from) as f64 / seconds) as f32 / format.density_bpi;
        let direction = if backwards_in_time != card_reversed {
            Direction::Reverse
        } else {
            Direction::Forward
        };
        match *found {
            Some(previous) if previous.track != format.track || *accepted != *text => {
                return false;
            }
            Some(_) => {}
            None => {
                accepted.clear();
                accepted.push_str(text);
                *found = Some(Found {
                    track: format.track,
                    direction,
                    speed_ips,
                    record: (from, to),
                });
            }
        }
    }
    true
}

/// Frames `bits` as track 2, then 1, then 3; the first that frames wins.
/// Returns the format and the record's bit range. The payment fields are
/// not checked: a raw head reads any ISO 7811 card ([`crate::TrackKind`]).
fn accept(bits: &[u8], text: &mut String) -> Option<(&'static TrackFormat, usize, usize)> {
    for format in [&TRACK2, &TRACK1, &TRACK3] {
        if let Ok(framed) = format.frame(bits, text) {
            return Some((format, framed.first_bit, framed.end_bit));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_rates_outside_8_to_48_khz_are_refused() {
        assert_eq!(
            MagstripeDecoder::new(7_999).unwrap_err(),
            MagstripeError::UnsupportedSampleRate { rate: 7_999 }
        );
        assert!(MagstripeDecoder::new(48_001).is_err());
        assert!(MagstripeDecoder::new(8_000).is_ok());
        assert!(MagstripeDecoder::new(48_000).is_ok());
    }

    #[test]
    fn silence_and_a_lone_click_decode_to_nothing() {
        let mut decoder = MagstripeDecoder::new(44_100).unwrap();
        let mut samples = vec![0.0f32; 44_100];
        samples[20_000] = 0.8;
        assert!(decoder.push_f32(&samples).is_empty());
        assert!(decoder.finish().is_empty());
        assert_eq!(decoder.samples_seen(), 44_100);
    }
}
