//! `ordo serve`: the HTTP API, until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use ordo_app::{App, Limits, SystemClock};
use ordo_server::ServeOptions;

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
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key.
    #[arg(long, env = "ORDO_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, env = "ORDO_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// An origin whose pages may call the API from a browser (https://shop.example.com);
    /// repeat it, or separate origins with commas. None by default.
    #[arg(long = "cors-origin", env = "ORDO_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Also serve /metrics without a key on this address (a private interface for
    /// Prometheus); on the API's address /metrics needs an admin or read_only key.
    #[arg(long, env = "ORDO_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
}

fn serve_options(args: &ServeArgs) -> Result<ServeOptions, String> {
    let mut options = ServeOptions::from_limits(&Limits::default());
    ordo_server::headers::cors(&args.cors_origins)?;
    options.cors_origins = args.cors_origins.clone();
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        options.tls = Some(ordo_server::tls::Tls::from_pem_files(cert, key)?);
    }
    Ok(options)
}

pub async fn run(args: ServeArgs) -> Result<(), String> {
    init_logs(args.log_json);
    let options = serve_options(&args)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("Ordo is serving at {scheme}://{address} (API docs at {scheme}://{address}/docs)");
    tracing::info!(%address, "listening");
    if let Some(at) = args.metrics_listen {
        let metrics = tokio::net::TcpListener::bind(at)
            .await
            .map_err(|e| format!("cannot listen on {at} for metrics: {e}"))?;
        let at = metrics.local_addr().map_err(|e| e.to_string())?;
        let router = ordo_server::ops::metrics_router();
        let plain = ServeOptions {
            tls: None,
            ..options.clone()
        };
        tokio::spawn(ordo_server::listen::run(
            metrics,
            router,
            plain,
            std::future::pending(),
        ));
        println!("metrics at http://{at}/metrics");
    }
    let ready = |banner: String| {
        print!("{banner}");
        tracing::info!("ready");
    };
    ordo_server::serve_starting(listener, options, start(&args), ready, shutdown_signal()).await
}

/// Opens the store (waiting for it if need be), makes sure an admin can get in, and loads
/// the demo if asked; answers the app and what to tell the operator once it serves.
async fn start(args: &ServeArgs) -> Result<(Arc<App>, String), String> {
    // The recorder goes in before the app starts its background jobs, whose first passes
    // would otherwise go uncounted.
    ordo_server::ops::metrics_handle();
    let store = args.database.open_waiting().await?;
    let app = Arc::new(App::new(
        Arc::new(store),
        Arc::new(SystemClock),
        Limits::default(),
    ));
    let bootstrap_key = std::env::var("ORDO_BOOTSTRAP_ADMIN_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    let result = prepare(args, &app, bootstrap_key).await;
    if result.is_err() {
        app.shutdown().await;
    }
    result.map(|banner| (app, banner))
}

async fn prepare(
    args: &ServeArgs,
    app: &Arc<App>,
    bootstrap_key: Option<String>,
) -> Result<String, String> {
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
    let mut banner = format!("database: {}\n", app.backend().name());
    match (&issued, &bootstrap_key) {
        (Some(issued), _) => {
            banner += &format!("admin key (shown once, keep it): {}\n", issued.secret)
        }
        (None, Some(key)) if args.demo => {
            banner += &format!("admin key (from ORDO_BOOTSTRAP_ADMIN_KEY): {key}\n")
        }
        _ => {}
    }
    match demo {
        Some(demo) => {
            banner += &format!(
                "demo network loaded: {} locations, {} items, {} stock positions\n",
                demo.locations, demo.items, demo.positions
            );
            for (channel, key) in &demo.channel_keys {
                banner += &format!("channel key for {channel} (shown once): {key}\n");
            }
        }
        None if args.demo => {
            banner += "demo network already loaded; its keys were shown at the first start\n"
        }
        None => {}
    }
    Ok(banner)
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
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
