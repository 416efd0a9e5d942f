//! Gateway instances as real processes (`mpos-gateway serve`, the release
//! build), each on its own port, stopped when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running gateway process.
pub struct Instance {
    child: Child,
    /// Its port.
    pub port: u16,
    /// `https://127.0.0.1:PORT`.
    pub base_url: String,
    /// Its certificate (PEM), for the client to trust.
    pub cert_pem: String,
}

impl Instance {
    /// `kill -9`: the process ends wherever it was, nothing flushed or answered.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The gateway binary: `MPOS_GATEWAY_BIN`, else the workspace's build of
/// the same profile as this program (release for benchmarks, debug for tests).
pub fn gateway_binary() -> PathBuf {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    std::env::var_os("MPOS_GATEWAY_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target")
                .join(profile)
                .join("mpos-gateway")
        })
}

/// Starts an instance on `data_dir` with the configuration file `config`,
/// and waits until it serves.
pub fn start(data_dir: &Path, config: &Path) -> Instance {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    start_on(data_dir, config, port, false)
}

/// [`start`] on a given port, with the settable test clock when `test_clock`.
pub fn start_on(data_dir: &Path, config: &Path, port: u16, test_clock: bool) -> Instance {
    let log_path = data_dir.join(format!("gateway-{port}.log"));
    let log = std::fs::File::create(&log_path).expect("log");
    let child = Command::new(gateway_binary())
        .args(["serve", "--data-dir"])
        .arg(data_dir)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--config"])
        .arg(config)
        .args(test_clock.then_some("--test-clock"))
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
            "the gateway did not start: {}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Instance {
        child,
        port,
        base_url: format!("https://127.0.0.1:{port}"),
        cert_pem: std::fs::read_to_string(cert).expect("read the certificate"),
    }
}
