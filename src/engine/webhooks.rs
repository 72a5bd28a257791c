//! Webhooks: where warnings are POSTed. A webhook names a plain `http://` URL (TLS goes through
//! a local relay), a secret the body is signed with, and the kinds of warning it wants. A
//! removed webhook is kept, so its deliveries still say where they went; it gets nothing more.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::Serialize;

use super::engine::Engine;
use super::engine_error::EngineError;
use super::warnings::WarningKind;
use crate::core::printable::{LineBreaks, escape_unprintable};
use crate::store::{NewWebhook, Store, WebhookRow};

/// The shortest secret a webhook may have, in bytes: 128 bits.
pub const WEBHOOK_SECRET_BYTES_MIN: usize = 16;

/// The longest secret, in bytes.
pub const WEBHOOK_SECRET_BYTES_MAX: usize = 1024;

/// The longest URL, in bytes.
pub const WEBHOOK_URL_BYTES_MAX: usize = 2048;

/// A webhook as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub kinds: Vec<WarningKind>,
    pub created_at: String,
    pub created_by: String,
    pub removed_at: Option<String>,
    pub removed_by: Option<String>,
}

impl Webhook {
    pub(crate) fn from_row(row: &WebhookRow) -> Webhook {
        Webhook {
            id: row.id,
            url: row.webhook.url.clone(),
            kinds: row.webhook.kinds.split(',').filter_map(WarningKind::parse).collect(),
            created_at: row.webhook.created_at.clone(),
            created_by: row.webhook.created_by.clone(),
            removed_at: row.removed_at.clone(),
            removed_by: row.removed_by.clone(),
        }
    }

    /// Whether the webhook wants warnings of `kind`.
    pub fn wants(&self, kind: WarningKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// Why a webhook was refused; nothing was stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookProblem {
    #[error(
        "webhook URL `{}` {reason}; write http://HOST:PORT/PATH (for https, deliver to a local relay that adds TLS)",
        escape_unprintable(.url, LineBreaks::Escaped)
    )]
    BadUrl { url: String, reason: &'static str },
    #[error(
        "the webhook secret has {bytes} bytes; it needs at least {WEBHOOK_SECRET_BYTES_MIN} (and at most {WEBHOOK_SECRET_BYTES_MAX})"
    )]
    BadSecret { bytes: usize },
    #[error(
        "no warning kind `{}`; the kinds are prompt, yellow and red{}",
        escape_unprintable(.kind, LineBreaks::Escaped),
        nearest.map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
    )]
    UnknownKind { kind: String, nearest: Option<&'static str> },
}

/// The kinds in `text` (`prompt,yellow`, spaces allowed), each once, in the order a clock
/// reaches them; an empty text or list is every kind.
///
/// # Errors
///
/// [`WebhookProblem::UnknownKind`].
pub fn parse_warning_kinds(text: &str) -> Result<Vec<WarningKind>, WebhookProblem> {
    let mut kinds = Vec::new();
    for name in text.split(',').map(str::trim).filter(|name| !name.is_empty()) {
        let kind = WarningKind::parse(name).ok_or_else(|| WebhookProblem::UnknownKind {
            kind: name.to_owned(),
            nearest: crate::core::suggest::nearest(name, WarningKind::ALL.iter().map(|kind| kind.name())),
        })?;
        kinds.push(kind);
    }
    Ok(every_kind_if_none(kinds))
}

fn every_kind_if_none(mut kinds: Vec<WarningKind>) -> Vec<WarningKind> {
    if kinds.is_empty() {
        return WarningKind::ALL.to_vec();
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Checks that `url` is `http://HOST[:PORT][/PATH]`: a host, a port that is a number from 1 to
/// 65535, no user part, printable ASCII without spaces.
///
/// # Errors
///
/// [`WebhookProblem::BadUrl`] saying what is wrong.
pub fn validate_webhook_url(url: &str) -> Result<(), WebhookProblem> {
    let bad = |reason: &'static str| Err(WebhookProblem::BadUrl { url: url.to_owned(), reason });
    if url.len() > WEBHOOK_URL_BYTES_MAX {
        return bad("is too long");
    }
    if !url.bytes().all(|byte| byte.is_ascii_graphic()) {
        return bad("has a space, a control or a non-ASCII character");
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return if url.starts_with("https://") { bad("is https") } else { bad("does not start with http://") };
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return bad("has a user part");
    }
    let (host, port) = match authority.strip_prefix('[') {
        // An IPv6 literal: `[::1]:8080`.
        Some(literal) => match literal.split_once(']') {
            Some((host, "")) => (host, Some("")),
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return bad("has an unclosed IPv6 address"),
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, Some("")),
        },
    };
    if host.is_empty() {
        return bad("has no host");
    }
    match port {
        None => bad("has text after its IPv6 address"),
        Some("") => Ok(()),
        Some(port) => match port.parse::<u16>() {
            Ok(number) if number > 0 => Ok(()),
            _ => bad("has a port that is not a number from 1 to 65535"),
        },
    }
}

impl<S: Store> Engine<S> {
    /// Adds a webhook that gets the warnings of `kinds` (none: every kind) recorded from now on.
    ///
    /// # Errors
    ///
    /// [`EngineError::Webhook`] for a URL that is not plain `http://HOST[:PORT]/PATH` or a
    /// secret shorter than [`WEBHOOK_SECRET_BYTES_MIN`]; [`EngineError::NoActor`];
    /// [`EngineError::Store`]. Nothing is stored then.
    ///
    /// # Example
    ///
    /// ```
    /// # use renewflow::core::calendar::Calendars;
    /// # use renewflow::engine::{Engine, WarningKind};
    /// # use renewflow::store::SqliteStore;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut engine = Engine::new(SqliteStore::in_memory()?, Calendars::builtin());
    /// let at = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00")?;
    /// let added = engine.add_webhook("http://127.0.0.1:9000/hook", "0123456789abcdef", &[WarningKind::Red], "管理员", at)?;
    /// assert_eq!(engine.webhooks()?, vec![added]);
    /// assert!(engine.add_webhook("https://example.org/", "0123456789abcdef", &[], "管理员", at).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_webhook(
        &mut self,
        url: &str,
        secret: &str,
        kinds: &[WarningKind],
        by: &str,
        at: DateTime<FixedOffset>,
    ) -> Result<Webhook, EngineError> {
        validate_webhook_url(url)?;
        if !(WEBHOOK_SECRET_BYTES_MIN..=WEBHOOK_SECRET_BYTES_MAX).contains(&secret.len()) {
            return Err(WebhookProblem::BadSecret { bytes: secret.len() }.into());
        }
        EngineError::expect_actor(by)?;
        let kinds: Vec<&str> = every_kind_if_none(kinds.to_vec()).iter().map(|kind| kind.name()).collect();
        let row = self.store_mut().add_webhook(&NewWebhook {
            url: url.to_owned(),
            secret: secret.to_owned(),
            kinds: kinds.join(","),
            created_at: at.to_rfc3339_opts(SecondsFormat::Secs, false),
            created_by: by.to_owned(),
        })?;
        Ok(Webhook::from_row(&row))
    }

    /// Every webhook, removed ones too, oldest first; never their secrets.
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`].
    pub fn webhooks(&self) -> Result<Vec<Webhook>, EngineError> {
        Ok(self.store().webhooks()?.iter().map(Webhook::from_row).collect())
    }

    /// Removes a webhook: it gets nothing more, and its pending deliveries are not tried again.
    /// Returns it, and whether this call removed it (`false`: it was removed before, and keeps
    /// the date it was removed on).
    ///
    /// # Errors
    ///
    /// [`EngineError::Store`] with [`crate::store::StoreError::NotFound`] for an unknown id;
    /// [`EngineError::NoActor`].
    pub fn remove_webhook(
        &mut self,
        id: i64,
        by: &str,
        at: DateTime<FixedOffset>,
    ) -> Result<(Webhook, bool), EngineError> {
        EngineError::expect_actor(by)?;
        let at = at.to_rfc3339_opts(SecondsFormat::Secs, false);
        let (row, removed) = self.store_mut().remove_webhook(id, by, &at)?;
        Ok((Webhook::from_row(&row), removed))
    }
}

#[cfg(test)]
mod tests {
    use super::{WarningKind, WebhookProblem, parse_warning_kinds, validate_webhook_url};

    #[test]
    fn urls_are_plain_http_with_a_host_and_a_port_that_parses() {
        for good in
            ["http://127.0.0.1:9000/hook", "http://relay/", "http://relay", "http://[::1]:80/a?b=c", "http://h:1"]
        {
            assert_eq!(validate_webhook_url(good), Ok(()), "{good}");
        }
        for (bad, reason) in [
            ("https://example.org/", "is https"),
            ("ftp://example.org/", "does not start with http://"),
            ("http://:80/", "has no host"),
            ("http://host:0/", "has a port that is not a number from 1 to 65535"),
            ("http://host:65536/", "has a port that is not a number from 1 to 65535"),
            ("http://host:http/", "has a port that is not a number from 1 to 65535"),
            ("http://user:pw@host/", "has a user part"),
            ("http://host/a b", "has a space, a control or a non-ASCII character"),
            ("http://[::1/", "has an unclosed IPv6 address"),
            ("http://[::1]x/", "has text after its IPv6 address"),
        ] {
            assert_eq!(validate_webhook_url(bad), Err(WebhookProblem::BadUrl { url: bad.to_owned(), reason }), "{bad}");
        }
    }

    #[test]
    fn kinds_default_to_all_and_an_unknown_one_gets_a_suggestion() {
        assert_eq!(parse_warning_kinds("").unwrap(), WarningKind::ALL.to_vec());
        assert_eq!(parse_warning_kinds("red, prompt,red").unwrap(), vec![WarningKind::Prompt, WarningKind::Red]);
        let error = parse_warning_kinds("yelow").unwrap_err();
        assert_eq!(
            error.to_string(),
            "no warning kind `yelow`; the kinds are prompt, yellow and red; did you mean `yellow`?"
        );
    }
}
