#!/bin/sh
# The audit report's memory and speed on a large log (issue 25, item 13): generates a log of about
# 7 million rows once, then audits it in each report format to a file, under `/usr/bin/time -v`.
# Prints rows/s and the peak resident set per format.
#
#   cargo build --release --bin renewflow --example generate_log
#   sh bench/audit_report_memory.sh [CASES] [DIR]      # 157000 cases ≈ 7.0M rows
set -eu
cases=${1:-157000}
dir=${2:-${TMPDIR:-/tmp}/renewflow-audit-bench}
target=${CARGO_TARGET_DIR:-target}/release
mkdir -p "$dir"
log="$dir/log-$cases.csv"
if [ ! -s "$log" ]; then
    "$target/examples/generate_log" "$cases" 1 > "$log"
fi
rows=$(($(wc -l < "$log") - 1))
for format in json csv markdown table; do
    /usr/bin/time -v "$target/renewflow" audit "$log" --workflow workflows/longgang-2017.yaml \
        --format "$format" --output "$dir/report.$format" 2> "$dir/time.$format" || true
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$dir/time.$format")
    peak_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time.$format")
    awk -v f="$format" -v r="$rows" -v s="$seconds" -v k="$peak_kib" -v b="$(wc -c < "$dir/report.$format")" \
        'BEGIN { printf "%-9s %d rows  %6.2f s  %9.0f rows/s  peak %6.1f MiB  report %7.1f MB\n", f, r, s, r / s, k / 1024, b / 1e6 }'
done
