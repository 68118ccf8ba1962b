"""The learned reader of a page's header (kb.ingest.headers): its title candidates and their
features on small pages of our own, its title cleaning, its weights file, and the fitting
script's cross-validation on one small set."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kb.ingest.commentary_blocks import segment_blocks
from kb.ingest.commentary_page import Page
from kb.ingest.furniture import load_rules
from kb.ingest.headers import (
    OVERRIDE,
    TITLE_FEATURES,
    HeaderModels,
    load_header_models,
    title_candidates,
    title_text,
)
from kb.ingest.manifest import load_manifest
from kb.ingest.markup import NO_MARKS, markdown_marks, mask_markup
from kb.ingest.userdocs import load_user_commentary
from kb.learn.linear import LinearModel

ROOT = Path(__file__).resolve().parent.parent
BODY = (
    "The new rules require separate consent before a face is scanned at a gate. "
    "A company that stores faces of many people must file an assessment with the regulator.\n\n"
)
MD = "# Faces at the gate\n\n## Deadlines and filings\n\n" + BODY
ZH = "小区门禁刷脸，业主能说不吗\n\n" + "《办法》第八条规定，人脸信息应当存储于设备内。" * 3


def _candidates(text: str, fmt: str = "txt") -> dict[str, dict[str, float]]:
    marks = markdown_marks(text) if fmt == "md" else NO_MARKS
    masked = mask_markup(text, "md") if fmt == "md" else text
    page = Page(segment_blocks(masked), load_rules(), marks)
    n = len(page.blocks)
    first_prose = next((i for i in range(n) if page.furniture[i] is None and page.is_prose(i)), n)
    return {page.blocks[i].text: f for i, f in title_candidates(page, first_prose, marks)}


@pytest.mark.parametrize(
    ("text", "fmt", "line", "on", "off"),
    [
        # a headline in Title Case with its by-line next: both tests the hand score gave points for
        (
            "Faces at the Gate: What the Rules Ask\n\nBy Jane Roe\n\n" + BODY,
            "txt",
            "Faces at the Gate: What the Rules Ask",
            ("heading_like", "title_case", "en_title_case", "byline_next", "first_shaped", "rule_candidate"),
            ("masthead", "prose", "marked_top"),
        ),
        # a masthead in capitals over a longer headline: a candidate, but not the rules' own
        (
            "THE EXAMPLE LEDGER\n\nThe filings pile up, and a first court ruling on gates\n\n" + BODY,
            "txt",
            "THE EXAMPLE LEDGER",
            ("masthead", "first_block"),
            ("rule_candidate", "first_shaped"),
        ),
        # Markdown: "# Title" is of the page's top level, "## Section" below it
        ("# Faces at the gate\n\n## Deadlines and filings\n\n" + BODY, "md", "Faces at the gate", ("marked_top",), ()),
        (
            "# Faces at the gate\n\n## Deadlines and filings\n\n" + BODY,
            "md",
            "Deadlines and filings",
            ("marked_sub",),
            (),
        ),
        # a Chinese first line read as a headline though it ends in no mark; a bare name is a by-line
        (
            "小区门禁刷脸，业主能说不吗\n\n" + "《办法》第八条规定，人脸信息应当存储于设备内。" * 3,
            "txt",
            "小区门禁刷脸，业主能说不吗",
            ("cjk", "inner_comma"),
            ("en_sentence_case",),
        ),
        ("Daniel Roe\n\n" + BODY, "txt", "Daniel Roe", ("name_line",), ()),
    ],
)
def test_title_candidates_and_their_features(
    text: str, fmt: str, line: str, on: tuple[str, ...], off: tuple[str, ...]
) -> None:
    found = _candidates(text, fmt)
    assert line in found, found.keys()
    f = found[line]
    assert set(f) <= set(TITLE_FEATURES) | {"rule_pick"}
    assert [k for k in on if not f[k]] == []
    assert [k for k in off if f[k]] == []


def test_prose_is_no_title_candidate() -> None:
    assert not any(t.startswith("The new rules") for t in _candidates("A Title About Face Rules\n\n" + BODY))


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("UPDATE 2-China tightens face rules", "China tightens face rules"),
        ("【独家】刷脸进小区合法吗", "刷脸进小区合法吗"),
        ("对话标题：工厂人脸考勤机合规咨询", "工厂人脸考勤机合规咨询"),
        ("Title: Faces at the gate", "Faces at the gate"),
        ("Faces at the gate", "Faces at the gate"),
    ],
)
def test_title_text(line: str, title: str) -> None:
    assert title_text(line) == title


def test_no_weights_file_leaves_the_choice_to_the_rules(tmp_path: Path) -> None:
    assert load_header_models(tmp_path / "absent.toml") == HeaderModels()


def test_a_weights_file_loads_and_its_choice_holds(tmp_path: Path) -> None:
    path = tmp_path / "headers.toml"
    path.write_text(
        'version = 1\n\n[title]\ntrained_on = "a test"\nbias = -1.0\n\n[title.weights]\nname_line = 5.0\n',
        encoding="utf-8",
    )
    models = load_header_models(path)
    assert models.title == LinearModel(-1.0, {"name_line": 5.0})
    # weights that pick a bare name: the page's title is the name line, not the headline the rules pick
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "page.txt").write_text("A Title About Face Rules\n\nDaniel Roe\n\n" + BODY, encoding="utf-8")
    token = OVERRIDE.set(models)
    try:
        (doc,) = load_user_commentary([tmp_path / "pages"], load_manifest())
    finally:
        OVERRIDE.reset(token)
    assert doc.meta.title_en == "Daniel Roe"
    (doc,) = load_user_commentary([tmp_path / "pages"], load_manifest())
    assert doc.meta.title_en == "A Title About Face Rules"


def test_a_weights_file_with_an_unknown_feature_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "headers.toml"
    path.write_text("[title]\nbias = 0.0\n\n[title.weights]\nno_such_feature = 1.0\n", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_feature"):
        load_header_models(path)


def test_the_fitting_script_cross_validates_on_one_small_set() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fit_page_headers.py"), "--sets", "fixtures", "fresh"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert out.splitlines()[1].startswith("fixtures")
    assert [line.split(":")[0].strip() for line in out.splitlines()[-3:]] == ["rules", "cv", "fit_all"]
