//! `mpos`: the command-line face of the project.
//!
//! `mpos demo` starts an embedded gateway (temporary SQLite file, TLS on
//! loopback, a loopback SMTP server and SMS provider) and plays a merchant's
//! day through `mpos-core` and the virtual reader.

mod bench;
mod decode_wav;
mod demo;
mod environment;
mod phone;
mod render;

use clap::{Parser, Subcommand};
use mpos_core::view::Locale;
use std::process::ExitCode;

/// mpos: mobile point of sale.
#[derive(Debug, Parser)]
#[command(name = "mpos", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a merchant's day end to end against an embedded gateway.
    Demo {
        /// Print one JSON object per step instead of the screens.
        #[arg(long)]
        json: bool,
        /// Also print the gateway's structured logs (stderr).
        #[arg(long)]
        verbose: bool,
        /// The language of the screens: zh-TW (the default) or en.
        #[arg(long, default_value = "zh-TW")]
        locale: String,
    },
    /// Decode the magnetic-stripe swipe in a WAV recording (card data masked).
    DecodeWav {
        /// The WAV file: 8-48 kHz, mono or stereo, 16-bit PCM or 32-bit float.
        file: std::path::PathBuf,
        /// Print one JSON object.
        #[arg(long, conflicts_with = "explain")]
        json: bool,
        /// Say what each stage saw (level, noise, segments, speeds, each
        /// candidate track and why it was refused), without card data.
        #[arg(long)]
        explain: bool,
    },
    /// Time login, chip sale, void and settlement end to end; write a Markdown report.
    Bench {
        /// Chip sales to time.
        #[arg(long, default_value_t = 200)]
        sales: usize,
        /// Logins to time.
        #[arg(long, default_value_t = 20)]
        logins: usize,
        /// Where to write the report.
        #[arg(long, default_value = "docs/benchmarks.md")]
        out: std::path::PathBuf,
    },
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => Some(runtime),
        Err(error) => {
            eprintln!("mpos: cannot start the async runtime: {error}");
            None
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::DecodeWav {
            file,
            json,
            explain,
        } => decode_wav::run(&file, json, explain),
        Command::Bench { sales, logins, out } => {
            let Some(runtime) = runtime() else {
                return ExitCode::FAILURE;
            };
            let plan = bench::BenchPlan {
                sales: sales.max(1),
                logins: logins.max(1),
            };
            match runtime.block_on(bench::run(plan)) {
                Ok(markdown) => {
                    print!("{markdown}");
                    if let Err(error) = bench::write_section(&out, &markdown) {
                        eprintln!("mpos bench: cannot write {}: {error}", out.display());
                        return ExitCode::FAILURE;
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("mpos bench: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Demo {
            json,
            verbose,
            locale,
        } => {
            if verbose {
                tracing_subscriber::fmt()
                    .with_env_filter("info")
                    .with_writer(std::io::stderr)
                    .json()
                    .init();
            }
            let Some(runtime) = runtime() else {
                return ExitCode::FAILURE;
            };
            let output = if json {
                demo::Output::Json
            } else {
                demo::Output::Screens
            };
            match runtime.block_on(demo::run(output, Locale::from_tag(&locale))) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(error) => {
                    eprintln!("mpos demo: {error}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
