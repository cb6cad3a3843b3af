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
