//! Rule chains, as shop platforms route: shipments are chosen one at a time, each from the
//! location the chain ranks first among those that can ship something still to place. Each
//! rule compares two locations; a tie passes to the next rule, and a tie at the end to the
//! location code. The chosen location ships every remaining item it holds whole.

use std::cmp::Ordering;

use super::optimal::Decision;
use super::problem::{Assignment, Problem};
use super::profile::Rule;
use crate::values::LocationCode;

pub fn decide(problem: &Problem<'_>, rules: &[Rule], ranking: &[LocationCode]) -> Decision {
    let none = vec![false; problem.cands.len()];
    let (chosen, first) = build(problem, rules, ranking, &none);
    let runner_up = first.map(|c| {
        let mut banned = none.clone();
        banned[c] = true;
        (build(problem, rules, ranking, &banned).0, c)
    });
    Decision {
        chosen,
        runner_up,
        search: None,
    }
}

/// What a candidate would ship next: the items it takes and their units.
struct Offer {
    cand: usize,
    items: Vec<usize>,
    units: i64,
}

/// The chain's plan without `banned` candidates, and the candidate it chose first.
fn build(
    problem: &Problem<'_>,
    rules: &[Rule],
    ranking: &[LocationCode],
    banned: &[bool],
) -> (Assignment, Option<usize>) {
    let mut assignment: Assignment = vec![None; problem.items.len()];
    let mut placed = vec![false; problem.items.len()];
    let mut used_cand = banned.to_vec();
    let mut first = None;
    for _ in 0..problem.max_packages {
        let best = (0..problem.cands.len())
            .filter(|c| !used_cand[*c])
            .map(|c| offer(problem, c, &placed))
            .filter(|o| o.units > 0)
            .min_by(|a, b| compare(problem, rules, ranking, a, b));
        let Some(best) = best else {
            break;
        };
        for i in &best.items {
            assignment[*i] = Some(best.cand);
            placed[*i] = true;
        }
        used_cand[best.cand] = true;
        first.get_or_insert(best.cand);
    }
    (assignment, first)
}

fn offer(problem: &Problem<'_>, c: usize, placed: &[bool]) -> Offer {
    let cand = &problem.cands[c];
    let mut left = cand.stock.clone();
    let mut items = Vec::new();
    let mut units = 0;
    for (i, item) in problem.items.iter().enumerate() {
        if !placed[i] && left[item.sku] >= item.quantity {
            left[item.sku] -= item.quantity;
            items.push(i);
            units += item.quantity;
        }
    }
    Offer {
        cand: c,
        items,
        units,
    }
}

/// `Less` when `a` ranks before `b`.
fn compare(
    problem: &Problem<'_>,
    rules: &[Rule],
    ranking: &[LocationCode],
    a: &Offer,
    b: &Offer,
) -> Ordering {
    let candidate = |o: &Offer| &problem.candidates[problem.cands[o.cand].index];
    let (ca, cb) = (candidate(a), candidate(b));
    for rule in rules {
        let order = match rule {
            Rule::FewestSplits => b.units.cmp(&a.units),
            Rule::InMarket => market(problem, cb).cmp(&market(problem, ca)),
            Rule::Closest => {
                let km = |o: &Offer| problem.cands[o.cand].distance_km.unwrap_or(f64::MAX);
                km(a).total_cmp(&km(b))
            }
            Rule::Ranked => {
                let rank =
                    |l: &LocationCode| ranking.iter().position(|r| r == l).unwrap_or(usize::MAX);
                rank(&ca.location).cmp(&rank(&cb.location))
            }
            Rule::MostStock => {
                let stock = |o: &Offer| problem.cands[o.cand].stock.iter().sum::<i64>();
                stock(b).cmp(&stock(a))
            }
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    ca.location.cmp(&cb.location)
}

/// 2 in the destination's country and region, 1 in its country, 0 elsewhere.
fn market(problem: &Problem<'_>, c: &super::Candidate) -> u8 {
    let request = problem.request;
    if request.country != Some(c.country) {
        return 0;
    }
    match (request.region, c.region.as_deref()) {
        (Some(want), Some(is)) if want.eq_ignore_ascii_case(is) => 2,
        _ => 1,
    }
}
