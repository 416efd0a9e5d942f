//! `mpos-testbed`: one test world for the shells' suites (Kotlin, Swift).
//! It starts the real gateway process over TLS with a test clock, the
//! loopback SMTP server and the fake SMS provider, prints one JSON line
//! (`gateway_url`, `cert_pem`, `spki_sha256`, `control_url`, and the
//! merchant administrator's `admin_token` for suites that drive the
//! admin API, such as schemathesis), and serves
//! what a test needs of the world on loopback HTTP:
//!
//! - `POST /users {"per_transaction": NT$, "per_day": NT$}`: the merchant
//!   administrator adds a phone user; answers the account, the default
//!   password (from the activation e-mail) and the code (from the SMS).
//! - `GET /transactions`: every transaction, as the merchant portal lists them.
//! - `GET /batches`: the settlement batches.
//! - `GET /mail?to=ADDRESS`: how many e-mails reached the address.
//! - `GET /sms?to=NUMBER`: how many SMS reached the number.
//! - `POST /clock {"now": RFC 3339}`: moves the gateway's test clock.
//!
//! It stops, and stops the gateway, when its standard input closes.

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use mpos_e2e::world::{limits, parse_time};
use mpos_e2e::{GatewayOptions, World};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// Command line.
#[derive(Debug, Parser)]
#[command(name = "mpos-testbed", about = "A test world for the shells' suites")]
struct Args {
    /// How long the slow test issuer takes, in milliseconds.
    #[arg(long, default_value_t = 3_000)]
    slow_issuer_ms: u64,
    /// The newest app version the gateway announces (default: its own).
    #[arg(long, requires = "minimum_app_version")]
    latest_app_version: Option<String>,
    /// The oldest app version the gateway still allows.
    #[arg(long, requires = "latest_app_version")]
    minimum_app_version: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NewUser {
    per_transaction: u64,
    per_day: u64,
}

#[derive(Debug, Deserialize)]
struct To {
    to: String,
}

#[derive(Debug, Deserialize)]
struct Clock {
    now: String,
}

type Shared = State<Arc<World>>;

async fn create_user(State(world): Shared, Json(user): Json<NewUser>) -> Json<Value> {
    let credentials = world
        .create_user(limits(user.per_transaction, user.per_day))
        .await;
    Json(json!({
        "user_id": credentials.user.id,
        "username": credentials.username,
        "default_password": credentials.default_password,
        "activation_code": credentials.activation_code,
        "email": credentials.user.email,
        "phone": credentials.user.phone,
    }))
}

async fn transactions(State(world): Shared) -> Json<Value> {
    Json(json!({ "transactions": world.transactions().await }))
}

async fn batches(State(world): Shared) -> Json<Value> {
    Json(json!({ "batches": world.batches().await }))
}

async fn mail(State(world): Shared, Query(to): Query<To>) -> Json<Value> {
    let count = world
        .smtp
        .messages()
        .iter()
        .filter(|mail| mail.to.iter().any(|address| address == &to.to))
        .count();
    Json(json!({ "count": count }))
}

async fn sms(State(world): Shared, Query(to): Query<To>) -> Json<Value> {
    let national = to.to.trim_start_matches('0').to_string();
    let count = world
        .sms
        .messages()
        .iter()
        .filter(|sms| sms.to.ends_with(&national))
        .count();
    Json(json!({ "count": count }))
}

async fn clock(State(world): Shared, Json(clock): Json<Clock>) -> Json<Value> {
    world.gateway.set_clock(parse_time(&clock.now)).await;
    Json(json!({ "now": clock.now }))
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let world = Arc::new(
        World::start_with(GatewayOptions {
            slow_issuer_ms: args.slow_issuer_ms,
            app_releases: args.latest_app_version.zip(args.minimum_app_version),
            ..GatewayOptions::default()
        })
        .await,
    );
    let routes = Router::new()
        .route("/users", post(create_user))
        .route("/transactions", get(transactions))
        .route("/batches", get(batches))
        .route("/mail", get(mail))
        .route("/sms", get(sms))
        .route("/clock", post(clock))
        .with_state(world.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let control = listener.local_addr().expect("bound address");
    println!(
        "{}",
        json!({
            "event": "ready",
            "gateway_url": world.gateway.base_url,
            "cert_pem": world.gateway.cert_pem,
            "spki_sha256": world.gateway.spki_sha256,
            "control_url": format!("http://{control}"),
            "admin_token": world.gateway.admin_token,
        })
    );
    let stdin_closed = async {
        let mut sink = Vec::new();
        let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    };
    axum::serve(listener, routes)
        .with_graceful_shutdown(stdin_closed)
        .await
        .expect("serve the control API");
    // The world (and with it the gateway process) ends here.
}
