//! `Finding`: one thing an audit found wrong in a case's history, under a stable code. Codes are
//! never renumbered; new ones are added after the last (see `docs/audit-findings.md`).

use serde::Serialize;

/// The stable finding codes, in order (`code as usize` indexes [`FindingCode::ALL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FindingCode {
    /// An activity the mapping and the workflow do not know.
    #[serde(rename = "AUD001")]
    UnknownActivity,
    /// A step the active states do not allow (or whose guard is false).
    #[serde(rename = "AUD002")]
    StepNotAllowed,
    /// A step taken by a role the workflow does not permit.
    #[serde(rename = "AUD003")]
    RoleNotPermitted,
    /// A timestamp earlier than the case's previous one.
    #[serde(rename = "AUD004")]
    TimeBackwards,
    /// A case not in a final state as of the audit date.
    #[serde(rename = "AUD005")]
    NeverFinished,
    /// A clock past its statutory or promised limit.
    #[serde(rename = "AUD006")]
    ClockBreached,
    /// A step's own clock past its limit while every whole-matter clock is within its own (环节超时).
    #[serde(rename = "AUD007")]
    StepOverLimit,
    /// A pause longer than the workflow allows.
    #[serde(rename = "AUD008")]
    PauseTooLong,
    /// An extension the workflow does not allow (used up, or on a clock not running).
    #[serde(rename = "AUD009")]
    ExtensionBeyondCap,
    /// A date outside the calendar's data.
    #[serde(rename = "AUD010")]
    DateOutsideCalendar,
    /// A row that cannot be read (a missing field, a timestamp in no known form, broken CSV).
    #[serde(rename = "AUD011")]
    UnreadableRow,
    /// A case whose first modelled row does not open it (a closing action, or a step the
    /// initial state does not allow): its rows are left out until one opens it.
    #[serde(rename = "AUD012")]
    NotOpened,
    /// A clock that takes each case's limit from an attribute the case did not set: its time is
    /// counted but not judged.
    #[serde(rename = "AUD013")]
    LimitUnknown,
}

impl FindingCode {
    pub const ALL: [FindingCode; 13] = [
        FindingCode::UnknownActivity,
        FindingCode::StepNotAllowed,
        FindingCode::RoleNotPermitted,
        FindingCode::TimeBackwards,
        FindingCode::NeverFinished,
        FindingCode::ClockBreached,
        FindingCode::StepOverLimit,
        FindingCode::PauseTooLong,
        FindingCode::ExtensionBeyondCap,
        FindingCode::DateOutsideCalendar,
        FindingCode::UnreadableRow,
        FindingCode::NotOpened,
        FindingCode::LimitUnknown,
    ];

    /// `AUD001` …
    pub fn code(self) -> &'static str {
        match self {
            FindingCode::UnknownActivity => "AUD001",
            FindingCode::StepNotAllowed => "AUD002",
            FindingCode::RoleNotPermitted => "AUD003",
            FindingCode::TimeBackwards => "AUD004",
            FindingCode::NeverFinished => "AUD005",
            FindingCode::ClockBreached => "AUD006",
            FindingCode::StepOverLimit => "AUD007",
            FindingCode::PauseTooLong => "AUD008",
            FindingCode::ExtensionBeyondCap => "AUD009",
            FindingCode::DateOutsideCalendar => "AUD010",
            FindingCode::UnreadableRow => "AUD011",
            FindingCode::NotOpened => "AUD012",
            FindingCode::LimitUnknown => "AUD013",
        }
    }

    /// Whether the replayed history differs from what the log says because of this finding: a
    /// row left out (`AUD001`, `AUD002`, `AUD009`–`AUD012`), a role replaced by one
    /// the workflow permits (`AUD003`) or an instant moved up to the previous one (`AUD004`).
    /// An import brings such cases only when told to, marked as imported with findings. Timing
    /// findings (`AUD005`–`AUD008`) leave the history as the log says.
    pub fn changes_history(self) -> bool {
        !matches!(
            self,
            FindingCode::NeverFinished
                | FindingCode::ClockBreached
                | FindingCode::StepOverLimit
                | FindingCode::PauseTooLong
                | FindingCode::LimitUnknown
        )
    }

    /// A short title for reports.
    pub fn title(self) -> &'static str {
        match self {
            FindingCode::UnknownActivity => "unknown activity",
            FindingCode::StepNotAllowed => "step not allowed",
            FindingCode::RoleNotPermitted => "role not permitted",
            FindingCode::TimeBackwards => "time going backwards",
            FindingCode::NeverFinished => "case never finished",
            FindingCode::ClockBreached => "clock breached",
            FindingCode::StepOverLimit => "step over its own limit (环节超时)",
            FindingCode::PauseTooLong => "pause too long",
            FindingCode::ExtensionBeyondCap => "extension beyond cap",
            FindingCode::DateOutsideCalendar => "date outside the calendar's data",
            FindingCode::UnreadableRow => "unreadable row",
            FindingCode::NotOpened => "case not opened",
            FindingCode::LimitUnknown => "limit unknown",
        }
    }
}

/// One finding, with the numbers behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: FindingCode,
    /// Empty for a row whose case cannot be read.
    pub case_id: String,
    /// Where the row is in the log (`LogEvent::row`: a CSV record's line, the header being
    /// line 1), when the finding is about one.
    pub row: Option<u64>,
    /// The activity as the log wrote it.
    pub activity: Option<String>,
    pub message: String,
    /// The clock a timing finding is about.
    pub clock: Option<String>,
    /// Working days (or the clock's unit) over the statutory limit.
    pub over_statutory: Option<i64>,
    /// Over the promised limit.
    pub over_promised: Option<i64>,
}

impl Finding {
    pub(crate) fn new(code: FindingCode, case_id: &str, row: Option<u64>, message: String) -> Finding {
        Finding {
            code,
            case_id: case_id.to_owned(),
            row,
            activity: None,
            message,
            clock: None,
            over_statutory: None,
            over_promised: None,
        }
    }

    pub(crate) fn with_activity(mut self, activity: &str) -> Finding {
        self.activity = Some(activity.to_owned());
        self
    }
}
