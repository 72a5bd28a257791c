"""`renewflow workflow validate` as a whole process, beside Python reading the same YAML.

Target (issue 4): `renewflow workflow validate workflows/longgang-2017.yaml` (which reads its base,
longgang-2016.yaml, too) finishes as a whole process, start to exit, in under 20 ms.

Each run spawns the process anew and times it with `time.perf_counter` around
`subprocess.run`, so the figure includes process start, reading both files, parsing, every
validation rule, the analysis (reachability, finishing, ambiguity) and the content hash.

Beside it, for scale on the same machine and in the same run:
- `true`: the cost of spawning any process at all;
- `python3 -c 'yaml.safe_load(...)'` on both files (PyYAML with its C loader when present): a
  peer that only parses, validates nothing, and is what a Python tool would pay to start.

Exit status 1 when renewflow's median misses the target or when validate does not exit 0.
See bench/README.md for setting up the venv.
"""

import argparse
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

TARGET_MS = 20.0
ROOT = pathlib.Path(__file__).resolve().parent.parent


def time_process(command, runs, warmup):
    """Best, median and 90th percentile wall time of `command`, in milliseconds."""
    for _ in range(warmup):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times_ms = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times_ms.append((time.perf_counter() - started) * 1000.0)
    times_ms.sort()
    return times_ms[0], statistics.median(times_ms), times_ms[int(len(times_ms) * 0.9) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renewflow", default=str(ROOT / "target" / "release" / "renewflow"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--file", default=str(ROOT / "workflows" / "longgang-2017.yaml"))
    arguments = parser.parse_args()

    base = ROOT / "workflows" / "longgang-2016.yaml"
    size_bytes = pathlib.Path(arguments.file).stat().st_size + base.stat().st_size
    print(f"file: {arguments.file} (with its base: {size_bytes} bytes), runs: {arguments.runs}")

    rows = [
        ("renewflow workflow validate", [arguments.renewflow, "workflow", "validate", arguments.file]),
        ("true (spawn only)", [shutil.which("true") or "/bin/true"]),
    ]
    loader = "getattr(yaml, 'CSafeLoader', yaml.SafeLoader)"
    script = (
        "import sys, yaml\n"
        f"for path in sys.argv[1:]: yaml.load(open(path, encoding='utf-8'), Loader={loader})\n"
    )
    try:
        import yaml  # noqa: F401  (only to know whether the peer can run)

        rows.append(("python3 + PyYAML parse only", [sys.executable, "-c", script, str(base), arguments.file]))
    except ImportError:
        print("PyYAML is not installed: the Python row is skipped")

    results = {}
    print(f"{'command':32} {'best ms':>9} {'median ms':>10} {'p90 ms':>9}")
    for name, command in rows:
        best, median, p90 = time_process(command, arguments.runs, arguments.warmup)
        results[name] = median
        print(f"{name:32} {best:9.2f} {median:10.2f} {p90:9.2f}")

    median = results["renewflow workflow validate"]
    verdict = "holds" if median < TARGET_MS else "MISSED"
    print(f"target: median under {TARGET_MS:.0f} ms: {verdict} ({median:.2f} ms)")
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
