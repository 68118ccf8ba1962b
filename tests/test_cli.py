"""The CLI: thin commands, JSON output, one-line errors with exit status 1."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from expected import ARTICLE_COUNTS

from kb.cli import cli
from kb.settings import Settings


def _run(built_db: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--db", str(built_db.sqlite_path)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("target", "key", "expected"),
    [
        ("pipl-2021", "title_zh", "中华人民共和国个人信息保护法"),
        ("cac-frt-2023-draft", "text_available", False),
        ("pipl-2021/art_13__para_1__item_4", "label", "（四）"),
        ("civil-code-2020/art_1034", "number", 1034),
    ],
)
def test_show_json(built_db: Settings, target: str, key: str, expected: object) -> None:
    code, out = _run(built_db, "show", target, "--json")
    assert code == 0
    assert json.loads(out)[key] == expected


def test_show_provision_lists_topics_and_translation(built_db: Settings) -> None:
    code, out = _run(built_db, "show", "pipl-2021/art_28", "--json")
    assert code == 0
    data = json.loads(out)
    assert "sensitive-data" in {t["label"] for t in data["topics"]}
    assert data["translation_status"] == "unofficial"
    assert [p["level"] for p in data["path"]] == ["chapter", "section"]


def test_show_passage(built_db: Settings) -> None:
    code, out = _run(built_db, "show", "wsj-draft-rules-2023/p_1", "--json")
    assert code == 0
    assert json.loads(out)["doc_id"] == "wsj-draft-rules-2023"


def test_show_text_output(built_db: Settings) -> None:
    code, out = _run(built_db, "show", "pipl-2021/art_13")
    assert code == 0 and "第十三条" in out and "unofficial" in out


@pytest.mark.parametrize("target", ["nope-2099", "pipl-2021/art_999", "chinai-163/p_999"])
def test_unknown_ids_are_one_line_errors(built_db: Settings, target: str) -> None:
    code, out = _run(built_db, "show", target)
    assert code == 1
    assert out.startswith("error: ") and out.count("\n") == 1


def test_stats_json(built_db: Settings) -> None:
    code, out = _run(built_db, "stats", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["totals"]["articles"] == sum(ARTICLE_COUNTS.values())  # 2328
    assert data["totals"]["documents"] == 26
    assert len(data["build"]["corpus_hash"]) == 64


def test_verify_ok(built_db: Settings) -> None:
    code, out = _run(built_db, "verify")
    assert code == 0 and out.strip().endswith("ok")


def test_missing_database_is_a_clear_error(tmp_path: object) -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", f"{tmp_path}/none.sqlite"])
    assert result.exit_code == 1
    assert "run `kb ingest` first" in result.output


def test_python_dash_m_kb() -> None:
    out = subprocess.run([sys.executable, "-m", "kb", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in out.stdout and "serve" in out.stdout
