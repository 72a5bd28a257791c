//! `WorkflowError`: a workflow (or a file of its `extends` chain) that was refused, with every
//! problem found, each in the file that holds the offending text.

use crate::core::problem::{Problem, problems_diagnostic};

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

    /// The file that was loaded: for a reform, the reform itself, not a file it extends.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Every problem, in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

problems_diagnostic!(WorkflowError, "workflow");
