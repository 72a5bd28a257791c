//! The log readers: quoting, line ends, BOM, Chinese text, and rows that cannot be read.

use super::{CsvLog, JsonLinesLog, LogColumns, LogEvent, UnreadableRow};

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
