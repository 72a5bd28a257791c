//! Turns the final draft into a `Workflow`: every name resolved to an id (with "did you mean"),
//! every guard type-checked, every per-element rule checked. Whole-flow rules (reachability,
//! finishing, ambiguity, pauses inside spans) are `analysis.rs`.

use std::collections::HashMap;

use super::attribute::{Attribute, AttributeType};
use super::checker::{Checker, Named};
use super::clock::{Clock, ClockSpan, Extension, LimitSource, Pause};
use super::draft::{
    CLOCKS_MAX, Draft, DraftClock, DraftLimitFrom, DraftSpan, DraftState, NAMES_MAX, STATES_MAX, Shape, TRANSITIONS_MAX,
};
use super::guard_check::check_guard;
use super::ids::{ActionId, AttributeId, ClockId, RoleId, StageId, StateId, TransitionId};
use super::lookup::Lookup;
use super::workflow::{Action, ActionKind, Lineage, Parallelized, Role, Stage, State, StateKind, Transition, Workflow};
use crate::core::calendar::Calendars;

/// Names of one kind, resolved by name.
struct Index<Id> {
    kind: &'static str,
    names: Vec<String>,
    ids: HashMap<String, Id>,
    /// Whether `NAMES_MAX` was passed (reported once).
    full: bool,
}

impl<Id: Copy> Index<Id> {
    fn new(kind: &'static str) -> Index<Id> {
        Index { kind, names: Vec::new(), ids: HashMap::new(), full: false }
    }

    /// Adds a name; a second declaration is an error and gives `None`.
    fn declare(&mut self, checker: &mut Checker, name: &Named, make: impl Fn(u16) -> Id) -> Option<Id> {
        if self.ids.contains_key(&name.name) {
            checker.error(&name.at, format!("{} `{}` is declared twice", self.kind, name.name), "second declaration");
            return None;
        }
        if self.names.len() >= NAMES_MAX {
            if !self.full {
                let message = format!("a workflow may have at most {NAMES_MAX} {}s", self.kind);
                checker.error(&name.at, message, "too many");
                self.full = true;
            }
            return None;
        }
        let id = make(self.names.len() as u16);
        self.names.push(name.name.clone());
        self.ids.insert(name.name.clone(), id);
        Some(id)
    }

    fn resolve(&self, checker: &mut Checker, name: &Named) -> Option<Id> {
        if let Some(id) = self.ids.get(&name.name) {
            return Some(*id);
        }
        checker.unknown(self.kind, name, self.names.iter().map(String::as_str));
        None
    }

    fn resolve_all(&self, checker: &mut Checker, names: &[Named]) -> Option<Vec<Id>> {
        let resolved: Vec<Option<Id>> = names.iter().map(|name| self.resolve(checker, name)).collect();
        resolved.into_iter().collect()
    }
}

/// The resolved workflow, before analysis and hashing.
pub(crate) fn resolve(checker: &mut Checker, draft: &Draft, calendars: &Calendars) -> Option<Workflow> {
    if calendars.get(&draft.calendar.name).is_none() {
        checker.unknown("calendar", &draft.calendar, calendars.ids());
    }
    let mut roles = Index::new("role");
    for (name, _) in &draft.roles {
        roles.declare(checker, name, RoleId);
    }
    let mut stages = Index::new("stage");
    for (name, _) in &draft.stages {
        stages.declare(checker, name, StageId);
    }
    let attributes = resolve_attributes(checker, draft);
    let attribute_ids: HashMap<String, AttributeId> = attributes
        .iter()
        .enumerate()
        .map(|(index, attribute)| (attribute.name.clone(), AttributeId(index as u16)))
        .collect();
    let (states, state_index) = resolve_states(checker, draft)?;
    let mut actions = Actions::new(checker, draft);
    let context = TransitionContext {
        states: &states,
        state_index: &state_index,
        roles: &roles,
        attributes: &attributes,
        attribute_ids: &attribute_ids,
    };
    let transitions = resolve_transitions(checker, draft, &context, &mut actions);
    let clocks =
        resolve_clocks(checker, draft, &state_index, &stages, &roles, (&attributes, &attribute_ids), &mut actions);
    let lineage = resolve_lineage(checker, draft, &state_index, &attributes, &attribute_ids);
    let initial = match &draft.initial {
        Some(initial) => state_index.resolve(checker, initial)?,
        None => StateId(0),
    };
    if states.get(initial.index()).is_some_and(|state| state.parent.is_some()) {
        let at = draft.initial.as_ref().map_or(Checker::file_start(0), |initial| initial.at.clone());
        checker.error(&at, "`initial` must be a top-level state", "inside another state");
    }
    let mut transitions_from = vec![Vec::new(); states.len()];
    for (index, transition) in transitions.iter().enumerate() {
        for from in &transition.from {
            transitions_from[from.index()].push(TransitionId(index as u16));
        }
    }
    Some(Workflow {
        id: draft.id.name.clone(),
        version: draft.version.name.clone(),
        title: draft.title.clone(),
        calendar: draft.calendar.name.clone(),
        roles: draft.roles.iter().map(|(name, title)| Role { name: name.name.clone(), title: title.clone() }).collect(),
        actions: actions.actions,
        attributes,
        stages: draft
            .stages
            .iter()
            .map(|(name, title)| Stage { name: name.name.clone(), title: title.clone() })
            .collect(),
        states,
        initial,
        transitions,
        clocks,
        lineage,
        transitions_from,
        // Made once the workflow is known to be sound (`Workflow::index`).
        lookup: Lookup::default(),
        content_hash: std::sync::OnceLock::new(),
    })
}

fn resolve_attributes(checker: &mut Checker, draft: &Draft) -> Vec<Attribute> {
    let mut index: Index<AttributeId> = Index::new("attribute");
    let mut attributes = Vec::new();
    for attribute in &draft.attributes {
        if index.declare(checker, &attribute.name, AttributeId).is_none() {
            continue;
        }
        let default = attribute.default.as_ref().and_then(|(text, at)| match attribute.kind.parse_value(text) {
            Ok(value) => Some(value),
            Err(message) => {
                checker.error(at, message, "not a value of this type");
                None
            }
        });
        attributes.push(Attribute {
            name: attribute.name.name.clone(),
            title: attribute.title.clone(),
            kind: attribute.kind.clone(),
            default,
        });
    }
    attributes
}

fn resolve_states(checker: &mut Checker, draft: &Draft) -> Option<(Vec<State>, Index<StateId>)> {
    let mut index = Index::new("state");
    let mut flat: Vec<(&DraftState, Option<StateId>)> = Vec::new();
    let mut pending: Vec<(&DraftState, Option<StateId>)> =
        draft.states.iter().rev().map(|state| (state, None)).collect();
    let mut order = Vec::new();
    // Pre-order, so a state's id is known before its children's.
    while let Some((state, parent)) = pending.pop() {
        if flat.len() >= STATES_MAX {
            checker.error(&state.name.at, format!("a workflow may have at most {STATES_MAX} states"), "too many");
            return None;
        }
        let id = StateId(flat.len() as u16);
        flat.push((state, parent));
        order.push(index.declare(checker, &state.name, |_| id));
        pending.extend(state.children.iter().rev().map(|child| (child, Some(id))));
    }
    if flat.is_empty() {
        checker.error(&Checker::file_start(0), "a workflow needs at least one state", "no states");
        return None;
    }
    let children_of = |id: StateId| -> Vec<StateId> {
        flat.iter().enumerate().filter(|(_, (_, parent))| *parent == Some(id)).map(|(i, _)| StateId(i as u16)).collect()
    };
    let mut states = Vec::with_capacity(flat.len());
    for (position, (state, parent)) in flat.iter().enumerate() {
        let id = StateId(position as u16);
        let is_region = parent.is_some_and(|parent| flat[parent.index()].0.shape == Shape::Parallel);
        let kind = state_kind(checker, &index, state, id, is_region, children_of(id), &flat);
        states.push(State { name: state.name.name.clone(), title: state.title.clone(), parent: *parent, kind });
    }
    Some((states, index))
}

fn state_kind(
    checker: &mut Checker,
    index: &Index<StateId>,
    state: &DraftState,
    id: StateId,
    is_region: bool,
    children: Vec<StateId>,
    flat: &[(&DraftState, Option<StateId>)],
) -> StateKind {
    let name = &state.name.name;
    let within = |mut candidate: StateId| loop {
        if candidate == id {
            return true;
        }
        match flat[candidate.index()].1 {
            Some(parent) => candidate = parent,
            None => return false,
        }
    };
    let done = state.done.as_ref().and_then(|done| {
        let target = index.resolve(checker, done)?;
        if within(target) {
            checker.error(&done.at, format!("`done` of `{name}` must lie outside it"), "inside the state");
        }
        Some(target)
    });
    match state.shape {
        Shape::Plain | Shape::Final => {
            if let Some(done) = &state.done {
                checker.error(
                    &done.at,
                    format!("`done` needs `states` or `parallel`, and `{name}` has neither"),
                    "here",
                );
            }
            if state.shape == Shape::Final { StateKind::Final } else { StateKind::Atomic }
        }
        Shape::Compound => {
            let initial = match &state.initial {
                Some(initial) => index.resolve(checker, initial).filter(|initial| {
                    let ok = children.contains(initial);
                    if !ok {
                        let message = format!("`initial` of `{name}` must be one of its own states");
                        checker.error(&initial_at(state), message, "not a child");
                    }
                    ok
                }),
                None => children.first().copied(),
            };
            let has_final = children.iter().any(|child| flat[child.index()].0.shape == Shape::Final);
            let kind_name = if is_region { "region" } else { "compound state" };
            if !has_final {
                checker.error(&state.name.at, format!("{kind_name} `{name}` has no final state"), "no final state");
            }
            if children.is_empty() {
                checker.error(&state.name.at, format!("{kind_name} `{name}` has no states"), "empty");
            }
            if is_region && state.done.is_some() {
                let at = state.done.as_ref().map_or(state.name.at.clone(), |done| done.at.clone());
                checker.error(
                    &at,
                    format!("region `{name}` cannot have `done`; the parallel state's `done` is taken"),
                    "here",
                );
            }
            if !is_region && state.done.is_none() {
                checker.error(&state.name.at, format!("compound state `{name}` needs a `done` state"), "no `done`");
            }
            StateKind::Compound { initial: initial.unwrap_or(id), children, done: if is_region { None } else { done } }
        }
        Shape::Parallel => {
            if state.done.is_none() {
                checker.error(&state.name.at, format!("parallel state `{name}` needs a `done` state"), "no `done`");
            }
            if let Some(initial) = &state.initial {
                checker.error(&initial.at, "a parallel state has no `initial`: every region starts", "here");
            }
            StateKind::Parallel { regions: children, done: done.unwrap_or(id) }
        }
    }
}

fn initial_at(state: &DraftState) -> super::checker::Origin {
    state.initial.as_ref().map_or(state.name.at.clone(), |initial| initial.at.clone())
}

/// Actions: declared (`actions:`) or implied by transitions, and extension actions.
struct Actions {
    declared: bool,
    index: Index<ActionId>,
    #[allow(clippy::struct_field_names)] // the list the struct exists to build
    actions: Vec<Action>,
    used: Vec<bool>,
}

impl Actions {
    fn new(checker: &mut Checker, draft: &Draft) -> Actions {
        let mut actions = Actions {
            declared: draft.actions.is_some(),
            index: Index::new("action"),
            actions: Vec::new(),
            used: Vec::new(),
        };
        for (name, title) in draft.actions.iter().flatten() {
            if actions.index.declare(checker, name, ActionId).is_some() {
                actions.actions.push(Action {
                    name: name.name.clone(),
                    title: title.clone(),
                    kind: ActionKind::Transition,
                });
                actions.used.push(false);
            }
        }
        actions
    }

    /// The id of an action used as `kind`; an action is a transition's or one clock's extension.
    fn use_as(&mut self, checker: &mut Checker, name: &Named, kind: ActionKind) -> Option<ActionId> {
        let id = match self.index.ids.get(&name.name).copied() {
            Some(id) => id,
            None if self.declared => return self.index.resolve(checker, name),
            None => {
                let id = self.index.declare(checker, name, ActionId)?;
                self.actions.push(Action { name: name.name.clone(), title: None, kind });
                self.used.push(false);
                id
            }
        };
        let (existing, used) = (&mut self.actions[id.index()], &mut self.used[id.index()]);
        if !*used {
            existing.kind = kind;
        } else if existing.kind != kind {
            let message = match (existing.kind, kind) {
                (ActionKind::Extension(_), ActionKind::Extension(_)) => {
                    format!("action `{}` already extends another clock", name.name)
                }
                _ => format!("action `{}` is used both by a transition and to extend a clock", name.name),
            };
            checker.error(&name.at, message, "used twice");
            return None;
        }
        *used = true;
        Some(id)
    }
}

struct TransitionContext<'a> {
    states: &'a [State],
    state_index: &'a Index<StateId>,
    roles: &'a Index<RoleId>,
    attributes: &'a [Attribute],
    attribute_ids: &'a HashMap<String, AttributeId>,
}

fn resolve_transitions(
    checker: &mut Checker,
    draft: &Draft,
    context: &TransitionContext<'_>,
    actions: &mut Actions,
) -> Vec<Transition> {
    if draft.transitions.len() > TRANSITIONS_MAX {
        let at = &draft.transitions[TRANSITIONS_MAX].at;
        checker.error(at, format!("a workflow may have at most {TRANSITIONS_MAX} transitions"), "too many");
        return Vec::new();
    }
    let mut transitions = Vec::new();
    for transition in &draft.transitions {
        let action = actions.use_as(checker, &transition.action, ActionKind::Transition);
        let from = context.state_index.resolve_all(checker, &transition.from);
        let to = context.state_index.resolve(checker, &transition.to);
        let roles = context.roles.resolve_all(checker, &transition.by);
        let guard = transition
            .guard
            .as_ref()
            .map(|guard| check_guard(checker, guard, context.attributes, context.attribute_ids));
        let (Some(action), Some(from), Some(to), Some(roles)) = (action, from, to, roles) else { continue };
        let guard = match guard {
            None => None,
            Some(Some(guard)) => Some(guard),
            Some(None) => continue,
        };
        for (name, id) in transition.from.iter().zip(&from) {
            if context.states[id.index()].kind == StateKind::Final {
                let message =
                    format!("final state `{}` has an outgoing transition `{}`", name.name, transition.action.name);
                checker.error(&name.at, message, "final state");
            }
        }
        if let Some(message) = region_entry_problem(context.states, &transition.action.name, &from, to) {
            checker.error(&transition.to.at, message, "cannot enter here");
        }
        transitions.push(Transition { action, from, to, roles, guard, title: transition.title.clone() });
    }
    transitions
}

/// A transition may enter a state inside a region only from inside that same region.
fn region_entry_problem(states: &[State], action: &str, from: &[StateId], to: StateId) -> Option<String> {
    let ancestors = |id: StateId| std::iter::successors(Some(id), |id| states[id.index()].parent);
    for region in ancestors(to).skip(1) {
        let is_region = states[region.index()]
            .parent
            .is_some_and(|parent| matches!(states[parent.index()].kind, StateKind::Parallel { .. }));
        if !is_region {
            continue;
        }
        if let Some(outside) = from.iter().find(|from| !ancestors(**from).any(|id| id == region)) {
            return Some(format!(
                "transition `{action}` enters `{}`, inside region `{}`, from `{}` outside that region; enter the parallel state instead",
                states[to.index()].name,
                states[region.index()].name,
                states[outside.index()].name
            ));
        }
    }
    None
}

fn resolve_clocks(
    checker: &mut Checker,
    draft: &Draft,
    state_index: &Index<StateId>,
    stages: &Index<StageId>,
    roles: &Index<RoleId>,
    attributes: (&[Attribute], &HashMap<String, AttributeId>),
    actions: &mut Actions,
) -> Vec<Clock> {
    let mut clock_index: Index<ClockId> = Index::new("clock");
    let mut declared = Vec::new();
    for clock in &draft.clocks {
        if clock_index.declare(checker, &clock.name, ClockId).is_some() {
            declared.push(clock);
        }
        if declared.len() > CLOCKS_MAX {
            checker.error(&clock.name.at, format!("a workflow may have at most {CLOCKS_MAX} clocks"), "too many");
            return Vec::new();
        }
    }
    let mut clocks = Vec::new();
    for (index, clock) in declared.iter().enumerate() {
        let id = ClockId(index as u16);
        let resolved = resolve_clock(checker, clock, id, state_index, stages, roles, &clock_index, attributes, actions);
        if let Some(resolved) = resolved {
            clocks.push(resolved);
        }
    }
    if clocks.len() == declared.len() {
        check_within_cycles(checker, &clocks, &declared);
    }
    clocks
}

#[allow(clippy::too_many_arguments)]
fn resolve_clock(
    checker: &mut Checker,
    clock: &DraftClock,
    id: ClockId,
    state_index: &Index<StateId>,
    stages: &Index<StageId>,
    roles: &Index<RoleId>,
    clock_index: &Index<ClockId>,
    attributes: (&[Attribute], &HashMap<String, AttributeId>),
    actions: &mut Actions,
) -> Option<Clock> {
    let name = &clock.name.name;
    let sources = limit_sources(checker, clock, attributes);
    let stage = clock.stage.as_ref().map(|stage| stages.resolve(checker, stage));
    let span = match clock.span.as_ref()? {
        DraftSpan::Between { from, until } => state_index
            .resolve_all(checker, from)
            .zip(state_index.resolve_all(checker, until))
            .map(|(from, until)| ClockSpan::Between { from, until }),
        DraftSpan::Over(states) => state_index.resolve_all(checker, states).map(ClockSpan::Over),
    };
    let pauses: Vec<Option<Pause>> = clock
        .pauses
        .iter()
        .map(|pause| {
            let state = state_index.resolve(checker, &pause.state)?;
            Some(Pause { state, basis: pause.basis.clone(), max: pause.max.as_ref().map(|(period, _)| *period) })
        })
        .collect();
    let restart_on: Vec<Option<ActionId>> =
        clock.restart_on.iter().map(|action| actions.use_as(checker, action, ActionKind::Transition)).collect();
    let restart_entering = state_index.resolve_all(checker, &clock.restart_entering);
    let (limit, limit_at) = &clock.limit;
    if let Some((promised, promised_at)) = &clock.promised {
        if clock.limit_from.is_some() {
            // A limit set per case cannot be compared with a written promised limit.
            let message = format!(
                "promised limit `{promised}` is written, while the limit is taken from each case; take the promised \
                 limit from an attribute too (`promised: {{attribute: NAME}}`)"
            );
            checker.error(promised_at, message, "written beside a limit per case");
        } else if promised.unit != limit.unit {
            let message = format!("promised limit `{promised}` is in another unit than the limit `{limit}`");
            checker.error(promised_at, message, "another unit");
        } else if promised.amount > limit.amount {
            let message = format!("promised limit `{promised}` is longer than the limit `{limit}`");
            checker.error(promised_at, message, "longer than the limit");
        }
    }
    let _ = limit_at;
    let extensions: Vec<Option<Extension>> = clock
        .extensions
        .iter()
        .map(|extension| {
            let (by, by_at) = &extension.by;
            if by.unit != limit.unit {
                let message = format!("extension `{by}` of clock `{name}` is in another unit than its limit `{limit}`");
                checker.error(by_at, message, "another unit");
            }
            let action = actions.use_as(checker, &extension.action, ActionKind::Extension(id));
            let roles = roles.resolve_all(checker, &extension.roles);
            Some(Extension {
                by: *by,
                times: extension.times,
                action: action?,
                roles: roles?,
                basis: extension.basis.clone(),
            })
        })
        .collect();
    let within = clock.within.as_ref().map(|within| clock_index.resolve(checker, within));
    for (at_least, before) in clock.warn_before.iter().map(|(period, at)| (period, at)) {
        if at_least.unit != limit.unit {
            let message = format!("`warn_before: {at_least}` is in another unit than the limit `{limit}`");
            checker.error(before, message, "another unit");
        }
    }
    let stage = match stage {
        Some(stage) => Some(stage?),
        None => None,
    };
    let within = match within {
        Some(within) => Some(within?),
        None => None,
    };
    Some(Clock {
        name: name.clone(),
        title: clock.title.clone(),
        stage,
        matter: clock.matter,
        basis: clock.basis.clone(),
        limit: *limit,
        limit_from: sources?.0,
        promised: clock.promised.as_ref().map(|(period, _)| *period),
        promised_from: sources?.1,
        span: span?,
        pauses: pauses.into_iter().collect::<Option<_>>()?,
        restart_on: restart_on.into_iter().collect::<Option<_>>()?,
        restart_entering: restart_entering?,
        extensions: extensions.into_iter().collect::<Option<_>>()?,
        within,
        warn_at: clock.warn_at.clone(),
        warn_before: clock.warn_before.iter().map(|(period, _)| *period).collect(),
        cuts: clock.cuts.clone(),
    })
}

/// Reports each cycle of `within` once, at the first clock in it, naming every clock on it.
fn check_within_cycles(checker: &mut Checker, clocks: &[Clock], declared: &[&DraftClock]) {
    for (start, clock) in clocks.iter().enumerate() {
        let mut cycle = vec![start];
        let mut current = clock.within;
        while let Some(parent) = current {
            if parent.index() == start || cycle.len() > clocks.len() {
                break;
            }
            cycle.push(parent.index());
            current = clocks[parent.index()].within;
        }
        let closes = current.is_some_and(|parent| parent.index() == start);
        if !closes || cycle.iter().any(|&member| member < start) {
            continue;
        }
        let at = declared[start].within.as_ref().map_or(declared[start].name.at.clone(), |w| w.at.clone());
        let message = if cycle.len() == 1 {
            format!("clock `{}` runs within itself", clock.name)
        } else {
            let path: Vec<&str> = cycle.iter().chain([&start]).map(|&member| clocks[member].name.as_str()).collect();
            format!("clocks run within each other in a cycle: {}", path.join(" → "))
        };
        checker.error(&at, message, "cycle");
    }
}

fn resolve_lineage(
    checker: &mut Checker,
    draft: &Draft,
    state_index: &Index<StateId>,
    attributes: &[Attribute],
    attribute_ids: &HashMap<String, AttributeId>,
) -> Vec<Lineage> {
    draft
        .lineage
        .iter()
        .map(|lineage| Lineage {
            base_id: lineage.base_id.clone(),
            base_version: lineage.base_version.clone(),
            base: lineage.base.clone(),
            reform_title: lineage.reform_title.clone(),
            rounding: lineage.rounding,
            parallelized: lineage
                .parallelized
                .iter()
                .filter_map(|parallel| {
                    let state = state_index.ids.get(&parallel.state).copied()?;
                    let when =
                        parallel.when.as_ref().and_then(|when| check_guard(checker, when, attributes, attribute_ids));
                    Some(Parallelized { state, sequence: parallel.sequence.clone(), when })
                })
                .collect(),
        })
        .collect()
}

/// Where each case's statutory and promised limits of `clock` come from; `None` when an
/// attribute is refused (each refusal is reported).
fn limit_sources(
    checker: &mut Checker,
    clock: &DraftClock,
    attributes: (&[Attribute], &HashMap<String, AttributeId>),
) -> Option<(LimitSource, Option<AttributeId>)> {
    let limit_from = match &clock.limit_from {
        None => Some(LimitSource::Written),
        Some(DraftLimitFrom::Attribute(named)) => {
            limit_attribute(checker, attributes, named, &AttributeType::Integer).map(LimitSource::Attribute)
        }
        Some(DraftLimitFrom::DueDate(named)) => {
            limit_attribute(checker, attributes, named, &AttributeType::Date).map(LimitSource::DueDate)
        }
    };
    let promised_from = match &clock.promised_from {
        None => Some(None),
        Some(named) => limit_attribute(checker, attributes, named, &AttributeType::Integer).map(Some),
    };
    Some((limit_from?, promised_from?))
}

/// The attribute a clock takes each case's limit from: it must exist and be of `kind`
/// (`integer` for a number of units, `date` for a due date).
fn limit_attribute(
    checker: &mut Checker,
    (attributes, ids): (&[Attribute], &HashMap<String, AttributeId>),
    named: &Named,
    kind: &AttributeType,
) -> Option<AttributeId> {
    let Some(id) = ids.get(&named.name).copied() else {
        let mut message = format!("`{}` is not an attribute of the workflow", named.name);
        if let Some(near) = crate::core::suggest::nearest(&named.name, attributes.iter().map(|a| a.name.as_str())) {
            message = format!("{message}; did you mean `{near}`?");
        }
        checker.error(&named.at, message, "unknown attribute");
        return None;
    };
    if attributes[id.index()].kind != *kind {
        let wanted = if *kind == AttributeType::Date { "a `date`" } else { "an `integer`" };
        let message = format!("attribute `{}` must be {wanted} to give a limit", named.name);
        checker.error(&named.at, message, "wrong type");
        return None;
    }
    Some(id)
}
