//! Running a use case's transaction: again while it fails in a way a retry can fix (a
//! deadlock, a serialisation failure, a busy file, an order changed meanwhile), at most
//! [`RETRIES_MAX`] times, each after a longer pause.

use std::future::Future;
use std::time::Duration;

use ordo_store::StoreError;

use crate::error::{AppError, AppResult};

const RETRIES_MAX: u32 = 5;

/// Why one attempt at a use case ended early: the store failed (perhaps for a retry to fix),
/// or the use case refused.
pub(crate) enum Abort {
    Store(StoreError),
    Refused(AppError),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<AppError> for Abort {
    fn from(e: AppError) -> Self {
        Self::Refused(e)
    }
}

/// What one attempt at a use case answers.
pub(crate) type Attempt<T> = Result<T, Abort>;

/// Runs `attempt` until it succeeds, refuses, or fails in a way a retry cannot fix.
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let mut retries = 0;
    loop {
        match attempt().await {
            Ok(done) => return Ok(done),
            Err(Abort::Refused(e)) => return Err(e),
            Err(Abort::Store(e)) if e.is_retryable() && retries < RETRIES_MAX => {
                retries += 1;
                tracing::debug!(error = %e, retries, "retrying a use case's transaction");
                tokio::time::sleep(Duration::from_millis(2 << retries)).await;
            }
            Err(Abort::Store(e)) => return Err(e.into()),
        }
    }
}
