//! The order writer: requests to place orders queue here, and writer tasks take them in
//! batches of up to `order_batch_max`, each batch one store transaction. Under load many
//! orders share one commit (group commit); when idle an order is written alone at once.

use std::sync::Arc;

use ordo_store::Store;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::AppDeciders;
use crate::error::{AppError, AppResult};
use crate::place_command::{PlaceCommand, PlaceOutcome};
use crate::place_orders::place_orders;

struct Job {
    command: PlaceCommand,
    reply: oneshot::Sender<AppResult<PlaceOutcome>>,
}

pub(crate) struct OrderWriter {
    queue: std::sync::Mutex<Option<mpsc::Sender<Job>>>,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

impl OrderWriter {
    /// Starts `writers` tasks. SQLite has one writer connection, so one task; PostgreSQL can
    /// commit batches side by side.
    pub(crate) fn start(
        store: Arc<dyn Store>,
        deciding: Arc<AppDeciders>,
        writers: usize,
        batch_max: usize,
        queue_max: usize,
    ) -> Self {
        let (sender, receiver) = mpsc::channel::<Job>(queue_max.max(1));
        let receiver = Arc::new(Mutex::new(receiver));
        let tasks = (0..writers.max(1))
            .map(|_| {
                tokio::spawn(run(
                    store.clone(),
                    deciding.clone(),
                    receiver.clone(),
                    batch_max.max(1),
                ))
            })
            .collect();
        Self {
            queue: std::sync::Mutex::new(Some(sender)),
            tasks: std::sync::Mutex::new(tasks),
        }
    }

    pub(crate) async fn place(&self, command: PlaceCommand) -> AppResult<PlaceOutcome> {
        let sender = self
            .queue
            .lock()
            .map_err(|_| AppError::Internal("writer queue poisoned".into()))?
            .clone();
        let Some(sender) = sender else {
            return Err(AppError::Unavailable("the server is shutting down".into()));
        };
        let (reply, answer) = oneshot::channel();
        sender
            .try_send(Job { command, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => {
                    AppError::Unavailable("too many orders are waiting to be written".into())
                }
                mpsc::error::TrySendError::Closed(_) => {
                    AppError::Unavailable("the server is shutting down".into())
                }
            })?;
        answer
            .await
            .map_err(|_| AppError::Internal("the order writer stopped".into()))?
    }

    /// Stops taking orders, writes every queued one, and waits for the writers to finish.
    pub(crate) async fn shutdown(&self) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.take();
        }
        let tasks = self
            .tasks
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        for task in tasks {
            let _ = task.await;
        }
    }
}

async fn run(
    store: Arc<dyn Store>,
    deciding: Arc<AppDeciders>,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    batch_max: usize,
) {
    loop {
        let jobs = {
            let mut receiver = queue.lock().await;
            let Some(first) = receiver.recv().await else {
                return;
            };
            let mut jobs = vec![first];
            while jobs.len() < batch_max {
                match receiver.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            jobs
        };
        let (commands, replies): (Vec<PlaceCommand>, Vec<_>) =
            jobs.into_iter().map(|j| (j.command, j.reply)).unzip();
        metrics::histogram!("ordo_order_batch_size").record(commands.len() as f64);
        match place_orders(store.as_ref(), &commands, &deciding.deciders()).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, orders = replies.len(), "placing a batch of orders failed");
                for reply in replies {
                    let _ = reply.send(Err(batch_failed(&e)));
                }
            }
        }
    }
}

/// The answer each order of a failed batch gets.
fn batch_failed(e: &AppError) -> AppError {
    match e {
        AppError::Unavailable(_) => AppError::Unavailable(
            "the database is busy or was out of reach; retry with the same Idempotency-Key".into(),
        ),
        e => AppError::Internal(e.to_string()),
    }
}
