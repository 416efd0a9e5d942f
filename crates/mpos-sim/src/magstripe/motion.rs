//! Where the head is when: the swipe's speed changes linearly with the
//! distance travelled, from the start speed to the end speed (a swipe that
//! speeds up or slows down by up to 2x), in either direction.

/// The head's travel over a stripe of a given length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Motion {
    /// Speed when the head meets the stripe, inches per second.
    pub start_ips: f64,
    /// Speed when it leaves, inches per second.
    pub end_ips: f64,
    /// Length travelled, inches.
    pub length_in: f64,
}

impl Motion {
    /// Speed after travelling `distance` inches.
    pub fn speed_at(&self, distance: f64) -> f64 {
        self.start_ips + (self.end_ips - self.start_ips) * (distance / self.length_in)
    }

    /// Seconds to travel `distance` inches: the integral of 1/v(x).
    pub fn time_at(&self, distance: f64) -> f64 {
        let dv = self.end_ips - self.start_ips;
        if dv.abs() < 1e-9 * self.start_ips {
            return distance / self.start_ips;
        }
        self.length_in / dv * (self.speed_at(distance) / self.start_ips).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_speed_is_distance_over_speed() {
        let m = Motion {
            start_ips: 20.0,
            end_ips: 20.0,
            length_in: 3.0,
        };
        assert!((m.time_at(3.0) - 0.15).abs() < 1e-12);
    }

    #[test]
    fn a_ramp_matches_numerical_integration() {
        let m = Motion {
            start_ips: 10.0,
            end_ips: 20.0,
            length_in: 3.0,
        };
        let steps = 100_000;
        let dx = 3.0 / steps as f64;
        let numeric: f64 = (0..steps)
            .map(|i| dx / m.speed_at((i as f64 + 0.5) * dx))
            .sum();
        assert!(
            (m.time_at(3.0) - numeric).abs() < 1e-9,
            "{} vs {numeric}",
            m.time_at(3.0)
        );
        assert!((m.speed_at(3.0) - 20.0).abs() < 1e-12);
    }
}
