//! Test support for Ordo: a fresh database per test on each backend ([`db`]), builders for
//! domain values and request bodies ([`fixtures`]), and — with the `http` feature — a running
//! server on a random port (`TestApp`), so that store and app tests need not compile the server.
//!
//! Tests that should run on both backends are written once with [`on_both_backends!`].

#[cfg(feature = "http")]
pub mod app;
pub mod db;
pub mod fixtures;

#[cfg(feature = "http")]
pub use app::{ADMIN_KEY, Reply, TestApp, test_limits};
pub use db::{Backend, TestDb};

/// The fixed time test stores are opened at, 2026-01-01T00:00:00Z.
pub const CLOCK_START_MS: i64 = 1_767_225_600_000;

/// Writes each test twice, as `name::sqlite` and `name::postgres`; the PostgreSQL one says it
/// is skipped when `ORDO_TEST_POSTGRES_URL` is not set.
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident: Backend) $body:block $($rest:tt)*) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($backend: $crate::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::Backend::Postgres).await
            }
        }
        $crate::on_both_backends! { $($rest)* }
    };
    () => {};
}

/// A port nothing listens on now, for a server a test starts as a process.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
