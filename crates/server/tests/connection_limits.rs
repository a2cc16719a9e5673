//! Connection limits over real sockets: a request head that arrives late, a connection left idle,
//! an answer slower than the idle timeout, more connections than the server serves at once, and
//! graceful shutdown with connections open.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use steward_server::{serve, ConnectionLimits, SandboxOptions, ServerConfig, HEADER_READ_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECOND: Duration = Duration::from_secs(1);
const LONG: Duration = Duration::from_secs(120);

fn limited(header_read: Duration, idle: Duration, max_connections: usize) -> ServerConfig {
    let mut config = config().with_sandbox(SandboxOptions::default());
    config.connections = ConnectionLimits { header_read, idle, max_connections };
    config
}

/// The server's `host:port`.
fn authority(base: &str) -> &str {
    base.trim_start_matches("http://")
}

/// Reads until the server closes the connection; what it sent and how long that took. Fails if
/// the connection is still open after `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    // A reset counts as closed as well as an orderly end.
    let read = tokio::time::timeout(within, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "still open after {within:?}");
    (String::from_utf8_lossy(&received).into_owned(), started.elapsed())
}

fn get(authority: &str, path: &str, keep_alive: bool) -> String {
    let connection = if keep_alive { "keep-alive" } else { "close" };
    format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: {connection}\r\n\r\n")
}

#[test]
fn the_default_limits_close_a_stalled_connection_well_within_30_seconds() {
    assert!(HEADER_READ_TIMEOUT <= Duration::from_secs(20) && IDLE_TIMEOUT <= Duration::from_secs(20));
    assert!((64..=512).contains(&MAX_CONNECTIONS), "room for a browser and the sync, under 1,024 descriptors");
    let defaults = ConnectionLimits { header_read: HEADER_READ_TIMEOUT, idle: IDLE_TIMEOUT, max_connections: MAX_CONNECTIONS };
    assert_eq!(ConnectionLimits::default(), defaults);
    assert_eq!(config().connections, defaults, "what the binary serves with");
}

#[tokio::test]
async fn half_a_request_line_is_closed_after_the_header_read_timeout_unanswered() {
    let base = start_with(limited(SECOND, LONG, 16)).await;
    let mut stream = TcpStream::connect(authority(&base)).await.unwrap();
    stream.write_all(b"GET /server-info HT").await.unwrap();
    let (received, elapsed) = until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(received.is_empty(), "{received}");
    assert!(elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(reqwest::get(format!("{base}/server-info")).await.unwrap().status(), 200, "the server goes on serving");
}

#[tokio::test]
async fn headers_trickled_byte_by_byte_do_not_reset_the_header_read_timeout() {
    let base = start_with(limited(SECOND, LONG, 16)).await;
    let stream = TcpStream::connect(authority(&base)).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        let head = format!("GET /server-info HTTP/1.1\r\nHost: {}\r\n", authority(&base));
        for byte in head.bytes().chain(std::iter::repeat_n(b'x', 100)) {
            if writer.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let started = Instant::now();
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "still open after 10 s");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert!(received.is_empty());
    trickle.abort();
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_idle_timeout() {
    let base = start_with(limited(LONG, SECOND, 16)).await;
    let mut stream = TcpStream::connect(authority(&base)).await.unwrap();
    let (received, elapsed) = until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(received.is_empty());
    assert!(elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[tokio::test]
async fn a_kept_alive_connection_with_no_next_request_is_closed_by_either_timeout() {
    for (header_read, idle) in [(SECOND, LONG), (LONG, SECOND)] {
        let base = start_with(limited(header_read, idle, 16)).await;
        let mut stream = TcpStream::connect(authority(&base)).await.unwrap();
        stream.write_all(get(authority(&base), "/server-info", true).as_bytes()).await.unwrap();
        let (received, elapsed) = until_closed(&mut stream, Duration::from_secs(10)).await;
        assert!(received.starts_with("HTTP/1.1 200"), "{received}");
        assert!(received.contains(r#"{"sandbox":true}"#), "{received}");
        assert!(elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5), "{header_read:?}/{idle:?}: {elapsed:?}");
    }
}

#[tokio::test]
async fn an_answer_slower_than_the_idle_timeout_is_not_cut() {
    let api = Api::new(start_with(limited(SECOND, SECOND, 16)).await);
    let response = api
        .client
        .get(format!("{}/api/meta/types/typedefs?type=classification", api.base))
        .bearer_auth(ADMIN)
        .header("x-sandbox-fault", "kinds=slow; rate=1; latency-ms=2500")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(!body["classificationDefs"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_answer_a_slow_reader_takes_longer_than_the_idle_timeout_to_read_arrives_whole() {
    // More than the kernel's socket buffers take (4 MiB at most here), so most of it is still
    // being sent while the client sleeps.
    const SIZE: usize = 16 * 1024 * 1024;
    let www = std::env::temp_dir().join(format!("steward-slow-reader-{}", std::process::id()));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("large.bin"), vec![b'x'; SIZE]).unwrap();
    let mut config = ServerConfig::new(&www, &www);
    config.connections = ConnectionLimits { header_read: SECOND, idle: SECOND, max_connections: 16 };
    let base = start_with(config).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(authority(&base).parse().unwrap()).await.unwrap();
    stream.write_all(get(authority(&base), "/large.bin", false).as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut received)).await;
    std::fs::remove_dir_all(&www).unwrap();
    read.expect("read within 30 s").expect("no reset");
    let head_end = received.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(received.starts_with(b"HTTP/1.1 200"));
    assert_eq!(received.len() - head_end, SIZE, "the whole file");
}

#[tokio::test]
async fn past_the_connection_cap_a_new_connection_waits_until_one_closes() {
    let base = start_with(limited(LONG, LONG, 2)).await;
    let host = authority(&base).to_owned();
    let first = TcpStream::connect(&host).await.unwrap();
    let _second = TcpStream::connect(&host).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(&host).await.unwrap();
    third.write_all(get(&host, "/server-info", false).as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let waited = tokio::time::timeout(Duration::from_millis(800), third.read_to_end(&mut answer)).await;
    assert!(waited.is_err() && answer.is_empty(), "answered while two connections held both slots");
    drop(first);
    let (received, elapsed) = until_closed(&mut third, Duration::from_secs(5)).await;
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn a_dropped_connection_gives_its_slot_back() {
    let api = Api::new(start_with(limited(LONG, LONG, 1)).await);
    let typedefs = format!("{}/api/meta/types/typedefs", api.base);
    let error = api.client.get(&typedefs).bearer_auth(ADMIN).header("x-sandbox-fault", "drop").send().await.unwrap_err();
    assert!(error.is_request() || error.is_connect(), "{error:?}");
    let next = tokio::time::timeout(Duration::from_secs(5), api.client.get(&typedefs).bearer_auth(ADMIN).send()).await;
    assert_eq!(next.expect("the only slot came back").unwrap().status(), 200);
}

#[tokio::test]
async fn shutdown_finishes_the_answer_in_flight_and_does_not_wait_for_idle_connections() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = limited(LONG, LONG, 16);
    let server = tokio::spawn(async move {
        serve(listener, &config, async move {
            let _ = stopped.await;
        })
        .await
    });
    let _idle = TcpStream::connect(authority(&base)).await.unwrap();
    let client = reqwest::Client::new();
    let slow = client
        .get(format!("{base}/api/meta/types/typedefs"))
        .bearer_auth(ADMIN)
        .header("x-sandbox-fault", "kinds=slow; rate=1; latency-ms=1000")
        .send();
    let slow = tokio::spawn(slow);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    let answer = slow.await.unwrap().unwrap();
    assert_eq!(answer.status(), 200);
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("stopped without waiting out the idle one").unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
}
