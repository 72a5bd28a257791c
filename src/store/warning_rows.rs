//! Row types of warnings, webhooks and deliveries: what the store reads and writes, as plain
//! text and numbers. Kinds (`prompt`, `yellow`, `red`), limits (`set_by`: `statutory`,
//! `promised`) and statuses (`pending`, `delivered`, `failed`) are the schema's words.

/// A warning to record: one crossing of one clock of one case, with its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWarning {
    pub case_id: String,
    pub workflow: String,
    pub number: String,
    pub clock: String,
    /// `prompt`, `yellow` or `red`.
    pub kind: String,
    /// `YYYY-MM-DD`: the date the crossing happens.
    pub applies_on: String,
    /// The limit that set it (`15 wd`), if known.
    pub time_limit: Option<String>,
    /// That limit's due date (`YYYY-MM-DD`), if known.
    pub due_date: Option<String>,
    /// `statutory` or `promised`.
    pub set_by: Option<String>,
}

/// A warning as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WarningRow {
    pub id: i64,
    pub warning: NewWarning,
    /// RFC 3339 with offset.
    pub issued_at: String,
}

/// Which warnings to list, and which page: every condition given must hold. Warnings come in
/// the order they were issued (by id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarningFilter {
    pub case_id: Option<String>,
    pub kind: Option<String>,
    /// Crossings on or after this date (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// A cursor: only warnings with a larger id.
    pub after: Option<i64>,
    pub offset: u64,
    /// The most warnings listed; `None`: every one.
    pub limit: Option<u64>,
}

/// A webhook to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
    /// Comma-separated kinds (`prompt,yellow,red`).
    pub kinds: String,
    pub created_at: String,
    pub created_by: String,
}

/// A webhook as stored, removed or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: i64,
    pub webhook: NewWebhook,
    pub removed_at: Option<String>,
    pub removed_by: Option<String>,
}

/// A delivery claimed for an attempt: the warning, where it goes, and the attempt's number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDeliveryRow {
    pub delivery: i64,
    /// 1 for the first attempt.
    pub attempt: u64,
    pub warning: WarningRow,
    pub webhook: WebhookRow,
}

/// One attempt to record, and what it leaves the delivery as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDeliveryAttempt<'a> {
    pub delivery: i64,
    /// RFC 3339 with offset.
    pub at: &'a str,
    pub http_status: Option<u16>,
    /// Why there was no 2xx answer: a timeout, a refused connection, the status's reason.
    pub error: Option<&'a str>,
    pub duration_ms: u64,
    /// `delivered`, `pending` (tried again at `next_attempt_at`) or `failed` (for good). A
    /// delivery already delivered stays so.
    pub status: &'a str,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`; only for `pending`.
    pub next_attempt_at: Option<&'a str>,
}

/// One attempt as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryAttemptRow {
    pub attempt: u64,
    pub at: String,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// A delivery as listed, with its warning's names and every attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub warning: i64,
    pub webhook: i64,
    pub url: String,
    pub kind: String,
    pub number: String,
    pub clock: String,
    pub status: String,
    pub attempts: u64,
    pub next_attempt_at: Option<String>,
    /// Oldest first.
    pub attempt_log: Vec<DeliveryAttemptRow>,
}

/// Which deliveries to list: every condition given must hold; by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub warning: Option<i64>,
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    pub offset: u64,
    pub limit: Option<u64>,
}
