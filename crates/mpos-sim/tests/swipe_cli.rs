//! `mpos-sim swipe` writes WAV files that decode to the track given, with
//! card data masked in its own output, and refuses bad requests (exit 2).

use mpos_magstripe::MagstripeDecoder;
use std::path::Path;
use std::process::{Command, Output};

fn sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mpos-sim"))
        .args(args)
        .output()
        .unwrap()
}

/// Decodes every channel of a WAV file; the texts read, in channel order.
fn decode(path: &Path) -> (hound::WavSpec, Vec<String>) {
    let mut reader = hound::WavReader::open(path).unwrap();
    let spec = reader.spec();
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Int => reader
            .samples::<i16>()
            .map(|s| f32::from(s.unwrap()) / 32_768.0)
            .collect(),
        hound::SampleFormat::Float => reader.samples::<f32>().map(Result::unwrap).collect(),
    };
    let channels = usize::from(spec.channels);
    let mut texts = Vec::new();
    for c in 0..channels {
        let mono: Vec<f32> = samples.iter().skip(c).step_by(channels).copied().collect();
        let mut decoder = MagstripeDecoder::new(spec.sample_rate).unwrap();
        let mut swipes = decoder.push_f32(&mono);
        swipes.extend(decoder.finish());
        texts.extend(
            swipes
                .into_iter()
                .flat_map(|s| s.tracks)
                .map(|t| t.characters),
        );
    }
    (spec, texts)
}

const TRACK2: &str = ";4242424242424242=30121011234567?";
const TRACK1: &str = "%B4242424242424242^TEST/VISA NOCHIP^3012101000000?";

#[test]
fn swipe_writes_a_wav_that_decodes_and_prints_only_masked_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t2.wav");
    let result = sim(&[
        "swipe",
        "--track2",
        TRACK2,
        "--speed",
        "30",
        "--speed-end",
        "60",
        "--jitter",
        "0.02",
        "--snr",
        "25",
        "--rate",
        "44100",
        "--highpass",
        "300",
        "--reverse",
        "--invert",
        "--format",
        "i16",
        "--channels",
        "1",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let stdout = String::from_utf8(result.stdout).unwrap();
    assert!(stdout.contains(";424242******4242="), "{stdout}");
    assert!(!stdout.contains("4242424242424242"), "{stdout}");
    let (spec, texts) = decode(&out);
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (44_100, 1, 16)
    );
    assert_eq!(texts, vec![TRACK2]);
}

#[test]
fn two_tracks_go_to_two_channels_and_8_khz_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t12.wav");
    let result = sim(&[
        "swipe",
        "--track1",
        TRACK1,
        "--track2",
        TRACK2,
        "--speed",
        "8",
        "--rate",
        "8000",
        "--snr",
        "30",
        "--channels",
        "2",
        "--format",
        "f32",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let (spec, texts) = decode(&out);
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (8_000, 2, 32)
    );
    assert_eq!(texts, vec![TRACK1, TRACK2]);
}

#[test]
fn bad_requests_exit_2_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wav");
    let out = out.to_str().unwrap();
    for (args, reason) in [
        (vec!["swipe", "--out", out], "at least one"),
        (
            vec!["swipe", "--track2", "4111?", "--out", out],
            "start sentinel",
        ),
        (
            vec![
                "swipe", "--track1", TRACK1, "--track2", TRACK2, "--out", out,
            ],
            "one track",
        ),
        (
            vec!["swipe", "--track2", TRACK2, "--speed", "0", "--out", out],
            "speed",
        ),
        (
            vec!["swipe", "--track2", TRACK2, "--rate", "1000", "--out", out],
            "sample rate",
        ),
    ] {
        let result = sim(&args);
        assert_eq!(result.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(result.stderr).unwrap();
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }
}
