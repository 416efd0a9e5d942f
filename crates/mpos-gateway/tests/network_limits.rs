//! What a client that connects and then trickles, stalls or floods may hold
//! of the gateway, tried over raw TLS sockets: headers that never end, a
//! body that never comes, an idle keep-alive connection, and more
//! connections than the caps allow.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_gateway::GatewayConfig;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// The test configuration with timeouts short enough to wait for.
fn quick() -> GatewayConfig {
    let mut config = test_config();
    config.network.header_read_timeout_ms = 800;
    config.network.request_timeout_ms = 800;
    config
}

/// A TLS connection to the gateway, handshake done.
async fn connect(gw: &TestGateway) -> std::io::Result<TlsStream<TcpStream>> {
    let connector = TlsConnector::from(Arc::new(tls_config_for(&gw.gw().cert_pem)));
    let tcp = TcpStream::connect(gw.gw().addr).await?;
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    connector.connect(name, tcp).await
}

/// Reads until the peer closes (or `limit` passes); returns what came and whether it closed.
async fn read_until_closed(tls: &mut TlsStream<TcpStream>, limit: Duration) -> (String, bool) {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, tls.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&received).into(), true),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into(), false),
        }
    }
}

#[tokio::test]
async fn a_client_trickling_its_headers_is_cut_off() {
    let gw = TestGateway::start_with(quick()).await;
    let mut tls = connect(&gw).await.unwrap();
    let started = Instant::now();
    tls.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    // A header byte every 100 ms: the request never ends.
    let mut cut_off = false;
    while started.elapsed() < Duration::from_secs(5) {
        if tls.write_all(b"X").await.is_err() || tls.flush().await.is_err() {
            cut_off = true;
            break;
        }
        let (_, closed) = read_until_closed(&mut tls, Duration::from_millis(100)).await;
        if closed {
            cut_off = true;
            break;
        }
    }
    assert!(cut_off, "still open after 5 s of trickled headers");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "closed {:?} after the first header byte (limit 0.8 s)",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_request_whose_body_stalls_is_answered_408_and_closed() {
    let gw = TestGateway::start_with(quick()).await;
    let mut tls = connect(&gw).await.unwrap();
    let started = Instant::now();
    tls.write_all(
        b"POST /v1/app/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":",
    )
    .await
    .unwrap();
    let (answer, closed) = read_until_closed(&mut tls, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    assert!(closed, "the connection is closed after the 408");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let gw = TestGateway::start_with(quick()).await;
    let mut tls = connect(&gw).await.unwrap();
    tls.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut tls, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle connection is closed");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn one_address_holds_at_most_its_share_of_connections() {
    let mut config = quick();
    config.network.header_read_timeout_ms = 10_000;
    config.network.max_connections_per_address = 3;
    let gw = TestGateway::start_with(config).await;
    // The suite's own client may keep one pooled connection open too.
    let mut held = Vec::new();
    let mut refused = false;
    for _ in 0..10 {
        match connect(&gw).await {
            Ok(tls) => held.push(tls),
            Err(_) => {
                refused = true;
                break;
            }
        }
    }
    assert!(refused, "the address's fourth connection is closed at once");
    assert!((2..=3).contains(&held.len()), "{} held", held.len());
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = connect(&gw)
        .await
        .expect("a closed connection frees its place");
    again
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut again, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn at_the_connection_cap_new_clients_wait_until_one_closes() {
    let mut config = quick();
    config.network.header_read_timeout_ms = 10_000;
    config.network.max_connections = 2;
    config.network.max_connections_per_address = 2;
    let gw = Arc::new(TestGateway::start_with(config).await);
    let mut held = vec![connect(&gw).await.unwrap(), connect(&gw).await.unwrap()];
    let waiting = {
        let gw = gw.clone();
        tokio::spawn(async move { connect(&gw).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "the third client waits");
    drop(held.pop());
    let third = tokio::time::timeout(Duration::from_secs(3), waiting)
        .await
        .expect("accepted once a place is free")
        .unwrap();
    assert!(third.is_ok());
}
