//! `steward-server [--sandbox] [--port N] [--host ADDR] [--www DIR] [--dist DIR] [--state FILE]
//! [--demo-scale N] [--demo-quality-set present|absent] [--faults SPEC] [--allow-host HOST]...`

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use steward_server::sandbox::catalog::demo::DemoOptions;
use steward_server::sandbox::demo::DEFAULT_SCALE;
use steward_server::sandbox::faults::FaultPlan;
use steward_server::{open_sandbox, serve_opened, ForwardConfig, HostPattern, SandboxOptions, ServerConfig};
use tokio::net::TcpListener;

/// Whether the demo catalog has the `Data Quality` custom-metadata set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Presence {
    Present,
    Absent,
}

/// Serves Steward's settings page and package, forwards to real tenants, and hosts the sandbox
/// tenants.
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
    /// Load the sandbox tenants from FILE (created from the demo when missing) and save every
    /// change to it atomically.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Tables and views generated in the demo Snowflake connection (for load tests).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SCALE)]
    demo_scale: usize,
    /// Whether the demo catalog starts with the `Data Quality` custom-metadata set.
    #[arg(long, value_enum, default_value_t = Presence::Present)]
    demo_quality_set: Presence,
    /// Fault injection on the sandbox APIs, e.g. "rate=0.2; kinds=429,500,503,slow,drop; seed=7;
    /// retry-after=1; latency-ms=1000" (a request can set its own with the x-sandbox-fault header).
    #[arg(long, value_name = "SPEC")]
    faults: Option<FaultPlan>,
    /// A host /forward/ may reach over https (repeatable; replaces the default list
    /// *.atlan.com, api.hightouch.com). `*.domain` covers subdomains; `host:port` another port.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<HostPattern>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = ServerConfig::new(args.www, args.dist);
    if !args.allow_hosts.is_empty() {
        config.forward = ForwardConfig { allow_hosts: args.allow_hosts };
    }
    if args.sandbox {
        if let Some(plan) = &args.faults {
            eprintln!("steward-server: sandbox faults: {plan}");
        }
        config = config.with_sandbox(SandboxOptions {
            demo: DemoOptions { scale: args.demo_scale, quality_set: args.demo_quality_set == Presence::Present },
            faults: args.faults,
            state_file: args.state,
        });
    }
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
    let sandbox = match open_sandbox(&config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("steward-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mode = if sandbox.is_some() { " (sandbox tenants on)" } else { "" };
    println!("steward-server listening on {url}{mode}");
    match serve_opened(listener, &config, sandbox, shutdown_signal()).await {
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
