//! `ActivityIndex`: what each activity name of a log stands for. The mapping file decides first;
//! without it an activity is an action's name or title, or a state's name or title (the step
//! into that state; the initial state's opens the case).

use foldhash::HashMap;

use super::log_row::trimmed;
use super::mapping::{ActivityMeaning, Mapping};
use crate::core::workflow::{ActionId, StateId, StateKind, Workflow};

/// What an activity stands for, resolved against the workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// Actions to try in order (a state's name may be reached by several); the first the core
    /// accepts is taken. Each is named, with its id when the workflow has it.
    Actions(Vec<(String, Option<ActionId>)>),
    Opens,
    Informational,
    Unknown,
}

impl Resolved {
    fn actions(workflow: &Workflow, names: Vec<String>) -> Resolved {
        Resolved::Actions(
            names
                .into_iter()
                .map(|name| {
                    let id = workflow.action_named(&name);
                    (name, id)
                })
                .collect(),
        )
    }
}

pub(crate) struct ActivityIndex {
    names: HashMap<String, Resolved>,
    /// By action: whether a case may be opened by the action's step, as the log's first: the
    /// initial configuration allows it and it does not end the case at once.
    opens_by_step: Vec<bool>,
    /// Log role name → workflow role name: a role's title, or the mapping's `roles`.
    roles: HashMap<String, String>,
}

impl ActivityIndex {
    pub(crate) fn new(workflow: &Workflow, mapping: &Mapping) -> ActivityIndex {
        let mut names: HashMap<String, Resolved> = HashMap::default();
        // Lowest priority first: later inserts win.
        // The initial state and its initial descendants: entering any of them opens the case.
        let mut opening_states = vec![workflow.initial()];
        while let StateKind::Compound { initial, .. } = &workflow.state(opening_states[opening_states.len() - 1]).kind {
            opening_states.push(*initial);
        }
        for (index, state) in workflow.states().iter().enumerate() {
            let id = StateId(index as u16);
            let meaning = if opening_states.contains(&id) {
                Resolved::Opens
            } else {
                let actions: Vec<String> = workflow
                    .transitions()
                    .iter()
                    .filter(|transition| transition.to == id)
                    .map(|transition| workflow.action(transition.action).name.clone())
                    .fold(Vec::new(), |mut actions, action| {
                        if !actions.contains(&action) {
                            actions.push(action);
                        }
                        actions
                    });
                if actions.is_empty() {
                    continue;
                }
                Resolved::actions(workflow, actions)
            };
            for name in std::iter::once(&state.name).chain(state.title.as_ref()) {
                names.insert(name.clone(), meaning.clone());
            }
        }
        for action in workflow.actions() {
            for name in std::iter::once(&action.name).chain(action.title.as_ref()) {
                names.insert(name.clone(), Resolved::actions(workflow, vec![action.name.clone()]));
            }
        }
        for (activity, meaning) in &mapping.activities {
            let resolved = match meaning {
                ActivityMeaning::Action(action) => Resolved::actions(workflow, vec![action.clone()]),
                ActivityMeaning::Opens => Resolved::Opens,
                ActivityMeaning::Informational => Resolved::Informational,
            };
            names.insert(activity.clone(), resolved);
        }
        let opens_by_step = (0..workflow.actions().len())
            .map(|index| workflow.leaves_initial_without_ending(ActionId(index as u16)))
            .collect();
        // Role titles match as action titles do; the mapping decides first.
        let mut roles: HashMap<String, String> = HashMap::default();
        for role in workflow.roles() {
            if role.title != role.name && workflow.role_named(&role.title).is_none() {
                roles.insert(role.title.clone(), role.name.clone());
            }
        }
        for (log_role, role) in &mapping.roles {
            roles.insert(log_role.clone(), role.clone());
        }
        ActivityIndex { names, opens_by_step, roles }
    }

    /// Whether a row of `resolved` may be a case's first: an opening activity, or a step the
    /// initial configuration allows that does not end the case at once.
    pub(crate) fn may_open(&self, resolved: &Resolved) -> bool {
        match resolved {
            Resolved::Opens => true,
            Resolved::Actions(actions) => actions
                .iter()
                .any(|(_, id)| id.is_some_and(|id| self.opens_by_step.get(id.index()).copied().unwrap_or(false))),
            Resolved::Informational | Resolved::Unknown => false,
        }
    }

    /// The workflow role a log's role names: itself, unless it is a role's title or the
    /// mapping renames it.
    pub(crate) fn role_name<'a>(&'a self, role: &'a str) -> &'a str {
        let role = trimmed(role);
        self.roles.get(role).map_or(role, String::as_str)
    }

    pub(crate) fn resolve(&self, activity: &str) -> &Resolved {
        self.names.get(trimmed(activity)).unwrap_or(&Resolved::Unknown)
    }
}
