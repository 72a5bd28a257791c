//! Applies a reform file's `reform:` block to its base's draft, in the documented order:
//! `drop_transitions`, `drop_states`, `add_states`, `add_transitions`, `parallelize`, `cut`.

use serde_saphyr::Spanned;

use super::checker::{Checker, Named};
use super::clock::{Cut, Percent, Rounding};
use super::draft::{Draft, DraftLineage, DraftReader, DraftSpan, DraftState};
use super::parallelize::parallelize;
use super::raw::{RawCut, RawReform};
use super::workflow::Workflow;

pub(crate) fn apply_reform(
    checker: &mut Checker,
    source: usize,
    reform: &Spanned<RawReform>,
    draft: &mut Draft,
    base: &std::sync::Arc<Workflow>,
) -> DraftLineage {
    let reform_at = checker.origin(source, &reform.referenced);
    let reform = &reform.value;
    let mut reader = DraftReader { checker, source };
    let rounding = reform.rounding.as_ref().and_then(|rounding| {
        let parsed = Rounding::parse(&rounding.value);
        if parsed.is_none() {
            let at = reader.at(&rounding.referenced);
            let message = format!("unknown rounding `{}`; expected `nearest`, `up` or `down`", rounding.value);
            reader.checker.error(&at, message, "unknown rounding");
        }
        parsed
    });
    for dropped in reform.drop_transitions.iter().flat_map(|list| &list.value) {
        drop_transitions(&mut reader, draft, dropped);
    }
    for dropped in reform.drop_states.iter().flat_map(|list| &list.value) {
        let name = reader.checker.named(source, dropped);
        drop_state(reader.checker, draft, &name);
    }
    if let Some(added) = &reform.add_states {
        let states = reader.states(&added.value, 0);
        draft.states.extend(states);
    }
    for added in reform.add_transitions.iter().flat_map(|list| &list.value) {
        if let Some(transition) = reader.transition(added) {
            draft.transitions.push(transition);
        }
    }
    let mut parallelized = Vec::new();
    for request in reform.parallelize.iter().flat_map(|list| &list.value) {
        if let Some(done) = parallelize(&mut reader, draft, request, base) {
            parallelized.push(done);
        }
    }
    if let Some(cut) = &reform.cut {
        match rounding {
            Some(rounding) => apply_cuts(&mut reader, draft, &cut.value, rounding),
            None if reform.rounding.is_none() => {
                let at = reader.checker.value_or_key(&reader.at(&cut.referenced), "cut");
                let help = "add `rounding: nearest` (or `up`, `down`) to the reform".to_owned();
                reader.checker.error_help(&at, "a reform with cuts needs `rounding`", "cuts here", help);
            }
            None => {}
        }
    }
    let _ = reform_at;
    DraftLineage {
        base_id: base.id.clone(),
        base_version: base.version.clone(),
        base: base.clone(),
        reform_title: reform.title.as_ref().map_or_else(String::new, |title| title.value.clone()),
        rounding,
        parallelized,
    }
}

fn drop_transitions(reader: &mut DraftReader<'_>, draft: &mut Draft, dropped: &Spanned<super::raw::RawTransitionRef>) {
    let at = reader.at(&dropped.referenced);
    let dropped = &dropped.value;
    // A missing key was reported by `keys.rs`.
    let (Some(action), Some(from)) = (&dropped.action, &dropped.from) else { return };
    let before = draft.transitions.len();
    draft.transitions.retain(|transition| {
        let matches = transition.action.name == action.value
            && transition.from.iter().any(|source| source.name == from.value)
            && dropped.to.as_ref().is_none_or(|to| transition.to.name == to.value);
        !matches
    });
    if draft.transitions.len() == before {
        let message = format!(
            "the base has no transition `{}` from `{}`{}",
            action.value,
            from.value,
            dropped.to.as_ref().map_or(String::new(), |to| format!(" to `{}`", to.value))
        );
        reader.checker.error(&at, message, "nothing to drop");
    }
}

/// Every state name in a draft tree, in order.
pub(crate) fn all_state_names(states: &[DraftState]) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending: Vec<&DraftState> = states.iter().rev().collect();
    while let Some(state) = pending.pop() {
        names.push(state.name.name.clone());
        pending.extend(state.children.iter().rev());
    }
    names
}

/// The named state in a tree of states, wherever it is.
pub(crate) fn find_state<'a>(states: &'a [DraftState], name: &str) -> Option<&'a DraftState> {
    states
        .iter()
        .find_map(|state| if state.name.name == name { Some(state) } else { find_state(&state.children, name) })
}

/// Takes the named state out of a tree of states, wherever it is.
pub(crate) fn take_state(states: &mut Vec<DraftState>, name: &str) -> Option<DraftState> {
    if let Some(position) = states.iter().position(|state| state.name.name == name) {
        return Some(states.remove(position));
    }
    states.iter_mut().find_map(|state| take_state(&mut state.children, name))
}

/// Drops a state, everything inside it and every transition from or to it, unless something that
/// stays names it (a clock, a `done`, an `initial`): then the drop is refused, once for each name
/// that holds it, and the draft is left as it was.
fn drop_state(checker: &mut Checker, draft: &mut Draft, name: &Named) {
    let Some(state) = find_state(&draft.states, &name.name) else {
        let known = all_state_names(&draft.states);
        checker.unknown("state", name, known.iter().map(String::as_str));
        return;
    };
    let gone = all_state_names(std::slice::from_ref(state));
    let holders = holders_of(draft, &gone);
    if !holders.is_empty() {
        for holder in holders {
            checker.error(&name.at, format!("cannot drop state `{}`: {holder}", name.name), "still in use");
        }
        return;
    }
    take_state(&mut draft.states, &name.name);
    draft.transitions.retain_mut(|transition| {
        transition.from.retain(|from| !gone.contains(&from.name));
        !transition.from.is_empty() && !gone.contains(&transition.to.name)
    });
}

/// What names one of the states in `gone` from outside them, one phrase for each holder:
/// ``clock `c` names `s` ``, ``` `done` of `p` names `s` ```, ``` `initial` of `p` names `s` ```,
/// ``the workflow's `initial` names `s` ``.
fn holders_of(draft: &Draft, gone: &[String]) -> Vec<String> {
    let is_gone = |named: &&Named| gone.contains(&named.name);
    let mut holders = Vec::new();
    if let Some(initial) = draft.initial.as_ref().filter(is_gone) {
        holders.push(format!("the workflow's `initial` names `{}`", initial.name));
    }
    let mut pending: Vec<&DraftState> = draft.states.iter().rev().collect();
    while let Some(state) = pending.pop() {
        if gone.contains(&state.name.name) {
            continue;
        }
        if let Some(done) = state.done.as_ref().filter(is_gone) {
            holders.push(format!("`done` of `{}` names `{}`", state.name.name, done.name));
        }
        if let Some(initial) = state.initial.as_ref().filter(is_gone) {
            holders.push(format!("`initial` of `{}` names `{}`", state.name.name, initial.name));
        }
        pending.extend(state.children.iter().rev());
    }
    for clock in &draft.clocks {
        let mut named: Vec<&Named> = clock.pauses.iter().map(|pause| &pause.state).collect();
        named.extend(&clock.restart_entering);
        match &clock.span {
            Some(DraftSpan::Between { from, until }) => named.extend(from.iter().chain(until)),
            Some(DraftSpan::Over(states)) => named.extend(states),
            None => {}
        }
        if let Some(used) = named.iter().copied().find(is_gone) {
            holders.push(format!("clock `{}` names `{}`", clock.name.name, used.name));
        }
    }
    holders
}

fn apply_cuts(reader: &mut DraftReader<'_>, draft: &mut Draft, cut: &RawCut, rounding: Rounding) {
    let mut by_stage: Vec<(String, Percent, super::checker::Origin)> = Vec::new();
    for (stage, percent) in cut.stages.iter().flat_map(|map| &map.value.0) {
        let name = reader.checker.named(reader.source, stage);
        if !draft.stages.iter().any(|(known, _)| known.name == name.name) {
            let message =
                match crate::core::suggest::nearest(&name.name, draft.stages.iter().map(|(s, _)| s.name.as_str())) {
                    Some(near) => format!("the base has no stage `{}`; did you mean `{near}`?", name.name),
                    None => format!("the base has no stage `{}`", name.name),
                };
            reader.checker.error(&name.at, message, "no such stage");
            continue;
        }
        if let Some(percent) = reader.percent(percent) {
            by_stage.push((name.name, percent, name.at));
        }
    }
    let mut by_clock: Vec<(String, Percent, super::checker::Origin)> = Vec::new();
    for (clock, percent) in cut.clocks.iter().flat_map(|map| &map.value.0) {
        let name = reader.checker.named(reader.source, clock);
        if !draft.clocks.iter().any(|known| known.name.name == name.name) {
            let message =
                match crate::core::suggest::nearest(&name.name, draft.clocks.iter().map(|c| c.name.name.as_str())) {
                    Some(near) => format!("the base has no clock `{}`; did you mean `{near}`?", name.name),
                    None => format!("the base has no clock `{}`", name.name),
                };
            reader.checker.error(&name.at, message, "no such clock");
            continue;
        }
        if let Some(percent) = reader.percent(percent) {
            by_clock.push((name.name, percent, name.at));
        }
    }
    for clock in &mut draft.clocks {
        let named = by_clock.iter().find(|(name, _, _)| *name == clock.name.name);
        let staged = || {
            let stage = clock.stage.as_ref()?;
            by_stage.iter().find(|(name, _, _)| *name == stage.name)
        };
        let (by_name, (_, percent, at)) = match (named, staged()) {
            (Some(cut), _) => (true, cut),
            (None, Some(cut)) => (false, cut),
            (None, None) => continue,
        };
        if clock.limit_from.is_some() || clock.promised_from.is_some() {
            let message = format!(
                "clock `{}` takes its limit from each case's attribute; a reform cannot cut it by a percentage",
                clock.name.name
            );
            reader.checker.error(at, message, "limit per case");
            continue;
        }
        let (limit, _) = clock.limit;
        let mut cut_limit = limit;
        cut_limit.amount = rounding.apply(limit.amount, *percent);
        if cut_limit.amount == 0 {
            let message = format!("cutting clock `{}` ({limit}) by {percent} leaves no time", clock.name.name);
            reader.checker.error(at, message, "cut too deep");
            continue;
        }
        let promised_before = clock.promised.as_ref().map(|(period, _)| *period);
        if let Some((promised, _)) = &mut clock.promised {
            promised.amount = rounding.apply(promised.amount, *percent).max(1);
        }
        clock.cuts.push(Cut { percent: *percent, rounding, limit_before: limit, promised_before, by_name });
        clock.limit.0 = cut_limit;
    }
}
