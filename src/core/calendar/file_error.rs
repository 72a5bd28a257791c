//! `CalendarFileError`: every problem found in a calendar file, each with its line, column and
//! a label under the offending text.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::core::problem::Problem;

/// A calendar file that was refused, with every problem found in it. Nothing of the file is used.
#[derive(Debug)]
pub struct CalendarFileError {
    file: String,
    source: NamedSource<String>,
    problems: Vec<Problem>,
}

impl CalendarFileError {
    pub(crate) fn new(file: &str, text: &str, problems: Vec<Problem>) -> CalendarFileError {
        debug_assert!(!problems.is_empty());
        let source = NamedSource::new(file, text.to_owned()).with_language("yaml");
        CalendarFileError { file: file.to_owned(), source, problems }
    }

    /// The file the problems are in.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Every problem, in the order of the file.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for CalendarFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [only] => write!(f, "{only}"),
            problems => write!(f, "calendar file `{}` has {} problems", self.file, problems.len()),
        }
    }
}

impl std::error::Error for CalendarFileError {}

impl Diagnostic for CalendarFileError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.problems.as_slice() {
            [only] => only.help(),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self.problems.as_slice() {
            [only] => only.labels(),
            _ => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.problems.len() < 2 {
            return None;
        }
        Some(Box::new(self.problems.iter().map(|problem| problem as &dyn Diagnostic)))
    }
}
