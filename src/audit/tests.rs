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
    assert_eq!((first.row, first.case_id.as_str(), first.activity.as_str()), (2, "A,1", "受理"));
    assert_eq!(first.resource.as_deref(), Some("承办人 \"甲\""));
    assert_eq!(first.attributes, [("joint_handling".to_owned(), "true".to_owned())]);
    let second = rows[1].as_ref().unwrap();
    assert_eq!(second.row, 3);
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
            (2, "the row has no timestamp".to_owned()),
            (3, "field 2 is not UTF-8 text".to_owned()),
            (4, "the row has no case id".to_owned())
        ]
    );
    assert_eq!(rows[3].as_ref().unwrap().case_id, "C");
}

/// A record is checked as UTF-8 once, whole: a character split between two fields (valid only
/// when the fields are joined) is still a field that is not text; Unicode whitespace (U+3000,
/// the ideographic space of Chinese forms) and tabs around a field are trimmed.
#[test]
fn csv_fields_are_text_of_their_own_and_trimmed_of_any_whitespace() {
    // "中" is E4 B8 AD: its first two bytes end field 2, its last begins field 3.
    let text = b"case_id,activity,timestamp\nA,x\xe4\xb8,\xad2026-03-02\nB,\xe3\x80\x80accept\t,2026-03-02 \n";
    let rows = read_csv(text);
    assert_eq!(rows[0].as_ref().unwrap_err().message, "field 2 is not UTF-8 text");
    let second = rows[1].as_ref().unwrap();
    assert_eq!((second.activity.as_str(), second.timestamp.as_str()), ("accept", "2026-03-02"));
}

#[test]
fn a_header_without_the_needed_columns_is_refused_naming_them() {
    let error = CsvLog::new(&b"id,step,at\n"[..], &LogColumns::default(), &[]).err().unwrap();
    assert!(error.contains("no case id column") && error.contains("`id`, `step`, `at`"), "{error}");
    let empty = CsvLog::new(&b""[..], &LogColumns::default(), &[]).err().unwrap();
    assert!(empty.contains("empty"), "{empty}");
}

/// (activity, role, how many attributes) of a readable row.
type PlaceholderSummary = Result<(String, Option<String>, usize), ()>;

/// Issue 25, item 4: a mapping's `missing` cells read as empty cells in every format, on the
/// CSV reader's fast path (a line split at its commas) and on `csv_core`'s (a quoted line).
#[test]
fn placeholder_cells_read_as_empty_in_every_format() {
    let columns = LogColumns { missing: vec!["NULL".to_owned(), "-".to_owned()], ..LogColumns::default() };
    let summary = |rows: &[Result<LogEvent, UnreadableRow>]| -> Vec<PlaceholderSummary> {
        rows.iter()
            .map(|row| row.as_ref().map(|event| (event.activity.clone(), event.role.clone(), event.attributes.len())))
            .map(|row| row.map_err(|_| ()))
            .collect()
    };
    let expected =
        vec![Ok(("accept".to_owned(), None, 0)), Ok(("grant".to_owned(), Some("null".to_owned()), 1)), Err(())];
    let csv = "case_id,activity,timestamp,role,joint_handling\nA,accept,2026-03-02, NULL ,-\n\
               A,\"grant\",2026-03-03,null,true\nA,accept,\"NULL\",,\n";
    let rows: Vec<_> = CsvLog::new(csv.as_bytes(), &columns, &["joint_handling"]).unwrap().collect();
    assert_eq!(summary(&rows), expected);
    assert_eq!(rows[2].as_ref().unwrap_err().message, "the row has no timestamp");
    let jsonl = "{\"case_id\":\"A\",\"activity\":\"accept\",\"timestamp\":\"2026-03-02\",\"role\":\" NULL \",\"joint_handling\":\"-\"}\n\
                 {\"case_id\":\"A\",\"activity\":\"grant\",\"timestamp\":\"2026-03-03\",\"role\":\"null\",\"joint_handling\":true}\n\
                 {\"case_id\":\"A\",\"activity\":\"accept\",\"timestamp\":\"NULL\"}\n";
    let rows: Vec<_> = JsonLinesLog::new(jsonl.as_bytes(), &columns, &["joint_handling"]).collect();
    assert_eq!(summary(&rows), expected);
    let xes = r#"<log><trace><string key="concept:name" value="A"/>
        <event><string key="concept:name" value="accept"/><date key="time:timestamp" value="2026-03-02"/>
          <string key="org:role" value=" NULL "/><string key="joint_handling" value="-"/></event>
        <event><string key="concept:name" value="grant"/><date key="time:timestamp" value="2026-03-03"/>
          <string key="org:role" value="null"/><string key="joint_handling" value="true"/></event>
        <event><string key="concept:name" value="accept"/><date key="time:timestamp" value="NULL"/></event>
        </trace></log>"#;
    let rows: Vec<_> = XesLog::new(xes.as_bytes(), &columns, &["joint_handling"]).collect();
    assert_eq!(summary(&rows), expected);
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

/// Issue 23, item 10: a line, record or XML element longer than `LOG_RECORD_BYTES_MAX` (a log of
/// zeros) is one unreadable row that ends the log, read no further than about the limit.
#[test]
fn an_overlong_line_or_element_ends_the_log_as_one_unreadable_row() {
    let limit = super::LOG_RECORD_BYTES_MAX;
    let zeros = vec![0_u8; 4 * limit];
    let good = "{\"case_id\":\"A\",\"activity\":\"accept\",\"timestamp\":\"2026-03-02\"}\n";
    let jsonl = [good.as_bytes(), &zeros, b"\n", good.as_bytes()].concat();
    let rows: Vec<_> = JsonLinesLog::new(&jsonl[..], &LogColumns::default(), &[]).collect();
    assert_eq!(rows.len(), 2, "{:?}", rows.iter().map(|row| row.as_ref().map(|_| ())).collect::<Vec<_>>());
    let problem = rows[1].as_ref().unwrap_err();
    assert_eq!((problem.row, problem.message.as_str()), (2, "the line is longer than the limit of 1048576 bytes"));
    let xes = ["<log><trace>".as_bytes(), &zeros].concat();
    let rows: Vec<_> = XesLog::new(&xes[..], &LogColumns::default(), &[]).collect();
    assert_eq!(rows.len(), 1);
    let message = &rows[0].as_ref().unwrap_err().message;
    assert!(message.contains("an element or text is longer than the limit of 1048576 bytes"), "{message}");
    let csv = [b"case_id,activity,timestamp\nA,accept,2026-03-02\n".as_slice(), &zeros].concat();
    let rows = read_csv(&csv);
    assert_eq!(rows.len(), 2);
    let problem = rows[1].as_ref().unwrap_err();
    assert_eq!((problem.row, problem.message.as_str()), (3, "a line is longer than the limit of 1048576 bytes"));
}

#[test]
fn a_batch_holds_the_rows_one_by_one_reading_gives_and_its_parts_split_them_by_case() {
    use super::row_batch::{RowBatch, RowSource};
    let text = b"case_id,activity,timestamp,org:role,joint_handling\nA,accept,2026-03-02,officer,true\n\
                 B,\xff\xfe,2026-03-02,,\n,accept,2026-03-02,,\nA,review,2026-03-03,,false\nC,accept,2026-03-04,,\n\
                 B,accept,2026-03-05,officer,true\n";
    let one_by_one = read_csv(text);
    let mut batch = RowBatch::new();
    let mut log = CsvLog::new(&text[..], &LogColumns::default(), &["joint_handling"]).unwrap();
    log.fill(&mut batch, 4);
    log.fill(&mut batch, 100);
    let batched: Vec<_> = (0..batch.len()).map(|index| batch.view(index).to_owned_row()).collect();
    assert_eq!(batched, one_by_one);
    assert_eq!(batched.len(), 6);

    let mut parts: Vec<RowBatch> = (0..3).map(|_| RowBatch::new()).collect();
    batch.split(&mut parts);
    let mut rejoined: Vec<(u32, Result<LogEvent, UnreadableRow>)> = Vec::new();
    for (shard, part) in parts.iter().enumerate() {
        for index in 0..part.len() {
            let row = part.view(index).to_owned_row();
            let case_id = match &row {
                Ok(event) => event.case_id.clone(),
                Err(unreadable) => unreadable.case_id.clone().unwrap_or_default(),
            };
            assert_eq!(super::row_batch::shard_of(&case_id, 3), shard, "{row:?}");
            rejoined.push((part.position(index), row));
        }
        let positions: Vec<u32> = (0..part.len()).map(|index| part.position(index)).collect();
        assert!(positions.is_sorted(), "a part keeps file order: {positions:?}");
    }
    rejoined.sort_by_key(|(position, _)| *position);
    let rejoined: Vec<_> = rejoined.into_iter().map(|(_, row)| row).collect();
    assert_eq!(rejoined, one_by_one);

    // A CSV log reads each record straight into its part: the same parts as a split batch.
    let mut direct: Vec<RowBatch> = (0..3).map(|_| RowBatch::new()).collect();
    let mut log = CsvLog::new(&text[..], &LogColumns::default(), &["joint_handling"]).unwrap();
    log.fill_parts(&mut RowBatch::new(), &mut direct, 100);
    for (part, split) in direct.iter().zip(&parts) {
        let rows = |part: &RowBatch| -> Vec<_> {
            (0..part.len()).map(|index| (part.position(index), part.view(index).to_owned_row())).collect()
        };
        assert_eq!(rows(part), rows(split));
    }
    log.fill_parts(&mut RowBatch::new(), &mut direct, 100);
    assert!(direct.iter().all(RowBatch::is_empty), "the log has ended");
}

#[test]
fn a_row_taken_back_takes_back_the_attribute_names_it_wrote() {
    use super::row_batch::{RowBatch, RowSource};
    // Row 1's second attribute is not UTF-8: the row is taken back after the first attribute's
    // name was written into the batch. Row 2 must write that name again, not point at text
    // that row 1's message has since overwritten.
    let text = b"case_id,activity,timestamp,joint_handling,district\nA,accept,2026-03-02,true,\xff\n\
                 B,accept,2026-03-02,false,longgang\n";
    let attributes = ["joint_handling", "district"];
    let mut part = [RowBatch::new()];
    let mut log = CsvLog::new(&text[..], &LogColumns::default(), &attributes).unwrap();
    log.fill_parts(&mut RowBatch::new(), &mut part, 100);
    let rows: Vec<_> = (0..part[0].len()).map(|index| part[0].view(index).to_owned_row()).collect();
    // Row by row, each in a batch of its own, nothing is carried from one row to the next.
    let one_by_one: Vec<_> = CsvLog::new(&text[..], &LogColumns::default(), &attributes).unwrap().collect();
    assert_eq!(rows, one_by_one);
    assert!(rows[0].as_ref().is_err_and(|row| row.message.contains("field 5 is not UTF-8")), "{rows:?}");
    let attributes = &rows[1].as_ref().unwrap().attributes;
    assert_eq!(
        attributes,
        &[("joint_handling".to_owned(), "false".to_owned()), ("district".to_owned(), "longgang".to_owned())]
    );
}

mod fuzz {
    //! Malformed logs never panic: every reader yields rows or unreadable rows and ends, and the
    //! auditor replays whatever they yield.

    use proptest::prelude::*;

    use super::super::{Auditor, CsvLog, EventRows, JsonLinesLog, LogColumns, Mapping, ShardedAudit, XesLog};
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
            rows.for_each(|row| auditor.feed(&row));
        }
        let _ = auditor.finish();
        let mut auditor = Auditor::new(workflow, calendar, &mapping, None, false);
        JsonLinesLog::new(bytes, &LogColumns::default(), &attributes).for_each(|row| auditor.feed(&row));
        let _ = auditor.finish();
        let mut auditor = Auditor::new(workflow, calendar, &mapping, None, false);
        XesLog::new(bytes, &LogColumns::default(), &attributes).for_each(|row| auditor.feed(&row));
        let _ = auditor.finish();
    }

    /// Worker pools of one, two and three threads, made once.
    static POOLS: std::sync::LazyLock<[rayon::ThreadPool; 3]> = std::sync::LazyLock::new(|| {
        [1, 2, 3].map(|threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap())
    });

    /// The audit of `bytes` (CSV, or JSON Lines when `jsonl`) by one auditor fed row by row,
    /// and split between shards on one, two and three threads, streamed and not: the same report,
    /// the same fitted durations, and the same findings in the same order.
    pub(super) fn sharded_audit_agrees(workflow: &Workflow, bytes: &[u8], attributes: &[&str], jsonl: bool) {
        let calendars = Calendars::builtin();
        let calendar = calendars.require(workflow.calendar()).unwrap();
        let mapping = Mapping::default();
        let rows = || -> Box<dyn Iterator<Item = _> + Send + '_> {
            if jsonl {
                Box::new(JsonLinesLog::new(bytes, &LogColumns::default(), attributes))
            } else {
                match CsvLog::new(bytes, &LogColumns::default(), attributes) {
                    Ok(log) => Box::new(log),
                    Err(_) => Box::new(std::iter::empty()),
                }
            }
        };
        let auditor = |keep_cases| {
            Auditor::new(workflow, calendar, &mapping, None, false).keep_cases(keep_cases).fit_durations(true)
        };
        let mut whole_findings = Vec::new();
        for streaming in [false, true] {
            let mut single = auditor(!streaming);
            let mut found_single = Vec::new();
            for row in rows() {
                single.feed(&row);
                if streaming {
                    found_single.extend(single.take_findings());
                }
            }
            let single = single.finish();
            // Without per-case reports the clocks are counted without due dates: the same
            // findings, in the same order once sorted as the report sorts them.
            let mut all = found_single.clone();
            all.extend(single.report.findings.iter().cloned());
            all.sort_by(|left, right| {
                (&left.case_id, left.row.is_none(), left.row).cmp(&(&right.case_id, right.row.is_none(), right.row))
            });
            if streaming {
                assert_eq!(all, whole_findings);
            } else {
                whole_findings = all;
            }
            for pool in &*POOLS {
                let mut found = Vec::new();
                let sharded = ShardedAudit::new(&auditor(!streaming), streaming)
                    .run(EventRows(rows()), pool, |batch| {
                        found.extend(batch.into_iter().filter_map(|entry| match entry {
                            super::super::ReportEntry::Finding(finding) => Some(finding),
                            super::super::ReportEntry::Case(_) => None,
                        }));
                        Ok::<(), ()>(())
                    })
                    .unwrap();
                let threads = pool.current_num_threads();
                assert_eq!(sharded.report, single.report, "streaming {streaming}, {threads} threads");
                assert_eq!(found, found_single, "streaming {streaming}, {threads} threads");
                let fitted =
                    |outcome: &super::super::AuditOutcome| outcome.fit.as_ref().map(|fit| fit.to_yaml(workflow, "log"));
                assert_eq!(fitted(&sharded), fitted(&single));
            }
        }
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
        fn a_sharded_audit_of_an_edited_log_is_the_single_auditors(bytes in edited(CLEAN_CSV), jsonl in any::<bool>()) {
            let (_, workflow) = &*RULES;
            let bytes = if jsonl { CLEAN_JSONL.as_bytes().to_vec() } else { bytes };
            sharded_audit_agrees(workflow, &bytes, &["joint_handling"], jsonl);
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

/// The canned Longgang log copied under many case ids, its copies' rows interleaved, so the
/// cases spread over every shard: a sharded audit reports what one auditor reports.
#[test]
fn a_sharded_audit_of_many_interleaved_cases_is_the_single_auditors() {
    use crate::core::calendar::Calendars;
    use crate::core::workflow::{SourceReader, load_workflow};
    struct Baseline;
    impl SourceReader for Baseline {
        fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
            let text = include_str!("../../workflows/longgang-2016.yaml");
            Ok((path.to_owned(), text.to_owned()))
        }
    }
    let calendars = Calendars::builtin();
    let text = include_str!("../../workflows/longgang-2017.yaml");
    let workflow = load_workflow("longgang-2017.yaml", text, &mut Baseline, &calendars).unwrap();
    let canned = include_str!("../../tests/data/histories/longgang-parallel.csv");
    let mut lines = canned.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.collect();
    let mut log = format!("{header}\n");
    for line in &body {
        for copy in 0..60 {
            // Copy 7 loses a row, so some copies differ from the rest.
            if copy == 7 && line.starts_with("P1,") {
                continue;
            }
            log.push_str(&["K", &copy.to_string(), "-", line, "\n"].concat());
        }
    }
    fuzz::sharded_audit_agrees(&workflow, log.as_bytes(), &["property_rights_clear", "changes_statutory_plan"], false);
}

/// A step over its own limit while the whole matter is within its limit (`AUD007`), and the
/// matter itself over (`AUD006`): found alike with and without per-case reports, sharded or not.
#[test]
fn a_step_over_its_limit_is_found_alike_however_the_audit_runs() {
    use crate::core::calendar::Calendars;
    use crate::core::workflow::{NoExtends, load_workflow};
    let calendars = Calendars::builtin();
    let text = include_str!("../../tests/data/histories/step-limit.yaml");
    let workflow = load_workflow("step-limit.yaml", text, &mut NoExtends, &calendars).unwrap();
    let canned = include_str!("../../tests/data/histories/step-limit.csv");
    // S3 is decided late: its matter clock is over as well, so its step is `AUD006`.
    let late = "S3,drafting,2026-03-02 09:00,officer\nS3,submit_review,2026-03-03 09:00,officer\n\
                S3,decide,2026-04-30 09:00,officer\n";
    let log = format!("{canned}{late}");
    fuzz::sharded_audit_agrees(&workflow, log.as_bytes(), &[], false);
}

/// Runs `audit` on a thread of its own, given an auditor of the licence workflow and a pool of
/// `threads` threads, and returns what it returns; fails when it has not ended within two
/// minutes (a worker left waiting for ever).
fn licence_audit_ends<T: Send + 'static>(
    threads: usize,
    audit: impl FnOnce(&super::Auditor<'_>, &rayon::ThreadPool) -> T + Send + 'static,
) -> T {
    use super::{Auditor, Mapping};
    use crate::core::calendar::Calendars;
    use crate::core::workflow::{NoExtends, load_workflow};
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let calendars = Calendars::builtin();
        let text = include_str!("../../workflows/administrative-license.yaml");
        let workflow = load_workflow("licence.yaml", text, &mut NoExtends, &calendars).unwrap();
        let calendar = calendars.require(workflow.calendar()).unwrap();
        let mapping = Mapping::default();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let _ = done.send(audit(&Auditor::new(&workflow, calendar, &mapping, None, false), &pool));
    });
    finished.recv_timeout(std::time::Duration::from_mins(2)).expect("the audit ended")
}

/// A caller that stops taking findings (a closed pipe) stops the audit: every worker ends, and
/// `run` returns the caller's error.
#[test]
fn an_error_from_the_findings_taker_stops_a_sharded_audit() {
    use super::{CsvLog, LogColumns, ShardedAudit};
    let canned = include_str!("../../tests/data/histories/licence-findings.csv");
    let (header, body) = canned.split_once('\n').unwrap();
    // Far more rows than the batches read ahead hold.
    let mut log = format!("{header}\n");
    for copy in 0..3000 {
        for line in body.lines() {
            log.push_str(&["C", &copy.to_string(), "-", line, "\n"].concat());
        }
    }
    let (error, calls) = licence_audit_ends(2, move |auditor, pool| {
        let rows = CsvLog::new(log.as_bytes(), &LogColumns::default(), &["joint_handling"]).unwrap();
        let mut calls = 0;
        let outcome = ShardedAudit::new(auditor, true).run(rows, pool, |_| {
            calls += 1;
            Err("the pipe is closed")
        });
        (outcome.err(), calls)
    });
    assert_eq!((error, calls), (Some("the pipe is closed"), 1));
}

/// A worker that panics (a bug, never bad input) stops the others instead of leaving them to
/// wait for its task: the panic reaches the caller, on every number of threads.
#[test]
fn a_panic_in_a_worker_reaches_the_caller_of_a_sharded_audit() {
    use super::{RowBatch, RowSource, ShardedAudit};
    /// Rows of one case, then a panic at the third batch.
    struct Breaks(usize);
    impl RowSource for Breaks {
        fn fill(&mut self, batch: &mut RowBatch, rows_max: usize) {
            self.0 += 1;
            assert!(self.0 < 3, "the reader breaks");
            for _ in 0..rows_max {
                batch.push(&Err(super::UnreadableRow {
                    row: 1,
                    case_id: Some("C".to_owned()),
                    message: "unreadable".to_owned(),
                }));
            }
        }
    }
    for threads in [1, 2, 3] {
        let panicked = licence_audit_ends(threads, |auditor, pool| {
            let audit = ShardedAudit::new(auditor, false);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                audit.run(Breaks(0), pool, |_| Ok::<(), ()>(())).map(|_| ())
            }));
            outcome.is_err()
        });
        assert!(panicked, "{threads} threads");
    }
}

/// Malformed YAML of every kind a user writes (a mapping, a workflow, a calendar, a scenario)
/// is reported in the writer's words: no Rust type names reach them.
#[test]
fn yaml_messages_name_no_rust_types() {
    use crate::core::calendar::Calendars;
    use crate::core::workflow::{NoExtends, load_workflow};
    let licence = include_str!("../../workflows/administrative-license.yaml");
    let calendars = Calendars::builtin();
    let workflow = load_workflow("licence.yaml", licence, &mut NoExtends, &calendars).unwrap();
    let rust = ["Option<", "struct ", "enum Raw", "u64", "u32", "u16", "i64", "usize", "f64", "scalar", "Raw"];
    let check = |what: &str, text: &str, message: String| {
        assert!(!rust.iter().any(|word| message.contains(word)), "{what} `{text}`: {message}");
    };
    for text in [
        "roles: {窗口: }\n",
        "activities: {受理: }\n",
        "activities: {受理: [accept]}\n",
        "columns: {role: [a]}\n",
        "columns: 3\n",
        "open: [first-event]\n",
        "open: sometimes\n",
        "settle: {a: b}\n",
        "opening: {a: b}\n",
    ] {
        let error = super::Mapping::parse("m.yaml", text, &workflow).unwrap_err();
        check("mapping", text, error.to_string());
    }
    for text in [
        "workflow: w\nversion: 1\ntitle: \ncalendar: cn-mainland\n",
        "workflow: [w]\n",
        "workflow: w\nversion: \"1\"\ntitle: t\ncalendar: cn-mainland\nroles: [a]\n",
        "workflow: w\nversion: \"1\"\ntitle: t\ncalendar: cn-mainland\nroles: {a: }\n",
    ] {
        if let Err(error) = load_workflow("w.yaml", text, &mut NoExtends, &calendars) {
            check("workflow", text, error.to_string());
        }
    }
    for text in ["calendar: x\ntitle: \nzone: \"+08:00\"\nyears: {}\n", "calendar: [x]\n", "calendar: x\nyears: 3\n"] {
        if let Err(error) = Calendars::builtin().load("c.yaml", text) {
            check("calendar", text, error.to_string());
        }
    }
    for text in ["workflow: \n", "cases: -1\n", "cases: [1]\n", "seed: x\n"] {
        if let Err(error) = crate::simulate::Scenario::parse("s.yaml", text) {
            check("scenario", text, error.to_string());
        }
    }
}
