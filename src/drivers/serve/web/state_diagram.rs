//! A workflow's states drawn as SVG for the workflows page, with no script and no layout
//! library: each top-level state is a box (a compound state lists its children in the order
//! written, a parallel state its regions side by side), placed in columns by the longest path
//! from the initial state; the final top-level states share the last column. A step from one
//! column to the next is an arrow between them; any other step between top-level states (one
//! that skips columns, goes back, or ends the case) runs down the gap beside its source, along a
//! lane under the boxes (one lane per target) and up the gap beside its target. Steps inside a box are listed in the transitions table beside the diagram. Every
//! text is escaped; each box and arrow has a tooltip with the names behind it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::core::workflow::{StateId, StateKind, Workflow};

const CHILD_WIDTH: i64 = 200;
const CHILD_HEIGHT: i64 = 24;
const CHILD_GAP: i64 = 5;
const PADDING: i64 = 8;
const HEADER_HEIGHT: i64 = 36;
const COLUMN_GAP: i64 = 56;
const STACK_GAP: i64 = 28;
const LANE_GAP: i64 = 14;
const MARGIN: i64 = 12;
/// Characters of a title shown in a box; the rest is in its tooltip.
const TITLE_CHARS_MAX: usize = 15;

/// A top-level state's box, placed.
struct Placed {
    state: StateId,
    x: i64,
    y: i64,
    width: i64,
    height: i64,
    /// The right edge of its column (as wide as the column's widest box).
    column_right: i64,
}

/// An arrow between two top-level states, with the steps it stands for.
#[derive(Default)]
struct Link {
    steps: Vec<String>,
}

/// Escapes text for SVG (XML) content and attributes.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn shortened(text: &str) -> String {
    if text.chars().count() <= TITLE_CHARS_MAX {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(TITLE_CHARS_MAX - 1).collect();
    short.push('…');
    short
}

fn top_of(workflow: &Workflow, state: StateId) -> StateId {
    workflow.ancestors(state).last().unwrap_or(state)
}

fn title_of(workflow: &Workflow, state: StateId) -> String {
    let declared = workflow.state(state);
    declared.title.clone().unwrap_or_else(|| declared.name.clone())
}

/// The columns of the leaves of a box (a compound state's children, or one per region).
fn leaf_columns(workflow: &Workflow, state: StateId) -> Vec<Vec<StateId>> {
    match &workflow.state(state).kind {
        StateKind::Atomic | StateKind::Final => Vec::new(),
        StateKind::Compound { children, .. } => vec![children.clone()],
        StateKind::Parallel { regions, .. } => regions
            .iter()
            .map(|region| match &workflow.state(*region).kind {
                StateKind::Compound { children, .. } => children.clone(),
                _ => vec![*region],
            })
            .collect(),
    }
}

fn box_size(workflow: &Workflow, state: StateId) -> (i64, i64) {
    let columns = leaf_columns(workflow, state);
    if columns.is_empty() {
        return (CHILD_WIDTH + 2 * PADDING, HEADER_HEIGHT);
    }
    let count = i64::try_from(columns.len()).unwrap_or(1);
    let rows = i64::try_from(columns.iter().map(Vec::len).max().unwrap_or(0)).unwrap_or(0);
    // A parallel state's regions have a heading each.
    let region_heading = if matches!(workflow.state(state).kind, StateKind::Parallel { .. }) { 20 } else { 0 };
    (
        count * CHILD_WIDTH + (count - 1) * PADDING + 2 * PADDING,
        HEADER_HEIGHT + region_heading + rows * (CHILD_HEIGHT + CHILD_GAP) + PADDING,
    )
}

/// The top-level steps: (from, to) → the steps, in the order written.
fn links(workflow: &Workflow) -> BTreeMap<(StateId, StateId), Link> {
    let mut links: BTreeMap<(StateId, StateId), Link> = BTreeMap::new();
    for transition in workflow.transitions() {
        let target = top_of(workflow, transition.to);
        for source in &transition.from {
            let from = top_of(workflow, *source);
            if from == target {
                continue;
            }
            let roles: Vec<&str> = transition.roles.iter().map(|role| workflow.role(*role).name.as_str()).collect();
            links.entry((from, target)).or_default().steps.push(format!(
                "{}: {} → {} ({})",
                workflow.action(transition.action).name,
                workflow.state(*source).name,
                workflow.state(transition.to).name,
                roles.join(", ")
            ));
        }
    }
    for state in workflow.state_ids() {
        let done = match &workflow.state(state).kind {
            StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } => *done,
            _ => continue,
        };
        let (from, to) = (top_of(workflow, state), top_of(workflow, done));
        if from != to {
            links.entry((from, to)).or_default().steps.push(format!(
                "done: {} → {}",
                workflow.state(state).name,
                workflow.state(done).name
            ));
        }
    }
    links
}

/// Each top-level state's column: the longest path from the initial state over forward steps
/// (a step back to a state already on the path is ignored); final states last.
fn columns(
    workflow: &Workflow,
    tops: &[StateId],
    links: &BTreeMap<(StateId, StateId), Link>,
) -> BTreeMap<StateId, usize> {
    let is_final = |state: StateId| workflow.state(state).kind == StateKind::Final;
    let mut column: BTreeMap<StateId, usize> = BTreeMap::new();
    let initial = top_of(workflow, workflow.initial());
    column.insert(initial, 0);
    // Relax along the order written, as many times as there are states: a path is never longer.
    for _ in 0..tops.len() {
        let mut changed = false;
        for (from, to) in links.keys() {
            if is_final(*to) {
                continue;
            }
            let Some(&start) = column.get(from) else { continue };
            let ahead = tops.iter().position(|state| state == to) > tops.iter().position(|state| state == from);
            if ahead && column.get(to).is_none_or(|&now| now < start + 1) {
                column.insert(*to, start + 1);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // States no step reaches go after the ones before them in the order written.
    let mut previous = 0;
    for state in tops {
        if is_final(*state) {
            continue;
        }
        let placed = *column.entry(*state).or_insert(previous);
        previous = placed;
    }
    let last = column.values().copied().max().map_or(0, |max| max + 1);
    for state in tops {
        if is_final(*state) {
            column.insert(*state, last);
        }
    }
    column
}

/// The workflow's diagram, as an `<svg>` element.
pub(crate) fn state_diagram(workflow: &Workflow) -> String {
    let tops: Vec<StateId> = workflow.state_ids().filter(|state| workflow.state(*state).parent.is_none()).collect();
    let links = links(workflow);
    let column_of = columns(workflow, &tops, &links);
    let column_count = column_of.values().copied().max().map_or(0, |max| max + 1);
    // Place the boxes: each column as wide as its widest box, its boxes stacked.
    let mut placed: Vec<Placed> = Vec::new();
    let mut x = MARGIN;
    let mut height = 0;
    for column in 0..column_count {
        let members: Vec<StateId> =
            tops.iter().copied().filter(|state| column_of.get(state) == Some(&column)).collect();
        let width = members.iter().map(|state| box_size(workflow, *state).0).max().unwrap_or(0);
        let mut y = MARGIN;
        for state in members {
            let (box_width, box_height) = box_size(workflow, state);
            placed.push(Placed { state, x, y, width: box_width, height: box_height, column_right: x + width });
            y += box_height + STACK_GAP;
        }
        height = height.max(y - STACK_GAP);
        x += width + COLUMN_GAP;
    }
    let width = x - COLUMN_GAP + MARGIN;
    let find = |state: StateId| placed.iter().find(|placed| placed.state == state);
    // Arrows to the next column; lanes for the rest, one per target.
    let mut arrows = String::new();
    let mut lanes: Vec<StateId> = Vec::new();
    let mut lane_steps: Vec<(StateId, StateId, &Link)> = Vec::new();
    for ((from, to), link) in &links {
        let (Some(source), Some(target)) = (find(*from), find(*to)) else { continue };
        let next = column_of.get(to).copied() == column_of.get(from).map(|column| column + 1);
        if next {
            let (x1, y1) = (source.x + source.width, source.y + 18);
            let (x2, y2) = (target.x, target.y + 18);
            let _ = write!(
                arrows,
                r##"<g class="step"><title>{}</title><path d="M{x1} {y1} C{} {y1} {} {y2} {} {y2}" fill="none" stroke="#57606a" stroke-width="1.5" marker-end="url(#arrow)"/></g>"##,
                escape(&link.steps.join("\n")),
                x1 + COLUMN_GAP / 2,
                x2 - COLUMN_GAP / 2,
                x2 - 2
            );
        } else {
            if !lanes.contains(to) {
                lanes.push(*to);
            }
            lane_steps.push((*from, *to, link));
        }
    }
    let lanes_top = height + 2 * LANE_GAP;
    let lane_y = |target: StateId| {
        lanes_top + LANE_GAP * i64::try_from(lanes.iter().position(|lane| *lane == target).unwrap_or(0)).unwrap_or(0)
    };
    // A lane leaves its source by the gap to the right of the box and enters its target from
    // the gap to its left, so it never crosses a box stacked below either.
    for (from, to, link) in &lane_steps {
        let (Some(source), Some(target)) = (find(*from), find(*to)) else { continue };
        let index = i64::try_from(lanes.iter().position(|lane| lane == to).unwrap_or(0)).unwrap_or(0);
        let x1 = source.x + source.width;
        let y1 = source.y + source.height - 8;
        // Past the column's widest box, so the lane never crosses a wider box below.
        let out = source.column_right + 6 + 4 * index;
        let lane = lane_y(*to);
        let into = target.x - 6 - 4 * index;
        let y2 = target.y + 26;
        let _ = write!(
            arrows,
            r##"<g class="step lane"><title>{}</title><path d="M{x1} {y1} H{out} V{lane} H{into} V{y2} H{}" fill="none" stroke="#8c959f" stroke-width="1.2" stroke-dasharray="4 3" marker-end="url(#arrow)"/></g>"##,
            escape(&link.steps.join("\n")),
            target.x - 2
        );
    }
    let height = if lanes.is_empty() { height + MARGIN } else { lane_y(*lanes.last().unwrap_or(&tops[0])) + MARGIN };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="diagram-title"><title id="diagram-title">{}</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#57606a"/></marker></defs>"##,
        escape(&format!("{} {}", workflow.id(), workflow.version()))
    );
    for placed in &placed {
        draw_box(&mut svg, workflow, placed);
    }
    svg.push_str(&arrows);
    svg.push_str("</svg>");
    svg
}

fn draw_box(svg: &mut String, workflow: &Workflow, placed: &Placed) {
    let state = workflow.state(placed.state);
    let initial = top_of(workflow, workflow.initial()) == placed.state;
    let (fill, stroke) = match state.kind {
        StateKind::Final => ("#f6f8fa", "#1f2328"),
        StateKind::Parallel { .. } => ("#fff8c5", "#9a6700"),
        _ => ("#ffffff", "#57606a"),
    };
    let _ = write!(
        svg,
        r#"<g class="state"><title>{} ({})</title><rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{}"/>"#,
        escape(&title_of(workflow, placed.state)),
        escape(&state.name),
        placed.x,
        placed.y,
        placed.width,
        placed.height,
        if state.kind == StateKind::Final { 2.5 } else { 1.2 }
    );
    let marker = if initial { "▶ " } else { "" };
    let _ = write!(
        svg,
        r##"<text x="{}" y="{}" font-size="13" font-weight="600" fill="#1f2328">{marker}{}</text><text x="{}" y="{}" font-size="10" fill="#57606a">{}</text></g>"##,
        placed.x + PADDING,
        placed.y + 16,
        escape(&shortened(&title_of(workflow, placed.state))),
        placed.x + PADDING,
        placed.y + 29,
        escape(&state.name)
    );
    let parallel = matches!(state.kind, StateKind::Parallel { .. });
    let regions: Vec<StateId> = match &state.kind {
        StateKind::Parallel { regions, .. } => regions.clone(),
        _ => Vec::new(),
    };
    for (index, children) in leaf_columns(workflow, placed.state).iter().enumerate() {
        let offset = i64::try_from(index).unwrap_or(0) * (CHILD_WIDTH + PADDING);
        let x = placed.x + PADDING + offset;
        let mut y = placed.y + HEADER_HEIGHT;
        if parallel && let Some(region) = regions.get(index) {
            let _ = write!(
                svg,
                r##"<text x="{x}" y="{}" font-size="11" font-weight="600" fill="#9a6700">‖ {}</text>"##,
                y + 12,
                escape(&shortened(&title_of(workflow, *region)))
            );
            y += 20;
        }
        let first = match &workflow.state(regions.get(index).copied().unwrap_or(placed.state)).kind {
            StateKind::Compound { initial, .. } => Some(*initial),
            _ => None,
        };
        for child in children {
            let declared = workflow.state(*child);
            let is_final = declared.kind == StateKind::Final;
            let _ = write!(
                svg,
                r##"<g class="state"><title>{} ({})</title><rect x="{x}" y="{y}" width="{CHILD_WIDTH}" height="{CHILD_HEIGHT}" rx="4" fill="{}" stroke="#8c959f" stroke-width="{}"/><text x="{}" y="{}" font-size="12" fill="#1f2328">{}{}</text></g>"##,
                escape(&title_of(workflow, *child)),
                escape(&declared.name),
                if is_final { "#f6f8fa" } else { "#ffffff" },
                if is_final { 2 } else { 1 },
                x + 6,
                y + 16,
                if first == Some(*child) {
                    "▶ "
                } else if is_final {
                    "◉ "
                } else {
                    ""
                },
                escape(&shortened(&title_of(workflow, *child)))
            );
            y += CHILD_HEIGHT + CHILD_GAP;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::calendar::Calendars;
    use crate::core::workflow::{SourceReader, load_workflow};

    struct Files;

    impl SourceReader for Files {
        fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
            let text = match path {
                "longgang-2016.yaml" => include_str!("../../../../workflows/longgang-2016.yaml"),
                other => return Err(format!("no file {other}")),
            };
            Ok((path.to_owned(), text.to_owned()))
        }
    }

    fn reform() -> Workflow {
        let text = include_str!("../../../../workflows/longgang-2017.yaml");
        load_workflow("longgang-2017.yaml", text, &mut Files, &Calendars::builtin()).unwrap()
    }

    #[test]
    fn every_state_is_drawn_once_with_its_name_and_the_parallel_regions_side_by_side() {
        let workflow = reform();
        let svg = state_diagram(&workflow);
        for state in workflow.state_ids() {
            let declared = workflow.state(state);
            if matches!(workflow.state(declared.parent.unwrap_or(state)).kind, StateKind::Parallel { .. })
                && declared.parent.is_some()
            {
                continue; // a region is a heading, named in its title
            }
            let tooltip = format!("({})</title>", escape(&declared.name));
            assert_eq!(svg.matches(&tooltip).count(), 1, "{} drawn once", declared.name);
        }
        assert!(svg.contains("‖ 计划审批") && svg.contains("‖ 规划审批"), "the two regions of the parallel review");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn each_step_between_top_level_states_has_an_arrow_and_text_is_escaped() {
        let workflow = reform();
        let svg = state_diagram(&workflow);
        // The steps out of `submitted`: registering for serial review, and for the parallel one.
        assert!(svg.contains("register: submitted → plan (bureau)"), "{svg}");
        assert!(svg.contains("register: submitted → review (bureau)"), "into the parallel review");
        assert!(svg.contains("done: plan → planning"));
        assert!(svg.contains("withdraw: submitted → withdrawn (applicant)"));
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert!(!svg.contains("<script"));
    }
}
