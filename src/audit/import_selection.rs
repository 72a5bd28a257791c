//! `ImportSelection`: which audited cases an import brings into the store, and how each is
//! marked. A case whose replayed history differs from its log (a finding that
//! [`FindingCode::changes_history`]) comes only when findings are accepted, and is then marked
//! as imported with findings; a case with nothing replayed is left out.

use std::collections::{BTreeSet, HashMap};

use super::finding::{Finding, FindingCode};
use crate::core::case::Event;
use crate::engine::{CaseHistory, ImportEntry};

/// The history-changing findings of an audit, by case, and whether they are accepted.
#[derive(Debug, Default)]
pub struct ImportSelection {
    accept_findings: bool,
    changed: HashMap<String, BTreeSet<FindingCode>>,
}

impl ImportSelection {
    pub fn new(accept_findings: bool) -> ImportSelection {
        ImportSelection { accept_findings, changed: HashMap::new() }
    }

    /// Notes the history-changing findings among `findings` (all of an audit's, in any order).
    pub fn note(&mut self, findings: &[Finding]) {
        for finding in findings.iter().filter(|finding| finding.code.changes_history()) {
            self.changed.entry(finding.case_id.clone()).or_default().insert(finding.code);
        }
    }

    /// How many cases have history-changing findings.
    pub fn cases_with_findings(&self) -> usize {
        self.changed.keys().filter(|case_id| !case_id.is_empty()).count()
    }

    /// What the import does with a case's replayed history.
    pub fn entry(&self, case_id: String, events: Vec<Event>) -> ImportEntry {
        let findings: Vec<String> = self
            .changed
            .get(&case_id)
            .map(|codes| codes.iter().map(|code| code.code().to_owned()).collect())
            .unwrap_or_default();
        if events.is_empty() || (!findings.is_empty() && !self.accept_findings) {
            return ImportEntry::LeftOut;
        }
        ImportEntry::History(CaseHistory { number: case_id, events, findings })
    }
}
