//! `parallelize`: turns a serial sequence of compound states into one parallel state, by the rules
//! in docs/workflow-language.md ("turning a serial sequence into a parallel state").

use serde_saphyr::Spanned;

use super::checker::Named;
use super::draft::{Draft, DraftParallelized, DraftReader, DraftSpan, DraftState, DraftTransition, Shape};
use super::guard_parse::Expr;
use super::raw::RawParallelize;
use super::reform::{all_state_names, take_state};

/// The sequence being made parallel: its states' names and the names inside each.
struct Sequence {
    parallel: String,
    heads: Vec<String>,
    members: Vec<Vec<String>>,
}

impl Sequence {
    /// Which sequence state a name lies in.
    fn position(&self, name: &str) -> Option<usize> {
        self.members.iter().position(|members| members.iter().any(|member| member == name))
    }

    fn copy_name(&self, name: &str) -> String {
        format!("{}.{name}", self.parallel)
    }

    fn link_final(&self, index: usize) -> String {
        format!("{}.{}.done", self.parallel, self.heads[index])
    }
}

pub(crate) fn parallelize(
    reader: &mut DraftReader<'_>,
    draft: &mut Draft,
    request: &Spanned<RawParallelize>,
) -> Option<DraftParallelized> {
    let request = &request.value;
    let parallel_name = reader.name(&request.name, false);
    let heads: Vec<Named> =
        request.sequence.value.iter().map(|name| reader.checker.named(reader.source, name)).collect();
    let when = request.when.as_ref().and_then(|when| reader.guard(when));
    if request.when.is_some() && when.is_none() {
        return None;
    }
    let sequence = check_sequence(reader, draft, &heads, &parallel_name, &request.sequence)?;
    let link_targets = link_transitions(reader, draft, &sequence)?;
    let mut regions = Vec::new();
    let mut originals = Vec::new();
    for (index, head) in heads.iter().enumerate() {
        let original = find_state(&draft.states, &head.name)?.clone();
        let mut region = copy_state(&original, &sequence);
        region.shape = Shape::Compound;
        region.done = None;
        if link_targets.contains(&index) {
            let name = Named { name: sequence.link_final(index), at: head.at.clone() };
            region.children.push(DraftState {
                name,
                title: None,
                shape: Shape::Final,
                initial: None,
                done: None,
                children: Vec::new(),
            });
        }
        regions.push(region);
        originals.push(original);
    }
    let last_done = originals.last().and_then(|last| last.done.clone());
    let parallel = DraftState {
        name: parallel_name.clone(),
        title: request.title.as_ref().map(|title| title.value.clone()),
        shape: Shape::Parallel,
        initial: None,
        done: last_done,
        children: regions,
    };
    rewrite_transitions(draft, &sequence, &parallel_name, when.as_ref());
    rewrite_clocks(draft, &sequence, when.is_some());
    place_parallel(draft, &sequence, parallel, when.is_some());
    Some(DraftParallelized { state: parallel_name.name, sequence: sequence.heads, when })
}

fn check_sequence(
    reader: &mut DraftReader<'_>,
    draft: &Draft,
    heads: &[Named],
    parallel: &Named,
    written: &Spanned<Vec<Spanned<String>>>,
) -> Option<Sequence> {
    let known = all_state_names(&draft.states);
    if heads.len() < 2 {
        let at = reader.at(&written.referenced);
        reader.checker.error(&at, "`sequence` needs at least two states", "too short");
        return None;
    }
    if known.contains(&parallel.name) {
        reader.checker.error(&parallel.at, format!("state `{}` already exists", parallel.name), "taken");
        return None;
    }
    let mut ok = true;
    let mut members = Vec::new();
    let parent_of = |name: &str| parent_name(&draft.states, name, "");
    for (index, head) in heads.iter().enumerate() {
        let Some(state) = find_state(&draft.states, &head.name) else {
            reader.checker.unknown("state", head, known.iter().map(String::as_str));
            ok = false;
            continue;
        };
        if state.shape != Shape::Compound || state.done.is_none() {
            let message = format!(
                "`{}` must be a compound state with `done` to be made parallel; wrap a single step in one",
                head.name
            );
            reader.checker.error(&head.at, message, "not a compound state");
            ok = false;
        }
        if index > 0 && parent_of(&head.name) != parent_of(&heads[0].name) {
            let message = format!("`{}` and `{}` are not at the same level", heads[0].name, head.name);
            reader.checker.error(&head.at, message, "another level");
            ok = false;
        }
        if let (Some(next), Some(done)) = (heads.get(index + 1), &state.done)
            && done.name != next.name
        {
            let message = format!("`{}` is followed by `{}`, not `{}`", head.name, done.name, next.name);
            reader.checker.error(&next.at, message, "not the next state");
            ok = false;
        }
        members.push(all_state_names(std::slice::from_ref(state)));
    }
    ok.then(|| Sequence {
        parallel: parallel.name.clone(),
        heads: heads.iter().map(|head| head.name.clone()).collect(),
        members,
    })
}

/// Checks transitions between sequence states; returns the states left by a direct transition to
/// the next one (those regions get a final state for it).
fn link_transitions(reader: &mut DraftReader<'_>, draft: &Draft, sequence: &Sequence) -> Option<Vec<usize>> {
    let mut links = Vec::new();
    let mut ok = true;
    for transition in &draft.transitions {
        let positions: Vec<Option<usize>> = transition.from.iter().map(|from| sequence.position(&from.name)).collect();
        let Some(Some(from)) = positions.first().copied() else { continue };
        if positions.iter().any(|position| *position != Some(from)) {
            let message = format!(
                "transition `{}` starts both inside and outside `{}`; split it to make the sequence parallel",
                transition.action.name, sequence.heads[from]
            );
            reader.checker.error(&transition.action.at, message, "mixed `from`");
            ok = false;
            continue;
        }
        match sequence.position(&transition.to.name) {
            Some(to) if to == from => {}
            Some(to) if to == from + 1 && transition.to.name == sequence.heads[to] => links.push(from),
            Some(to) => {
                let message = format!(
                    "transition `{}` goes from `{}` into `{}`; steps between the states of a sequence cannot run in parallel",
                    transition.action.name, sequence.heads[from], sequence.heads[to]
                );
                reader.checker.error(&transition.to.at, message, "across the sequence");
                ok = false;
            }
            None => {}
        }
    }
    ok.then_some(links)
}

fn find_state<'a>(states: &'a [DraftState], name: &str) -> Option<&'a DraftState> {
    states.iter().find_map(
        |state| {
            if state.name.name == name { Some(state) } else { find_state(&state.children, name) }
        },
    )
}

/// The name of the state holding `name` (`""` at the top level); `None` when there is no such state.
fn parent_name(states: &[DraftState], name: &str, parent: &str) -> Option<String> {
    for state in states {
        if state.name.name == name {
            return Some(parent.to_owned());
        }
        if let Some(found) = parent_name(&state.children, name, &state.name.name) {
            return Some(found);
        }
    }
    None
}

/// A copy of a sequence state and everything inside it, every name prefixed.
fn copy_state(state: &DraftState, sequence: &Sequence) -> DraftState {
    let rename = |named: &Named| Named { name: sequence.copy_name(&named.name), at: named.at.clone() };
    let rename_if_inside = |named: &Named| {
        if sequence.position(&named.name).is_some() { rename(named) } else { named.clone() }
    };
    DraftState {
        name: rename(&state.name),
        title: state.title.clone(),
        shape: state.shape,
        initial: state.initial.as_ref().map(rename),
        done: state.done.as_ref().map(rename_if_inside),
        children: state.children.iter().map(|child| copy_state(child, sequence)).collect(),
    }
}

fn rewrite_transitions(draft: &mut Draft, sequence: &Sequence, parallel: &Named, when: Option<&Expr>) {
    let rename = |named: &Named| Named { name: sequence.copy_name(&named.name), at: named.at.clone() };
    let mut result: Vec<DraftTransition> = Vec::with_capacity(draft.transitions.len());
    for transition in draft.transitions.drain(..) {
        let from = transition.from.first().and_then(|from| sequence.position(&from.name));
        match from {
            Some(from) => {
                let mut copy = transition.clone();
                copy.from = transition.from.iter().map(rename).collect();
                copy.to = match sequence.position(&transition.to.name) {
                    Some(to) if to == from => rename(&transition.to),
                    Some(_) => Named { name: sequence.link_final(from), at: transition.to.at.clone() },
                    None => transition.to.clone(),
                };
                if when.is_some() {
                    result.push(transition);
                }
                result.push(copy);
            }
            None if transition.to.name == sequence.heads[0] => match when {
                None => {
                    let mut entry = transition;
                    entry.to = Named { name: parallel.name.clone(), at: entry.to.at.clone() };
                    result.push(entry);
                }
                Some(when) => {
                    let mut serial = transition.clone();
                    serial.guard = Some(conjoin(transition.guard.clone(), Expr::Not(Box::new(when.clone()))));
                    let mut entry = transition;
                    entry.guard = Some(conjoin(entry.guard.take(), when.clone()));
                    entry.to = Named { name: parallel.name.clone(), at: entry.to.at.clone() };
                    result.push(serial);
                    result.push(entry);
                }
            },
            None => result.push(transition),
        }
    }
    draft.transitions = result;
}

fn conjoin(guard: Option<Expr>, extra: Expr) -> Expr {
    match guard {
        Some(guard) => Expr::And(Box::new(guard), Box::new(extra)),
        None => extra,
    }
}

/// Clocks keep their spans: a name inside the sequence also names (with `when`) or instead
/// names (without) its copy.
fn rewrite_clocks(draft: &mut Draft, sequence: &Sequence, keep_serial: bool) {
    let map = |names: &mut Vec<Named>| {
        let mut result = Vec::with_capacity(names.len() * 2);
        for named in names.drain(..) {
            if sequence.position(&named.name).is_some() {
                let copy = Named { name: sequence.copy_name(&named.name), at: named.at.clone() };
                if keep_serial {
                    result.push(named);
                }
                result.push(copy);
            } else {
                result.push(named);
            }
        }
        *names = result;
    };
    for clock in &mut draft.clocks {
        match &mut clock.span {
            Some(DraftSpan::Between { from, until }) => {
                map(from);
                map(until);
            }
            Some(DraftSpan::Over(states)) => map(states),
            None => {}
        }
        map(&mut clock.restart_entering);
        let mut pauses = Vec::with_capacity(clock.pauses.len());
        for pause in clock.pauses.drain(..) {
            if sequence.position(&pause.state.name).is_some() {
                let mut copy = pause.clone();
                copy.state.name = sequence.copy_name(&pause.state.name);
                if keep_serial {
                    pauses.push(pause);
                }
                pauses.push(copy);
            } else {
                pauses.push(pause);
            }
        }
        clock.pauses = pauses;
    }
}

/// Puts the parallel state where the sequence was (without `when`, removing it) or right after it.
fn place_parallel(draft: &mut Draft, sequence: &Sequence, parallel: DraftState, keep_serial: bool) {
    let anchor = if keep_serial { sequence.heads.last() } else { sequence.heads.first() };
    let Some(anchor) = anchor.cloned() else { return };
    let container = container_of(&mut draft.states, &anchor);
    let Some(container) = container else { return };
    let Some(position) = container.iter().position(|state| state.name.name == anchor) else { return };
    if keep_serial {
        container.insert(position + 1, parallel);
        return;
    }
    container.insert(position, parallel);
    for head in &sequence.heads {
        take_state(container, head);
    }
}

fn container_of<'a>(states: &'a mut Vec<DraftState>, name: &str) -> Option<&'a mut Vec<DraftState>> {
    if states.iter().any(|state| state.name.name == name) {
        return Some(states);
    }
    states.iter_mut().find_map(|state| container_of(&mut state.children, name))
}
