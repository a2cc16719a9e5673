//! `steward-server [--sandbox] [--port N] [--host ADDR [--allow-remote]] [--www DIR] [--dist DIR]
//! [--state FILE] [--demo-scale N] [--demo-quality-set present|absent] [--faults SPEC]
//! [--allow-host HOST]...`

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use steward_server::sandbox::catalog::demo::DemoOptions;
use steward_server::sandbox::demo::DEFAULT_SCALE;
use steward_server::sandbox::faults::FaultPlan;
use steward_server::{host_guard, open_sandbox, serve_opened, ForwardConfig, HostPattern, SandboxOptions, ServerConfig};
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
    /// Address to bind. Loopback by default: the server is a local tool; any other address needs
    /// --allow-remote.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Allow a non-loopback --host: the page, the forwarder and the sandbox tenants (with their
    /// public demo tokens) are then reachable from the network.
    #[arg(long)]
    allow_remote: bool,
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
    // Before anything is built or bound: a refusal must not leave a socket open or a state file.
    if let Some(refusal) = host_guard::bind_refusal(args.host, args.allow_remote) {
        eprintln!("steward-server: {refusal}");
        return ExitCode::from(2);
    }
    if let Some(warning) = host_guard::remote_warning(args.host) {
        eprintln!("steward-server: {warning}");
    }
    let mut config = ServerConfig::new(args.www, args.dist);
    config.allow_remote = args.allow_remote;
    if !args.allow_hosts.is_empty() {
        config.forward = ForwardConfig { allow_hosts: args.allow_hosts, ..ForwardConfig::default() };
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
    let shutdown = shutdown_signal();
    let mode = if sandbox.is_some() { " (sandbox tenants on)" } else { "" };
    println!("steward-server listening on {url}{mode}");
    match serve_opened(listener, &config, sandbox, shutdown).await {
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

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled: a SIGTERM sent as soon as the URL is logged must stop the server
/// cleanly rather than kill it with the default action.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            let wait = |signal: Option<tokio::signal::unix::Signal>| async move {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(interrupt) => {},
                () = wait(terminate) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
