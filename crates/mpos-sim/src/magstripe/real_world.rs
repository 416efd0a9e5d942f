//! How real swipes differ from the ideal head model, as measured on public
//! recordings of bank cards swiped through raw heads wired to a microphone
//! input (issue 10): the recording starts mid-swipe with as few as 8
//! clocking zeros; the level starts near 6 % of its peak and grows about
//! 15x; the speed changes about 5x within one swipe (4 to 19 inches per
//! second); a real head's pulses are asymmetric, with an undershoot after
//! the phone's high-pass; worn cards add position jitter (up to 6 % of a
//! bit cell, `SwipeParams::jitter`) and dropouts.

/// The departures from the ideal model a swipe has. The default is the
/// ideal model: every field off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RealWorld {
    /// The recording starts this many clocking zeros before the record (no
    /// silence before the first transition); `None` for the whole card
    /// after `SwipeParams::lead_s` of silence.
    pub run_in_zeros: Option<usize>,
    /// How many times the last pulse's height is the first's, growing
    /// exponentially with time whatever the speed does: the envelope the
    /// recordings show, the head's own rise with speed included. `None`
    /// for the head's own level alone (it follows the speed).
    pub amplitude_growth: Option<f64>,
    /// The pulse's trailing half-width over its leading one (1 for a
    /// symmetric Lorentzian; a real head's tail is longer).
    pub asymmetry: f64,
    /// The negative lobe after each pulse, as a fraction of its height.
    pub undershoot: f64,
    /// Stretches of 3 to 8 bit cells where the signal falls to a fifth
    /// (worn oxide, the card lifting off the head).
    pub dropouts: usize,
}

impl Default for RealWorld {
    fn default() -> RealWorld {
        RealWorld::IDEAL
    }
}

impl RealWorld {
    /// The ideal head model.
    pub const IDEAL: RealWorld = RealWorld {
        run_in_zeros: None,
        amplitude_growth: None,
        asymmetry: 1.0,
        undershoot: 0.0,
        dropouts: 0,
    };

    /// What the public recordings measured: 8 clocking zeros, 15x growth,
    /// a tail 1.6x the leading half, a 15 % undershoot, two dropouts.
    pub const MEASURED: RealWorld = RealWorld {
        run_in_zeros: Some(8),
        amplitude_growth: Some(15.0),
        asymmetry: 1.6,
        undershoot: 0.15,
        dropouts: 2,
    };

    /// The gain of a pulse at `fraction` (0 to 1) of the swipe's duration
    /// whose head level is `head_level` times the last pulse's: with a
    /// growth, the gain cancels the head's level and sets the envelope's.
    pub fn gain_at(&self, fraction: f64, head_level: f64) -> f64 {
        match self.amplitude_growth {
            None => 1.0,
            Some(growth) => growth.powf(fraction.clamp(0.0, 1.0) - 1.0) / head_level,
        }
    }

    /// Checks the values; the message says what to correct.
    pub fn check(&self) -> Result<(), &'static str> {
        if self
            .amplitude_growth
            .is_some_and(|growth| !(1.0..=100.0).contains(&growth))
        {
            return Err("amplitude growth must be 1 to 100");
        }
        if !(0.25..=4.0).contains(&self.asymmetry) {
            return Err("pulse asymmetry must be 0.25 to 4");
        }
        if !(0.0..=0.5).contains(&self.undershoot) {
            return Err("undershoot must be 0 to 0.5 of the pulse");
        }
        if self.run_in_zeros.is_some_and(|z| z == 0) {
            return Err("a run-in needs at least one clocking zero");
        }
        if self.dropouts > 20 {
            return Err("at most 20 dropouts a swipe");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_grows_from_a_fifteenth_to_full() {
        let real = RealWorld::MEASURED;
        assert!((real.gain_at(0.0, 1.0) - 1.0 / 15.0).abs() < 1e-12);
        assert!((real.gain_at(1.0, 1.0) - 1.0).abs() < 1e-12);
        assert!((real.gain_at(0.5, 1.0) - 15f64.powf(-0.5)).abs() < 1e-12);
        // A pulse the head made at a quarter of the last one's level gets
        // four times the gain: the envelope is the recordings', not the head's.
        assert!((real.gain_at(0.0, 0.25) - 4.0 / 15.0).abs() < 1e-12);
        assert_eq!(RealWorld::IDEAL.gain_at(0.3, 0.25), 1.0);
        assert!(RealWorld::MEASURED.check().is_ok());
        assert!(RealWorld {
            amplitude_growth: Some(0.5),
            ..RealWorld::IDEAL
        }
        .check()
        .is_err());
    }
}
