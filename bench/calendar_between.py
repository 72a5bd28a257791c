"""Working days between random date pairs: renewflow's bulk mode against numpy and chinesecalendar.

Three ways of counting the working days d with A < d <= B (negative when B is before A) over the
same random pairs, each end uniform and independent over 2004-01-01..2026-12-31:

1. `renewflow calendar between --stdin`, timed as a whole process: start, read the pairs from a
   file, answer, write, exit.
2. `numpy.busday_count` on pre-parsed `datetime64[D]` arrays, timing only the call, with every
   Monday-to-Friday rest day that chinesecalendar knows as a holiday. numpy counts [A, B) rather
   than (A, B] when A < B, and cannot express makeup working days (weekend days declared worked),
   so its answers are not the right ones: it is a speed floor, not a peer. Corrected afterwards
   (untimed) for both, its answers are a second check of renewflow's on every pair.
3. `chinese_calendar.get_workdays` on a sample of the pairs, timed once and scaled to the full
   number of pairs. Its answers are compared with renewflow's.

Targets: renewflow's whole process at least 2x faster than numpy's call, and at least 100x
faster than chinesecalendar. Exit status 1 when renewflow disagrees with chinesecalendar other
than on 2005-12-31, or with corrected numpy on any pair. See bench/README.md for setting up the venv.
"""

import argparse
import dataclasses
import datetime
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import chinese_calendar
import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_RENEWFLOW = pathlib.Path("target/release/renewflow")

FIRST_DAY = np.datetime64("2004-01-01", "D")
LAST_DAY = np.datetime64("2026-12-31", "D")
ONE_DAY = datetime.timedelta(days=1)

# A Saturday that the 2006 notice (国办发明电〔2005〕35号) makes a working day and chinesecalendar
# 1.11.0 has as a rest day: every interval containing it differs by exactly one, on purpose.
KNOWN_DIVERGENCE = datetime.date(2005, 12, 31)

# How many times faster renewflow's whole process must be than each peer.
TARGET_VS_NUMPY = 2.0
TARGET_VS_CHINESECALENDAR = 100.0


@dataclasses.dataclass
class Timing:
    tool: str
    best_s: float
    median_s: float
    note: str = ""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time working days between random date pairs: renewflow's bulk mode "
        "(whole process) against numpy.busday_count (call only) and the chinesecalendar package "
        "(on a sample, scaled), and check renewflow's answers against chinesecalendar's.",
    )
    parser.add_argument(
        "--pairs", type=int, default=1_000_000, help="number of random date pairs (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=42, help="seed for the random pairs (default: %(default)s)")
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs of renewflow and of numpy (default: %(default)s)"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=2_000,
        help="pairs given to chinesecalendar, timed once and scaled to --pairs (default: %(default)s)",
    )
    parser.add_argument(
        "--renewflow",
        type=pathlib.Path,
        metavar="PATH",
        help=f"the renewflow binary (default: {DEFAULT_RENEWFLOW} under the repository root)",
    )
    args = parser.parse_args()
    if min(args.pairs, args.runs, args.sample) < 1:
        parser.error("--pairs, --runs and --sample must be at least 1")
    args.sample = min(args.sample, args.pairs)
    if args.renewflow is None:
        args.renewflow = REPO_ROOT / DEFAULT_RENEWFLOW
    return args


def check_renewflow(path: pathlib.Path) -> None:
    """Stops with a clear message when the binary is missing or cannot be run."""
    if not path.is_file():
        sys.exit(
            f"error: the renewflow binary {path} does not exist.\n"
            f"Build it with `cargo build --release` in {REPO_ROOT}, or pass --renewflow PATH."
        )
    if not os.access(path, os.X_OK):
        sys.exit(f"error: {path} is not executable.")


def random_pairs(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` pairs (A, B) as two datetime64[D] arrays."""
    rng = np.random.default_rng(seed)
    days = int((LAST_DAY - FIRST_DAY).astype(int)) + 1
    offsets = rng.integers(0, days, size=(2, count))
    return FIRST_DAY + offsets[0], FIRST_DAY + offsets[1]


def bulk_input(a: np.ndarray, b: np.ndarray) -> bytes:
    """`YYYY-MM-DD YYYY-MM-DD\\n` per pair."""
    firsts = np.datetime_as_string(a, unit="D").tolist()
    seconds = np.datetime_as_string(b, unit="D").tolist()
    return "".join(f"{first} {second}\n" for first, second in zip(firsts, seconds)).encode("ascii")


def rest_weekdays() -> np.ndarray:
    """Every Monday-to-Friday date of the data that chinesecalendar has as a rest day."""
    days = np.arange(FIRST_DAY, LAST_DAY + 1)
    weekdays = days[np.is_busday(days)]
    return np.array([day for day in weekdays if not chinese_calendar.is_workday(day.item())], dtype="datetime64[D]")


def makeup_weekend_days() -> np.ndarray:
    """Every Saturday and Sunday of the data that chinesecalendar has as a working day."""
    days = np.arange(FIRST_DAY, LAST_DAY + 1)
    weekends = days[~np.is_busday(days)]
    return np.array([day for day in weekends if chinese_calendar.is_workday(day.item())], dtype="datetime64[D]")


def time_renewflow(binary: pathlib.Path, input_path: pathlib.Path, runs: int) -> tuple[Timing, bytes]:
    """Best and median wall time of the whole process; its output (from the last run)."""
    command = [str(binary), "calendar", "between", "--stdin"]
    times = []
    output = b""
    for _ in range(runs):
        with open(input_path, "rb") as stdin:
            start = time.perf_counter()
            process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            output, errors = process.communicate()
            elapsed = time.perf_counter() - start
        if process.returncode != 0:
            sys.exit(
                f"error: `{' '.join(command)} < {input_path}` exited with {process.returncode}:\n"
                f"{errors.decode(errors='replace').strip()}"
            )
        times.append(elapsed)
    return Timing("renewflow (whole process)", min(times), statistics.median(times)), output


def time_numpy(a: np.ndarray, b: np.ndarray, holidays: np.ndarray, runs: int) -> tuple[Timing, np.ndarray]:
    """Best and median time of the `busday_count` call alone; its answers."""
    times = []
    counts = np.empty(0, dtype=np.int64)
    for _ in range(runs):
        start = time.perf_counter()
        counts = np.busday_count(a, b, weekmask="1111100", holidays=holidays)
        times.append(time.perf_counter() - start)
    return Timing("numpy.busday_count (call only)", min(times), statistics.median(times), "speed floor"), counts


def chinesecalendar_between(a: datetime.date, b: datetime.date) -> int:
    """Working days d with a < d <= b; minus those in (b, a] when b is before a.

    `get_workdays(start, end)` lists the working days of [start, end], both ends included."""
    if a < b:
        return len(chinese_calendar.get_workdays(a + ONE_DAY, b))
    if b < a:
        return -len(chinese_calendar.get_workdays(b + ONE_DAY, a))
    return 0


def time_chinesecalendar(pairs: list[tuple[datetime.date, datetime.date]], scale: float) -> tuple[Timing, list[int]]:
    """One timed pass over the sample, scaled to the full number of pairs; its answers."""
    start = time.perf_counter()
    counts = [chinesecalendar_between(a, b) for a, b in pairs]
    scaled = (time.perf_counter() - start) * scale
    return Timing("chinesecalendar.get_workdays", scaled, scaled, f"{len(pairs):,} pairs, scaled"), counts


def compare(
    pairs: list[tuple[datetime.date, datetime.date]], renewflow: list[int], chinesecalendar: list[int]
) -> tuple[int, int, list[str]]:
    """How many pairs agree, how many differ only by 2005-12-31, and a line for each of the others."""
    agree, expected, unexpected = 0, 0, []
    for (a, b), ours, theirs in zip(pairs, renewflow, chinesecalendar):
        sign = 1 if a < b else -1
        if min(a, b) < KNOWN_DIVERGENCE <= max(a, b):
            # renewflow counts one more working day in the interval, with the interval's sign.
            matched = ours == theirs + sign
            expected += matched
        else:
            matched = ours == theirs
            agree += matched
        if not matched:
            unexpected.append(f"{a} {b}: renewflow {ours}, chinesecalendar {theirs}")
    return agree, expected, unexpected


def numpy_corrected(a: np.ndarray, b: np.ndarray, holidays: np.ndarray) -> np.ndarray:
    """numpy's count made right: (A, B] when A < B, plus makeup working days, plus 2005-12-31.

    For A < B numpy counts [A, B), so both ends move a day later; for B < A it already counts
    minus (B, A]. Makeup working days and the known divergence in (min, max] are then added with
    the interval's sign."""
    forward = a < b
    shift = forward.astype(np.int64)
    counts = np.busday_count(a + shift, b + shift, weekmask="1111100", holidays=holidays)
    extra_days = np.sort(np.append(makeup_weekend_days(), np.datetime64(KNOWN_DIVERGENCE, "D")))
    low, high = np.minimum(a, b), np.maximum(a, b)
    extra = np.searchsorted(extra_days, high, side="right") - np.searchsorted(extra_days, low, side="right")
    return counts + np.where(forward, extra, -extra)


def verdict(held: bool) -> str:
    return "holds" if held else "MISSED"


def print_table(timings: list[Timing], reference: Timing) -> None:
    headers = ("tool", "best ms", "median ms", "time / renewflow", "note")
    rows = [
        (
            timing.tool,
            f"{timing.best_s * 1e3:,.1f}",
            f"{timing.median_s * 1e3:,.1f}",
            f"{timing.best_s / reference.best_s:,.2f}",
            timing.note,
        )
        for timing in timings
    ]
    table = [headers, *rows]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    left_aligned = {0, len(headers) - 1}
    for index, row in enumerate(table):
        cells = [
            cell.ljust(width) if column in left_aligned else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths))
        ]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def main() -> int:
    args = parse_args()
    check_renewflow(args.renewflow)

    a, b = random_pairs(args.pairs, args.seed)
    data = bulk_input(a, b)
    holidays = rest_weekdays()
    sample = list(zip(a[: args.sample].tolist(), b[: args.sample].tolist()))  # independent pairs: a random sample

    with tempfile.TemporaryDirectory(prefix="renewflow-bench-") as directory:
        input_path = pathlib.Path(directory) / "pairs.txt"
        input_path.write_bytes(data)
        renewflow_timing, output = time_renewflow(args.renewflow, input_path, args.runs)
    renewflow_counts = np.array(output.split(), dtype=np.int64)
    if len(renewflow_counts) != args.pairs:
        sys.exit(f"error: renewflow wrote {len(renewflow_counts):,} answers for {args.pairs:,} pairs")

    numpy_timing, numpy_counts = time_numpy(a, b, holidays, args.runs)
    print(f"timing chinesecalendar on {args.sample:,} pairs (about a minute per thousand)...", file=sys.stderr)
    chinesecalendar_timing, chinesecalendar_counts = time_chinesecalendar(sample, args.pairs / args.sample)

    agree, expected, unexpected = compare(
        sample, renewflow_counts[: args.sample].tolist(), chinesecalendar_counts
    )
    numpy_same = int(np.count_nonzero(numpy_counts == renewflow_counts))
    numpy_corrected_same = int(np.count_nonzero(numpy_corrected(a, b, holidays) == renewflow_counts))

    vs_numpy = numpy_timing.best_s / renewflow_timing.best_s
    vs_chinesecalendar = chinesecalendar_timing.best_s / renewflow_timing.best_s

    print(f"working days between {args.pairs:,} random pairs, 2004-01-01..2026-12-31, seed {args.seed}")
    print(f"renewflow: {args.renewflow}")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, chinesecalendar {chinese_calendar.__version__}")
    print(f"input: {len(data):,} bytes; renewflow's output: {len(output):,} bytes")
    print(f"renewflow and numpy: best and median of {args.runs} runs; chinesecalendar: one run on the sample")
    print()
    print_table([renewflow_timing, numpy_timing, chinesecalendar_timing], renewflow_timing)
    print()
    print("targets (best times):")
    print(
        f"  renewflow >= {TARGET_VS_NUMPY:g}x faster than numpy's call:   "
        f"{vs_numpy:,.2f}x, {verdict(vs_numpy >= TARGET_VS_NUMPY)}"
    )
    print(
        f"  renewflow >= {TARGET_VS_CHINESECALENDAR:g}x faster than chinesecalendar: "
        f"{vs_chinesecalendar:,.0f}x, {verdict(vs_chinesecalendar >= TARGET_VS_CHINESECALENDAR)}"
    )
    print()
    print(f"correctness: renewflow against chinesecalendar on {args.sample:,} sampled pairs")
    print(f"  same answer:            {agree:,}")
    print(f"  expected (2005-12-31):  {expected:,}  (off by exactly 1: the 2006 notice makes it a working day)")
    print(f"  unexpected mismatches:  {len(unexpected):,}")
    for line in unexpected[:10]:
        print(f"    {line}")
    print()
    print("numpy is a speed floor, not a correct answer: it counts [A, B) rather than (A, B] when A < B,")
    print("and cannot express makeup working days (weekend days declared worked).")
    print(f"  numpy's answers as timed equal renewflow's on {numpy_same:,} of {args.pairs:,} pairs")
    print(
        f"  corrected (untimed: (A, B], makeup working days, 2005-12-31) they equal renewflow's on "
        f"{numpy_corrected_same:,} of {args.pairs:,}"
    )
    return 1 if unexpected or numpy_corrected_same != args.pairs else 0


if __name__ == "__main__":
    sys.exit(main())
