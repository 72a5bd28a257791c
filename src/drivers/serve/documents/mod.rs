//! The documents the service answers with beyond the shared views ([`crate::drivers::views`]):
//! pages of cases and watch rows, a write's outcome, workflows, calendars and the store's checks.
//! Each is a typed struct deriving `Serialize` and `ToSchema`, so the OpenAPI document describes
//! exactly what is sent (field docs become schema descriptions). Engine types that an answer
//! carries are shown through mirrors whose conversions destructure every field, so a field added
//! there fails to compile here until it is shown and described.

mod calendars;
mod cases;
mod supervision;
mod workflows;

pub(crate) use calendars::{BulkResult, BulkShown, CalendarChangeShown, CalendarListShown, CalendarListed};
pub(crate) use cases::{
    ActionsShown, AvailableActionShown, CasePage, CaseTimingShown, ChainShown, HistoryShown, OutcomeShown, WatchPage,
};
pub(crate) use supervision::{
    DeliveryListShown, GrantShown, KeyListShown, KeyShown, WarningPage, WarningShown, WebhookListShown,
    WebhookRemovalShown, WebhookShown,
};
pub(crate) use workflows::{
    CheckShown, DeployedShown, Health, StaleCalendarShown, VerifyShown, WorkflowFileShown, WorkflowListShown,
    WorkflowListed, WorkflowShown,
};
