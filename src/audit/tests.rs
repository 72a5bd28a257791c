//! The log readers: quoting, line ends, BOM, Chinese text, and rows that cannot be read.

use super::{CsvLog, JsonLinesLog, LogColumns, LogEvent, UnreadableRow, XesLog};

fn read_csv(text: &[u8]) -> Vec<Result<LogEvent, UnreadableRow>> {
    CsvLog::new(text, &LogColumns::default(), &["joint_handling"]).unwrap().collect()
}

#[test]
fn csv_with_bom_crlf_quotes_and_chinese_reads_every_field() {
    let text = "\u{feff}case:concept:name,concept:name,time:timestamp,org:role,org:resource,case:joint_handling\r\n\
                \"A,1\",\"受理\",2026-03-02 09:00,officer,\"承办人 \"\"甲\"\"\",true\r\n\
                B,accept,2026-03-03,,,\r\n";
    let rows = read_csv(text.as_bytes());
    let first = rows[0].as_ref().unwrap();
    assert_eq!((first.row, first.case_id.as_str(), first.activity.as_str()), (1, "A,1", "受理"));
    assert_eq!(first.resource.as_deref(), Some("承办人 \"甲\""));
    assert_eq!(first.attributes, [("joint_handling".to_owned(), "true".to_owned())]);
    let second = rows[1].as_ref().unwrap();
    assert_eq!((second.role.as_ref(), second.resource.as_ref()), (None, None));
    assert!(second.attributes.is_empty());
    assert_eq!(rows.len(), 2);
}

#[test]
fn a_short_or_broken_csv_row_is_reported_and_reading_goes_on() {
    let text =
        b"case_id,activity,timestamp\nA,accept\nB,\xff\xfe,2026-03-02\n,accept,2026-03-02\nC,accept,2026-03-02\n";
    let rows = read_csv(text);
    let problems: Vec<(u64, String)> = rows
        .iter()
        .filter_map(|row| row.as_ref().err())
        .map(|problem| (problem.row, problem.message.clone()))
        .collect();
    assert_eq!(
        problems,
        [
            (1, "the row has no timestamp".to_owned()),
            (2, "field 2 is not UTF-8 text".to_owned()),
            (3, "the row has no case id".to_owned())
        ]
    );
    assert_eq!(rows[3].as_ref().unwrap().case_id, "C");
}

#[test]
fn a_header_without_the_needed_columns_is_refused_naming_them() {
    let error = CsvLog::new(&b"id,step,at\n"[..], &LogColumns::default(), &[]).err().unwrap();
    assert!(error.contains("no case id column") && error.contains("`id`, `step`, `at`"), "{error}");
    let empty = CsvLog::new(&b""[..], &LogColumns::default(), &[]).err().unwrap();
    assert!(empty.contains("empty"), "{empty}");
}

#[test]
fn json_lines_skip_blank_lines_and_report_bad_ones_by_line() {
    let text = "{\"case_id\":\"A\",\"activity\":\"accept\",\"timestamp\":\"2026-03-02\",\"joint_handling\":false}\n\n\
                [1,2]\n{\"case_id\":7,\"activity\":\"grant\",\"timestamp\":\"2026-03-03\"}\nnot json\n";
    let rows: Vec<_> = JsonLinesLog::new(text.as_bytes(), &LogColumns::default(), &["joint_handling"]).collect();
    assert_eq!(rows.len(), 4);
    let first = rows[0].as_ref().unwrap();
    assert_eq!(first.attributes, [("joint_handling".to_owned(), "false".to_owned())]);
    assert_eq!(rows[1].as_ref().unwrap_err().row, 3);
    assert_eq!(rows[2].as_ref().unwrap().case_id, "7");
    assert_eq!(rows[3].as_ref().unwrap_err().row, 5);
}

fn read_xes(text: &str) -> Vec<Result<LogEvent, UnreadableRow>> {
    XesLog::new(text.as_bytes(), &LogColumns::default(), &["joint_handling"]).collect()
}

#[test]
fn xes_traces_give_case_ids_and_attributes_whatever_their_order() {
    let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <trace>
    <event>
      <string key="concept:name" value="受理 &amp; 审查"/>
      <date key="time:timestamp" value="2026-03-02T09:00:00.000+08:00"/>
      <list key="tags"><values><string key="x" value="y"/></values></list>
      <string key="org:role" value="officer"><string key="meta" value="skipped"/></string>
    </event>
    <string key="concept:name" value="A-1"/>
    <boolean key="joint_handling" value="true"/>
    <event/>
  </trace>
  <trace>
    <event><string key="concept:name" value="accept"/><date key="time:timestamp" value="2026-03-03"/></event>
  </trace>
</log>"#;
    let rows = read_xes(text);
    assert_eq!(rows.len(), 3);
    let first = rows[0].as_ref().unwrap();
    assert_eq!((first.row, first.case_id.as_str(), first.activity.as_str()), (1, "A-1", "受理 & 审查"));
    assert_eq!(first.role.as_deref(), Some("officer"));
    assert_eq!(first.attributes, [("joint_handling".to_owned(), "true".to_owned())]);
    assert_eq!(rows[1].as_ref().unwrap_err().row, 2, "an empty <event/> has no activity");
    assert!(rows[2].as_ref().unwrap_err().message.contains("no `concept:name`"), "a trace without a case id");
}

#[test]
fn broken_xml_is_one_unreadable_row_and_the_end() {
    let rows = read_xes("<log><trace><string key=\"concept:name\" value=\"A\"/><event><string key=");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].as_ref().unwrap_err().message.contains("XML"), "{:?}", rows[0]);
    let unfinished = read_xes("<log><trace><string key=\"concept:name\" value=\"A\"/>");
    assert!(unfinished[0].as_ref().unwrap_err().message.contains("ends inside"), "{unfinished:?}");
}

mod fuzz {
    //! Malformed logs never panic: every reader yields rows or unreadable rows and ends, and the
    //! auditor replays whatever they yield.

    use proptest::prelude::*;

    use super::super::{Auditor, CsvLog, JsonLinesLog, LogColumns, Mapping, XesLog};
    use crate::core::calendar::Calendars;
    use crate::core::workflow::{NoExtends, Workflow, load_workflow};

    const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");
    const CLEAN_CSV: &str = include_str!("../../tests/data/histories/licence-findings.csv");
    const CLEAN_JSONL: &str = include_str!("../../tests/data/histories/licence-findings.jsonl");
    const CLEAN_XES: &str = include_str!("../../tests/data/histories/licence-clean.xes");

    static RULES: std::sync::LazyLock<(Calendars, Workflow)> = std::sync::LazyLock::new(|| {
        let calendars = Calendars::builtin();
        let workflow = load_workflow("licence.yaml", LICENCE, &mut NoExtends, &calendars).unwrap();
        (calendars, workflow)
    });

    /// Each reader over `bytes`, every row fed to an auditor, and the report made.
    fn audit_all(bytes: &[u8]) {
        let (calendars, workflow) = &*RULES;
        let calendar = calendars.require(workflow.calendar()).unwrap();
        let mapping = Mapping::default();
        let attributes = ["joint_handling"];
        let mut auditor = Auditor::new(workflow, calendar, &mapping, None, true);
        if let Ok(rows) = CsvLog::new(bytes, &LogColumns::default(), &attributes) {
            rows.for_each(|row| auditor.feed(row));
        }
        let _ = auditor.finish();
        let mut auditor = Auditor::new(workflow, calendar, &mapping, None, false);
        JsonLinesLog::new(bytes, &LogColumns::default(), &attributes).for_each(|row| auditor.feed(row));
        let _ = auditor.finish();
        let mut auditor = Auditor::new(workflow, calendar, &mapping, None, false);
        XesLog::new(bytes, &LogColumns::default(), &attributes).for_each(|row| auditor.feed(row));
        let _ = auditor.finish();
    }

    /// A real log with a few bytes changed, cut or repeated.
    fn edited(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            any::<prop::sample::Index>(),
            any::<bool>(),
        )
            .prop_map(move |(changes, cut, repeat)| {
                let mut bytes = base.as_bytes().to_vec();
                for (at, byte) in changes {
                    let index = at.index(bytes.len());
                    bytes[index] = byte;
                }
                bytes.truncate(cut.index(bytes.len() + 1));
                if repeat {
                    let copy = bytes.clone();
                    bytes.extend(copy);
                }
                bytes
            })
    }

    proptest! {
        // 1 000 inputs per property in `cargo test`; `PROPTEST_CASES=N` for a long run.
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(1_000),
            ..ProptestConfig::default()
        })]

        #[test]
        fn edited_csv_never_panics(bytes in edited(CLEAN_CSV)) {
            audit_all(&bytes);
        }

        #[test]
        fn edited_json_lines_never_panic(bytes in edited(CLEAN_JSONL)) {
            audit_all(&bytes);
        }

        #[test]
        fn edited_xes_never_panics(bytes in edited(CLEAN_XES)) {
            audit_all(&bytes);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            audit_all(&bytes);
        }
    }
}
