//! The actions a case offers now: each transition out of an active state and each extension of
//! an open clock with uses left, with the roles that may take it and whether its guard holds on
//! the case's attributes as they stand. It is what a handler's screen offers; `step` still
//! judges the command (an action's own attributes may make a false guard true). And the roles a
//! case waits on (`waiting_on`), for the watch list and the supervision statistics.

use serde::Serialize;

use super::replay::Replay;
use crate::core::workflow::{ActionId, RoleId, StateId, StateKind, Workflow};

/// One action a case offers now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AvailableAction {
    pub action: String,
    pub title: Option<String>,
    /// The roles that may take it from here, sorted.
    pub roles: Vec<String>,
    /// The guards of its transitions from here, as written (empty: none).
    pub guards: Vec<String>,
    /// Whether some transition has no guard or a guard that holds on the attributes now.
    pub guard_holds: bool,
    /// The attributes its guards read.
    pub reads: Vec<String>,
    /// The clock it extends, for an extension.
    pub extends: Option<String>,
}

/// The transitions of one action from the active states, gathered.
struct Offered {
    action: ActionId,
    roles: Vec<RoleId>,
    guards: Vec<String>,
    guard_holds: bool,
    reads: Vec<String>,
}

/// The actions `replay`'s case offers now, sorted by name; none once it has finished.
pub fn available_actions(workflow: &Workflow, replay: &Replay) -> Vec<AvailableAction> {
    let configuration = replay.configuration();
    if configuration.finished_in(workflow).is_some() {
        return Vec::new();
    }
    let values = configuration.values();
    let mut offered: Vec<Offered> = Vec::new();
    for state in configuration.active_states(workflow) {
        for transition in workflow.transitions_from(state) {
            let declared = workflow.transition(*transition);
            let holds = declared.guard.as_ref().is_none_or(|guard| guard.holds(values));
            let mut reads = Vec::new();
            if let Some(guard) = &declared.guard {
                guard.constants(&mut reads);
            }
            let guard = declared.guard.as_ref().map(|guard| guard.render(workflow.attributes()));
            let reads = reads.into_iter().map(|(attribute, _)| workflow.attribute(attribute).name.clone());
            match offered.iter_mut().find(|entry| entry.action == declared.action) {
                Some(entry) => {
                    entry.roles.extend(declared.roles.iter().copied());
                    entry.guards.extend(guard);
                    entry.guard_holds |= holds;
                    entry.reads.extend(reads);
                }
                None => offered.push(Offered {
                    action: declared.action,
                    roles: declared.roles.clone(),
                    guards: guard.into_iter().collect(),
                    guard_holds: holds,
                    reads: reads.collect(),
                }),
            }
        }
    }
    let mut available: Vec<AvailableAction> = offered
        .into_iter()
        .map(|Offered { action, roles, mut guards, guard_holds, mut reads }| {
            guards.sort();
            guards.dedup();
            reads.sort();
            reads.dedup();
            let declared = workflow.action(action);
            AvailableAction {
                action: declared.name.clone(),
                title: declared.title.clone(),
                roles: role_names(workflow, &roles),
                guards,
                guard_holds,
                reads,
                extends: None,
            }
        })
        .collect();
    for (clock, track) in workflow.clocks().iter().zip(replay.clocks()) {
        if !track.is_open() {
            continue;
        }
        for (index, extension) in clock.extensions.iter().enumerate() {
            if track.extensions_used(index) >= extension.times {
                continue;
            }
            let declared = workflow.action(extension.action);
            available.push(AvailableAction {
                action: declared.name.clone(),
                title: declared.title.clone(),
                roles: role_names(workflow, &extension.roles),
                guards: Vec::new(),
                guard_holds: true,
                reads: Vec::new(),
                extends: Some(clock.name.clone()),
            });
        }
    }
    available.sort_by(|a, b| a.action.cmp(&b.action));
    available.dedup_by(|later, earlier| later.action == earlier.action);
    available
}

fn role_names(workflow: &Workflow, roles: &[RoleId]) -> Vec<String> {
    let mut names: Vec<String> = roles.iter().map(|role| workflow.role(*role).name.clone()).collect();
    names.sort();
    names.dedup();
    names
}

/// The roles the case waits on: those with a step out of its active states (`leaves` and the
/// states they are in) that does not end the case; when every step ends it, the roles of those
/// steps. Guards are not read: a role whose step a guard blocks today still holds the case.
/// Sorted by name; none once no step leads out.
pub fn waiting_on(workflow: &Workflow, leaves: &[StateId]) -> Vec<String> {
    let mut moving: Vec<RoleId> = Vec::new();
    let mut ending: Vec<RoleId> = Vec::new();
    let mut states: Vec<StateId> = leaves.iter().flat_map(|leaf| workflow.ancestors(*leaf)).collect();
    states.sort_unstable();
    states.dedup();
    for state in states {
        for transition in workflow.transitions_from(state) {
            let declared = workflow.transition(*transition);
            let ends =
                workflow.state(declared.to).kind == StateKind::Final && workflow.state(declared.to).parent.is_none();
            if ends { &mut ending } else { &mut moving }.extend(declared.roles.iter().copied());
        }
    }
    let roles = if moving.is_empty() { ending } else { moving };
    let mut names: Vec<String> = roles.iter().map(|role| workflow.role(*role).name.clone()).collect();
    names.sort();
    names.dedup();
    names
}
