//! Times the CSV log reader alone (no replay) on logs made in memory, one per shape of line: LF,
//! CRLF and lone-CR line ends, lines near the 1 MiB limit, and one line just under it. Reading
//! must be linear in the bytes whatever the line ends: every shape should read at a similar rate.
//!
//! `cargo run --release --example read_csv -- [MIB]` (default 32 MiB a log; best of 3 runs)

use std::time::{Duration, Instant};

use renewflow::audit::{CsvLog, LOG_RECORD_BYTES_MAX, LogColumns, RowBatch, RowSource};

/// Rows read per batch, as the audit reads them.
const BATCH_ROWS: usize = 4096;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: usize = std::env::args().nth(1).map_or(Ok(32), |mib| mib.parse())?;
    let size_bytes = mib << 20;
    let header = "case_id,activity,timestamp,role,resource,note\n";
    let row = |index: usize, note_bytes: usize| {
        format!("C{index:07},accept,2026-03-02 09:00:00,officer,窗口,{}\n", "x".repeat(note_bytes))
    };
    let rows = |note_bytes: usize, line_end: &str| {
        let mut text = header.to_owned();
        let mut index = 0;
        while text.len() < size_bytes {
            text.push_str(&row(index, note_bytes).replace('\n', line_end));
            index += 1;
        }
        text.into_bytes()
    };
    let near_limit = LOG_RECORD_BYTES_MAX - 100;
    let logs: Vec<(&str, Vec<u8>)> = vec![
        ("short lines, LF", rows(8, "\n")),
        ("short lines, CRLF", rows(8, "\r\n")),
        ("short lines, lone CR", rows(8, "\r")),
        ("lines near 1 MiB, LF", rows(near_limit, "\n")),
        ("lines near 1 MiB, lone CR", rows(near_limit, "\r")),
        ("one line near 1 MiB", [header.as_bytes(), row(0, near_limit).as_bytes()].concat()),
    ];
    println!("{:<28} {:>10} {:>9} {:>10} {:>8}", "log", "MiB", "rows", "ms", "MiB/s");
    for (name, bytes) in &logs {
        let mut best = Duration::MAX;
        let mut count = 0;
        for _ in 0..3 {
            let started = Instant::now();
            count = read_all(bytes)?;
            best = best.min(started.elapsed());
        }
        let size_mib = f64::from(u32::try_from(bytes.len())?) / f64::from(1 << 20);
        println!(
            "{name:<28} {size_mib:>10.1} {count:>9} {:>10.1} {:>8.0}",
            best.as_secs_f64() * 1e3,
            size_mib / best.as_secs_f64()
        );
    }
    Ok(())
}

/// Rows read from `bytes` (readable or not).
fn read_all(bytes: &[u8]) -> Result<usize, String> {
    let mut log = CsvLog::new(bytes, &LogColumns::default(), &[])?;
    let mut batch = RowBatch::new();
    let mut count = 0;
    loop {
        batch.clear();
        log.fill(&mut batch, BATCH_ROWS);
        if batch.is_empty() {
            return Ok(count);
        }
        count += batch.len();
    }
}
