//! `mpos-sim`: tools around the virtual reader.
//!
//! `mpos-sim swipe` writes the WAV file a raw magnetic-head reader would
//! put on the phone's microphone input for a swipe of the given tracks:
//!
//! ```text
//! mpos-sim swipe --track2 ';4111111111111111=30122011234567890?' \
//!     --speed 30 --speed-end 60 --jitter 0.02 --snr 25 --rate 44100 \
//!     --highpass 300 --reverse --invert --format f32 --channels 1 --seed 7 --out swipe.wav
//! ```
//!
//! One track per channel. With `--channels 2` and one track, both channels
//! carry it (a stereo recording of one head) with independent noise.
//! Use only published test card numbers (see `mpos-cards`).

use clap::{Parser, Subcommand, ValueEnum};
use mpos_magstripe::DecodedTrack;
use mpos_sim::magstripe::{synthesize, write_wav, Stripe, SwipeParams, SynthError, WavFormat};
use std::path::PathBuf;
use std::process::ExitCode;

/// mpos-sim: the virtual card reader's tools.
#[derive(Debug, Parser)]
#[command(name = "mpos-sim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// 32-bit float.
    F32,
    /// 16-bit PCM.
    I16,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the head signal of a swipe as a WAV file.
    Swipe {
        /// Track 1 text, `%` through `?` (LRC added).
        #[arg(long)]
        track1: Option<String>,
        /// Track 2 text, `;` through `?` (LRC added).
        #[arg(long)]
        track2: Option<String>,
        /// Track 3 text, `;` through `?` (LRC added).
        #[arg(long)]
        track3: Option<String>,
        /// Speed when the card meets the head, inches per second.
        #[arg(long, default_value_t = 20.0)]
        speed: f64,
        /// Speed when it leaves (default: the same).
        #[arg(long)]
        speed_end: Option<f64>,
        /// Transition position jitter, fraction of a bit cell (standard deviation).
        #[arg(long, default_value_t = 0.0)]
        jitter: f64,
        /// Signal-to-noise ratio in dB (default: no noise).
        #[arg(long)]
        snr: Option<f64>,
        /// Sample rate, Hz.
        #[arg(long, default_value_t = 44_100)]
        rate: u32,
        /// The phone's high-pass corner, Hz (default: none).
        #[arg(long)]
        highpass: Option<f64>,
        /// Swipe the card end first.
        #[arg(long)]
        reverse: bool,
        /// Invert the head's polarity.
        #[arg(long)]
        invert: bool,
        /// Sample format.
        #[arg(long, value_enum, default_value_t = Format::F32)]
        format: Format,
        /// Channels: 1, or 2 (one track each, or one track on both).
        #[arg(long, default_value_t = 1)]
        channels: u16,
        /// Seed of the jitter and noise.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the WAV file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// The stripes of the tracks given, one per channel.
fn stripes(
    tracks: &[(u8, Option<String>)],
    channels: u16,
) -> Result<Vec<(u8, String, Stripe)>, SynthError> {
    let mut given = Vec::new();
    for (track, text) in tracks {
        if let Some(text) = text {
            given.push((*track, text.clone(), Stripe::for_track(*track, text)?));
        }
    }
    match (given.len(), channels) {
        (0, _) => Err(SynthError::Parameter(
            "give at least one of --track1, --track2, --track3",
        )),
        (1, 1) | (2, 2) => Ok(given),
        (1, 2) => {
            let copy = given[0].clone();
            given.push(copy);
            Ok(given)
        }
        (_, 1) => Err(SynthError::Parameter(
            "a mono recording carries one track; use --channels 2 for two",
        )),
        _ => Err(SynthError::Parameter(
            "use --channels 1 or 2, with at most one track per channel",
        )),
    }
}

fn main() -> ExitCode {
    let Command::Swipe {
        track1,
        track2,
        track3,
        speed,
        speed_end,
        jitter,
        snr,
        rate,
        highpass,
        reverse,
        invert,
        format,
        channels,
        seed,
        out,
    } = Cli::parse().command;
    let tracks = match stripes(&[(1, track1), (2, track2), (3, track3)], channels) {
        Ok(tracks) => tracks,
        Err(error) => {
            eprintln!("mpos-sim swipe: {error}");
            return ExitCode::from(2);
        }
    };
    let params = SwipeParams {
        speed_ips: speed,
        speed_end_ips: speed_end.unwrap_or(speed),
        jitter,
        snr_db: snr,
        sample_rate: rate,
        highpass_hz: highpass,
        reverse,
        invert,
        seed,
        ..SwipeParams::default()
    };
    let stripes: Vec<Stripe> = tracks.iter().map(|(_, _, stripe)| stripe.clone()).collect();
    let audio = match synthesize(&stripes, &params) {
        Ok(audio) => audio,
        Err(error) => {
            eprintln!("mpos-sim swipe: {error}");
            return ExitCode::from(2);
        }
    };
    let wav_format = match format {
        Format::F32 => WavFormat::F32,
        Format::I16 => WavFormat::I16,
    };
    let written = std::fs::File::create(&out)
        .map_err(hound::Error::IoError)
        .and_then(|file| write_wav(std::io::BufWriter::new(file), &audio, wav_format));
    if let Err(error) = written {
        eprintln!(
            "mpos-sim swipe: 無法寫入 {} / cannot write {}: {error}",
            out.display(),
            out.display()
        );
        return ExitCode::FAILURE;
    }
    // Only masked track data leaves the tool.
    for (channel, (track, text, _)) in tracks.iter().enumerate() {
        let masked = DecodedTrack {
            track: *track,
            characters: text.clone(),
        }
        .masked();
        println!("channel {}: track {track} {masked}", channel + 1);
    }
    println!(
        "wrote {}: {} Hz, {} channel(s), {:.3} s, card under the head {:.3}-{:.3} s",
        out.display(),
        audio.sample_rate,
        audio.channels.len(),
        audio.frames() as f64 / f64::from(audio.sample_rate),
        audio.first_transition_s,
        audio.last_transition_s
    );
    ExitCode::SUCCESS
}
