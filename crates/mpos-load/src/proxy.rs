//! A loopback TCP proxy in front of a gateway that loses answers: on the
//! connections it picks (seeded, so a run can be replayed) it relays the
//! client's bytes and the server's first flight (the TLS handshake), then
//! drops everything the server sends after the client's request and closes
//! both sides. The gateway did the work; the client never hears of it.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The running proxy.
pub struct DroppingProxy {
    /// Where clients connect.
    pub port: u16,
    dropped: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for DroppingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl DroppingProxy {
    /// Proxies to `127.0.0.1:upstream`, losing the answer on a share
    /// `drop_share` of connections, chosen by `seed`.
    pub async fn start(upstream: u16, drop_share: f64, seed: u64) -> DroppingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let dropped = Arc::new(AtomicUsize::new(0));
        let rng = Arc::new(Mutex::new(StdRng::seed_from_u64(seed)));
        let counter = dropped.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let lose = rng
                    .lock()
                    .map(|mut r| r.gen_bool(drop_share))
                    .unwrap_or(false);
                let counter = counter.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await {
                        if relay(client, server, lose).await {
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        DroppingProxy {
            port,
            dropped,
            task,
        }
    }

    /// Answers lost so far.
    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Relays until either side closes; when `lose`, drops the server's second
/// flight (what it sends after the client's request) and closes. Returns
/// whether an answer was lost.
async fn relay(mut client: TcpStream, mut server: TcpStream, lose: bool) -> bool {
    let mut from_client = vec![0u8; 16 * 1024];
    let mut from_server = vec![0u8; 16 * 1024];
    // Server flights seen: a flight starts with server bytes after client bytes.
    let mut flights = 0;
    let mut client_spoke_last = false;
    loop {
        tokio::select! {
            read = client.read(&mut from_client) => match read {
                Ok(0) | Err(_) => return false,
                Ok(n) => {
                    client_spoke_last = true;
                    if server.write_all(&from_client[..n]).await.is_err() {
                        return false;
                    }
                }
            },
            read = server.read(&mut from_server) => match read {
                Ok(0) | Err(_) => return false,
                Ok(n) => {
                    if client_spoke_last {
                        flights += 1;
                        client_spoke_last = false;
                    }
                    if lose && flights >= 2 {
                        // The answer (after the handshake): lost.
                        let _ = client.shutdown().await;
                        return true;
                    }
                    if client.write_all(&from_server[..n]).await.is_err() {
                        return false;
                    }
                }
            },
        }
    }
}
