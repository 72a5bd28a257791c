"""Write `bpic2012-sample.csv`: a small log shaped like the BPI Challenge 2012 log, generated.

Twelve loan applications with the BPIC 2012 activity names (A_ application states, O_ offers,
W_ work items), `lifecycle:transition` values SCHEDULE, START and COMPLETE as BPIC 2012 has them
(A_ and O_ events are COMPLETE only), and `time:timestamp` in UTC (`Z`). No row is taken from the
real log: the cases are written here so that several events fall between 22:00 and 23:59 UTC in
October 2011, still Dutch summer time (CEST, +02:00, until 2011-10-30), so their Dutch civil date is
the next day. Deterministic: run it again and the file is the same.

Run from the repository root:

    python3 tests/data/logs/generate_bpic2012_sample.py
"""

import datetime
import pathlib

OUTPUT = pathlib.Path(__file__).with_name("bpic2012-sample.csv")
UTC = datetime.timezone.utc


# (case id, amount requested, first event in UTC, outcome, hours between the main steps)
CASES = [
    ("173688", 20000, "2011-10-03T22:38:44", "approved", 30),
    ("173691", 5000, "2011-10-04T07:16:02", "approved", 44),
    ("173694", 7000, "2011-10-05T23:05:19", "approved", 26),
    ("173697", 15000, "2011-10-06T09:55:00", "declined", 20),
    ("173700", 8000, "2011-10-07T22:12:31", "approved", 52),
    ("173703", 10000, "2011-10-10T13:22:48", "cancelled", 36),
    ("173706", 25000, "2011-10-11T23:59:00", "approved", 24),
    ("173709", 3000, "2011-10-12T08:00:12", "declined", 3),
    ("173712", 12000, "2011-10-13T22:00:00", "approved", 48),
    ("173715", 6500, "2011-10-14T10:40:05", "approved", 70),
    ("173718", 40000, "2011-10-17T22:45:10", "cancelled", 50),
    ("173721", 9000, "2011-10-18T11:11:11", "approved", 28),
]


def stamp(at: datetime.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def case_rows(case_id, amount, start, outcome, step_hours):
    at = datetime.datetime.fromisoformat(start).replace(tzinfo=UTC)
    rows = [(case_id, "A_SUBMITTED", "COMPLETE", at, "112", amount)]

    def add(activity, transition, resource="112", hours=0.0):
        nonlocal at
        at += datetime.timedelta(hours=hours)
        rows.append((case_id, activity, transition, at, resource, amount))

    add("A_PARTLYSUBMITTED", "COMPLETE", hours=0.01)
    if outcome == "declined" and step_hours < 5:
        add("A_DECLINED", "COMPLETE", hours=0.02)
        return rows
    add("W_Afhandelen leads", "SCHEDULE", hours=0.02)
    add("W_Afhandelen leads", "START", "10862", hours=step_hours / 3)
    add("A_PREACCEPTED", "COMPLETE", "10862", hours=0.3)
    add("W_Afhandelen leads", "COMPLETE", "10862", hours=0.1)
    if outcome == "declined":
        add("A_DECLINED", "COMPLETE", "10862", hours=step_hours)
        return rows
    add("W_Completeren aanvraag", "SCHEDULE", "10862", hours=0.01)
    add("W_Completeren aanvraag", "START", "10913", hours=step_hours)
    add("A_ACCEPTED", "COMPLETE", "10913", hours=0.2)
    add("O_SELECTED", "COMPLETE", "10913", hours=0.05)
    add("A_FINALIZED", "COMPLETE", "10913", hours=0.01)
    add("O_CREATED", "COMPLETE", "10913", hours=0.01)
    add("O_SENT", "COMPLETE", "10913", hours=0.01)
    add("W_Completeren aanvraag", "COMPLETE", "10913", hours=0.05)
    if outcome == "cancelled":
        add("A_CANCELLED", "COMPLETE", "10913", hours=step_hours * 2)
        add("O_CANCELLED", "COMPLETE", "10913", hours=0.01)
        return rows
    add("W_Valideren aanvraag", "SCHEDULE", "10913", hours=step_hours)
    add("W_Valideren aanvraag", "START", "10629", hours=step_hours)
    add("A_APPROVED", "COMPLETE", "10629", hours=0.5)
    add("A_REGISTERED", "COMPLETE", "10629", hours=0.0)
    add("A_ACTIVATED", "COMPLETE", "10629", hours=0.0)
    add("O_ACCEPTED", "COMPLETE", "10629", hours=0.0)
    add("W_Valideren aanvraag", "COMPLETE", "10629", hours=0.1)
    return rows


def main():
    lines = ["case:concept:name,concept:name,lifecycle:transition,time:timestamp,org:resource,case:AMOUNT_REQ"]
    for case in CASES:
        for case_id, activity, transition, at, resource, amount in case_rows(*case):
            lines.append(f"{case_id},{activity},{transition},{stamp(at)},{resource},{amount}")
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
