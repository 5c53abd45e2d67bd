//! `ordo serve`: the HTTP API, until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use ordo_app::{App, Limits, SystemClock};

use crate::database::DatabaseArgs;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ORDO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Load the demo network (locations, items, stock, channels and keys) on first start.
    #[arg(long)]
    demo: bool,
    /// Logs as JSON lines instead of text.
    #[arg(long, env = "ORDO_LOG_JSON")]
    log_json: bool,
}

pub async fn run(args: ServeArgs) -> Result<(), String> {
    init_logs(args.log_json);
    let store = args.database.open().await?;
    let app = Arc::new(App::new(
        Arc::new(store),
        Arc::new(SystemClock),
        Limits::default(),
    ));
    let bootstrap_key = std::env::var("ORDO_BOOTSTRAP_ADMIN_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    let result = start(&args, &app, bootstrap_key).await;
    if result.is_err() {
        app.shutdown().await;
    }
    result
}

async fn start(
    args: &ServeArgs,
    app: &Arc<App>,
    bootstrap_key: Option<String>,
) -> Result<(), String> {
    let issued = app
        .bootstrap_admin(bootstrap_key.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    let demo = if args.demo {
        app.load_demo()
            .await
            .map_err(|e| format!("loading the demo: {e}"))?
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;

    println!("Ordo is serving at http://{address} (API docs at http://{address}/docs)");
    println!("database: {}", app.backend().name());
    match (&issued, &bootstrap_key) {
        (Some(issued), _) => println!("admin key (shown once, keep it): {}", issued.secret),
        (None, Some(key)) if args.demo => {
            println!("admin key (from ORDO_BOOTSTRAP_ADMIN_KEY): {key}")
        }
        _ => {}
    }
    match demo {
        Some(demo) => {
            println!(
                "demo network loaded: {} locations, {} items, {} stock positions",
                demo.locations, demo.items, demo.positions
            );
            for (channel, key) in &demo.channel_keys {
                println!("channel key for {channel} (shown once): {key}");
            }
        }
        None if args.demo => {
            println!("demo network already loaded; its keys were shown at the first start")
        }
        None => {}
    }
    tracing::info!(%address, "listening");
    ordo_server::serve(listener, app.clone(), shutdown_signal())
        .await
        .map_err(|e| format!("serving: {e}"))
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down: finishing in-flight requests");
}

fn init_logs(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
