//! `Checker`: collects every problem found while loading a workflow and its `extends` chain, each
//! pointing into the file that holds the offending text.

use std::sync::Arc;

use serde_saphyr::{Location, Spanned};

use super::draft::NAME_CHARS_MAX;
use super::workflow_error::WorkflowError;
use crate::core::problem::{NamedText, Problem, byte_span, named_text};
use crate::core::suggest::nearest;

/// Most problems reported for one workflow; the rest are counted.
pub const WORKFLOW_PROBLEMS_MAX: usize = 50;

/// Where a piece of text is: which file of the chain, and its line, column and byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) source: usize,
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) span: Option<(usize, usize)>,
}

/// A name as written, with where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Named {
    pub(crate) name: String,
    pub(crate) at: Origin,
}

/// One file of an `extends` chain.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub(crate) name: String,
    pub(crate) text: Arc<NamedText>,
    /// The byte offset where each line starts, the first at 0: a place's line is found by a
    /// binary search rather than by counting breaks from the start of the file for every name.
    line_starts: Vec<usize>,
}

pub(crate) struct Checker {
    pub(crate) sources: Vec<SourceFile>,
    problems: Vec<Problem>,
    problems_dropped: usize,
}

impl Checker {
    pub(crate) fn new() -> Checker {
        Checker { sources: Vec::new(), problems: Vec::new(), problems_dropped: 0 }
    }

    /// Adds a file to the chain and returns its index.
    pub(crate) fn add_source(&mut self, name: &str, text: &str) -> usize {
        let named = named_text(name, text);
        let line_starts = line_starts(text);
        self.sources.push(SourceFile { name: name.to_owned(), text: Arc::new(named), line_starts });
        self.sources.len() - 1
    }

    #[allow(clippy::unused_self)] // kept a method so every origin is made through the checker
    pub(crate) fn origin(&self, source: usize, location: &Location) -> Origin {
        Origin { source, line: location.line(), column: location.column(), span: byte_span(location) }
    }

    /// A name as written, refused (as a problem at its place) when it is longer than
    /// `NAME_CHARS_MAX`.
    pub(crate) fn named(&mut self, source: usize, spanned: &Spanned<String>) -> Named {
        let named = Named { name: spanned.value.clone(), at: self.origin(source, &spanned.referenced) };
        self.expect_name_length(&named);
        named
    }

    /// Reports a name longer than `NAME_CHARS_MAX`, quoting only its start.
    pub(crate) fn expect_name_length(&mut self, named: &Named) {
        if named.name.len() <= NAME_CHARS_MAX {
            return;
        }
        let chars = named.name.chars().count();
        if chars > NAME_CHARS_MAX {
            let message =
                format!("`{}` is {chars} characters long, beyond the limit of {NAME_CHARS_MAX}", shown(&named.name));
            self.error(&named.at, message, "too long");
        }
    }

    /// The start of a file, for problems with no better place.
    pub(crate) fn file_start(source: usize) -> Origin {
        Origin { source, line: 1, column: 1, span: None }
    }

    pub(crate) fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// How many problems have been found so far, shown or not.
    pub(crate) fn problem_count(&self) -> usize {
        self.problems.len() + self.problems_dropped
    }

    pub(crate) fn error(&mut self, at: &Origin, message: impl Into<String>, label: impl Into<String>) {
        self.report(at, message.into(), label.into(), None);
    }

    pub(crate) fn error_help(
        &mut self,
        at: &Origin,
        message: impl Into<String>,
        label: impl Into<String>,
        help: String,
    ) {
        self.report(at, message.into(), label.into(), Some(help));
    }

    /// An unknown name, with the nearest known one as a suggestion.
    pub(crate) fn unknown<'a>(&mut self, kind: &str, name: &Named, known: impl Iterator<Item = &'a str>) {
        let message = match nearest(&name.name, known) {
            Some(suggestion) => format!("unknown {kind} `{}`; did you mean `{suggestion}`?", shown(&name.name)),
            None => format!("unknown {kind} `{}`", shown(&name.name)),
        };
        self.report(&name.at, message, format!("no such {kind}"), None);
    }

    /// A key that `keys` (a shape's, all short) does not hold, with the nearest one as a
    /// suggestion, which is returned; without one, the message lists them all.
    pub(crate) fn unknown_key(&mut self, key: &Named, keys: &[&'static str]) -> Option<&'static str> {
        let suggestion = nearest(&key.name, keys.iter().copied());
        let message = match suggestion {
            Some(suggestion) => format!("unknown field `{}`; did you mean `{suggestion}`?", shown(&key.name)),
            None => {
                let expected: Vec<String> = keys.iter().map(|known| format!("`{known}`")).collect();
                format!("unknown field `{}`; expected one of {}", shown(&key.name), expected.join(", "))
            }
        };
        self.report(&key.at, message, "unknown field".to_owned(), None);
        suggestion
    }

    /// Records a problem once: the same message at the same place (a name copied by a reform,
    /// checked once per copy) is one problem.
    fn report(&mut self, at: &Origin, message: String, label: String, help: Option<String>) {
        let file = &self.sources[at.source].name;
        let seen = self.problems.iter().any(|problem| {
            problem.line == at.line
                && problem.column == at.column
                && problem.file == *file
                && problem.message == message
        });
        if seen {
            return;
        }
        if self.problems.len() >= WORKFLOW_PROBLEMS_MAX {
            self.problems_dropped += 1;
            return;
        }
        self.push(at, message, label, help);
    }

    fn push(&mut self, at: &Origin, message: String, label: String, help: Option<String>) {
        let source = &self.sources[at.source];
        self.problems.push(Problem {
            file: source.name.clone(),
            line: at.line,
            column: at.column,
            message,
            label,
            help,
            span: at.span,
            source: Some(Arc::clone(&source.text)),
        });
    }

    /// The place of `part` (bytes `start..start + len` of a value written as `value` at `at`): the
    /// value is looked up in the text under `at`'s span, so quotes and flow lists are skipped.
    /// When the value cannot be found (a folded scalar), the whole span is used.
    pub(crate) fn narrow(&self, at: &Origin, value: &str, start: usize, len: usize) -> Origin {
        let Some((offset, length)) = at.span else { return at.clone() };
        let text = self.sources[at.source].text.inner();
        let Some(spanned) = text.get(offset..offset + length) else { return at.clone() };
        let Some(position) = spanned.find(value) else { return at.clone() };
        self.place(at.source, offset + position + start, len)
    }

    /// The origin of bytes `absolute..absolute + len` of a file, with their line and column.
    fn place(&self, source: usize, absolute: usize, len: usize) -> Origin {
        let file = &self.sources[source];
        let text = file.text.inner();
        let absolute_in = absolute.min(text.len());
        // The starts at or before the place: the last of them is its line's.
        let lines = file.line_starts.partition_point(|start| *start <= absolute_in);
        let line_start = file.line_starts[lines.saturating_sub(1)];
        let column = text.get(line_start..absolute_in).map_or(0, |before| before.chars().count()) as u64 + 1;
        Origin { source, line: lines as u64, column, span: Some((absolute, len)) }
    }

    /// The place for a problem with a whole value written at `at` under the mapping key `key`: a
    /// flow value (`{…}`, `[…]`, a scalar) is its own place, but a block value's place is an empty
    /// span at the start of its first line, so then the key's place. Only blanks, the `:` and
    /// comments may lie between the key and the value; when the key is not found there, `at`.
    pub(crate) fn value_or_key(&self, at: &Origin, key: &str) -> Origin {
        let Some((offset, 0)) = at.span else { return at.clone() };
        let text = self.sources[at.source].text.inner();
        let Some(before) = text.get(..offset) else { return at.clone() };
        let mut end = before.len();
        loop {
            let line_start = before[..end].rfind('\n').map_or(0, |index| index + 1);
            let line = &before[line_start..end];
            let code = comment_start(line).map_or(line, |comment| &line[..comment]).trim_end();
            if code.trim_start().is_empty() {
                if line_start == 0 {
                    return at.clone();
                }
                end = line_start - 1;
                continue;
            }
            let Some(head) = code.strip_suffix(':').map(str::trim_end) else { return at.clone() };
            let Some(key_start) = head.strip_suffix(key).map(str::len) else { return at.clone() };
            let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
            if head[..key_start].chars().next_back().is_some_and(is_name_char) {
                return at.clone();
            }
            return self.place(at.source, line_start + key_start, key.len());
        }
    }

    /// The place of one name inside a list written as one value (`by: [bureau, group]`).
    /// A list's own span covers only its start (the `[`, or nothing for a block list), so the
    /// name is looked for up to the list's end.
    pub(crate) fn name_in(&self, at: &Origin, name: &str) -> Origin {
        let Some((offset, length)) = at.span else { return at.clone() };
        let text = self.sources[at.source].text.inner();
        let end = list_end(text, offset).max(offset + length);
        let Some(spanned) = text.get(offset..end) else { return at.clone() };
        let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
        let mut search_from = 0;
        while let Some(found) = spanned[search_from..].find(name) {
            let start = search_from + found;
            let end = start + name.len();
            let before_ok = !spanned[..start].chars().next_back().is_some_and(is_name_char);
            let after_ok = !spanned[end..].chars().next().is_some_and(is_name_char);
            if before_ok && after_ok {
                return self.place(at.source, offset + start, name.len());
            }
            search_from = end;
        }
        at.clone()
    }

    pub(crate) fn into_error(mut self) -> WorkflowError {
        if self.problems_dropped > 0 {
            let at = Checker::file_start(0);
            let message = format!("{} more problems not shown", self.problems_dropped);
            self.problems_dropped = 0;
            self.push(&at, message, String::new(), None);
        }
        // The file that was loaded is the first source; the files it extends follow it.
        let file = self.sources.first().map(|source| source.name.clone()).unwrap_or_default();
        WorkflowError::new(file, self.problems)
    }
}

/// A name as shown in a message: whole, or its first characters when it is beyond the limit.
fn shown(name: &str) -> std::borrow::Cow<'_, str> {
    if name.chars().nth(NAME_CHARS_MAX).is_none() {
        return name.into();
    }
    let start: String = name.chars().take(NAME_SHOWN_CHARS).collect();
    format!("{start}…").into()
}

/// How much of a name beyond the limit a message shows.
const NAME_SHOWN_CHARS: usize = 24;

/// Where a YAML comment starts in one line: a `#` at its start or after a blank.
fn comment_start(line: &str) -> Option<usize> {
    line.char_indices()
        .find(|&(index, c)| c == '#' && line[..index].chars().next_back().is_none_or(char::is_whitespace))
        .map(|(index, _)| index)
}

/// Where a list that starts at byte `offset` ends: after the `]` of a flow list (`[a, b]`; names
/// hold no `]`), or, for a block list, before the first line after its first that is neither blank
/// nor a comment nor indented past the list's `-` (or a further `-` at its column). Anything else
/// is a single value: `offset`.
fn list_end(text: &str, offset: usize) -> usize {
    let Some(rest) = text.get(offset..) else { return offset };
    if rest.starts_with('[') {
        return rest.find(']').map_or(text.len(), |close| offset + close + 1);
    }
    if !rest.starts_with('-') {
        return offset;
    }
    let column = offset - text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let mut end = rest.find('\n').map_or(text.len(), |newline| offset + newline + 1);
    while end < text.len() {
        let line = text[end..].split('\n').next().unwrap_or("");
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let continues = body.trim().is_empty()
            || body.starts_with('#')
            || indent > column
            || (indent == column && body.starts_with('-'));
        if !continues {
            break;
        }
        end += line.len() + 1;
    }
    end.min(text.len())
}

/// Where each line of `text` starts. YAML breaks lines at `\n`, `\r\n` and a lone `\r`.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (index, byte) in bytes.iter().enumerate() {
        let breaks = *byte == b'\n' || (*byte == b'\r' && bytes.get(index + 1) != Some(&b'\n'));
        if breaks {
            starts.push(index + 1);
        }
    }
    starts
}
