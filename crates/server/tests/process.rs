//! The `steward-server` binary as a user runs it: logs its URL, binds loopback, stops on SIGTERM,
//! and refuses a non-loopback address unless `--allow-remote` is given.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // tests may

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn binary_logs_its_url_serves_and_stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward-server"))
        .args(["--sandbox", "--port", "0"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("steward-server listening on http://127.0.0.1:"), "{line}");
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_owned();

    // A plain HTTP/1.0 request over a socket: the page answers.
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    stream.write_all(format!("GET / HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop within 10 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut rest = String::new();
    stdout.read_line(&mut rest).unwrap();
    assert_eq!(rest.trim(), "steward-server stopped");
}

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_steward-server"));
    command.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    command
}

/// `GET /` over a plain socket with this `Host`: the status line.
fn status_line(addr: &str, host: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(format!("GET / HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn a_non_loopback_host_is_refused_without_allow_remote() {
    for host in ["0.0.0.0", "::"] {
        let output = server().args(["--sandbox", "--host", host, "--port", "0"]).output().unwrap();
        assert!(!output.status.success(), "{host}: {:?}", output.status);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--allow-remote"), "{host}: {stderr}");
        assert!(stderr.contains("not a loopback address"), "{host}: {stderr}");
        assert!(String::from_utf8_lossy(&output.stdout).is_empty(), "nothing listened");
    }
}

#[test]
fn with_allow_remote_it_warns_and_still_refuses_foreign_hosts() {
    let mut child = server()
        .args(["--host", "0.0.0.0", "--allow-remote", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let port = line.trim().trim_end_matches('/').rsplit(':').next().unwrap().to_owned();
    assert!(line.starts_with("steward-server listening on http://0.0.0.0:"), "{line}");
    let addr = format!("127.0.0.1:{port}");
    assert!(status_line(&addr, &addr).contains(" 200 "));
    assert!(status_line(&addr, &format!("localhost:{port}")).contains(" 200 "));
    assert!(status_line(&addr, &format!("evil.example:{port}")).contains(" 421 "));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    use std::io::Read;
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("warning") && stderr.contains("reachable from the network"), "{stderr}");
}
