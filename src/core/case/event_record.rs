//! `EventRecord`: an event as stored and exchanged, with names instead of ids, so a history reads
//! on its own (in the `sqlite3` shell, in an export) and survives a reload of its workflow
//! version. Its JSON, with fields in declaration order, is the canonical encoding the hash chain
//! covers.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::event::{Event, EventKind};
use crate::core::calendar::parse_iso_date;
use crate::core::workflow::{ActionKind, AttributeType, Decimal, Value, Workflow};

/// An event with names, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// RFC 3339 with its offset.
    pub at: String,
    pub actor: Option<String>,
    pub role: Option<String>,
    #[serde(flatten)]
    pub kind: RecordKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordKind {
    /// Attribute values by name, in declaration order. A stored case's opening also names the
    /// case (`case`), so its hash chain pins the rules it runs under and its number.
    Opened {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case: Option<CaseIdentity>,
        attributes: Vec<(String, Json)>,
    },
    AttributeSet {
        attribute: String,
        value: Json,
    },
    Acted {
        action: String,
        from: String,
        to: String,
    },
    Done {
        state: String,
    },
    Extended {
        clock: String,
        action: String,
        extension: usize,
    },
    Noted {
        text: String,
    },
}

/// What identifies a stored case, written into its opening record: the workflow version it runs
/// under (with the content hash of its rules) and its number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseIdentity {
    pub workflow: String,
    pub version: String,
    /// The deployment's content hash (hex), as `Workflow::content_hash_hex` gives it.
    pub content_hash: String,
    pub number: String,
}

impl CaseIdentity {
    /// The identity of case `number` under `workflow`.
    pub fn of(workflow: &Workflow, number: &str) -> CaseIdentity {
        CaseIdentity {
            workflow: workflow.id().to_owned(),
            version: workflow.version().to_owned(),
            content_hash: workflow.content_hash_hex(),
            number: number.to_owned(),
        }
    }
}

impl EventRecord {
    /// The case this opening record names, if it is an opening that names one.
    pub fn identity(&self) -> Option<&CaseIdentity> {
        match &self.kind {
            RecordKind::Opened { case, .. } => case.as_ref(),
            _ => None,
        }
    }
}

/// A stored event that does not fit its workflow version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("`{at}` is not an RFC 3339 instant with an offset")]
    Instant { at: String },
    #[error("unknown {what} `{name}`")]
    Unknown { what: &'static str, name: String },
    #[error("no transition `{action}` from `{from}` to `{to}`")]
    NoTransition { action: String, from: String, to: String },
    #[error("attribute `{attribute}` cannot hold {value}")]
    Value { attribute: String, value: String },
    #[error("{0}")]
    Json(String),
}

impl EventRecord {
    /// The record of `event` in `workflow`.
    pub fn of(workflow: &Workflow, event: &Event) -> EventRecord {
        let kind = match &event.kind {
            EventKind::Opened { attributes } => RecordKind::Opened {
                case: None,
                attributes: attributes
                    .iter()
                    .map(|(attribute, value)| {
                        let declared = workflow.attribute(*attribute);
                        (declared.name.clone(), value_json(value, &declared.kind))
                    })
                    .collect(),
            },
            EventKind::AttributeSet { attribute, value } => {
                let declared = workflow.attribute(*attribute);
                RecordKind::AttributeSet {
                    attribute: declared.name.clone(),
                    value: value.as_ref().map_or(Json::Null, |value| value_json(value, &declared.kind)),
                }
            }
            EventKind::Acted { action, transition, source } => RecordKind::Acted {
                action: workflow.action(*action).name.clone(),
                from: workflow.state(*source).name.clone(),
                to: workflow.state(workflow.transition(*transition).to).name.clone(),
            },
            EventKind::Done { state } => RecordKind::Done { state: workflow.state(*state).name.clone() },
            EventKind::Extended { clock, extension, action } => RecordKind::Extended {
                clock: workflow.clock(*clock).name.clone(),
                action: workflow.action(*action).name.clone(),
                extension: *extension,
            },
            EventKind::Noted { text } => RecordKind::Noted { text: text.clone() },
        };
        EventRecord {
            at: event.at.to_rfc3339(),
            actor: event.actor.clone(),
            role: event.role.map(|role| workflow.role(role).name.clone()),
            kind,
        }
    }

    /// The canonical encoding: compact JSON, fields in declaration order.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a record from its JSON.
    ///
    /// # Errors
    ///
    /// [`RecordError::Json`] when the text is not a record.
    pub fn parse(text: &str) -> Result<EventRecord, RecordError> {
        serde_json::from_str(text).map_err(|error| RecordError::Json(error.to_string()))
    }

    /// The event this record names, in `workflow`.
    ///
    /// # Errors
    ///
    /// [`RecordError`] when a name is not the workflow's or a value does not fit its attribute.
    pub fn to_event(&self, workflow: &Workflow) -> Result<Event, RecordError> {
        let at: DateTime<FixedOffset> =
            DateTime::parse_from_rfc3339(&self.at).map_err(|_| RecordError::Instant { at: self.at.clone() })?;
        let unknown = |what, name: &str| RecordError::Unknown { what, name: name.to_owned() };
        let role = match &self.role {
            Some(name) => Some(workflow.role_named(name).ok_or_else(|| unknown("role", name))?),
            None => None,
        };
        let attribute = |name: &str| workflow.attribute_named(name).ok_or_else(|| unknown("attribute", name));
        let state = |name: &str| workflow.state_named(name).ok_or_else(|| unknown("state", name));
        let action = |name: &str| workflow.action_named(name).ok_or_else(|| unknown("action", name));
        let kind = match &self.kind {
            RecordKind::Opened { attributes, .. } => EventKind::Opened {
                attributes: attributes
                    .iter()
                    .map(|(name, json)| {
                        let id = attribute(name)?;
                        Ok((id, value_of_json(name, &workflow.attribute(id).kind, json)?))
                    })
                    .collect::<Result<_, RecordError>>()?,
            },
            RecordKind::AttributeSet { attribute: name, value } => {
                let id = attribute(name)?;
                let value = if value.is_null() {
                    None
                } else {
                    Some(value_of_json(name, &workflow.attribute(id).kind, value)?)
                };
                EventKind::AttributeSet { attribute: id, value }
            }
            RecordKind::Acted { action: action_name, from, to } => {
                let (action_id, source, target) = (action(action_name)?, state(from)?, state(to)?);
                let transition = workflow
                    .transitions_from(source)
                    .iter()
                    .copied()
                    .find(|id| {
                        let transition = workflow.transition(*id);
                        transition.action == action_id && transition.to == target
                    })
                    .ok_or_else(|| RecordError::NoTransition {
                        action: action_name.clone(),
                        from: from.clone(),
                        to: to.clone(),
                    })?;
                EventKind::Acted { action: action_id, transition, source }
            }
            RecordKind::Done { state: name } => EventKind::Done { state: state(name)? },
            RecordKind::Extended { clock, action: action_name, extension } => {
                let clock_id = workflow.clock_named(clock).ok_or_else(|| unknown("clock", clock))?;
                let action_id = action(action_name)?;
                let fits = workflow.action(action_id).kind == ActionKind::Extension(clock_id)
                    && workflow.clock(clock_id).extensions.get(*extension).is_some_and(|e| e.action == action_id);
                if !fits {
                    return Err(unknown("extension", &format!("{clock}.{action_name}#{extension}")));
                }
                EventKind::Extended { clock: clock_id, extension: *extension, action: action_id }
            }
            RecordKind::Noted { text } => EventKind::Noted { text: text.clone() },
        };
        Ok(Event { at, actor: self.actor.clone(), role, kind })
    }
}

/// A value as JSON: booleans and integers as themselves, decimals as exact text, enums by
/// name, dates as `YYYY-MM-DD`.
fn value_json(value: &Value, kind: &AttributeType) -> Json {
    match value {
        Value::Bool(value) => Json::Bool(*value),
        Value::Integer(value) => Json::from(*value),
        Value::Decimal(value) => Json::String(value.to_string()),
        Value::Text(value) => Json::String(value.clone()),
        Value::Enum(_) | Value::Date(_) => Json::String(value.render(kind)),
    }
}

fn value_of_json(name: &str, kind: &AttributeType, json: &Json) -> Result<Value, RecordError> {
    let bad = || RecordError::Value { attribute: name.to_owned(), value: json.to_string() };
    match (kind, json) {
        (AttributeType::Bool, Json::Bool(value)) => Ok(Value::Bool(*value)),
        (AttributeType::Integer, Json::Number(number)) => number.as_i64().map(Value::Integer).ok_or_else(bad),
        (AttributeType::Decimal, Json::String(text)) => Decimal::parse(text).map(Value::Decimal).map_err(|_| bad()),
        (AttributeType::Text, Json::String(text)) => Ok(Value::Text(text.clone())),
        (AttributeType::Enum(values), Json::String(text)) => {
            values.iter().position(|value| value == text).map(|index| Value::Enum(index as u16)).ok_or_else(bad)
        }
        (AttributeType::Date, Json::String(text)) => parse_iso_date(text).map(Value::Date).ok_or_else(bad),
        _ => Err(bad()),
    }
}
