//! `DurationFit`: how long audited cases stayed in each state, in working days, gathered while
//! they are replayed, so `renewflow audit … --fit-durations FILE` can write empirical durations a
//! simulation scenario uses directly. A stay runs from the instant a leaf state is entered to the
//! instant it is left (or entered again), measured as positions on the working-day axis: the
//! working days between the dates, plus the difference of the office-hour fractions, by the
//! simulator's own `working_day_position`. A state made by `parallelize` is counted under the
//! serial state it was made from, so the values serve a baseline and its reform alike.

use std::fmt::Write as _;

use crate::core::calendar::WorkingCalendar;
use crate::core::case::{Event, EventKind};
use crate::core::workflow::{StateId, StateKind, Workflow};

/// Most values kept per state; later stays are counted but not kept.
pub const FITTED_VALUES_MAX: usize = 1_000_000;

/// Stays per state, by state index.
#[derive(Clone, Debug, Default)]
pub struct DurationFit {
    pub(crate) stays: Vec<Vec<f64>>,
    pub(crate) cases: u64,
}

/// One case's leaves and when each was entered, and the stays it has ended.
#[derive(Clone, Debug, Default)]
pub(crate) struct CaseFit {
    entered: Vec<(StateId, f64)>,
    stays: Vec<(StateId, f64)>,
    opened: bool,
}

impl CaseFit {
    /// Notes the stays that `events` (just applied, leaving the case in `leaves`) ended.
    pub(crate) fn observe(
        &mut self,
        workflow: &Workflow,
        calendar: &WorkingCalendar,
        leaves: &[StateId],
        events: &[Event],
    ) {
        let Some(at) = events.last().map(|event| event.at) else { return };
        let Some(now) = crate::simulate::working_day_position(calendar, at) else { return };
        let targets: Vec<StateId> = events
            .iter()
            .filter_map(|event| match &event.kind {
                EventKind::Acted { transition, .. } => Some(workflow.transition(*transition).to),
                EventKind::Done { state } => match &workflow.state(*state).kind {
                    StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } => Some(*done),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let opened = events.iter().any(|event| matches!(event.kind, EventKind::Opened { .. }));
        let mut kept = Vec::with_capacity(self.entered.len());
        for (leaf, since) in self.entered.drain(..) {
            let left = !leaves.contains(&leaf) || targets.iter().any(|target| workflow.is_within(leaf, *target));
            if left {
                self.stays.push((leaf, now - since));
            } else {
                kept.push((leaf, since));
            }
        }
        self.entered = kept;
        for leaf in leaves {
            if !self.entered.iter().any(|(entered, _)| entered == leaf) {
                self.entered.push((*leaf, now));
            }
        }
        self.opened |= opened;
    }
}

impl DurationFit {
    /// Counts a settled case's stays.
    pub(crate) fn absorb(&mut self, case: CaseFit) {
        self.cases += u64::from(case.opened);
        for (state, stay) in case.stays {
            self.add(state, stay);
        }
    }

    /// Adds the stays another part of the audit gathered (up to the cap per state).
    pub(crate) fn merge(&mut self, other: DurationFit) {
        self.cases += other.cases;
        for (index, stays) in other.stays.into_iter().enumerate() {
            if self.stays.len() <= index {
                self.stays.resize(index + 1, Vec::new());
            }
            let values = &mut self.stays[index];
            let room = FITTED_VALUES_MAX.saturating_sub(values.len());
            values.extend(stays.into_iter().take(room));
        }
    }

    fn add(&mut self, state: StateId, stay: f64) {
        if self.stays.len() <= state.index() {
            self.stays.resize(state.index() + 1, Vec::new());
        }
        let values = &mut self.stays[state.index()];
        if values.len() < FITTED_VALUES_MAX {
            values.push((stay.max(0.0) * 100.0).round() / 100.0);
        }
    }

    /// The fitted durations as a YAML file a scenario reads with `durations_from`, stays of a
    /// state and its `parallelize` copies together, states in workflow order.
    pub fn to_yaml(&self, workflow: &Workflow, log: &str) -> String {
        let mut merged: Vec<(String, Vec<f64>)> = Vec::new();
        for (index, stays) in self.stays.iter().enumerate() {
            if stays.is_empty() {
                continue;
            }
            let name = crate::simulate::serial_name(&workflow.states()[index].name).to_owned();
            match merged.iter_mut().find(|(known, _)| *known == name) {
                Some((_, values)) => values.extend(stays),
                None => merged.push((name, stays.clone())),
            }
        }
        let mut text = format!(
            "# Durations in working days, fitted by `renewflow audit` from {} ({} cases): each\n\
             # state's observed stays, from entering it to leaving it. Use in a scenario with\n\
             # `durations_from: FILE`; its own `durations` entries win.\n\
             workflow: {}\nversion: {}\ndurations:\n",
            log.replace('\n', " "),
            self.cases,
            serde_json::to_string(workflow.id()).unwrap_or_default(),
            serde_json::to_string(workflow.version()).unwrap_or_default(),
        );
        for (name, mut values) in merged {
            values.sort_by(f64::total_cmp);
            let list: Vec<String> = values.iter().map(|value| format!("{value}")).collect();
            let _ = writeln!(
                text,
                "  {}: {{empirical: [{}]}}",
                serde_json::to_string(&name).unwrap_or_default(),
                list.join(", ")
            );
        }
        text
    }
}
