#!/bin/sh
# `renewflow serve` against a bare server on the same stack (issue 26, Targets). Builds release,
# starts the bare one-INSERT-per-request server (bench/bare_insert_server.rs) on a free port and
# runs `serve_load actions` against it (and `wrk -t2` on its openings when wrk is installed);
# then, when this build has `renewflow serve`, deploys the licence workflow into a new store,
# creates an API key, starts `renewflow serve` and runs the same actions, the reads (timing, the
# watch list's first page) and the event streams, reading the server's peak memory (VmHWM).
# Prints one table comparing the two, and exits 1 when a target is missed.
#
#   sh bench/serve_vs_bare.sh [SECONDS] [CLIENTS]        # 20 s per run, 64 clients
#
# Environment: CARGO_TARGET_DIR (default `target`); SKIP_BUILD=1 uses what is built;
# SSE_CONNECTIONS (10000) streams held; READ_CASES (10000) cases opened and accepted for the
# reads; SSE_ACTIONS_PER_SECOND (20) actions taken while the streams are held, so events flow.
#
# The load generator and the server share the machine's cores (2 on the build machine), as
# wrk and the server would: every rate is what the server managed with the load beside it.
set -eu
cd "$(dirname "$0")/.."

seconds=${1:-20}
clients=${2:-64}
sse_connections=${SSE_CONNECTIONS:-10000}
read_cases=${READ_CASES:-10000}
sse_actions_per_second=${SSE_ACTIONS_PER_SECOND:-20}
# How long a server may take to answer `GET /healthz` after it was started.
start_timeout_seconds=30
target=${CARGO_TARGET_DIR:-target}/release
load=$target/examples/serve_load
bare=$target/examples/bare_insert_server
renewflow=$target/renewflow
work=$(mktemp -d "${TMPDIR:-/tmp}/renewflow-serve-bench.XXXXXX")
servers=""
child=""
status=0

cleanup() {
    for pid in $child $servers; do kill "$pid" 2>/dev/null || true; done
    for pid in $servers; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# in_background COMMAND…: runs COMMAND and waits for it. The shell handles a signal only
# between commands, but at once during `wait`: so an interrupted run stops now, not when the
# load generator's run ends. (A background command ignores SIGINT; `cleanup` kills it.)
in_background() {
    "$@" &
    child=$!
    if wait "$child"; then code=0; else code=$?; fi
    child=""
    return "$code"
}

fail() {
    echo "serve_vs_bare: $*" >&2
    exit 1
}

# start_server NAME COMMAND…: runs COMMAND in the background, its output in $work/NAME.log,
# and sets $server_pid.
start_server() {
    name=$1
    shift
    "$@" > "$work/$name.log" 2>&1 &
    server_pid=$!
    servers="$servers $server_pid"
}

# wait_for NAME URL: until GET /healthz answers 200; stops the script when the server exits or
# does not answer in time.
wait_for() {
    if ! in_background "$load" wait --url "$2" --pid "$server_pid" --timeout-seconds "$start_timeout_seconds"; then
        echo "serve_vs_bare: $1 did not come up at $2; the end of its log:" >&2
        tail -n 20 "$work/$1.log" >&2
        exit 1
    fi
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
}

# run_load NAME ARGUMENTS…: one serve_load run, its JSON in $work/NAME.json; a run with nothing
# acknowledged is reported and the script goes on to the next.
run_load() {
    name=$1
    shift
    echo
    echo "== $name"
    if ! in_background "$load" "$@" --json-out "$work/$name.json"; then
        echo "serve_vs_bare: $name: nothing acknowledged" >&2
        status=1
    fi
}

# field FILE KEY: a number from a JSON report ('-' when absent).
field() {
    value=$(sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" "$1" 2>/dev/null | head -n 1)
    echo "${value:--}"
}

# rounded DIGITS VALUE: VALUE with DIGITS decimals ('-' stays).
rounded() {
    awk -v d="$1" -v v="$2" 'BEGIN { if (v == "-") print v; else printf "%.*f\n", d, v }'
}

# object FILE KEY: a flat JSON object from a report, such as the non-2xx counts.
object() {
    value=$(sed -n "s/.*\"$2\":\({[^}]*}\).*/\1/p" "$1" 2>/dev/null | head -n 1)
    echo "${value:--}"
}

# peak_mib PID: the process's VmHWM in MiB.
peak_mib() {
    awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo -
}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cargo build --release --bin renewflow --example serve_load --example bare_insert_server
fi

# Every stream is a socket in the load generator and one in the server; both inherit this.
files_needed=$((sse_connections + 1024))
files=$(ulimit -n)
if [ "$files" != unlimited ] && [ "$files" -lt "$files_needed" ]; then
    ulimit -n "$files_needed" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
files=$(ulimit -n)
if [ "$files" != unlimited ] && [ "$files" -lt "$files_needed" ]; then
    echo "serve_vs_bare: open files limited to $files (hard limit), fewer than the $files_needed $sse_connections streams need" >&2
fi

echo "$(nproc) cores, shared by the load generator and the server; $clients clients, $seconds s per run"

# The bare server.
port=$("$load" free-port)
start_server bare "$bare" --db "$work/bare.db" --listen "127.0.0.1:$port" --token bare
wait_for bare "http://127.0.0.1:$port"
run_load bare-actions actions --url "http://127.0.0.1:$port" --token bare --clients "$clients" \
    --duration-seconds "$seconds"
bare_peak=$(peak_mib "$server_pid")
wrk_line="wrk not installed"
if command -v wrk > /dev/null 2>&1; then
    cat > "$work/open.lua" << 'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bare"
wrk.headers["Idempotency-Key"] = "wrk"
wrk.body = '{"workflow": "administrative-license", "number": "wrk", "at": "2026-03-02T10:00:00+08:00", "attributes": {"joint_handling": false}}'
LUA
    echo
    echo "== wrk -t2 -c$clients on the bare server's openings (POST /v1/cases)"
    in_background wrk -t2 -c"$clients" -d"${seconds}s" --latency -s "$work/open.lua" "http://127.0.0.1:$port/v1/cases" \
        > "$work/wrk.txt" || true
    cat "$work/wrk.txt"
    wrk_line="$(awk '/Requests\/sec/ { r = $2 } /^ +99%/ { p = $2 } END { print r " req/s, p99 " p }' "$work/wrk.txt")"
fi
stop_server

# renewflow serve, when this build has it.
serve_built=0
if "$renewflow" serve --help > /dev/null 2>&1; then
    serve_built=1
    db=$work/serve.db
    "$renewflow" --db "$db" workflow deploy workflows/administrative-license.yaml > /dev/null
    # The paths of serve_load need the roles `officer` and `head`.
    "$renewflow" --db "$db" key create --name load --grant administrative-license:officer,head --format json \
        > "$work/key.json" || fail "key create failed: $(cat "$work/key.json")"
    token=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$work/key.json" | head -n 1)
    [ -n "$token" ] || fail "key create printed no token: $(cat "$work/key.json")"
    port=$("$load" free-port)
    url=http://127.0.0.1:$port
    # The load's cases are dated through 2026; on the machine's real date every one of them is
    # overdue, and the warning sweeper would issue (and stream to every event stream) tens of
    # thousands of cards during the run. The service's clock is set to the load's first day, so
    # what is measured is the requests, as in an office where cards come a few a minute.
    printf '2026-01-05T08:00:00+08:00\n' > "$work/now.txt"
    start_server serve "$renewflow" --db "$db" serve --listen "127.0.0.1:$port" --clock-file "$work/now.txt"
    wait_for serve "$url"
    serve_pid=$server_pid
    run_load serve-actions actions --url "$url" --token "$token" --clients "$clients" --duration-seconds "$seconds"
    run_load serve-timing reads --read timing --create "$read_cases" --url "$url" --token "$token" \
        --clients "$clients" --duration-seconds "$seconds"
    run_load serve-watch reads --read watch --url "$url" --token "$token" --clients "$clients" \
        --duration-seconds "$seconds"
    # What the earlier runs left the server holding, before the streams open.
    serve_before_streams=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$serve_pid/status" 2>/dev/null || echo -)
    run_load serve-sse sse --connections "$sse_connections" --server-pid "$serve_pid" \
        --actions-per-second "$sse_actions_per_second" --url "$url" --token "$token" --duration-seconds "$seconds"
    serve_peak=$(peak_mib "$serve_pid")
    stop_server
else
    echo
    echo "serve_vs_bare: \`$renewflow serve --help\` fails: this build has no \`renewflow serve\`, so only the bare server was measured"
fi

# The comparison.
b=$work/bare-actions.json
s=$work/serve-actions.json
row() { printf '%-36s %-22s %-22s %s\n' "$1" "$2" "$3" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b != "-") printf "%.2f", b / a; else print "-" }'; }
echo
row "" "bare INSERT server" "renewflow serve" "serve / bare"
bare_rate=$(field "$b" acknowledged_per_second)
serve_rate=$(field "$s" acknowledged_per_second)
row "acknowledged/s (openings + actions)" "$(rounded 0 "$bare_rate")" "$(rounded 0 "$serve_rate")" \
    "$(ratio "$bare_rate" "$serve_rate")"
for quantile in p50 p90 p99 max; do
    row "latency $quantile (ms)" "$(rounded 2 "$(field "$b" "$quantile")")" "$(rounded 2 "$(field "$s" "$quantile")")" ""
done
row "non-2xx" "$(object "$b" non_2xx)" "$(object "$s" non_2xx)" ""
row "failures" "$(object "$b" failures)" "$(object "$s" failures)" ""
row "server peak RSS (MiB)" "$bare_peak (after actions)" "${serve_peak:--} (whole run)" ""
row "server RSS before the streams (MiB)" "" "${serve_before_streams:--}" ""
row "reads: timing (requests/s)" "" "$(rounded 0 "$(field "$work/serve-timing.json" acknowledged_per_second)")" ""
row "reads: watch page (requests/s)" "" "$(rounded 0 "$(field "$work/serve-watch.json" acknowledged_per_second)")" ""
row "event streams opened" "" "$(field "$work/serve-sse.json" opened) of $sse_connections" ""
row "wrk -t2 on openings" "$wrk_line" "" ""

if [ "$serve_built" = 1 ]; then
    # verdict NAME OK: prints whether a target holds and remembers a miss.
    verdict() {
        if [ "$2" = 1 ]; then echo "target met:    $1"; else echo "target missed: $1"; status=1; fi
    }
    at_least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "-" && b != "-" && a + 0 >= b + 0) ? 1 : 0 }'; }
    below() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "-" && b != "-" && a + 0 < b + 0) ? 1 : 0 }'; }
    echo
    # A rate is only worth reading when every request got a 2xx with the id and version the
    # next request needs.
    usable=$(awk -v r="$(field "$s" requests)" -v a="$(field "$s" acknowledged)" -v f="$(object "$s" failures)" \
        'BEGIN { print (r != "-" && r == a && f == "{}") ? 1 : 0 }')
    verdict "every action request acknowledged with a usable answer" "$usable"
    verdict "acknowledged/s at least the bare server's" \
        "$(at_least "$(field "$s" acknowledged_per_second)" "$(field "$b" acknowledged_per_second)")"
    verdict "at least 5,000 acknowledged/s" "$(at_least "$(field "$s" acknowledged_per_second)" 5000)"
    verdict "p99 under 50 ms" "$(below "$(field "$s" p99)" 50)"
    verdict "timing reads at least 20,000/s" "$(at_least "$(field "$work/serve-timing.json" acknowledged_per_second)" 20000)"
    verdict "watch reads at least 20,000/s" "$(at_least "$(field "$work/serve-watch.json" acknowledged_per_second)" 20000)"
    verdict "$sse_connections streams opened" "$(at_least "$(field "$work/serve-sse.json" opened)" "$sse_connections")"
    verdict "peak RSS under 200 MB (190.7 MiB), streams open" "$(below "${serve_peak:--}" 190.7)"
fi
exit "$status"
