//! mpos-gateway: the acquirer host of the mpos system.
//!
//! An HTTPS API (axum on hyper-util, rustls on ring) for the phone app and
//! the merchant administrator, a SQLite store behind the [`store::Store`]
//! boundary, an HSM module that alone sees card numbers, an issuer
//! simulator for the test cards, e-mail (SMTP) and SMS notifications, and
//! settlement with the daily 23:00 Asia/Taipei run.
//!
//! Embed it with [`start`]; the `mpos-gateway` binary wraps the same call.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod emv;
pub mod error;
pub mod first_admin;
pub mod hsm;
pub mod ids;
pub mod issuer;
pub mod notify;
pub mod openapi;
pub mod payments;
pub mod portal;
pub mod private_files;
pub mod production;
pub mod rate_limits;
pub mod receipts;
pub mod routes;
pub mod server;
pub mod settlement;
pub mod state;
pub mod store;
pub mod tls;
pub mod token_key;

pub use config::GatewayConfig;

use crate::clock::{Clock, SystemClock, TestClock};
use crate::hsm::Hsm;
use crate::notify::mail::Mailer;
use crate::notify::sms::SmsSender;
use crate::state::{AppState, Shared};
use crate::store::Store;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The configuration is not usable.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// The data directory or a file in it could not be used.
    #[error("{what} ({path}): {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] store::StoreError),
    /// The TLS certificate or key could not be used.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The e-mail or SMS settings could not be used.
    #[error("notifications: {0}")]
    Notify(#[from] notify::NotifyError),
    /// The card-token key could not be loaded.
    #[error(transparent)]
    TokenKey(#[from] token_key::TokenKeyError),
    /// Production mode refuses this configuration.
    #[error("production mode refuses to start: {}; fix these, or set \"mode\": \"development\" for tests and demos", .0.join("; "))]
    NotForProduction(Vec<String>),
}

/// The password pepper's file inside the key directory, when not configured.
pub const PEPPER_FILE: &str = "password-pepper.key";

/// How to start the gateway.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// Where the database, TLS files, admin token and outbox live.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Configuration.
    pub config: GatewayConfig,
    /// Certificate and key PEM files; generated into the data directory when `None`.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Whether `PUT /v1/test/clock` may set the clock.
    pub test_clock: bool,
}

/// A started gateway.
pub struct RunningGateway {
    /// The bound address.
    pub addr: SocketAddr,
    /// The server certificate, PEM (trust it in clients).
    pub cert_pem: String,
    /// Where the certificate file is.
    pub cert_path: PathBuf,
    /// SHA-256 of the server key's SubjectPublicKeyInfo, hex (for pinning).
    pub spki_sha256_hex: String,
    /// Bearer token of the admin API.
    pub admin_token: String,
    /// Where the admin token file is.
    pub admin_token_path: PathBuf,
    /// The data directory.
    pub data_dir: PathBuf,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    scheduler: JoinHandle<()>,
}

impl std::fmt::Debug for RunningGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningGateway")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningGateway {
    /// `https://HOST:PORT` of the API (loopback when listening on all interfaces).
    pub fn base_url(&self) -> String {
        format!("https://{}", client_addr(self.addr))
    }

    /// Stops accepting, lets open requests finish, stops the scheduler.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        self.scheduler.abort();
        let _ = self.scheduler.await;
        tracing::info!("gateway stopped");
    }
}

/// The address a local client uses to reach `addr`.
fn client_addr(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

fn io_error(
    what: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> GatewayError {
    let path = path.to_path_buf();
    move |source| GatewayError::Io { what, path, source }
}

/// Opens the configured database (PostgreSQL, else `DIR/gateway.db`) and migrates it.
pub async fn open_store(
    config: &GatewayConfig,
    data_dir: &std::path::Path,
) -> Result<Store, GatewayError> {
    Ok(match &config.database.url {
        Some(url) => Store::connect_postgres(url, config.database.max_connections).await?,
        None => {
            let db_path = data_dir.join("gateway.db");
            private_files::touch(&db_path)
                .map_err(io_error("create the database file", &db_path))?;
            Store::open_sqlite(&db_path)?
        }
    })
}

/// The password pepper: configured, else `DIR/keys/password-pepper.key` (created once).
pub fn load_pepper(
    config: &GatewayConfig,
    data_dir: &std::path::Path,
) -> Result<[u8; 32], GatewayError> {
    let pepper_path = data_dir.join(token_key::KEY_DIR).join(PEPPER_FILE);
    Ok(token_key::load_key_file(
        config.security.password_pepper_hex.as_deref(),
        &pepper_path,
    )?)
}

/// Starts the gateway: opens the data directory, binds, serves, schedules settlement.
pub async fn start(options: StartOptions) -> Result<RunningGateway, GatewayError> {
    let StartOptions {
        data_dir,
        listen,
        config,
        tls,
        test_clock,
    } = options;
    config.validate()?;
    let refusals = production::refusals(&config, test_clock);
    if !refusals.is_empty() {
        return Err(GatewayError::NotForProduction(refusals));
    }
    private_files::create_dir(&data_dir)
        .map_err(io_error("create the data directory", &data_dir))?;

    let store = Arc::new(open_store(&config, &data_dir).await?);
    tracing::info!(
        event = "database_open",
        kind = store.kind(),
        "database open"
    );
    let identity = tls::load_or_generate(
        tls.as_ref().map(|(c, k)| (c.as_path(), k.as_path())),
        &data_dir.join("tls"),
    )?;
    if let Some(refusal) = production::certificate_refusal(config.mode, identity.validity_days) {
        return Err(GatewayError::NotForProduction(vec![refusal]));
    }
    let admin_token_path = data_dir.join("admin-token");
    let admin_token = auth::admin_token::load_or_create(&admin_token_path)
        .map_err(io_error("admin token", &admin_token_path))?;

    let pepper = load_pepper(&config, &data_dir)?;
    let token_key = token_key::load(
        config.hsm.token_key_hex.as_deref(),
        &data_dir,
        store.as_ref(),
    )
    .await?;
    if config.hsm.bdks.is_empty() {
        tracing::warn!("no BDK configured: every card will be refused as card_data_invalid");
    }
    if config.hsm.issuer_master_keys.is_empty() {
        tracing::warn!(
            "no issuer master key configured: every chip sale will be refused as cryptogram_invalid"
        );
    }

    let (clock, settable): (Arc<dyn Clock>, Option<Arc<TestClock>>) = if test_clock {
        let clock = Arc::new(TestClock::new());
        (clock.clone(), Some(clock))
    } else {
        (Arc::new(SystemClock), None)
    };

    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(io_error(
            "bind the listen address",
            std::path::Path::new("-"),
        ))?;
    let addr = listener.local_addr().map_err(io_error(
        "read the bound address",
        std::path::Path::new("-"),
    ))?;
    let public_base_url = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("https://{}", client_addr(addr)))
        .trim_end_matches('/')
        .to_string();

    let outbox = data_dir.join("outbox");
    let hsm = Hsm::new(&config.hsm, token_key);
    let issuer = issuer::SimulatedIssuer::new(
        Duration::from_millis(config.issuer.slow_delay_ms),
        hsm.zone_pin_key_for_network(),
    );
    let state = AppState::new(Shared {
        hsm,
        issuer: Arc::new(issuer),
        mailer: Mailer::new(config.smtp.as_ref(), outbox.join("mail.jsonl"))?,
        sms: SmsSender::new(config.sms.as_ref(), outbox.join("sms.jsonl"))?,
        cutoff: config.cutoff(),
        passwords: auth::password::Passwords::new(pepper),
        rate_limits: rate_limits::RateLimits::with_store(config.rate_limits.clone(), store.clone()),
        unknown_names: auth::unknown_names::UnknownNames::new(
            config.security.max_failed_logins,
            config.security.lock_minutes,
        ),
        store,
        clock,
        test_clock: settable,
        config,
        public_base_url,
    });

    // Transactions a previous run left pending are given up before serving.
    auth::admin_token::register_file_token(&state.store, &admin_token, state.clock.now()).await?;
    payments::expiry::sweep(&state).await?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    let server = tokio::spawn(server::serve(
        listener,
        identity.server_config.clone(),
        routes::router(state.clone()),
        state.config.network.clone(),
        shutdown_rx,
    ));
    let scheduler = tokio::spawn(settlement::scheduler::run(state));
    tracing::info!(event = "ready", listen = %addr, "gateway listening");
    Ok(RunningGateway {
        addr,
        cert_pem: identity.cert_pem,
        cert_path: identity.cert_path,
        spki_sha256_hex: identity.spki_sha256_hex,
        admin_token,
        admin_token_path,
        data_dir,
        shutdown,
        server,
        scheduler,
    })
}
