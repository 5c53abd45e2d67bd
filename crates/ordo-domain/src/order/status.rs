//! The order status model: every status and the transitions allowed between them.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Captured, not yet allocated.
    Received,
    /// Every open unit is reserved at a location.
    Allocated,
    /// Some units wait for stock.
    Backordered,
    /// Every open unit is reserved and released to its location's fulfilment.
    Released,
    PartiallyShipped,
    Shipped,
    Delivered,
    Cancelled,
    /// Stopped by a person or a check until released.
    OnHold,
}

use OrderStatus::*;

/// The transition table. A status not listed as a successor cannot be reached directly.
const TRANSITIONS: &[(OrderStatus, &[OrderStatus])] = &[
    (Received, &[Allocated, Backordered, OnHold, Cancelled]),
    (
        Allocated,
        &[
            Backordered,
            Released,
            PartiallyShipped,
            Shipped,
            OnHold,
            Cancelled,
        ],
    ),
    (
        Backordered,
        &[Allocated, Released, PartiallyShipped, OnHold, Cancelled],
    ),
    (
        Released,
        &[
            Allocated,
            Backordered,
            PartiallyShipped,
            Shipped,
            OnHold,
            Cancelled,
        ],
    ),
    (PartiallyShipped, &[Shipped, Delivered, OnHold]),
    (Shipped, &[Delivered]),
    (Delivered, &[]),
    (Cancelled, &[]),
    (
        OnHold,
        &[
            Received,
            Allocated,
            Backordered,
            Released,
            PartiallyShipped,
            Shipped,
            Cancelled,
        ],
    ),
];

impl OrderStatus {
    pub const ALL: [OrderStatus; 9] = [
        Received,
        Allocated,
        Backordered,
        Released,
        PartiallyShipped,
        Shipped,
        Delivered,
        Cancelled,
        OnHold,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Received => "received",
            Allocated => "allocated",
            Backordered => "backordered",
            Released => "released",
            PartiallyShipped => "partially_shipped",
            Shipped => "shipped",
            Delivered => "delivered",
            Cancelled => "cancelled",
            OnHold => "on_hold",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|s| s.as_str()).collect();
                format!("must be one of {}", names.join(", "))
            })
    }

    pub fn successors(self) -> &'static [OrderStatus] {
        TRANSITIONS
            .iter()
            .find(|(from, _)| *from == self)
            .map_or(&[], |(_, to)| to)
    }

    pub fn can_become(self, next: OrderStatus) -> bool {
        self.successors().contains(&next)
    }

    /// Checks a transition, naming the current status when it is illegal.
    pub fn transition(self, next: OrderStatus) -> Result<OrderStatus, IllegalTransition> {
        if self.can_become(next) {
            Ok(next)
        } else {
            Err(IllegalTransition {
                from: self,
                to: next,
            })
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {from} cannot become {to}")]
pub struct IllegalTransition {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_row_in_the_table_and_names_round_trip() {
        for status in OrderStatus::ALL {
            assert!(
                TRANSITIONS.iter().any(|(from, _)| *from == status),
                "{status}"
            );
            assert_eq!(OrderStatus::parse(status.as_str()).unwrap(), status);
        }
    }

    #[test]
    fn terminal_statuses_go_nowhere_and_shipped_cannot_be_cancelled() {
        for terminal in [Delivered, Cancelled] {
            assert!(OrderStatus::ALL.iter().all(|s| !terminal.can_become(*s)));
        }
        assert_eq!(
            Shipped.transition(Cancelled),
            Err(IllegalTransition {
                from: Shipped,
                to: Cancelled
            })
        );
        assert!(Allocated.transition(Cancelled).is_ok());
    }
}
