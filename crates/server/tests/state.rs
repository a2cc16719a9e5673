//! `--state FILE`: the tenants survive a restart, and a server killed while saving leaves a
//! state file that parses (the old or the new state, never a torn one).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

struct Server {
    child: Child,
    api: Api,
}

fn start_binary(state: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward-server"))
        .args(["--sandbox", "--port", "0", "--state", state.to_str().unwrap()])
        .args(extra)
        .current_dir(repo_root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no URL in {line:?}"));
    Server { child, api: Api::new(url.trim_end_matches('/').to_owned()) }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("steward-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read_state(path: &Path) -> Value {
    let state: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(state["format"], "steward-sandbox-state/1");
    state
}

fn stop(mut server: Server) {
    Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "no exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn tag_request(n: usize) -> Value {
    let tag = if n.is_multiple_of(2) { PII } else { CONFIDENTIAL };
    json!({"entities": [{"typeName": "Table", "attributes": {"qualifiedName": format!("{SALES}/RETURNS"), "name": "RETURNS",
        "description": format!("write {n}")}, "addOrUpdateClassifications": [{"typeName": tag}]}]})
}

#[tokio::test]
async fn the_tenants_are_saved_and_loaded_again() {
    let dir = temp_dir("state-roundtrip");
    let path = dir.join("sandbox.json");
    let server = start_binary(&path, &["--demo-scale", "20"]);
    let state = read_state(&path);
    assert!(!state["catalog"]["entities"].as_array().unwrap().is_empty(), "the demo is written at start");
    let (status, body) = server.api.post("/api/meta/entity/bulk?appendTags=true", ADMIN, &tag_request(0)).await;
    assert_eq!(status, 200, "{body}");
    stop(server);
    let saved = read_state(&path);
    let returns = saved["catalog"]["entities"].as_array().unwrap().iter()
        .find(|e| e["attributes"]["qualifiedName"] == format!("{SALES}/RETURNS")).unwrap();
    assert_eq!(returns["attributes"]["description"], "write 0");

    // The next start loads the file (the scale flag only shapes a new demo).
    let server = start_binary(&path, &["--demo-scale", "500"]);
    let asset = server.api.asset(&format!("{SALES}/RETURNS"), &["description"]).await;
    assert_eq!(asset["attributes"]["description"], "write 0");
    assert!(asset["classificationNames"].as_array().unwrap().contains(&json!(PII)));
    let (_, page) = server.api.search(ADMIN, json!({"term": {"__typeName.keyword": "Table"}}), 0, 1, &[]).await;
    assert!(page["approximateCount"].as_u64().unwrap() < 100);
    stop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_reset_is_saved_and_keeps_the_demo_options_the_server_started_with() {
    let dir = temp_dir("state-reset");
    let path = dir.join("sandbox.json");
    let server = start_binary(&path, &["--demo-scale", "20", "--demo-quality-set", "absent"]);
    let (status, body) = server.api.post("/api/meta/entity/bulk?appendTags=true", ADMIN, &tag_request(0)).await;
    assert_eq!(status, 200, "{body}");
    let response = server.api.client.post(format!("{}/sandbox/reset", server.api.base)).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let saved = read_state(&path);
    let entities = saved["catalog"]["entities"].as_array().unwrap();
    assert!(entities.iter().all(|e| e["attributes"]["description"] != "write 0"), "the reset state is saved at once");
    let tables = entities.iter().filter(|e| e["typeName"] == "Table").count();
    assert!(tables < 60, "still the small demo: {tables} tables");
    let sets = saved["catalog"]["businessMetadata"].as_array().unwrap();
    assert!(sets.iter().all(|s| s["displayName"] != "Data Quality"), "still without the Data Quality set");
    stop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_server_killed_during_writes_leaves_a_state_file_that_parses() {
    let dir = temp_dir("state-kill");
    let path = dir.join("sandbox.json");
    for round in 0..4 {
        let server = start_binary(&path, &[]);
        let api = server.api.clone();
        let writer = tokio::spawn(async move {
            let mut n = 0;
            while api.client.post(format!("{}/api/meta/entity/bulk?appendTags=true", api.base)).bearer_auth(ADMIN)
                .json(&tag_request(n)).send().await.is_ok() {
                n += 1;
            }
            n
        });
        // Read the file over and over while writes and saves go on: every read must parse.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = read_state(&path);
            if state.to_string().contains("\"write ") {
                break;
            }
            assert!(Instant::now() < deadline, "no write was saved within 20 s");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(50 + round * 70)).await;
        let mut child = server.child;
        child.kill().unwrap(); // SIGKILL: no chance to finish a save
        child.wait().unwrap();
        let writes = writer.await.unwrap();
        let state = read_state(&path);
        let entities = state["catalog"]["entities"].as_array().unwrap();
        assert!(entities.len() > 1000, "round {round}");
        let returns = entities.iter().find(|e| e["attributes"]["qualifiedName"] == format!("{SALES}/RETURNS")).unwrap();
        let written = returns["attributes"]["description"].as_str().unwrap_or_default();
        eprintln!("round {round}: {writes} writes; the saved state has {written:?}");
        assert!(written.starts_with("write "), "saves happened while writing (round {round})");
        let temporaries: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok)
            .filter(|e| e.file_name() != "sandbox.json" && e.file_name() != "sandbox.json.lock").map(|e| e.file_name()).collect();
        eprintln!("round {round}: files beside the state: {temporaries:?}");
        // A kill mid-save may leave its temporary file behind (the next start removes it),
        // never a torn state file.
        assert!(temporaries.len() <= 1, "{temporaries:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_second_server_on_the_same_state_file_refuses_to_start_and_the_file_stays_private() {
    let dir = temp_dir("state-lock");
    let path = dir.join("sandbox.json");
    let first = start_binary(&path, &["--demo-scale", "20"]);
    let before = std::fs::read(&path).unwrap();
    let second = Command::new(env!("CARGO_BIN_EXE_steward-server"))
        .args(["--sandbox", "--port", "0", "--state", path.to_str().unwrap()])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(!second.status.success(), "{:?}", second.status);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains(&path.display().to_string()) && stderr.contains("another steward-server"), "{stderr}");
    assert!(String::from_utf8_lossy(&second.stdout).is_empty(), "it never served: {}", String::from_utf8_lossy(&second.stdout));
    assert_eq!(std::fs::read(&path).unwrap(), before, "the first server's state is untouched");

    // Every save writes a new file readable by its owner only.
    let (status, body) = first.api.post("/api/meta/entity/bulk?appendTags=true", ADMIN, &tag_request(0)).await;
    assert_eq!(status, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !read_state(&path).to_string().contains("\"write 0\"") {
        assert!(Instant::now() < deadline, "the write was not saved within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(dir.join("sandbox.json.lock")).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Once the first has stopped, the file is free again.
    stop(first);
    let next = start_binary(&path, &[]);
    assert_eq!(next.api.asset(&format!("{SALES}/RETURNS"), &["description"]).await["attributes"]["description"], "write 0");
    stop(next);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupt_state_file_is_refused_with_its_name() {
    let dir = temp_dir("state-corrupt");
    let path = dir.join("broken.json");
    std::fs::write(&path, b"{\"format\": \"steward-sandbox-state/1\", \"catalog\": ").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_steward-server"))
        .args(["--sandbox", "--port", "0", "--state", path.to_str().unwrap()])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.json") && stderr.contains("not a sandbox state file"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
