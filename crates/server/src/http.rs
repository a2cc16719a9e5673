//! The HTTP loop: hyper connections serving the axum app, with graceful shutdown, the
//! connection limits ([`ConnectionLimits`]), the DNS-rebinding guard in front of every route (it
//! needs each connection's local address), and the one thing axum can't express: closing a
//! connection without an answer (fault injection's `drop`).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ConnectInfo;
use axum::response::Response;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

use crate::host_guard::HostGuard;

/// How long a request's line and headers may take to arrive: 10 s.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may go without a request being received or answered on it: 20 s.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections served at once: 256 (well under the usual 1,024 file descriptors of a process,
/// with room for the forwarder's outbound connections and the files it serves).
pub const MAX_CONNECTIONS: usize = 256;
/// The longest timeout honoured: a longer one counts as this (a deadline past what a clock can
/// hold would overflow).
const LONGEST_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// What one client can hold of the server: the timeouts of each connection and how many
/// connections are served at once. The defaults are [`HEADER_READ_TIMEOUT`], [`IDLE_TIMEOUT`]
/// and [`MAX_CONNECTIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time for a request's line and headers to arrive in full, from when the server starts
    /// reading them (hyper's HTTP/1 header-read timeout); a late one closes the connection. On a
    /// kept-alive HTTP/1 connection the wait for the next request starts as soon as the previous
    /// answer is sent, so such a connection with no next request is closed after this too.
    pub header_read: Duration,
    /// A connection on which no request has been received or answered for this long is closed:
    /// one that never sends a request line (before hyper knows its protocol, no header timer
    /// runs), an idle HTTP/2 one. A request being handled, or an answer being sent, however
    /// long, is never cut by this.
    pub idle: Duration,
    /// Connections served at once (at least 1). When that many are open the server stops
    /// accepting: new connections wait in the listen queue until one closes, rather than being
    /// refused — the page's or the sync's next request then waits instead of failing, and the
    /// timeouts above bound how long an idle or slow client can keep its place.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { header_read: HEADER_READ_TIMEOUT, idle: IDLE_TIMEOUT, max_connections: MAX_CONNECTIONS }
    }
}

/// Put in a response's extensions: the connection is closed instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// The error that makes hyper close the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct Dropped;

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// (at most 10 s). A request `guard` does not admit is answered 421 without reaching `router`.
pub async fn run(
    listener: TcpListener,
    router: Router,
    guard: HostGuard,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read.min(LONGEST_TIMEOUT));
    let idle = limits.idle.min(LONGEST_TIMEOUT);
    let slots = Arc::new(Semaphore::new(limits.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    tokio::pin!(shutdown);
    loop {
        // A free slot before the next accept: while every slot is taken, connections wait in
        // the listen queue.
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_closed) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    eprintln!("steward-server: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // Bound to every interface, this is the address the client actually reached.
        let local = match stream.local_addr() {
            Ok(local) => local,
            Err(_) => continue,
        };
        let (activity, watched) = watch::channel(Activity { busy: 0, since: Instant::now() });
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            let router = router.clone();
            let busy = Busy::new(&activity);
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let admitted = guard.admits(request.uri(), request.headers(), local);
            let cross_site = crate::host_guard::is_cross_site_write(request.method(), request.headers());
            async move {
                if !admitted {
                    return Ok(hold_until_sent(guard.misdirected(local), busy));
                }
                if cross_site {
                    return Ok(hold_until_sent(crate::host_guard::cross_site_refusal(), busy));
                }
                let response = match router.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                if response.extensions().get::<DropConnection>().is_some() {
                    return Err(Dropped);
                }
                Ok::<_, Dropped>(hold_until_sent(response, busy))
            }
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _slot = slot;
            // Dropping an idle connection closes it: nothing is being received or answered.
            tokio::select! {
                _ = connection => {},
                () = idle_for(watched, idle) => {},
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}

/// Whether a connection has requests being handled or answered, and since when it has had none.
#[derive(Debug, Clone, Copy)]
struct Activity {
    busy: usize,
    since: Instant,
}

/// One request being handled or answered on a connection, from the moment its head is read
/// until its answer's body has been sent (or dropped).
#[derive(Debug)]
struct Busy(watch::Sender<Activity>);

impl Busy {
    fn new(activity: &watch::Sender<Activity>) -> Self {
        activity.send_modify(|a| a.busy = a.busy.saturating_add(1));
        Self(activity.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.send_modify(|a| {
            a.busy = a.busy.saturating_sub(1);
            a.since = Instant::now();
        });
    }
}

/// Resolves once no request has been handled or answered on the connection for `limit`.
async fn idle_for(mut activity: watch::Receiver<Activity>, limit: Duration) {
    loop {
        let now = *activity.borrow_and_update();
        let deadline = now.since.checked_add(limit);
        match deadline {
            Some(deadline) if now.busy == 0 => {
                tokio::select! {
                    () = tokio::time::sleep_until(deadline) => return,
                    changed = activity.changed() => if changed.is_err() { return },
                }
            }
            _ => {
                if activity.changed().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `response` with `hold` (the connection's [`Busy`] mark) kept until hyper has sent its body
/// or dropped it.
fn hold_until_sent<H: Send + Unpin + 'static>(response: Response, hold: H) -> Response {
    response.map(|body| Body::new(Holding { body, _hold: hold }))
}

/// A body and what it keeps alive.
struct Holding<H> {
    body: Body,
    _hold: H,
}

impl<H: Unpin> HttpBody for Holding<H> {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
