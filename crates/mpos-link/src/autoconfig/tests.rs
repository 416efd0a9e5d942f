use super::*;

/// A phone and reader pair, described by what survives its audio path.
#[derive(Clone, Copy)]
struct FakePhone {
    /// Received amplitude at level 0; doubles per level.
    level0_amplitude: f32,
    /// Amplitude at which the ADC clips.
    clip_at: f32,
    /// Fastest rate that arrives without errors.
    max_rate: BitRate,
    /// Smallest downlink amplitude the reader hears.
    min_downlink: f32,
    /// SetLink replies lost before one gets through.
    lost_commits: u8,
    /// Whether rates above `max_rate` give no reply at all (no sync) rather than bit errors.
    silent_when_too_fast: bool,
    /// Below this downlink amplitude the reader misses every third probe.
    flaky_below: f32,
    probes_heard: u32,
}

impl Default for FakePhone {
    fn default() -> Self {
        FakePhone {
            level0_amplitude: 0.03,
            clip_at: 1.0,
            max_rate: BitRate::Bps9600,
            min_downlink: 0.3,
            lost_commits: 0,
            silent_when_too_fast: false,
            flaky_below: 0.0,
            probes_heard: 0,
        }
    }
}

impl FakePhone {
    fn answer(
        &mut self,
        settings: LinkSettings,
        downlink: f32,
        pattern_len: usize,
    ) -> Option<ProbeObservation> {
        if downlink < self.min_downlink {
            return None;
        }
        self.probes_heard += 1;
        if downlink < self.flaky_below && self.probes_heard % 3 == 0 {
            return None;
        }
        let amplitude = self.level0_amplitude * f32::from(1u8 << settings.level.0);
        let too_fast = settings.rate > self.max_rate;
        if too_fast && self.silent_when_too_fast {
            return None;
        }
        Some(ProbeObservation {
            settings,
            bit_errors: if too_fast { 7 } else { 0 },
            pattern_len,
            stats: RxStats {
                amplitude: amplitude.min(self.clip_at),
                peak: (amplitude * 1.3).min(self.clip_at),
                clipped_samples: if amplitude * 1.3 >= self.clip_at {
                    40
                } else {
                    0
                },
                eye_snr_db: 25.0,
                inverted: true,
                ..RxStats::default()
            },
        })
    }
}

struct Run {
    probes: Vec<(LinkSettings, f32)>,
    result: AutoConfigOutput,
}

fn drive(config: &mut AutoConfig, mut phone: FakePhone) -> Run {
    let mut probes = Vec::new();
    let mut pending: Option<Option<ProbeObservation>> = None;
    for _ in 0..100 {
        while let Some(output) = config.poll_output() {
            match output {
                AutoConfigOutput::SendProbe {
                    probe,
                    downlink_amplitude,
                } => {
                    probes.push((probe.settings, downlink_amplitude));
                    pending = Some(phone.answer(
                        probe.settings,
                        downlink_amplitude,
                        usize::from(probe.pattern_len),
                    ));
                }
                AutoConfigOutput::SendSetLink {
                    settings,
                    downlink_amplitude,
                } => {
                    let reply = if phone.lost_commits > 0 {
                        phone.lost_commits -= 1;
                        None
                    } else {
                        phone.answer(settings, downlink_amplitude, 16)
                    };
                    pending = Some(reply);
                }
                AutoConfigOutput::StartTimer { millis } => assert!(millis > 0),
                AutoConfigOutput::StopTimer => {}
                done @ (AutoConfigOutput::Done(_) | AutoConfigOutput::Failed(_)) => {
                    assert!(config.is_finished());
                    return Run {
                        probes,
                        result: done,
                    };
                }
            }
        }
        match pending.take() {
            Some(Some(observation)) => config.handle_reply(observation),
            Some(None) => config.handle_timeout(),
            None => panic!("auto-configuration stalled"),
        }
    }
    panic!("auto-configuration did not finish");
}

fn profile(run: &Run) -> &LinkProfile {
    match &run.result {
        AutoConfigOutput::Done(profile) => profile,
        other => panic!("expected a profile, got {other:?}"),
    }
}

#[test]
fn a_good_phone_gets_the_fastest_rate_at_the_first_loud_enough_level() {
    let mut config = AutoConfig::new("Pixel 7", 48_000);
    config.start();
    let run = drive(&mut config, FakePhone::default());
    let profile = profile(&run);
    // 0.03, 0.06, 0.12: level 2 is the first at or above -20 dBFS.
    assert_eq!(profile.settings.level, UplinkLevel(2));
    assert_eq!(profile.settings.rate, BitRate::Bps9600);
    assert_eq!(profile.downlink_amplitude, DEFAULT_DOWNLINK_AMPLITUDE);
    assert_eq!(profile.phone_model, "Pixel 7");
    assert!(profile.uplink_inverted);
    // 3 level probes, 3 rate probes.
    assert_eq!(run.probes.len(), 6);
}

#[test]
fn a_band_limited_phone_falls_back_to_the_rate_it_carries() {
    let mut config = AutoConfig::new("old phone", 44_100);
    config.start();
    let run = drive(
        &mut config,
        FakePhone {
            max_rate: BitRate::Bps4800,
            ..FakePhone::default()
        },
    );
    assert_eq!(profile(&run).settings.rate, BitRate::Bps4800);
    let tried_9600 = run
        .probes
        .iter()
        .filter(|(s, _)| s.rate == BitRate::Bps9600)
        .count();
    assert_eq!(tried_9600, 1, "one failure abandons a rate");
}

#[test]
fn silence_at_a_fast_rate_is_told_apart_from_a_deaf_reader() {
    let mut config = AutoConfig::new("no sync at 9600", 48_000);
    config.start();
    let run = drive(
        &mut config,
        FakePhone {
            max_rate: BitRate::Bps4800,
            silent_when_too_fast: true,
            ..FakePhone::default()
        },
    );
    let learned = profile(&run);
    assert_eq!(learned.settings.rate, BitRate::Bps4800);
    assert_eq!(
        learned.downlink_amplitude, DEFAULT_DOWNLINK_AMPLITUDE,
        "the downlink was fine"
    );
    let rates: Vec<BitRate> = run.probes.iter().map(|(s, _)| s.rate).collect();
    let first_9600 = rates.iter().position(|&r| r == BitRate::Bps9600).unwrap();
    assert_eq!(
        &rates[first_9600..first_9600 + 3],
        &[BitRate::Bps9600, BitRate::Bps9600, BitRate::Bps4800],
        "one repeat, then the next rate"
    );
}

#[test]
fn a_loud_phone_backs_off_from_the_clipping_level() {
    let mut config = AutoConfig::new("loud", 48_000);
    config.start();
    let run = drive(
        &mut config,
        FakePhone {
            level0_amplitude: 0.05,
            clip_at: 0.12,
            ..FakePhone::default()
        },
    );
    // Level 0 (0.05) is clean but quiet; level 1 (0.10, peak 0.13) clips.
    assert_eq!(profile(&run).settings.level, UplinkLevel(0));
}

#[test]
fn a_quiet_phone_uses_the_loudest_level() {
    let mut config = AutoConfig::new("quiet", 48_000);
    config.start();
    let run = drive(
        &mut config,
        FakePhone {
            level0_amplitude: 0.005,
            ..FakePhone::default()
        },
    );
    assert_eq!(profile(&run).settings.level, UplinkLevel(3));
}

#[test]
fn a_deaf_reader_gets_the_loud_downlink() {
    let mut config = AutoConfig::new("weak output", 48_000);
    config.start();
    let run = drive(
        &mut config,
        FakePhone {
            min_downlink: 0.8,
            ..FakePhone::default()
        },
    );
    assert_eq!(profile(&run).downlink_amplitude, LOUD_DOWNLINK_AMPLITUDE);
    // Every level twice (a silent probe is repeated once) quietly, then loudly.
    assert!(run.probes[..8]
        .iter()
        .all(|(_, a)| *a == DEFAULT_DOWNLINK_AMPLITUDE));
    assert!(run.probes[8..]
        .iter()
        .all(|(_, a)| *a == LOUD_DOWNLINK_AMPLITUDE));
    assert_eq!(run.probes[8].0.level, UplinkLevel(0));
    assert_eq!(profile(&run).settings.level, UplinkLevel(2));
}

#[test]
fn an_intermittent_downlink_is_ridden_out_by_repeating_silent_probes() {
    let mut config = AutoConfig::new("marginal output", 48_000);
    config.start();
    let run = drive(
        &mut config,
        FakePhone {
            flaky_below: 0.8,
            ..FakePhone::default()
        },
    );
    let learned = profile(&run);
    // A lost probe neither demotes the level nor the rate.
    assert_eq!(learned.settings.level, UplinkLevel(2));
    assert_eq!(learned.settings.rate, BitRate::Bps9600);
}

#[test]
fn no_reader_fails_after_every_level() {
    let mut config = AutoConfig::new("nothing plugged", 48_000);
    config.start();
    let run = drive(
        &mut config,
        FakePhone {
            min_downlink: 2.0,
            ..FakePhone::default()
        },
    );
    assert_eq!(
        run.result,
        AutoConfigOutput::Failed(AutoConfigError::NoReader)
    );
    // Four levels, each repeated once, quietly then loudly.
    assert_eq!(run.probes.len(), 16);
    assert!(
        !AutoConfigError::NoReader.to_string().is_ascii(),
        "bilingual message"
    );
}

#[test]
fn commit_retries_then_succeeds_or_gives_up() {
    // Three attempts, each repeated once after a silence, plus one louder repeat.
    for (lost, succeeds) in [(6, true), (7, false)] {
        let mut config = AutoConfig::new("lossy", 48_000);
        config.start();
        let run = drive(
            &mut config,
            FakePhone {
                lost_commits: lost,
                ..FakePhone::default()
            },
        );
        if succeeds {
            profile(&run);
        } else {
            assert_eq!(
                run.result,
                AutoConfigOutput::Failed(AutoConfigError::Unreliable)
            );
        }
    }
}

#[test]
fn replies_for_other_settings_are_ignored() {
    let mut config = AutoConfig::new("x", 48_000);
    config.start();
    while config.poll_output().is_some() {}
    let awaited = config.awaiting().unwrap();
    let stale = ProbeObservation {
        settings: LinkSettings {
            rate: BitRate::Bps9600,
            level: UplinkLevel(3),
        },
        bit_errors: 0,
        pattern_len: 16,
        stats: RxStats::default(),
    };
    config.handle_reply(stale);
    assert!(config.poll_output().is_none());
    assert_eq!(config.awaiting(), Some(awaited));
}

#[test]
fn a_low_eye_snr_disqualifies_a_rate() {
    let mut config = AutoConfig::new("noisy", 48_000);
    config.start();
    let mut rates_seen = Vec::new();
    for _ in 0..50 {
        let mut answered = false;
        while let Some(output) = config.poll_output() {
            match output {
                AutoConfigOutput::SendProbe { probe, .. } => {
                    rates_seen.push(probe.settings.rate);
                    let snr = if probe.settings.rate == BitRate::Bps9600 {
                        9.0
                    } else {
                        20.0
                    };
                    config.handle_reply(ProbeObservation {
                        settings: probe.settings,
                        bit_errors: 0,
                        pattern_len: usize::from(probe.pattern_len),
                        stats: RxStats {
                            amplitude: 0.2,
                            peak: 0.3,
                            eye_snr_db: snr,
                            ..RxStats::default()
                        },
                    });
                    answered = true;
                }
                AutoConfigOutput::SendSetLink { settings, .. } => {
                    assert_eq!(settings.rate, BitRate::Bps4800);
                    return;
                }
                _ => {}
            }
        }
        assert!(answered);
    }
    panic!("never committed: {rates_seen:?}");
}

#[test]
fn rates_the_sample_rate_cannot_carry_are_skipped() {
    let mut config = AutoConfig::new("voice-only", 22_050);
    config.start();
    let run = drive(&mut config, FakePhone::default());
    assert!(run.probes.iter().all(|(s, _)| s.rate != BitRate::Bps9600));
    assert_eq!(profile(&run).settings.rate, BitRate::Bps4800);
}

#[test]
fn verify_runs_only_the_commit_step() {
    let mut remembered = LinkProfile::power_up_default("Pixel 7");
    remembered.settings.rate = BitRate::Bps4800;
    let mut config = AutoConfig::new("Pixel 7", 48_000);
    config.verify(&remembered);
    let run = drive(&mut config, FakePhone::default());
    assert!(run.probes.is_empty());
    assert_eq!(profile(&run).settings, remembered.settings);
}

#[test]
fn reply_timeout_covers_the_reply_air_time() {
    // 16-byte pattern: 26-byte frame, 252 bits, 105 ms at 2400 bit/s.
    assert_eq!(reply_timeout_ms(BitRate::Bps2400, 16), 20 + 105 + 50);
}
