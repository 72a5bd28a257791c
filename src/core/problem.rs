//! `Problem`: one problem in a file a user wrote, with its line, column and a label under the
//! offending text; and the clean-up of YAML parser messages into the house voice.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};
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
    pub(crate) source: Option<Arc<NamedText>>,
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

/// A file's text as miette reads it to draw a snippet. miette counts the column it shows over a
/// snippet (`[file:line:column]`) in bytes; every problem's `line:column` counts characters, as
/// the YAML parser does, so this counts the snippet's in characters too: the two agree on a line
/// with Chinese text before the problem.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SourceText(String);

impl std::ops::Deref for SourceText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl SourceCode for SourceText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.0.as_bytes().read_span(span, context_lines_before, context_lines_after)?;
        // miette's column is the bytes between the start of the span's line and the span.
        let column_bytes = contents.column();
        let line_start = span.offset().saturating_sub(column_bytes);
        let Some(before) = self.0.as_bytes().get(line_start..span.offset()) else { return Ok(contents) };
        let column = before.iter().filter(|byte| !is_continuation_byte(**byte)).count();
        let (data, span, line, line_count) =
            (contents.data(), *contents.span(), contents.line(), contents.line_count());
        Ok(Box::new(MietteSpanContents::new(data, span, line, column, line_count)))
    }
}

/// Whether `byte` continues a UTF-8 character rather than starting one.
fn is_continuation_byte(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// A named file's text for diagnostics, with columns in characters.
pub(crate) type NamedText = NamedSource<SourceText>;

/// `text` as the file `name`, in YAML, for diagnostics.
pub(crate) fn named_text(name: &str, text: &str) -> NamedText {
    NamedSource::new(name, SourceText(text.to_owned())).with_language("yaml")
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
    (plain_message(&message), location)
}

/// A parser's message in the words of the file's writer: no Rust type names ("use
/// Option<String>", "struct RawColumns", "u64"), which mean nothing to them.
pub(crate) fn plain_message(message: &str) -> String {
    const WHOLE: [(&str, &str); 6] = [
        ("cannot deserialize null into string; use Option<String>", "a value is missing here: write the text"),
        ("invalid char: cannot deserialize null; use Option<char>", "a value is missing here: write one character"),
        ("expected string scalar", "expected text here, not a list or a map"),
        ("expected scalar", "expected one value here, not a list or a map"),
        ("unexpected value for unit", "expected no value here"),
        ("externally tagged enum expected scalar or mapping", "expected one of the allowed words here"),
    ];
    if let Some((_, plain)) = WHOLE.iter().find(|(rust, _)| message == *rust) {
        return (*plain).to_owned();
    }
    let mut plain = message.to_owned();
    for (rust, words) in [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number, 0 or more"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a borrowed string", "expected text"),
        ("expected a string", "expected text"),
    ] {
        plain = plain.replace(rust, words);
    }
    // serde's "expected struct RawColumns" / "expected enum RawOpen" / "; use Option<T>".
    for (rust, words) in
        [("expected struct ", "expected a map of keys"), ("expected enum ", "expected one of the allowed words")]
    {
        while let Some(start) = plain.find(rust) {
            let name_end = plain[start + rust.len()..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(plain.len(), |end| start + rust.len() + end);
            plain.replace_range(start..name_end, words);
        }
    }
    if let Some(start) = plain.find("; use Option<") {
        plain.truncate(start);
    }
    plain
}

/// The byte offset and length of a located value, when the parser knows them.
pub(crate) fn byte_span(location: &Location) -> Option<(usize, usize)> {
    let span = location.span();
    span.byte_offset().zip(span.byte_len()).map(|(offset, length)| (offset as usize, length as usize))
}
