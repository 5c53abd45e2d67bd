//! Where a fulfilment alert stands, and what a person may do with it: acknowledge it (someone
//! is on it) or resolve it. A resolved alert is done with.

/// An alert's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl AlertStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Resolved => "resolved",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "open" => Ok(Self::Open),
            "acknowledged" => Ok(Self::Acknowledged),
            "resolved" => Ok(Self::Resolved),
            other => Err(format!(
                "unknown alert status {other}: must be open, acknowledged or resolved"
            )),
        }
    }
}

/// What a person does with an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    Acknowledge,
    Resolve,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertRefusal {
    #[error("the alert is already resolved")]
    Resolved,
}

/// The status an alert takes when a person acts on it.
pub fn act_on_alert(status: AlertStatus, action: AlertAction) -> Result<AlertStatus, AlertRefusal> {
    match (status, action) {
        (AlertStatus::Resolved, _) => Err(AlertRefusal::Resolved),
        (_, AlertAction::Acknowledge) => Ok(AlertStatus::Acknowledged),
        (_, AlertAction::Resolve) => Ok(AlertStatus::Resolved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolved_alert_is_done_with() {
        use AlertAction::*;
        use AlertStatus::*;
        assert_eq!(act_on_alert(Open, Acknowledge), Ok(Acknowledged));
        assert_eq!(act_on_alert(Acknowledged, Resolve), Ok(Resolved));
        assert_eq!(act_on_alert(Open, Resolve), Ok(Resolved));
        assert_eq!(
            act_on_alert(Resolved, Acknowledge),
            Err(AlertRefusal::Resolved)
        );
        for s in [Open, Acknowledged, Resolved] {
            assert_eq!(AlertStatus::parse(s.as_str()), Ok(s));
        }
    }
}
