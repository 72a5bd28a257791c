#!/usr/bin/env python3
"""A case-handling system's side of `renewflow serve`, in Python's standard library only.

Opens a licence case, accepts it and grants it, then reads its timing. Every write carries an
Idempotency-Key and is retried with the same key when the answer does not come (a dropped
connection, a timeout, a 503): the service answers a retry with the first answer and never
writes twice. An action names the case version it was decided on (If-Match); when another
handler moved the case on first (412), the case is read again and the decision retaken.

    RENEWFLOW_URL=http://127.0.0.1:8080 RENEWFLOW_TOKEN=rfk_… python3 examples/python/client.py NUMBER
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

URL = os.environ.get("RENEWFLOW_URL", "http://127.0.0.1:8080")
TOKEN = os.environ["RENEWFLOW_TOKEN"]
ATTEMPTS = 5


class Problem(Exception):
    """A refusal: an RFC 9457 problem document from the service."""

    def __init__(self, status, document):
        super().__init__(f"{status} {document.get('type')}: {document.get('detail')}")
        self.status = status
        self.document = document


def call(method, path, body=None, headers=None):
    """One request; the answer's JSON and headers, or a Problem."""
    request = urllib.request.Request(URL + path, method=method)
    request.add_header("Authorization", f"Bearer {TOKEN}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, data=data, timeout=10) as answer:
            return json.load(answer), answer.headers
    except urllib.error.HTTPError as error:
        document = json.load(error) if error.headers.get("Content-Type") == "application/problem+json" else {}
        raise Problem(error.code, document) from None


def write(path, body, headers=None):
    """A write, retried with one key until an answer comes."""
    headers = dict(headers or {}, **{"Idempotency-Key": str(uuid.uuid4())})
    for attempt in range(ATTEMPTS):
        try:
            return call("POST", path, body, headers)
        except Problem as problem:
            if problem.status != 503 or attempt == ATTEMPTS - 1:
                raise
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            if attempt == ATTEMPTS - 1:
                raise
        time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


def act(case, action, role, at):
    """Takes an action on the case as it is now; reads it again if it moved on meanwhile."""
    for _ in range(ATTEMPTS):
        _, headers = call("GET", f"/v1/cases/{case}")
        try:
            answer, _ = write(f"/v1/cases/{case}/actions", {"action": action, "role": role, "at": at},
                              {"If-Match": headers["ETag"]})
            return answer
        except Problem as problem:
            if problem.status != 412:
                raise
    raise RuntimeError(f"case {case} kept moving on; {action} not taken")


def main():
    number = sys.argv[1] if len(sys.argv) > 1 else "PY-1"
    opened, headers = write("/v1/cases", {
        "workflow": "administrative-license", "number": number, "at": "2026-09-21T09:30:00+08:00",
        "attributes": {"joint_handling": False},
    })
    print(f"opened {opened['number']} ({opened['id']}), version {headers['ETag']}")
    act(number, "accept", "officer", "2026-09-22T10:00:00+08:00")
    try:
        act(number, "grant", "officer", "2026-10-12T10:00:00+08:00")
    except Problem as problem:
        # The officer may not grant: the head decides. The service says who may.
        print(f"refused: {problem.document['detail']} (roles: {problem.document.get('roles')})")
    timing, _ = call("GET", f"/v1/cases/{number}/timing?as_of=2026-10-12")
    for clock in timing["clocks"]:
        print(f"{clock['clock']}: {clock['elapsed']} of {clock['limit']} used, due {clock['due_date']}, {clock['level']}")


if __name__ == "__main__":
    main()
