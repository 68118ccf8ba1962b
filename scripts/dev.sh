#!/usr/bin/env bash
# The two set-up commands of the README, on a fresh machine with Python 3.11:
#
#   bash scripts/dev.sh serve   # install, build the knowledge base from the default corpus, serve it
#   bash scripts/dev.sh test    # install, then ruff (lint and format), mypy, import contracts and the whole test suite
#                               # (on up to 4 cores; KB_TEST_WORKERS=N to choose)
#
# Everything is installed into .venv from the pins in pyproject.toml. The source root
# (third-party texts) defaults to ../shared; set KB_SOURCE_ROOT to change it.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
if ! .venv/bin/python -c "import kb, fastapi, spacy, jieba, pytest" 2>/dev/null \
    || [ pyproject.toml -nt .venv/.installed ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[dev,postgres]'
    touch .venv/.installed
fi

case "${1:-}" in
    serve)
        shift
        .venv/bin/kb ingest
        exec .venv/bin/kb serve "$@"
        ;;
    test)
        shift
        .venv/bin/ruff check .
        .venv/bin/ruff format --check .
        .venv/bin/mypy
        .venv/bin/lint-imports
        # A test file per worker process, on up to 4 cores (KB_TEST_WORKERS to choose;
        # 0 runs everything in this process). The files share nothing on disk: each
        # worker builds its own databases under pytest's temporary folder.
        workers=${KB_TEST_WORKERS:-$(( $(nproc) < 4 ? $(nproc) : 4 ))}
        exec .venv/bin/pytest -n "$workers" --dist loadfile "$@"
        ;;
    *)
        echo "usage: bash scripts/dev.sh serve|test [args]" >&2
        exit 2
        ;;
esac
