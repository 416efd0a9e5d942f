//! The whole chain for one swipe: stripe -> head motion with jitter -> head
//! pulses -> noise at a given SNR -> the phone's high-pass filter.
//!
//! SNR is the mean power of the clean head signal from the first to the last
//! transition over the power of white noise added at the microphone input,
//! before the phone's filter (which then takes signal power away at slow
//! speeds but leaves the white noise almost whole: the hard case).

use super::head::{add_pulse, pulse_height, PulseShape};
use super::highpass::Highpass;
use super::motion::Motion;
use super::noise::Gaussian;
use super::real_world::RealWorld;
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
    /// How far the swipe departs from the ideal model (mid-swipe start,
    /// level growth, real pulses, dropouts); ideal by default.
    pub real: RealWorld,
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
            real: RealWorld::IDEAL,
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
    params.real.check().map_err(SynthError::Parameter)?;
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
    let real = &params.real;
    // A recording that starts mid-swipe begins `run_in_zeros` cells before
    // the first stripe's record (in the order the head meets the bits).
    let skipped_in = real.run_in_zeros.map_or(0.0, |zeros| {
        let stripe = &stripes[0];
        let cell = 1.0 / f64::from(stripe.density_bpi);
        let travelled = if params.reverse {
            length_in - (stripe.record_end + zeros).min(stripe.bits.len()) as f64 * cell
        } else {
            stripe.record_start.saturating_sub(zeros) as f64 * cell
        };
        // Half a cell of the swipe before that transition is recorded too.
        (travelled - cell / 2.0).max(0.0)
    });
    let lead_s = if real.run_in_zeros.is_some() {
        0.0
    } else {
        params.lead_s
    };
    let start_s = motion.time_at(skipped_in);
    let swipe_s = motion.time_at(length_in) - start_s;
    let duration = lead_s + swipe_s + params.tail_s;
    let frames = (duration * rate).ceil() as usize + 1;
    let shape = PulseShape {
        asymmetry: real.asymmetry,
        undershoot: real.undershoot,
    };
    // The swipe's last pulse sets the envelope's top (see `RealWorld::gain_at`).
    let last_pulse_height = pulse_height(motion.end_ips, rate);
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
        let dropouts = dropout_spans(real.dropouts, length_in, cell, params.seed);
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
            let sign = polarity;
            polarity = -polarity;
            if travelled < skipped_in {
                continue;
            }
            let since_start = motion.time_at(travelled) - start_s;
            let time = lead_s + since_start;
            let speed = motion.speed_at(travelled);
            let head_level = pulse_height(speed, rate) / last_pulse_height;
            let mut gain = real.gain_at(since_start / swipe_s, head_level);
            if dropouts.iter().any(|span| span.contains(&travelled)) {
                gain *= DROPOUT_LEVEL;
            }
            add_pulse(&mut clean, rate, time, speed, sign * gain, &shape);
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

/// How far the signal falls inside a dropout.
const DROPOUT_LEVEL: f64 = 0.2;

/// `count` stretches of 3 to 8 cells along the stripe (inches), seeded.
fn dropout_spans(count: usize, length_in: f64, cell: f64, seed: u64) -> Vec<std::ops::Range<f64>> {
    let mut random = Gaussian::new(seed ^ 0xD809_0075);
    (0..count)
        .map(|_| {
            let start = random.uniform() * length_in;
            let cells = 3.0 + (random.uniform() * 6.0).floor();
            start..start + cells * cell
        })
        .collect()
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

    fn real_swipe(reverse: bool) -> SwipeAudio {
        synthesize(
            &[stripe()],
            &SwipeParams {
                speed_ips: 4.0,
                speed_end_ips: 19.0,
                reverse,
                real: RealWorld::MEASURED,
                ..SwipeParams::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn a_real_swipe_starts_mid_card_with_8_clocking_zeros() {
        for reverse in [false, true] {
            let audio = real_swipe(reverse);
            // No silence: the first transition within a cell of the start.
            // The head meets the stripe at 4 inches/s, whichever end comes first.
            let cell_s = 1.0 / (75.0 * 4.0);
            assert!(
                audio.first_transition_s <= cell_s,
                "{reverse}: {}",
                audio.first_transition_s
            );
            // The leading (or, reversed, trailing) zeros but eight are gone:
            // the swipe is much shorter than the whole card's.
            let whole = synthesize(
                &[stripe()],
                &SwipeParams {
                    speed_ips: 4.0,
                    speed_end_ips: 19.0,
                    reverse,
                    lead_s: 0.0,
                    ..SwipeParams::default()
                },
            )
            .unwrap();
            let span = audio.last_transition_s - audio.first_transition_s;
            let whole_span = whole.last_transition_s - whole.first_transition_s;
            assert!(span < 0.9 * whole_span, "{reverse}: {span} vs {whole_span}");
        }
    }

    #[test]
    fn a_real_swipe_grows_fifteen_times_louder_speeding_up_or_slowing_down() {
        // The recordings' envelope grows 15x, the head's own rise with speed
        // included: not 15x on top of it (that would start at 1/70).
        for (from, to) in [(4.0, 19.0), (19.0, 4.0)] {
            let audio = synthesize(
                &[stripe()],
                &SwipeParams {
                    speed_ips: from,
                    speed_end_ips: to,
                    real: RealWorld::MEASURED,
                    ..SwipeParams::default()
                },
            )
            .unwrap();
            let samples = &audio.channels[0];
            let rate = 44_100.0;
            let first = (audio.first_transition_s * rate) as usize;
            let last = (audio.last_transition_s * rate) as usize;
            let span = last - first;
            let peak = |from: usize, to: usize| {
                samples[from..to].iter().fold(0.0f32, |m, v| m.max(v.abs()))
            };
            let start = peak(first, first + span / 20);
            let end = peak(last - span / 20, last);
            let growth = end / start;
            assert!((11.0..=16.0).contains(&growth), "{from} -> {to}: {growth}");
        }
    }

    #[test]
    fn dropouts_are_seeded_and_fall_to_a_fifth() {
        let spans = dropout_spans(2, 3.3, 1.0 / 75.0, 7);
        assert_eq!(spans, dropout_spans(2, 3.3, 1.0 / 75.0, 7));
        assert_eq!(spans.len(), 2);
        for span in &spans {
            let cells = (span.end - span.start) * 75.0;
            assert!((3.0..=8.0 + 1e-9).contains(&cells), "{cells}");
        }
        assert!(SwipeParams {
            real: RealWorld {
                asymmetry: 9.0,
                ..RealWorld::IDEAL
            },
            ..SwipeParams::default()
        }
        .real
        .check()
        .is_err());
    }
}
