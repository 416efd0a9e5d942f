//! The fault suite: sales under faults, each case seeded (`MPOS_FAULT_SEED`,
//! printed) and replayable, each printing its figures: faults injected,
//! charges lost, charges doubled (`mpos_load::ledger`). Both must be 0.
//!
//! Every client behaves as the phone does: one idempotency key per sale,
//! retried with the same key and body after any failure until a final
//! answer comes.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

use mpos_cards::CardId;
use mpos_gateway::store::Store;
use mpos_load::drive;
use mpos_load::instances::{self, Instance};
use mpos_load::ledger::{self, Figures, Told};
use mpos_load::proxy::DroppingProxy;
use mpos_load::readers::{PreparedSale, VirtualReader};
use mpos_load::setup::{self, SellingUser};
use mpos_testkit::PostgresServer;
use mpos_wire::api::paths;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::macros::datetime;
use time::OffsetDateTime;

/// The seed of every case: `MPOS_FAULT_SEED`, else a fixed one.
fn seed() -> u64 {
    std::env::var("MPOS_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_206)
}

/// How long a client keeps retrying one sale.
const GIVE_UP_AFTER: Duration = Duration::from_secs(40);

/// Gateway processes on one database, and the users seeded into it.
struct World {
    _dir: tempfile::TempDir,
    config: PathBuf,
    data_dirs: Vec<PathBuf>,
    ports: Vec<u16>,
    test_clock: bool,
    running: Vec<Mutex<Option<Instance>>>,
    users: Vec<SellingUser>,
    database_url: Option<String>,
    cert_pem: Mutex<Vec<String>>,
}

impl World {
    /// `instances` gateway processes (SQLite when `database_url` is `None`,
    /// sharing the one data directory) with `users` users whose sessions open at `now`.
    async fn start(
        database_url: Option<String>,
        instances: usize,
        users: usize,
        test_clock: bool,
        now: OffsetDateTime,
    ) -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = setup::config_json(database_url.clone());
        config["issuer"]["slow_delay_ms"] = 800.into();
        config["issuer"]["pending_timeout_ms"] = 2_500.into();
        config["settlement"]["check_interval_ms"] = 100.into();
        let config_path = dir.path().join("gateway.json");
        std::fs::write(&config_path, config.to_string()).expect("config");
        let data_dirs: Vec<PathBuf> = (0..instances)
            .map(|i| match database_url {
                Some(_) => dir.path().join(format!("instance-{i}")),
                None => dir.path().join("data"),
            })
            .collect();
        for data_dir in &data_dirs {
            std::fs::create_dir_all(data_dir).expect("data dir");
        }
        let store = open_store(&database_url, &data_dirs[0]).await;
        let users = setup::selling_users_at(&store, users, now).await;
        drop(store);
        let ports: Vec<u16> = (0..instances).map(|_| free_port()).collect();
        let world = World {
            _dir: dir,
            config: config_path,
            data_dirs,
            ports,
            test_clock,
            running: (0..instances).map(|_| Mutex::new(None)).collect(),
            users,
            database_url,
            cert_pem: Mutex::new(Vec::new()),
        };
        for i in 0..instances {
            world.launch(i).await;
        }
        if test_clock {
            world.set_clocks(now).await;
        }
        world
    }

    async fn launch(&self, i: usize) {
        let (data_dir, config, port, clock) = (
            self.data_dirs[i].clone(),
            self.config.clone(),
            self.ports[i],
            self.test_clock,
        );
        let instance = tokio::task::spawn_blocking(move || {
            instances::start_on(&data_dir, &config, port, clock)
        })
        .await
        .expect("start");
        self.cert_pem
            .lock()
            .unwrap()
            .push(instance.cert_pem.clone());
        *self.running[i].lock().unwrap() = Some(instance);
    }

    /// `kill -9` of instance `i`, then the same instance again on its port.
    async fn crash_and_restart(&self, i: usize) {
        if let Some(instance) = self.running[i].lock().unwrap().take() {
            instance.kill();
        }
        self.launch(i).await;
    }

    fn url(&self, i: usize, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.ports[i])
    }

    fn client(&self) -> reqwest::Client {
        drive::client(&self.cert_pem.lock().unwrap())
    }

    async fn set_clocks(&self, now: OffsetDateTime) {
        let client = self.client();
        let text = now
            .format(&time::format_description::well_known::Rfc3339)
            .expect("time");
        for i in 0..self.ports.len() {
            let status = client
                .put(self.url(i, paths::TEST_CLOCK))
                .json(&serde_json::json!({ "now": text }))
                .send()
                .await
                .expect("set clock")
                .status();
            assert!(status.is_success(), "set clock: {status}");
        }
    }

    async fn store(&self) -> Store {
        open_store(&self.database_url, &self.data_dirs[0]).await
    }
}

async fn open_store(url: &Option<String>, data_dir: &Path) -> Store {
    match url {
        Some(url) => Store::connect_postgres(url, 2).await,
        None => Store::open_sqlite(&data_dir.join("gateway.db")),
    }
    .expect("open the store")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

/// Sends one sale (or refund) to `url` until a final answer comes, as the
/// phone does: the same key and body every time.
async fn final_answer(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    sale: &PreparedSale,
) -> Told {
    let started = Instant::now();
    while started.elapsed() < GIVE_UP_AFTER {
        let sent = sale.request(client, url, token).send().await;
        let Ok(response) = sent else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let status = response.status().as_u16();
        let Ok(body) = response.json::<Value>().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        match status {
            200 => {
                return if body["transaction"]["status"] == "approved" {
                    Told::Approved
                } else {
                    Told::NotCharged
                }
            }
            // Still being decided, or nothing decided (retry is safe).
            409 if body["code"] == "request_in_progress" => {}
            500..=599 => {}
            _ => return Told::NotCharged,
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Told::Nothing
}

/// Every user sells `per_user` sales (every `slow_every`-th on the slow
/// issuer's card) at instance `user % instances`, through `via` when given
/// (a proxy's port); returns what each client was told, by key.
async fn sell(
    world: &Arc<World>,
    client: reqwest::Client,
    per_user: usize,
    slow_every: usize,
    via: Option<u16>,
    date: time::Date,
) -> HashMap<String, Told> {
    let tasks: Vec<_> = world
        .users
        .iter()
        .enumerate()
        .map(|(u, user)| {
            let world = world.clone();
            let client = client.clone();
            let token = user.token.clone();
            let mut fast = VirtualReader::new(CardId::VisaChipApproved);
            let mut slow = VirtualReader::new(CardId::VisaSlowIssuer);
            let sales: Vec<PreparedSale> = (0..per_user)
                .map(|n| {
                    let reader = if slow_every > 0 && n % slow_every == slow_every - 1 {
                        &mut slow
                    } else {
                        &mut fast
                    };
                    reader.sales(1, 1_00, date).remove(0)
                })
                .collect();
            tokio::spawn(async move {
                let instance = u % world.ports.len();
                let url = match via {
                    Some(port) => format!("https://127.0.0.1:{port}{}", paths::SALES),
                    None => world.url(instance, paths::SALES),
                };
                let mut told = Vec::new();
                for sale in &sales {
                    told.push((
                        sale.key.clone(),
                        final_answer(&client, &url, &token, sale).await,
                    ));
                }
                told
            })
        })
        .collect();
    let mut told = HashMap::new();
    for task in tasks {
        told.extend(task.await.expect("seller"));
    }
    told
}

/// Waits (up to 15 s) until every approved capture is in a batch: the
/// schedulers look at the clock every 100 ms.
async fn wait_until_settled(store: &Store) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let rows = store.transactions().list().await.expect("rows");
        if rows
            .iter()
            .all(|r| r.status != mpos_wire::api::TxnStatus::Approved || r.batch_id.is_some())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn report(case: &str, seed: u64, figures: Figures) {
    println!("{}", figures.line(case, seed));
    assert!(figures.faults > 0, "{case}: no fault was injected");
    assert_eq!((figures.lost, figures.doubled), (0, 0), "{case}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_killed_between_commit_and_reply() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let world = Arc::new(World::start(None, 1, 6, false, OffsetDateTime::now_utc()).await);
    let today = OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let kills = 3;
    let delays: Vec<u64> = (0..kills).map(|_| rng.gen_range(200..900)).collect();
    let killer = {
        let world = world.clone();
        tokio::spawn(async move {
            for delay in delays {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                world.crash_and_restart(0).await;
            }
        })
    };
    let told = sell(&world, world.client(), 8, 3, None, today).await;
    killer.await.expect("killer");
    let figures = ledger::reconcile(&world.store().await, &told, kills).await;
    report("gateway_killed_between_commit_and_reply", seed, figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_lost_by_a_proxy() {
    let seed = seed();
    let world = Arc::new(World::start(None, 1, 6, false, OffsetDateTime::now_utc()).await);
    let today = OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let proxy = DroppingProxy::start(world.ports[0], 0.3, seed).await;
    let client = drive::client_without_reuse(&world.cert_pem.lock().unwrap());
    let told = sell(&world, client, 8, 4, Some(proxy.port), today).await;
    let figures = ledger::reconcile(&world.store().await, &told, proxy.dropped()).await;
    report("answers_lost_by_a_proxy", seed, figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_across_the_cutoff_settle_once() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    // 22:59:59.999 in Taipei.
    let before = datetime!(2030-03-10 14:59:59.999 UTC);
    let world = Arc::new(World::start(None, 1, 4, true, before).await);
    let date = time::macros::date!(2030 - 03 - 10);
    let first = sell(&world, world.client(), rng.gen_range(1..4), 0, None, date).await;
    // 23:00:00.000: the automatic settlement of 2030-03-10 and new sales at once.
    let cutoff = datetime!(2030-03-10 15:00:00.000 UTC);
    world.set_clocks(cutoff).await;
    let second = sell(&world, world.client(), rng.gen_range(1..4), 0, None, date).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // And the next evening's.
    world
        .set_clocks(datetime!(2030-03-11 15:00:00.000 UTC))
        .await;
    let store = world.store().await;
    wait_until_settled(&store).await;
    let mut told = first;
    told.extend(second);
    let mut figures = ledger::reconcile(&store, &told, 2).await;
    // Every capture settled, in exactly one batch of its own business date or later.
    let rows = store.transactions().list().await.expect("rows");
    let batches = store.settlement().list_batches().await.expect("batches");
    for row in rows
        .iter()
        .filter(|r| r.status == mpos_wire::api::TxnStatus::Approved)
    {
        match batches
            .iter()
            .find(|b| Some(&b.id) == row.batch_id.as_ref())
        {
            Some(batch) => assert!(batch.business_date >= row.business_date, "{row:?}"),
            None => figures.lost += 1,
        }
    }
    let settled: u64 = batches.iter().map(|b| b.count()).sum();
    let approved = rows
        .iter()
        .filter(|r| r.status == mpos_wire::api::TxnStatus::Approved)
        .count() as u64;
    figures.doubled += settled.saturating_sub(approved) as usize;
    report("sales_across_the_cutoff_settle_once", seed, figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_settle_at_once() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let morning = datetime!(2030-03-10 02:00:00 UTC);
    let url = PostgresServer::shared().fresh_database();
    let world = Arc::new(World::start(Some(url), 2, 4, true, morning).await);
    let date = time::macros::date!(2030 - 03 - 10);
    let told = sell(&world, world.client(), rng.gen_range(2..6), 0, None, date).await;
    // Both schedulers see 23:00:00.000 together.
    world
        .set_clocks(datetime!(2030-03-10 15:00:00.000 UTC))
        .await;
    let store = world.store().await;
    wait_until_settled(&store).await;
    // Both schedulers had their chance at the date.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut figures = ledger::reconcile(&store, &told, 2).await;
    let batches = store.settlement().list_batches().await.expect("batches");
    let mut per_terminal: HashMap<&str, usize> = HashMap::new();
    for batch in &batches {
        *per_terminal.entry(batch.terminal_id.as_str()).or_default() += 1;
    }
    figures.doubled += per_terminal.values().map(|n| n - 1).sum::<usize>();
    let rows = store.transactions().list().await.expect("rows");
    figures.lost += rows
        .iter()
        .filter(|r| r.status == mpos_wire::api::TxnStatus::Approved && r.batch_id.is_none())
        .count();
    assert_eq!(
        per_terminal.len(),
        world.users.len(),
        "a batch per terminal"
    );
    report("two_instances_settle_at_once", seed, figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_race_across_instances() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let now = OffsetDateTime::now_utc();
    let url = PostgresServer::shared().fresh_database();
    let world = Arc::new(World::start(Some(url), 2, 1, false, now).await);
    let today = now.to_offset(time::macros::offset!(+8)).date();
    let client = world.client();
    let token = world.users[0].token.clone();
    let mut reader = VirtualReader::new(CardId::VisaChipApproved);
    let sale = reader.sales(1, 1_000_00, today).remove(0);
    let answer = sale
        .request(&client, &world.url(0, paths::SALES), &token)
        .send()
        .await
        .expect("sale")
        .json::<Value>()
        .await
        .expect("json");
    let auth_code = answer["transaction"]["auth_code"]
        .as_str()
        .expect("approved")
        .to_string();
    let racers = rng.gen_range(4..9);
    let refunds: Vec<PreparedSale> = (0..racers)
        .map(|_| VirtualReader::new(CardId::VisaChipApproved).refund(400_00, &auth_code))
        .collect();
    let tasks: Vec<_> = refunds
        .into_iter()
        .enumerate()
        .map(|(i, refund)| {
            let (client, token, url) = (
                client.clone(),
                token.clone(),
                world.url(i % 2, paths::REFUNDS),
            );
            tokio::spawn(async move {
                let told = final_answer(&client, &url, &token, &refund).await;
                (refund.key, told)
            })
        })
        .collect();
    let mut told: HashMap<String, Told> = HashMap::from([(sale.key.clone(), Told::Approved)]);
    for task in tasks {
        let (key, answer) = task.await.expect("refund");
        told.insert(key, answer);
    }
    let store = world.store().await;
    let mut figures = ledger::reconcile(&store, &told, racers).await;
    let refunded = told.values().filter(|t| **t == Told::Approved).count() - 1;
    // NT$1,000 takes two NT$400 refunds; a third would refund money never charged.
    figures.doubled += refunded.saturating_sub(2);
    figures.lost += 2usize.saturating_sub(refunded);
    report("refunds_race_across_instances", seed, figures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_mid_load() {
    let seed = seed();
    let mut rng = StdRng::seed_from_u64(seed);
    let server = Arc::new(PostgresServer::start_durable().expect("a PostgreSQL server of our own"));
    let now = OffsetDateTime::now_utc();
    let world = Arc::new(World::start(Some(server.fresh_database()), 1, 6, false, now).await);
    let today = now.to_offset(time::macros::offset!(+8)).date();
    let delay = rng.gen_range(150..600);
    let restarter = {
        let server = server.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            tokio::task::spawn_blocking(move || server.restart())
                .await
                .expect("restart task")
                .expect("restart PostgreSQL");
        })
    };
    let told = sell(&world, world.client(), 8, 4, None, today).await;
    restarter.await.expect("restarter");
    let figures = ledger::reconcile(&world.store().await, &told, 1).await;
    report("postgres_restarted_mid_load", seed, figures);
}
