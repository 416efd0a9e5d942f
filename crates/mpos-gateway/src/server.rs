//! The HTTPS listener: a TCP accept loop, a rustls handshake per
//! connection, and hyper-util's HTTP/1.1 + HTTP/2 server around the router.
//! What a client may hold is bounded (`NetworkConfig`): connections in all
//! and per address, the handshake's time, and the time to send a request's
//! headers, which also ends idle keep-alive connections. (The time from
//! headers to answer is the router's `request_timeout` layer.) Shutdown
//! stops accepting, then lets open requests finish (up to 10 s).

use crate::config::NetworkConfig;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;
use tower::Layer;

/// How long open connections get to finish at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The client's address, put into each request's extensions (rate limits
/// key on it). A request that did not come through [`serve`] (a test calling
/// the router directly) reads as the unspecified address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

impl ClientAddr {
    /// The address as a rate-limit key.
    pub fn key(&self) -> String {
        self.0.ip().to_string()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddr>()
            .copied()
            .unwrap_or(ClientAddr(SocketAddr::from(([0, 0, 0, 0], 0)))))
    }
}

/// Open connections per client address, each slot released when its connection ends.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, u32>>>);

/// One connection's place in [`PerAddress`].
struct AddressSlot {
    counts: PerAddress,
    ip: IpAddr,
}

impl PerAddress {
    /// A slot for `ip`, unless it already holds `most` connections.
    fn take(&self, ip: IpAddr, most: u32) -> Option<AddressSlot> {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(ip).or_insert(0);
        if *count >= most {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            counts: self.clone(),
            ip,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` turns true.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    router: Router,
    network: NetworkConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(network.header_read_timeout_ms));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(32)
        .keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(Duration::from_secs(10));
    let handshake_timeout = Duration::from_millis(network.handshake_timeout_ms);
    let connections = Arc::new(Semaphore::new(network.max_connections as usize));
    let per_address = PerAddress::default();
    loop {
        // At the connection cap, stop accepting: new clients wait in the kernel's backlog.
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
                continue;
            }
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = per_address.take(peer.ip(), network.max_connections_per_address) else {
                    tracing::warn!(event = "connection_refused", %peer, "too many connections from this address");
                    continue;
                };
                let acceptor = acceptor.clone();
                let router = router.clone();
                let builder = builder.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let _held = (permit, slot);
                    let tls = match tokio::time::timeout(handshake_timeout, acceptor.accept(tcp)).await {
                        Ok(Ok(tls)) => tls,
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!(%peer, "TLS handshake timed out");
                            return;
                        }
                    };
                    let service = TowerToHyperService::new(axum::Extension(ClientAddr(peer)).layer(router));
                    let connection = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
                    if let Err(e) = watcher.watch(connection.into_owned()).await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    drop(listener);
    tracing::info!("stopped accepting; draining open connections");
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain timeout; closing");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_share_and_gets_it_back_as_connections_end() {
        let counts = PerAddress::default();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let first = counts.take(ip, 2).unwrap();
        let _second = counts.take(ip, 2).unwrap();
        assert!(counts.take(ip, 2).is_none(), "a third is refused");
        assert!(counts.take(other, 2).is_some(), "another address is not");
        drop(first);
        assert!(
            counts.take(ip, 2).is_some(),
            "a closed connection frees its slot"
        );
    }
}
