//! `mpos decode-wav FILE [--json | --explain]`: decodes the magnetic-stripe
//! swipe in a WAV recording of a raw-head reader with `mpos-magstripe`'s
//! decoder; `--explain` says what each stage saw, channel by channel.
//!
//! 8 to 48 kHz, mono or stereo, 16-bit PCM or 32-bit float. Each channel is
//! decoded on its own, as the head it came from (a two-head reader puts one
//! track on each; a stereo copy of one head gives the same track twice,
//! reported once). The first swipe of the file is reported. Card data
//! never leaves in clear: each track is shown masked (first 6 and last 4
//! digits of the card number) with the SHA-256 of its exact characters,
//! and whether it is a payment card's (the decoder reads any ISO 7811
//! track: loyalty, access and hotel cards too).

use mpos_magstripe::{
    DecodedSwipe, DecodedTrack, MagstripeDecoder, TrackKind, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE,
};
use std::path::Path;
use std::process::ExitCode;

/// Samples handed to the decoder at a time, as an audio callback would.
const CHUNK: usize = 4096;

/// Why a WAV file could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeWavError {
    /// The file cannot be opened or read.
    #[error("無法讀取 {path}：{source}，請確認檔案路徑 / cannot read {path}: {source}; check the file path")]
    Read {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a well-formed WAV file (bad or truncated header or data).
    #[error("{path} 不是完整的 WAV 檔（{reason}），請重新錄製或匯出 / {path} is not a well-formed WAV file ({reason}); record or export it again")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A WAV file in a format the decoder does not take.
    #[error("{path} 的格式不支援（{format}），請使用 8 至 48 kHz、單聲道或立體聲、16 位元 PCM 或 32 位元浮點 / {path} has an unsupported format ({format}); use 8 to 48 kHz, mono or stereo, 16-bit PCM or 32-bit float")]
    Unsupported {
        /// The file.
        path: String,
        /// The format found.
        format: String,
    },
}

/// What was found in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct WavDecode {
    /// The first swipe, tracks of every channel merged; `None` if none.
    pub swipe: Option<DecodedSwipe>,
}

impl WavDecode {
    /// The one JSON object `--json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let Some(swipe) = &self.swipe else {
            return serde_json::json!({ "tracks": [] });
        };
        let tracks: Vec<serde_json::Value> = swipe
            .tracks
            .iter()
            .map(|t| {
                serde_json::json!({
                    "track": t.track,
                    "masked": t.masked(),
                    "sha256": t.sha256_hex(),
                    "payment_card": t.kind().is_payment_card(),
                })
            })
            .collect();
        serde_json::json!({
            "tracks": tracks,
            "direction": swipe.direction.as_str(),
            "speed_ips": (f64::from(swipe.speed_ips) * 10.0).round() / 10.0,
        })
    }

    /// Lines for a person (masked as well).
    pub fn to_text(&self) -> String {
        let Some(swipe) = &self.swipe else {
            return "no track found\n".to_owned();
        };
        let mut text = format!(
            "swipe: {}, {:.1} inches/s\n",
            swipe.direction.as_str(),
            swipe.speed_ips
        );
        for t in &swipe.tracks {
            let kind = match t.kind() {
                TrackKind::PaymentCard => "a payment card".to_owned(),
                TrackKind::Other(field) => format!("not a payment card ({field})"),
            };
            text.push_str(&format!(
                "track {}: {}  sha256 {}  {kind}\n",
                t.track,
                t.masked(),
                t.sha256_hex()
            ));
        }
        text
    }
}

fn malformed(path: &Path, error: impl std::fmt::Display) -> DecodeWavError {
    DecodeWavError::Malformed {
        path: path.display().to_string(),
        reason: error.to_string(),
    }
}

/// The channels of a WAV file as float samples, and its sample rate.
struct Channels {
    rate: u32,
    channels: Vec<Vec<f32>>,
}

/// Reads `path` and decodes it.
pub fn decode_wav(path: &Path) -> Result<WavDecode, DecodeWavError> {
    let Channels { rate, channels } = read_channels(path)?;
    let mut first: Option<DecodedSwipe> = None;
    for mono in &channels {
        let Some(swipe) = first_swipe(mono, rate) else {
            continue;
        };
        match &mut first {
            None => first = Some(swipe),
            Some(merged) => {
                for track in swipe.tracks {
                    if !merged.tracks.iter().any(|t| t.track == track.track) {
                        merged.tracks.push(track);
                    }
                }
                merged.tracks.sort_by_key(|t: &DecodedTrack| t.track);
            }
        }
    }
    Ok(WavDecode { swipe: first })
}

/// Reads `path` and explains each channel's decoding, as text without card data.
pub fn explain_wav(path: &Path) -> Result<String, DecodeWavError> {
    let Channels { rate, channels } = read_channels(path)?;
    let mut text = String::new();
    for (n, mono) in channels.iter().enumerate() {
        if channels.len() > 1 {
            text.push_str(&format!("== channel {} of {}\n", n + 1, channels.len()));
        }
        match mpos_magstripe::explain(mono, rate) {
            Ok(explanation) => text.push_str(&explanation.to_string()),
            Err(error) => text.push_str(&format!("{error}\n")),
        }
    }
    Ok(text)
}

fn read_channels(path: &Path) -> Result<Channels, DecodeWavError> {
    let file = std::fs::File::open(path).map_err(|source| DecodeWavError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let reader = hound::WavReader::new(std::io::BufReader::new(file))
        .map_err(|error| malformed(path, error))?;
    let spec = reader.spec();
    let supported_format = matches!(
        (spec.sample_format, spec.bits_per_sample),
        (hound::SampleFormat::Int, 16) | (hound::SampleFormat::Float, 32)
    );
    if !supported_format
        || !(1..=2).contains(&spec.channels)
        || !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&spec.sample_rate)
    {
        return Err(DecodeWavError::Unsupported {
            path: path.display().to_string(),
            format: format!(
                "{} Hz, {} channel(s), {}-bit {}",
                spec.sample_rate,
                spec.channels,
                spec.bits_per_sample,
                match spec.sample_format {
                    hound::SampleFormat::Int => "PCM",
                    hound::SampleFormat::Float => "float",
                }
            ),
        });
    }
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Int => reader
            .into_samples::<i16>()
            .map(|s| s.map(|v| f32::from(v) / 32_768.0))
            .collect::<Result<_, _>>(),
        hound::SampleFormat::Float => reader.into_samples::<f32>().collect::<Result<_, _>>(),
    }
    .map_err(|error| malformed(path, error))?;
    let count = usize::from(spec.channels);
    let channels = (0..count)
        .map(|channel| {
            samples
                .iter()
                .skip(channel)
                .step_by(count)
                .copied()
                .collect()
        })
        .collect();
    Ok(Channels {
        rate: spec.sample_rate,
        channels,
    })
}

fn first_swipe(samples: &[f32], sample_rate: u32) -> Option<DecodedSwipe> {
    let mut decoder = MagstripeDecoder::new(sample_rate).ok()?;
    for chunk in samples.chunks(CHUNK) {
        if let Some(swipe) = decoder.push_f32(chunk).into_iter().next() {
            return Some(swipe);
        }
    }
    decoder.finish().into_iter().next()
}

/// Runs the command: prints the result (or the explanation), exit 0, or the error, exit 2.
pub fn run(path: &Path, json: bool, explain: bool) -> ExitCode {
    if explain {
        return match explain_wav(path) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("mpos decode-wav: {error}");
                ExitCode::from(2)
            }
        };
    }
    match decode_wav(path) {
        Ok(decoded) => {
            if json {
                println!("{}", decoded.to_json());
            } else {
                print!("{}", decoded.to_text());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("mpos decode-wav: {error}");
            ExitCode::from(2)
        }
    }
}
