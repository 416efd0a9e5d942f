//! What each stage of the decoder saw in a recording, for whoever brings up
//! a new head or phone (`mpos decode-wav --explain`): the signal's level and
//! noise floor, the segments each detector chain found, the bit cells and
//! speeds the clock followed, and every candidate track with the first check
//! it failed (or, accepted, whether it is a payment card's). It never holds card data in what it returns: counts, lengths,
//! times and reasons only.
//!
//! It runs the streaming decoder as the reader does, keeping every closed
//! segment, then replays the later stages on each one. It allocates freely:
//! a diagnostic, never the reader's path.

use super::clock::{recover_bits, steady, RecoveredBits};
use super::decoder::{MagstripeDecoder, ObservedSegment, CLOCK_GAIN, DETECTORS, MIN_TRANSITIONS};
use super::error::MagstripeError;
use super::fields::check_fields;
use super::rejection::Rejection;
use super::swipe::TrackKind;
use super::track_format::{TrackFormat, TRACK1, TRACK2, TRACK3};
use std::fmt;

/// Length of the windows the level and the noise floor are measured over.
const WINDOW_S: f64 = 0.01;

/// The whole account of one recording (one channel).
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Sample rate, Hz.
    pub sample_rate: u32,
    /// Length, seconds.
    pub seconds: f64,
    /// Largest sample, dBFS.
    pub peak_dbfs: f64,
    /// RMS of the loudest 10 ms window, dBFS.
    pub loudest_dbfs: f64,
    /// RMS of the quietest tenth of the 10 ms windows, dBFS: the noise floor.
    pub noise_floor_dbfs: f64,
    /// Every segment a chain closed, in the order they closed.
    pub segments: Vec<SegmentReport>,
    /// Two chains' segments joined into a swipe that read (when no single
    /// chain's did).
    pub joins: Vec<JoinReport>,
    /// The segments no chain or join read, read again by the clock-aided
    /// reader.
    pub clock_aided: Vec<ClockAidedReport>,
    /// The splice check on each read track: the input's noise before the
    /// swipe and after it.
    pub splice_checks: Vec<SpliceReport>,
    /// The stream's start read again with the floor the quiet after it
    /// showed, when the warm-up had taken a swipe under way for noise.
    pub start_read_again: Option<ReplayReport>,
    /// The tracks the decoder accepted: track number, and whether each is a
    /// payment card's.
    pub accepted: Vec<(u8, TrackKind)>,
}

/// The stream's start read again: when, from which segment on the
/// segments are that reading's, and how many swipes it read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayReport {
    /// When the quiet showed the start was a swipe, seconds.
    pub at_s: f64,
    /// Index into [`Explanation::segments`] of that reading's first segment.
    pub first_segment: usize,
    /// Swipes it read.
    pub swipes: usize,
}

/// One chain's segment: where it was and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentReport {
    /// The chain's name.
    pub chain: &'static str,
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Flux transitions found.
    pub transitions: usize,
    /// The four readings (forwards and backwards in time, each in both card
    /// directions), or none when there were too few transitions to try.
    pub readings: Vec<Reading>,
}

/// Two chains' segments read as one swipe: the first chain's transitions up
/// to where both agreed, then the second's.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinReport {
    /// The chain read first (the swipe's start).
    pub head: &'static str,
    /// The chain read after the join.
    pub tail: &'static str,
    /// Where they were joined, seconds.
    pub at_s: f64,
}

/// A chain's segment read again from the input by the clock-aided reader,
/// which carries the clock and pulse shape of the chain's own bits on
/// through a faint end or a dropout.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockAidedReport {
    /// The chain whose segment was read again.
    pub chain: &'static str,
    /// Readings made (from several starting points, both ways in time).
    pub readings: usize,
    /// Readings that framed a track at a steady clock, starting in the
    /// chain's own bits.
    pub framed: usize,
    /// Readings that framed a track at a steady clock but were refused:
    /// bits it was unsure of could be read the other way into another
    /// record that frames as well.
    pub unsure: usize,
    /// Where the first framed reading took over from the chain, seconds.
    pub took_over_s: Option<f64>,
    /// Whether two readings agreed on the track, so it was accepted.
    pub accepted: bool,
}

/// The splice check on a read track: the phone input's noise in the quiet
/// before the swipe and after it must be one input's, or the track is two
/// recordings cut together and is not reported.
#[derive(Debug, Clone, PartialEq)]
pub struct SpliceReport {
    /// Where the quiet after the swipe starts, seconds.
    pub at_s: f64,
    /// The noise (second difference's RMS) before and after the swipe,
    /// dBFS, when both sides were quiet enough and long enough to measure.
    pub noise_dbfs: Option<(f64, f64)>,
    /// Whether the track was reported.
    pub one_recording: bool,
}

/// One way of reading a segment's bits.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Whether the intervals were read backwards in time.
    pub backwards_in_time: bool,
    /// Whether the bits were reversed as for a card swiped the other way.
    pub card_reversed: bool,
    /// Bits the clock recovered (0 when no run of clocking zeros trained it).
    pub bits: usize,
    /// Bit cell, milliseconds: 5th and 95th percentiles.
    pub cell_ms: Option<(f64, f64)>,
    /// What each track format made of the bits.
    pub candidates: Vec<Candidate>,
}

/// One track format tried on a reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Track 1, 2 or 3.
    pub track: u8,
    /// What became of it.
    pub outcome: Outcome,
    /// The swipe speed the bit cells mean at this track's density, inches
    /// per second: fastest and slowest (5th and 95th percentile cells).
    pub speed_ips: Option<(f64, f64)>,
}

/// What became of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Framed and read at a steady clock: the decoder accepts it.
    Accepted {
        /// Characters, sentinels included.
        characters: usize,
        /// Whether its fields are a payment card's (the payment path's question).
        kind: TrackKind,
    },
    /// Framed, but the clock jumped inside it.
    Unsteady {
        /// Characters, sentinels included.
        characters: usize,
    },
    /// Not framed: the first check that failed.
    Refused(Rejection),
}

impl fmt::Display for ReplayReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "start read again at {:.3} s: the quiet there is over 6 dB under the floor the first 10 ms gave, so they were a swipe under way; read with the quiet's floor from the first sample, {} swipe(s) read",
            self.at_s, self.swipes
        )
    }
}

/// Decodes `samples` (full scale ±1.0) and explains every stage.
pub fn explain(samples: &[f32], sample_rate: u32) -> Result<Explanation, MagstripeError> {
    let mut decoder = MagstripeDecoder::observing(sample_rate)?;
    let mut swipes = decoder.push_f32(samples);
    swipes.extend(decoder.finish());
    let rate = f64::from(sample_rate);
    let (peak, loudest, floor) = levels(samples, rate);
    let segments = decoder
        .take_observed()
        .iter()
        .map(|segment| report(segment, rate))
        .collect();
    let joins = decoder
        .take_observed_joins()
        .iter()
        .map(|join| JoinReport {
            head: DETECTORS[join.head].name,
            tail: DETECTORS[join.tail].name,
            at_s: join.at / rate,
        })
        .collect();
    let clock_aided = decoder
        .take_observed_aided()
        .iter()
        .map(|(chain, tally)| ClockAidedReport {
            chain: DETECTORS[*chain].name,
            readings: tally.readings,
            framed: tally.framed,
            unsure: tally.unsure,
            took_over_s: tally.took_over.map(|at| at / rate),
            accepted: tally.accepted,
        })
        .collect();
    let splice_checks = decoder
        .take_observed_splices()
        .iter()
        .map(|check| SpliceReport {
            at_s: check.at / rate,
            noise_dbfs: check
                .noise
                .map(|(before, after)| (dbfs(f64::from(before)), dbfs(f64::from(after)))),
            one_recording: check.one_input,
        })
        .collect();
    let start_read_again = decoder
        .take_observed_replays()
        .first()
        .map(|replay| ReplayReport {
            at_s: replay.at as f64 / rate,
            first_segment: replay.first_segment,
            swipes: replay.swipes,
        });
    Ok(Explanation {
        start_read_again,
        sample_rate,
        seconds: samples.len() as f64 / rate,
        peak_dbfs: dbfs(peak),
        loudest_dbfs: dbfs(loudest),
        noise_floor_dbfs: dbfs(floor),
        segments,
        joins,
        clock_aided,
        splice_checks,
        accepted: swipes
            .iter()
            .flat_map(|s| s.tracks.iter().map(|t| (t.track, t.kind())))
            .collect(),
    })
}

fn dbfs(amplitude: f64) -> f64 {
    20.0 * amplitude.max(1e-9).log10()
}

/// The peak, the loudest window's RMS and the noise floor.
fn levels(samples: &[f32], rate: f64) -> (f64, f64, f64) {
    let peak = samples
        .iter()
        .fold(0.0f64, |m, &x| m.max(f64::from(x.abs())));
    let window = ((WINDOW_S * rate) as usize).max(1);
    let mut rms: Vec<f64> = samples
        .chunks(window)
        .filter(|w| w.len() == window)
        .map(|w| {
            (w.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / w.len() as f64).sqrt()
        })
        .collect();
    rms.sort_by(f64::total_cmp);
    let loudest = rms.last().copied().unwrap_or(0.0);
    let tenth = (rms.len() / 10).max(1).min(rms.len());
    let floor = if rms.is_empty() {
        0.0
    } else {
        rms[..tenth].iter().sum::<f64>() / tenth as f64
    };
    (peak, loudest, floor)
}

/// The `p`-th percentile (0 to 1) of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[at]
}

fn report(segment: &ObservedSegment, rate: f64) -> SegmentReport {
    let chain = DETECTORS[segment.chain].name;
    let mut report = SegmentReport {
        chain,
        start_s: segment.start as f64 / rate,
        end_s: segment.end as f64 / rate,
        transitions: segment.times.len(),
        readings: Vec::new(),
    };
    if segment.times.len() < MIN_TRANSITIONS {
        return report;
    }
    let intervals: Vec<f64> = segment.times.windows(2).map(|w| w[1] - w[0]).collect();
    let mut recovered = RecoveredBits::with_capacity(segment.times.len() + 1);
    for backwards_in_time in [false, true] {
        recover_bits(&intervals, backwards_in_time, CLOCK_GAIN, &mut recovered);
        let mut cells: Vec<f64> = recovered
            .starts
            .windows(2)
            .map(|w| (w[1] - w[0]) / rate)
            .collect();
        cells.sort_by(f64::total_cmp);
        let cell_range =
            (!cells.is_empty()).then(|| (percentile(&cells, 0.05), percentile(&cells, 0.95)));
        for card_reversed in [false, true] {
            let bits: Vec<u8> = if card_reversed {
                recovered.bits.iter().rev().copied().collect()
            } else {
                recovered.bits.clone()
            };
            let candidates = [&TRACK2, &TRACK1, &TRACK3]
                .into_iter()
                .map(|format| Candidate {
                    track: format.track,
                    outcome: outcome(format, &bits, &recovered, card_reversed),
                    speed_ips: cell_range.map(|(fast, slow)| {
                        let bpi = f64::from(format.density_bpi);
                        (1.0 / (fast * bpi), 1.0 / (slow * bpi))
                    }),
                })
                .collect();
            report.readings.push(Reading {
                backwards_in_time,
                card_reversed,
                bits: bits.len(),
                cell_ms: cell_range.map(|(fast, slow)| (fast * 1000.0, slow * 1000.0)),
                candidates,
            });
        }
    }
    report
}

fn outcome(
    format: &TrackFormat,
    bits: &[u8],
    recovered: &RecoveredBits,
    card_reversed: bool,
) -> Outcome {
    let mut text = String::new();
    let framed = match format.frame(bits, &mut text) {
        Ok(framed) => framed,
        Err(rejection) => return Outcome::Refused(rejection),
    };
    let characters = text.chars().count();
    let len = bits.len();
    let (from, to) = if card_reversed {
        (len - framed.end_bit, len - framed.first_bit)
    } else {
        (framed.first_bit, framed.end_bit)
    };
    if steady(recovered, from, to) {
        let kind = match check_fields(format.track, &text) {
            Ok(()) => TrackKind::PaymentCard,
            Err(field) => TrackKind::Other(field),
        };
        Outcome::Accepted { characters, kind }
    } else {
        Outcome::Unsteady { characters }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Accepted {
                characters,
                kind: TrackKind::PaymentCard,
            } => write!(f, "accepted: {characters} characters, a payment card"),
            Outcome::Accepted {
                characters,
                kind: TrackKind::Other(field),
            } => write!(
                f,
                "accepted: {characters} characters (sentinels, parity and LRC right), not a payment card: {field}"
            ),
            Outcome::Unsteady { characters } => write!(
                f,
                "refused: {characters} characters framed, but the clock jumped inside them (a splice or lost transitions)"
            ),
            Outcome::Refused(rejection) => write!(f, "refused: {rejection}"),
        }
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "recording: {:.3} s at {} Hz",
            self.seconds, self.sample_rate
        )?;
        writeln!(
            f,
            "signal: peak {:.1} dBFS, loudest 10 ms {:.1} dBFS, noise floor {:.1} dBFS (quietest tenth of 10 ms windows), {:.1} dB above it",
            self.peak_dbfs,
            self.loudest_dbfs,
            self.noise_floor_dbfs,
            self.loudest_dbfs - self.noise_floor_dbfs
        )?;
        if self.segments.is_empty() {
            writeln!(
                f,
                "segments: none; no chain saw pulses above its noise threshold (is the head connected, the level high enough?)"
            )?;
        }
        for (n, segment) in self.segments.iter().enumerate() {
            if let Some(replay) = self.start_read_again.filter(|r| r.first_segment == n) {
                replay.fmt(f)?;
            }
            writeln!(
                f,
                "segment {} ({}): {:.3} s to {:.3} s, {} transitions",
                n + 1,
                segment.chain,
                segment.start_s,
                segment.end_s,
                segment.transitions
            )?;
            if segment.readings.is_empty() {
                writeln!(
                    f,
                    "  too few transitions to decode (at least {MIN_TRANSITIONS})"
                )?;
            }
            for reading in &segment.readings {
                let time = if reading.backwards_in_time {
                    "backwards"
                } else {
                    "forwards"
                };
                let card = if reading.card_reversed {
                    "card reversed"
                } else {
                    "card as read"
                };
                match reading.cell_ms {
                    None => writeln!(
                        f,
                        "  read {time} in time, {card}: no run of clocking zeros to train the clock"
                    )?,
                    Some((fast, slow)) => writeln!(
                        f,
                        "  read {time} in time, {card}: {} bits, bit cell {fast:.3} to {slow:.3} ms",
                        reading.bits
                    )?,
                }
                for candidate in &reading.candidates {
                    let speed = candidate.speed_ips.map_or(String::new(), |(fast, slow)| {
                        format!(" [{slow:.1} to {fast:.1} inches/s at this track's density]")
                    });
                    writeln!(
                        f,
                        "    track {}: {}{speed}",
                        candidate.track, candidate.outcome
                    )?;
                }
            }
        }
        for join in &self.joins {
            writeln!(
                f,
                "joined: the {} chain up to {:.3} s, then the {} chain, read as one swipe (no chain read it alone)",
                join.head, join.at_s, join.tail
            )?;
        }
        for aided in &self.clock_aided {
            let from = aided
                .took_over_s
                .map_or(String::new(), |at| format!(", the first from {at:.3} s"));
            let verdict = if aided.accepted {
                "two agreed: accepted"
            } else {
                "no two agreed"
            };
            let unsure = if aided.unsure > 0 {
                format!(
                    ", {} more refused as unsure (bits nearly as likely read the other way give another record)",
                    aided.unsure
                )
            } else {
                String::new()
            };
            writeln!(
                f,
                "clock-aided: the {} chain's segment read again from the input: {} readings, {} framed{from}{unsure}; {verdict}",
                aided.chain, aided.readings, aided.framed
            )?;
        }
        if let Some(replay) = self
            .start_read_again
            .filter(|r| r.first_segment >= self.segments.len())
        {
            replay.fmt(f)?;
        }
        for check in &self.splice_checks {
            let verdict = match (check.noise_dbfs, check.one_recording) {
                (None, _) => "no quiet on both sides to compare: reported".to_owned(),
                (Some((before, after)), true) => {
                    format!("noise {before:.1} dBFS before, {after:.1} dBFS after: one recording, reported")
                }
                (Some((before, after)), false) => format!(
                    "noise {before:.1} dBFS before, {after:.1} dBFS after: two recordings cut together, refused"
                ),
            };
            writeln!(
                f,
                "splice check (quiet from {:.3} s): {verdict}",
                check.at_s
            )?;
        }
        if self.accepted.is_empty() {
            return writeln!(f, "result: no track accepted");
        }
        for (track, kind) in &self.accepted {
            match kind {
                TrackKind::PaymentCard => {
                    writeln!(f, "result: track {track} accepted, a payment card")?
                }
                TrackKind::Other(field) => writeln!(
                    f,
                    "result: track {track} accepted, not a payment card ({field})"
                )?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TRACK2;

    /// An ideal F2F swipe: alternating pulses at each transition, after
    /// silence, at `cell` samples per bit.
    fn swipe(bits: &[u8], cell: f64, rate: u32) -> Vec<f32> {
        let lead = rate as usize / 10;
        let mut times = Vec::new();
        let mut t = lead as f64;
        for &bit in bits {
            times.push(t);
            if bit == 1 {
                times.push(t + cell / 2.0);
            }
            t += cell;
        }
        times.push(t);
        let mut samples = vec![0.0f32; t as usize + lead];
        for (i, &time) in times.iter().enumerate() {
            let sign = if i % 2 == 0 { 0.5 } else { -0.5 };
            let centre = time.round() as isize;
            // A Lorentzian head pulse, a quarter of a cell wide at half height.
            for k in -12isize..=12 {
                let Some(at) = usize::try_from(centre + k)
                    .ok()
                    .filter(|&a| a < samples.len())
                else {
                    continue;
                };
                let shape = 1.0 / (1.0 + (k as f32 / 4.0).powi(2));
                samples[at] += sign * shape;
            }
        }
        samples
    }

    fn bits_of(track: &str) -> Vec<u8> {
        let mut bits = vec![0u8; 30];
        bits.extend(TRACK2.encode(track).unwrap());
        bits.extend(vec![0u8; 30]);
        bits
    }

    #[test]
    fn a_clean_swipe_is_explained_as_accepted_without_card_data() {
        let rate = 44_100;
        let samples = swipe(&bits_of(";4111111111111111=30122011234567890?"), 30.0, rate);
        let explained = explain(&samples, rate).unwrap();
        assert_eq!(explained.accepted, vec![(2, TrackKind::PaymentCard)]);
        assert!(explained.loudest_dbfs - explained.noise_floor_dbfs > 40.0);
        let text = explained.to_string();
        assert!(
            text.contains("track 2: accepted: 36 characters, a payment card"),
            "{text}"
        );
        assert!(text.contains("inches/s"), "{text}");
        assert!(!text.contains("4111111111111111"), "{text}");
        assert!(!text.contains("3012"), "{text}");
    }

    #[test]
    fn a_track_that_fails_luhn_is_accepted_but_not_a_payment_card() {
        let rate = 44_100;
        let samples = swipe(&bits_of(";4111111111111112=30122011234567890?"), 30.0, rate);
        let explained = explain(&samples, rate).unwrap();
        assert_eq!(
            explained.accepted,
            vec![(2, TrackKind::Other(crate::FieldRejection::Luhn))]
        );
        let text = explained.to_string();
        assert!(
            text.contains(
                "accepted: 36 characters (sentinels, parity and LRC right), not a payment card: card number fails the Luhn check"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "result: track 2 accepted, not a payment card (card number fails the Luhn check)"
            ),
            "{text}"
        );
    }

    #[test]
    fn silence_says_no_chain_saw_pulses() {
        let explained = explain(&vec![0.0f32; 44_100], 44_100).unwrap();
        assert!(explained.segments.is_empty());
        assert!(explained.to_string().contains("segments: none"));
    }

    #[test]
    fn a_corrupted_character_is_refused_with_its_position() {
        let rate = 44_100;
        let mut bits = bits_of(";4111111111111111=30122011234567890?");
        // Flip one bit of the 6th character (the start sentinel is character 0).
        let at = 30 + 5 * 5 + 1;
        bits[at] ^= 1;
        let explained = explain(&swipe(&bits, 30.0, rate), rate).unwrap();
        assert!(explained.accepted.is_empty());
        let text = explained.to_string();
        assert!(text.contains("parity error in character 5"), "{text}");
    }
}
