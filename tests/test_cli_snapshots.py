"""The CLI's text, as a person reads it: snapshots on the tiny corpus.

Each command's output is compared with a committed file under ``tests/snapshots/cli/``
after timings, sizes, dates and temporary paths are replaced by placeholders. When an
output changes on purpose, regenerate the files with ``KB_UPDATE_SNAPSHOTS=1 pytest
tests/test_cli_snapshots.py`` and read the diff before committing it.

The tiny corpus (``tests/fixtures/tiny_corpus``) is built once, through ``kb ingest``,
with the project's rules and the tiny manifest, as ``tests/test_reliability.py`` does.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import cli
from kb.clirender import LineProgress, print_build_report
from kb.pipeline import BuildReport
from kb.settings import PROJECT_ROOT

SNAPSHOTS = Path(__file__).parent / "snapshots" / "cli"
TINY_ROOT = Path(__file__).parent / "fixtures" / "tiny_corpus"
UPDATE = bool(os.environ.get("KB_UPDATE_SNAPSHOTS"))


def normalised(text: str, tmp: Path) -> str:
    """The text without what changes from run to run."""
    text = text.replace(str(tmp), "<TMP>").replace(str(TINY_ROOT), "<SOURCE_ROOT>")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+\-]\d\d:\d\d", "<TIME>", text)
    text = re.sub(r"\b\d+\.\d+ s\b", "<SECONDS> s", text)
    text = re.sub(r"\b\d+\.\d MB\b", "<SIZE> MB", text)
    # table cells widen or narrow with the placeholders' lengths: compare without padding
    text = re.sub(r" +([│┃])", r" \1", text)
    text = re.sub(r"([─━])\1+", r"\1", text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with KB_UPDATE_SNAPSHOTS=1 to write it"
    assert text == path.read_text(encoding="utf-8"), f"{name}: output differs from {path}"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Result]]:
    """(temporary folder, database, the ingest's CliRunner result)."""
    tmp = tmp_path_factory.mktemp("snap")
    corpus = tmp / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    shutil.copyfile(TINY_ROOT / "manifest.toml", corpus / "manifest.toml")
    db = tmp / "db" / "kb.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KB_CORPUS_DIR", str(corpus))
        result = CliRunner().invoke(cli, ["ingest", "--db", str(db), "--source-root", str(TINY_ROOT), "--workers", "1"])
        assert result.exit_code == 0, result.output
        yield tmp, db, result


def test_ingest_prints_a_summary(tiny: tuple[Path, Path, Result]) -> None:
    tmp, _db, result = tiny
    check_snapshot("ingest", normalised(result.stdout, tmp))


def test_ingest_off_a_terminal_prints_progress_lines(tiny: tuple[Path, Path, Result]) -> None:
    lines = tiny[2].stderr.splitlines()
    assert "annotating statutes (3)" in lines and lines[-1] == "done", lines


def test_a_build_leaves_only_the_database(tiny: tuple[Path, Path, Result]) -> None:
    _tmp, db, _result = tiny
    assert sorted(p.name for p in db.parent.iterdir()) == ["kb.sqlite"]  # no kb.sqlite.lock


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("stats", ["stats"]),
        ("show-document", ["show", "face-rules-2024"]),
        ("show-provision", ["show", "face-rules-2024/art_3"]),
        ("verify", ["verify", "--source-root", str(TINY_ROOT)]),
        ("error-unknown-id", ["show", "face-rules-2024/art_99"]),
        ("search", ["search", "人脸", "--limit", "3"]),
        ("resolve", ["resolve", "依照《示例人脸信息处理规定》第三条和本法第二条"]),
        ("cite", ["cite", "face-rules-2024/art_3", "--format", "three-script"]),
    ],
)
def test_command_output(tiny: tuple[Path, Path, Result], name: str, args: list[str]) -> None:
    tmp, db, _result = tiny
    result = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert result.exit_code == (1 if name.startswith("error") else 0), result.output
    check_snapshot(name, normalised(result.output, tmp))


def test_show_does_not_wrap_when_output_is_not_a_terminal(tiny: tuple[Path, Path, Result]) -> None:
    _tmp, db, _result = tiny
    out = CliRunner().invoke(cli, ["show", "face-rules-2024", "--db", str(db)]).stdout
    title = "face-rules-2024  示例人脸信息处理规定  Example Provisions on Processing Facial Information (2024 revision)"
    assert title in out.splitlines()  # one line of more than 80 columns, as it is


# ---------------------------------------------------------------- a big build's report


def _big_report() -> BuildReport:
    """A report of 60 documents, one of them with an id longer than a terminal is wide."""
    long_id = "minors-protection-" + "regulations-on-the-online-protection-of-minors-" * 2 + "2023"
    ids = [long_id] + [f"law-{i:02d}" for i in range(59)]
    per_doc = tuple(
        {"id": d, "kind": "law", "text": True, "articles": 10, "passages": 0, "seconds": round(0.01 * i, 2)}
        for i, d in enumerate(ids)
    )
    warnings = (
        "corpus-scale/a.md:12: point 三 appears twice; kept as text",
        "corpus-scale/b.md:7: point 五 appears twice; kept as text",
        "law-03: skipped: corpus-scale/c.md: empty file",
        f"{long_id}.md: title in text '甲' differs from manifest '乙'",
    )
    return BuildReport(
        database="/data/kb.sqlite",
        documents=60,
        provisions=1200,
        articles=600,
        passages=0,
        annotations=3000,
        links=40,
        warnings=warnings,
        corpus_hash="0" * 64,
        seconds=12.5,
        size_bytes=3_400_000,
        per_document=per_doc,
    )


@pytest.mark.parametrize("full", [False, True], ids=["summary", "verbose"])
def test_a_big_build_prints_a_summary_and_the_table_on_request(capsys: pytest.CaptureFixture[str], full: bool) -> None:
    print_build_report(_big_report(), full=full)
    out = capsys.readouterr().out
    check_snapshot(f"ingest-big-{'verbose' if full else 'summary'}", normalised(out, Path("/nonexistent")))
    rows = [line for line in out.splitlines() if line.startswith("│ ")]
    assert len(rows) == (60 if full else 0)  # the table of every document only with --verbose
    assert not full or _big_report().per_document[0]["id"] in rows[0]  # never cut


def test_ids_are_never_cut_in_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setenv("COLUMNS", "60")
    print_build_report(_big_report(), full=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue())
    assert _big_report().per_document[0]["id"] in text


def test_line_progress_prints_phases_and_then_every_few_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 1.0, 6.0, 7.0, 12.0, 13.0])
    monkeypatch.setattr("kb.clirender.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    progress = LineProgress(out, every=5.0)
    progress("annotating statutes", 0, 100)  # t=0: the phase starts
    progress("annotating statutes", 10, 100)  # t=1: too soon
    progress("annotating statutes", 60, 100)  # t=6: a line
    progress("annotating statutes", 70, 100)  # t=7: too soon
    progress("annotating statutes", 100, 100)  # t=12: a line
    progress("full-text index", 0, 1)  # t=13: a new phase
    assert out.getvalue().splitlines() == [
        "annotating statutes (100)",
        "annotating statutes: 60/100 (10.0/s, about 4 s left)",
        "annotating statutes: 100/100 (8.3/s, about 0 s left)",
        "full-text index",
    ]


def test_jieba_is_quiet_unless_asked_and_never_speaks_twice(tiny: tuple[Path, Path, Result]) -> None:
    """In a process of its own (logging is configured once per process): kb -vv shows jieba's
    lines through the root handler only (jieba's own handler printed each a second time,
    unprefixed); without -v, not at all."""
    tmp, db, _result = tiny
    env = dict(os.environ, KB_CORPUS_DIR=str(tmp / "corpus"), PYTHONPATH=str(PROJECT_ROOT))
    args = [sys.executable, "-m", "kb"]
    tail = ["ingest", "--db", str(tmp / "again.sqlite"), "--source-root", str(TINY_ROOT), "--workers", "1", "--quiet"]
    quiet = subprocess.run([*args, *tail], env=env, capture_output=True, text=True, timeout=300, check=True)
    assert "prefix dict" not in quiet.stderr.lower(), quiet.stderr
    loud = subprocess.run([*args, "-vv", *tail], env=env, capture_output=True, text=True, timeout=300, check=True)
    jieba_lines = [line for line in loud.stderr.splitlines() if "prefix dict" in line.lower()]
    assert jieba_lines and all(line.startswith("DEBUG jieba: ") for line in jieba_lines), loud.stderr
    assert db.exists()
