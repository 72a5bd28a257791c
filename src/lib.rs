//! renewflow: an engine for statutory, time-limited approval workflows whose limits are counted
//! in working days on a real China-mainland calendar.
//!
//! A **workflow** (a YAML file) declares the states a case moves through, the actions that move
//! it, who may take them, and the **clocks**: statutory limits over spans of the flow, with
//! pauses, extensions and warnings. The [`engine::Engine`] deploys workflows into a
//! [`store::Store`], opens **cases** on them, applies actions (refusing illegal ones, writing
//! nothing), reports each clock's **timing** as of a date, and verifies the hash chain that links
//! every case's events. Every rule lives in a pure core that the audit of past event logs and the
//! reform simulator drive too.
//!
//! # Example
//!
//! Deploy the shipped licence flow into an in-memory store, open a case, accept it, and read its
//! 20-working-day decision clock across the 2026 国庆 break:
//!
//! ```
//! use chrono::{DateTime, NaiveDate};
//! use renewflow::core::calendar::Calendars;
//! use renewflow::core::case::{Command, CommandKind};
//! use renewflow::core::workflow::NoExtends;
//! use renewflow::engine::{CaseOpening, Engine};
//! use renewflow::store::SqliteStore;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let licence = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml"));
//! let at = |text: &str| DateTime::parse_from_rfc3339(text);
//!
//! let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
//! engine.deploy("administrative-license.yaml", licence, &mut NoExtends, at("2026-01-05T09:00:00+08:00")?)?;
//! let opened = engine.open_case(&CaseOpening {
//!     workflow: "administrative-license".to_owned(),
//!     version: None,
//!     number: Some("XK-1".to_owned()),
//!     at: at("2026-09-21T09:30:00+08:00")?,
//!     actor: "窗口".to_owned(),
//!     attributes: vec![("joint_handling".to_owned(), "false".to_owned())],
//!     idempotency_key: None,
//! })?;
//!
//! // Acting names the version last read: a case that moved on since is a conflict.
//! let accept = Command {
//!     at: at("2026-09-22T10:00:00+08:00")?,
//!     actor: "承办人".to_owned(),
//!     role: "officer".to_owned(),
//!     kind: CommandKind::Act { action: "accept".to_owned(), attributes: Vec::new() },
//! };
//! engine.act("XK-1", &accept, opened.version, None)?;
//!
//! // 中秋 and 国庆 do not count; Saturday 10-10, a makeup working day, does.
//! let (view, timing) = engine.timing("XK-1", NaiveDate::from_ymd_opt(2026, 10, 12).ok_or("date")?)?;
//! let decision = timing.clocks.iter().find(|clock| view.workflow.clock(clock.clock).name == "decision");
//! assert_eq!(decision.map(|clock| clock.elapsed), Some(9)); // 9 of 20 working days used
//! assert!(engine.verify()?.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! # Modules
//!
//! - [`core`]: the pure core, which takes everything as arguments and does no I/O:
//!   - [`core::calendar`]: the working-day calendar (built-in `cn-mainland`, 2004–2026,
//!     extendable at run time), working-day counts, due dates and civil-code periods;
//!   - [`core::workflow`]: the workflow language, validated into a [`core::workflow::Workflow`],
//!     and the statutory comparison of a baseline with a reform;
//!   - [`core::case`]: the transition function, the fold of a case's history, and timing.
//! - [`engine`]: the API case-handling software embeds, over a [`store::Store`].
//! - [`store`]: the case store; [`store::SqliteStore`] is the embedded backend.
//! - [`audit`]: replays event logs of past cases and reports findings under stable codes.
//! - [`simulate`]: Monte Carlo runs of reform scenarios, seeded and deterministic.
//!
//! The command line lives behind the default `cli` feature; software that embeds the library
//! turns it off with `default-features = false`. `ARCHITECTURE.md` in the repository maps the code
//! and its invariants; `docs/` documents the file formats and the timing rules.

pub mod audit;
pub mod core;
pub mod engine;
pub mod simulate;
pub mod store;

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod drivers;
