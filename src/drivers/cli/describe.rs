//! `renewflow workflow describe`: a workflow as tables, a Mermaid `stateDiagram-v2` or a
//! Graphviz digraph.

use std::fmt::Write as _;

use super::format::{OutputFormat, table};
use super::workflow::describe_formats;
use crate::core::workflow::{Clock, ClockSpan, StateId, StateKind, Transition, Workflow};

pub(crate) fn describe(workflow: &Workflow, format: OutputFormat) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Table => tables(workflow),
        OutputFormat::Mermaid => mermaid(workflow),
        OutputFormat::Dot => dot(workflow),
        OutputFormat::Json => format!("{}\n", crate::core::workflow::canonical_text(workflow)),
        other => return format.unsupported("workflow describe", other, &describe_formats()),
    })
}

fn state_kind(workflow: &Workflow, id: StateId) -> &'static str {
    let state = workflow.state(id);
    match &state.kind {
        StateKind::Atomic => "state",
        StateKind::Final => "final",
        StateKind::Compound { done: None, .. } => "region",
        StateKind::Compound { .. } => "compound",
        StateKind::Parallel { .. } => "parallel",
    }
}

fn names(workflow: &Workflow, ids: &[StateId]) -> String {
    ids.iter().map(|id| workflow.state(*id).name.as_str()).collect::<Vec<_>>().join(", ")
}

fn tables(workflow: &Workflow) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{} {}{}",
        workflow.id(),
        workflow.version(),
        workflow.title().map_or(String::new(), |t| format!("  {t}"))
    );
    let _ = writeln!(text, "calendar {}  sha256 {}", workflow.calendar(), workflow.content_hash_hex());
    for lineage in workflow.lineage() {
        let _ = writeln!(
            text,
            "reform `{}` of {} {} (sha256 {}), rounding {}",
            lineage.reform_title,
            lineage.base_id,
            lineage.base_version,
            crate::core::workflow::hex(&lineage.base_content_hash()),
            lineage.rounding.map_or("none", |rounding| rounding.name())
        );
    }
    let mut states = table(&["state", "kind", "title", "in", "then"]);
    for id in workflow.state_ids() {
        let state = workflow.state(id);
        let depth = workflow.ancestors(id).count() - 1;
        let then = match &state.kind {
            StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } => {
                workflow.state(*done).name.clone()
            }
            _ => String::new(),
        };
        states.add_row(vec![
            format!("{}{}", "  ".repeat(depth), state.name),
            state_kind(workflow, id).to_owned(),
            state.title.clone().unwrap_or_default(),
            state.parent.map_or(String::new(), |parent| workflow.state(parent).name.clone()),
            then,
        ]);
    }
    let _ = writeln!(text, "\n{states}");
    let mut transitions = table(&["#", "action", "from", "to", "by", "if"]);
    for (index, transition) in workflow.transitions().iter().enumerate() {
        transitions.add_row(vec![
            (index + 1).to_string(),
            workflow.action(transition.action).name.clone(),
            names(workflow, &transition.from),
            workflow.state(transition.to).name.clone(),
            roles(workflow, transition),
            transition.guard.as_ref().map_or(String::new(), |guard| guard.render(workflow.attributes())),
        ]);
    }
    let _ = writeln!(text, "\n{transitions}");
    let mut clocks = table(&["clock", "title", "stage", "matter", "limit", "promised", "span", "paused in"]);
    for clock in workflow.clocks() {
        clocks.add_row(vec![
            clock.name.clone(),
            clock.title.clone().unwrap_or_default(),
            clock.stage.map_or(String::new(), |stage| workflow.stage(stage).name.clone()),
            if clock.matter { "yes" } else { "" }.to_owned(),
            limit_text(workflow, clock),
            clock.promised_text(workflow).unwrap_or_default(),
            span_text(workflow, clock),
            clock.pauses.iter().map(|pause| workflow.state(pause.state).name.clone()).collect::<Vec<_>>().join(", "),
        ]);
    }
    let _ = writeln!(text, "\n{clocks}");
    text
}

/// A limit with the cuts that made it: `7 wd (20 wd − 63%, nearest)`.
pub(crate) fn limit_text(workflow: &Workflow, clock: &Clock) -> String {
    if !clock.has_written_limit() {
        return clock.limit_text(workflow);
    }
    match clock.cuts.first() {
        None => clock.limit.to_string(),
        Some(first) => {
            let cuts: Vec<String> =
                clock.cuts.iter().map(|cut| format!("−{} {}", cut.percent, cut.rounding.name())).collect();
            format!("{} ({} {})", clock.limit, first.limit_before, cuts.join(", "))
        }
    }
}

fn span_text(workflow: &Workflow, clock: &Clock) -> String {
    match &clock.span {
        ClockSpan::Between { from, until } if until.is_empty() => format!("from {}", names(workflow, from)),
        ClockSpan::Between { from, until } => format!("{} → {}", names(workflow, from), names(workflow, until)),
        ClockSpan::Over(states) => format!("over {}", names(workflow, states)),
    }
}

fn roles(workflow: &Workflow, transition: &Transition) -> String {
    transition.roles.iter().map(|role| workflow.role(*role).name.as_str()).collect::<Vec<_>>().join(", ")
}

fn label(workflow: &Workflow, transition: &Transition) -> String {
    let mut label = format!("{} ({})", workflow.action(transition.action).name, roles(workflow, transition));
    if let Some(guard) = &transition.guard {
        let _ = write!(label, " [{}]", guard.render(workflow.attributes()));
    }
    label.replace([':', ';', '#', '"'], " ")
}

/// Mermaid ids are `s<index>`; titles are shown as the state's description.
fn mermaid(workflow: &Workflow) -> String {
    let mut text = String::from("stateDiagram-v2\n");
    for id in workflow.state_ids() {
        let state = workflow.state(id);
        let shown = state.title.as_ref().map_or(state.name.clone(), |title| format!("{} {title}", state.name));
        let _ = writeln!(text, "    state \"{}\" as s{}", shown.replace('"', "'"), id.index());
    }
    let top: Vec<StateId> = workflow.state_ids().filter(|id| workflow.state(*id).parent.is_none()).collect();
    let _ = writeln!(text, "    [*] --> s{}", workflow.initial().index());
    write_mermaid_level(workflow, &mut text, &top, None, 1);
    text
}

fn write_mermaid_level(
    workflow: &Workflow,
    text: &mut String,
    level: &[StateId],
    container: Option<StateId>,
    depth: usize,
) {
    let indent = "    ".repeat(depth);
    for id in level {
        match &workflow.state(*id).kind {
            StateKind::Compound { initial, children, .. } => {
                let _ = writeln!(text, "{indent}state s{} {{", id.index());
                let _ = writeln!(text, "{indent}    [*] --> s{}", initial.index());
                write_mermaid_level(workflow, text, children, Some(*id), depth + 1);
                let _ = writeln!(text, "{indent}}}");
            }
            StateKind::Parallel { regions, .. } => {
                let _ = writeln!(text, "{indent}state s{} {{", id.index());
                for (position, region) in regions.iter().enumerate() {
                    if position > 0 {
                        let _ = writeln!(text, "{indent}    --");
                    }
                    write_mermaid_level(workflow, text, &[*region], Some(*id), depth + 1);
                }
                let _ = writeln!(text, "{indent}}}");
            }
            StateKind::Final => {
                let _ = writeln!(text, "{indent}s{} --> [*]", id.index());
            }
            StateKind::Atomic => {}
        }
        match &workflow.state(*id).kind {
            StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } => {
                let _ = writeln!(text, "{indent}s{} --> s{}: done", id.index(), done.index());
            }
            _ => {}
        }
    }
    for transition in workflow.transitions() {
        for from in &transition.from {
            if workflow.state(*from).parent == container {
                let _ = writeln!(
                    text,
                    "{indent}s{} --> s{}: {}",
                    from.index(),
                    transition.to.index(),
                    label(workflow, transition)
                );
            }
        }
    }
}

fn dot(workflow: &Workflow) -> String {
    let mut text = String::from("digraph workflow {\n    rankdir=LR;\n    node [shape=box, style=rounded];\n");
    let top: Vec<StateId> = workflow.state_ids().filter(|id| workflow.state(*id).parent.is_none()).collect();
    for id in &top {
        write_dot_state(workflow, &mut text, *id, 1);
    }
    let _ = writeln!(text, "    start [shape=point];\n    start -> s{};", workflow.initial().index());
    for transition in workflow.transitions() {
        for from in &transition.from {
            let _ = writeln!(
                text,
                "    s{} -> s{} [label=\"{}\"];",
                from.index(),
                transition.to.index(),
                label(workflow, transition).replace('"', "'")
            );
        }
    }
    for id in workflow.state_ids() {
        if let StateKind::Compound { done: Some(done), .. } | StateKind::Parallel { done, .. } =
            &workflow.state(id).kind
        {
            let _ = writeln!(text, "    s{} -> s{} [label=\"done\", style=dashed];", id.index(), done.index());
        }
    }
    text.push_str("}\n");
    text
}

fn write_dot_state(workflow: &Workflow, text: &mut String, id: StateId, depth: usize) {
    let indent = "    ".repeat(depth);
    let state = workflow.state(id);
    let shown =
        state.title.as_ref().map_or(state.name.clone(), |title| format!("{}\\n{title}", state.name)).replace('"', "'");
    match &state.kind {
        StateKind::Atomic => {
            let _ = writeln!(text, "{indent}s{} [label=\"{shown}\"];", id.index());
        }
        StateKind::Final => {
            let _ = writeln!(text, "{indent}s{} [label=\"{shown}\", peripheries=2];", id.index());
        }
        StateKind::Compound { children, .. } | StateKind::Parallel { regions: children, .. } => {
            let style = if matches!(state.kind, StateKind::Parallel { .. }) { "dashed" } else { "rounded" };
            let _ = writeln!(text, "{indent}subgraph cluster_s{} {{", id.index());
            let _ = writeln!(text, "{indent}    label=\"{shown}\"; style={style};");
            let _ = writeln!(text, "{indent}    s{} [shape=point, label=\"\"];", id.index());
            for child in children {
                write_dot_state(workflow, text, *child, depth + 1);
            }
            let _ = writeln!(text, "{indent}}}");
        }
    }
}
