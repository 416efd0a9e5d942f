//! The whole chain for one swipe: stripe -> head motion with jitter -> head
//! pulses -> noise at a given SNR -> the phone's high-pass filter.
//!
//! SNR is the mean power of the clean head signal from the first to the last
//! transition over the power of white noise added at the microphone input,
//! before the phone's filter (which then takes signal power away at slow
//! speeds but leaves the white noise almost whole: the hard case).

use super::head::add_pulse;
use super::highpass::Highpass;
use super::motion::Motion;
use super::noise::Gaussian;
use super::stripe::{Stripe, SynthError};

/// How a swipe is made.
#[derive(Debug, Clone, PartialEq)]
pub struct SwipeParams {
    /// Speed when the head meets the stripe, inches per second.
    pub speed_ips: f64,
    /// Speed when it leaves (the same for a constant-speed swipe).
    pub speed_end_ips: f64,
    /// Standard deviation of each transition's position, as a fraction of a bit cell.
    pub jitter: f64,
    /// Signal-to-noise ratio in dB; `None` for no noise.
    pub snr_db: Option<f64>,
    /// Samples per second.
    pub sample_rate: u32,
    /// The phone's high-pass corner, Hz; `None` for none.
    pub highpass_hz: Option<f64>,
    /// The card goes through end first.
    pub reverse: bool,
    /// The head is wired with the opposite polarity.
    pub invert: bool,
    /// Seed of the jitter and the noise.
    pub seed: u64,
    /// Silence before the card reaches the head, seconds.
    pub lead_s: f64,
    /// Silence after it leaves, seconds.
    pub tail_s: f64,
}

impl Default for SwipeParams {
    fn default() -> SwipeParams {
        SwipeParams {
            speed_ips: 20.0,
            speed_end_ips: 20.0,
            jitter: 0.0,
            snr_db: None,
            sample_rate: 44_100,
            highpass_hz: None,
            reverse: false,
            invert: false,
            seed: 1,
            lead_s: 0.1,
            tail_s: 0.1,
        }
    }
}

/// A synthesized recording: one channel per stripe.
#[derive(Debug, Clone, PartialEq)]
pub struct SwipeAudio {
    /// Samples per second.
    pub sample_rate: u32,
    /// Samples of each channel, full scale ±1.0.
    pub channels: Vec<Vec<f32>>,
    /// When the first flux transition passes the head, seconds.
    pub first_transition_s: f64,
    /// When the last one does, seconds.
    pub last_transition_s: f64,
}

impl SwipeAudio {
    /// Samples per channel.
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// The channels interleaved, as a WAV file holds them.
    pub fn interleaved(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.frames() * self.channels.len());
        for n in 0..self.frames() {
            out.extend(self.channels.iter().map(|c| c[n]));
        }
        out
    }
}

fn check(params: &SwipeParams) -> Result<(), SynthError> {
    let speeds_ok = |v: f64| v.is_finite() && (0.5..=500.0).contains(&v);
    if !speeds_ok(params.speed_ips) || !speeds_ok(params.speed_end_ips) {
        return Err(SynthError::Parameter("speed must be 0.5 to 500 inches/s"));
    }
    if !(0.0..=0.2).contains(&params.jitter) {
        return Err(SynthError::Parameter(
            "jitter must be 0 to 0.2 of a bit cell",
        ));
    }
    if !(8_000..=192_000).contains(&params.sample_rate) {
        return Err(SynthError::Parameter(
            "sample rate must be 8000 to 192000 Hz",
        ));
    }
    if let Some(corner) = params.highpass_hz {
        if !(corner > 0.0 && corner < f64::from(params.sample_rate) / 4.0) {
            return Err(SynthError::Parameter(
                "high-pass corner must be above 0 and below a quarter of the sample rate",
            ));
        }
    }
    if params.snr_db.is_some_and(|snr| !snr.is_finite()) {
        return Err(SynthError::Parameter("SNR must be a number of dB"));
    }
    if !(params.lead_s >= 0.0 && params.tail_s >= 0.0 && params.lead_s + params.tail_s < 60.0) {
        return Err(SynthError::Parameter(
            "lead and tail silence must be 0 to 60 s",
        ));
    }
    Ok(())
}

/// Synthesizes the swipe of `stripes` (one channel each; all stripes pass
/// the head together, so the longest sets the swipe's length). The same
/// stripe twice makes a stereo recording of one head, with independent noise.
pub fn synthesize(stripes: &[Stripe], params: &SwipeParams) -> Result<SwipeAudio, SynthError> {
    check(params)?;
    if stripes.is_empty() {
        return Err(SynthError::Parameter("at least one track is needed"));
    }
    let rate = f64::from(params.sample_rate);
    let length_in = stripes.iter().map(Stripe::length_in).fold(0.0, f64::max);
    let motion = Motion {
        start_ips: params.speed_ips,
        end_ips: params.speed_end_ips,
        length_in,
    };
    let duration = params.lead_s + motion.time_at(length_in) + params.tail_s;
    let frames = (duration * rate).ceil() as usize + 1;
    let mut first_transition_s = f64::MAX;
    let mut last_transition_s = 0.0f64;
    let mut channels = Vec::with_capacity(stripes.len());
    for (c, stripe) in stripes.iter().enumerate() {
        // The jitter belongs to the swipe (every channel sees the same card
        // move); the noise belongs to each channel's input.
        let mut jitter = Gaussian::new(params.seed);
        let noise_seed = params
            .seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(c as u64 + 1);
        let mut noise = Gaussian::new(noise_seed);
        let cell = 1.0 / f64::from(stripe.density_bpi);
        let mut clean = vec![0.0f32; frames];
        // Reading the stripe backwards also reverses each pulse's sign.
        let mut polarity = if params.reverse { -1.0 } else { 1.0 };
        if params.invert {
            polarity = -polarity;
        }
        let mut window = (f64::MAX, 0.0f64);
        for position in stripe.transition_positions() {
            let jittered =
                (position + params.jitter * cell * jitter.normal()).clamp(0.0, length_in);
            let travelled = if params.reverse {
                length_in - jittered
            } else {
                jittered
            };
            let time = params.lead_s + motion.time_at(travelled);
            add_pulse(&mut clean, rate, time, motion.speed_at(travelled), polarity);
            polarity = -polarity;
            window = (window.0.min(time), window.1.max(time));
        }
        first_transition_s = first_transition_s.min(window.0);
        last_transition_s = last_transition_s.max(window.1);
        let from = (window.0 * rate) as usize;
        let to = ((window.1 * rate) as usize).min(frames);
        let power = clean[from..to]
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum::<f64>()
            / (to - from).max(1) as f64;
        let sigma = params
            .snr_db
            .map_or(0.0, |snr| (power / 10f64.powf(snr / 10.0)).sqrt());
        let mut highpass = params.highpass_hz.map(|corner| Highpass::new(corner, rate));
        let channel = clean
            .iter()
            .map(|&s| {
                let noisy = f64::from(s) + sigma * noise.normal();
                let filtered = highpass.as_mut().map_or(noisy, |hp| hp.process(noisy));
                filtered as f32
            })
            .collect();
        channels.push(channel);
    }
    Ok(SwipeAudio {
        sample_rate: params.sample_rate,
        channels,
        first_transition_s,
        last_transition_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripe() -> Stripe {
        Stripe::for_track(2, ";4111111111111111=30122011234567890?").unwrap()
    }

    #[test]
    fn same_seed_same_samples_other_seed_other_noise() {
        let params = SwipeParams {
            snr_db: Some(20.0),
            jitter: 0.02,
            ..SwipeParams::default()
        };
        let a = synthesize(&[stripe()], &params).unwrap();
        let b = synthesize(&[stripe()], &params).unwrap();
        assert_eq!(a, b);
        let c = synthesize(&[stripe()], &SwipeParams { seed: 2, ..params }).unwrap();
        assert_ne!(a.channels, c.channels);
    }

    #[test]
    fn duration_follows_speed_and_snr_sets_the_noise() {
        let params = SwipeParams {
            speed_ips: 33.0,
            speed_end_ips: 33.0,
            ..SwipeParams::default()
        };
        let clean = synthesize(&[stripe()], &params).unwrap();
        let swipe_s = clean.last_transition_s - clean.first_transition_s;
        assert!((swipe_s - 3.3 / 33.0).abs() < 0.002, "{swipe_s}");
        let noisy = synthesize(
            &[stripe()],
            &SwipeParams {
                snr_db: Some(10.0),
                ..params
            },
        )
        .unwrap();
        let from = (clean.first_transition_s * 44_100.0) as usize;
        let to = (clean.last_transition_s * 44_100.0) as usize;
        let power = |v: &[f32]| v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>();
        let signal = power(&clean.channels[0][from..to]);
        let noise: f64 = clean.channels[0][from..to]
            .iter()
            .zip(&noisy.channels[0][from..to])
            .map(|(a, b)| f64::from(b - a).powi(2))
            .sum();
        let snr = 10.0 * (signal / noise).log10();
        assert!((snr - 10.0).abs() < 0.3, "{snr}");
    }

    #[test]
    fn reverse_mirrors_the_swipe_in_time() {
        let forward = synthesize(&[stripe()], &SwipeParams::default()).unwrap();
        let reverse = synthesize(
            &[stripe()],
            &SwipeParams {
                reverse: true,
                ..SwipeParams::default()
            },
        )
        .unwrap();
        let f = &forward.channels[0];
        let r = &reverse.channels[0];
        // Same swipe length; the first pulse of the reverse swipe is the
        // mirror image of the last of the forward swipe, sign flipped.
        assert!((forward.last_transition_s - reverse.last_transition_s).abs() < 1e-6);
        let first = (forward.first_transition_s * 44_100.0).round() as usize;
        let last = (forward.last_transition_s * 44_100.0).round() as usize;
        assert!(
            (f[last] + r[first]).abs() < 0.05 * f[last].abs(),
            "{} {}",
            f[last],
            r[first]
        );
    }

    #[test]
    fn invert_flips_every_sample() {
        let plain = synthesize(&[stripe()], &SwipeParams::default()).unwrap();
        let inverted = synthesize(
            &[stripe()],
            &SwipeParams {
                invert: true,
                ..SwipeParams::default()
            },
        )
        .unwrap();
        assert!(plain.channels[0]
            .iter()
            .zip(&inverted.channels[0])
            .all(|(a, b)| a == &-b));
    }

    #[test]
    fn bad_parameters_are_refused() {
        for params in [
            SwipeParams {
                speed_ips: 0.0,
                ..SwipeParams::default()
            },
            SwipeParams {
                jitter: 0.5,
                ..SwipeParams::default()
            },
            SwipeParams {
                sample_rate: 1000,
                ..SwipeParams::default()
            },
            SwipeParams {
                highpass_hz: Some(20_000.0),
                ..SwipeParams::default()
            },
        ] {
            assert!(matches!(
                synthesize(&[stripe()], &params),
                Err(SynthError::Parameter(_))
            ));
        }
        assert!(synthesize(&[], &SwipeParams::default()).is_err());
    }
}
