#!/usr/bin/env bash
# Set up .venv (first run only), check the package's layering (import-linter) and lint (ruff), run the whole test suite with pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/lint-imports --no-cache
.venv/bin/ruff check --quiet qtx_report tests bench scripts
exec .venv/bin/python -m pytest "$@"
