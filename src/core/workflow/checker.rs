//! `Checker`: collects every problem found while loading a workflow and its `extends` chain, each
//! pointing into the file that holds the offending text.

use std::sync::Arc;

use miette::NamedSource;
use serde_saphyr::{Location, Spanned};

use super::workflow_error::WorkflowError;
use crate::core::problem::{Problem, byte_span};
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
    pub(crate) text: Arc<NamedSource<String>>,
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
        let named = NamedSource::new(name, text.to_owned()).with_language("yaml");
        self.sources.push(SourceFile { name: name.to_owned(), text: Arc::new(named) });
        self.sources.len() - 1
    }

    #[allow(clippy::unused_self)] // kept a method so every origin is made through the checker
    pub(crate) fn origin(&self, source: usize, location: &Location) -> Origin {
        Origin { source, line: location.line(), column: location.column(), span: byte_span(location) }
    }

    pub(crate) fn named(&self, source: usize, spanned: &Spanned<String>) -> Named {
        Named { name: spanned.value.clone(), at: self.origin(source, &spanned.referenced) }
    }

    /// The start of a file, for problems with no better place.
    pub(crate) fn file_start(source: usize) -> Origin {
        Origin { source, line: 1, column: 1, span: None }
    }

    pub(crate) fn has_problems(&self) -> bool {
        !self.problems.is_empty()
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
            Some(suggestion) => format!("unknown {kind} `{}`; did you mean `{suggestion}`?", name.name),
            None => format!("unknown {kind} `{}`", name.name),
        };
        self.report(&name.at, message, format!("no such {kind}"), None);
    }

    fn report(&mut self, at: &Origin, message: String, label: String, help: Option<String>) {
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
        let absolute = offset + position + start;
        let before = &text[..absolute.min(text.len())];
        let line = before.matches('\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let column = before[line_start..].chars().count() as u64 + 1;
        Origin { source: at.source, line, column, span: Some((absolute, len)) }
    }

    /// The place of one name inside a list written as one value (`by: [bureau, group]`).
    pub(crate) fn name_in(&self, at: &Origin, name: &str) -> Origin {
        let Some((offset, length)) = at.span else { return at.clone() };
        let text = self.sources[at.source].text.inner();
        let Some(spanned) = text.get(offset..offset + length) else { return at.clone() };
        let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
        let mut search_from = 0;
        while let Some(found) = spanned[search_from..].find(name) {
            let start = search_from + found;
            let end = start + name.len();
            let before_ok = !spanned[..start].chars().next_back().is_some_and(is_name_char);
            let after_ok = !spanned[end..].chars().next().is_some_and(is_name_char);
            if before_ok && after_ok {
                return self.narrow(at, spanned, start, name.len());
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
        let file = self.sources.last().map(|source| source.name.clone()).unwrap_or_default();
        WorkflowError::new(file, self.problems)
    }
}
