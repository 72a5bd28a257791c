//! `renewflow key create|list|revoke`: the API keys `renewflow serve` accepts, in the store named
//! by `--db`. A token is 256 bits from the operating system's random source, drawn here at the
//! edge and printed once; the store keeps only its SHA-256.

use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::{Value as Json, json};

use super::actor::{ACTOR_HELP, actor_or_user};
use super::case::engine_error_exit;
use super::format::{DataFormat, json as json_text, plural, record, records};
use super::store::{now, open_engine, open_engine_to_read, parse_instant};
use super::{Context, EXIT_OK};
use crate::engine::{ApiKey, Grant, KeyRequest, api_token, token_sha256};

#[derive(Debug, Args)]
pub(crate) struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

/// When a key is created or revoked.
const AT_HELP: &str = "When: RFC 3339 (`2026-03-02T09:30:00+08:00`), or a local date and time (`2026-03-02 \
                       09:30`) or date (at 09:00) in +08:00 [default: now]";

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Create an API key and print its token, once: the store keeps only the token's SHA-256.
    Create {
        /// Who holds the key: unique among keys not revoked, and the actor of every event the key
        /// writes.
        #[arg(long)]
        name: String,
        /// The organ (承办机关) the holder works for.
        #[arg(long)]
        organ: Option<String>,
        /// A deployed workflow the key may use and the roles it may act in, `WORKFLOW:ROLE,ROLE`;
        /// `WORKFLOW` alone reads its cases only. Repeat for more workflows.
        #[arg(long = "grant", value_name = "WORKFLOW[:ROLE,…]")]
        grants: Vec<String>,
        /// A supervisor's key (电子监察): reads every case of its workflows and never acts, so
        /// its grants take no roles.
        #[arg(long)]
        supervisor: bool,
        /// An administrator's key: deploys workflows, installs calendars, manages keys and
        /// webhooks, verifies the store; it needs no grant.
        #[arg(long)]
        admin: bool,
        #[arg(long, help = ACTOR_HELP)]
        actor: Option<String>,
        #[arg(long, value_name = "INSTANT", help = AT_HELP)]
        at: Option<String>,
    },
    /// Every API key, revoked ones too; never a token or its hash.
    List,
    /// Revoke an API key: its token authenticates nothing from then on. A key revoked already
    /// is refused (exit 1).
    Revoke {
        /// The key: its id (`key_…`), or the name of a key not revoked.
        #[arg(value_name = "KEY")]
        key: String,
        #[arg(long, help = ACTOR_HELP)]
        actor: Option<String>,
        #[arg(long, value_name = "INSTANT", help = AT_HELP)]
        at: Option<String>,
    },
}

/// The columns of a key, in the order every format shows them.
const KEY_COLUMNS: [&str; 10] =
    ["id", "name", "organ", "grants", "supervisor", "admin", "created_at", "created_by", "revoked_at", "revoked_by"];

/// What `key create --format json` prints: the token first, then the key.
#[derive(Serialize)]
struct CreatedKey<'a> {
    token: &'a str,
    #[serde(flatten)]
    key: &'a ApiKey,
}

pub(crate) fn run(context: &Context, args: KeyArgs) -> anyhow::Result<i32> {
    let format = context.format.data("key")?;
    match args.command {
        KeyCommand::Create { name, organ, grants, supervisor, admin, actor, at } => {
            let grants = grants.iter().map(|grant| parse_grant(grant)).collect::<anyhow::Result<Vec<_>>>()?;
            let at = at.as_deref().map_or_else(|| Ok(now()), parse_instant)?;
            let created_by = actor_or_user(actor)?;
            let token = new_token()?;
            let request = KeyRequest {
                name,
                organ,
                grants,
                supervisor,
                admin,
                token_sha256: token_sha256(&token),
                created_by,
                at,
            };
            let mut engine = open_engine(context)?;
            match engine.create_key(&request) {
                Ok(key) => write(context, &created_output(format, &token, &key)?),
                Err(error) => Ok(engine_error_exit(&error)),
            }
        }
        KeyCommand::List => {
            let engine = open_engine_to_read(context)?;
            match engine.keys() {
                Ok(keys) => {
                    if format == DataFormat::Table {
                        let revoked = keys.iter().filter(|key| key.is_revoked()).count() as u64;
                        eprintln!("{} ({revoked} revoked)", plural(keys.len() as u64, "API key", "API keys"));
                    }
                    write(context, &list_output(format, &keys)?)
                }
                Err(error) => Ok(engine_error_exit(&error)),
            }
        }
        KeyCommand::Revoke { key, actor, at } => {
            let at = at.as_deref().map_or_else(|| Ok(now()), parse_instant)?;
            let by = actor_or_user(actor)?;
            let mut engine = open_engine(context)?;
            match engine.revoke_key(&key, &by, at) {
                Ok(key) => write(context, &key_output(format, &key)?),
                Err(error) => Ok(engine_error_exit(&error)),
            }
        }
    }
}

fn write(context: &Context, output: &str) -> anyhow::Result<i32> {
    context.output.write(&super::format::shown(output))?;
    Ok(EXIT_OK)
}

/// 256 bits from the operating system's random source, as a token.
pub(crate) fn new_token() -> anyhow::Result<String> {
    let mut random = [0_u8; 32];
    getrandom::fill(&mut random)
        .map_err(|error| anyhow::anyhow!("the operating system's random source gave no token: {error}"))?;
    Ok(api_token(&random))
}

/// `WORKFLOW:ROLE,ROLE` (or `WORKFLOW` alone, to read) as a grant; spaces around names dropped.
fn parse_grant(text: &str) -> anyhow::Result<Grant> {
    let (workflow, roles) = match text.split_once(':') {
        Some((workflow, roles)) => (workflow.trim(), Some(roles)),
        None => (text.trim(), None),
    };
    anyhow::ensure!(
        !workflow.is_empty(),
        "grant `{text}` names no workflow; write WORKFLOW:ROLE,ROLE, or WORKFLOW alone to read its cases"
    );
    let roles = match roles {
        None => Vec::new(),
        Some(roles) => roles
            .split(',')
            .map(|role| {
                let role = role.trim();
                anyhow::ensure!(
                    !role.is_empty(),
                    "grant `{text}` has an empty role; write WORKFLOW:ROLE,ROLE, or WORKFLOW alone to read its cases"
                );
                Ok(role.to_owned())
            })
            .collect::<anyhow::Result<_>>()?,
    };
    Ok(Grant { workflow: workflow.to_owned(), roles })
}

/// Grants as a table shows them: `workflow: role, role` (or `(read only)`), `; ` between.
fn grants_text(grants: &[Grant]) -> String {
    let shown: Vec<String> = grants
        .iter()
        .map(|grant| {
            if grant.roles.is_empty() {
                format!("{} (read only)", grant.workflow)
            } else {
                format!("{}: {}", grant.workflow, grant.roles.join(", "))
            }
        })
        .collect();
    shown.join("; ")
}

/// A key as a record: in a table its grants as text, in CSV as compact JSON (each grant's
/// fields in their declared order), in JSON as a list.
fn key_json(format: DataFormat, key: &ApiKey) -> Json {
    let mut value = json!(key);
    match format {
        DataFormat::Table => value["grants"] = Json::String(grants_text(&key.grants)),
        DataFormat::Csv => value["grants"] = Json::String(serde_json::to_string(&key.grants).unwrap_or_default()),
        DataFormat::Json => {}
    }
    value
}

fn created_output(format: DataFormat, token: &str, key: &ApiKey) -> anyhow::Result<String> {
    Ok(match format {
        DataFormat::Json => json_text(&CreatedKey { token, key })?,
        DataFormat::Csv => {
            let mut value = key_json(format, key);
            value["token"] = Json::String(token.to_owned());
            let columns: Vec<&str> = std::iter::once("token").chain(KEY_COLUMNS).collect();
            records(format, &columns, std::slice::from_ref(&value))?
        }
        DataFormat::Table => {
            let mut value = key_json(format, key);
            value["token"] = Json::String(token.to_owned());
            let columns = ["id", "name", "organ", "grants", "supervisor", "admin", "created_at", "created_by", "token"];
            let mut text = record(format, &columns, &value)?;
            text.push_str(
                "the token is shown only now: give it to the key's holder; renewflow keeps only its SHA-256 and \
                 cannot show it again\n",
            );
            text
        }
    })
}

/// Keys as records; in JSON each key with its fields in their declared order.
fn list_output(format: DataFormat, keys: &[ApiKey]) -> anyhow::Result<String> {
    if format == DataFormat::Json {
        return Ok(json_text(keys)?);
    }
    let rows: Vec<Json> = keys.iter().map(|key| key_json(format, key)).collect();
    records(format, &KEY_COLUMNS, &rows)
}

/// One key as a record; in JSON with its fields in their declared order.
fn key_output(format: DataFormat, key: &ApiKey) -> anyhow::Result<String> {
    if format == DataFormat::Json {
        return Ok(json_text(key)?);
    }
    record(format, &KEY_COLUMNS, &key_json(format, key))
}

#[cfg(test)]
mod tests {
    use super::{grants_text, parse_grant};
    use crate::engine::Grant;

    #[test]
    fn a_grant_is_a_workflow_and_its_roles_or_the_workflow_alone() {
        let grant = |workflow: &str, roles: &[&str]| Grant {
            workflow: workflow.to_owned(),
            roles: roles.iter().map(|role| (*role).to_owned()).collect(),
        };
        assert_eq!(parse_grant("w:officer,head").unwrap(), grant("w", &["officer", "head"]));
        assert_eq!(parse_grant(" w : officer , head ").unwrap(), grant("w", &["officer", "head"]));
        assert_eq!(parse_grant("w").unwrap(), grant("w", &[]));
        for bad in ["", ":officer", "w:", "w:officer,", "w:,head"] {
            assert!(parse_grant(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            grants_text(&[grant("w", &["officer", "head"]), grant("r", &[])]),
            "w: officer, head; r (read only)"
        );
    }
}
