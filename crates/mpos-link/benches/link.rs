//! Reader-link benchmark over the simulated phone audio path.
//!
//! `cargo bench -p mpos-link --bench link` (release profile). It measures
//! frame success at 20 dB SNR, the command round trip, and auto-configuration
//! time, prints them, and writes them into `docs/benchmarks.md` between
//! `<!-- link:begin -->` and `<!-- link:end -->` (appending the section if absent).
//! Every figure is computed from sample counts, so it does not depend on the
//! machine; only the throughput line does.

use mpos_link::channel::{Channel, ChannelConfig};
use mpos_link::examples;
use mpos_link::loopback::Loopback;
use mpos_link::message::{LinkSettings, Message, ReaderInfo};
use mpos_link::modulator::{air_millis, Modulator};
use mpos_link::phy::{BitRate, UplinkLevel, DOWNLINK_RATE};
use mpos_link::{Demodulator, LinkProfile, Station, StationEvent};
use std::fmt::Write as _;
use std::time::Instant;

const BEGIN: &str = "<!-- link:begin -->";
const END: &str = "<!-- link:end -->";
const FRAMES_PER_CELL: usize = 1000;
const ROUND_TRIPS: usize = 200;

fn main() {
    let mut report = String::new();
    writeln!(report, "{BEGIN}").unwrap();
    writeln!(report, "## Reader link over a simulated phone audio path").unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "Measured by `cargo bench -p mpos-link --bench link` (release build). The path \
         (`mpos_link::channel`) applies, in order: a sample-clock offset between reader and \
         phone (cubic resampling), gain, the phone's first-order input high-pass, white \
         Gaussian noise, polarity inversion and clipping at full scale (\"2nd order\" rows use a \
         second-order Butterworth high-pass, as some phones' voice pipelines add). SNR is the signal \
         power over the noise power across the whole band (0 to fs/2) at the phone's ADC. \
         Figures come from sample counts, so they do not depend on the machine."
    )
    .unwrap();
    writeln!(report).unwrap();

    let success = frame_success(&mut report);
    let rtt = round_trips(&mut report);
    let autoconfig = autoconfig_times(&mut report);
    throughput(&mut report);

    writeln!(report, "### Against the targets").unwrap();
    writeln!(report).unwrap();
    writeln!(report, "| Target | Measured | Met |").unwrap();
    writeln!(report, "|---|---|---|").unwrap();
    let met = |ok: bool| if ok { "yes" } else { "**no**" };
    writeln!(
        report,
        "| Frames succeeding at 20 dB SNR >= 99.9 % | {:.3} % worst cell, {:.3} % overall | {} |",
        success.worst * 100.0,
        success.overall * 100.0,
        met(success.worst >= 0.999)
    )
    .unwrap();
    writeln!(
        report,
        "| Command round trip <= 300 ms | {:.0} ms worst (GetInfo -> Info at the auto-configured {} bit/s uplink; {:.0} ms worst at 2400 bit/s) | {} |",
        rtt.chosen_max_ms,
        rtt.chosen_rate.bits_per_second(),
        rtt.slowest_max_ms,
        met(rtt.chosen_max_ms <= 300.0)
    )
    .unwrap();
    writeln!(
        report,
        "| Auto-configuration <= 10 s | {:.2} s worst phone | {} |",
        autoconfig,
        met(autoconfig <= 10.0)
    )
    .unwrap();
    writeln!(report, "{END}").unwrap();

    print!("{report}");
    write_into_benchmarks(&report);
}

struct Success {
    worst: f64,
    overall: f64,
}

/// Frames of every cell of the grid, sent once each (no retransmission).
fn frame_success(report: &mut String) -> Success {
    let chip = examples::all()
        .into_iter()
        .find(|e| e.name == "card_read_chip")
        .expect("example exists")
        .frame();
    writeln!(
        report,
        "### Frame success at 20 dB SNR (single transmission, no ARQ)"
    )
    .unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "{FRAMES_PER_CELL} frames per cell, each the {}-byte chip CardRead example with its SEQ \
         varied; a frame succeeds when the demodulator returns exactly the bytes sent. \
         Uplink at level 1 (0.125 FS), inverted; downlink at 0.5 FS into the reader.",
        chip.len()
    )
    .unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "| Direction | Rate (bit/s) | fs (Hz) | High-pass (Hz) | Clock offset | Succeeded | Damaged | Missed | Success |"
    )
    .unwrap();
    writeln!(report, "|---|---|---|---|---|---|---|---|---|").unwrap();
    let mut worst: f64 = 1.0;
    let (mut ok_total, mut total) = (0usize, 0usize);
    let mut cells = Vec::new();
    for rate in [BitRate::Bps2400, BitRate::Bps4800, BitRate::Bps9600] {
        for fs in [44_100, 48_000] {
            for hp in [(100.0, 1), (500.0, 1), (500.0, 2)] {
                for ratio in [0.995, 1.005] {
                    cells.push((
                        "uplink",
                        rate,
                        fs,
                        Some(hp),
                        ratio,
                        UplinkLevel(1).sim_amplitude(),
                        true,
                    ));
                }
            }
        }
    }
    for fs in [44_100, 48_000] {
        for ratio in [0.995, 1.005] {
            cells.push((
                "downlink",
                DOWNLINK_RATE,
                fs,
                Some((20.0, 1)),
                ratio,
                0.5,
                false,
            ));
        }
    }
    for (seed, (direction, rate, fs, hp, ratio, amplitude, invert)) in cells.into_iter().enumerate()
    {
        let config = ChannelConfig {
            clock_ratio: ratio,
            highpass_hz: hp.map(|(hz, _)| hz),
            highpass_order: hp.map_or(1, |(_, order)| order),
            invert,
            seed: 1000 + seed as u64,
            ..ChannelConfig::default()
        }
        .with_snr(amplitude, 20.0);
        let (ok, damaged, missed) = run_frames(&chip, fs, rate, amplitude, config, FRAMES_PER_CELL);
        let rate_ok = ok as f64 / FRAMES_PER_CELL as f64;
        worst = worst.min(rate_ok);
        ok_total += ok;
        total += FRAMES_PER_CELL;
        writeln!(
            report,
            "| {direction} | {} | {fs} | {} | {:+.1} % | {ok} | {damaged} | {missed} | {:.2} % |",
            rate.bits_per_second(),
            hp.map_or("none".to_string(), |(hz, order)| if order == 1 {
                format!("{hz:.0}")
            } else {
                format!("{hz:.0} (2nd order)")
            }),
            (ratio - 1.0) * 100.0,
            rate_ok * 100.0
        )
        .unwrap();
    }
    writeln!(report).unwrap();

    // Margin: the same frames below 20 dB, worst case of the grid's impairments.
    writeln!(report, "Margin below the target SNR (uplink, fs 44100 Hz, 500 Hz high-pass, +0.5 % clock, inverted; {FRAMES_PER_CELL} frames each):").unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "| SNR (dB) | 2400 bit/s | 4800 bit/s | 9600 bit/s |"
    )
    .unwrap();
    writeln!(report, "|---|---|---|---|").unwrap();
    for snr in [15.0, 12.0, 9.0, 6.0] {
        let mut row = format!("| {snr:.0} |");
        for rate in [BitRate::Bps2400, BitRate::Bps4800, BitRate::Bps9600] {
            let amplitude = UplinkLevel(1).sim_amplitude();
            let config = ChannelConfig {
                clock_ratio: 1.005,
                highpass_hz: Some(500.0),
                invert: true,
                seed: 77,
                ..ChannelConfig::default()
            }
            .with_snr(amplitude, snr);
            let (ok, _, _) = run_frames(&chip, 44_100, rate, amplitude, config, FRAMES_PER_CELL);
            write!(
                row,
                " {:.1} % |",
                ok as f64 * 100.0 / FRAMES_PER_CELL as f64
            )
            .unwrap();
        }
        writeln!(report, "{row}").unwrap();
    }
    writeln!(report).unwrap();
    Success {
        worst,
        overall: ok_total as f64 / total as f64,
    }
}

/// Sends `count` copies of `frame` (SEQ varied) through one channel; returns (ok, damaged, missed).
fn run_frames(
    frame: &[u8],
    fs: u32,
    rate: BitRate,
    amplitude: f32,
    config: ChannelConfig,
    count: usize,
) -> (usize, usize, usize) {
    let modulator = Modulator::new(fs, rate, amplitude);
    let mut demod = Demodulator::new(fs, rate).expect("supported rate");
    let mut channel = Channel::new(fs, config);
    let gap = 8 * fs as usize / rate.bits_per_second() as usize;
    let (mut ok, mut damaged, mut received_total) = (0, 0, 0);
    let mut tx = Vec::new();
    let mut rx = Vec::new();
    let mut sent = Vec::new();
    for i in 0..count {
        let bytes = with_seq(frame, i as u8);
        tx.clear();
        modulator.modulate(&bytes, &mut tx);
        tx.extend(std::iter::repeat_n(0.0, gap));
        rx.clear();
        channel.process(&tx, &mut rx);
        sent.push(bytes);
        let mut offset = 0;
        while offset < rx.len() {
            offset += demod.push(&rx[offset..]);
            if let Some((got, _)) = demod.frame() {
                received_total += 1;
                if sent.iter().rev().take(2).any(|s| s.as_slice() == got) {
                    ok += 1;
                } else {
                    damaged += 1;
                }
            }
        }
        if sent.len() > 2 {
            sent.remove(0);
        }
    }
    let missed = count.saturating_sub(received_total);
    (ok, damaged, missed)
}

/// The frame with another SEQ (header and frame checks recomputed).
fn with_seq(frame: &[u8], seq: u8) -> Vec<u8> {
    let parsed = mpos_link::parse_frame(frame).expect("valid example");
    let mut out = Vec::new();
    mpos_link::encode_frame(
        parsed.direction,
        parsed.frame_type,
        seq,
        parsed.payload,
        &mut out,
    )
    .expect("fits");
    out
}

struct RoundTrip {
    chosen_rate: BitRate,
    chosen_max_ms: f64,
    slowest_max_ms: f64,
}

fn info() -> Message {
    examples::all()
        .into_iter()
        .find_map(|e| match e.message {
            Message::Info(info) => Some(Message::Info(info)),
            _ => None,
        })
        .unwrap_or(Message::Info(ReaderInfo {
            serial: "X".into(),
            firmware: "1".into(),
            battery_percent: None,
            ksn: vec![0; 12],
        }))
}

/// The phone's microphone path used for round trips and auto-configuration.
fn phone_mic(gain: f32, lowpass: Option<f32>, snr_reference: f32, seed: u64) -> ChannelConfig {
    ChannelConfig {
        gain,
        highpass_hz: Some(300.0),
        lowpass_hz: lowpass,
        invert: true,
        seed,
        ..ChannelConfig::default()
    }
    .with_snr(snr_reference, 20.0)
}

/// The reader's input: 1.0 FS is about 1 V at the jack; its comparator
/// ignores less than 30 mV (0.03 FS), and -46 dBFS of noise.
fn reader_input(gain: f32, seed: u64) -> ChannelConfig {
    ChannelConfig {
        gain,
        highpass_hz: Some(20.0),
        noise_rms: 0.005,
        deadband: 0.03,
        seed,
        ..ChannelConfig::default()
    }
}

/// GetInfo -> Info through two stations and the audio between them.
fn round_trips(report: &mut String) -> RoundTrip {
    let fs = 48_000;
    writeln!(report, "### Command round trip").unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "GetInfo (phone to reader, 2400 bit/s) answered by Info ({} bytes on air) through two \
         `Station`s joined by `Loopback`: uplink at level 1 with 20 dB SNR, 300 Hz high-pass, \
         inverted, reader clock +0.3 %; 256-sample audio blocks at {fs} Hz on both ends, and the \
         reader firmware answers in the block after the command arrives. Time runs from the \
         phone's `send` to the phone's `Received(Info)` event, with ACKs (and any retransmission) \
         on the air. {ROUND_TRIPS} round trips per rate.",
        air_bytes_of(&info())
    )
    .unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "| Uplink (bit/s) | Air time, no gaps (ms) | Median (ms) | Max (ms) | Completed |"
    )
    .unwrap();
    writeln!(report, "|---|---|---|---|---|").unwrap();
    let mut max_by_rate = Vec::new();
    for rate in [BitRate::Bps2400, BitRate::Bps4800, BitRate::Bps9600] {
        let mut profile = LinkProfile::power_up_default("bench");
        profile.settings = LinkSettings {
            rate,
            level: UplinkLevel(1),
        };
        let phone = Station::phone(fs, &profile).expect("station");
        let reader = Station::reader(fs, profile.settings).expect("station");
        let mic = phone_mic(
            1.0,
            None,
            UplinkLevel(1).sim_amplitude(),
            500 + rate.code() as u64,
        );
        let mut link = Loopback::new(phone, reader, fs, 1.003, reader_input(1.0, 600), mic, 256);
        let mut times = Vec::new();
        for _ in 0..ROUND_TRIPS {
            let start = link.phone.now();
            link.phone.send(&Message::GetInfo).expect("queue has room");
            let mut answered_at = None;
            link.run_until(u64::from(fs) * 3, |link| {
                while let Some(event) = link.reader.poll_event() {
                    if matches!(
                        event,
                        StationEvent::Received {
                            message: Message::GetInfo,
                            ..
                        }
                    ) {
                        link.reader.send(&info()).expect("queue has room");
                    }
                }
                while let Some(event) = link.phone.poll_event() {
                    if matches!(
                        event,
                        StationEvent::Received {
                            message: Message::Info(_),
                            ..
                        }
                    ) {
                        answered_at = Some(link.phone.now());
                    }
                }
                answered_at.is_some()
            });
            if let Some(end) = answered_at {
                times.push((end - start) as f64 * 1000.0 / f64::from(fs));
            }
            // Let the ACKs finish before the next command.
            link.run_until(u64::from(fs) / 4, |link| {
                while link.phone.poll_event().is_some() {}
                while link.reader.poll_event().is_some() {}
                link.phone.is_idle() && link.reader.is_idle()
            });
        }
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        let max = times.last().copied().unwrap_or(f64::INFINITY);
        let ideal = air_millis(8, DOWNLINK_RATE)
            + air_millis(8, rate)
            + air_millis(air_bytes_of(&info()), rate);
        writeln!(
            report,
            "| {} | {ideal:.0} | {median:.0} | {max:.0} | {}/{ROUND_TRIPS} |",
            rate.bits_per_second(),
            times.len()
        )
        .unwrap();
        let max = if times.len() == ROUND_TRIPS {
            max
        } else {
            f64::INFINITY
        };
        max_by_rate.push((rate, max));
    }
    writeln!(report).unwrap();
    // The rate auto-configuration picks on the bench's typical phone (see below).
    let chosen_rate = typical_phone_rate();
    let chosen_max_ms = max_by_rate
        .iter()
        .find(|(r, _)| *r == chosen_rate)
        .map_or(f64::INFINITY, |(_, m)| *m);
    RoundTrip {
        chosen_rate,
        chosen_max_ms,
        slowest_max_ms: max_by_rate[0].1,
    }
}

fn air_bytes_of(message: &Message) -> usize {
    let mut payload = Vec::new();
    message.encode_payload(&mut payload).expect("valid");
    payload.len() + 8
}

/// A phone model of the auto-configuration table.
struct PhoneModel {
    name: &'static str,
    fs: u32,
    mic_gain: f32,
    lowpass: Option<f32>,
    clock_ratio: f64,
    downlink_gain: f32,
}

const PHONES: [PhoneModel; 5] = [
    PhoneModel {
        name: "typical (48 kHz, 0 dB mic gain)",
        fs: 48_000,
        mic_gain: 1.0,
        lowpass: None,
        clock_ratio: 1.003,
        downlink_gain: 1.0,
    },
    PhoneModel {
        name: "band-limited mic path (44.1 kHz, 6 kHz low-pass)",
        fs: 44_100,
        mic_gain: 1.0,
        lowpass: Some(6_000.0),
        clock_ratio: 0.995,
        downlink_gain: 1.0,
    },
    PhoneModel {
        name: "quiet mic (-18 dB)",
        fs: 48_000,
        mic_gain: 0.125,
        lowpass: None,
        clock_ratio: 1.005,
        downlink_gain: 1.0,
    },
    PhoneModel {
        name: "hot mic (+18 dB, clips at level 1)",
        fs: 48_000,
        mic_gain: 8.0,
        lowpass: None,
        clock_ratio: 1.0,
        downlink_gain: 1.0,
    },
    PhoneModel {
        name: "weak headphone output (-28 dB: reader deaf at 0.5 FS)",
        fs: 44_100,
        mic_gain: 1.0,
        lowpass: Some(9_000.0),
        clock_ratio: 0.997,
        downlink_gain: 0.04,
    },
];

fn typical_phone_rate() -> BitRate {
    run_autoconfig(&PHONES[0]).map_or(BitRate::Bps2400, |(profile, _)| profile.settings.rate)
}

/// Runs auto-configuration for a phone model; returns the profile and seconds taken.
fn run_autoconfig(model: &PhoneModel) -> Option<(LinkProfile, f64)> {
    let start_profile = LinkProfile::power_up_default(model.name);
    let phone = Station::phone(model.fs, &start_profile).ok()?;
    let reader = Station::reader(model.fs, start_profile.settings).ok()?;
    // Noise fixed in absolute terms: 20 dB below level 1 at 0 dB mic gain.
    let mut mic = phone_mic(
        model.mic_gain,
        model.lowpass,
        UplinkLevel(1).sim_amplitude(),
        900,
    );
    mic.noise_rms = UplinkLevel(1).sim_amplitude() * 0.1;
    let downlink = reader_input(model.downlink_gain, 901);
    let mut link = Loopback::new(
        phone,
        reader,
        model.fs,
        model.clock_ratio,
        downlink,
        mic,
        256,
    );
    link.phone.start_autoconfig(model.name).ok()?;
    let mut result = None;
    link.run_until(u64::from(model.fs) * 30, |link| {
        while link.reader.poll_event().is_some() {}
        while let Some(event) = link.phone.poll_event() {
            match event {
                StationEvent::AutoConfigured(profile) => result = Some(Some(profile)),
                StationEvent::AutoConfigFailed(_) => result = Some(None),
                _ => {}
            }
        }
        result.is_some()
    });
    let seconds = link.phone.now() as f64 / f64::from(model.fs);
    result.flatten().map(|p| (p, seconds))
}

fn autoconfig_times(report: &mut String) -> f64 {
    writeln!(report, "### Auto-configuration time").unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "From `start_autoconfig` to the `AutoConfigured` event, through the same stations and \
         paths; the microphone noise is fixed at 0.0125 FS RMS (20 dB below level 1 at 0 dB \
         gain), so louder levels raise the SNR. The reader's input has a 30 mV \
         comparator threshold (0.03 FS, below which it hears nothing) and 0.005 FS RMS of noise."
    )
    .unwrap();
    writeln!(report).unwrap();
    writeln!(
        report,
        "| Phone model | Result | Level | Downlink (FS) | Eye SNR (dB) | Time (s) |"
    )
    .unwrap();
    writeln!(report, "|---|---|---|---|---|---|").unwrap();
    let mut worst: f64 = 0.0;
    for model in &PHONES {
        match run_autoconfig(model) {
            Some((profile, seconds)) => {
                worst = worst.max(seconds);
                writeln!(
                    report,
                    "| {} | {} bit/s | {} | {:.1} | {:.1} | {seconds:.2} |",
                    model.name,
                    profile.settings.rate.bits_per_second(),
                    profile.settings.level.0,
                    profile.downlink_amplitude,
                    profile.eye_snr_db
                )
                .unwrap();
            }
            None => {
                worst = f64::INFINITY;
                writeln!(report, "| {} | failed | | | | |", model.name).unwrap();
            }
        }
    }
    writeln!(report).unwrap();
    worst
}

fn throughput(report: &mut String) {
    let fs = 48_000;
    let modulator = Modulator::new(fs, BitRate::Bps9600, 0.25);
    let chip = examples::all()
        .into_iter()
        .find(|e| e.name == "card_read_chip")
        .expect("exists")
        .frame();
    let mut tx = Vec::new();
    for _ in 0..2000 {
        modulator.modulate(&chip, &mut tx);
        tx.extend(std::iter::repeat_n(0.0, 100));
    }
    let mut rx = Vec::new();
    Channel::new(fs, ChannelConfig::default().with_snr(0.25, 20.0)).process(&tx, &mut rx);
    let mut demod = Demodulator::new(fs, BitRate::Bps9600).expect("supported");
    let started = Instant::now();
    let mut frames = 0;
    let mut offset = 0;
    while offset < rx.len() {
        offset += demod.push(&rx[offset..]);
        frames += usize::from(demod.frame().is_some());
    }
    let seconds = started.elapsed().as_secs_f64();
    writeln!(
        report,
        "Demodulator throughput (this machine, one core, 9600 bit/s at 48 kHz): {:.0}x real time ({frames} frames).",
        rx.len() as f64 / f64::from(fs) / seconds
    )
    .unwrap();
    writeln!(report).unwrap();
}

fn write_into_benchmarks(section: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let updated = match (existing.find(BEGIN), existing.find(END)) {
        (Some(begin), Some(end)) if end > begin => {
            format!(
                "{}{}{}",
                &existing[..begin],
                section.trim_end(),
                &existing[end + END.len()..]
            )
        }
        _ => {
            let separator = if existing.is_empty() || existing.ends_with("\n\n") {
                ""
            } else if existing.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{existing}{separator}{section}")
        }
    };
    std::fs::write(&path, updated).expect("write docs/benchmarks.md");
    println!("wrote {}", path.display());
}
