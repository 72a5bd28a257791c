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
