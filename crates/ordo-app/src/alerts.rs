//! Stock alerts: thresholds per item and location, and the events crossing them raises.

use ordo_domain::alerts::Threshold;
use ordo_domain::field::FieldErrors;
use ordo_store::{EventFilter, EventRecord, Page, PageRequest};

use crate::App;
use crate::error::{AppError, AppResult};

impl App {
    /// Sets a threshold; an alert is raised whenever a position's availability crosses it.
    pub async fn put_threshold(&self, threshold: Threshold) -> AppResult<Threshold> {
        if threshold.out_units > threshold.low_units {
            return Err(AppError::Invalid(FieldErrors::single(
                "out_units",
                "must not exceed low_units",
            )));
        }
        self.store.put_threshold(&threshold).await?;
        Ok(threshold)
    }

    pub async fn delete_threshold(&self, threshold: &Threshold) -> AppResult<()> {
        if !self.store.delete_threshold(threshold).await? {
            return Err(AppError::NotFound("threshold".into()));
        }
        Ok(())
    }

    pub async fn thresholds(&self) -> AppResult<Vec<Threshold>> {
        Ok(self.store.thresholds().await?)
    }

    pub async fn events(
        &self,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> AppResult<Page<EventRecord>> {
        Ok(self.store.events(filter, page).await?)
    }
}
