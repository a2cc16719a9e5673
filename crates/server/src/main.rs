//! `steward-server [--sandbox] [--port N] [--host ADDR] [--www DIR] [--dist DIR]`

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use steward_server::{serve, ServerConfig};
use tokio::net::TcpListener;

/// Serves Steward's settings page and package, and the sandbox tenants.
#[derive(Debug, Parser)]
#[command(name = "steward-server", version)]
struct Args {
    /// Host the sandbox catalog and Hightouch tenants with demo data.
    #[arg(long)]
    sandbox: bool,
    /// Port to listen on (0 picks a free one; the URL is logged).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind. Loopback by default: the server is a local tool.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Folder of the settings page.
    #[arg(long, default_value = "www")]
    www: PathBuf,
    /// Folder of the built npm package, served under /dist/.
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = ServerConfig { www_dir: args.www, dist_dir: args.dist, sandbox: args.sandbox };
    let listener = match TcpListener::bind(SocketAddr::new(args.host, args.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("steward-server: cannot listen on {}:{}: {e}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/"),
        Err(e) => {
            eprintln!("steward-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mode = if config.sandbox { " (sandbox tenants on)" } else { "" };
    println!("steward-server listening on {url}{mode}");
    match serve(listener, &config, shutdown_signal()).await {
        Ok(()) => {
            println!("steward-server stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("steward-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
