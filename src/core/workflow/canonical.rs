//! The canonical form of a workflow and its content hash: SHA-256 over a JSON rendering with
//! sorted keys, names instead of ids and no source positions, so two files that say the same
//! thing in different layouts hash alike, and any change of meaning changes the hash.

use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use super::clock::{Clock, ClockSpan, LimitSource};
use super::ids::{AttributeId, StateId};
use super::workflow::{ActionKind, StateKind, Workflow, hex};
use crate::core::calendar::Period;

/// Prefixed to the canonical text before hashing; bump when the canonical form changes.
pub const CANONICAL_FORM_TAG: &str = "renewflow-workflow-v1";

pub(crate) fn content_hash(workflow: &Workflow) -> [u8; 32] {
    let text = canonical_text(workflow);
    let mut hasher = Sha256::new();
    hasher.update(CANONICAL_FORM_TAG.as_bytes());
    hasher.update(b"\n");
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

/// The canonical JSON text of a workflow (without its own hash).
pub fn canonical_text(workflow: &Workflow) -> String {
    canonical(workflow).to_string()
}

fn canonical(workflow: &Workflow) -> Json {
    let state = |id: StateId| workflow.state(id).name.clone();
    let states: Vec<StateId> = workflow.state_ids().collect();
    json!({
        "workflow": workflow.id,
        "version": workflow.version,
        "title": workflow.title,
        "calendar": workflow.calendar,
        "roles": workflow.roles.iter().map(|role| json!([role.name, role.title])).collect::<Vec<_>>(),
        "actions": workflow.actions.iter().map(|action| json!({
            "name": action.name,
            "title": action.title,
            "extends": match action.kind {
                ActionKind::Transition => None,
                ActionKind::Extension(clock) => Some(workflow.clock(clock).name.clone()),
            },
        })).collect::<Vec<_>>(),
        "attributes": workflow.attributes.iter().map(|attribute| json!({
            "name": attribute.name,
            "title": attribute.title,
            "type": attribute.kind.name(),
            "values": match &attribute.kind { super::attribute::AttributeType::Enum(values) => Some(values), _ => None },
            "default": attribute.default.as_ref().map(|value| value.render(&attribute.kind)),
        })).collect::<Vec<_>>(),
        "stages": workflow.stages.iter().map(|stage| json!([stage.name, stage.title])).collect::<Vec<_>>(),
        "initial": state(workflow.initial),
        "states": states.iter().map(|id| {
            let node = workflow.state(*id);
            let (kind, initial, done, children) = match &node.kind {
                StateKind::Atomic => ("atomic", None, None, Vec::new()),
                StateKind::Final => ("final", None, None, Vec::new()),
                StateKind::Compound { initial, children, done } => ("compound", Some(state(*initial)), done.map(state), children.iter().map(|c| state(*c)).collect()),
                StateKind::Parallel { regions, done } => ("parallel", None, Some(state(*done)), regions.iter().map(|c| state(*c)).collect()),
            };
            json!({
                "name": node.name, "title": node.title, "parent": node.parent.map(state), "kind": kind,
                "initial": initial, "done": done, "children": children,
            })
        }).collect::<Vec<_>>(),
        "transitions": workflow.transitions.iter().map(|transition| json!({
            "action": workflow.action(transition.action).name,
            "from": transition.from.iter().map(|id| state(*id)).collect::<Vec<_>>(),
            "to": state(transition.to),
            "roles": transition.roles.iter().map(|role| workflow.role(*role).name.clone()).collect::<Vec<_>>(),
            "guard": transition.guard.as_ref().map(|guard| guard.render(&workflow.attributes)),
            "title": transition.title,
        })).collect::<Vec<_>>(),
        "clocks": workflow.clocks.iter().map(|clock| canonical_clock(workflow, clock)).collect::<Vec<_>>(),
        "lineage": workflow.lineage.iter().map(|lineage| json!({
            "base_workflow": lineage.base_id,
            "base_version": lineage.base_version,
            "base_content_hash": hex(&lineage.base_content_hash()),
            "reform": lineage.reform_title,
            "rounding": lineage.rounding.map(super::clock::Rounding::name),
            "parallelized": lineage.parallelized.iter().map(|parallel| json!({
                "state": state(parallel.state),
                "sequence": parallel.sequence,
                "when": parallel.when.as_ref().map(|guard| guard.render(&workflow.attributes)),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn canonical_clock(workflow: &Workflow, clock: &Clock) -> Json {
    let states = |ids: &[StateId]| ids.iter().map(|id| workflow.state(*id).name.clone()).collect::<Vec<_>>();
    let span = match &clock.span {
        ClockSpan::Between { from, until } => json!({"from": states(from), "until": states(until)}),
        ClockSpan::Over(over) => json!({"over": states(over)}),
    };
    let mut canonical = json!({
        "name": clock.name,
        "title": clock.title,
        "stage": clock.stage.map(|stage| workflow.stage(stage).name.clone()),
        "matter": clock.matter,
        "basis": clock.basis,
        "limit": clock.limit.canonical_text(),
        "promised": clock.promised.map(|period| period.canonical_text()),
        "span": span,
        "pauses": clock.pauses.iter().map(|pause| json!({
            "state": workflow.state(pause.state).name,
            "basis": pause.basis,
            "max": pause.max.map(|period| period.canonical_text()),
        })).collect::<Vec<_>>(),
        "restart_on": clock.restart_on.iter().map(|action| workflow.action(*action).name.clone()).collect::<Vec<_>>(),
        "restart_entering": states(&clock.restart_entering),
        "extensions": clock.extensions.iter().map(|extension| json!({
            "by": extension.by.canonical_text(),
            "times": extension.times,
            "action": workflow.action(extension.action).name,
            "roles": extension.roles.iter().map(|role| workflow.role(*role).name.clone()).collect::<Vec<_>>(),
            "basis": extension.basis,
        })).collect::<Vec<_>>(),
        "within": clock.within.map(|parent| workflow.clock(parent).name.clone()),
        "warn_at": clock.warn_at.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "warn_before": clock.warn_before.iter().map(Period::canonical_text).collect::<Vec<_>>(),
        "cuts": clock.cuts.iter().map(|cut| json!({
            "percent": cut.percent.to_string(),
            "rounding": cut.rounding.name(),
            "limit_before": cut.limit_before.canonical_text(),
            "promised_before": cut.promised_before.map(|period| period.canonical_text()),
            "by_name": cut.by_name,
        })).collect::<Vec<_>>(),
    });
    // Written only when a clock takes a limit from the case, so every other workflow keeps the
    // content hash it had before these keys existed.
    let attribute = |id: AttributeId| workflow.attribute(id).name.clone();
    match clock.limit_from {
        LimitSource::Written => {}
        LimitSource::Attribute(id) => canonical["limit_from"] = json!({"attribute": attribute(id)}),
        LimitSource::DueDate(id) => canonical["limit_from"] = json!({"due": attribute(id)}),
    }
    if let Some(id) = clock.promised_from {
        canonical["promised_from"] = json!({"attribute": attribute(id)});
    }
    canonical
}
