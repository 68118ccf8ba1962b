"""Every command, every kind of bad ``--db`` or ``--source-root``: one line, exit status 1.

Each case runs through click's CliRunner (in-process; a missing driver is simulated by
hiding ``psycopg``). The wrong-password case needs the PostgreSQL server of
``scripts/ci_postgres.sh`` (``KB_TEST_PG_URL``) and is skipped, with that reason, without it
(under ``CI``, it fails instead, as ``tests/test_postgres.py`` does).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from kb.cli import cli

PG_URL = os.environ.get("KB_TEST_PG_URL", "")
READ_COMMANDS = (
    ["stats"],
    ["verify"],
    ["show", "pipl-2021"],
    ["show", "csl-2016/art_41", "--history"],
    ["search", "人脸识别"],
    ["resolve", "PIPL art. 13"],
    ["cite", "pipl-2021/art_13"],
    ["viewpoints", "consent"],
    ["serve", "--port", "0"],
    ["mcp"],
)
ALL_COMMANDS = (*READ_COMMANDS, ["ingest", "--quiet"])


def _not_a_database(tmp: Path) -> str:
    path = tmp / "notes.sqlite"
    path.write_text("these are my notes, not a database\n", encoding="utf-8")
    return str(path)


def _another_sqlite_database(tmp: Path) -> str:
    path = tmp / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    return str(path)


def _wrong_password(_tmp: Path) -> str:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI is set but KB_TEST_PG_URL is not: run scripts/ci_postgres.sh first")
        pytest.skip('no PostgreSQL: KB_TEST_PG_URL is unset (eval "$(bash scripts/ci_postgres.sh)" to get one)')
    return make_url(PG_URL).set(password="not-the-password").render_as_string(hide_password=False)


# (case, how to make the --db value, commands, what the one line must say)
CASES = [
    (
        "unreachable server",
        lambda _tmp: "postgresql+psycopg://kb:secret@127.0.0.1:1/kb",
        ALL_COMMANDS,
        "Connection refused",
    ),
    ("wrong password", _wrong_password, ALL_COMMANDS, "password authentication failed"),
    ("unsupported dialect", lambda _tmp: "mysql://u:p@localhost/kb", ALL_COMMANDS, "mysql is not supported"),
    ("unknown dialect", lambda _tmp: "nosuchdb://x/y", ALL_COMMANDS, "nosuchdb is not supported"),
    (
        "another PostgreSQL driver",
        lambda _tmp: "postgresql://u@localhost/kb",
        ALL_COMMANDS,
        "write postgresql+psycopg://",
    ),
    ("not a URL", lambda _tmp: "postgresql+psycopg://kb@host:notaport/kb", ALL_COMMANDS, "is not a database URL"),
    ("a file that is not a database", _not_a_database, READ_COMMANDS, "is not a knowledge base built by kb ingest"),
    ("a file that is not a database", _not_a_database, (["ingest", "--quiet"],), "is not a SQLite database"),
    ("another SQLite database", _another_sqlite_database, READ_COMMANDS, "is not a knowledge base built by kb ingest"),
    ("a missing file", lambda tmp: str(tmp / "absent.sqlite"), READ_COMMANDS, "run `kb ingest` first"),
]


def _one_line_error(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, (args, result.exit_code, result.output, result.exception)
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("make_db", "command", "expected"),
    [
        pytest.param(make_db, command, expected, id=f"{case}-{command[0]}")
        for case, make_db, commands, expected in CASES
        for command in commands
    ],
)
def test_a_bad_db_is_one_line(tmp_path: Path, make_db: object, command: list[str], expected: str) -> None:
    db = make_db(tmp_path)  # type: ignore[operator]
    line = _one_line_error([*command, "--db", db])
    assert expected in line, line
    assert "secret" not in line and "not-the-password" not in line  # passwords are never shown


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: c[0])
def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    line = _one_line_error([*command, "--db", "postgresql+psycopg://kb@127.0.0.1:1/kb"])
    assert "pip install 'facelaw-kb[postgres]'" in line


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: c[0])
def test_a_missing_source_root_says_exactly_that(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no-such-folder"
    line = _one_line_error([*command, "--source-root", str(missing), "--db", str(tmp_path / "kb.sqlite")])
    assert line == f"error: --source-root {missing}: no such directory"


def test_an_unset_source_root_says_how_to_set_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_SOURCE_ROOT", str(tmp_path / "nowhere"))
    line = _one_line_error(["ingest", "--quiet", "--db", str(tmp_path / "kb.sqlite")])
    assert f"the source root {tmp_path / 'nowhere'} does not exist" in line
    assert "set KB_SOURCE_ROOT or pass --source-root DIR" in line
    assert list(tmp_path.iterdir()) == [], "a failed build leaves nothing behind (no lock file)"
