//! `WorkflowError`: a workflow (or a file of its `extends` chain) that was refused, with every
//! problem found, each in the file that holds the offending text.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::core::problem::Problem;

#[derive(Debug)]
pub struct WorkflowError {
    file: String,
    problems: Vec<Problem>,
}

impl WorkflowError {
    pub(crate) fn new(file: String, problems: Vec<Problem>) -> WorkflowError {
        debug_assert!(!problems.is_empty());
        WorkflowError { file, problems }
    }

    /// The file that was loaded (the last of an `extends` chain).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [only] => write!(f, "{only}"),
            problems => write!(f, "workflow `{}` has {} problems", self.file, problems.len()),
        }
    }
}

impl std::error::Error for WorkflowError {}

impl Diagnostic for WorkflowError {
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
        match self.problems.as_slice() {
            [only] => only.source_code(),
            _ => None,
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.problems.len() < 2 {
            return None;
        }
        Some(Box::new(self.problems.iter().map(|problem| problem as &dyn Diagnostic)))
    }
}
