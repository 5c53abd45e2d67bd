//! `optimal`: the plan of least total cost, by depth-first branch and bound over where each
//! item goes.
//!
//! Why the bound holds: taking an item out of a plan never makes it dearer (prices never fall
//! with weight, and a package, a split, a store's last units or an unallocated unit only ever
//! add). So a partial plan's cost, plus the cheapest way to add any one of the items still to
//! place, is at most the cost of every plan that completes it; a branch whose bound reaches
//! the best plan found so far is cut.
//!
//! Up to [`EXACT_ITEMS_MAX`] items over [`EXACT_CANDIDATES_MAX`] candidates the search runs to
//! the end and the answer is the true minimum (a safety valve of [`EXACT_NODES_MAX`] nodes
//! stops a pathological search and says so). Larger orders stop after
//! [`HEURISTIC_NODES_MAX`] nodes with the best plan found and its gap to the lower bound.

use super::problem::{Assignment, Problem, UNFILLED_PER_UNIT};

pub const EXACT_ITEMS_MAX: usize = 10;
pub const EXACT_CANDIDATES_MAX: usize = 50;
pub const EXACT_NODES_MAX: u64 = 5_000_000;
pub const HEURISTIC_NODES_MAX: u64 = 50_000;

/// What the search found.
#[derive(Debug, Clone, PartialEq)]
pub struct Solved {
    pub assignment: Assignment,
    /// The plan's cost plus its unallocated units' price.
    pub objective: i64,
    /// The search ran to the end: no plan costs less.
    pub proven: bool,
    pub nodes: u64,
    /// No plan costs less than this.
    pub lower_bound: i64,
}

/// A strategy's choice, with the runner-up and how the search went.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub chosen: Assignment,
    /// The best plan that leaves out one of the chosen locations, and which one.
    pub runner_up: Option<(Assignment, usize)>,
    pub search: Option<Solved>,
}

pub fn decide(problem: &Problem<'_>) -> Decision {
    let exact =
        problem.items.len() <= EXACT_ITEMS_MAX && problem.cands.len() <= EXACT_CANDIDATES_MAX;
    let budget = if exact {
        EXACT_NODES_MAX
    } else {
        HEURISTIC_NODES_MAX
    };
    let none = vec![false; problem.cands.len()];
    let best = solve(problem, &none, budget);
    let runner_up = runner_up(problem, &best.assignment, budget);
    Decision {
        chosen: best.assignment.clone(),
        runner_up,
        search: Some(best),
    }
}

/// The best plan without each of `chosen`'s locations in turn; the cheapest of them.
pub fn runner_up(
    problem: &Problem<'_>,
    chosen: &Assignment,
    budget: u64,
) -> Option<(Assignment, usize)> {
    let mut used: Vec<usize> = chosen.iter().flatten().copied().collect();
    used.sort_unstable();
    used.dedup();
    let mut best: Option<(i64, Assignment, usize)> = None;
    for c in used {
        let mut banned = vec![false; problem.cands.len()];
        banned[c] = true;
        let solved = solve(problem, &banned, budget);
        if best.as_ref().is_none_or(|(b, _, _)| solved.objective < *b) {
            best = Some((solved.objective, solved.assignment, c));
        }
    }
    best.map(|(_, assignment, c)| (assignment, c))
}

/// Searches for the least-cost plan that uses no `banned` candidate.
pub fn solve(problem: &Problem<'_>, banned: &[bool], budget: u64) -> Solved {
    let mut order: Vec<usize> = (0..problem.items.len()).collect();
    let fits = |i: usize| {
        let item = &problem.items[i];
        problem
            .cands
            .iter()
            .enumerate()
            .filter(|(c, cand)| !banned[*c] && cand.stock[item.sku] >= item.quantity)
            .count()
    };
    order.sort_by_key(|i| (fits(*i), -problem.items[*i].weight_g));
    let unroutable: i64 = problem.unroutable.iter().sum::<i64>() * UNFILLED_PER_UNIT;
    let mut search = Search {
        p: problem,
        banned,
        order,
        weight: vec![0; problem.cands.len()],
        used: vec![0; problem.cands.len() * problem.skus.len()],
        opened: 0,
        assignment: vec![None; problem.items.len()],
        cost: unroutable,
        best: None,
        nodes: 0,
        budget,
        stopped: false,
        options: vec![Vec::with_capacity(problem.cands.len() + 1); problem.items.len()],
    };
    let root_bound = search.bound(0);
    search.dfs(0);
    let (objective, assignment) = search
        .best
        .unwrap_or((unroutable, vec![None; problem.items.len()]));
    Solved {
        assignment,
        objective,
        proven: !search.stopped,
        nodes: search.nodes,
        lower_bound: if search.stopped {
            root_bound
        } else {
            objective
        },
    }
}

struct Search<'s, 'p> {
    p: &'s Problem<'p>,
    banned: &'s [bool],
    order: Vec<usize>,
    /// Grams in each candidate's package (0: not opened).
    weight: Vec<i64>,
    /// Units taken, per candidate × item.
    used: Vec<i64>,
    opened: usize,
    assignment: Assignment,
    /// The partial plan's cost, as `Problem::evaluate` would count it.
    cost: i64,
    best: Option<(i64, Assignment)>,
    nodes: u64,
    budget: u64,
    stopped: bool,
    /// One buffer of (increment, candidate) per depth, reused.
    options: Vec<Vec<(i64, Option<usize>)>>,
}

impl Search<'_, '_> {
    /// What placing item `i` at candidate `c` adds to the partial plan, if it fits.
    fn increment(&self, i: usize, c: usize) -> Option<i64> {
        let item = &self.p.items[i];
        let cand = &self.p.cands[c];
        let k = c * self.p.skus.len() + item.sku;
        let before = self.used[k];
        if self.banned[c] || before + item.quantity > cand.stock[item.sku] {
            return None;
        }
        let last =
            self.p
                .last_units_penalty(cand, cand.stock[item.sku], before, before + item.quantity);
        let w = self.weight[c];
        if w == 0 && !self.is_open(c) {
            if self.opened >= self.p.max_packages {
                return None;
            }
            let split = if self.opened > 0 {
                self.p.split_penalty
            } else {
                0
            };
            Some(cand.fixed.total() + cand.card.price(item.weight_g) + split + last)
        } else {
            Some(cand.card.price(w + item.weight_g) - cand.card.price(w) + last)
        }
    }

    /// Whether a package is open at `c` (an item of no weight may have opened it).
    fn is_open(&self, c: usize) -> bool {
        let n = self.p.skus.len();
        self.used[c * n..(c + 1) * n].iter().any(|u| *u > 0)
    }

    fn cheapest(&self, i: usize) -> i64 {
        let skip = self.p.items[i].quantity * UNFILLED_PER_UNIT;
        (0..self.p.cands.len())
            .filter_map(|c| self.increment(i, c))
            .fold(skip, i64::min)
    }

    /// No completion of the partial plan at `depth` costs less than this.
    fn bound(&self, depth: usize) -> i64 {
        let hardest = self.order[depth..]
            .iter()
            .map(|i| self.cheapest(*i))
            .max()
            .unwrap_or(0);
        self.cost + hardest
    }

    fn best_objective(&self) -> i64 {
        self.best.as_ref().map_or(i64::MAX, |(b, _)| *b)
    }

    fn dfs(&mut self, depth: usize) {
        if depth == self.order.len() {
            if self.cost < self.best_objective() {
                self.best = Some((self.cost, self.assignment.clone()));
            }
            return;
        }
        self.nodes += 1;
        if self.nodes > self.budget {
            self.stopped = true;
            return;
        }
        if self.bound(depth) >= self.best_objective() {
            return;
        }
        let i = self.order[depth];
        let mut options = std::mem::take(&mut self.options[depth]);
        options.clear();
        for c in 0..self.p.cands.len() {
            if let Some(inc) = self.increment(i, c) {
                options.push((inc, Some(c)));
            }
        }
        options.push((self.p.items[i].quantity * UNFILLED_PER_UNIT, None));
        options.sort_unstable_by_key(|(inc, c)| (*inc, c.unwrap_or(usize::MAX)));
        for &(inc, at) in &options {
            if self.stopped || self.cost + inc >= self.best_objective() {
                break;
            }
            self.place(i, at, inc);
            self.dfs(depth + 1);
            self.unplace(i, at, inc);
        }
        self.options[depth] = options;
    }

    fn place(&mut self, i: usize, at: Option<usize>, inc: i64) {
        if let Some(c) = at {
            let item = &self.p.items[i];
            if !self.is_open(c) {
                self.opened += 1;
            }
            self.weight[c] += item.weight_g;
            self.used[c * self.p.skus.len() + item.sku] += item.quantity;
        }
        self.assignment[i] = at;
        self.cost += inc;
    }

    fn unplace(&mut self, i: usize, at: Option<usize>, inc: i64) {
        if let Some(c) = at {
            let item = &self.p.items[i];
            self.weight[c] -= item.weight_g;
            self.used[c * self.p.skus.len() + item.sku] -= item.quantity;
            if !self.is_open(c) {
                self.opened -= 1;
            }
        }
        self.assignment[i] = None;
        self.cost -= inc;
    }
}
