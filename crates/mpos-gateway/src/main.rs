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
    /// Create a merchant administrator for the portal; prints a generated
    /// password once (the second factor is enrolled at the first sign-in).
    CreateAdmin {
        /// The gateway's data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// The gateway's JSON configuration file (its database and pepper).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Sign-in name.
        #[arg(long)]
        username: String,
        /// The administrator's name.
        #[arg(long)]
        name: String,
        /// The administrator's e-mail.
        #[arg(long)]
        email: String,
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
    let (data_dir, listen, config, tls_cert, tls_key, test_clock) = match Cli::parse().command {
        Command::Serve {
            data_dir,
            listen,
            config,
            tls_cert,
            tls_key,
            test_clock,
        } => (data_dir, listen, config, tls_cert, tls_key, test_clock),
        Command::CreateAdmin {
            data_dir,
            config,
            username,
            name,
            email,
        } => {
            let request = mpos_gateway::first_admin::AdminRequest {
                username,
                name,
                email,
            };
            return create_admin(data_dir, config, request);
        }
    };
    let (config, runtime) = match load_config(config).and_then(|c| Ok((c, runtime()?))) {
        Ok(ready) => ready,
        Err(code) => return code,
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

/// The configuration file's settings, or the defaults without one; exit code 2 when invalid.
fn load_config(path: Option<PathBuf>) -> Result<GatewayConfig, ExitCode> {
    match path {
        Some(path) => GatewayConfig::from_file(&path).map_err(|e| {
            eprintln!("mpos-gateway: {e}");
            ExitCode::from(2)
        }),
        None => Ok(GatewayConfig::new(Default::default())),
    }
}

/// The multi-threaded runtime; exit code 1 when it cannot start.
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("mpos-gateway: cannot start the runtime: {e}");
            ExitCode::FAILURE
        })
}

/// `create-admin`: prints `{"username", "password"}` once.
fn create_admin(
    data_dir: PathBuf,
    config: Option<PathBuf>,
    request: mpos_gateway::first_admin::AdminRequest,
) -> ExitCode {
    let (config, runtime) = match load_config(config).and_then(|c| Ok((c, runtime()?))) {
        Ok(ready) => ready,
        Err(code) => return code,
    };
    let now = time::OffsetDateTime::now_utc();
    match runtime.block_on(mpos_gateway::first_admin::create_admin(
        &config, &data_dir, &request, now,
    )) {
        Ok(admin) => {
            println!(
                "{}",
                serde_json::json!({
                    "event": "admin_created",
                    "id": admin.id,
                    "username": admin.username,
                    "password": admin.password,
                    "next": "sign in at /portal/login and enrol an authenticator app",
                })
            );
            ExitCode::SUCCESS
        }
        Err(mpos_gateway::first_admin::CreateAdminError::Invalid(message)) => {
            eprintln!("mpos-gateway: {message}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("mpos-gateway: {e}");
            ExitCode::FAILURE
        }
    }
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
