# Sourced by tests/run.sh: a throwaway PostgreSQL cluster for the tests of the PostgreSQL store.
#
# PostgreSQL's server comes from Debian's packages when the machine lacks it (without the
# package's own default cluster). The cluster lives in a new temporary directory owned by an
# unprivileged user (`renewflow-test`, made when the tests run as root: PostgreSQL refuses to run
# as root), listens on a Unix socket in that directory and on no network interface, and is
# stopped and removed when the tests end. `RENEWFLOW_TEST_POSTGRES` gives the tests its address;
# each test makes a database of its own. When the cluster cannot be started, this fails: the
# PostgreSQL tests never skip.

postgres_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)

if [ -z "$(postgres_bin)" ] || [ ! -x "$(postgres_bin)/initdb" ]; then
    echo "tests/postgres.sh: installing PostgreSQL's server"
    # No default cluster: the tests make their own, and nothing should listen for long.
    "${as_root[@]}" mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | "${as_root[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq postgresql
fi
pg_bin="$(postgres_bin)"

# Who runs the cluster: an unprivileged user.
run_as=()
if [ "$(id -u)" -eq 0 ]; then
    if ! id -u renewflow-test >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin renewflow-test
    fi
    run_as=(runuser -u renewflow-test --)
fi

pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/renewflow-pg.XXXXXX")"
chmod 755 "$pg_dir"
[ "$(id -u)" -ne 0 ] || chown renewflow-test "$pg_dir"

stop_postgres() {
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop_postgres EXIT

if ! "${run_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U renewflow -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$pg_dir/initdb.log" 2>&1; then
    cat "$pg_dir/initdb.log" >&2
    echo "tests/postgres.sh: initdb failed; the PostgreSQL tests cannot run" >&2
    exit 1
fi
# Throwaway: no fsync (a crash loses the cluster, which the tests make again). Enough
# connections for the tests that run at once, each with a few.
if ! "${run_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $pg_dir -c fsync=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null; then
    cat "$pg_dir/server.log" >&2
    echo "tests/postgres.sh: the PostgreSQL server did not start; the PostgreSQL tests cannot run" >&2
    exit 1
fi
export RENEWFLOW_TEST_POSTGRES="postgresql://renewflow@/postgres?host=$pg_dir"
echo "tests/postgres.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $pg_dir"
