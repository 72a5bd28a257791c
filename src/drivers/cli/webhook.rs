//! `renewflow webhook add|list|remove|deliveries`: where warnings are POSTed, and how each
//! delivery went, attempt by attempt. A secret is never printed.

use clap::{Args, Subcommand};
use serde_json::{Value as Json, json};

use super::actor::{ACTOR_HELP, actor_or_user};
use super::case::engine_error_exit;
use super::format::{DataFormat, plural, record, records, shown};
use super::store::{now, open_engine, open_engine_to_read};
use super::{Context, EXIT_OK};
use crate::engine::{DeliveryQuery, Webhook, parse_warning_kinds};

#[derive(Debug, Args)]
pub(crate) struct WebhookArgs {
    #[command(subcommand)]
    command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Add a webhook: every warning of its kinds recorded from now on is POSTed to it, signed
    /// with HMAC-SHA256 under its secret (`Renewflow-Signature: t=…,v1=…`).
    Add {
        /// Where to POST: http://HOST:PORT/PATH (plain HTTP; for https, a local relay adds TLS).
        #[arg(value_name = "URL")]
        url: String,
        /// The signing key, at least 16 bytes; kept in the store, never printed.
        #[arg(long, env = "RENEWFLOW_WEBHOOK_SECRET", hide_env_values = true, value_name = "SECRET")]
        secret: String,
        /// The kinds it gets, comma-separated: prompt, yellow, red [default: all three].
        #[arg(long, value_name = "KINDS")]
        kinds: Option<String>,
        #[arg(long, help = ACTOR_HELP)]
        actor: Option<String>,
    },
    /// The webhooks, removed ones too (never their secrets).
    List,
    /// Remove a webhook: it gets nothing more, and its pending deliveries are not tried again.
    Remove {
        /// The webhook's id (`renewflow webhook list`).
        #[arg(value_name = "ID")]
        id: i64,
        #[arg(long, help = ACTOR_HELP)]
        actor: Option<String>,
    },
    /// Every delivery attempt: when, the HTTP status or the error, how long it took.
    Deliveries {
        /// Only deliveries that failed for good.
        #[arg(long)]
        failed: bool,
        /// Only the deliveries of this warning (its id, `renewflow warnings list`).
        #[arg(long, value_name = "ID")]
        warning: Option<i64>,
    },
}

const WEBHOOK_COLUMNS: [&str; 7] = ["id", "url", "kinds", "created_at", "created_by", "removed_at", "removed_by"];

const ATTEMPT_COLUMNS: [&str; 12] = [
    "delivery",
    "warning",
    "kind",
    "number",
    "clock",
    "webhook",
    "url",
    "status",
    "attempt",
    "at",
    "http_status",
    "error",
];

pub(crate) fn run(context: &Context, args: WebhookArgs) -> anyhow::Result<i32> {
    let format = context.format.data("webhook")?;
    match args.command {
        WebhookCommand::Add { url, secret, kinds, actor } => {
            let kinds = match parse_warning_kinds(kinds.as_deref().unwrap_or_default()) {
                Ok(kinds) => kinds,
                Err(problem) => return Ok(engine_error_exit(&problem.into())),
            };
            let actor = actor_or_user(actor)?;
            let mut engine = open_engine(context)?;
            match engine.add_webhook(&url, &secret, &kinds, &actor, now()) {
                Ok(webhook) => write_one(context, format, &webhook),
                Err(error) => Ok(engine_error_exit(&error)),
            }
        }
        WebhookCommand::List => {
            let webhooks = open_engine_to_read(context)?.webhooks()?;
            let rows: Vec<Json> = webhooks.iter().map(webhook_json).collect();
            context.output.write(&shown(&records(format, &WEBHOOK_COLUMNS, &rows)?))?;
            eprintln!("{}", plural(webhooks.len() as u64, "webhook", "webhooks"));
            Ok(EXIT_OK)
        }
        WebhookCommand::Remove { id, actor } => {
            let actor = actor_or_user(actor)?;
            let mut engine = open_engine(context)?;
            match engine.remove_webhook(id, &actor, now()) {
                Ok((webhook, removed)) => {
                    if !removed {
                        eprintln!("webhook {id} was removed before; nothing changed");
                    }
                    write_one(context, format, &webhook)
                }
                Err(error) => Ok(engine_error_exit(&error)),
            }
        }
        WebhookCommand::Deliveries { failed, warning } => deliveries(context, format, failed, warning),
    }
}

fn webhook_json(webhook: &Webhook) -> Json {
    let kinds: Vec<&str> = webhook.kinds.iter().map(|kind| kind.name()).collect();
    json!({
        "id": webhook.id, "url": webhook.url, "kinds": kinds, "created_at": webhook.created_at,
        "created_by": webhook.created_by, "removed_at": webhook.removed_at, "removed_by": webhook.removed_by,
    })
}

fn write_one(context: &Context, format: DataFormat, webhook: &Webhook) -> anyhow::Result<i32> {
    context.output.write(&shown(&record(format, &WEBHOOK_COLUMNS, &webhook_json(webhook))?))?;
    Ok(EXIT_OK)
}

/// One row per attempt; a delivery not attempted yet is one row without an attempt.
fn deliveries(context: &Context, format: DataFormat, failed: bool, warning: Option<i64>) -> anyhow::Result<i32> {
    let engine = open_engine_to_read(context)?;
    let deliveries = engine.deliveries(&DeliveryQuery { warning, failed, offset: 0, limit: None })?;
    let mut rows = Vec::new();
    for delivery in &deliveries {
        let base = json!({
            "delivery": delivery.id, "warning": delivery.warning, "kind": delivery.kind,
            "number": delivery.number, "clock": delivery.clock, "webhook": delivery.webhook,
            "url": delivery.url, "status": delivery.status, "next_attempt_at": delivery.next_attempt_at,
        });
        if delivery.attempt_log.is_empty() {
            rows.push(base);
            continue;
        }
        for attempt in &delivery.attempt_log {
            let mut row = base.clone();
            row["attempt"] = json!(attempt.attempt);
            row["at"] = json!(attempt.at);
            row["http_status"] = json!(attempt.http_status);
            row["error"] = json!(attempt.error);
            row["duration_ms"] = json!(attempt.duration_ms);
            rows.push(row);
        }
    }
    let mut columns = ATTEMPT_COLUMNS.to_vec();
    if format != DataFormat::Table {
        columns.extend(["duration_ms", "next_attempt_at"]);
    }
    context.output.write(&shown(&records(format, &columns, &rows)?))?;
    let attempts: usize = deliveries.iter().map(|delivery| delivery.attempt_log.len()).sum();
    eprintln!(
        "{}, {}",
        plural(deliveries.len() as u64, "delivery", "deliveries"),
        plural(attempts as u64, "attempt", "attempts")
    );
    Ok(EXIT_OK)
}
