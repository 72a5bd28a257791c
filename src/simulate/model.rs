//! `Model`: a scenario resolved against one workflow: for each state its duration and the
//! choices that leave it (each transition with its probability, or a share of what the listed
//! ones leave), the attribute mix, and the staff per role. Every name in the scenario is checked
//! here against the workflows it compares, with a did-you-mean; a state's copy made by
//! `parallelize` (`review.plan_intake`) uses the entries of its serial state (`plan_intake`).

use std::collections::HashMap;

use super::choice::{Choice, ChoiceWeights};
use super::duration::Duration;
use super::scenario::{Located, Mix, Scenario, ScenarioError, StateDuration};
use crate::core::problem::Problem;
use crate::core::suggest::nearest;
use crate::core::workflow::{ActionKind, AttributeType, StateId, StateKind, Workflow};

/// A scenario resolved against one workflow.
#[derive(Clone, Debug)]
pub struct Model<'w> {
    pub workflow: &'w Workflow,
    /// By state index: the distribution and the working days one unit of it is (1, or the limit
    /// of the clock that starts in the state); `None` for states a case never waits in.
    pub durations: Vec<Option<(Duration, f64)>>,
    /// By state index: the transitions whose `from` names the state.
    pub choices: Vec<Vec<Choice>>,
    /// By state index: the weights of its choices when none has a guard (the same on every
    /// draw, so worked out once).
    pub fixed_weights: Vec<Option<ChoiceWeights>>,
    /// (attribute name, its mix) for the attributes this workflow has.
    pub attributes: Vec<(String, Mix)>,
    /// Handlers by role index; `None`: no limit.
    pub staff: Vec<Option<u32>>,
    /// By state index: whether the time spent there needs a handler (`false` in states that
    /// pause a clock: a public notice, waiting for the applicant, expert review).
    pub handled: Vec<bool>,
}

/// The serial state a `parallelize` copy was made from (`review.plan_intake` → `plan_intake`).
pub fn serial_name(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(_, serial)| serial)
}

/// Resolves `scenario` against each of `workflows` (in order), reporting every problem at once.
///
/// # Errors
///
/// [`ScenarioError`] naming each unknown name (with a did-you-mean), each state without a
/// duration, and each state whose branches leave more than one action without a probability.
pub fn build_models<'w>(scenario: &Scenario, workflows: &[&'w Workflow]) -> Result<Vec<Model<'w>>, ScenarioError> {
    let file = scenario.file();
    let mut problems = Vec::new();
    check_names(scenario, workflows, &mut problems);
    let mut models = Vec::new();
    let mut reported = Vec::new();
    for workflow in workflows {
        models.push(model(scenario, workflow, &mut problems, &mut reported));
    }
    if problems.is_empty() { Ok(models) } else { Err(ScenarioError::new(file, &scenario.source, problems)) }
}

fn unknown(what: &str, name: &Located<String>, known: &mut dyn Iterator<Item = &str>, file: &str) -> Problem {
    let mut message = format!("`{}` is not {what} of the scenario's workflows", name.value);
    if let Some(near) = nearest(&name.value, known) {
        message = format!("{message}; did you mean `{near}`?");
    }
    Problem::at(file, Some(&name.location), message, "unknown")
}

fn check_names(scenario: &Scenario, workflows: &[&Workflow], problems: &mut Vec<Problem>) {
    let file = scenario.file();
    let state_known = |name: &str| {
        workflows.iter().any(|workflow| {
            workflow.states().iter().any(|state| state.name == name || serial_name(&state.name) == name)
        })
    };
    let state_names = || workflows.iter().flat_map(|workflow| workflow.states().iter().map(|s| s.name.as_str()));
    for (state, _) in &scenario.durations {
        if !state_known(&state.value) {
            problems.push(unknown("a state", state, &mut state_names(), file));
        }
    }
    let action_names =
        || workflows.iter().flat_map(|workflow| workflow.actions().iter().map(|action| action.name.as_str()));
    let action_problem = |action: &Located<String>, problems: &mut Vec<Problem>| {
        let kinds: Vec<ActionKind> = workflows
            .iter()
            .filter_map(|workflow| workflow.action_named(&action.value).map(|id| workflow.action(id).kind))
            .collect();
        if kinds.is_empty() {
            problems.push(unknown("an action", action, &mut action_names(), file));
        } else if kinds.iter().all(|kind| matches!(kind, ActionKind::Extension(_))) {
            let message =
                format!("`{}` extends a clock; a simulation takes only the actions of transitions", action.value);
            problems.push(Problem::at(file, Some(&action.location), message, "extension"));
        }
    };
    for (action, _) in &scenario.branches {
        action_problem(action, problems);
    }
    for (state, actions) in &scenario.branches_in {
        if !state_known(&state.value) {
            problems.push(unknown("a state", state, &mut state_names(), file));
        }
        for (action, _) in actions {
            action_problem(action, problems);
        }
    }
    for (role, _) in &scenario.staff {
        if !workflows.iter().any(|workflow| workflow.role_named(&role.value).is_some()) {
            let mut names = workflows.iter().flat_map(|workflow| workflow.roles().iter().map(|r| r.name.as_str()));
            problems.push(unknown("a role", role, &mut names, file));
        }
    }
    for (attribute, mix) in &scenario.attributes {
        let declared: Vec<&AttributeType> = workflows
            .iter()
            .filter_map(|workflow| workflow.attribute_named(&attribute.value).map(|id| &workflow.attribute(id).kind))
            .collect();
        if declared.is_empty() {
            let mut names = workflows.iter().flat_map(|workflow| workflow.attributes().iter().map(|a| a.name.as_str()));
            problems.push(unknown("an attribute", attribute, &mut names, file));
            continue;
        }
        for kind in declared {
            match (&mix.value, kind) {
                (Mix::True(_), AttributeType::Bool) => {}
                (Mix::True(_), other) => {
                    let message = format!(
                        "`{}` is {} {}, not a bool: give a share per value (`{{value: share, …}}`)",
                        attribute.value,
                        article(other.name()),
                        other.name()
                    );
                    problems.push(Problem::at(file, Some(&mix.location), message, "not a bool"));
                }
                (Mix::Values(values), kind) => {
                    for (value, _) in values {
                        if let Err(message) = kind.parse_value(value) {
                            let message = format!("`{value}` is not a value of `{}`: {message}", attribute.value);
                            problems.push(Problem::at(file, Some(&mix.location), message, "bad value"));
                        }
                    }
                }
            }
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// `reported`: (serial state, actions) whose branch problem was reported already, so a state and
/// its copies in a reform are named once.
#[allow(clippy::too_many_lines)] // one pass over the states
fn model<'w>(
    scenario: &Scenario,
    workflow: &'w Workflow,
    problems: &mut Vec<Problem>,
    reported: &mut Vec<(String, Vec<String>)>,
) -> Model<'w> {
    let file = scenario.file();
    let durations_by_name: HashMap<&str, &StateDuration> =
        scenario.durations.iter().map(|(state, duration)| (state.value.as_str(), duration)).collect();
    let fitted_by_name: HashMap<&str, &StateDuration> =
        scenario.fitted.iter().map(|(state, duration)| (state.as_str(), duration)).collect();
    let branches: HashMap<&str, f64> =
        scenario.branches.iter().map(|(action, probability)| (action.value.as_str(), *probability)).collect();
    let branches_in: HashMap<&str, HashMap<&str, f64>> = scenario
        .branches_in
        .iter()
        .map(|(state, actions)| {
            (state.value.as_str(), actions.iter().map(|(action, p)| (action.value.as_str(), *p)).collect())
        })
        .collect();
    let mut durations = Vec::new();
    let mut choices = Vec::new();
    let mut missing = Vec::new();
    let paused: Vec<StateId> =
        workflow.clocks().iter().flat_map(|clock| clock.pauses.iter().map(|pause| pause.state)).collect();
    let mut handled = Vec::new();
    for id in workflow.state_ids() {
        let state = workflow.state(id);
        let waits = matches!(state.kind, StateKind::Atomic) && !workflow.transitions_from(id).is_empty();
        let duration = durations_by_name
            .get(state.name.as_str())
            .or_else(|| durations_by_name.get(serial_name(&state.name)))
            .copied()
            .or_else(|| {
                fitted_by_name
                    .get(state.name.as_str())
                    .or_else(|| fitted_by_name.get(serial_name(&state.name)))
                    .copied()
            })
            .cloned()
            .or_else(|| scenario.default_duration.clone());
        if waits && duration.is_none() {
            missing.push(state.name.clone());
        }
        let duration = match duration.filter(|_| waits) {
            None => None,
            Some(StateDuration::WorkingDays(duration)) => Some((duration, 1.0)),
            Some(StateDuration::OfLimit(duration)) => match limit_starting_in(workflow, id) {
                Some(limit) => Some((duration, limit)),
                None => {
                    let message = format!(
                        "workflow `{}` {}: no working-day clock starts in state `{}`, so its duration cannot be \
                         `of_limit`",
                        workflow.id(),
                        workflow.version(),
                        state.name
                    );
                    problems.push(Problem::at(file, Some(&scenario.durations_location), message, "of_limit"));
                    None
                }
            },
        };
        durations.push(duration);
        handled.push(!paused.contains(&id));
        let listed_in = branches_in.get(state.name.as_str()).or_else(|| branches_in.get(serial_name(&state.name)));
        let state_choices: Vec<Choice> = workflow
            .transitions_from(id)
            .iter()
            .map(|transition| {
                let declared = workflow.transition(*transition);
                let action = workflow.action(declared.action).name.clone();
                let probability = listed_in
                    .and_then(|listed| listed.get(action.as_str()).copied())
                    .or_else(|| branches.get(action.as_str()).copied());
                Choice { transition: *transition, action, role: declared.roles[0], probability }
            })
            .collect();
        if waits {
            check_branches(workflow, &state.name, &state_choices, problems, reported, file);
        }
        choices.push(state_choices);
    }
    if !missing.is_empty() {
        let message = format!(
            "workflow `{}` {}: {} no duration: give {}, or a `default`",
            workflow.id(),
            workflow.version(),
            if missing.len() == 1 {
                format!("state `{}` has", missing[0])
            } else {
                format!("states {} have", missing.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", "))
            },
            if missing.len() == 1 { "it one" } else { "each one" }
        );
        problems.push(Problem::at(file, Some(&scenario.durations_location), message, "durations"));
    }
    let attributes = scenario
        .attributes
        .iter()
        .filter(|(attribute, _)| workflow.attribute_named(&attribute.value).is_some())
        .map(|(attribute, mix)| (attribute.value.clone(), mix.value.clone()))
        .collect();
    let staff = workflow
        .roles()
        .iter()
        .map(|role| scenario.staff.iter().find(|(name, _)| name.value == role.name).map(|(_, count)| *count))
        .collect();
    let fixed_weights = choices.iter().map(|state_choices| ChoiceWeights::fixed(workflow, state_choices)).collect();
    Model { workflow, durations, choices, fixed_weights, attributes, staff, handled }
}

/// The working-day limit of the clock that starts in `state` (a matter clock first).
#[allow(clippy::cast_precision_loss)]
fn limit_starting_in(workflow: &Workflow, state: StateId) -> Option<f64> {
    let starting: Vec<&crate::core::workflow::Clock> = workflow
        .clocks()
        .iter()
        .filter(|clock| clock.limit.unit == crate::core::calendar::PeriodUnit::WorkingDays && clock.has_written_limit())
        .filter(|clock| clock.span.start_states().contains(&state))
        .collect();
    starting.iter().find(|clock| clock.matter).or(starting.first()).map(|clock| clock.limit.amount as f64)
}

/// A state's ways out are usable when at most one action has no probability, and the listed
/// ones leave room for it.
fn check_branches(
    workflow: &Workflow,
    state: &str,
    choices: &[Choice],
    problems: &mut Vec<Problem>,
    reported: &mut Vec<(String, Vec<String>)>,
    file: &str,
) {
    let mut unlisted: Vec<&str> = Vec::new();
    let mut listed: Vec<(&str, f64)> = Vec::new();
    for choice in choices {
        match choice.probability {
            None if !unlisted.contains(&choice.action.as_str()) => unlisted.push(&choice.action),
            Some(probability) if !listed.iter().any(|(action, _)| *action == choice.action) => {
                listed.push((&choice.action, probability));
            }
            _ => {}
        }
    }
    let key = (serial_name(state).to_owned(), choices.iter().map(|choice| choice.action.clone()).collect::<Vec<_>>());
    if reported.contains(&key) {
        return;
    }
    let where_ = format!("workflow `{}` {}, state `{state}`", workflow.id(), workflow.version());
    if unlisted.len() > 1 {
        let names = unlisted.iter().map(|action| format!("`{action}`")).collect::<Vec<_>>().join(", ");
        let message = format!(
            "{where_}: actions {names} have no probability; give all but one under `branches` (or `branches_in`)"
        );
        problems.push(Problem::at(file, None, message, "branches"));
        reported.push(key);
        return;
    }
    let total: f64 = listed.iter().map(|(_, probability)| probability).sum();
    if !unlisted.is_empty() && total > 1.0 + 1e-9 {
        let message = format!(
            "{where_}: the probabilities of {} add up to {total}, leaving nothing for `{}`",
            listed.iter().map(|(action, _)| format!("`{action}`")).collect::<Vec<_>>().join(", "),
            unlisted[0]
        );
        problems.push(Problem::at(file, None, message, "branches"));
        reported.push(key);
    }
}
