//! Joining two chains' views of one swipe. A real swipe's speed changes
//! 5x: the chain that reads its slow, faint start (the integrated one,
//! which keeps the most noise out) blurs its fast end, and the chains that
//! read the fast end open only once the pulses are large. Where both saw the
//! same transitions for a while, the first chain's transitions up to there
//! and the second's after it are the whole swipe, read well throughout. The
//! joined transitions then go through every check a single chain's do.

use super::transition_log::TransitionLog;

/// Transitions at the start of the later chain's segment that a join does
/// not use: it opened on the swipe's faint part and may have missed some.
const TAIL_SETTLING: usize = 16;
/// Consecutive transitions both chains must agree on where they are joined.
const AGREEMENT: usize = 8;
/// How far apart two chains' times of one transition may be, as a fraction
/// of the interval that follows it (the integrated chain's times wander by
/// a few samples with the bit pattern at speed).
const AGREEMENT_TOLERANCE: f64 = 0.3;
/// Transitions sampled to measure the chains' relative delay (their
/// filters delay the signal by different amounts).
const OFFSET_SAMPLES: usize = 31;

/// Where the two chains are joined, as fractions of the stretch over which
/// they agree (from the first place the later chain is trusted to the last
/// place they agree): which chain reads which part better is not known, so
/// the decoder tries each.
pub(super) const JOIN_AT: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

/// A chain's last segment that no reading accepted, kept for a join and
/// for the clock-aided reader.
#[derive(Debug, Clone)]
pub(super) struct Unread {
    /// Its transition times, in samples.
    pub times: Vec<f64>,
    /// First sample of the segment.
    pub start: u64,
    /// Sample at which it closed.
    pub end: u64,
    /// Whether it still waits for a join (false once a swipe was read).
    pub waiting: bool,
    /// Whether it still waits for the clock-aided reader.
    pub clock_aided: bool,
}

impl Unread {
    /// An empty slot with room for `capacity` transitions, allocated once.
    pub(super) fn with_capacity(capacity: usize) -> Unread {
        Unread {
            times: Vec::with_capacity(capacity),
            start: 0,
            end: 0,
            waiting: false,
            clock_aided: false,
        }
    }

    /// Keeps a segment that no reading accepted.
    pub(super) fn keep(&mut self, log: &TransitionLog, start: u64, end: u64) {
        log.copy_into(&mut self.times);
        self.start = start;
        self.end = end;
        self.waiting = true;
    }

    /// Whether `other` covers part of the same stretch of the stream.
    pub(super) fn overlaps(&self, other: &Unread) -> bool {
        self.waiting && other.waiting && self.start < other.end && other.start < self.end
    }
}

/// The index of the transition in `times` (sorted) nearest to `t`.
fn nearest(times: &[f64], t: f64) -> Option<usize> {
    let k = times.partition_point(|&x| x < t);
    match (k.checked_sub(1), times.get(k)) {
        (Some(before), Some(&after)) => Some(if t - times[before] <= after - t {
            before
        } else {
            k
        }),
        (Some(before), None) => Some(before),
        (None, Some(_)) => Some(k),
        (None, None) => None,
    }
}

/// How much later `head` sees the transitions than `tail`: the median of
/// the nearest differences over the later chain's trusted transitions.
fn offset(head: &[f64], tail: &[f64]) -> Option<f64> {
    let trusted = tail.get(TAIL_SETTLING..)?;
    if trusted.is_empty() {
        return None;
    }
    let mut differences = [0.0f64; OFFSET_SAMPLES];
    let count = OFFSET_SAMPLES.min(trusted.len());
    for (n, slot) in differences.iter_mut().take(count).enumerate() {
        let t = trusted[n * trusted.len() / count];
        *slot = head[nearest(head, t)?] - t;
    }
    let sample = &mut differences[..count];
    sample.sort_unstable_by(f64::total_cmp);
    Some(sample[count / 2])
}

/// Whether `head` agrees with `tail[j..]` (moved by `offset`) for
/// [`AGREEMENT`] transitions; the index in `head` of `tail[j]` if so.
fn agreement(head: &[f64], tail: &[f64], offset: f64, j: usize) -> Option<usize> {
    let i = nearest(head, tail[j] + offset)?;
    for k in 0..AGREEMENT {
        let interval = tail.get(j + k + 1)? - tail[j + k];
        let h = head.get(i + k)?;
        if (h - tail[j + k] - offset).abs() > AGREEMENT_TOLERANCE * interval {
            return None;
        }
    }
    Some(i)
}

/// Writes into `out` (cleared first, never grown past its capacity)
/// `head`'s transitions up to a place where both chains agree (at fraction
/// `at` of the stretch where they do, see [`JOIN_AT`]), then
/// `tail`'s after it, moved onto `head`'s time base. Returns the time of
/// the join, or `None` when the two never agree.
pub(super) fn join(head: &[f64], tail: &[f64], at: f64, out: &mut Vec<f64>) -> Option<f64> {
    let offset = offset(head, tail)?;
    let last = tail.len().checked_sub(AGREEMENT + 1)?;
    let agreeing = |j: usize| agreement(head, tail, offset, j).map(|i| (i, j));
    let earliest = (TAIL_SETTLING..=last).find_map(agreeing)?;
    let latest = (earliest.1..=last).rev().find_map(agreeing)?;
    let wanted = earliest.1 + ((latest.1 - earliest.1) as f64 * at.clamp(0.0, 1.0)) as usize;
    let (i, j) = (wanted..=latest.1).find_map(agreeing)?;
    out.clear();
    let capacity = out.capacity();
    out.extend(head[..=i].iter().copied().take(capacity));
    let room = capacity - out.len();
    out.extend(tail[j + 1..].iter().map(|t| t + offset).take(room));
    Some(head[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Transitions every `spacing` samples from `from` to `to`.
    fn ticks(from: f64, to: f64, spacing: f64) -> Vec<f64> {
        (0..)
            .map(|k| from + k as f64 * spacing)
            .take_while(|&t| t < to)
            .collect()
    }

    #[test]
    fn joins_the_early_chain_to_the_late_one_on_the_late_ones_time_base() {
        // The head saw the whole swipe but its end is garbled; the tail,
        // 3 samples earlier than the head, saw only the second half.
        let mut head = ticks(0.0, 2_000.0, 20.0);
        for t in head.iter_mut().skip(90) {
            *t += 7.0;
        }
        let tail: Vec<f64> = ticks(1_000.0, 2_000.0, 20.0)
            .iter()
            .map(|t| t - 3.0)
            .collect();
        let mut out = Vec::with_capacity(4096);
        let at = join(&head, &tail, 0.0, &mut out).unwrap();
        // Joined where the tail is trusted, after its settling transitions.
        assert_eq!(at, 1_000.0 + 20.0 * TAIL_SETTLING as f64);
        assert_eq!(out, ticks(0.0, 2_000.0, 20.0));
    }

    #[test]
    fn chains_that_never_agree_are_not_joined() {
        let head = ticks(0.0, 2_000.0, 20.0);
        let tail = ticks(1_000.0, 2_000.0, 33.0);
        let mut out = Vec::with_capacity(4096);
        assert_eq!(join(&head, &tail, 0.5, &mut out), None);
        assert_eq!(join(&head, &tail[..10], 0.0, &mut out), None);
    }

    #[test]
    fn the_joined_list_never_outgrows_its_buffer() {
        let head = ticks(0.0, 2_000.0, 20.0);
        let tail = ticks(500.0, 2_000.0, 20.0);
        let mut out = Vec::with_capacity(50);
        assert!(join(&head, &tail, 0.5, &mut out).is_some());
        assert_eq!((out.len(), out.capacity()), (50, 50));
    }
}
