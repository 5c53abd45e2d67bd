//! Drop ship: an order's units allocated at a supplier location are a purchase request to that
//! supplier, and the request follows its allocation — open while the units are held, shipped
//! once the supplier ships them, cancelled when they are released.

use crate::reservation::ReservationStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseRequestStatus {
    Open,
    Shipped,
    Cancelled,
}

impl PurchaseRequestStatus {
    pub const ALL: [PurchaseRequestStatus; 3] = [Self::Open, Self::Shipped, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Shipped => "shipped",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| "must be open, shipped or cancelled".to_string())
    }

    /// The status of the request for an allocation in this state.
    pub fn following(allocation: ReservationStatus) -> Self {
        match allocation {
            ReservationStatus::Held => Self::Open,
            ReservationStatus::Committed => Self::Shipped,
            ReservationStatus::Released => Self::Cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_follows_its_allocation_and_reads_back_by_name() {
        use PurchaseRequestStatus as P;
        use ReservationStatus as R;
        assert_eq!(
            [R::Held, R::Committed, R::Released].map(P::following),
            [P::Open, P::Shipped, P::Cancelled]
        );
        for status in P::ALL {
            assert_eq!(P::parse(status.as_str()), Ok(status));
        }
        assert!(P::parse("sent").is_err());
    }
}
