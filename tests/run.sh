#!/usr/bin/env bash
# The tests, on a fresh machine: installs what they need beyond the Rust toolchain when it is
# missing, then runs `cargo test` (arguments are passed on). The web pages' tests drive a
# headless Chromium over WebDriver (tests/cli/browser.rs): Debian's `chromium` and
# `chromium-driver`, and CJK fonts so the screenshots they save are readable. They are installed
# with apt-get (as root, or through sudo); the tests fail, never skip, without them. The
# PostgreSQL store's tests run against a throwaway cluster that tests/postgres.sh starts (and
# installs PostgreSQL for, when missing) and stops when the tests end.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
[ -d /usr/share/fonts/opentype/noto ] || packages+=(fonts-noto-cjk)
if [ ${#packages[@]} -gt 0 ]; then
    echo "tests/run.sh: installing ${packages[*]}"
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${packages[@]}"
fi

source tests/postgres.sh

cargo test "$@"
