//! `parallelize`: turns a serial sequence of compound states into one parallel state, by the rules
//! in docs/workflow-language.md ("turning a serial sequence into a parallel state").

use std::collections::HashMap;

use serde_saphyr::Spanned;

use super::checker::Named;
use super::draft::{Draft, DraftParallelized, DraftReader, DraftSpan, DraftState, DraftTransition, Shape};
use super::guard_check::check_guard;
use super::guard_parse::Expr;
use super::ids::AttributeId;
use super::raw::RawParallelize;
use super::reform::{all_state_names, find_state, take_state};
use super::workflow::Workflow;

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

    /// The final state added to region `P.Si` for a forward step from inside `Si` into `S(i+1)`:
    /// `P.Si-done`. No copy can take the name: a copy is `P.` and the name of a state inside the
    /// sequence, and no such name is `Si-done` (a `-` is only ever in such added names, after a
    /// parallel state's name and a `.`).
    fn link_final(&self, index: usize) -> String {
        format!("{}.{}-done", self.parallel, self.heads[index])
    }
}

pub(crate) fn parallelize(
    reader: &mut DraftReader<'_>,
    draft: &mut Draft,
    request: &Spanned<RawParallelize>,
    base: &Workflow,
) -> Option<DraftParallelized> {
    let request = &request.value;
    // A missing key was reported by `keys.rs`.
    let (Some(name), Some(written_sequence)) = (&request.name, &request.sequence) else { return None };
    let parallel_name = reader.name(name, false);
    let heads: Vec<Named> =
        written_sequence.value.iter().map(|name| reader.checker.named(reader.source, name)).collect();
    // `when` is typed here, once: it is copied into the guards of the entry and of the serial path
    // and into the lineage, and each copy would report the same problem. A reform cannot change
    // attributes, so the base's are the draft's.
    let when = match &request.when {
        None => Some(None),
        Some(written) => reader.guard(written).filter(|when| typed(reader, when, base)).map(Some),
    };
    let sequence = check_sequence(reader, draft, &heads, &parallel_name, written_sequence);
    let (Some(when), Some(sequence)) = (when, sequence) else { return None };
    let link_targets = check_transitions(reader, draft, &sequence, when.is_some())?;
    check_new_names(reader, draft, &sequence, &link_targets, &parallel_name)?;
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

/// Whether `when` type-checks against the base's attributes; its problems are reported.
fn typed(reader: &mut DraftReader<'_>, when: &Expr, base: &Workflow) -> bool {
    let attributes = base.attributes();
    let by_name: HashMap<String, AttributeId> = attributes
        .iter()
        .enumerate()
        .map(|(index, attribute)| (attribute.name.clone(), AttributeId(index as u16)))
        .collect();
    check_guard(reader.checker, when, attributes, &by_name).is_some()
}

/// Rule 1. The names are checked first; when one is unknown (or the request is malformed) the
/// structural rules are not, since they would only repeat that problem.
fn check_sequence(
    reader: &mut DraftReader<'_>,
    draft: &Draft,
    heads: &[Named],
    parallel: &Named,
    written: &Spanned<Vec<Spanned<String>>>,
) -> Option<Sequence> {
    let known = all_state_names(&draft.states);
    let mut ok = true;
    for head in heads {
        if find_state(&draft.states, &head.name).is_none() {
            reader.checker.unknown("state", head, known.iter().map(String::as_str));
            ok = false;
        }
    }
    if heads.len() < 2 {
        let at = reader.checker.value_or_key(&reader.at(&written.referenced), "sequence");
        reader.checker.error(&at, "`sequence` needs at least two states", "too short");
        ok = false;
    }
    if known.contains(&parallel.name) {
        reader.checker.error(&parallel.at, format!("state `{}` already exists", parallel.name), "taken");
        ok = false;
    }
    if !ok {
        return None;
    }
    let mut members = Vec::new();
    let parent_of = |name: &str| parent_name(&draft.states, name, "");
    for (index, head) in heads.iter().enumerate() {
        let state = find_state(&draft.states, &head.name)?;
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

/// Rules 3 and 4: checks every transition that starts or ends in the sequence, whichever of its
/// `from` states does; returns the sequence states left by a forward step into the next one (their
/// regions get a final state for it). `keep_serial` is whether the request has `when`.
fn check_transitions(
    reader: &mut DraftReader<'_>,
    draft: &Draft,
    sequence: &Sequence,
    keep_serial: bool,
) -> Option<Vec<usize>> {
    let mut links = Vec::new();
    let mut ok = true;
    for transition in &draft.transitions {
        let positions: Vec<Option<usize>> = transition.from.iter().map(|from| sequence.position(&from.name)).collect();
        let mut inside: Vec<usize> = positions.iter().flatten().copied().collect();
        inside.sort_unstable();
        inside.dedup();
        let to = sequence.position(&transition.to.name);
        let action = &transition.action.name;
        if inside.is_empty() {
            let Some(to) = to else { continue };
            if keep_serial || transition.to.name == sequence.heads[0] {
                continue;
            }
            let target = &transition.to.name;
            let head = &sequence.heads[to];
            let inside_head = if target == head { ",".to_owned() } else { format!(", inside `{head}`,") };
            let message = format!(
                "transition `{action}` enters `{target}`{inside_head} which `parallelize` turns into a region of `{}`; only the first state of the sequence, `{}`, may be entered from outside",
                sequence.parallel, sequence.heads[0]
            );
            let help = format!(
                "enter `{}` instead, or give the `parallelize` entry a `when` to keep the serial path",
                sequence.heads[0]
            );
            reader.checker.error_help(&transition.to.at, message, "into the sequence", help);
            ok = false;
            continue;
        }
        if positions.contains(&None) {
            let message = format!(
                "transition `{action}` starts both inside and outside `{}`; split it to make the sequence parallel",
                sequence.heads[inside[0]]
            );
            reader.checker.error(&transition.action.at, message, "mixed `from`");
            ok = false;
            continue;
        }
        let &[from] = inside.as_slice() else {
            if to.is_some() {
                let message = format!(
                    "transition `{action}` starts in both `{}` and `{}` and ends inside the sequence; split it to make the sequence parallel",
                    sequence.heads[inside[0]], sequence.heads[inside[1]]
                );
                reader.checker.error(&transition.action.at, message, "several regions");
                ok = false;
            }
            continue;
        };
        match to {
            Some(to) if to == from => {}
            Some(to) if to == from + 1 && transition.to.name == sequence.heads[to] => links.push(from),
            Some(to) => {
                let message = format!(
                    "transition `{action}` goes from `{}` into `{}`; steps between the states of a sequence cannot run in parallel",
                    sequence.heads[from], sequence.heads[to]
                );
                reader.checker.error(&transition.to.at, message, "across the sequence");
                ok = false;
            }
            None => {}
        }
    }
    ok.then_some(links)
}

/// The states `parallelize` adds (the copies and the finals of forward steps) must be new. Their
/// names are made so (`.` and `-` are in no name a user writes), but an earlier reform in the chain
/// makes names of the same shape.
fn check_new_names(
    reader: &mut DraftReader<'_>,
    draft: &Draft,
    sequence: &Sequence,
    links: &[usize],
    parallel: &Named,
) -> Option<()> {
    let known = all_state_names(&draft.states);
    let copies = sequence.members.iter().flatten().map(|member| sequence.copy_name(member));
    let finals = links.iter().map(|index| sequence.link_final(*index));
    let mut ok = true;
    for name in copies.chain(finals) {
        if known.contains(&name) {
            let message = format!("`parallelize` would add state `{name}`, which already exists");
            reader.checker.error(&parallel.at, message, "taken");
            ok = false;
        }
    }
    ok.then_some(())
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
        // `check_transitions` made sure that a transition starting in the sequence starts only there.
        let from = transition.from.iter().find_map(|from| sequence.position(&from.name));
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
