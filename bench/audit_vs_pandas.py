#!/usr/bin/env python3
"""`renewflow audit` beside the script an analyst would otherwise write, on the same logs.

Generates synthetic logs on the Longgang 2017 flow with `bench/generate_log.rs` (cases walked
through the engine's own transition function, with injected violations), at two sizes, and
times on each:

- `renewflow audit LOG --workflow workflows/longgang-2017.yaml --format csv > findings.csv`:
  the whole process, reading the CSV and replaying every case through the core (transitions,
  roles, guards, clocks, pauses) on the real calendar and writing every finding to a file, with
  its peak RSS;
- the analyst's script: pandas `read_csv`, group by case in file order, and
  `numpy.busday_count` with the holiday list from `chinesecalendar` between consecutive events
  and over each case, in a child process with its peak RSS.

The pandas script checks nothing of the rules: it only counts days, and numpy cannot count the
调休 Saturdays that are worked. It is the floor an analyst starts from.

    .venv/bin/python bench/audit_vs_pandas.py [--cases 20000 40000] [--seed 1] [--runs 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "workflows" / "longgang-2017.yaml"


def pandas_audit(log: str) -> dict:
    """The analyst's script; returns its own wall time (imports excluded) and what it found."""
    import datetime

    import chinese_calendar
    import numpy as np
    import pandas as pd

    holidays = [
        day
        for day in (datetime.date(2016, 1, 1) + datetime.timedelta(days=n) for n in range(365 * 11))
        if day.weekday() < 5 and day.year <= 2026 and not chinese_calendar.is_workday(day)
    ]
    holidays = np.array(holidays, dtype="datetime64[D]")
    started = time.perf_counter()
    frame = pd.read_csv(log, usecols=["case_id", "activity", "timestamp", "org:role"], dtype=str)
    days = pd.to_datetime(frame["timestamp"].str.slice(0, 10), format="%Y-%m-%d").to_numpy().astype("datetime64[D]")
    frame["day"] = days
    previous = frame.groupby("case_id", sort=False)["day"].shift(1)
    known = previous.notna().to_numpy()
    steps = np.busday_count(
        previous[known].to_numpy().astype("datetime64[D]"), days[known], holidays=holidays
    )
    per_case = pd.Series(steps, index=frame["case_id"][known].to_numpy()).groupby(level=0).sum()
    backwards = int((steps < 0).sum())
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "cases": int(per_case.size),
        "median_case_wd": float(per_case.median()),
        "p90_case_wd": float(per_case.quantile(0.9)),
        "steps_backwards": backwards,
    }


def warm(path: str) -> None:
    """Reads the file once, so the timed run finds it in the page cache."""
    with open(path, "rb") as file:
        while file.read(1 << 20):
            pass


def timed(command: list, output: str = None) -> tuple:
    """Runs `command` under /usr/bin/time; returns (wall seconds, peak RSS in MiB, stdout).

    With `output`, stdout goes to that file (as `> findings.csv` would), and is read back after
    the clock stops: through a pipe, this script's own reading of it would compete for the two
    cores while the command runs."""
    started = time.perf_counter()
    if output is None:
        done = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    else:
        with open(output, "w") as out:
            done = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, stdout=out, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    rss_kib = int(done.stderr.strip().splitlines()[-1])
    if output is not None:
        with open(output) as written:
            return seconds, rss_kib / 1024, written.read()
    return seconds, rss_kib / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, nargs="+", default=[20_000, 40_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    parser.add_argument("--pandas-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pandas_only:
        print(json.dumps(pandas_audit(args.pandas_only)))
        return

    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "generate_log"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    renewflow = ROOT / "target" / "release" / "renewflow"
    generator = ROOT / "target" / "release" / "examples" / "generate_log"
    print(f"seed {args.seed}; best of {args.runs} runs; workflow {WORKFLOW.relative_to(ROOT)}")
    rows_out = []
    with tempfile.TemporaryDirectory() as directory:
        for cases in args.cases:
            log = os.path.join(directory, f"log-{cases}.csv")
            with open(log, "w") as out:
                made = subprocess.run(
                    [str(generator), str(cases), str(args.seed)], stdout=out, stderr=subprocess.PIPE, text=True, check=True
                )
                # On disk before any run is timed, so that no writeback of the new log can
                # overlap a timed run.
                os.fsync(out.fileno())
            injected = json.loads(made.stderr.strip().splitlines()[-1])
            size_mb = os.path.getsize(log) / 1e6
            ours, ours_rss, found = [], 0.0, ""
            theirs, theirs_rss, result = [], 0.0, {}
            # Runs alternate, each after reading the log once, so both see a warm page cache and
            # the same spells of a busy machine.
            for _ in range(args.runs):
                warm(log)
                seconds, rss, found = timed(
                    [str(renewflow), "audit", log, "--workflow", str(WORKFLOW), "--format", "csv"],
                    output=os.path.join(directory, "findings.csv"),
                )
                ours.append(seconds)
                ours_rss = max(ours_rss, rss)
                warm(log)
                _, rss, out = timed([sys.executable, __file__, "--pandas-only", log])
                result = json.loads(out)
                theirs.append(result["seconds"])
                theirs_rss = max(theirs_rss, rss)
            codes = {}
            for line in found.splitlines()[1:]:
                codes[line.split(",", 1)[0]] = codes.get(line.split(",", 1)[0], 0) + 1
            exact = all(codes.get(code, 0) == injected[code] for code in ("AUD001", "AUD002", "AUD003", "AUD004"))
            best_ours, best_theirs = min(ours), min(theirs)
            rows_out.append(
                (cases, injected["rows"], size_mb, best_ours, injected["rows"] / best_ours, ours_rss, best_theirs, theirs_rss,
                 best_theirs / best_ours, exact, injected, codes)
            )
    print()
    print("| cases | events | MB | renewflow s | events/s | peak RSS MiB | pandas s | pandas peak RSS MiB | ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for cases, events, size_mb, ours, rate, ours_rss, theirs, theirs_rss, ratio, _, _, _ in rows_out:
        print(
            f"| {cases:,} | {events:,} | {size_mb:.1f} | {ours:.2f} | {rate:,.0f} | {ours_rss:.1f} | {theirs:.2f} | "
            f"{theirs_rss:.1f} | {ratio:.2f}× |"
        )
    print()
    for cases, _, _, _, _, _, _, _, _, exact, injected, codes in rows_out:
        wanted = {code: injected[code] for code in ("AUD001", "AUD002", "AUD003", "AUD004")}
        print(f"{cases:,} cases: injected {wanted}; renewflow found {dict(sorted(codes.items()))}; exact: {exact}")
    print("pandas time excludes its imports; renewflow's is the whole process.")


if __name__ == "__main__":
    main()
