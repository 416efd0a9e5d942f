//! The read head: every flux transition induces a Lorentzian pulse.
//!
//! Along the stripe the pulse has a fixed half-amplitude width (PW50), set by
//! the head gap and the spacing to the oxide; in time it is PW50 / speed, and
//! its height grows with speed (Faraday: the voltage is dPhi/dt). The phone's
//! anti-alias filter widens it by about half a sample, modelled as a second
//! Lorentzian (Lorentzians convolve by adding widths, keeping their area).

/// Head pulse width at half amplitude, inches along the stripe.
pub const HEAD_PW50_INCHES: f64 = 0.0015;
/// Width the phone's anti-alias filter adds, in samples.
pub const ADC_PW50_SAMPLES: f64 = 0.5;
/// Pulse height per inch per second of speed, in full scale.
pub const LEVEL_PER_IPS: f64 = 0.005;
/// Pulses are drawn out to this many widths either side (tail below 0.02 %).
const REACH_WIDTHS: f64 = 40.0;

/// The shape of a real head's pulse: how much longer its trailing half is
/// than its leading one, and the undershoot that follows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PulseShape {
    /// Trailing half-width over leading half-width (1: a symmetric Lorentzian).
    pub asymmetry: f64,
    /// The negative lobe's height as a fraction of the pulse's.
    pub undershoot: f64,
}

impl PulseShape {
    /// The ideal Lorentzian.
    pub const IDEAL: PulseShape = PulseShape {
        asymmetry: 1.0,
        undershoot: 0.0,
    };
}

/// The height of an ideal pulse at `speed_ips`: the head's voltage grows
/// with speed, less what the anti-alias filter's widening spreads out.
pub fn pulse_height(speed_ips: f64, sample_rate: f64) -> f64 {
    let head_width = HEAD_PW50_INCHES / speed_ips * sample_rate;
    LEVEL_PER_IPS * speed_ips * head_width / (head_width + ADC_PW50_SAMPLES)
}

/// Adds one transition's pulse to `out`: centre `time_s`, head speed
/// `speed_ips`, sign and relative height `polarity`, shape `shape`. The
/// undershoot is a broad negative Lorentzian, three widths wide, centred
/// two widths after the peak.
pub fn add_pulse(
    out: &mut [f32],
    sample_rate: f64,
    time_s: f64,
    speed_ips: f64,
    polarity: f64,
    shape: &PulseShape,
) {
    let width = HEAD_PW50_INCHES / speed_ips * sample_rate + ADC_PW50_SAMPLES;
    let height = polarity * pulse_height(speed_ips, sample_rate);
    let centre = time_s * sample_rate;
    // The two halves keep the pulse's mean width.
    let lead = 2.0 * width / (1.0 + shape.asymmetry);
    let trail = lead * shape.asymmetry;
    let under_centre = centre + 2.0 * width;
    let under_width = 3.0 * width;
    let reach = REACH_WIDTHS * width * shape.asymmetry.max(1.0) + under_width;
    let first = (centre - reach).floor().max(0.0) as usize;
    let last = ((centre + reach).ceil().max(0.0) as usize).min(out.len());
    for (n, sample) in out.iter_mut().enumerate().take(last).skip(first) {
        let x = n as f64 - centre;
        let half = if x < 0.0 { lead } else { trail };
        let u = x * 2.0 / half;
        let mut value = height / (1.0 + u * u);
        if shape.undershoot > 0.0 {
            let v = (n as f64 - under_centre) * 2.0 / under_width;
            value -= shape.undershoot * height / (1.0 + v * v);
        }
        *sample += value as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_pulse_has_a_longer_tail_and_an_undershoot() {
        let rate = 192_000.0;
        let mut out = vec![0.0f32; 4000];
        let shape = PulseShape {
            asymmetry: 1.6,
            undershoot: 0.15,
        };
        add_pulse(&mut out, rate, 0.01, 10.0, 1.0, &shape);
        let peak_at = (0..out.len())
            .max_by(|&a, &b| out[a].total_cmp(&out[b]))
            .unwrap();
        let peak = out[peak_at];
        let half_before = (0..peak_at).rev().find(|&n| out[n] < peak / 2.0).unwrap();
        let half_after = (peak_at..out.len()).find(|&n| out[n] < peak / 2.0).unwrap();
        let ratio = (half_after - peak_at) as f64 / (peak_at - half_before) as f64;
        assert!((ratio - 1.6).abs() < 0.3, "{ratio}");
        let lowest = out.iter().cloned().fold(0.0f32, f32::min);
        assert!(
            lowest < -0.05 * peak,
            "an undershoot: {lowest} against {peak}"
        );
        let mut ideal = vec![0.0f32; 4000];
        add_pulse(&mut ideal, rate, 0.01, 10.0, 1.0, &PulseShape::IDEAL);
        assert!(ideal.iter().all(|&v| v >= 0.0));
    }

    #[test]
    fn pulse_width_shrinks_and_height_grows_with_speed() {
        let rate = 192_000.0;
        let measure = |speed: f64| {
            let mut out = vec![0.0f32; 4000];
            add_pulse(&mut out, rate, 0.01, speed, 1.0, &PulseShape::IDEAL);
            let peak = out.iter().cloned().fold(0.0f32, f32::max);
            let above = out.iter().filter(|&&v| v >= peak / 2.0).count();
            (peak, above as f64)
        };
        let (slow_peak, slow_width) = measure(10.0);
        let (fast_peak, fast_width) = measure(40.0);
        assert!(fast_peak > 3.5 * slow_peak, "{slow_peak} {fast_peak}");
        // (28.8 + 0.5) / (7.2 + 0.5) samples at 192 kHz, counted in whole samples.
        assert!(
            (slow_width / fast_width - 3.8).abs() < 0.4,
            "{slow_width} {fast_width}"
        );
        // PW50 at 10 ips is 150 us plus half a sample.
        assert!(
            (slow_width - (150e-6 * rate + 0.5)).abs() <= 2.0,
            "{slow_width}"
        );
    }
}
