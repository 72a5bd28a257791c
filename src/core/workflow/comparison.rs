//! The statutory comparison (pure, deterministic): the longest legal path of a workflow for each
//! attribute profile that changes its route, and a baseline against a reform, stage by stage and
//! matter by matter. The rules are in docs/workflow-language.md ("Statutory comparison").

use std::collections::HashMap;

use super::attribute::Value;
use super::clock::{Clock, Rounding};
use super::exclusive::{for_each_assignment, value_classes};
use super::guard::Guard;
use super::ids::StateId;
use super::workflow::{StateKind, Workflow};
use crate::core::calendar::{Period, PeriodUnit};

/// Most distinct profiles reported per workflow.
pub const PROFILES_MAX: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub stages: Vec<StageRow>,
    pub matters: Vec<MatterRow>,
    pub total_saved_working_days: i64,
    pub parallel: Option<ParallelFigure>,
    pub base_paths: Vec<ProfilePath>,
    pub reform_paths: Vec<ProfilePath>,
    pub rounding: Option<Rounding>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StageRow {
    pub stage: String,
    pub title: String,
    pub matters: usize,
    pub before_working_days: i64,
    pub after_working_days: i64,
    /// From the sums of rounded matter limits.
    pub cut_percent: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatterRow {
    pub clock: String,
    pub title: Option<String>,
    pub stage: Option<String>,
    pub before: Option<Period>,
    pub after: Option<Period>,
    pub cut_percent: Option<f64>,
    pub saved_working_days: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParallelFigure {
    /// The parallel states counted, by name.
    pub states: Vec<String>,
    pub serial_working_days: i64,
    pub parallel_working_days: i64,
    pub cut_percent: f64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfilePath {
    /// `attribute = value` for each attribute that guards read; empty when none do.
    pub profile: Vec<(String, String)>,
    /// The states along the path, top level, with a parallel state's slowest region in brackets.
    pub states: Vec<String>,
    pub working_days: i64,
    /// Clocks in calendar days, months or years that start on the path: reported, not added in.
    pub other_clocks: Vec<(String, Period)>,
}

/// Limits are at most `AMOUNT_DAYS_MAX` per clock and `CLOCKS_MAX` clocks, far inside f64's exact range.
#[allow(clippy::cast_precision_loss)]
fn percent(before: i64, after: i64) -> f64 {
    if before == 0 { 0.0 } else { 100.0 * (before - after) as f64 / before as f64 }
}

fn working_days(clock: &Clock) -> Option<i64> {
    (clock.limit.unit == PeriodUnit::WorkingDays).then_some(clock.limit.amount)
}

/// Compares a baseline with a reform (or any two workflows) by clock names.
pub fn compare(base: &Workflow, reform: &Workflow) -> Comparison {
    let mut matters = Vec::new();
    let mut names: Vec<&str> = base.clocks().iter().filter(|c| c.matter).map(|c| c.name.as_str()).collect();
    for clock in reform.clocks().iter().filter(|clock| clock.matter) {
        if !names.contains(&clock.name.as_str()) {
            names.push(&clock.name);
        }
    }
    for name in names {
        let before = base.clock_named(name).map(|id| base.clock(id));
        let after = reform.clock_named(name).map(|id| reform.clock(id));
        let either = before.or(after).expect("a name comes from one of the two");
        let stage = either
            .stage
            .map(|stage| if before.is_some() { base.stage(stage) } else { reform.stage(stage) }.name.clone());
        let (before_wd, after_wd) = (before.and_then(working_days), after.and_then(working_days));
        let saved = before_wd.unwrap_or(0) - after_wd.unwrap_or(0);
        matters.push(MatterRow {
            clock: name.to_owned(),
            title: either.title.clone(),
            stage,
            before: before.map(|clock| clock.limit),
            after: after.map(|clock| clock.limit),
            cut_percent: before_wd.zip(after_wd).map(|(b, a)| percent(b, a)),
            saved_working_days: if before_wd.is_some() && after_wd.is_some() { saved } else { 0 },
        });
    }
    let mut stages = Vec::new();
    for stage in base.stages() {
        let rows: Vec<&MatterRow> =
            matters.iter().filter(|row| row.stage.as_deref() == Some(stage.name.as_str())).collect();
        let sum = |pick: fn(&MatterRow) -> Option<Period>| {
            rows.iter()
                .filter_map(|row| pick(row))
                .filter(|p| p.unit == PeriodUnit::WorkingDays)
                .map(|p| p.amount)
                .sum::<i64>()
        };
        let (before, after) = (sum(|row| row.before), sum(|row| row.after));
        stages.push(StageRow {
            stage: stage.name.clone(),
            title: stage.title.clone(),
            matters: rows.len(),
            before_working_days: before,
            after_working_days: after,
            cut_percent: percent(before, after),
        });
    }
    let total_saved_working_days = matters.iter().map(|row| row.saved_working_days).sum();
    Comparison {
        stages,
        total_saved_working_days,
        parallel: parallel_figure(base, reform),
        base_paths: critical_paths(base),
        reform_paths: critical_paths(reform),
        rounding: reform.lineage().last().and_then(|lineage| lineage.rounding),
        matters,
    }
}

/// For the states the reform made parallel: the regions one after the other against the slowest,
/// both on the base's limits.
fn parallel_figure(base: &Workflow, reform: &Workflow) -> Option<ParallelFigure> {
    let lineage = reform.lineage().last()?;
    if lineage.parallelized.is_empty() {
        return None;
    }
    let base_limit = |clock: &Clock| {
        base.clock_named(&clock.name).map(|id| base.clock(id)).filter(|c| c.matter).and_then(working_days)
    };
    let (mut serial, mut parallel, mut states) = (0, 0, Vec::new());
    for made in &lineage.parallelized {
        let values = satisfying(reform, made.when.as_ref());
        let mut search = PathSearch::new(reform, &values, &base_limit);
        let StateKind::Parallel { regions, .. } = &reform.state(made.state).kind else { continue };
        let costs: Vec<i64> = regions.iter().map(|region| search.inner(*region, *region).0).collect();
        serial += costs.iter().sum::<i64>();
        parallel += costs.iter().copied().max().unwrap_or(0);
        states.push(reform.state(made.state).name.clone());
    }
    Some(ParallelFigure {
        states,
        serial_working_days: serial,
        parallel_working_days: parallel,
        cut_percent: percent(serial, parallel),
    })
}

/// Attribute values under which `guard` holds (all unset when there is no guard).
fn satisfying(workflow: &Workflow, guard: Option<&Guard>) -> Vec<Option<Value>> {
    let unset = vec![None; workflow.attributes().len()];
    let Some(guard) = guard else { return unset };
    let classes = value_classes(&[guard], workflow.attributes(), false);
    let mut found = None;
    for_each_assignment(&classes, workflow.attributes().len(), |values| {
        if guard.holds(values) {
            found = Some(values.to_vec());
            return false;
        }
        true
    });
    found.unwrap_or(unset)
}

/// The longest legal path for each profile that changes the route.
pub fn critical_paths(workflow: &Workflow) -> Vec<ProfilePath> {
    let guards: Vec<&Guard> = workflow.transitions().iter().filter_map(|t| t.guard.as_ref()).collect();
    let classes = value_classes(&guards, workflow.attributes(), false);
    let limit = |clock: &Clock| if clock.matter { working_days(clock) } else { None };
    let mut paths: Vec<ProfilePath> = Vec::new();
    let mut visit = |values: &[Option<Value>]| {
        let mut search = PathSearch::new(workflow, values, &limit);
        let top: Option<StateId> = None;
        let (working_days, states) = search.longest(workflow.initial(), workflow.initial(), top);
        let profile = classes
            .iter()
            .map(|(id, _)| {
                let attribute = workflow.attribute(*id);
                let value =
                    values[id.index()].as_ref().map_or("unset".to_owned(), |value| value.render(&attribute.kind));
                (attribute.name.clone(), value)
            })
            .collect();
        let names: Vec<String> = states.iter().map(|id| workflow.state(*id).name.clone()).collect();
        if !paths.iter().any(|path| path.states == names && path.working_days == working_days) {
            let other_clocks = workflow
                .clocks()
                .iter()
                .filter(|clock| clock.limit.unit != PeriodUnit::WorkingDays)
                .filter(|clock| {
                    clock
                        .span
                        .start_states()
                        .iter()
                        .any(|start| states.iter().any(|on| workflow.is_within(*start, *on)))
                })
                .map(|clock| (clock.name.clone(), clock.limit))
                .collect();
            paths.push(ProfilePath { profile, states: names, working_days, other_clocks });
        }
        paths.len() < PROFILES_MAX
    };
    if !for_each_assignment(&classes, workflow.attributes().len(), &mut visit) {
        for_each_assignment(&[], workflow.attributes().len(), visit);
    }
    paths
}

/// A depth-first search for the costliest way through each level of the state tree.
struct PathSearch<'a> {
    workflow: &'a Workflow,
    values: &'a [Option<Value>],
    weight: Vec<i64>,
    on_stack: Vec<bool>,
    memo: HashMap<(StateId, StateId), (i64, Vec<StateId>)>,
    /// For each state, the states within it (itself included).
    inside: Vec<Vec<StateId>>,
}

/// A path cost for a branch that cannot complete its level.
const DEAD_END: i64 = i64::MIN / 4;

impl<'a> PathSearch<'a> {
    fn new(
        workflow: &'a Workflow,
        values: &'a [Option<Value>],
        limit: &dyn Fn(&Clock) -> Option<i64>,
    ) -> PathSearch<'a> {
        let mut weight = vec![0; workflow.states().len()];
        for clock in workflow.clocks() {
            if let Some(days) = limit(clock) {
                for start in clock.span.start_states() {
                    weight[start.index()] += days;
                }
            }
        }
        let on_stack = vec![false; workflow.states().len()];
        let mut inside = vec![Vec::new(); workflow.states().len()];
        for id in workflow.state_ids() {
            for ancestor in workflow.ancestors(id) {
                inside[ancestor.index()].push(id);
            }
        }
        PathSearch { workflow, values, weight, on_stack, memo: HashMap::new(), inside }
    }

    /// The cost of a state itself, entered at `entry` (the state, or a state inside it that a
    /// transition targets): its own clocks plus the costliest way through its inside.
    fn inner(&mut self, state: StateId, entry: StateId) -> (i64, Vec<StateId>) {
        let own = self.weight[state.index()];
        match self.workflow.state(state).kind.clone() {
            StateKind::Atomic | StateKind::Final => (own, Vec::new()),
            StateKind::Compound { initial, children, .. } => {
                let start = children.iter().copied().find(|child| self.workflow.is_within(entry, *child));
                let (start, entry) = start.map_or((initial, initial), |child| (child, entry));
                let (cost, path) = self.longest(start, entry, Some(state));
                (own + cost, path)
            }
            StateKind::Parallel { regions, .. } => {
                let mut best = (DEAD_END, Vec::new());
                for region in regions {
                    let (cost, mut path) = self.inner(region, region);
                    if cost > best.0 {
                        path.insert(0, region);
                        best = (cost, path);
                    }
                }
                (own + best.0, best.1)
            }
        }
    }

    /// The costliest path from `state` (entered at `entry`) to a final state of the same level
    /// (`level` is the state they are in, `None` at the top).
    fn longest(&mut self, state: StateId, entry: StateId, level: Option<StateId>) -> (i64, Vec<StateId>) {
        if let Some(known) = self.memo.get(&(state, entry)) {
            return known.clone();
        }
        self.on_stack[state.index()] = true;
        let (own, inside) = self.inner(state, entry);
        let mut best: Option<(i64, Vec<StateId>)> =
            (self.workflow.state(state).kind == StateKind::Final).then(|| (0, Vec::new()));
        for (next, next_entry) in self.successors(state, level) {
            if self.on_stack[next.index()] {
                continue;
            }
            let candidate = self.longest(next, next_entry, level);
            if best.as_ref().is_none_or(|best| candidate.0 > best.0) {
                best = Some(candidate);
            }
        }
        self.on_stack[state.index()] = false;
        let (rest, mut path) = best.unwrap_or((DEAD_END, Vec::new()));
        let mut full = vec![state];
        full.extend(inside);
        full.append(&mut path);
        let result = ((own + rest).max(DEAD_END), full);
        self.memo.insert((state, entry), result.clone());
        result
    }

    /// States of the same level that `state` can lead to under this profile, each with the state
    /// the step actually enters (the same state, or one inside it).
    fn successors(&self, state: StateId, level: Option<StateId>) -> Vec<(StateId, StateId)> {
        let workflow = self.workflow;
        let at_level = |target: StateId| workflow.ancestors(target).find(|id| workflow.state(*id).parent == level);
        let mut next = Vec::new();
        for id in &self.inside[state.index()] {
            for transition in workflow.transitions_from(*id) {
                let transition = workflow.transition(*transition);
                if transition.guard.as_ref().is_some_and(|guard| !guard.holds(self.values)) {
                    continue;
                }
                if let Some(target) = at_level(transition.to).filter(|target| *target != state) {
                    next.push((target, transition.to));
                }
            }
        }
        if let StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } =
            &workflow.state(state).kind
        {
            next.extend(at_level(*done).map(|target| (target, *done)));
        }
        next.sort_unstable();
        next.dedup();
        next
    }
}
