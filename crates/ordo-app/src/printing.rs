//! Printing use cases: load what a document shows, check the caller may see it, render it.

use ordo_domain::auth::Principal;
use ordo_domain::field::FieldErrors;
use ordo_domain::fulfillment::FulfillmentStatus;
use ordo_domain::location::{LocalTime, Location};
use ordo_domain::values::LocationCode;
use ordo_store::OrderKey;

use crate::App;
use crate::documents::{self, Document, PickRow};
use crate::error::{AppError, AppResult};

/// A document's format, as asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Csv,
    Zpl,
}

impl Format {
    pub fn parse(raw: &str, allowed: &[Format]) -> Result<Self, String> {
        let format = match raw {
            "pdf" => Self::Pdf,
            "csv" => Self::Csv,
            "zpl" => Self::Zpl,
            _ => Self::Pdf,
        };
        let names: Vec<&str> = allowed.iter().map(|f| f.as_str()).collect();
        if format.as_str() != raw || !allowed.contains(&format) {
            return Err(format!("must be one of {}", names.join(", ")));
        }
        Ok(format)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Csv => "csv",
            Self::Zpl => "zpl",
        }
    }
}

impl App {
    async fn location_named(&self, code: &LocationCode) -> AppResult<Location> {
        self.store
            .location(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("location {code}")))
    }

    /// The names of these items, by SKU.
    async fn item_names(
        &self,
        skus: Vec<ordo_domain::values::Sku>,
    ) -> AppResult<documents::ItemNames> {
        let mut names = documents::ItemNames::new();
        for sku in &skus {
            if !names.contains_key(sku.as_str())
                && let Some(item) = self.store.item(sku).await?
            {
                names.insert(sku.to_string(), item.name);
            }
        }
        Ok(names)
    }

    /// The order a document is printed for, once the caller may see the document.
    async fn order_of(&self, order_id: &str) -> AppResult<ordo_domain::order::Order> {
        let key = OrderKey::Id(order_id.to_string());
        let record = self.store.order(&key).await?;
        record
            .map(|r| r.order)
            .ok_or_else(|| AppError::NotFound(format!("order {order_id}")))
    }

    /// A shipment's label, as a 4×6 in PDF or as ZPL.
    pub async fn label(
        &self,
        principal: &Principal,
        shipment_id: &str,
        format: Format,
    ) -> AppResult<Document> {
        let shipment = self.shipment(principal, shipment_id).await?;
        let order = self.order_of(&shipment.order_id).await?;
        let from = self.location_named(&shipment.location).await?;
        let packages = self
            .store
            .packages(&shipment.fulfillment_order_id)
            .await?
            .len();
        Ok(match format {
            Format::Zpl => documents::label_zpl(&shipment, &order, &from, packages),
            _ => documents::label_pdf(&shipment, &order, &from, packages),
        })
    }

    pub async fn packing_slip(&self, principal: &Principal, fo_id: &str) -> AppResult<Document> {
        let fo = self.fulfillment_order(principal, fo_id).await?;
        let order = self.order_of(&fo.order_id).await?;
        let from = self.location_named(&fo.location).await?;
        let skus = fo.lines.iter().map(|l| l.sku.clone()).collect();
        let names = self.item_names(skus).await?;
        Ok(documents::packing_slip(&fo, &order, &from, &names))
    }

    /// A location's pick list: the work still to pick, or only what the wave at `wave`
    /// (local time, today) released.
    pub async fn pick_list(
        &self,
        principal: &Principal,
        code: &LocationCode,
        wave: Option<&str>,
        format: Format,
    ) -> AppResult<Document> {
        let location = self.location_named(code).await?;
        let mut work = self
            .location_work(principal, code, crate::fulfillment::WORK_LIST_MAX)
            .await?;
        work.retain(|f| {
            matches!(
                f.status,
                FulfillmentStatus::Released
                    | FulfillmentStatus::Accepted
                    | FulfillmentStatus::Picking
            )
        });
        let label = match wave {
            None => "all".to_string(),
            Some(raw) => {
                let time = LocalTime::parse(raw)
                    .map_err(|m| AppError::Invalid(FieldErrors::single("wave", m)))?;
                let (from_ms, to_ms) = wave_window(&location, time, self.clock.now_ms());
                work.retain(|f| (from_ms..to_ms).contains(&f.released_at_ms));
                time.to_hhmm()
            }
        };
        let skus = work
            .iter()
            .flat_map(|f| f.lines.iter().map(|l| l.sku.clone()));
        let names = self.item_names(skus.collect()).await?;
        let mut rows = Vec::new();
        for fo in work {
            let number = self
                .store
                .order(&OrderKey::Id(fo.order_id.clone()))
                .await?
                .map(|r| r.order.number)
                .unwrap_or_default();
            for line in fo.lines.iter().filter(|l| l.quantity > l.picked) {
                rows.push(PickRow {
                    fulfillment_order: fo.id.clone(),
                    order_number: number.clone(),
                    line_no: line.line_no,
                    sku: line.sku.to_string(),
                    name: names.get(line.sku.as_str()).cloned().unwrap_or_default(),
                    quantity: line.quantity - line.picked,
                    promised_date: fo.promised_date.map(|d| d.to_string()),
                });
            }
        }
        Ok(documents::pick_list(
            &location,
            &label,
            rows,
            format == Format::Csv,
        ))
    }

    pub async fn manifest_document(
        &self,
        principal: &Principal,
        carrier: &str,
        date: jiff::civil::Date,
        location: Option<&LocationCode>,
        format: Format,
    ) -> AppResult<Document> {
        let shipments = self.manifest(principal, carrier, date, location).await?;
        if self.store.carrier(carrier).await?.is_none() {
            return Err(AppError::NotFound(format!("carrier {carrier}")));
        }
        let mut rows = Vec::with_capacity(shipments.len());
        for shipment in shipments {
            let key = OrderKey::Id(shipment.order_id.clone());
            let order = self.store.order(&key).await?.map(|r| r.order);
            let recipient = order
                .as_ref()
                .and_then(|o| o.ship_to.as_ref())
                .map(|s| format!("{}, {}", s.name, s.city))
                .unwrap_or_default();
            rows.push(documents::ManifestRow {
                shipment,
                order_number: order.map(|o| o.number).unwrap_or_default(),
                recipient,
            });
        }
        Ok(documents::manifest(
            carrier,
            &date.to_string(),
            &rows,
            format == Format::Csv,
        ))
    }
}

/// The window of releases a wave made: from the wave's time today (in the location's zone)
/// to the next wave.
fn wave_window(location: &Location, wave: LocalTime, now_ms: i64) -> (i64, i64) {
    let tz =
        jiff::tz::TimeZone::get(location.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
        .date();
    let start = jiff::civil::Time::new(wave.hour as i8, wave.minute as i8, 0, 0)
        .ok()
        .and_then(|t| today.to_datetime(t).to_zoned(tz).ok())
        .map_or(now_ms, |z| z.timestamp().as_millisecond());
    let end = location
        .release_waves
        .next_wave_ms(&location.time_zone, start + 1);
    let end = if end <= start {
        start + 86_400_000
    } else {
        end
    };
    (start, end)
}
