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
//! - `POST /admins {"username", "name", "email"}`: runs the gateway's
//!   `create-admin` command on its data directory; answers its JSON line.
//! - `GET /mail/last?to=ADDRESS`: the last e-mail to the address (subject, text and HTML parts).
//! - `GET /sms/last?to=NUMBER`: the last SMS to the number.
//! - `POST /phones/first-login {"username", "default_password", "activation_code"}`:
//!   a phone (the core and a virtual reader) logs in for the first time,
//!   enters the code and sets the 6-digit password `246810`.
//! - `POST /phones/sale {"username", "dollars", "brand", "card": "VisaChipApproved"}`: that
//!   phone makes a chip sale (signed when the brand asks); answers the transaction.
//!
//! It stops, and stops the gateway, when its standard input closes.

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use mpos_cards::CardId;
use mpos_e2e::gateway_process::workspace_binary;
use mpos_e2e::phone::Phone;
use mpos_e2e::world::{limits, parse_time};
use mpos_e2e::Credentials;
use mpos_e2e::{GatewayOptions, World};
use mpos_wire::Brand;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::AsyncReadExt;
use tokio::sync::Mutex;

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

/// The world and the phones the suite has logged in, by account name.
struct Bed {
    world: World,
    phones: Mutex<HashMap<String, Arc<Phone>>>,
}

impl std::ops::Deref for Bed {
    type Target = World;

    fn deref(&self) -> &World {
        &self.world
    }
}

type Shared = State<Arc<Bed>>;

#[derive(Debug, Deserialize)]
struct NewAdmin {
    username: String,
    name: String,
    email: String,
}

#[derive(Debug, Deserialize)]
struct FirstLogin {
    username: String,
    default_password: String,
    activation_code: String,
}

#[derive(Debug, Deserialize)]
struct Sale {
    username: String,
    dollars: u64,
    brand: Brand,
    /// A catalogue card by its name, e.g. `VisaChipApproved`.
    card: String,
}

/// The approved chip cards a suite may name.
const SALE_CARDS: [CardId; 4] = [
    CardId::VisaChipApproved,
    CardId::MastercardChipApproved,
    CardId::JcbNoSignature,
    CardId::UnionPayApproved,
];

async fn create_admin(State(bed): Shared, Json(admin): Json<NewAdmin>) -> Json<Value> {
    let data_dir = bed.gateway.data_dir.path();
    let output = tokio::process::Command::new(workspace_binary("mpos-gateway"))
        .arg("create-admin")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--config")
        .arg(data_dir.join("gateway.json"))
        .args([
            "--username",
            &admin.username,
            "--name",
            &admin.name,
            "--email",
            &admin.email,
        ])
        .output()
        .await
        .expect("run mpos-gateway create-admin");
    let stdout = String::from_utf8_lossy(&output.stdout);
    match serde_json::from_str::<Value>(stdout.trim()) {
        Ok(line) if output.status.success() => Json(line),
        _ => Json(json!({
            "error": String::from_utf8_lossy(&output.stderr).trim(),
            "exit": output.status.code(),
        })),
    }
}

async fn last_mail(State(bed): Shared, Query(to): Query<To>) -> Json<Value> {
    let last = bed
        .smtp
        .messages()
        .into_iter()
        .rev()
        .find(|mail| mail.to.iter().any(|address| address == &to.to));
    Json(match last {
        Some(mail) => json!({
            "subject": mail.subject(),
            "text": mail.text_body().ok(),
            "html": mail.html_body().ok(),
        }),
        None => Value::Null,
    })
}

async fn last_sms(State(bed): Shared, Query(to): Query<To>) -> Json<Value> {
    let national = to.to.trim_start_matches('0').to_string();
    let last = bed
        .sms
        .messages()
        .into_iter()
        .rev()
        .find(|sms| sms.to.ends_with(&national));
    Json(match last {
        Some(sms) => json!({ "to": sms.to, "message": sms.message }),
        None => Value::Null,
    })
}

async fn first_login(State(bed): Shared, Json(login): Json<FirstLogin>) -> Json<Value> {
    let phone = bed.phone();
    phone.plug_in().await;
    let credentials = Credentials {
        user: bed.user_named(&login.username).await,
        username: login.username.clone(),
        default_password: login.default_password,
        activation_code: login.activation_code,
    };
    let screen = phone.first_login(&credentials).await;
    let home = matches!(screen, mpos_core::Screen::Home { .. });
    bed.phones
        .lock()
        .await
        .insert(login.username, Arc::new(phone));
    Json(json!({ "home": home }))
}

async fn sale(State(bed): Shared, Json(sale): Json<Sale>) -> Json<Value> {
    let phone = bed
        .phones
        .lock()
        .await
        .get(&sale.username)
        .cloned()
        .expect("the phone of a user who logged in here");
    let card = SALE_CARDS
        .into_iter()
        .find(|id| format!("{id:?}") == sale.card)
        .expect("one of the approved chip cards");
    let transaction = phone.chip_sale(sale.dollars, sale.brand, card).await;
    Json(json!({ "transaction": transaction }))
}

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
    let world = Arc::new(Bed {
        world: World::start_with(GatewayOptions {
            slow_issuer_ms: args.slow_issuer_ms,
            app_releases: args.latest_app_version.zip(args.minimum_app_version),
            ..GatewayOptions::default()
        })
        .await,
        phones: Mutex::new(HashMap::new()),
    });
    let routes = Router::new()
        .route("/users", post(create_user))
        .route("/transactions", get(transactions))
        .route("/batches", get(batches))
        .route("/mail", get(mail))
        .route("/sms", get(sms))
        .route("/clock", post(clock))
        .route("/admins", post(create_admin))
        .route("/mail/last", get(last_mail))
        .route("/sms/last", get(last_sms))
        .route("/phones/first-login", post(first_login))
        .route("/phones/sale", post(sale))
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
