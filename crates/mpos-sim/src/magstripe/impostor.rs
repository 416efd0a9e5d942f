//! Sounds that are not swipes, for the false-accept tests: white noise,
//! hum with clicks, and speech-like audio (a voiced source through three
//! moving formant resonators, with fricative noise bursts). The decoder sees
//! plenty of alternating peaks in all of them and must accept nothing.

use super::noise::Gaussian;

/// A two-pole resonator (one formant).
#[derive(Debug, Clone, Copy)]
struct Resonator {
    a1: f64,
    a2: f64,
    gain: f64,
    y1: f64,
    y2: f64,
}

impl Resonator {
    fn new(frequency: f64, bandwidth: f64, rate: f64) -> Resonator {
        let r = (-std::f64::consts::PI * bandwidth / rate).exp();
        let theta = 2.0 * std::f64::consts::PI * frequency / rate;
        Resonator {
            a1: 2.0 * r * theta.cos(),
            a2: -r * r,
            gain: 1.0 - r,
            y1: 0.0,
            y2: 0.0,
        }
    }

    fn retune(&mut self, frequency: f64, bandwidth: f64, rate: f64) {
        let fresh = Resonator::new(frequency, bandwidth, rate);
        self.a1 = fresh.a1;
        self.a2 = fresh.a2;
        self.gain = fresh.gain;
    }

    fn process(&mut self, x: f64) -> f64 {
        let y = self.gain * x + self.a1 * self.y1 + self.a2 * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

fn frames(sample_rate: u32, seconds: f64) -> usize {
    (f64::from(sample_rate) * seconds.max(0.0)) as usize
}

/// White Gaussian noise of RMS `level`.
pub fn white_noise(sample_rate: u32, seconds: f64, level: f64, seed: u64) -> Vec<f32> {
    let mut g = Gaussian::new(seed);
    (0..frames(sample_rate, seconds))
        .map(|_| (level * g.normal()) as f32)
        .collect()
}

/// Mains hum (50 or 60 Hz with odd harmonics) with random clicks on top.
pub fn hum_and_clicks(sample_rate: u32, seconds: f64, level: f64, seed: u64) -> Vec<f32> {
    let mut g = Gaussian::new(seed);
    let mains = if g.uniform() < 0.5 { 50.0 } else { 60.0 };
    let rate = f64::from(sample_rate);
    let click_rate = 5.0 + 200.0 * g.uniform();
    (0..frames(sample_rate, seconds))
        .map(|n| {
            let t = n as f64 / rate;
            let hum: f64 = [1.0, 3.0, 5.0, 7.0]
                .iter()
                .map(|&h| (2.0 * std::f64::consts::PI * mains * h * t).sin() / h)
                .sum();
            let click = if g.uniform() < click_rate / rate {
                g.normal() * 4.0
            } else {
                0.0
            };
            (level * (0.5 * hum + click + 0.05 * g.normal())) as f32
        })
        .collect()
}

/// Speech-like audio: syllables of a voiced source (80-250 Hz pitch with
/// jitter) through formants that move every syllable, and noise bursts.
pub fn speech_like(sample_rate: u32, seconds: f64, level: f64, seed: u64) -> Vec<f32> {
    let mut g = Gaussian::new(seed);
    let rate = f64::from(sample_rate);
    let nyquist_guard = rate * 0.45;
    let pitch = 80.0 + 170.0 * g.uniform();
    let mut formants = [
        Resonator::new(500.0, 80.0, rate),
        Resonator::new(1500.0, 120.0, rate),
        Resonator::new(2500.0_f64.min(nyquist_guard), 160.0, rate),
    ];
    let mut hiss = Resonator::new(4000.0_f64.min(nyquist_guard), 2000.0, rate);
    let mut out = Vec::with_capacity(frames(sample_rate, seconds));
    let mut phase = 0.0f64;
    let mut syllable_left = 0usize;
    let mut syllable_len = 1usize;
    let mut voiced = true;
    for _ in 0..frames(sample_rate, seconds) {
        if syllable_left == 0 {
            syllable_len = ((0.08 + 0.25 * g.uniform()) * rate) as usize;
            syllable_left = syllable_len;
            voiced = g.uniform() < 0.75;
            let f1 = 300.0 + 600.0 * g.uniform();
            let f2 = (900.0 + 1600.0 * g.uniform()).min(nyquist_guard);
            let f3 = (2000.0 + 1500.0 * g.uniform()).min(nyquist_guard);
            formants[0].retune(f1, 60.0 + 60.0 * g.uniform(), rate);
            formants[1].retune(f2, 90.0 + 90.0 * g.uniform(), rate);
            formants[2].retune(f3, 120.0 + 120.0 * g.uniform(), rate);
            let centre = (2500.0 + 4000.0 * g.uniform()).min(nyquist_guard);
            hiss.retune(centre, 1500.0, rate);
        }
        let progress = 1.0 - syllable_left as f64 / syllable_len as f64;
        let envelope = (std::f64::consts::PI * progress).sin().powi(2);
        syllable_left -= 1;
        let sample = if voiced {
            phase += pitch * (1.0 + 0.03 * g.normal()) / rate;
            let pulse = if phase >= 1.0 {
                phase -= 1.0;
                1.0
            } else {
                0.0
            };
            let source = pulse * 40.0 + 0.02 * g.normal();
            formants.iter_mut().map(|f| f.process(source)).sum::<f64>()
        } else {
            hiss.process(g.normal()) * 3.0
        };
        out.push((level * envelope * sample) as f32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms(v: &[f32]) -> f64 {
        (v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
    }

    #[test]
    fn generators_are_seeded_and_audible() {
        for generate in [white_noise, hum_and_clicks, speech_like] {
            let a = generate(44_100, 0.5, 0.1, 3);
            assert_eq!(a.len(), 22_050);
            assert_eq!(a, generate(44_100, 0.5, 0.1, 3));
            assert_ne!(a, generate(44_100, 0.5, 0.1, 4));
            assert!(rms(&a) > 0.001, "{}", rms(&a));
            assert!(a.iter().all(|x| x.is_finite()));
        }
    }

    #[test]
    fn speech_has_syllables_louder_and_quieter() {
        let s = speech_like(16_000, 2.0, 0.1, 9);
        let chunk_rms: Vec<f64> = s.chunks(800).map(rms).collect();
        let loud = chunk_rms.iter().cloned().fold(0.0, f64::max);
        let quiet = chunk_rms.iter().cloned().fold(f64::MAX, f64::min);
        assert!(loud > 4.0 * quiet, "{loud} {quiet}");
    }
}
