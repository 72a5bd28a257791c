//! `renewflow audit` on logs as they are shipped (issue 25, "Real event logs"): gzip-compressed
//! logs read like the uncompressed ones, a format told by the content when the name does not
//! say, files that are no log refused in a few words, and CSV line ends of every kind.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::test::{Output, Test};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/histories/");
const LICENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/workflows/administrative-license.yaml");

/// Longest stderr a refused file may produce: one line naming the file and why.
const REFUSAL_BYTES_MAX: usize = 300;

fn audit(log: &Path, extra: &[&str]) -> Output {
    let mut test = Test::new().args(["audit", log.to_str().unwrap(), "--workflow", LICENCE, "--format", "json"]);
    test = test.args(["--as-of", "2026-11-20"]);
    for arg in extra {
        test = test.args([arg]);
    }
    test.run()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn write(directory: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = directory.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Exit 2, and a stderr of one short line that holds each of `parts`.
fn expect_refused(output: &Output, parts: &[&str]) {
    expect_refused_within(output, REFUSAL_BYTES_MAX, parts);
}

fn expect_refused_within(output: &Output, bytes_max: usize, parts: &[&str]) {
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stdout.is_empty(), "{}", output.stdout);
    assert!(output.stderr.len() <= bytes_max, "{} bytes: {}", output.stderr.len(), output.stderr);
    assert_eq!(output.stderr.trim_end().lines().count(), 1, "{}", output.stderr);
    for part in parts {
        assert!(output.stderr.contains(part), "{part}: {}", output.stderr);
    }
}

#[test]
fn a_gzip_log_gives_the_report_of_the_uncompressed_one_byte_for_byte() {
    let directory = tempfile::tempdir().unwrap();
    for (name, code) in [("licence-findings.csv", 1), ("licence-clean.xes", 0), ("licence-findings.jsonl", 1)] {
        let plain = Path::new(DATA).join(name);
        let expected = audit(&plain, &[]);
        assert_eq!(expected.code, code, "{name}: {}", expected.stderr);
        let compressed = write(directory.path(), &format!("{name}.gz"), &gzip(&std::fs::read(&plain).unwrap()));
        let output = audit(&compressed, &[]);
        assert_eq!((output.code, output.stderr.as_str()), (code, ""), "{name}");
        assert_eq!(output.stdout, expected.stdout, "{name}");
    }
}

#[test]
fn a_gzip_file_of_any_name_is_read_by_its_magic_bytes_and_its_content_tells_the_format() {
    let directory = tempfile::tempdir().unwrap();
    for name in ["licence-clean.xes", "licence-findings.jsonl", "licence-findings.csv"] {
        let plain = Path::new(DATA).join(name);
        let expected = audit(&plain, &[]);
        let bytes = std::fs::read(&plain).unwrap();
        for (file, contents) in [("export", gzip(&bytes)), ("export.log", bytes.clone())] {
            let output = audit(&write(directory.path(), file, &contents), &[]);
            assert_eq!(output.stdout, expected.stdout, "{name} as `{file}`: {}", output.stderr);
        }
    }
    // `--log-format` overrides both: XES read as CSV has no case id column.
    let xes =
        write(directory.path(), "export", &gzip(&std::fs::read(Path::new(DATA).join("licence-clean.xes")).unwrap()));
    let forced = audit(&xes, &["--log-format", "csv"]);
    assert_eq!(forced.code, 2, "{}", forced.stderr);
    assert!(forced.stderr.contains("no case id column"), "{}", forced.stderr);
}

#[test]
fn a_file_that_is_no_readable_log_is_refused_in_one_short_line() {
    let directory = tempfile::tempdir().unwrap();
    let here = directory.path();
    let csv = std::fs::read(Path::new(DATA).join("licence-findings.csv")).unwrap();
    let misnamed = write(here, "log.csv.gz", &csv);
    expect_refused(&audit(&misnamed, &[]), &["log `", "log.csv.gz`", "is not gzip-compressed"]);
    let compressed = gzip(&csv.repeat(50));
    let truncated = write(here, "truncated.csv.gz", &compressed[..compressed.len() / 3]);
    expect_refused(&audit(&truncated, &[]), &["truncated.csv.gz`", "gzip"]);
    let header_broken = write(here, "broken.xes.gz", &[&compressed[..12], &[0xff; 64][..]].concat());
    expect_refused(&audit(&header_broken, &[]), &["broken.xes.gz`", "cannot be decompressed as gzip"]);
    // A binary, named as a log, with the bytes a terminal would act on.
    let binary: Vec<u8> = (0..4000_u32).map(|index| (index * 7 % 256) as u8).collect();
    let output = audit(&write(here, "image.csv", &binary), &[]);
    expect_refused(&output, &["image.csv`", "not a text log: byte 0 is a NUL"]);
    // A first line that is not UTF-8 (GB 18030, as some exports are) is named, not shown.
    let gb18030 = [b"\xb0\xb8\xbc\xfe\xb1\xe0\xba\xc5,".as_slice(), &[b'x'; 3000], b"\nA,b\n"].concat();
    let output = audit(&write(here, "gbk.csv", &gb18030), &[]);
    expect_refused(&output, &["gbk.csv`", "first line is not UTF-8 text (byte 0 is 0xb0)"]);
}

#[test]
fn a_header_of_text_that_is_no_log_is_quoted_short_and_escaped() {
    let directory = tempfile::tempdir().unwrap();
    let header = format!(
        "\x1b[31m{},{}\n",
        "长".repeat(3000),
        (0..40).map(|index| format!("c{index}")).collect::<Vec<_>>().join(",")
    );
    let output = audit(&write(directory.path(), "wide.csv", header.as_bytes()), &[]);
    // 80 characters of the first name (240 bytes in UTF-8), the next 12 names, and a count.
    expect_refused_within(
        &output,
        600,
        &["wide.csv`", "no case id column", "`\\u{1b}[31m长长", "长…`, `c0`", "`c10`, and 29 more"],
    );
    assert!(!output.stderr.contains('\x1b'), "{}", output.stderr);
}

#[test]
fn a_gzip_stream_corrupt_in_the_middle_refuses_the_audit_near_where() {
    let directory = tempfile::tempdir().unwrap();
    let csv = std::fs::read(Path::new(DATA).join("licence-findings.csv")).unwrap();
    let header_end = csv.iter().position(|byte| *byte == b'\n').unwrap() + 1;
    let rows = |from: u32, to: u32| -> Vec<u8> {
        (from..to).flat_map(|index| format!("G{index},received,2026-09-21,officer,窗口,false\n").into_bytes()).collect()
    };
    // Two gzip members, as `cat a.gz b.gz` makes: the header and 10,000 rows, then a member
    // whose deflate data is broken at once (0xff starts a block of the reserved type).
    let first = gzip(&[&csv[..header_end], &rows(0, 10_000)[..]].concat());
    let second = gzip(&rows(10_000, 20_000));
    let compressed = [&first[..], &second[..10], &[0xff; 64][..]].concat();
    let output = audit(&write(directory.path(), "log.csv.gz", &compressed), &[]);
    expect_refused(&output, &["log.csv.gz`: the gzip stream cannot be read from line 10002 on: "]);
    // The same members whole are one log.
    let whole = audit(&write(directory.path(), "whole.csv.gz", &[first, second].concat()), &[]);
    assert_eq!(whole.code, 1, "{}", whole.stderr);
    let report: serde_json::Value = serde_json::from_str(&whole.stdout).unwrap();
    assert_eq!(report["rows"], 20_000);
}

#[test]
fn lone_cr_crlf_and_lf_line_ends_give_the_same_report() {
    let directory = tempfile::tempdir().unwrap();
    let lf = std::fs::read_to_string(Path::new(DATA).join("licence-findings.csv")).unwrap();
    assert!(!lf.contains('\r'));
    // A quoted note over two lines moves every later row down one line.
    let lf = lf.replacen(
        "F2,received,2026-09-21,officer,窗口,false",
        "F2,received,2026-09-21,officer,\"窗口\n二\",false",
        1,
    );
    let expected = audit(&write(directory.path(), "lf.csv", lf.as_bytes()), &[]);
    assert_eq!(expected.code, 1, "{}", expected.stderr);
    let report: serde_json::Value = serde_json::from_str(&expected.stdout).unwrap();
    let rows: Vec<_> =
        report["findings"].as_array().unwrap().iter().filter_map(|finding| finding["row"].as_u64()).collect();
    // As in the README, from line 4 on one line further down, in the order cases settle.
    assert_eq!(rows, [3, 6, 7, 11, 17, 19, 20, 21, 8, 22]);
    for (name, line_end) in [("crlf.csv", "\r\n"), ("cr.csv", "\r")] {
        let output = audit(&write(directory.path(), name, lf.replace('\n', line_end).as_bytes()), &[]);
        assert_eq!(output.stdout, expected.stdout, "{name}: {}", output.stderr);
    }
}
