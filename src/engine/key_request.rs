//! `KeyRequest` (a key to create) and `ApiKey` (a key as stored, without its token's hash), and
//! what a key's name and organ may be: text people read in lists, in messages and, for the
//! name, as the actor of every event the key writes.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::key_error::{KeyError, KeyTextError};
use super::principal::{Grant, Principal};
use crate::core::printable::{NameFault, name_fault};

/// The most characters a key's name or organ has.
pub const KEY_TEXT_CHARS_MAX: usize = 128;

/// A key to create. The token is made by the caller (the engine never draws randomness); only
/// its SHA-256 comes here ([`super::token_sha256`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRequest {
    /// Who holds the key: unique among keys not revoked, and the actor of what it writes.
    pub name: String,
    /// The organ (承办机关) the holder works for.
    pub organ: Option<String>,
    /// At least one, unless the key is an administrator's; a supervisor's grants have no roles.
    pub grants: Vec<Grant>,
    pub supervisor: bool,
    pub admin: bool,
    /// SHA-256 of the token, 64 lower-case hex digits.
    pub token_sha256: String,
    /// Who creates the key, as the key log records it.
    pub created_by: String,
    pub at: DateTime<FixedOffset>,
}

/// An API key as stored, never with its token or the token's hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// The public id, `key_` and 12 hex digits.
    pub id: String,
    pub name: String,
    pub organ: Option<String>,
    pub grants: Vec<Grant>,
    pub supervisor: bool,
    pub admin: bool,
    /// RFC 3339, with the offset given.
    pub created_at: String,
    pub created_by: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
}

impl ApiKey {
    /// Whether the key was revoked (a revoked key authenticates nothing).
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// Who holds the key and what it may do.
    pub fn principal(&self) -> Principal {
        Principal {
            key_id: self.id.clone(),
            name: self.name.clone(),
            organ: self.organ.clone(),
            grants: self.grants.clone(),
            supervisor: self.supervisor,
            admin: self.admin,
        }
    }
}

/// Checks a key's name or organ (`field` names which in the error): not empty or blank, at most
/// [`KEY_TEXT_CHARS_MAX`] characters, nothing a terminal would act on or reorder, nothing
/// invisible, and not in the form of a key id.
pub(crate) fn expect_key_text(field: &'static str, text: &str) -> Result<(), KeyError> {
    validate_key_text(text).map_err(|reason| KeyError::BadText { field, text: text.to_owned(), reason })
}

fn validate_key_text(text: &str) -> Result<(), KeyTextError> {
    if let Some(fault) = name_fault(text, KEY_TEXT_CHARS_MAX) {
        return Err(fault.into());
    }
    if is_key_id_form(text) {
        return Err(KeyTextError::KeyIdForm);
    }
    Ok(())
}

/// Whether `text` reads as a key id: `key_` and 12 hex digits, in any case.
pub(crate) fn is_key_id_form(text: &str) -> bool {
    let Some(digits) = text.get(..4).filter(|prefix| prefix.eq_ignore_ascii_case("key_")).and(text.get(4..)) else {
        return false;
    };
    digits.len() == 12 && digits.bytes().all(|byte| byte.is_ascii_hexdigit())
}

impl From<NameFault> for KeyTextError {
    fn from(fault: NameFault) -> KeyTextError {
        match fault {
            NameFault::Empty => KeyTextError::Empty,
            NameFault::Blank => KeyTextError::Blank,
            NameFault::TooLong { chars } => KeyTextError::TooLong { chars },
            NameFault::Control { character, position } => KeyTextError::Control { character, position },
            NameFault::Bidi { character, position } => KeyTextError::Bidi { character, position },
            NameFault::Invisible { character, position } => KeyTextError::Invisible { character, position },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_printable_bounded_and_never_a_key_id() {
        assert_eq!(validate_key_text("承办人甲"), Ok(()));
        assert_eq!(validate_key_text("窗口 A"), Ok(()));
        assert_eq!(validate_key_text(&"名".repeat(KEY_TEXT_CHARS_MAX)), Ok(()));
        assert_eq!(validate_key_text(""), Err(KeyTextError::Empty));
        assert_eq!(validate_key_text(" \u{3000}"), Err(KeyTextError::Blank));
        assert_eq!(validate_key_text(&"名".repeat(129)), Err(KeyTextError::TooLong { chars: 129 }));
        assert_eq!(validate_key_text("a\x1b[31m"), Err(KeyTextError::Control { character: '\x1b', position: 2 }));
        assert_eq!(validate_key_text("a\u{202E}b"), Err(KeyTextError::Bidi { character: '\u{202E}', position: 2 }));
        assert_eq!(validate_key_text("a\u{200B}"), Err(KeyTextError::Invisible { character: '\u{200B}', position: 2 }));
        assert_eq!(validate_key_text("key_0123456789ab"), Err(KeyTextError::KeyIdForm));
        assert_eq!(validate_key_text("KEY_0123456789AB"), Err(KeyTextError::KeyIdForm));
        assert_eq!(validate_key_text("key_0123456789a"), Ok(()));
        assert_eq!(validate_key_text("key_0123456789ag"), Ok(()));
    }

    #[test]
    fn a_bad_name_is_named_escaped_in_the_house_voice() {
        let error = expect_key_text("name", "a\nb").unwrap_err();
        assert_eq!(error.to_string(), "key name `a\\u{a}b` has the control character U+000A at character 2");
    }
}
