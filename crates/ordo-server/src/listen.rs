//! The accept loop: HTTP/1.1 connections, each with a deadline for its request headers (which
//! also ends a connection left idle between requests), a bound on the connections open at
//! once (more are closed as they arrive), TLS when configured, and a graceful shutdown that
//! lets in-flight requests finish. Each request carries its client's address
//! (`ConnectInfo<SocketAddr>`).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How the server treats connections.
#[derive(Clone)]
pub struct ServeOptions {
    /// Longest a client may take to send a request's headers — and to send the next request
    /// on a kept-alive connection — before the connection is closed.
    pub header_read_timeout: Duration,
    /// Most connections open at once; connections beyond are closed as they arrive.
    pub connections_max: usize,
    /// Longest a shutdown waits for in-flight requests.
    pub shutdown_grace: Duration,
    /// Origins whose pages may call the API from a browser (`https://shop.example.com`).
    pub cors_origins: Vec<String>,
    /// HTTPS: the certificate and key to serve with.
    #[cfg(feature = "tls")]
    pub tls: Option<crate::tls::Tls>,
}

impl ServeOptions {
    /// Plain HTTP with the app's limits on connections.
    pub fn from_limits(limits: &ordo_app::Limits) -> Self {
        Self {
            header_read_timeout: Duration::from_millis(limits.header_read_timeout_ms),
            connections_max: limits.connections_max,
            shutdown_grace: Duration::from_secs(30),
            cors_origins: Vec::new(),
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish
/// (up to the grace period).
pub async fn run(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(options.connections_max));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            metrics::counter!("ordo_connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        let connection = connect(stream, peer, router.clone(), options.clone(), &graceful);
        tokio::spawn(async move {
            connection.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(options.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open at the end of the shutdown grace period");
    }
}

/// Serves one connection (after its TLS handshake, if any).
fn connect(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    options: ServeOptions,
    graceful: &GracefulShutdown,
) -> impl Future<Output = ()> + Send + 'static {
    let _ = stream.set_nodelay(true);
    let service = router.map_request(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let service = TowerToHyperService::new(service);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let watcher = graceful.watcher();
    async move {
        #[cfg(feature = "tls")]
        if let Some(tls) = &options.tls {
            let Some(stream) = tls.accept(stream, options.header_read_timeout).await else {
                return;
            };
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let _ = watcher.watch(connection).await;
            return;
        }
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let _ = watcher.watch(connection).await;
    }
}
