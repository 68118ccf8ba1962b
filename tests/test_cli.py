"""The CLI: thin commands, JSON output, one-line errors with exit status 1."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import get_args

import pytest
from click.testing import CliRunner
from expected import ARTICLE_COUNTS

from kb.cli import BROADER_BELOW, CITE_FORMATS, RESULT_TYPES, SERVE_WORKERS, cli
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


def test_show_commentary_lists_its_passages_with_their_links(built_db: Settings) -> None:
    code, out = _run(built_db, "show", "wsj-draft-rules-2023", "--json")
    assert code == 0
    data = json.loads(out)
    passages = data["passages"]
    assert len(passages) == data["counts"]["passages"] > 0
    assert [p["n"] for p in passages] == sorted(p["n"] for p in passages)
    assert all(p["id"].startswith("wsj-draft-rules-2023/") for p in passages)
    linked = [p for p in passages if p["links"]]
    assert linked, "the seed article's passages link to provisions"
    for p in linked:
        scores = [lk["score"] for lk in p["links"]]
        assert scores == sorted(scores, reverse=True)
    code, text = _run(built_db, "show", "wsj-draft-rules-2023")
    assert code == 0
    assert all(p["id"] in text for p in passages)
    assert linked[0]["links"][0]["id"] in text  # its strongest link is printed under it


def test_show_statute_has_no_passage_list(built_db: Settings) -> None:
    code, out = _run(built_db, "show", "pipl-2021", "--json")
    assert code == 0 and "passages" not in json.loads(out)


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


# ------------------------------------------------------------------ search, resolve, cite, viewpoints


def test_search_json_finds_the_provision_and_says_what_any_word_finds(built_db: Settings) -> None:
    code, out = _run(built_db, "search", "人脸识别 单独同意", "--json")
    assert code == 0
    data = json.loads(out)
    ids = [r["id"] for r in data["results"]]
    assert "cac-mps-frt-2025/art_8" in ids
    if data["count"] < BROADER_BELOW:
        assert data["any_words_count"] > data["count"]


def test_search_text_output_lists_ids_and_marks(built_db: Settings) -> None:
    code, out = _run(built_db, "search", "hotel rooms facial recognition", "--type", "provision", "--limit", "3")
    assert code == 0
    assert "cac-mps-frt-2025/art_13" in out
    assert "<mark>" not in out  # the snippet's marks are rendered, not printed


def test_search_filters_by_type(built_db: Settings) -> None:
    code, out = _run(built_db, "search", "consent", "--type", "passage", "--json")
    assert code == 0
    results = json.loads(out)["results"]
    assert results and {r["type"] for r in results} == {"passage"}


def test_search_rejects_an_empty_query_in_one_line(built_db: Settings) -> None:
    code, out = _run(built_db, "search", "  ")
    assert code == 1 and out.count("\n") == 1 and out.startswith("error:")


def test_resolve_picks_the_version_in_force_at_the_date(built_db: Settings) -> None:
    code, out = _run(built_db, "resolve", "Article 41 of the Cybersecurity Law", "--date", "2019", "--json")
    assert code == 0
    assert json.loads(out)[0]["ids"] == ["csl-2016/art_41"]
    code, out = _run(built_db, "resolve", "《个人信息保护法》第二十八条 and Article 41 of the Cybersecurity Law")
    assert code == 0 and "pipl-2021/art_28" in out and "csl-2025/art_41" in out  # undated: the law in force


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("text", "PIPL art. 13(1)"),
        ("three-script", "Gèrén Xìnxī Bǎohùfǎ"),
        ("bibtex", "@misc{pipl-2021:art_13__para_1,"),
        ("ris", "TY  - "),
    ],
)
def test_cite_formats(built_db: Settings, fmt: str, expected: str) -> None:
    code, out = _run(built_db, "cite", "pipl-2021/art_13__para_1", "--format", fmt)
    assert code == 0 and expected in out


def test_cite_json_is_the_record(built_db: Settings) -> None:
    code, out = _run(built_db, "cite", "csl-2016", "--format", "json")
    assert code == 0 and json.loads(out)["doc_id"] == "csl-2016"


def test_viewpoints(built_db: Settings) -> None:
    code, out = _run(built_db, "viewpoints", "minors", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["topic"]["id"] == "minors" and data["documents"]
    code, out = _run(built_db, "viewpoints", "no-such-topic")
    assert code == 1 and out.startswith("error:")


def test_the_cli_choices_are_the_library_s() -> None:
    from kb.read.citeformat import CiteFormat
    from kb.search import ResultType

    assert set(CITE_FORMATS) == set(get_args(CiteFormat))
    assert set(RESULT_TYPES) == set(get_args(ResultType))


@pytest.mark.parametrize(
    ("args", "cores", "expected"), [([], 2, 2), ([], 16, SERVE_WORKERS), ([], 1, 1), (["--workers", "3"], 2, 3)]
)
def test_serve_starts_a_worker_per_core_by_default(
    built_db: Settings, monkeypatch: pytest.MonkeyPatch, args: list[str], cores: int, expected: int
) -> None:
    import uvicorn

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(kw))
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(cores)))
    for name in ("KB_DATABASE_URL", "KB_SOURCE_ROOT"):  # serve hands these to its workers: restored after
        monkeypatch.setenv(name, "")
    code, out = _run(built_db, "serve", *args)
    assert code == 0, out
    assert started["workers"] == expected
