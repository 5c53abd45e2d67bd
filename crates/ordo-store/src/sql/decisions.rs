//! Routing decisions as stored: where an order's lines went and why. The explanation is the
//! domain's [`Explanation`] in JSON, with each candidate written as an array of its fields in
//! their order instead of an object. The candidates are most of an explanation (every
//! location that could ship, with its distance, date, units and exclusion) and their keys
//! most of that: arrays took stored explanations from 4.6 KB to 2.6 KB on average. The
//! domain's type reads both forms — serde reads a struct from an array of its fields in
//! order — so explanations stored before read back the same.

use ordo_domain::routing::explain::{CandidateNote, ExcludedNote};
use ordo_domain::routing::{Explanation, RoutingCause};
use serde::ser::{Serialize, SerializeStruct, SerializeTuple, Serializer};

use super::SqlStore;
use super::args::{Arg, Sql};
use super::exec::Exec;
use super::inserts::inserts;
use super::rows::RowExt;
use crate::error::{StoreError, StoreResult, corrupt};
use crate::routing::RoutingDecisionRecord;

/// Why an order's lines went where they went: a routing decision, kept with its cause.
pub struct Decision {
    pub order_id: String,
    pub cause: RoutingCause,
    pub explanation: Explanation,
}

/// Inserts routing decisions with their explanations.
pub(crate) fn decision_inserts(decisions: &[Decision], now_ms: i64) -> StoreResult<Vec<Sql>> {
    let mut rows: Vec<Vec<Arg>> = Vec::with_capacity(decisions.len());
    for d in decisions {
        let json = to_json(&d.explanation)
            .map_err(|e| StoreError::Corrupt(format!("explaining {}: {e}", d.order_id)))?;
        rows.push(vec![
            d.order_id.as_str().into(),
            now_ms.into(),
            d.cause.as_str().into(),
            json.into(),
        ]);
    }
    Ok(inserts(
        "routing_decisions",
        &["order_id", "at", "cause", "explanation"],
        rows,
    ))
}

pub(crate) async fn decisions(
    store: &SqlStore,
    order_id: &str,
) -> StoreResult<Vec<RoutingDecisionRecord>> {
    let rows = store
        .reader()
        .await?
        .rows(Sql::with(
            "SELECT at, cause, explanation FROM routing_decisions WHERE order_id = $1 ORDER BY id",
            [Arg::from(order_id)],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RoutingDecisionRecord {
                at_ms: r.int("at")?,
                cause: corrupt("cause", RoutingCause::parse(&r.text("cause")?))?,
                explanation: corrupt(
                    "explanation",
                    serde_json::from_str(&r.text("explanation")?).map_err(|e| e.to_string()),
                )?,
            })
        })
        .collect()
}

/// The stored JSON of an explanation.
fn to_json(explanation: &Explanation) -> serde_json::Result<String> {
    serde_json::to_string(&Stored(explanation))
}

struct Stored<'a>(&'a Explanation);

impl Serialize for Stored<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Every field named, so a field the domain adds is a compile error here.
        let Explanation {
            profile,
            strategy,
            deliver_by,
            candidates,
            chosen,
            runner_up,
            search,
            tie_break,
        } = self.0;
        let mut s = serializer.serialize_struct("Explanation", 8)?;
        s.serialize_field("profile", profile)?;
        s.serialize_field("strategy", strategy)?;
        s.serialize_field("deliver_by", deliver_by)?;
        s.serialize_field("candidates", &Candidates(candidates))?;
        s.serialize_field("chosen", chosen)?;
        s.serialize_field("runner_up", runner_up)?;
        s.serialize_field("search", search)?;
        match tie_break {
            Some(tie_break) => s.serialize_field("tie_break", tie_break)?,
            None => s.skip_field("tie_break")?,
        }
        s.end()
    }
}

struct Candidates<'a>(&'a [CandidateNote]);

impl Serialize for Candidates<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Candidate))
    }
}

/// `[location, kind, distance_km, delivery_date, units_available, [reason, detail] | null]`.
struct Candidate<'a>(&'a CandidateNote);

impl Serialize for Candidate<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let CandidateNote {
            location,
            kind,
            distance_km,
            delivery_date,
            units_available,
            excluded,
        } = self.0;
        let mut s = serializer.serialize_tuple(6)?;
        s.serialize_element(location)?;
        s.serialize_element(kind)?;
        s.serialize_element(distance_km)?;
        s.serialize_element(delivery_date)?;
        s.serialize_element(units_available)?;
        s.serialize_element(&excluded.as_ref().map(Excluded))?;
        s.end()
    }
}

/// `[reason, detail]`.
struct Excluded<'a>(&'a ExcludedNote);

impl Serialize for Excluded<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ExcludedNote { reason, detail } = self.0;
        let mut s = serializer.serialize_tuple(2)?;
        s.serialize_element(reason)?;
        s.serialize_element(detail)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn explanation(tie_break: Option<&str>) -> Explanation {
        let cost = json!({ "shipping": 618, "handling": 150, "splits": 0, "late": 500, "capacity": 0, "last_units": 0 });
        let plan = json!({ "shipments": [{ "location": "WH-BER", "lines": [{ "line": 1, "sku": "A", "quantity": 1 }],
            "weight_g": 1200, "delivery_date": "2026-12-04", "days_late": 1, "cost": cost, "total": 1268 }],
            "cost": cost, "total": 1268, "unallocated": [] });
        serde_json::from_value(json!({
            "profile": null, "strategy": "optimal", "deliver_by": "2026-12-03",
            "candidates": [
                { "location": "WH-BER", "kind": "warehouse", "distance_km": 198.1, "delivery_date": "2026-12-04",
                  "units_available": 10, "excluded": null },
                { "location": "3PL-KSL", "kind": "3pl", "distance_km": null, "delivery_date": null,
                  "units_available": 0, "excluded": { "reason": "no_stock", "detail": "it has none of the order's items" } },
            ],
            "chosen": plan, "runner_up": { "without": "WH-BER", "plan": plan, "lost_by": 0 }, "search": null,
            "tie_break": tie_break,
        }))
        .unwrap()
    }

    #[test]
    fn a_stored_explanation_reads_back_as_it_was_and_its_candidates_are_arrays() {
        for tie_break in [None, Some("the nearer location wins")] {
            let explanation = explanation(tie_break);
            let stored = to_json(&explanation).unwrap();
            assert_eq!(
                serde_json::from_str::<Explanation>(&stored).unwrap(),
                explanation
            );
            let value: serde_json::Value = serde_json::from_str(&stored).unwrap();
            assert_eq!(
                value["candidates"][1],
                json!([
                    "3PL-KSL",
                    "3pl",
                    null,
                    null,
                    0,
                    ["no_stock", "it has none of the order's items"]
                ])
            );
            assert!(stored.len() < serde_json::to_string(&explanation).unwrap().len());
        }
    }
}
