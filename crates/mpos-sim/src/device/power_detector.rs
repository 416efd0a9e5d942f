//! Hears the phone's power tone on the reader's tone input (the jack's
//! tip): a Goertzel filter at 18 kHz over 5 ms windows, with hysteresis, so
//! the reader wakes within 10 ms of the tone and sleeps 100 ms after it
//! stops (`docs/reader-protocol.md` 1.2: ready within 50 ms, asleep within
//! 500 ms). Data on the other channel, or noise, never wakes it.

use mpos_link::phy::POWER_TONE_HZ;

/// Tone amplitude (fraction of full scale) above which the tone counts as present.
pub const PRESENT_ABOVE: f32 = 0.25;

/// Windows in a row that change the verdict: present after 2 (10 ms), absent after 20 (100 ms).
const WINDOWS_TO_WAKE: u32 = 2;
const WINDOWS_TO_SLEEP: u32 = 20;

/// A streaming detector of the power tone.
#[derive(Debug, Clone)]
pub struct PowerDetector {
    coefficient: f32,
    window: usize,
    count: usize,
    s1: f32,
    s2: f32,
    present: bool,
    contrary: u32,
}

impl PowerDetector {
    /// A detector for samples at `sample_rate`.
    pub fn new(sample_rate: u32) -> PowerDetector {
        let omega = std::f64::consts::TAU * POWER_TONE_HZ / f64::from(sample_rate);
        PowerDetector {
            coefficient: (2.0 * omega.cos()) as f32,
            window: (sample_rate as usize / 200).max(16),
            count: 0,
            s1: 0.0,
            s2: 0.0,
            present: false,
            contrary: 0,
        }
    }

    /// Feeds one sample of the tone input.
    pub fn push(&mut self, x: f32) {
        let s0 = x + self.coefficient * self.s1 - self.s2;
        self.s2 = self.s1;
        self.s1 = s0;
        self.count += 1;
        if self.count < self.window {
            return;
        }
        let power = self.s1 * self.s1 + self.s2 * self.s2 - self.coefficient * self.s1 * self.s2;
        // A sine of amplitude A gives |X| = A N / 2 in its own bin.
        let amplitude = 2.0 * power.max(0.0).sqrt() / self.window as f32;
        let heard = amplitude > PRESENT_ABOVE;
        if heard == self.present {
            self.contrary = 0;
        } else {
            self.contrary += 1;
            let needed = if self.present {
                WINDOWS_TO_SLEEP
            } else {
                WINDOWS_TO_WAKE
            };
            if self.contrary >= needed {
                self.present = heard;
                self.contrary = 0;
            }
        }
        self.count = 0;
        self.s1 = 0.0;
        self.s2 = 0.0;
    }

    /// Whether the tone is present.
    pub fn is_present(&self) -> bool {
        self.present
    }

    /// Forgets everything: the reader was pulled out.
    pub fn reset(&mut self) {
        self.count = 0;
        self.s1 = 0.0;
        self.s2 = 0.0;
        self.present = false;
        self.contrary = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_link::phy::PowerTone;

    fn tone(rate: u32, samples: usize, gain: f32) -> Vec<f32> {
        let mut out = vec![0.0; samples];
        PowerTone::new(rate).fill(&mut out);
        out.iter_mut().for_each(|s| *s *= gain);
        out
    }

    fn feed(detector: &mut PowerDetector, samples: &[f32]) -> Option<usize> {
        let mut changed_at = None;
        let before = detector.is_present();
        for (i, &x) in samples.iter().enumerate() {
            detector.push(x);
            if detector.is_present() != before && changed_at.is_none() {
                changed_at = Some(i);
            }
        }
        changed_at
    }

    #[test]
    fn the_tone_wakes_the_reader_quickly_and_its_absence_puts_it_to_sleep() {
        for rate in [44_100, 48_000] {
            let mut detector = PowerDetector::new(rate);
            let woke = feed(&mut detector, &tone(rate, rate as usize / 10, 0.7)).expect("wakes");
            assert!(
                woke <= rate as usize / 50,
                "{rate}: woke after {woke} samples"
            );
            let slept = feed(&mut detector, &vec![0.0; rate as usize]).expect("sleeps");
            let ms = slept * 1000 / rate as usize;
            assert!((90..=500).contains(&ms), "{rate}: slept after {ms} ms");
        }
    }

    #[test]
    fn data_noise_and_a_faint_tone_do_not_wake_it() {
        let rate = 48_000;
        let mut detector = PowerDetector::new(rate);
        // A 2400 bit/s square wave at full scale: the data band.
        let square: Vec<f32> = (0..rate as usize)
            .map(|i| if (i / 10) % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        assert_eq!(feed(&mut detector, &square), None);
        let mut seed = 7u64;
        let noise: Vec<f32> = (0..rate as usize)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                ((seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.6
            })
            .collect();
        assert_eq!(feed(&mut detector, &noise), None);
        assert_eq!(feed(&mut detector, &tone(rate, rate as usize, 0.1)), None);
        assert!(!detector.is_present());
    }

    #[test]
    fn a_short_dropout_does_not_put_it_to_sleep() {
        let rate = 48_000;
        let mut detector = PowerDetector::new(rate);
        feed(&mut detector, &tone(rate, 4_800, 0.9));
        assert!(detector.is_present());
        feed(&mut detector, &vec![0.0; 2_400]);
        assert!(detector.is_present(), "50 ms of silence is a glitch");
        detector.reset();
        assert!(!detector.is_present());
    }
}
