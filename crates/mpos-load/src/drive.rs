//! The load itself: every virtual reader is one task sending its own sales
//! one after another (a reader's counter only goes up in the order it
//! sends), round-robin over the instances, keep-alive TLS connections.

use crate::readers::PreparedSale;
use mpos_wire::api::paths;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a run measured.
pub struct Measured {
    /// Sales answered approved.
    pub approved: usize,
    /// Sales answered otherwise (each is a failure of the run).
    pub failed: usize,
    /// The first failure, for the report.
    pub first_failure: Option<String>,
    /// Wall time from the first request to the last answer.
    pub elapsed: Duration,
    /// Every approved sale's latency, sorted.
    pub latencies: Vec<Duration>,
}

impl Measured {
    /// Approved authorizations per second.
    pub fn per_second(&self) -> f64 {
        self.approved as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at quantile `q` (0..=1).
    pub fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() - 1) as f64 * q).round() as usize;
        self.latencies[index]
    }
}

/// One reader's work: where it sends, as whom, and what.
pub struct ReaderLoad {
    /// Which instance.
    pub instance: usize,
    /// The session token.
    pub token: String,
    /// Its sales, in order.
    pub sales: Vec<PreparedSale>,
}

/// A client trusting every instance's certificate, keeping connections open.
pub fn client(certificates: &[String]) -> reqwest::Client {
    client_with(certificates, 1024)
}

/// A client that opens a new connection for every request (for the proxy
/// that decides per connection).
pub fn client_without_reuse(certificates: &[String]) -> reqwest::Client {
    client_with(certificates, 0)
}

fn client_with(certificates: &[String], idle_per_host: usize) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for pem in certificates {
        for der in rustls_pemfile::certs(&mut pem.as_bytes()) {
            roots
                .add(der.expect("a PEM certificate"))
                .expect("trust the gateway certificate");
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .pool_max_idle_per_host(idle_per_host)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Sends every reader's sales; returns what was measured.
pub async fn run(
    client: reqwest::Client,
    bases: Vec<String>,
    readers: Vec<ReaderLoad>,
) -> Measured {
    let started = Instant::now();
    let tasks: Vec<_> = readers
        .into_iter()
        .map(|reader| {
            let client = client.clone();
            let url = format!("{}{}", bases[reader.instance], paths::SALES);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(reader.sales.len());
                let mut failures = Vec::new();
                for sale in &reader.sales {
                    let sent = Instant::now();
                    let answer = sale.request(&client, &url, &reader.token).send().await;
                    let text = match answer {
                        Ok(response) => response.text().await.unwrap_or_default(),
                        Err(e) => format!("transport: {e}"),
                    };
                    if text.contains("\"status\":\"approved\"") {
                        latencies.push(sent.elapsed());
                    } else {
                        failures.push(text);
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for task in tasks {
        let (l, f) = task.await.expect("reader task");
        latencies.extend(l);
        failures.extend(f);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Measured {
        approved: latencies.len(),
        failed: failures.len(),
        first_failure: failures.into_iter().next(),
        elapsed,
        latencies,
    }
}
