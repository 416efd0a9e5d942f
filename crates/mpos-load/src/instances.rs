//! Gateway instances as real processes (`mpos-gateway serve`, the release
//! build), each on its own port, stopped when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running gateway process.
pub struct Instance {
    child: Child,
    /// `https://127.0.0.1:PORT`.
    pub base_url: String,
    /// Its certificate (PEM), for the client to trust.
    pub cert_pem: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The gateway binary: `MPOS_GATEWAY_BIN`, else the workspace's release build.
pub fn gateway_binary() -> PathBuf {
    std::env::var_os("MPOS_GATEWAY_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/mpos-gateway")
        })
}

/// Starts an instance on `data_dir` with the configuration file `config`,
/// and waits until it serves.
pub fn start(data_dir: &Path, config: &Path) -> Instance {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let log = std::fs::File::create(data_dir.join(format!("gateway-{port}.log"))).expect("log");
    let child = Command::new(gateway_binary())
        .args(["serve", "--data-dir"])
        .arg(data_dir)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--config"])
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", gateway_binary().display()));
    let started = Instant::now();
    let cert = data_dir.join("tls").join("cert.pem");
    loop {
        let listening = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        if listening && cert.exists() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the gateway did not start; see {}",
            data_dir.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Instance {
        child,
        base_url: format!("https://127.0.0.1:{port}"),
        cert_pem: std::fs::read_to_string(cert).expect("read the certificate"),
    }
}
