#!/usr/bin/env bash
# The whole test command: installs what it needs, then lint, types, content check, tests.
# Used as-is by CI (.ci/run). Fails loudly on the first problem.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev,regions]"

# PostgreSQL server binaries for the storage tests (Debian's package): the tests start their
# own server in a temporary folder on 127.0.0.1 and stop it. Without them those tests are
# skipped, loudly; so install them when they are missing and this is possible.
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "== installing PostgreSQL (Debian package 'postgresql') for the storage tests"
        export DEBIAN_FRONTEND=noninteractive
        if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >/dev/null; then
            echo "!! could not install PostgreSQL: the PostgreSQL tests will be SKIPPED" >&2
        fi
    else
        echo "!! no PostgreSQL server binaries and no way to install them (root + apt-get):" \
            "the PostgreSQL tests will be SKIPPED (set PLAYBOOK_PG_BIN to their folder)" >&2
    fi
fi

# Node packages for the end-to-end tests against telegram-test-api (pinned by the lock file).
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict)"
.venv/bin/mypy
echo "== content check"
.venv/bin/playbook check content
echo "== content/regios.yaml up to date with its data packages"
.venv/bin/python scripts/generate_regions.py --check
echo "== hadolint"
.venv/bin/hadolint Dockerfile
echo "== pytest"
# pytest exits 5 when no test ran; with set -e that fails the run, as it must.
.venv/bin/pytest "$@"
