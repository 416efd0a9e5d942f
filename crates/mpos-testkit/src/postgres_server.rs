//! A real PostgreSQL server on loopback for tests. The one `tests/run.sh`
//! started when `MPOS_TEST_POSTGRES_URL` names it; else one this process
//! starts from the installed PostgreSQL binaries in a temporary directory
//! (as the `postgres` user when running as root, since the server refuses
//! root) and that dies with the process. Every caller gets a fresh database.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable naming a running server's administrator URL.
pub const URL_VARIABLE: &str = "MPOS_TEST_POSTGRES_URL";

/// A PostgreSQL server tests may create databases on.
#[derive(Debug, Clone)]
pub struct PostgresServer {
    host: String,
    port: u16,
    user: String,
    own: Option<OwnServer>,
}

/// What restarting a server this process started takes.
#[derive(Debug, Clone)]
struct OwnServer {
    bin: PathBuf,
    base: PathBuf,
    identity: Option<(u32, u32)>,
    durable: bool,
}

static SERVER: OnceLock<Result<PostgresServer, String>> = OnceLock::new();
static DATABASES: AtomicU64 = AtomicU64::new(0);

impl PostgresServer {
    /// The shared server of this test process; panics, saying how to get
    /// one, when none can be found or started.
    pub fn shared() -> &'static PostgresServer {
        let server = SERVER.get_or_init(|| match std::env::var(URL_VARIABLE) {
            Ok(url) => parse_url(&url),
            Err(_) => start_own(false),
        });
        match server {
            Ok(server) => server,
            Err(why) => panic!(
                "no PostgreSQL server for the tests: {why}. Install PostgreSQL \
                 (Debian: apt-get install postgresql) or set {URL_VARIABLE}; tests/run.sh does both"
            ),
        }
    }

    /// A server of its own (not the shared one) that makes every commit
    /// durable (fsync on), for benchmarks that must count the disk.
    pub fn start_durable() -> Result<PostgresServer, String> {
        start_own(true)
    }

    /// Kills the server (SIGKILL, a crash) and starts it again on the same
    /// data and port; returns once it accepts connections. Only for a server
    /// from [`PostgresServer::start_durable`].
    pub fn restart(&self) -> Result<(), String> {
        let own = self
            .own
            .as_ref()
            .ok_or("only a server this process started can be restarted")?;
        let data = own.base.join("data");
        let pid_file =
            std::fs::read_to_string(data.join("postmaster.pid")).map_err(|e| e.to_string())?;
        let pid: i32 = pid_file
            .lines()
            .next()
            .and_then(|line| line.trim().parse().ok())
            .ok_or("no postmaster pid")?;
        // SAFETY: kill has no memory preconditions; pid is the postmaster's.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        let started = Instant::now();
        // The postmaster is this process's child: reap it (a zombie still
        // answers signal 0). SAFETY: waitpid with WNOHANG and no status pointer.
        while unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) } == 0
            // SAFETY: signal 0 only asks whether the process exists.
            && unsafe { libc::kill(pid, 0) } == 0
        {
            if started.elapsed() > Duration::from_secs(10) {
                return Err("the server did not stop".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Its children go with it; wait for the port to be free again.
        std::thread::sleep(Duration::from_millis(300));
        spawn_server(
            &own.bin,
            &data,
            &own.base,
            self.port,
            own.identity,
            own.durable,
        )?;
        wait_ready(self, Duration::from_secs(30))
    }

    /// Creates an empty database and returns its URL.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "mpos_{}_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed),
            rand_suffix()
        );
        let output = Command::new(psql())
            .args([
                "-h",
                &self.host,
                "-p",
                &self.port.to_string(),
                "-U",
                &self.user,
            ])
            .args(["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "CREATE DATABASE failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        format!(
            "postgres://{}@{}:{}/{name}",
            self.user, self.host, self.port
        )
    }
}

fn rand_suffix() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos % 1_000_000
}

fn parse_url(url: &str) -> Result<PostgresServer, String> {
    // postgres://user@host:port/anything
    let rest = url
        .strip_prefix("postgres://")
        .ok_or_else(|| format!("{URL_VARIABLE} must start with postgres://"))?;
    let (user, rest) = rest
        .split_once('@')
        .ok_or_else(|| format!("{URL_VARIABLE} must name a user"))?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| format!("{URL_VARIABLE} must name a port"))?;
    Ok(PostgresServer {
        host: host.to_string(),
        port: port
            .parse()
            .map_err(|_| format!("{URL_VARIABLE}: bad port"))?,
        user: user.to_string(),
        own: None,
    })
}

/// The directory of the server binaries (`initdb`, `postgres`).
pub fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn psql() -> PathBuf {
    bin_dir()
        .map(|bin| bin.join("psql"))
        .filter(|psql| psql.exists())
        .unwrap_or_else(|| PathBuf::from("psql"))
}

/// The uid and gid the server runs as: `postgres` when we are root.
fn server_identity() -> Result<Option<(u32, u32)>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let id = |flag: &str| -> Result<u32, String> {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .map_err(|e| format!("id: {e}"))?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                "running as root and there is no postgres user to run the server".to_string()
            })
    };
    Ok(Some((id("-u")?, id("-g")?)))
}

fn start_own(durable: bool) -> Result<PostgresServer, String> {
    let bin = bin_dir().ok_or("no PostgreSQL under /usr/lib/postgresql")?;
    let identity = server_identity()?;
    let base = std::env::temp_dir().join(format!(
        "mpos-pg-{}-{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&base);
    let data = base.join("data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    if let Some((uid, gid)) = identity {
        for dir in [&base, &data] {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
    }
    let user = "mpos";
    let mut initdb = Command::new(bin.join("initdb"));
    initdb
        .args(["-D"])
        .arg(&data)
        .args(["-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"])
        .stdout(Stdio::null());
    run_as(&mut initdb, identity);
    let status = initdb.status().map_err(|e| format!("initdb: {e}"))?;
    if !status.success() {
        return Err(format!("initdb failed ({status})"));
    }
    remove_when_gone(&base);
    let port = free_port()?;
    spawn_server(&bin, &data, &base, port, identity, durable)?;
    let server = PostgresServer {
        host: "127.0.0.1".into(),
        port,
        user: user.into(),
        own: Some(OwnServer {
            bin,
            base,
            identity,
            durable,
        }),
    };
    wait_ready(&server, Duration::from_secs(30))?;
    Ok(server)
}

/// Removes the server's files once this process has ended (a watcher shell:
/// a test process ends by `exit`, which runs no destructor).
fn remove_when_gone(base: &Path) {
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 0.5; done; sleep 1; rm -rf '{}'",
        std::process::id(),
        base.display()
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

fn run_as(command: &mut Command, identity: Option<(u32, u32)>) {
    if let Some((uid, gid)) = identity {
        command.uid(uid).gid(gid);
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Starts the server from a thread that lives as long as the process, so
/// the kernel kills the server (PR_SET_PDEATHSIG) when the process ends.
fn spawn_server(
    bin: &Path,
    data: &Path,
    socket_dir: &Path,
    port: u16,
    identity: Option<(u32, u32)>,
    durable: bool,
) -> Result<(), String> {
    // Correctness tests need no fsync; a benchmark of durable commits does.
    let sync = if durable { "on" } else { "off" };
    let mut command = Command::new(bin.join("postgres"));
    command
        .arg("-D")
        .arg(data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(socket_dir)
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args([
            "-c",
            &format!("fsync={sync}"),
            "-c",
            &format!("synchronous_commit={sync}"),
        ])
        .args(["-c", "max_connections=300"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    run_as(&mut command, identity);
    // SAFETY: prctl is async-signal-safe; it only sets this child's death signal.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let (started, result) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("postgres-owner".into())
        .spawn(move || {
            let child = command.spawn();
            let ok = child.is_ok();
            let _ = started.send(child.map(|_| ()).map_err(|e| format!("postgres: {e}")));
            if ok {
                loop {
                    std::thread::park();
                }
            }
        })
        .map_err(|e| e.to_string())?;
    result.recv().map_err(|e| e.to_string())?
}

fn wait_ready(server: &PostgresServer, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    loop {
        let ready = Command::new(psql())
            .args([
                "-h",
                &server.host,
                "-p",
                &server.port.to_string(),
                "-U",
                &server.user,
            ])
            .args(["-d", "postgres", "-q", "-c", "SELECT 1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            return Ok(());
        }
        if started.elapsed() > limit {
            return Err("the PostgreSQL server did not start in time".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_distinct_databases_on_a_running_server() {
        let server = PostgresServer::shared();
        let a = server.fresh_database();
        let b = server.fresh_database();
        assert_ne!(a, b);
        assert!(a.starts_with("postgres://"));
    }

    #[test]
    fn reads_the_server_from_a_url() {
        let server = parse_url("postgres://mpos@127.0.0.1:5544/postgres").unwrap();
        assert_eq!(
            (server.host.as_str(), server.port, server.user.as_str()),
            ("127.0.0.1", 5544, "mpos")
        );
        assert!(parse_url("mysql://x").is_err());
    }
}
