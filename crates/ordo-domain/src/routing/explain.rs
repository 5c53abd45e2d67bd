//! Why a plan was chosen: every candidate considered and why any was left out, the chosen plan
//! with its cost broken down by package, the runner-up and by how much it lost, and for
//! `optimal` how the search went. Stored with the order's allocations and served as JSON.

use serde::{Deserialize, Serialize};

use super::cost::CostBreakdown;
use super::optimal::Decision;
use super::problem::{Assignment, Exclusion, Problem};
use super::profile::Strategy;
use crate::location::LocationKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Explanation {
    /// The stored profile version that decided; `None` for the built-in default.
    pub profile: Option<super::ProfileLabel>,
    /// `optimal`, or the rule chain as `rules: fewest_splits > closest`.
    pub strategy: String,
    /// The date lateness was counted from.
    pub deliver_by: Option<String>,
    pub candidates: Vec<CandidateNote>,
    pub chosen: PlanNote,
    pub runner_up: Option<RunnerUp>,
    pub search: Option<SearchNote>,
    /// When the runner-up costs the same: how the tie was broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tie_break: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CandidateNote {
    pub location: String,
    #[cfg_attr(feature = "schema", schema(value_type = String))]
    pub kind: LocationKind,
    pub distance_km: Option<f64>,
    pub delivery_date: Option<String>,
    /// Units of the order's items it may promise.
    pub units_available: i64,
    pub excluded: Option<ExcludedNote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ExcludedNote {
    #[cfg_attr(feature = "schema", schema(value_type = String))]
    pub reason: Exclusion,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct LineUnits {
    pub line: u32,
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ShipmentNote {
    pub location: String,
    pub lines: Vec<LineUnits>,
    pub weight_g: i64,
    pub delivery_date: Option<String>,
    pub days_late: i64,
    pub cost: CostBreakdown,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PlanNote {
    pub shipments: Vec<ShipmentNote>,
    /// The whole plan's cost; `splits` is counted here, not per shipment.
    pub cost: CostBreakdown,
    pub total: i64,
    pub unallocated: Vec<LineUnits>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct RunnerUp {
    /// The chosen location it does without.
    pub without: String,
    pub plan: PlanNote,
    /// How much more it costs (each unallocated unit counting as the search counts it).
    pub lost_by: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct SearchNote {
    /// No plan costs less: the search ran to the end.
    pub proven_optimal: bool,
    pub nodes: u64,
    pub lower_bound: i64,
    /// How far the chosen plan may be from the best one.
    pub gap: i64,
}

/// Why an order was routed: placed, a backorder filled, routed again (after a rejection, a
/// count or an edit), or planned again with its wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoutingCause {
    Placed,
    BackorderFilled,
    Rerouted,
    Reoptimized,
}

impl RoutingCause {
    const ALL: [RoutingCause; 4] = [
        Self::Placed,
        Self::BackorderFilled,
        Self::Rerouted,
        Self::Reoptimized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::BackorderFilled => "backorder_filled",
            Self::Rerouted => "rerouted",
            Self::Reoptimized => "reoptimized",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or_else(|| format!("unknown routing cause '{raw}'"))
    }
}

pub fn explain(problem: &Problem<'_>, strategy: &Strategy, decision: &Decision) -> Explanation {
    let strategy = match strategy {
        Strategy::Optimal => "optimal".to_string(),
        Strategy::Rules(rules) => format!(
            "rules: {}",
            rules
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" > ")
        ),
    };
    let chosen_objective = objective(problem, &decision.chosen);
    let runner_up = decision
        .runner_up
        .as_ref()
        .and_then(|(assignment, without)| {
            let lost_by = objective(problem, assignment)? - chosen_objective?;
            Some(RunnerUp {
                without: problem.candidates[problem.cands[*without].index]
                    .location
                    .to_string(),
                plan: plan_note(problem, assignment),
                lost_by,
            })
        });
    let tie = runner_up.as_ref().is_some_and(|r| r.lost_by == 0);
    Explanation {
        profile: None,
        tie_break: tie.then(|| super::problem::TIE_BREAK.to_string()),
        strategy,
        deliver_by: problem.deliver_by.map(|d| d.to_string()),
        candidates: candidate_notes(problem),
        chosen: plan_note(problem, &decision.chosen),
        runner_up,
        search: decision.search.as_ref().map(|s| SearchNote {
            proven_optimal: s.proven,
            nodes: s.nodes,
            lower_bound: s.lower_bound,
            gap: s.objective - s.lower_bound,
        }),
    }
}

fn objective(problem: &Problem<'_>, assignment: &Assignment) -> Option<i64> {
    problem.evaluate(assignment).map(|e| e.objective())
}

fn candidate_notes(problem: &Problem<'_>) -> Vec<CandidateNote> {
    problem
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let excluded = problem
                .excluded
                .iter()
                .find(|(index, _, _)| *index == i)
                .map(|(_, why, detail)| ExcludedNote {
                    reason: *why,
                    detail: detail.clone(),
                });
            CandidateNote {
                location: c.location.to_string(),
                kind: c.kind,
                distance_km: match (c.point, problem.request.destination) {
                    (Some(from), Some(to)) => Some((from.distance_km(to) * 10.0).round() / 10.0),
                    _ => None,
                },
                delivery_date: c.delivery_date.map(|d| d.to_string()),
                units_available: problem.skus.iter().map(|s| c.available_of(s).max(0)).sum(),
                excluded,
            }
        })
        .collect()
}

fn plan_note(problem: &Problem<'_>, assignment: &Assignment) -> PlanNote {
    let Some(evaluation) = problem.evaluate(assignment) else {
        return PlanNote {
            shipments: Vec::new(),
            cost: CostBreakdown::default(),
            total: 0,
            unallocated: Vec::new(),
        };
    };
    let plan = problem.plan(assignment);
    let sku_of = |line: u32| {
        problem
            .request
            .lines
            .iter()
            .find(|l| l.line_no == line)
            .map(|l| l.sku.to_string())
            .unwrap_or_default()
    };
    let shipments = evaluation
        .packages
        .iter()
        .map(|(c, weight_g, cost)| {
            let cand = &problem.cands[*c];
            let candidate = &problem.candidates[cand.index];
            ShipmentNote {
                location: candidate.location.to_string(),
                lines: plan
                    .iter()
                    .filter(|a| a.location == candidate.location)
                    .map(|a| LineUnits {
                        line: a.line_no,
                        sku: sku_of(a.line_no),
                        quantity: a.quantity,
                    })
                    .collect(),
                weight_g: *weight_g,
                delivery_date: candidate.delivery_date.map(|d| d.to_string()),
                days_late: cand.late_days,
                cost: *cost,
                total: cost.total(),
            }
        })
        .collect();
    let unallocated = problem
        .request
        .lines
        .iter()
        .filter_map(|l| {
            let got: i64 = plan
                .iter()
                .filter(|a| a.line_no == l.line_no)
                .map(|a| a.quantity)
                .sum();
            (l.quantity > got).then(|| LineUnits {
                line: l.line_no,
                sku: l.sku.to_string(),
                quantity: l.quantity - got,
            })
        })
        .collect();
    PlanNote {
        shipments,
        cost: evaluation.cost,
        total: evaluation.cost.total(),
        unallocated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Explanations are stored as JSON and served as JSON: a candidate's kind and reason are
    /// written with the names the rest of the API uses, and read back as the same values.
    #[test]
    fn kinds_and_reasons_are_written_by_their_names() {
        for kind in LocationKind::ALL {
            for reason in Exclusion::ALL {
                let note = CandidateNote {
                    location: "L".into(),
                    kind,
                    distance_km: None,
                    delivery_date: None,
                    units_available: 0,
                    excluded: Some(ExcludedNote {
                        reason,
                        detail: String::new(),
                    }),
                };
                let json = serde_json::to_value(&note).unwrap();
                assert_eq!(json["kind"], kind.as_str());
                assert_eq!(json["excluded"]["reason"], reason.as_str());
                assert_eq!(serde_json::from_value::<CandidateNote>(json).unwrap(), note);
            }
        }
    }
}
