//! Backtests: replay an order stream against a network once per routing profile and compare
//! what their plans cost and how they ship (the engine is the domain's
//! `routing::backtest`). The stream to try it on can be generated (`generate.rs`).

mod generate;

pub use generate::{Generated, generate};

use ordo_domain::auth::Principal;
use ordo_domain::field::FieldErrors;
use ordo_domain::order::Delivery;
use ordo_domain::routing::RoutingProfile;
use ordo_domain::values::ChannelCode;
use ordo_store::{OrderFilter, PageRequest, ProfileStatus};

use crate::App;
use crate::error::{AppError, AppResult};
use ordo_domain::routing::backtest::{self, Network, ReplayError, Report, SimOrder};

/// Most orders one backtest replays.
pub const BACKTEST_ORDERS_MAX: usize = 200_000;
/// Most profiles one backtest compares.
pub const BACKTEST_PROFILES_MAX: usize = 10;

/// Replays `orders` once per profile; with `reoptimize_every_ms`, each release wave of that
/// length is planned again together before it ships. `decisions`, when given, receives every
/// order's plan under every profile.
pub fn compare(
    network: &Network,
    orders: &[SimOrder],
    profiles: &[(String, RoutingProfile)],
    reoptimize_every_ms: Option<i64>,
    mut decisions: Option<&mut Vec<backtest::DecisionNote>>,
) -> Result<Vec<Report>, ReplayError> {
    profiles
        .iter()
        .map(|(name, profile)| {
            let sink = decisions.as_deref_mut();
            backtest::run(network, orders, name, profile, reoptimize_every_ms, sink)
        })
        .collect()
}

/// Which stored version of a profile a backtest runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredVersion {
    Draft,
    Active,
    Number(u32),
}

/// A profile to backtest: settings given outright, or a stored profile's version.
#[derive(Debug, Clone)]
pub enum ProfileSource {
    Settings(Box<RoutingProfile>),
    Stored { id: String, version: StoredVersion },
}

/// The orders to replay: given, or the channel's most recent shipped-to orders.
#[derive(Debug, Clone)]
pub enum OrderSource {
    Given(Vec<SimOrder>),
    Recent {
        count: usize,
        channel: Option<ChannelCode>,
    },
}

pub struct BacktestRequest {
    /// `None`: the live network, its sellable stock as if nothing were reserved.
    pub network: Option<Network>,
    /// What plans are scored with on the live network; the default cost model when absent.
    pub scoring: Option<RoutingProfile>,
    pub orders: OrderSource,
    pub profiles: Vec<(String, ProfileSource)>,
}

impl App {
    /// Replays the orders once per profile and reports each.
    pub async fn backtest(
        &self,
        principal: &Principal,
        request: BacktestRequest,
    ) -> AppResult<Vec<Report>> {
        let network = match request.network {
            Some(network) => network,
            None => {
                let live = self.store.routing_network().await?;
                let scoring = request.scoring.unwrap_or_default();
                // The live network's days turn where its first location's do; every
                // location still counts its capacity on its own day.
                let time_zone = live.locations.first().map(|l| l.time_zone.clone());
                Network {
                    time_zone: time_zone.unwrap_or_else(|| {
                        ordo_domain::location::TimeZoneName::parse("UTC")
                            .expect("UTC is a time zone")
                    }),
                    transit: ordo_domain::promise::DistanceBands::default(),
                    locations: live.locations,
                    weights: live.weights,
                    stock: live.stock,
                    inbound: Vec::new(),
                    costs: scoring.costs,
                    rates: scoring.shipping_rates,
                }
            }
        };
        let orders = match request.orders {
            OrderSource::Given(orders) => orders,
            OrderSource::Recent { count, channel } => {
                self.recent_orders(principal, count, channel).await?
            }
        };
        let mut profiles = Vec::with_capacity(request.profiles.len());
        for (i, (name, source)) in request.profiles.into_iter().enumerate() {
            let settings = match source {
                ProfileSource::Settings(settings) => *settings,
                ProfileSource::Stored { id, version } => {
                    let record = self.routing_profile(&id).await?;
                    let found = record.versions.into_iter().find(|v| match version {
                        StoredVersion::Draft => v.status == ProfileStatus::Draft,
                        StoredVersion::Active => v.status == ProfileStatus::Active,
                        StoredVersion::Number(n) => v.version == n,
                    });
                    match found {
                        Some(v) => v.settings,
                        None => {
                            return Err(AppError::Invalid(FieldErrors::single(
                                format!("profiles[{i}].version"),
                                format!("profile {id} has no such version"),
                            )));
                        }
                    }
                }
            };
            profiles.push((name, settings));
        }
        tokio::task::spawn_blocking(move || compare(&network, &orders, &profiles, None, None))
            .await
            .map_err(|e| AppError::Internal(format!("the backtest stopped: {e}")))?
            .map_err(|e| match e {
                ReplayError::Arrival { .. } => {
                    AppError::Invalid(FieldErrors::single("network.inbound", e.to_string()))
                }
                ReplayError::Plan(_) => AppError::Internal(format!("the backtest stopped: {e}")),
            })
    }

    /// The most recent orders shipped to an address, newest last, as the backtest replays them.
    async fn recent_orders(
        &self,
        principal: &Principal,
        count: usize,
        channel: Option<ChannelCode>,
    ) -> AppResult<Vec<SimOrder>> {
        let mut orders = Vec::new();
        let mut cursor = None;
        while orders.len() < count {
            let page = PageRequest { limit: 500, cursor };
            let filter = OrderFilter {
                channel: channel.clone(),
                ..OrderFilter::default()
            };
            let found = self.orders(principal, filter, &page).await?;
            for record in found.items {
                let o = record.order;
                let Some(ship_to) = o.ship_to.filter(|_| o.delivery == Delivery::Ship) else {
                    continue;
                };
                let Some(point) = ship_to.point_or_postal() else {
                    continue;
                };
                let lines: Vec<_> = o
                    .lines
                    .iter()
                    .map(|l| (l.sku.clone(), l.quantities.ordered - l.quantities.cancelled))
                    .filter(|(_, q)| *q > 0)
                    .collect();
                if lines.is_empty() || orders.len() >= count {
                    continue;
                }
                orders.push(SimOrder {
                    id: o.number,
                    at_ms: o.created_at_ms,
                    destination: point,
                    country: ship_to.country,
                    region: ship_to.region,
                    deliver_by: o.promised_date,
                    lines,
                });
            }
            match found.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        orders.reverse();
        Ok(orders)
    }
}
