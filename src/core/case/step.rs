//! The transition function: a case's replay and a command in, the events to append or the
//! `Rejection` that says why not. Pure: the caller appends the events and applies them to its
//! replay with [`Replay::apply`].

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::command::{Command, CommandKind, Opening};
use super::event::{Event, EventKind};
use super::rejection::Rejection;
use super::replay::Replay;
use crate::core::calendar::{CalendarError, WorkingCalendar};
use crate::core::suggest::nearest;
use crate::core::workflow::{
    ActionId, ActionKind, AttributeId, ClockId, RoleId, StateId, TransitionId, Value, Workflow,
};

use super::clock_track::Phase;
use super::timing::{Level, timing};

/// How many `done` steps one action may set off in a row; a workflow has at most this many
/// nested compound and parallel states, so more means a bug.
pub const DONE_CASCADE_MAX: usize = 64;

/// The events that open a case.
///
/// # Errors
///
/// A [`Rejection`] for an unknown attribute, a value of the wrong type, or a date outside the
/// calendar's data.
pub fn open(workflow: &Workflow, calendar: &WorkingCalendar, opening: &Opening) -> Result<Vec<Event>, Rejection> {
    open_in_place(workflow, calendar, &mut Replay::new(workflow), opening)
}

/// As [`open`], and folds the events into `replay`, which starts again as a new case (its
/// buffers kept): a caller that replays many cases in turn reuses one replay.
///
/// # Errors
///
/// As [`open`]; `replay` is then unchanged.
pub fn open_in_place(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &mut Replay,
    opening: &Opening,
) -> Result<Vec<Event>, Rejection> {
    let attributes = opening.attributes.iter().map(|(name, text)| (name.as_str(), text.as_str()));
    let mut events = Vec::new();
    open_parts_in_place(workflow, calendar, replay, opening.at, &opening.actor, attributes, &mut events)?;
    Ok(events)
}

/// As [`open_in_place`], with the opening in borrowed parts, its events written into `events`
/// (emptied first): the auditor opens a case from a log's row without copying its attributes
/// first, into a list it reuses.
///
/// # Errors
///
/// As [`open`]; `replay` and `events` are then unchanged.
pub(crate) fn open_parts_in_place<'t>(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &mut Replay,
    at: DateTime<FixedOffset>,
    actor: &str,
    attributes: impl IntoIterator<Item = (&'t str, &'t str)>,
    events: &mut Vec<Event>,
) -> Result<(), Rejection> {
    let date = check_date(calendar, at)?;
    // The defaults, in the workflow's order, then each given value in its place.
    let mut values: Vec<(AttributeId, Value)> = (workflow.attributes().iter().enumerate())
        .filter_map(|(index, attribute)| Some((AttributeId(index as u16), attribute.default.clone()?)))
        .collect();
    for (name, text) in attributes {
        let (attribute, value) = parse_attribute(workflow, calendar, name, Some(text))?;
        match (values.binary_search_by_key(&attribute, |(id, _)| *id), value) {
            (Ok(at), Some(value)) => values[at].1 = value,
            (Ok(at), None) => {
                values.remove(at);
            }
            (Err(at), Some(value)) => values.insert(at, (attribute, value)),
            (Err(_), None) => {}
        }
    }
    let opened =
        Event { at, actor: Some(actor.to_owned()), role: None, kind: EventKind::Opened { attributes: values } };
    replay.reset(workflow);
    events.clear();
    events.push(opened);
    apply_all(workflow, replay, events, date);
    add_done_steps(workflow, replay, at, date, events);
    Ok(())
}

/// The events a command appends to a case, checked against the workflow's rules.
///
/// # Errors
///
/// A [`Rejection`] saying why the command is refused; nothing is to be written then.
pub fn step(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &Replay,
    command: &Command,
) -> Result<Vec<Event>, Rejection> {
    step_in_place(workflow, calendar, &mut replay.clone(), command)
}

/// As [`step`], and applies the events to `replay` (which a refusal leaves as it was), so a caller
/// that keeps the replay does not copy it or apply the events a second time.
///
/// # Errors
///
/// A [`Rejection`] saying why the command is refused; `replay` is then unchanged.
pub fn step_in_place(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &mut Replay,
    command: &Command,
) -> Result<Vec<Event>, Rejection> {
    let date = check_open_at(workflow, calendar, replay, command.at)?;
    let role = resolve_role(workflow, &command.role)?;
    let event = |kind| Event { at: command.at, actor: Some(command.actor.clone()), role: Some(role), kind };
    let mut events = match &command.kind {
        CommandKind::Note { text } => vec![event(EventKind::Noted { text: text.clone() })],
        CommandKind::SetAttributes { attributes } => attributes
            .iter()
            .map(|(name, text)| {
                let (attribute, value) = parse_attribute(workflow, calendar, name, text.as_deref())?;
                Ok(event(EventKind::AttributeSet { attribute, value }))
            })
            .collect::<Result<Vec<_>, Rejection>>()?,
        CommandKind::Act { action, attributes } => {
            let action = resolve_action(workflow, action)?;
            let mut events = Vec::with_capacity(attributes.len() + 2);
            // The guard sees the values as the command sets them; copied only when it sets some.
            let mut values = std::borrow::Cow::Borrowed(replay.configuration().values());
            for (name, text) in attributes {
                let (attribute, value) = parse_attribute(workflow, calendar, name, Some(text))?;
                values.to_mut()[attribute.index()].clone_from(&value);
                events.push(event(EventKind::AttributeSet { attribute, value }));
            }
            events.push(event(act_kind(workflow, calendar, replay, command.at, role, action, &values)?));
            events
        }
    };
    // Accepted: from here on the replay moves.
    apply_all(workflow, replay, &events, date);
    add_done_steps(workflow, replay, command.at, date, &mut events);
    Ok(events)
}

/// As [`step_in_place`] for an action named by ids rather than names, with no attributes set: what
/// `step_in_place` does once it has resolved a command. For callers that hold ids already (the
/// simulator); the events are appended to `events`.
///
/// # Errors
///
/// A [`Rejection`] saying why the action is refused (an id this workflow does not have among
/// them); `replay` and `events` are then unchanged.
pub fn act_in_place(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &mut Replay,
    act: &Act<'_>,
    events: &mut Vec<Event>,
) -> Result<(), Rejection> {
    let date = check_open_at(workflow, calendar, replay, act.at)?;
    if act.role.index() >= workflow.roles().len() {
        return Err(Rejection::UnknownRole { role: format!("#{}", act.role.index()), suggestion: None });
    }
    if act.action.index() >= workflow.actions().len() {
        return Err(Rejection::UnknownAction { action: format!("#{}", act.action.index()), suggestion: None });
    }
    let kind = act_kind(workflow, calendar, replay, act.at, act.role, act.action, replay.configuration().values())?;
    let first = events.len();
    events.push(Event { at: act.at, actor: Some(act.actor.to_owned()), role: Some(act.role), kind });
    apply_all(workflow, replay, &events[first..], date);
    add_done_steps(workflow, replay, act.at, date, events);
    Ok(())
}

/// An action by ids, for [`act_in_place`].
#[derive(Clone, Copy, Debug)]
pub struct Act<'a> {
    pub at: DateTime<FixedOffset>,
    pub actor: &'a str,
    pub role: RoleId,
    pub action: ActionId,
}

/// Refuses any step on a finished case, before the case's last event, or on a date outside the
/// calendar's data; else the step's date in the calendar's zone.
fn check_open_at(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &Replay,
    at: DateTime<FixedOffset>,
) -> Result<NaiveDate, Rejection> {
    if let Some(finished) = replay.configuration().finished_in(workflow) {
        return Err(Rejection::Finished { state: workflow.state(finished).name.clone() });
    }
    if let Some(last) = replay.last_at()
        && at < last
    {
        return Err(Rejection::Backwards { at, last });
    }
    check_date(calendar, at)
}

/// The event an action makes: the transition it takes, or the extension it grants.
fn act_kind(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &Replay,
    at: DateTime<FixedOffset>,
    role: RoleId,
    action: ActionId,
    values: &[Option<Value>],
) -> Result<EventKind, Rejection> {
    Ok(match workflow.action(action).kind {
        ActionKind::Transition => {
            let (transition, source) = choose_transition(workflow, replay, action, role, values)?;
            EventKind::Acted { action, transition, source }
        }
        ActionKind::Extension(clock) => {
            let extension = check_extension(workflow, calendar, replay, clock, action, role, at)?;
            EventKind::Extended { clock, extension, action }
        }
    })
}

/// An event is a fact, so a date after the calendar's data (or its projection) is recorded;
/// only a date before the data, where nothing can ever be counted, is refused.
fn check_date(calendar: &WorkingCalendar, at: DateTime<FixedOffset>) -> Result<NaiveDate, Rejection> {
    let date = calendar.zone().civil_date(at);
    if date < calendar.first_date() {
        return Err(Rejection::DateOutsideCalendar(calendar.is_working_day(date).err().unwrap_or_else(|| {
            CalendarError::DateBeforeData { calendar: calendar.id().to_owned(), date, first: calendar.first_date() }
        })));
    }
    Ok(date)
}

/// Applies events the engine itself just made, all dated `date` in the calendar's zone; they fit
/// by construction.
fn apply_all(workflow: &Workflow, replay: &mut Replay, events: &[Event], date: NaiveDate) {
    for event in events {
        let applied = replay.apply_on(workflow, event, date);
        debug_assert!(applied.is_ok(), "an event the engine made does not fit: {applied:?}");
    }
}

/// Takes every `done` step the configuration makes due, each as its own event with no actor,
/// at `at` (`date` in the calendar's zone).
fn add_done_steps(
    workflow: &Workflow,
    replay: &mut Replay,
    at: DateTime<FixedOffset>,
    date: NaiveDate,
    events: &mut Vec<Event>,
) {
    for _ in 0..DONE_CASCADE_MAX {
        let Some(state) = replay.configuration().done_due(workflow) else { return };
        let done = Event { at, actor: None, role: None, kind: EventKind::Done { state } };
        let applied = replay.apply_on(workflow, &done, date);
        debug_assert!(applied.is_ok(), "a due `done` does not fit: {applied:?}");
        events.push(done);
    }
    debug_assert!(false, "more than {DONE_CASCADE_MAX} `done` steps in a row");
}

fn resolve_role(workflow: &Workflow, name: &str) -> Result<RoleId, Rejection> {
    workflow.role_named(name).ok_or_else(|| Rejection::UnknownRole {
        role: name.to_owned(),
        suggestion: nearest(name, workflow.roles().iter().map(|role| role.name.as_str())).map(str::to_owned),
    })
}

fn resolve_action(workflow: &Workflow, name: &str) -> Result<ActionId, Rejection> {
    workflow.action_named(name).ok_or_else(|| Rejection::UnknownAction {
        action: name.to_owned(),
        suggestion: nearest(name, workflow.actions().iter().map(|action| action.name.as_str())).map(str::to_owned),
    })
}

fn parse_attribute(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    name: &str,
    text: Option<&str>,
) -> Result<(AttributeId, Option<Value>), Rejection> {
    let attribute = workflow.attribute_named(name).ok_or_else(|| Rejection::UnknownAttribute {
        attribute: name.to_owned(),
        suggestion: nearest(name, workflow.attributes().iter().map(|attribute| attribute.name.as_str()))
            .map(str::to_owned),
    })?;
    let Some(text) = text else { return Ok((attribute, None)) };
    let value = workflow
        .attribute(attribute)
        .kind
        .parse_value_in(text, calendar.zone())
        .map_err(|message| Rejection::BadValue { attribute: name.to_owned(), message })?;
    Ok((attribute, Some(value)))
}

/// The transition an action takes: one whose `from` is active, whose roles include `role` and
/// whose guard holds on `values`. Validation makes it unique; if a workflow ever slips through,
/// the lowest source state wins, then the first transition in the file.
fn choose_transition(
    workflow: &Workflow,
    replay: &Replay,
    action: ActionId,
    role: RoleId,
    values: &[Option<Value>],
) -> Result<(TransitionId, StateId), Rejection> {
    let configuration = replay.configuration();
    let mut chosen: Option<(StateId, TransitionId)> = None;
    for transition in workflow.transitions_of(action) {
        let declared = workflow.transition(*transition);
        if !declared.roles.contains(&role) || !declared.guard.as_ref().is_none_or(|guard| guard.holds(values)) {
            continue;
        }
        for source in &declared.from {
            if chosen.is_none_or(|first| (*source, *transition) < first) && configuration.is_active(workflow, *source) {
                chosen = Some((*source, *transition));
            }
        }
    }
    match chosen {
        Some((source, transition)) => Ok((transition, source)),
        None => Err(refusal(workflow, replay, action, role, values)),
    }
}

/// Why no transition of `action` can be taken: none from an active state, none `role` may take,
/// or no guard holds.
fn refusal(
    workflow: &Workflow,
    replay: &Replay,
    action: ActionId,
    role: RoleId,
    values: &[Option<Value>],
) -> Rejection {
    let configuration = replay.configuration();
    let active = configuration.active_states(workflow);
    let candidates: Vec<(TransitionId, StateId)> = active
        .iter()
        .flat_map(|state| workflow.transitions_from(*state).iter().map(move |transition| (*transition, *state)))
        .filter(|(transition, _)| workflow.transition(*transition).action == action)
        .collect();
    let action_name = || workflow.action(action).name.clone();
    if candidates.is_empty() {
        let mut allowed: Vec<String> = active
            .iter()
            .flat_map(|state| workflow.transitions_from(*state))
            .map(|transition| workflow.action(workflow.transition(*transition).action).name.clone())
            .chain(open_extensions(workflow, replay))
            .collect();
        allowed.sort();
        allowed.dedup();
        let leaves = configuration.leaves().iter().map(|leaf| workflow.state(*leaf).name.clone()).collect();
        return Rejection::NotAllowed { action: action_name(), active: leaves, allowed };
    }
    let permitted: Vec<(TransitionId, StateId)> = candidates
        .iter()
        .copied()
        .filter(|(transition, _)| workflow.transition(*transition).roles.contains(&role))
        .collect();
    if permitted.is_empty() {
        let roles = candidates.iter().flat_map(|(transition, _)| &workflow.transition(*transition).roles);
        return role_not_permitted(workflow, action, role, roles);
    }
    let guards: Vec<String> = permitted
        .iter()
        .filter_map(|(transition, _)| workflow.transition(*transition).guard.as_ref())
        .map(|guard| format!("`{}`", guard.render(workflow.attributes())))
        .collect();
    let mut read = Vec::new();
    for (transition, _) in &permitted {
        if let Some(guard) = &workflow.transition(*transition).guard {
            guard.constants(&mut read);
        }
    }
    let mut attributes: Vec<AttributeId> = read.into_iter().map(|(attribute, _)| attribute).collect();
    attributes.sort_unstable();
    attributes.dedup();
    let values = attributes
        .into_iter()
        .map(|attribute| {
            let declared = workflow.attribute(attribute);
            let shown = values[attribute.index()]
                .as_ref()
                .map_or_else(|| "unset".to_owned(), |value| value.render(&declared.kind));
            (declared.name.clone(), shown)
        })
        .collect();
    Rejection::GuardFalse { action: action_name(), guards, values }
}

/// The extension actions of the clocks that are open.
fn open_extensions(workflow: &Workflow, replay: &Replay) -> Vec<String> {
    workflow
        .clocks()
        .iter()
        .zip(replay.clocks())
        .filter(|(_, track)| track.is_open())
        .flat_map(|(clock, _)| clock.extensions.iter().map(|extension| workflow.action(extension.action).name.clone()))
        .collect()
}

/// The extension number an extension action uses, once the clock is open, within its limit, the
/// role may grant it and it has uses left.
fn check_extension(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    replay: &Replay,
    clock: ClockId,
    action: ActionId,
    role: RoleId,
    at: DateTime<FixedOffset>,
) -> Result<usize, Rejection> {
    let declared = workflow.clock(clock);
    let track = &replay.clocks()[clock.index()];
    let clock_name = || declared.name.clone();
    let action_name = || workflow.action(action).name.clone();
    if !track.is_open() {
        let status = if track.phase() == Phase::NotStarted { "not started" } else { "stopped" };
        return Err(Rejection::ClockNotRunning { clock: clock_name(), status });
    }
    let extensions: Vec<usize> = declared
        .extensions
        .iter()
        .enumerate()
        .filter(|(_, extension)| extension.action == action)
        .map(|(index, _)| index)
        .collect();
    let permitted: Vec<usize> =
        extensions.iter().copied().filter(|index| declared.extensions[*index].roles.contains(&role)).collect();
    if permitted.is_empty() {
        let roles = extensions.iter().flat_map(|index| &declared.extensions[*index].roles);
        return Err(role_not_permitted(workflow, action, role, roles));
    }
    let Some(extension) =
        permitted.iter().copied().find(|index| track.extensions_used(*index) < declared.extensions[*index].times)
    else {
        let times = declared.extensions[permitted[0]].times;
        return Err(Rejection::ExtensionCapReached { clock: clock_name(), action: action_name(), times });
    };
    let date = calendar.zone().civil_date(at);
    let now = timing(workflow, calendar, replay, date).map_err(Rejection::DateOutsideCalendar)?;
    let level = now.clocks[clock.index()].statutory.as_ref().map_or(Level::Ok, |limit| limit.level);
    if level == Level::Red {
        return Err(Rejection::ClockBreached { clock: clock_name() });
    }
    Ok(extension)
}

/// The refusal of `role` for `action`, naming the roles that may take it, sorted and once each.
fn role_not_permitted<'a>(
    workflow: &Workflow,
    action: ActionId,
    role: RoleId,
    allowed: impl Iterator<Item = &'a RoleId>,
) -> Rejection {
    let mut roles: Vec<String> = allowed.map(|role| workflow.role(*role).name.clone()).collect();
    roles.sort();
    roles.dedup();
    Rejection::RoleNotPermitted {
        action: workflow.action(action).name.clone(),
        role: workflow.role(role).name.clone(),
        roles,
    }
}
