"""The STARD train/dev/test split (``corpus/eval/stard_split.json``, ``scripts/split_stard.py``).

The questions stay in the shared folder; the split file holds ids only and must be what the
script writes from them.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kb.settings import PROJECT_ROOT

SPLIT_PATH = PROJECT_ROOT / "corpus" / "eval" / "stard_split.json"


def _load_script() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "split_stard.py"
    spec = importlib.util.spec_from_file_location("split_stard", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("split_stard", module)
    spec.loader.exec_module(module)
    return module


lib = _load_script()
DOC = json.loads(SPLIT_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def stard(source_root: Path) -> Path:
    return source_root / lib.SOURCE_REL


def test_the_file_is_what_the_script_writes(stard: Path) -> None:
    assert SPLIT_PATH.read_text(encoding="utf-8") == lib.render(lib.build(stard))


def test_splits_are_disjoint_and_cover_every_question(stard: Path) -> None:
    ids = {r.id for r in lib.load_rows(stard)}
    splits = {name: set(DOC["splits"][name]) for name in lib.SPLITS}
    assert set(DOC["splits"]) == set(lib.SPLITS)
    assert sum(len(s) for s in splits.values()) == len(ids)
    assert set().union(*splits.values()) == ids


def test_shares_are_close_to_70_15_15() -> None:
    total = sum(DOC["counts"].values())
    for name, share in lib.SHARES.items():
        assert abs(DOC["counts"][name] / total - share) < 0.01, DOC["counts"]


def test_near_duplicates_never_straddle_splits() -> None:
    where = {i: name for name, ids in DOC["splits"].items() for i in ids}
    assert DOC["near_duplicate_groups"], "the training set has known near-paraphrases"
    for group in DOC["near_duplicate_groups"]:
        assert len({where[i] for i in group}) == 1, group


def test_no_question_text_in_the_file() -> None:
    text = SPLIT_PATH.read_text(encoding="utf-8")
    assert "question" not in json.loads(text)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize(
    ("article", "law"),
    [
        ("中华人民共和国民法典第五十四条", "民法典"),
        (
            "最高人民法院关于审理民间借贷案件适用法律若干问题的规定第二十五条",
            "最高人民法院关于审理民间借贷案件适用法律若干问题的规定",
        ),
        ("中华人民共和国刑法第二百五十三条之一", "刑法"),
    ],
)
def test_law_of(article: str, law: str) -> None:
    assert lib.law_of(article) == law


def test_groups_join_paraphrases_with_one_answer_only() -> None:
    rows = [
        lib.Row(1, "以农村土地经营权进行的抵押是否有效？", ("a",)),
        lib.Row(2, "以农村土地承包权进行的抵押是否有效？", ("a",)),
        lib.Row(3, "以农村土地承包权进行的抵押是否有效", ("b",)),  # same text, other answer
        lib.Row(4, "租赁合同一般包括哪些内容？", ("c",)),
        lib.Row(5, "融资租赁合同一般包括哪些内容？", ("d",)),  # similar text, other answer
    ]
    assert [[r.id for r in g] for g in lib.groups_of(rows)] == [[1, 2, 3], [4], [5]]
