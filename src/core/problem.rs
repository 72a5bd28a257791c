//! `Problem`: one problem in a file a user wrote, with its line, column and a label under the
//! offending text; and the clean-up of YAML parser messages into the house voice.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use serde_saphyr::Location;

/// One problem in a file a user wrote (a calendar or workflow file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    /// Short text shown under the offending span.
    pub label: String,
    pub help: Option<String>,
    /// Byte offset and length of the offending text.
    pub(crate) span: Option<(usize, usize)>,
    /// The file's text, when the problem is shown apart from its file (a file named by `extends`).
    pub(crate) source: Option<Arc<NamedSource<String>>>,
}

impl Problem {
    /// A problem at a place in a YAML file (its start when `None`), with a label and no help.
    pub(crate) fn at(file: &str, location: Option<&Location>, message: String, label: &str) -> Problem {
        Problem {
            file: file.to_owned(),
            line: location.map_or(1, Location::line),
            column: location.map_or(1, Location::column),
            message,
            label: label.to_owned(),
            help: None,
            span: location.and_then(byte_span),
            source: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (offset, length) = self.span?;
        let label = LabeledSpan::new(Some(self.label.clone()), offset, length);
        Some(Box::new(std::iter::once(label)))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|source| source as &dyn SourceCode)
    }
}

/// Implements `Display`, `Error` and `Diagnostic` for a refused file that holds `problems: Vec<Problem>`
/// (each with its own source text) and `file: String`: one problem is shown as itself, several
/// as a count with each one related.
macro_rules! problems_diagnostic {
    ($type:ty, $what:literal) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.problems.as_slice() {
                    [only] => write!(f, "{only}"),
                    problems => write!(f, concat!($what, " `{}` has {} problems"), self.file, problems.len()),
                }
            }
        }

        impl std::error::Error for $type {}

        impl miette::Diagnostic for $type {
            fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
                match self.problems.as_slice() {
                    [only] => only.help(),
                    _ => None,
                }
            }

            fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
                match self.problems.as_slice() {
                    [only] => only.labels(),
                    _ => None,
                }
            }

            fn source_code(&self) -> Option<&dyn miette::SourceCode> {
                match self.problems.as_slice() {
                    [only] => only.source_code(),
                    _ => None,
                }
            }

            fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
                if self.problems.len() < 2 {
                    return None;
                }
                Some(Box::new(self.problems.iter().map(|problem| problem as &dyn miette::Diagnostic)))
            }
        }
    };
}
pub(crate) use problems_diagnostic;

/// A YAML parser error as a message in the house voice, and where it is.
pub(crate) fn yaml_error_message(error: &serde_saphyr::Error) -> (String, Option<Location>) {
    let location = error.location();
    let mut message = error.without_snippet().to_string();
    if let Some(location) = &location {
        let suffix = format!(" at line {}, column {}", location.line(), location.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
    }
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key);
        message = format!("duplicate key `{key}`");
    }
    (message, location)
}

/// The byte offset and length of a located value, when the parser knows them.
pub(crate) fn byte_span(location: &Location) -> Option<(usize, usize)> {
    let span = location.span();
    span.byte_offset().zip(span.byte_len()).map(|(offset, length)| (offset as usize, length as usize))
}
