//! `ImportSelection`: which audited cases an import brings into the store, and how each is
//! marked. A case whose replayed history differs from its log (a finding that
//! [`FindingCode::changes_history`]) comes only when findings are accepted, and is then marked
//! as imported with findings; a case with nothing replayed is left out, and so is a case whose
//! id in the log is no valid case number ([`validate_case_number`]), with its reason kept.

use std::collections::{BTreeSet, HashMap};

use super::finding::{Finding, FindingCode};
use crate::core::case::{CaseNumberError, Event, validate_case_number};
use crate::engine::{CaseHistory, ImportEntry};

/// The most refused case numbers whose reasons are kept; past it they are only counted.
pub const REFUSED_NUMBERS_KEPT_MAX: usize = 20;

/// The history-changing findings of an audit, by case, and whether they are accepted.
#[derive(Debug, Default)]
pub struct ImportSelection {
    accept_findings: bool,
    changed: HashMap<String, BTreeSet<FindingCode>>,
    refused_numbers: Vec<(String, CaseNumberError)>,
    refused_number_count: usize,
}

impl ImportSelection {
    pub fn new(accept_findings: bool) -> ImportSelection {
        ImportSelection { accept_findings, ..ImportSelection::default() }
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
    pub fn entry(&mut self, case_id: String, events: Vec<Event>) -> ImportEntry {
        if events.is_empty() {
            return ImportEntry::LeftOut;
        }
        // Even accepted findings do not bring a number the store would refuse.
        if let Err(reason) = validate_case_number(&case_id) {
            self.refused_number_count += 1;
            if self.refused_numbers.len() < REFUSED_NUMBERS_KEPT_MAX {
                self.refused_numbers.push((case_id, reason));
            }
            return ImportEntry::LeftOut;
        }
        let findings: Vec<String> = self
            .changed
            .get(&case_id)
            .map(|codes| codes.iter().map(|code| code.code().to_owned()).collect())
            .unwrap_or_default();
        if !findings.is_empty() && !self.accept_findings {
            return ImportEntry::LeftOut;
        }
        ImportEntry::History(CaseHistory { number: case_id, events, findings })
    }

    /// How many cases were left out because their id is no valid case number.
    pub fn refused_number_count(&self) -> usize {
        self.refused_number_count
    }

    /// The first [`REFUSED_NUMBERS_KEPT_MAX`] of them, in the order they settled, with why.
    pub fn refused_numbers(&self) -> &[(String, CaseNumberError)] {
        &self.refused_numbers
    }
}

#[cfg(test)]
mod tests {
    use super::{ImportSelection, REFUSED_NUMBERS_KEPT_MAX};
    use crate::core::case::{CaseNumberError, Event, EventKind};
    use crate::engine::ImportEntry;

    fn events() -> Vec<Event> {
        let at = chrono::DateTime::parse_from_rfc3339("2026-09-21T09:00:00+08:00").unwrap();
        vec![Event { at, actor: Some("窗口".to_owned()), role: None, kind: EventKind::Noted { text: String::new() } }]
    }

    #[test]
    fn a_case_whose_id_is_no_valid_number_is_left_out_with_its_reason() {
        let mut selection = ImportSelection::new(true);
        assert!(matches!(selection.entry("XK-1".to_owned(), events()), ImportEntry::History(_)));
        assert!(matches!(selection.entry("XK\x1b[31m".to_owned(), events()), ImportEntry::LeftOut));
        assert!(matches!(selection.entry(String::new(), events()), ImportEntry::LeftOut));
        assert_eq!(selection.refused_number_count(), 2);
        assert_eq!(
            selection.refused_numbers(),
            [
                ("XK\x1b[31m".to_owned(), CaseNumberError::Control { character: '\x1b', position: 3 }),
                (String::new(), CaseNumberError::Empty),
            ]
        );
    }

    #[test]
    fn refused_numbers_past_the_limit_are_counted_not_kept() {
        let mut selection = ImportSelection::new(false);
        for index in 0..REFUSED_NUMBERS_KEPT_MAX + 5 {
            selection.entry(format!("XK-{index}\u{202E}"), events());
        }
        assert_eq!(selection.refused_number_count(), REFUSED_NUMBERS_KEPT_MAX + 5);
        assert_eq!(selection.refused_numbers().len(), REFUSED_NUMBERS_KEPT_MAX);
    }
}
