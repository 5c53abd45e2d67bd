//! Reference data: locations, items and channels.

use ordo_domain::channel::{Channel, StockRules};
use ordo_domain::field::FieldErrors;
use ordo_domain::item::Item;
use ordo_domain::location::Location;
use ordo_domain::values::{ChannelCode, LocationCode, Sku};
use ordo_store::{Page, PageRequest};

use crate::App;
use crate::error::{AppError, AppResult};

impl App {
    pub async fn create_location(&self, mut location: Location) -> AppResult<Location> {
        let now = self.clock.now_ms();
        (location.created_at_ms, location.updated_at_ms) = (now, now);
        self.store.insert_location(&location).await?;
        Ok(location)
    }

    /// Replaces a location's fields with `changed`, keeping its code and creation time.
    pub async fn update_location(&self, changed: Location) -> AppResult<Location> {
        let current = self.location(&changed.code).await?;
        let location = Location {
            created_at_ms: current.created_at_ms,
            updated_at_ms: self.clock.now_ms(),
            ..changed
        };
        self.store.update_location(&location).await?;
        Ok(location)
    }

    pub async fn location(&self, code: &LocationCode) -> AppResult<Location> {
        self.store
            .location(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("location {code}")))
    }

    pub async fn locations(&self, page: &PageRequest) -> AppResult<Page<Location>> {
        Ok(self.store.locations(page).await?)
    }

    pub async fn create_item(&self, mut item: Item) -> AppResult<Item> {
        let now = self.clock.now_ms();
        (item.created_at_ms, item.updated_at_ms) = (now, now);
        self.store.insert_item(&item).await?;
        Ok(item)
    }

    pub async fn update_item(&self, changed: Item) -> AppResult<Item> {
        let current = self.item(&changed.sku).await?;
        let item = Item {
            created_at_ms: current.created_at_ms,
            updated_at_ms: self.clock.now_ms(),
            ..changed
        };
        self.store.update_item(&item).await?;
        Ok(item)
    }

    pub async fn item(&self, sku: &Sku) -> AppResult<Item> {
        self.store
            .item(sku)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("item {sku}")))
    }

    pub async fn items(&self, page: &PageRequest) -> AppResult<Page<Item>> {
        Ok(self.store.items(page).await?)
    }

    pub async fn create_channel(&self, mut channel: Channel) -> AppResult<Channel> {
        channel.created_at_ms = self.clock.now_ms();
        self.store.insert_channel(&channel).await?;
        Ok(channel)
    }

    pub async fn channel(&self, code: &ChannelCode) -> AppResult<Channel> {
        self.store
            .channel(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("channel {code}")))
    }

    pub async fn channels(&self, page: &PageRequest) -> AppResult<Page<Channel>> {
        Ok(self.store.channels(page).await?)
    }
}

impl App {
    pub async fn stock_rules(&self, code: &ChannelCode) -> AppResult<StockRules> {
        self.store
            .stock_rules(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("channel {code}")))
    }

    /// Replaces a channel's stock rules. Excluded locations must exist.
    pub async fn put_stock_rules(
        &self,
        code: &ChannelCode,
        rules: StockRules,
    ) -> AppResult<StockRules> {
        let mut errors = FieldErrors::new();
        for (i, location) in rules.excluded_locations.iter().enumerate() {
            if self.store.location(location).await?.is_none() {
                errors.push(
                    format!("excluded_locations[{i}]"),
                    format!("no location has code {location}"),
                );
            }
        }
        errors.into_result().map_err(AppError::Invalid)?;
        if !self.store.put_stock_rules(code, &rules).await? {
            return Err(AppError::NotFound(format!("channel {code}")));
        }
        Ok(rules)
    }
}
