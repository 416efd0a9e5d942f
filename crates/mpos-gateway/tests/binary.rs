//! The `mpos-gateway` binary: ready line, generated files, reuse on restart,
//! graceful stop on SIGTERM.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Gateway {
    child: Child,
    ready: serde_json::Value,
}

fn spawn(dir: &std::path::Path, config: &std::path::Path) -> Gateway {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mpos-gateway"))
        .args(["serve", "--data-dir"])
        .arg(dir)
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line {line:?}: {e}"));
    Gateway { child, ready }
}

fn terminate(mut gateway: Gateway) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &gateway.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = gateway.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn serves_https_and_reuses_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        serde_json::to_string(&common::sqlite_test_config()).unwrap(),
    )
    .unwrap();
    let data = dir.path().join("data");

    let first = spawn(&data, &config);
    let ready = first.ready.clone();
    assert_eq!(ready["event"], "ready");
    let listen = ready["listen"].as_str().unwrap();
    assert!(
        listen.starts_with("127.0.0.1:") && !listen.ends_with(":0"),
        "{listen}"
    );
    assert_eq!(ready["base_url"], format!("https://{listen}"));
    assert_eq!(ready["spki_sha256"].as_str().unwrap().len(), 64);
    assert!(data.join("gateway.db").exists());
    let cert_pem = std::fs::read_to_string(ready["cert_path"].as_str().unwrap()).unwrap();
    let token_path = std::path::PathBuf::from(ready["admin_token_path"].as_str().unwrap());
    let token = std::fs::read_to_string(&token_path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let client = common::client_for(&cert_pem);
    let health: serde_json::Value = client
        .get(format!("{}/health", ready["base_url"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let users = client
        .get(format!(
            "{}/v1/admin/users",
            ready["base_url"].as_str().unwrap()
        ))
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), reqwest::StatusCode::OK);
    // Plain HTTP is not served.
    let plain = client.get(format!("http://{listen}/health")).send().await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
    // Without --test-clock the clock route does not exist.
    let clock = client
        .put(format!(
            "{}/v1/test/clock",
            ready["base_url"].as_str().unwrap()
        ))
        .json(&serde_json::json!({ "now": "2030-01-01T00:00:00Z" }))
        .send()
        .await
        .unwrap();
    assert_eq!(clock.status(), reqwest::StatusCode::NOT_FOUND);

    let status = terminate(first);
    assert!(status.success(), "graceful exit: {status:?}");

    let second = spawn(&data, &config);
    assert_eq!(
        second.ready["spki_sha256"], ready["spki_sha256"],
        "certificate reused"
    );
    assert_eq!(
        std::fs::read_to_string(&token_path).unwrap(),
        token,
        "admin token reused"
    );
    assert!(terminate(second).success());
}

#[test]
fn a_bad_config_file_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"hsm": {"bdks": [{"id_hex": "1234", "bdk_hex": "00"}]}}"#,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mpos-gateway"))
        .args(["serve", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("id_hex"));
}
