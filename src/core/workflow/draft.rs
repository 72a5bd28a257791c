//! `Draft`: a workflow with names still as text, each remembering where it was written. A base
//! file is read into a draft here; a reform edits the draft (`reform.rs`); `resolve.rs` turns the
//! final draft into a `Workflow`, checking every name and rule once, whichever file wrote it.

use serde_saphyr::Spanned;

use super::attribute::AttributeType;
use super::checker::{Checker, Named, Origin};
use super::clock::{Cut, Percent};
use super::guard_parse::{Expr, parse_guard};
use super::raw::{Names, RawClock, RawState, RawStates, RawTransition, RawWorkflowFile};
use super::raw_limit::RawLimit;
use crate::core::calendar::{Period, PeriodUnit};
use crate::core::spanned_map::SpannedMap;

/// Most states, transitions or clocks in one workflow.
pub const STATES_MAX: usize = 2_000;
pub const TRANSITIONS_MAX: usize = 10_000;
pub const CLOCKS_MAX: usize = 2_000;
/// Most roles, actions, attributes or stages of one kind in a workflow (ids are 16-bit).
pub const NAMES_MAX: usize = 4_096;
/// Longest name (of the workflow, a state, role, action, attribute, value, stage or clock, in
/// a definition or a reference) and longest `version` or calendar id, in characters: ids are
/// kept and shown whole, and a longer one is no likely misspelling of a shorter one.
pub const NAME_CHARS_MAX: usize = 128;
/// Most values of one enum attribute.
pub const ENUM_VALUES_MAX: usize = 256;
/// Deepest nesting of compound and parallel states.
pub const STATE_DEPTH_MAX: usize = 16;

#[derive(Clone, Debug)]
pub(crate) struct Draft {
    pub(crate) id: Named,
    pub(crate) version: Named,
    pub(crate) title: Option<String>,
    pub(crate) calendar: Named,
    pub(crate) roles: Vec<(Named, String)>,
    pub(crate) actions: Option<Vec<(Named, Option<String>)>>,
    pub(crate) attributes: Vec<DraftAttribute>,
    pub(crate) stages: Vec<(Named, String)>,
    pub(crate) initial: Option<Named>,
    pub(crate) states: Vec<DraftState>,
    pub(crate) transitions: Vec<DraftTransition>,
    pub(crate) clocks: Vec<DraftClock>,
    pub(crate) lineage: Vec<DraftLineage>,
}

#[derive(Clone, Debug)]
pub(crate) struct DraftAttribute {
    pub(crate) name: Named,
    pub(crate) title: Option<String>,
    pub(crate) kind: AttributeType,
    pub(crate) default: Option<(String, Origin)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Plain,
    Final,
    Compound,
    Parallel,
}

#[derive(Clone, Debug)]
pub(crate) struct DraftState {
    pub(crate) name: Named,
    pub(crate) title: Option<String>,
    pub(crate) shape: Shape,
    pub(crate) initial: Option<Named>,
    pub(crate) done: Option<Named>,
    pub(crate) children: Vec<DraftState>,
}

#[derive(Clone, Debug)]
pub(crate) struct DraftTransition {
    pub(crate) action: Named,
    pub(crate) from: Vec<Named>,
    pub(crate) to: Named,
    pub(crate) by: Vec<Named>,
    pub(crate) guard: Option<Expr>,
    pub(crate) title: Option<String>,
    pub(crate) at: Origin,
}

#[derive(Clone, Debug)]
pub(crate) enum DraftSpan {
    Between { from: Vec<Named>, until: Vec<Named> },
    Over(Vec<Named>),
}

#[derive(Clone, Debug)]
pub(crate) struct DraftClock {
    pub(crate) name: Named,
    pub(crate) title: Option<String>,
    pub(crate) stage: Option<Named>,
    pub(crate) matter: bool,
    pub(crate) basis: Option<String>,
    /// The written limit; for a limit taken from each case (`limit_from`), its unit alone
    /// matters (the amount is 0).
    pub(crate) limit: (Period, Origin),
    pub(crate) limit_from: Option<DraftLimitFrom>,
    pub(crate) promised: Option<(Period, Origin)>,
    /// An attribute that sets each case's promised limit.
    pub(crate) promised_from: Option<Named>,
    pub(crate) span: Option<DraftSpan>,
    pub(crate) pauses: Vec<DraftPause>,
    pub(crate) restart_on: Vec<Named>,
    pub(crate) restart_entering: Vec<Named>,
    pub(crate) extensions: Vec<DraftExtension>,
    pub(crate) within: Option<Named>,
    pub(crate) warn_at: Vec<Percent>,
    pub(crate) warn_before: Vec<(Period, Origin)>,
    pub(crate) cuts: Vec<Cut>,
}

/// Where each case's limit comes from, by name (resolved with the attributes).
#[derive(Clone, Debug)]
pub(crate) enum DraftLimitFrom {
    Attribute(Named),
    DueDate(Named),
}

#[derive(Clone, Debug)]
pub(crate) struct DraftPause {
    pub(crate) state: Named,
    pub(crate) basis: String,
    pub(crate) max: Option<(Period, Origin)>,
}

#[derive(Clone, Debug)]
pub(crate) struct DraftExtension {
    pub(crate) by: (Period, Origin),
    pub(crate) times: u32,
    pub(crate) action: Named,
    pub(crate) roles: Vec<Named>,
    pub(crate) basis: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct DraftLineage {
    pub(crate) base_id: String,
    pub(crate) base_version: String,
    pub(crate) base: std::sync::Arc<super::workflow::Workflow>,
    pub(crate) reform_title: String,
    pub(crate) rounding: Option<super::clock::Rounding>,
    pub(crate) parallelized: Vec<DraftParallelized>,
}

#[derive(Clone, Debug)]
pub(crate) struct DraftParallelized {
    pub(crate) state: String,
    pub(crate) sequence: Vec<String>,
    pub(crate) when: Option<Expr>,
}

/// Reads one file into draft parts; `source` is its index in the checker.
pub(crate) struct DraftReader<'c> {
    pub(crate) checker: &'c mut Checker,
    pub(crate) source: usize,
}

impl DraftReader<'_> {
    pub(crate) fn at(&self, location: &serde_saphyr::Location) -> Origin {
        self.checker.origin(self.source, location)
    }

    /// A name, checked for shape: letters, digits and `_` (and `-` when `dash` is allowed).
    pub(crate) fn name(&mut self, spanned: &Spanned<String>, dash: bool) -> Named {
        let named = self.checker.named(self.source, spanned);
        if !is_valid_name(&named.name, dash) {
            let allowed = if dash { "letters, digits, `_` and `-`" } else { "letters, digits and `_`" };
            let message = format!("`{}` is not a valid name: use {allowed}, not starting with a digit", named.name);
            self.checker.error(&named.at, message, "invalid name");
        }
        named
    }

    pub(crate) fn names(&mut self, spanned: &Spanned<Names>) -> Vec<Named> {
        let at = self.at(&spanned.referenced);
        if spanned.value.0.is_empty() {
            self.checker.error(&at, "expected at least one name", "empty list");
        }
        let names: Vec<Named> = spanned
            .value
            .0
            .iter()
            .map(|name| Named { name: name.clone(), at: self.checker.name_in(&at, name) })
            .collect();
        for named in &names {
            self.checker.expect_name_length(named);
        }
        names
    }

    /// A `limit` or `promised`: a period, or where each case's comes from with the period's unit
    /// (amount 0). A promised limit's unit may be left out: it is then the limit's, checked
    /// when the clock is resolved.
    fn limit(&mut self, spanned: &Spanned<RawLimit>) -> Option<((Period, Origin), Option<DraftLimitFrom>)> {
        let at = self.at(&spanned.referenced);
        let (attribute, unit, due) = match &spanned.value {
            RawLimit::Period(text) => {
                let text = Spanned::new(text.clone(), spanned.referenced, spanned.defined);
                return self.period(&text).map(|period| (period, None));
            }
            RawLimit::Attribute { attribute, unit } => (attribute, unit, false),
            RawLimit::Due { attribute, unit } => (attribute, unit, true),
        };
        let named = Named { name: attribute.clone(), at: at.clone() };
        let unit = match unit.as_deref().map(str::parse::<PeriodUnit>) {
            None if due => PeriodUnit::CalendarDays,
            None => PeriodUnit::WorkingDays,
            Some(Ok(unit)) => unit,
            Some(Err(error)) => {
                self.checker.error(&at, error.to_string(), "not a unit");
                return None;
            }
        };
        if due && !matches!(unit, PeriodUnit::WorkingDays | PeriodUnit::CalendarDays) {
            let message = format!("a limit up to a due date is counted in `wd` or `cd`, not `{unit}`");
            self.checker.error(&at, message, "not a count unit");
            return None;
        }
        let from = if due { DraftLimitFrom::DueDate(named) } else { DraftLimitFrom::Attribute(named) };
        Some(((Period::new(0, unit), at), Some(from)))
    }

    pub(crate) fn period(&mut self, spanned: &Spanned<String>) -> Option<(Period, Origin)> {
        let at = self.at(&spanned.referenced);
        match spanned.value.parse::<Period>() {
            Ok(period) if period.amount <= 0 => {
                self.checker.error(&at, format!("period `{period}` must be longer than zero"), "not positive");
                None
            }
            Ok(period) if period.amount > period.unit.amount_max() => {
                let message =
                    format!("period `{period}` is beyond the limit of {} {}", period.unit.amount_max(), period.unit);
                self.checker.error(&at, message, "too long");
                None
            }
            Ok(period) => Some((period, at)),
            Err(error) => {
                self.checker.error(&at, error.to_string(), "not a period");
                None
            }
        }
    }

    pub(crate) fn percent(&mut self, spanned: &Spanned<String>) -> Option<Percent> {
        match Percent::parse(&spanned.value) {
            Ok(percent) => Some(percent),
            Err(message) => {
                let at = self.at(&spanned.referenced);
                self.checker.error(&at, message, "not a percentage");
                None
            }
        }
    }

    pub(crate) fn guard(&mut self, spanned: &Spanned<String>) -> Option<Expr> {
        let at = self.at(&spanned.referenced);
        parse_guard(self.checker, &at, &spanned.value)
    }

    pub(crate) fn titled_names(&mut self, map: &SpannedMap<String, Spanned<String>>) -> Vec<(Named, String)> {
        map.0.iter().map(|(key, title)| (self.name(key, false), title.value.clone())).collect()
    }

    pub(crate) fn states(&mut self, map: &RawStates, depth: usize) -> Vec<DraftState> {
        map.0.iter().map(|(key, state)| self.state(key, state.as_ref(), depth)).collect()
    }

    fn state(&mut self, key: &Spanned<String>, raw: Option<&Spanned<RawState>>, depth: usize) -> DraftState {
        let name = self.name(key, false);
        let mut state =
            DraftState { name, title: None, shape: Shape::Plain, initial: None, done: None, children: Vec::new() };
        let Some(raw) = raw else { return state };
        let raw = &raw.value;
        if depth >= STATE_DEPTH_MAX {
            let message = format!("states are nested more than {STATE_DEPTH_MAX} deep");
            self.checker.error(&state.name.at, message, "too deep");
            return state;
        }
        state.title = raw.title.as_ref().map(|title| title.value.clone());
        state.initial = raw.initial.as_ref().map(|initial| self.checker.named(self.source, initial));
        state.done = raw.done.as_ref().map(|done| self.checker.named(self.source, done));
        let is_final = raw.is_final.as_ref().is_some_and(|flag| flag.value);
        match (&raw.states, &raw.parallel) {
            (Some(children), None) => {
                state.shape = Shape::Compound;
                state.children = self.states(&children.value, depth + 1);
            }
            (None, Some(regions)) => {
                state.shape = Shape::Parallel;
                state.children = self.states(&regions.value, depth + 1);
                for region in &mut state.children {
                    if region.shape == Shape::Plain {
                        region.shape = Shape::Compound;
                    }
                }
            }
            (Some(_), Some(parallel)) => {
                let at = self.checker.value_or_key(&self.at(&parallel.referenced), "parallel");
                self.checker.error(
                    &at,
                    format!("state `{}` has both `states` and `parallel`", state.name.name),
                    "here",
                );
            }
            (None, None) => {
                if let Some(initial) = &raw.initial {
                    let at = self.at(&initial.referenced);
                    self.checker.error(&at, "`initial` needs `states`", "no children");
                }
            }
        }
        if is_final {
            if state.shape == Shape::Plain {
                state.shape = Shape::Final;
            } else {
                let at = raw.is_final.as_ref().map_or(state.name.at.clone(), |flag| self.at(&flag.referenced));
                self.checker.error(
                    &at,
                    format!("state `{}` has children and cannot be final", state.name.name),
                    "here",
                );
            }
        }
        state
    }

    /// `None` when a required key is missing (`keys.rs` reported it).
    pub(crate) fn transition(&mut self, raw: &Spanned<RawTransition>) -> Option<DraftTransition> {
        let at = self.at(&raw.referenced);
        let raw = &raw.value;
        let (Some(action), Some(from), Some(to), Some(by)) = (&raw.action, &raw.from, &raw.to, &raw.by) else {
            return None;
        };
        Some(DraftTransition {
            action: self.name(action, false),
            from: self.names(from),
            to: self.checker.named(self.source, to),
            by: self.names(by),
            guard: raw.guard.as_ref().and_then(|guard| self.guard(guard)),
            title: raw.title.as_ref().map(|title| title.value.clone()),
            at,
        })
    }

    pub(crate) fn clock(&mut self, key: &Spanned<String>, raw: &Spanned<RawClock>) -> Option<DraftClock> {
        let name = self.name(key, false);
        let clock_at = self.checker.value_or_key(&self.at(&raw.referenced), &name.name);
        let raw = &raw.value;
        // A missing `limit` was reported by `keys.rs`; the rest of the clock is still checked.
        let (limit, limit_from) = match raw.limit.as_ref().map(|limit| self.limit(limit)) {
            Some(Some((period, from))) => (Some(period), from),
            _ => (None, None),
        };
        let (promised, promised_from) = match raw.promised.as_ref().map(|promised| self.limit(promised)) {
            Some(Some((_, Some(DraftLimitFrom::DueDate(named))))) => {
                let message =
                    "a promised limit is taken from an integer attribute (`{attribute: NAME}`), not a due date";
                self.checker.error(&named.at, message.to_owned(), "not here");
                (None, None)
            }
            Some(Some(((period, at), Some(DraftLimitFrom::Attribute(named))))) => {
                // Its unit, when written, must be the limit's.
                let written = raw
                    .promised
                    .as_ref()
                    .is_some_and(|promised| matches!(&promised.value, RawLimit::Attribute { unit: Some(_), .. }));
                if let Some((limit, _)) = &limit
                    && written
                    && period.unit != limit.unit
                {
                    let message = format!("a promised limit in `{}` for a limit in `{}`", period.unit, limit.unit);
                    self.checker.error(&at, message, "another unit");
                }
                (None, Some(named))
            }
            Some(Some((period, None))) => (Some(period), None),
            _ => (None, None),
        };
        let span = self.span(&name, &clock_at, raw);
        let pauses = raw.paused_in.as_ref().map_or_else(Vec::new, |pauses| {
            pauses
                .value
                .0
                .iter()
                .map(|(state, pause)| DraftPause {
                    state: self.checker.named(self.source, state),
                    basis: pause.value.basis.as_ref().map_or_else(String::new, |basis| basis.value.clone()),
                    max: pause.value.max.as_ref().and_then(|max| self.period(max)),
                })
                .collect()
        });
        let (restart_on, restart_entering) = match &raw.restart {
            Some(restart) => (
                restart.value.actions.as_ref().map_or_else(Vec::new, |names| self.names(names)),
                restart.value.entering.as_ref().map_or_else(Vec::new, |names| self.names(names)),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let extensions = raw.extensions.as_ref().map_or_else(Vec::new, |extensions| {
            extensions
                .value
                .iter()
                .filter_map(|extension| {
                    let extension = &extension.value;
                    Some(DraftExtension {
                        by: self.period(extension.by.as_ref()?)?,
                        times: extension.times.as_ref().map_or(1, |times| times.value),
                        action: self.name(extension.action.as_ref()?, false),
                        roles: self.names(extension.by_role.as_ref()?),
                        basis: extension.basis.as_ref().map(|basis| basis.value.clone()),
                    })
                })
                .collect()
        });
        let warn_at = raw
            .warn_at
            .as_ref()
            .map_or_else(Vec::new, |list| list.value.iter().filter_map(|percent| self.percent(percent)).collect());
        let warn_before = raw
            .warn_before
            .as_ref()
            .map_or_else(Vec::new, |list| list.value.iter().filter_map(|period| self.period(period)).collect());
        Some(DraftClock {
            name,
            title: raw.title.as_ref().map(|title| title.value.clone()),
            stage: raw.stage.as_ref().map(|stage| self.checker.named(self.source, stage)),
            matter: raw.matter.as_ref().is_some_and(|matter| matter.value),
            basis: raw.basis.as_ref().map(|basis| basis.value.clone()),
            limit: limit?,
            limit_from,
            promised,
            promised_from,
            span,
            pauses,
            restart_on,
            restart_entering,
            extensions,
            within: raw.within.as_ref().map(|within| self.checker.named(self.source, within)),
            warn_at,
            warn_before,
            cuts: Vec::new(),
        })
    }

    fn span(&mut self, name: &Named, clock_at: &Origin, raw: &RawClock) -> Option<DraftSpan> {
        let from = raw.from.as_ref().map(|from| self.names(from));
        let until = raw.until.as_ref().map(|until| self.names(until));
        let over = raw.over.as_ref().map(|over| self.checker.named(self.source, over));
        match (from, until, over) {
            (None, None, Some(over)) => Some(DraftSpan::Over(vec![over])),
            (Some(from), until, None) => Some(DraftSpan::Between { from, until: until.unwrap_or_default() }),
            (_, _, Some(over)) => {
                let message = format!("clock `{}` has `over` and `from`/`until`; use one or the other", name.name);
                self.checker.error(&over.at, message, "here");
                None
            }
            (None, Some(until), None) => {
                let at = until.first().map_or(clock_at, |until| &until.at);
                self.checker.error(at, format!("clock `{}` has `until` but no `from`", name.name), "no start");
                None
            }
            (None, None, None) => {
                let message = format!("clock `{}` needs `from` (and `until`) or `over`", name.name);
                self.checker.error(clock_at, message, "no span");
                None
            }
        }
    }
}

/// Letters (any script), digits and `_` (and `-` if allowed), not starting with a digit.
pub(crate) fn is_valid_name(name: &str, dash: bool) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_alphabetic() || first == '_') && chars.all(|c| c.is_alphanumeric() || c == '_' || (dash && c == '-'))
}

/// Reads a workflow file (not a reform) into a draft. `None` if a required part is missing.
pub(crate) fn read_workflow(checker: &mut Checker, source: usize, raw: &RawWorkflowFile) -> Option<Draft> {
    let mut reader = DraftReader { checker, source };
    let start = Checker::file_start(source);
    let required = |reader: &mut DraftReader<'_>, key: &str, present: bool| {
        if !present {
            reader.checker.error(&start, format!("missing field `{key}`"), "in this file");
        }
    };
    required(&mut reader, "workflow", raw.workflow.is_some());
    required(&mut reader, "version", raw.version.is_some());
    required(&mut reader, "calendar", raw.calendar.is_some());
    required(&mut reader, "roles", raw.roles.is_some());
    required(&mut reader, "states", raw.states.is_some());
    required(&mut reader, "transitions", raw.transitions.is_some());
    let id = reader.name(raw.workflow.as_ref()?, true);
    let version = reader.checker.named(source, raw.version.as_ref()?);
    let calendar = reader.checker.named(source, raw.calendar.as_ref()?);
    let roles = reader.titled_names(&raw.roles.as_ref()?.value);
    let actions = raw.actions.as_ref().map(|actions| {
        actions.value.0.iter().map(|(key, title)| (reader.name(key, false), Some(title.value.clone()))).collect()
    });
    let attributes = raw.attributes.as_ref().map_or_else(Vec::new, |attributes| {
        attributes.value.0.iter().filter_map(|(key, attribute)| read_attribute(&mut reader, key, attribute)).collect()
    });
    let stages = raw.stages.as_ref().map_or_else(Vec::new, |stages| reader.titled_names(&stages.value));
    let initial = raw.initial.as_ref().map(|initial| reader.checker.named(source, initial));
    let states = reader.states(&raw.states.as_ref()?.value, 0);
    let transitions = raw.transitions.as_ref()?.value.iter().filter_map(|raw| reader.transition(raw)).collect();
    let clocks = raw.clocks.as_ref().map_or_else(Vec::new, |clocks| {
        clocks.value.0.iter().filter_map(|(key, clock)| reader.clock(key, clock)).collect()
    });
    Some(Draft {
        id,
        version,
        title: raw.title.as_ref().map(|title| title.value.clone()),
        calendar,
        roles,
        actions,
        attributes,
        stages,
        initial,
        states,
        transitions,
        clocks,
        lineage: Vec::new(),
    })
}

fn read_attribute(
    reader: &mut DraftReader<'_>,
    key: &Spanned<String>,
    raw: &Spanned<super::raw::RawAttribute>,
) -> Option<DraftAttribute> {
    let name = reader.name(key, false);
    let raw = &raw.value;
    let written = raw.kind.as_ref()?;
    let kind_at = reader.at(&written.referenced);
    let Some(mut kind) = AttributeType::parse_name(&written.value) else {
        let message = format!(
            "unknown attribute type `{}`; expected `bool`, `integer`, `decimal`, `text`, `enum` or `date`",
            written.value
        );
        reader.checker.error(&kind_at, message, "unknown type");
        return None;
    };
    match (&mut kind, &raw.values) {
        (AttributeType::Enum(values), Some(list)) if !list.value.is_empty() => {
            if list.value.len() > ENUM_VALUES_MAX {
                let at = reader.at(&list.referenced);
                let message = format!(
                    "enum attribute `{}` has {} values; at most {ENUM_VALUES_MAX}",
                    name.name,
                    list.value.len()
                );
                reader.checker.error(&at, message, "too many");
                return None;
            }
            for value in &list.value {
                let named = reader.name(value, false);
                if values.contains(&named.name) {
                    reader.checker.error(&named.at, format!("value `{}` is listed twice", named.name), "duplicate");
                }
                values.push(named.name);
            }
        }
        (AttributeType::Enum(_), _) => {
            let message = format!("enum attribute `{}` needs `values`", name.name);
            reader.checker.error(&kind_at, message, "no values");
            return None;
        }
        (_, Some(list)) => {
            let at = reader.checker.value_or_key(&reader.at(&list.referenced), "values");
            reader.checker.error(&at, "`values` is only for `enum` attributes", "not an enum");
        }
        (_, None) => {}
    }
    let default = raw.default.as_ref().map(|default| (default.value.clone(), reader.at(&default.referenced)));
    Some(DraftAttribute { name, title: raw.title.as_ref().map(|title| title.value.clone()), kind, default })
}
