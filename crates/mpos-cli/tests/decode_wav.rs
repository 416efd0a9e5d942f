//! `mpos decode-wav FILE --json` on files written by the head model: the
//! JSON shape, masking, the SHA-256, stereo, and typed errors (exit 2) for
//! files it cannot take.

use mpos_sim::magstripe::{synthesize, write_wav, Stripe, SwipeParams, WavFormat};
use std::path::{Path, PathBuf};
use std::process::Command;

const TRACK2: &str = ";4111111111111111=30122011234567890?";
const TRACK1: &str = "%B5555555555554444^TEST/MASTERCARD^3012201000123?";

fn write(
    dir: &Path,
    name: &str,
    stripes: &[Stripe],
    params: &SwipeParams,
    format: WavFormat,
) -> PathBuf {
    let path = dir.join(name);
    let audio = synthesize(stripes, params).unwrap();
    write_wav(
        std::io::BufWriter::new(std::fs::File::create(&path).unwrap()),
        &audio,
        format,
    )
    .unwrap();
    path
}

/// One second of speech-like sound, 8 kHz 16-bit mono: no swipe in it.
fn write_speech(path: &Path) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for s in mpos_sim::magstripe::speech_like(8_000, 1.0, 0.3, 1) {
        writer
            .write_sample((s.clamp(-1.0, 1.0) * 32_767.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
}

fn decode(path: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mpos"))
        .arg("decode-wav")
        .arg(path)
        .arg("--json")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// SHA-256 of the track text, computed independently (Python hashlib).
const TRACK2_SHA256: &str = "f8cc9ce7ed80c936f8f6d1e7a3068f382c4e724ded712da82b78212fbba61fd0";

#[test]
fn a_swipe_prints_one_masked_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let params = SwipeParams {
        speed_ips: 30.0,
        speed_end_ips: 45.0,
        jitter: 0.02,
        snr_db: Some(25.0),
        highpass_hz: Some(300.0),
        reverse: true,
        seed: 7,
        ..SwipeParams::default()
    };
    let path = write(
        dir.path(),
        "t2.wav",
        &[Stripe::for_track(2, TRACK2).unwrap()],
        &params,
        WavFormat::I16,
    );
    let (code, stdout, stderr) = decode(&path);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["direction"], "reverse");
    let speed = json["speed_ips"].as_f64().unwrap();
    assert!((30.0..=45.0).contains(&speed), "{speed}");
    let tracks = json["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 1);
    assert_eq!(tracks[0]["track"], 2);
    assert_eq!(tracks[0]["sha256"], TRACK2_SHA256);
    assert_eq!(tracks[0]["masked"], ";411111******1111=*****************?");
    assert_eq!(tracks[0]["payment_card"], true);
    // Nothing in the output holds more than the first 6 and last 4 digits.
    assert!(!stdout.contains("4111111111111111"));
    assert!(!stdout.contains("30122011234567890"));
    assert_eq!(json.as_object().unwrap().len(), 3);
}

#[test]
fn stereo_float_with_one_track_per_channel_reports_both() {
    let dir = tempfile::tempdir().unwrap();
    let params = SwipeParams {
        speed_ips: 15.0,
        speed_end_ips: 15.0,
        snr_db: Some(30.0),
        sample_rate: 48_000,
        ..SwipeParams::default()
    };
    let stripes = [
        Stripe::for_track(1, TRACK1).unwrap(),
        Stripe::for_track(2, TRACK2).unwrap(),
    ];
    let path = write(dir.path(), "t12.wav", &stripes, &params, WavFormat::F32);
    let (code, stdout, stderr) = decode(&path);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["direction"], "forward");
    let tracks = json["tracks"].as_array().unwrap();
    let numbers: Vec<i64> = tracks
        .iter()
        .map(|t| t["track"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, vec![1, 2]);
    assert_eq!(
        tracks[0]["masked"],
        "%B555555******4444^***************^*************?"
    );
    assert!(!stdout.contains("5555555555554444") && !stdout.contains("MASTERCARD"));
}

#[test]
fn no_swipe_prints_an_empty_track_list_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noise.wav");
    write_speech(&path);
    let (code, stdout, stderr) = decode(&path);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.trim(), r#"{"tracks":[]}"#);
}

#[test]
fn bad_files_get_a_clear_error_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.wav",
        &[Stripe::for_track(2, TRACK2).unwrap()],
        &SwipeParams::default(),
        WavFormat::I16,
    );
    let bytes = std::fs::read(&good).unwrap();
    let truncated_header = dir.path().join("header.wav");
    std::fs::write(&truncated_header, &bytes[..20]).unwrap();
    let truncated_data = dir.path().join("data.wav");
    std::fs::write(&truncated_data, &bytes[..bytes.len() / 2 + 1]).unwrap();
    let not_wav = dir.path().join("text.wav");
    std::fs::write(&not_wav, b"this is not a wav file at all, just text").unwrap();
    let missing = dir.path().join("missing.wav");
    for (path, expected) in [
        (&truncated_header, "not a well-formed WAV"),
        (&truncated_data, "not a well-formed WAV"),
        (&not_wav, "not a well-formed WAV"),
        (&missing, "cannot read"),
    ] {
        let (code, stdout, stderr) = decode(path);
        assert_eq!(code, 2, "{}: {stderr}", path.display());
        assert!(stdout.is_empty());
        assert!(stderr.contains(expected), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn unsupported_formats_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "rate.wav",
            96_000,
            1,
            16,
            hound::SampleFormat::Int,
            "96000 Hz",
        ),
        (
            "channels.wav",
            44_100,
            3,
            16,
            hound::SampleFormat::Int,
            "3 channel",
        ),
        (
            "bits.wav",
            44_100,
            1,
            24,
            hound::SampleFormat::Int,
            "24-bit",
        ),
    ];
    for (name, rate, channels, bits, format, expected) in cases {
        let path = dir.path().join(name);
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        };
        let mut writer = hound::WavWriter::create(&path, spec).unwrap();
        for _ in 0..(channels as usize * 100) {
            writer.write_sample(0i32).unwrap();
        }
        writer.finalize().unwrap();
        let (code, _, stderr) = decode(&path);
        assert_eq!(code, 2, "{name}");
        assert!(
            stderr.contains("unsupported format") && stderr.contains(expected),
            "{stderr}"
        );
    }
}

fn explain(path: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mpos"))
        .arg("decode-wav")
        .arg(path)
        .arg("--explain")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn explain_says_what_each_stage_saw_without_card_data() {
    let dir = tempfile::tempdir().unwrap();
    let params = SwipeParams {
        speed_ips: 20.0,
        speed_end_ips: 30.0,
        snr_db: Some(30.0),
        ..SwipeParams::default()
    };
    let path = write(
        dir.path(),
        "t2.wav",
        &[Stripe::for_track(2, TRACK2).unwrap()],
        &params,
        WavFormat::I16,
    );
    let (code, stdout) = explain(&path);
    assert_eq!(code, 0, "{stdout}");
    for stage in [
        "signal: peak",
        "noise floor",
        "transitions",
        "bit cell",
        "inches/s",
        "track 2: accepted: 36 characters, a payment card",
        "track 1: refused:",
        "result: track 2 accepted, a payment card",
    ] {
        assert!(stdout.contains(stage), "{stage} in\n{stdout}");
    }
    assert!(!stdout.contains("4111111111111111"), "{stdout}");
    assert!(!stdout.contains("30122011234567890"), "{stdout}");
    // The explained speed range holds the swipe's 20 to 30 inches/s.
    let line = stdout
        .lines()
        .find(|l| l.contains("track 2: accepted"))
        .unwrap();
    let range = line.split('[').nth(1).unwrap();
    let numbers: Vec<f64> = range
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(numbers[0] >= 15.0 && numbers[1] <= 36.0, "{line}");
}

#[test]
fn a_framed_track_that_is_not_a_payment_card_is_read_and_said_to_be_so() {
    // A membership card's track 2: sentinels, parity and LRC right, no card number.
    let dir = tempfile::tempdir().unwrap();
    let params = SwipeParams {
        speed_ips: 25.0,
        speed_end_ips: 20.0,
        snr_db: Some(30.0),
        seed: 3,
        ..SwipeParams::default()
    };
    let path = write(
        dir.path(),
        "member.wav",
        &[Stripe::for_track(2, ";900210=123456?").unwrap()],
        &params,
        WavFormat::I16,
    );
    let (code, stdout, stderr) = decode(&path);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let tracks = json["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 1, "{stdout}");
    assert_eq!(tracks[0]["track"], 2);
    assert_eq!(tracks[0]["payment_card"], false);
    let (code, explained) = explain(&path);
    assert_eq!(code, 0, "{explained}");
    assert!(
        explained.contains("result: track 2 accepted, not a payment card"),
        "{explained}"
    );
}

#[test]
fn explain_on_speech_says_nothing_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("speech.wav");
    write_speech(&path);
    let (code, stdout) = explain(&path);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("signal: peak"), "{stdout}");
    assert!(stdout.contains("result: no track accepted"), "{stdout}");
}
