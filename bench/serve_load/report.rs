//! A run's figures as an aligned table for people or one JSON document for scripts.

use std::collections::BTreeMap;
use std::fmt::{Display, Write as _};
use std::path::Path;

use serde_json::{Value, json};

use crate::sse::SseOutcome;
use crate::tally::Outcome;

const QUANTILES: [(&str, f64); 3] = [("p50", 0.50), ("p90", 0.90), ("p99", 0.99)];

/// Prints the table or the JSON document, and writes the JSON to `json_out` when given.
pub(crate) fn emit(table: &str, document: &Value, json: bool, json_out: Option<&Path>) -> Result<(), String> {
    if json {
        println!("{document}");
    } else {
        print!("{table}");
    }
    if let Some(path) = json_out {
        std::fs::write(path, format!("{document}\n"))
            .map_err(|error| format!("writing `{}`: {error}", path.display()))?;
    }
    Ok(())
}

pub(crate) fn outcome_json(outcome: &Outcome) -> Value {
    let tally = &outcome.tally;
    let seconds = outcome.elapsed.as_secs_f64();
    let per_second = |count: u64| if seconds > 0.0 { count as f64 / seconds } else { 0.0 };
    let by_route: BTreeMap<&str, u64> =
        tally.acknowledged.iter().map(|(route, count)| (route.name(), *count)).collect();
    let per_route: BTreeMap<&str, f64> = by_route.iter().map(|(route, count)| (*route, per_second(*count))).collect();
    let mut latency: BTreeMap<&str, f64> =
        QUANTILES.iter().map(|(name, quantile)| (*name, millis(tally.latency.quantile_micros(*quantile)))).collect();
    latency.insert("max", millis(tally.latency.max_micros()));
    latency.insert("mean", tally.latency.mean_micros() / 1000.0);
    json!({
        "mode": outcome.mode,
        "clients": outcome.clients,
        "seconds": seconds,
        "requests": tally.requests,
        "answered": tally.latency.count(),
        "acknowledged": tally.acknowledged_total(),
        "acknowledged_per_second": per_second(tally.acknowledged_total()),
        "acknowledged_by_route": by_route,
        "acknowledged_per_second_by_route": per_route,
        "non_2xx": tally.statuses.iter().map(|(status, count)| (status.to_string(), *count)).collect::<BTreeMap<_, _>>(),
        "failures": tally.failures,
        "latency_ms": latency,
    })
}

pub(crate) fn outcome_table(outcome: &Outcome) -> String {
    let tally = &outcome.tally;
    let seconds = outcome.elapsed.as_secs_f64();
    let acknowledged = tally.acknowledged_total();
    let routes: Vec<String> =
        tally.acknowledged.iter().map(|(route, count)| format!("{} {}", route.name(), thousands(*count))).collect();
    let mut rows = vec![
        ("mode", format!("{} ({} clients, {seconds:.1} s)", outcome.mode, outcome.clients)),
        ("requests", thousands(tally.requests)),
        ("acknowledged (2xx)", format!("{} ({})", thousands(acknowledged), routes.join(", "))),
        ("acknowledged/s", thousands(per_second_rounded(acknowledged, seconds))),
    ];
    for (route, count) in &tally.acknowledged {
        rows.push(("  by route", format!("{} {}/s", route.name(), thousands(per_second_rounded(*count, seconds)))));
    }
    rows.push(("non-2xx answers", counts(&tally.statuses)));
    rows.push(("failures", counts(&tally.failures)));
    for (name, quantile) in QUANTILES {
        rows.push((name, format!("{:.2} ms", millis(tally.latency.quantile_micros(quantile)))));
    }
    rows.push(("max", format!("{:.2} ms", millis(tally.latency.max_micros()))));
    rows.push(("mean", format!("{:.2} ms", tally.latency.mean_micros() / 1000.0)));
    aligned(&rows)
}

pub(crate) fn sse_json(outcome: &SseOutcome) -> Value {
    json!({
        "mode": "sse",
        "connections": outcome.requested,
        "opened": outcome.opened,
        "non_2xx": outcome.statuses.iter().map(|(status, count)| (status.to_string(), *count)).collect::<BTreeMap<_, _>>(),
        "failures": outcome.failures,
        "ended_early": outcome.ended_early,
        "opening_seconds": outcome.opening.as_secs_f64(),
        "held_seconds": outcome.held.as_secs_f64(),
        "bytes": outcome.bytes,
        "events": outcome.events,
        "server_rss_max_kib": outcome.server_rss_max_kib,
        "server_vm_hwm_kib": outcome.server_hwm_kib,
        "writes": outcome.writes.as_ref().map(|writes| json!({
            "requests": writes.requests,
            "acknowledged": writes.acknowledged_total(),
            "non_2xx": writes.statuses.iter().map(|(status, count)| (status.to_string(), *count)).collect::<BTreeMap<_, _>>(),
            "failures": writes.failures,
        })),
    })
}

pub(crate) fn sse_table(outcome: &SseOutcome) -> String {
    let memory =
        |kib: Option<u64>| kib.map_or_else(|| "not read".to_owned(), |kib| format!("{:.1} MiB", kib as f64 / 1024.0));
    let rows = vec![
        ("mode", format!("sse ({} connections)", thousands(outcome.requested as u64))),
        ("opened", format!("{} in {:.2} s", thousands(outcome.opened), outcome.opening.as_secs_f64())),
        ("non-2xx answers", counts(&outcome.statuses)),
        ("failures", counts(&outcome.failures)),
        ("ended by the server", thousands(outcome.ended_early)),
        ("held", format!("{:.1} s", outcome.held.as_secs_f64())),
        ("received", format!("{} events, {} bytes", thousands(outcome.events), thousands(outcome.bytes))),
        (
            "writes while held",
            outcome.writes.as_ref().map_or_else(
                || "none".to_owned(),
                |writes| {
                    let (acknowledged, requests) = (thousands(writes.acknowledged_total()), thousands(writes.requests));
                    format!(
                        "{acknowledged} acknowledged of {requests}; non-2xx {}; failures {}",
                        counts(&writes.statuses),
                        counts(&writes.failures)
                    )
                },
            ),
        ),
        ("server VmRSS, largest seen", memory(outcome.server_rss_max_kib)),
        ("server VmHWM at the end", memory(outcome.server_hwm_kib)),
    ];
    aligned(&rows)
}

fn aligned(rows: &[(&str, String)]) -> String {
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    rows.iter().fold(String::new(), |mut text, (name, value)| {
        let _ = writeln!(text, "{name:<width$}  {value}");
        text
    })
}

fn counts<K: Display>(counts: &BTreeMap<K, u64>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts.iter().map(|(key, count)| format!("{key}: {}", thousands(*count))).collect::<Vec<_>>().join(", ")
}

fn millis(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

fn per_second_rounded(count: u64, seconds: f64) -> u64 {
    if seconds > 0.0 { (count as f64 / seconds).round() as u64 } else { 0 }
}

/// `1234567` as `1,234,567`.
fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}
