//! What a case number may be. A number is how people name a case on the command line, in
//! reports and in a log an import reads, so it must print as what it is: at most
//! [`CASE_NUMBER_CHARS_MAX`] characters, not blank, nothing a terminal would act on (controls,
//! ESC) or display out of order (bidirectional formatting), nothing invisible, and never the
//! form of a case id (a UUID), so a number and another case's id cannot name different cases.
//! Actors, notes and attribute values are free text and are not checked here; output escapes
//! them instead (`core::printable`).

use crate::core::printable::{NameFault, name_fault};

/// The most characters a case number has.
pub const CASE_NUMBER_CHARS_MAX: usize = 128;

/// Why a case number is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaseNumberError {
    #[error("is empty")]
    Empty,
    #[error("is only whitespace")]
    Blank,
    #[error("has {chars} characters, more than {CASE_NUMBER_CHARS_MAX}")]
    TooLong { chars: usize },
    /// `position` counts characters from 1.
    #[error("has the control character {} at character {position}", code_point(*character))]
    Control { character: char, position: usize },
    #[error("has the bidirectional formatting character {} at character {position}", code_point(*character))]
    Bidi { character: char, position: usize },
    #[error("has the invisible character {} at character {position}", code_point(*character))]
    Invisible { character: char, position: usize },
    #[error("has the form of a UUID, as case ids do; a number must not read as another case's id")]
    CaseIdForm,
}

fn code_point(character: char) -> String {
    format!("U+{:04X}", u32::from(character))
}

/// Checks a case number a user or a log gave.
///
/// # Errors
///
/// [`CaseNumberError`], saying what is wrong and where.
///
/// # Example
///
/// ```
/// use renewflow::core::case::{CaseNumberError, validate_case_number};
///
/// assert_eq!(validate_case_number("XK-2026-0001"), Ok(()));
/// assert_eq!(validate_case_number("深规许〔2026〕12号"), Ok(()));
/// assert_eq!(
///     validate_case_number("XK\x1b[31m"),
///     Err(CaseNumberError::Control { character: '\x1b', position: 3 })
/// );
/// assert_eq!(validate_case_number("0190a5c4-7c1e-7000-8000-000000000000"), Err(CaseNumberError::CaseIdForm));
/// ```
pub fn validate_case_number(number: &str) -> Result<(), CaseNumberError> {
    if let Some(fault) = name_fault(number, CASE_NUMBER_CHARS_MAX) {
        return Err(fault.into());
    }
    // Every form `uuid` reads (hyphenated, 32 hex digits, braced, `urn:uuid:`), in any case.
    if uuid::Uuid::try_parse(number).is_ok() {
        return Err(CaseNumberError::CaseIdForm);
    }
    Ok(())
}

impl From<NameFault> for CaseNumberError {
    fn from(fault: NameFault) -> CaseNumberError {
        match fault {
            NameFault::Empty => CaseNumberError::Empty,
            NameFault::Blank => CaseNumberError::Blank,
            NameFault::TooLong { chars } => CaseNumberError::TooLong { chars },
            NameFault::Control { character, position } => CaseNumberError::Control { character, position },
            NameFault::Bidi { character, position } => CaseNumberError::Bidi { character, position },
            NameFault::Invisible { character, position } => CaseNumberError::Invisible { character, position },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CASE_NUMBER_CHARS_MAX, CaseNumberError, validate_case_number};

    fn check(number: &str, expected: &Result<(), CaseNumberError>) {
        assert_eq!(&validate_case_number(number), expected, "{number:?}");
    }

    #[test]
    fn printable_numbers_pass() {
        for number in ["L-1", "2026-00001", "深规许〔2026〕12号", "A B", "x".repeat(CASE_NUMBER_CHARS_MAX).as_str()]
        {
            check(number, &Ok(()));
        }
    }

    #[test]
    fn empty_blank_and_long_numbers_are_refused() {
        check("", &Err(CaseNumberError::Empty));
        check(" \u{3000} ", &Err(CaseNumberError::Blank));
        check("\t\n", &Err(CaseNumberError::Blank));
        check(&"号".repeat(CASE_NUMBER_CHARS_MAX + 1), &Err(CaseNumberError::TooLong { chars: 129 }));
    }

    #[test]
    fn controls_bidi_and_invisible_characters_are_refused_where_they_are() {
        let control = |character, position| Err(CaseNumberError::Control { character, position });
        let bidi = |character, position| Err(CaseNumberError::Bidi { character, position });
        check("L-1\x1b[31m", &control('\x1b', 4));
        check("L\n1", &control('\n', 2));
        check("L\u{9b}1", &control('\u{9b}', 2));
        check("L\u{7f}", &control('\u{7f}', 2));
        check("L\u{2028}1", &control('\u{2028}', 2));
        for character in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{61C}'] {
            check(&format!("L{character}1"), &bidi(character, 2));
        }
        check("L-\u{200B}1", &Err(CaseNumberError::Invisible { character: '\u{200B}', position: 3 }));
        check("\u{FEFF}L-1", &Err(CaseNumberError::Invisible { character: '\u{FEFF}', position: 1 }));
    }

    #[test]
    fn numbers_in_the_form_of_a_case_id_are_refused() {
        for number in [
            "0190a5c4-7c1e-7000-8000-000000000000",
            "0190A5C4-7C1E-7000-8000-000000000000",
            "0190a5c47c1e70008000000000000000",
            "{0190a5c4-7c1e-7000-8000-000000000000}",
            "urn:uuid:0190a5c4-7c1e-7000-8000-000000000000",
        ] {
            check(number, &Err(CaseNumberError::CaseIdForm));
        }
        check("0190a5c4-7c1e-7000-8000-00000000000", &Ok(()));
    }

    #[test]
    fn reasons_read_in_the_house_voice() {
        let reason = validate_case_number("ab\u{202E}c").unwrap_err().to_string();
        assert_eq!(reason, "has the bidirectional formatting character U+202E at character 3");
        let reason = validate_case_number(&"x".repeat(200)).unwrap_err().to_string();
        assert_eq!(reason, "has 200 characters, more than 128");
    }
}
