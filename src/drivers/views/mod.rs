//! The JSON shapes of what the drivers show: a case, its timing, its history, the watch list. The
//! command line's `--format json` and the service's answers are the same documents, built here
//! once as typed structs whose schemas the service's OpenAPI document takes (field docs become
//! descriptions); each driver only adds its own dressing (a table's marks, HTTP headers).

pub(crate) mod calendar;
pub(crate) mod case;
pub(crate) mod history;
pub(crate) mod record;
pub(crate) mod timing;
pub(crate) mod watch;
