//! `CalendarFileError`: every problem found in a calendar file, each with its line, column and
//! a label under the offending text.

use std::sync::Arc;

use crate::core::problem::{Problem, named_text, problems_diagnostic};

/// A calendar file that was refused, with every problem found in it. Nothing of the file is used.
#[derive(Debug)]
pub struct CalendarFileError {
    file: String,
    problems: Vec<Problem>,
}

impl CalendarFileError {
    pub(crate) fn new(file: &str, text: &str, mut problems: Vec<Problem>) -> CalendarFileError {
        debug_assert!(!problems.is_empty());
        let source = Arc::new(named_text(file, text));
        for problem in &mut problems {
            problem.source.get_or_insert_with(|| Arc::clone(&source));
        }
        CalendarFileError { file: file.to_owned(), problems }
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

problems_diagnostic!(CalendarFileError, "calendar file");
