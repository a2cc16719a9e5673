//! The HTTP loop: hyper connections serving the axum app, with graceful shutdown, the
//! DNS-rebinding guard in front of every route (it needs each connection's local address), and
//! the one thing axum can't express: closing a connection without an answer (fault injection's
//! `drop`).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::host_guard::HostGuard;

/// Put in a response's extensions: the connection is closed instead of answering.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// The error that makes hyper close the connection.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
struct Dropped;

/// Serves `router` on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// (at most 10 s). A request `guard` does not admit is answered 421 without reaching `router`.
pub async fn run(listener: TcpListener, router: Router, guard: HostGuard, shutdown: impl Future<Output = ()> + Send + 'static) {
    let graceful = GracefulShutdown::new();
    let builder = Builder::new(TokioExecutor::new());
    tokio::pin!(shutdown);
    loop {
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
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            let router = router.clone();
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let admitted = guard.admits(request.uri(), request.headers(), local);
            async move {
                if !admitted {
                    return Ok(guard.misdirected(local));
                }
                let response = match router.oneshot(request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                };
                if response.extensions().get::<DropConnection>().is_some() {
                    return Err(Dropped);
                }
                Ok::<_, Dropped>(response)
            }
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}
