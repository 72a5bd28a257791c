#!/usr/bin/env python3
"""`renewflow simulate` beside the same scenario written for SimPy, on the Longgang 2017 flow.

Takes the shipped scenario (`workflows/scenarios/longgang-2016-vs-2017.yaml`) with its 2017
workflow alone: the same arrivals, attribute mix, per-state durations (including `of_limit`)
and branch probabilities, no queueing. Runs

- `renewflow simulate` on it as a whole process (both cores), and
- a SimPy model of the same flow: the statechart (compound states, the parallel 计划/规划
  review, `done` steps) read from `renewflow workflow describe --format json`, one SimPy process
  per case that draws each active state's way out and duration and waits for the earliest step,

and prints both times, the ratio (target: renewflow ≥ 100× faster), renewflow's start alone (the
same run with one case) with the ratio without it, and the p50/p90 of total
working days of each, with whether they agree within sampling error (the 95 % order-statistic
interval of each percentile, widened by √2 for two independent samples).

    .venv/bin/python bench/simulate_vs_simpy.py [--cases 20000] [--seed 1] [--runs 3]
"""

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import simpy
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "workflows" / "scenarios" / "longgang-2016-vs-2017.yaml"
WORKFLOW = ROOT / "workflows" / "longgang-2017.yaml"


def binary() -> Path:
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "renewflow"


def serial(name: str) -> str:
    return name.rsplit(".", 1)[-1]


class Model:
    """The scenario resolved against the described workflow, as `src/simulate/model.rs` does."""

    def __init__(self, described: dict, scenario: dict):
        self.states = {state["name"]: state for state in described["states"]}
        self.initial = described["initial"] if "initial" in described else described["states"][0]["name"]
        self.by_from = {}
        for transition in described["transitions"]:
            for source in transition["from"]:
                self.by_from.setdefault(source, []).append(transition)
        self.limits = {}
        for clock in described["clocks"]:
            amount, unit = clock["limit"].split()
            if unit != "wd":
                continue
            span = clock["span"]
            starts = span.get("from") or span.get("over") or []
            for state in starts:
                known = self.limits.get(state)
                if known is None or (clock["matter"] and not known[1]):
                    self.limits[state] = (float(amount), clock["matter"])
        self.durations = scenario["durations"]
        self.branches = scenario.get("branches", {})
        self.branches_in = scenario.get("branches_in", {})
        self.attributes = scenario.get("attributes", {})

    def duration(self, state: str, rng: random.Random) -> float:
        spec = self.durations.get(state) or self.durations.get(serial(state)) or self.durations.get("default")
        scale = 1.0
        if "of_limit" in spec:
            spec = spec["of_limit"]
            scale = self.limits[state][0]
        (kind, value), = spec.items()
        if kind == "fixed":
            days = value
        elif kind == "uniform":
            days = rng.uniform(value["min"], value["max"])
        elif kind == "exponential":
            days = rng.expovariate(1.0 / value["mean"])
        elif kind == "triangular":
            days = rng.triangular(value["min"], value["max"], value["mode"])
        elif kind == "pert":
            low, mode, high = value["min"], value["mode"], value["max"]
            alpha = 1 + 4 * (mode - low) / (high - low)
            beta = 1 + 4 * (high - mode) / (high - low)
            days = low + rng.betavariate(alpha, beta) * (high - low)
        elif kind == "lognormal":
            mean, sd = value["mean"], value["sd"]
            sigma = math.sqrt(math.log(1 + (sd / mean) ** 2))
            days = rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
        elif kind == "empirical":
            days = rng.choice(value)
        else:
            raise ValueError(kind)
        return min(max(days * scale, 0.0), 10_000.0)

    def holds(self, guard, values: dict) -> bool:
        if guard is None:
            return True
        if guard.startswith("not "):
            return not values[guard[4:]]
        return values[guard]

    def choose(self, leaf: str, values: dict, rng: random.Random):
        listed_in = self.branches_in.get(leaf) or self.branches_in.get(serial(leaf)) or {}
        enabled, seen = [], set()
        for transition in self.by_from.get(leaf, []):
            if transition["action"] in seen or not self.holds(transition["guard"], values):
                continue
            seen.add(transition["action"])
            action = transition["action"]
            probability = listed_in.get(action, self.branches.get(action))
            enabled.append((transition, probability))
        listed = sum(p for _, p in enabled if p is not None)
        unlisted = sum(1 for _, p in enabled if p is None)
        share = max(0.0, 1.0 - listed) / unlisted if unlisted else 0.0
        weights = [p if p is not None else share for _, p in enabled]
        total = sum(weights)
        draw = rng.random() * total
        for (transition, _), weight in zip(enabled, weights):
            if weight <= 0:
                continue
            if draw < weight:
                return transition
            draw -= weight
        return enabled[-1][0]

    # The statechart, as `src/core/case/configuration.rs` moves it.
    def within(self, inner: str, outer: str) -> bool:
        while inner is not None:
            if inner == outer:
                return True
            inner = self.states[inner]["parent"]
        return False

    def entered_leaves(self, state: str) -> list:
        kind = self.states[state]["kind"]
        if kind in ("atomic", "final"):
            return [state]
        if kind == "parallel":
            return [leaf for region in self.states[state]["children"] for leaf in self.entered_leaves(region)]
        return self.entered_leaves(self.states[state]["initial"])

    def step(self, leaves: list, source: str, target: str) -> list:
        root = source
        while self.states[root]["parent"] is not None and not self.within(target, self.states[root]["parent"]):
            root = self.states[root]["parent"]
        kept = [leaf for leaf in leaves if not self.within(leaf, root)]
        return kept + self.entered_leaves(target)

    def done_due(self, leaves: list):
        for leaf in leaves:
            state = self.states[leaf]
            if state["kind"] != "final" or state["parent"] is None:
                continue
            parent = self.states[state["parent"]]
            grand = parent["parent"]
            if grand is not None and self.states[grand]["kind"] == "parallel":
                regions = self.states[grand]["children"]
                if all(any(self.states[l]["kind"] == "final" and self.states[l]["parent"] == r for l in leaves) for r in regions):
                    return grand, self.states[grand]["done"]
            elif parent["done"] is not None:
                return parent["name"], parent["done"]
        return None

    def finished(self, leaves: list) -> bool:
        return any(self.states[l]["parent"] is None and self.states[l]["kind"] == "final" for l in leaves)


def simpy_run(model: Model, scenario: dict, cases: int, seed: int) -> list:
    rng = random.Random(seed)
    env = simpy.Environment()
    totals = []
    arrivals = scenario["arrivals"]["uniform"]
    # Working days between the arrival dates: positions on the working-day axis; totals do not
    # depend on which ones, only on the durations (the axis counts working days).
    span_days = 125

    def case(start: float, values: dict):
        yield env.timeout(start)
        leaves = model.entered_leaves(model.initial)
        pending = {}
        while not model.finished(leaves):
            for leaf in leaves:
                if leaf in pending or model.states[leaf]["kind"] == "final":
                    continue
                transition = model.choose(leaf, values, rng)
                pending[leaf] = (env.now + model.duration(leaf, rng), transition)
            leaf, (due, transition) = min(pending.items(), key=lambda item: item[1][0])
            yield env.timeout(due - env.now)
            del pending[leaf]
            leaves = model.step(leaves, leaf, transition["to"])
            entered = [transition["to"]]
            while (due_done := model.done_due(leaves)) is not None:
                state, target = due_done
                leaves = model.step(leaves, state, target)
                entered.append(target)
            pending = {l: p for l, p in pending.items() if l in leaves and not any(model.within(l, e) for e in entered)}
        totals.append(math.floor(env.now) - math.floor(start))

    for _ in range(cases):
        start = float(rng.randrange(span_days))
        values = {name: rng.random() < share for name, share in scenario.get("attributes", {}).items()}
        env.process(case(start, values))
    env.run()
    return totals


def percentile(values: list, percent: int) -> int:
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * percent / 100))
    return ordered[rank - 1]


def interval(values: list, percent: int) -> tuple:
    """A 95 % interval for a percentile from order statistics, widened by √2 for two samples."""
    ordered = sorted(values)
    n, p = len(ordered), percent / 100
    half = 1.96 * math.sqrt(n * p * (1 - p)) * math.sqrt(2)
    low = ordered[max(0, int(n * p - half))]
    high = ordered[min(n - 1, int(math.ceil(n * p + half)))]
    return low, high


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs of each")
    args = parser.parse_args()
    renewflow = binary()
    full = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    scenario = full["scenario"]
    described = json.loads(
        subprocess.run([renewflow, "workflow", "describe", WORKFLOW, "--format", "json"], capture_output=True, check=True, text=True).stdout
    )
    with tempfile.TemporaryDirectory() as directory:
        only = dict(scenario, workflows=[str(WORKFLOW)])
        path = Path(directory) / "longgang-2017.yaml"
        path.write_text(yaml.safe_dump({"scenario": only}, allow_unicode=True), encoding="utf-8")
        # Runs alternate, so both see the same spells of a busy machine; each keeps its best.
        renewflow_seconds, simpy_seconds, start_seconds = math.inf, math.inf, math.inf
        model = Model(described, scenario)
        for _ in range(args.runs):
            # renewflow's start alone (files read and checked, one case): SimPy's timing leaves its
            # own start out (interpreter, imports, reading the flow), so this is shown beside it.
            started = time.perf_counter()
            subprocess.run(
                [renewflow, "simulate", path, "--cases", "1", "--seed", str(args.seed), "--format", "json"],
                capture_output=True, check=True, text=True,
            )
            start_seconds = min(start_seconds, time.perf_counter() - started)
            started = time.perf_counter()
            output = subprocess.run(
                [renewflow, "simulate", path, "--cases", str(args.cases), "--seed", str(args.seed), "--format", "json"],
                capture_output=True, check=True, text=True,
            )
            renewflow_seconds = min(renewflow_seconds, time.perf_counter() - started)
            started = time.perf_counter()
            totals = simpy_run(model, scenario, args.cases, args.seed)
            simpy_seconds = min(simpy_seconds, time.perf_counter() - started)
    report = json.loads(output.stdout)["workflows"][0]["total_working_days"]
    print(f"cases: {args.cases} on longgang-renewal 2017.1, no queueing")
    print(f"renewflow simulate (whole process, 2 cores): {renewflow_seconds:.3f} s, {args.cases / renewflow_seconds:,.0f} cases/s")
    print(f"SimPy {simpy.__version__} (one core):                {simpy_seconds:.3f} s, {args.cases / simpy_seconds:,.0f} cases/s")
    print(f"ratio: renewflow is {simpy_seconds / renewflow_seconds:.1f}x faster (target: at least 100x)")
    alone = renewflow_seconds - start_seconds
    print(
        f"renewflow's start (the same run with --cases 1): {start_seconds:.3f} s; without it, {alone:.3f} s, "
        f"{simpy_seconds / alone:.1f}x SimPy's time (which leaves SimPy's own start out)"
    )
    agree = True
    for percent in (50, 90):
        ours = report[f"p{percent}"]
        theirs = percentile(totals, percent)
        low, high = interval(totals, percent)
        ok = low <= ours <= high
        agree &= ok
        print(f"p{percent}: renewflow {ours}, SimPy {theirs} (SimPy 95 % interval, two samples: {low}..{high}) {'agree' if ok else 'DIFFER'}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
