//! `ReportEntry`: one piece of an audit report handed on while the audit runs (a settled case's
//! report, or a finding), so a report of any length is written without being held.

use super::finding::Finding;
use super::report::CaseReport;

#[derive(Clone, Debug, PartialEq)]
pub enum ReportEntry {
    Case(CaseReport),
    Finding(Finding),
}
