//! Synthetic event logs for the audit: cases walk a workflow through the engine's own transition
//! function (so every step is legal), dated on the real calendar; rows of `window` cases at a
//! time interleave at random (each case's rows stay in order), so the open cases stay bounded
//! however long the file. Violations are injected at a known rate and counted exactly:
//! `AUD001` (an unknown activity), `AUD002` (the opening activity again), `AUD003` (a role the
//! workflow does not have) and `AUD004` (a row dated a day before the case's previous one).
//!
//! Used by `tests/cli/audit.rs` (the audit must find exactly the injected counts) and by
//! `bench/generate_log.rs` (large logs for the benchmark).

use std::io::Write;

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use renewflow::core::calendar::WorkingCalendar;
use renewflow::core::case::{Command, CommandKind, Opening, Replay, open, step, step_in_place};
use renewflow::core::workflow::{AttributeType, StateId, StateKind, Workflow};

/// SplitMix64: small, seeded, the same on every machine.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (`bound` > 0).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// What to generate.
pub(crate) struct Plan {
    pub(crate) cases: usize,
    /// Cases whose rows interleave at a time.
    pub(crate) window: usize,
    /// Per mille of cases that get one injected violation.
    pub(crate) inject_per_mille: usize,
    pub(crate) first_day: NaiveDate,
    /// Cases start on days spread over this many calendar days.
    pub(crate) spread_days: u64,
    pub(crate) seed: u64,
}

/// How many of each injected code, and rows written.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Injected {
    pub(crate) rows: u64,
    pub(crate) unknown_activity: u64,
    pub(crate) step_not_allowed: u64,
    pub(crate) role_not_permitted: u64,
    pub(crate) time_backwards: u64,
}

/// A candidate step with its sort key: (a loop taken twice, ends the case, times taken, random).
type Keyed = (bool, bool, u32, u64, (String, String));

struct Row {
    activity: String,
    at: DateTime<FixedOffset>,
    role: String,
    attributes: Vec<(String, String)>,
}

/// One case walked through the workflow: its rows, legal by construction.
fn walk(workflow: &Workflow, calendar: &WorkingCalendar, rng: &mut Rng, start: NaiveDate) -> Vec<Row> {
    let zone = calendar.zone();
    let at = |date: NaiveDate, hour: u32| zone.instant_of_local(date.and_hms_opt(hour, 0, 0).unwrap_or_default());
    let mut attributes = Vec::new();
    for attribute in workflow.attributes() {
        if attribute.kind == AttributeType::Bool {
            attributes.push((attribute.name.clone(), if rng.below(2) == 0 { "true" } else { "false" }.to_owned()));
        } else if let AttributeType::Enum(values) = &attribute.kind {
            attributes.push((attribute.name.clone(), values[rng.below(values.len())].clone()));
        }
    }
    let opening = Opening { at: at(start, 9), actor: "窗口".to_owned(), attributes: attributes.clone() };
    let Ok(events) = open(workflow, calendar, &opening) else { return Vec::new() };
    let mut replay = Replay::new(workflow);
    for event in &events {
        if replay.apply(workflow, event, zone).is_err() {
            return Vec::new();
        }
    }
    let initial = workflow.state(workflow.initial()).name.clone();
    let mut rows = vec![Row { activity: initial, at: at(start, 9), role: String::new(), attributes }];
    let mut day = start;
    let mut taken: Vec<(String, u32)> = Vec::new();
    for _ in 0..120 {
        if replay.finished_on().is_some() {
            break;
        }
        let Ok(next) = calendar.add_working_days(day, 1 + rng.below(3) as i64) else { break };
        day = next;
        // Candidate transitions from every active state and its ancestors, in random order, the
        // ones taken least often first (so loops such as 退回补正 stay rare).
        let mut candidates: Vec<(String, String, bool)> = Vec::new();
        for leaf in replay.configuration().leaves() {
            let mut state: Option<StateId> = Some(*leaf);
            while let Some(current) = state {
                for transition in workflow.transitions_from(current) {
                    let transition = &workflow.transitions()[transition.index()];
                    let action = workflow.action(transition.action).name.clone();
                    // A step straight into a final state (withdrawn, rejected) ends the case
                    // early: rare, unless nothing else is possible.
                    let ends = matches!(workflow.state(transition.to).kind, StateKind::Final);
                    for role in &transition.roles {
                        let role = workflow.roles()[role.index()].name.clone();
                        if !candidates.iter().any(|(a, r, _)| *a == action && *r == role) {
                            candidates.push((action.clone(), role, ends));
                        }
                    }
                }
                state = workflow.state(current).parent;
            }
        }
        let mut keyed: Vec<Keyed> = candidates
            .into_iter()
            .map(|(action, role, ends)| {
                let count = taken.iter().find(|(name, _)| *name == action).map_or(0, |(_, count)| *count);
                // An action taken twice already (a loop such as 退回补正) comes last.
                (count >= 2, ends && rng.below(100) >= 2, count, rng.next(), (action, role))
            })
            .collect();
        keyed.sort();
        let when = at(day, 10);
        let chosen = keyed.into_iter().find_map(|(_, _, _, _, (action, role))| {
            let command = Command {
                at: when,
                actor: "generator".to_owned(),
                role: role.clone(),
                kind: CommandKind::Act { action: action.clone(), attributes: Vec::new() },
            };
            step(workflow, calendar, &replay, &command).ok().map(|_| (command, action, role))
        });
        let Some((command, action, role)) = chosen else { break };
        if step_in_place(workflow, calendar, &mut replay, &command).is_err() {
            break;
        }
        match taken.iter_mut().find(|(name, _)| *name == action) {
            Some((_, count)) => *count += 1,
            None => taken.push((action.clone(), 1)),
        }
        rows.push(Row { activity: action, at: when, role, attributes: Vec::new() });
    }
    rows
}

/// Injects one violation into a case's rows; returns which.
fn inject(rows: &mut Vec<Row>, rng: &mut Rng, injected: &mut Injected) {
    if rows.len() < 3 {
        return;
    }
    let position = 1 + rng.below(rows.len() - 1);
    match rng.below(4) {
        0 => {
            let at = rows[position - 1].at;
            rows.insert(position, Row { activity: "盖章".to_owned(), at, role: String::new(), attributes: Vec::new() });
            injected.unknown_activity += 1;
        }
        1 => {
            let at = rows[position - 1].at;
            let activity = rows[0].activity.clone();
            rows.insert(position, Row { activity, at, role: String::new(), attributes: Vec::new() });
            injected.step_not_allowed += 1;
        }
        2 => {
            "visitor".clone_into(&mut rows[position].role);
            injected.role_not_permitted += 1;
        }
        _ => {
            let before = rows[position - 1].at - Days::new(1);
            rows[position].at = before;
            injected.time_backwards += 1;
        }
    }
}

/// Writes a CSV log of `plan.cases` cases of `workflow` to `out`.
///
/// # Errors
///
/// When `out` cannot be written.
pub(crate) fn generate(
    workflow: &Workflow,
    calendar: &WorkingCalendar,
    plan: &Plan,
    out: &mut dyn Write,
) -> std::io::Result<Injected> {
    let mut rng = Rng::new(plan.seed);
    let mut injected = Injected::default();
    let attribute_names: Vec<String> = workflow
        .attributes()
        .iter()
        .filter(|attribute| matches!(attribute.kind, AttributeType::Bool | AttributeType::Enum(_)))
        .map(|attribute| attribute.name.clone())
        .collect();
    writeln!(out, "case_id,activity,timestamp,org:role,org:resource,{}", attribute_names.join(","))?;
    let mut first = 0;
    while first < plan.cases {
        let last = (first + plan.window).min(plan.cases);
        let mut cases: Vec<(String, Vec<Row>, usize)> = Vec::new();
        for index in first..last {
            let start = plan.first_day + Days::new(rng.next() % plan.spread_days.max(1));
            let start = calendar.add_working_days(start, 0).unwrap_or(start);
            let mut rows = walk(workflow, calendar, &mut rng, start);
            if rng.below(1000) < plan.inject_per_mille {
                inject(&mut rows, &mut rng, &mut injected);
            }
            cases.push((format!("G-{index:07}"), rows, 0));
        }
        // Interleave: any case's next row, at random.
        let mut remaining: usize = cases.iter().map(|(_, rows, _)| rows.len()).sum();
        while remaining > 0 {
            let mut pick = rng.below(remaining);
            let case = cases
                .iter_mut()
                .find(|(_, rows, next)| {
                    let left = rows.len() - *next;
                    if pick < left {
                        true
                    } else {
                        pick -= left;
                        false
                    }
                })
                .expect("a case with rows left");
            let row = &case.1[case.2];
            let values: Vec<&str> = attribute_names
                .iter()
                .map(|name| row.attributes.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str()))
                .collect();
            writeln!(
                out,
                "{},{},{},{},{},{}",
                case.0,
                row.activity,
                row.at.format("%Y-%m-%d %H:%M:%S"),
                row.role,
                if row.role.is_empty() { "" } else { "承办人" },
                values.join(",")
            )?;
            case.2 += 1;
            remaining -= 1;
            injected.rows += 1;
        }
        first = last;
    }
    Ok(injected)
}

/// Reads `extends` targets next to the file that names them.
struct Files;

impl renewflow::core::workflow::SourceReader for Files {
    fn read(&mut self, path: &str, from: &str) -> Result<(String, String), String> {
        let joined = std::path::Path::new(from).parent().unwrap_or(std::path::Path::new("")).join(path);
        let text = std::fs::read_to_string(&joined).map_err(|error| error.to_string())?;
        Ok((joined.display().to_string(), text))
    }
}

/// Loads a workflow file (and the files it extends).
///
/// # Panics
///
/// When the file does not load: the generator runs on shipped flows only.
pub(crate) fn load_workflow_file(path: &str, calendars: &renewflow::core::calendar::Calendars) -> Workflow {
    let text = std::fs::read_to_string(path).expect("the workflow file reads");
    renewflow::core::workflow::load_workflow(path, &text, &mut Files, calendars).expect("the workflow loads")
}
