//! `mpos-gateway serve`: runs the acquirer host until Ctrl-C or SIGTERM.

use clap::{Parser, Subcommand};
use mpos_gateway::{start, GatewayConfig, StartOptions};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mpos-gateway",
    about = "The mpos acquirer host (HTTPS API, SQLite, settlement)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API.
    Serve {
        /// Directory for the database, TLS files, admin token and outbox.
        #[arg(long)]
        data_dir: PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// JSON configuration file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Certificate PEM (with --tls-key); generated when absent.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Private key PEM (with --tls-cert).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Allow PUT /v1/test/clock to set the clock (tests only).
        #[arg(long)]
        test_clock: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let Command::Serve {
        data_dir,
        listen,
        config,
        tls_cert,
        tls_key,
        test_clock,
    } = Cli::parse().command;
    let config = match config {
        Some(path) => match GatewayConfig::from_file(&path) {
            Ok(config) => config,
            Err(e) => {
                eprintln!("mpos-gateway: {e}");
                return ExitCode::from(2);
            }
        },
        None => GatewayConfig::new(Default::default()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mpos-gateway: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let options = StartOptions {
            data_dir,
            listen,
            config,
            tls: tls_cert.zip(tls_key),
            test_clock,
        };
        let gateway = match start(options).await {
            Ok(gateway) => gateway,
            Err(e) => {
                eprintln!("mpos-gateway: {e}");
                return ExitCode::FAILURE;
            }
        };
        let ready = serde_json::json!({
            "event": "ready",
            "listen": gateway.addr.to_string(),
            "base_url": gateway.base_url(),
            "cert_path": gateway.cert_path,
            "spki_sha256": gateway.spki_sha256_hex,
            "admin_token_path": gateway.admin_token_path,
        });
        // Listen for signals before announcing readiness: a supervisor may
        // send SIGTERM the moment it reads the ready line.
        let shutdown = shutdown_signal();
        println!("{ready}");
        shutdown.await;
        tracing::info!("shutdown requested");
        gateway.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM; both handlers exist when this returns.
#[cfg(unix)]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let interrupt = signal(SignalKind::interrupt());
    let terminate = signal(SignalKind::terminate());
    async move {
        match (interrupt, terminate) {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
