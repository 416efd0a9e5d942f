//! The times of the flux transitions of the swipe in progress, in a ring
//! buffer allocated once: a long burst of noise overwrites the oldest entries
//! instead of growing memory.

/// Fixed-capacity ring of transition times (in samples, sub-sample precise).
#[derive(Debug, Clone)]
pub(super) struct TransitionLog {
    times: Vec<f64>,
    next: usize,
    len: usize,
}

impl TransitionLog {
    /// A log keeping the last `capacity` transitions.
    pub(super) fn new(capacity: usize) -> TransitionLog {
        TransitionLog {
            times: vec![0.0; capacity.max(1)],
            next: 0,
            len: 0,
        }
    }

    /// Records a transition.
    #[inline]
    pub(super) fn push(&mut self, time: f64) {
        self.times[self.next] = time;
        self.next = (self.next + 1) % self.times.len();
        self.len = (self.len + 1).min(self.times.len());
    }

    /// Transitions held.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Copies the transitions, oldest first, into `out` (cleared first).
    pub(super) fn copy_into(&self, out: &mut Vec<f64>) {
        out.clear();
        let cap = self.times.len();
        let first = (self.next + cap - self.len) % cap;
        for k in 0..self.len {
            out.push(self.times[(first + k) % cap]);
        }
    }

    /// Forgets every transition.
    pub(super) fn clear(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_in_order_when_full() {
        let mut log = TransitionLog::new(4);
        for t in 0..6 {
            log.push(f64::from(t));
        }
        let mut out = Vec::new();
        log.copy_into(&mut out);
        assert_eq!(out, vec![2.0, 3.0, 4.0, 5.0]);
        assert_eq!(log.len(), 4);
        log.clear();
        log.copy_into(&mut out);
        assert!(out.is_empty());
    }
}
