"""kb.ids: the one place that parses, builds and orders ids."""

from __future__ import annotations

import pytest

from kb.errors import InvalidId
from kb.ids import (
    Eid,
    article_eid,
    doc_of,
    eid_sort_key,
    node_type,
    part_of,
    passage_id,
    passage_number,
    split_provision_id,
)

ROUND_TRIP = [
    # eid, kind, level, article, parent
    ("art_13", "art", "article", "art_13", None),
    ("art_13__para_1__item_4", "item", "item", "art_13", "art_13__para_1"),
    ("art_13__para_1__item_4__subitem_2", "subitem", "subitem", "art_13", "art_13__para_1__item_4"),
    ("art_17-1__para_2", "para", "paragraph", "art_17-1", "art_17-1"),
    ("book_3__subbook_1__chp_2__sec_1", "sec", "section", None, "book_3__subbook_1__chp_2"),
    ("preamble", "preamble", "preamble", "preamble", None),
    ("point_2-1", "point", "point", "point_2-1", None),
    ("annex_1", "annex", "annex", "annex_1", None),
]


@pytest.mark.parametrize(("eid", "kind", "level", "article", "parent"), ROUND_TRIP)
def test_parse_round_trips_and_knows_its_place(
    eid: str, kind: str, level: str, article: str | None, parent: str | None
) -> None:
    e = Eid.parse(eid)
    assert str(e) == eid
    assert (e.kind, e.level) == (kind, level)
    assert (str(e.article) if e.article else None) == article
    assert (str(e.parent) if e.parent else None) == parent


@pytest.mark.parametrize("bad", ["", "art", "art_x", "art_13__", "Art_13", "art_13 ", "p-7", "art_1--2"])
def test_malformed_eids_raise_invalid_id_naming_them(bad: str) -> None:
    with pytest.raises(InvalidId) as info:
        Eid.parse(bad)
    assert isinstance(info.value, ValueError)
    assert Eid.try_parse(bad) is None
    if bad:
        assert repr(bad) in str(info.value)


def test_build_matches_parse() -> None:
    assert str(Eid.build("article", 13)) == "art_13"
    assert str(Eid.build("item", 4, "art_13__para_1")) == "art_13__para_1__item_4"
    assert str(Eid.build("article", "17-1").child("paragraph", 2)) == "art_17-1__para_2"
    assert str(Eid.build("chapter", 2, Eid.build("book", 3))) == "book_3__chp_2"
    assert str(Eid.build("preamble")) == "preamble"


def test_articles_sort_by_number_not_by_text() -> None:
    eids = ["art_10", "art_2", "art_17-1", "art_17", "preamble", "art_2__para_2", "art_2__para_10"]
    ordered = sorted(eids, key=lambda e: Eid.parse(e).sort_key())
    assert ordered == ["preamble", "art_2", "art_2__para_2", "art_2__para_10", "art_10", "art_17", "art_17-1"]


def test_within() -> None:
    assert Eid.parse("art_13__para_1__item_4").within(Eid.parse("art_13"))
    assert not Eid.parse("art_13__para_1").within(Eid.parse("art_1"))


NODE_IDS = [
    ("pipl-2021", "document", "pipl-2021"),
    ("pipl-2021/art_13__para_1", "provision", "pipl-2021"),
    ("wsj-draft-rules-2023/p_7", "passage", "wsj-draft-rules-2023"),
    ("网络安全法-2016-11-07/art_41", "provision", "网络安全法-2016-11-07"),
]


@pytest.mark.parametrize(("node", "kind", "doc"), NODE_IDS)
def test_node_ids(node: str, kind: str, doc: str) -> None:
    assert node_type(node) == kind
    assert doc_of(node) == doc


def test_passage_and_provision_ids() -> None:
    assert passage_id("cpo", 3) == "cpo/p_3"
    assert passage_number("cpo/p_3") == 3
    assert passage_number("cpo/art_3") is None
    assert split_provision_id("pipl-2021/art_13") == ("pipl-2021", "art_13")
    with pytest.raises(InvalidId):
        split_provision_id("pipl-2021")
    assert article_eid("art_13__para_1") == "art_13"
    assert article_eid("chp_1") == "chp_1"


def test_eid_sort_key_orders_like_the_document() -> None:
    shuffled = ["annex_1", "art_10", "art_2__para_2", "art_2-1", "preamble", "art_2", "art_2__para_1", "chp_1"]
    expected = ["preamble", "chp_1", "art_2", "art_2__para_1", "art_2__para_2", "art_2-1", "art_10", "annex_1"]
    assert sorted(shuffled, key=eid_sort_key) == expected
    with pytest.raises(InvalidId):
        eid_sort_key("art_x")


PARTS = [
    ("art_14__para_2", "art_14", True),
    ("art_14", "art_14", True),
    ("pipl-2021/art_14__para_2__item_1", "pipl-2021/art_14", True),
    ("pipl-2021/art_140", "pipl-2021/art_14", False),  # a prefix of the text, not of the path
    ("pipl-2021/art_14-1", "pipl-2021/art_14", False),  # 第十四条之一 is its own article
    ("art_14", "art_14__para_2", False),
    ("csl-2016/art_14", "pipl-2021/art_14", False),
]


@pytest.mark.parametrize(("node", "whole", "expected"), PARTS)
def test_part_of(node: str, whole: str, expected: bool) -> None:
    assert part_of(node, whole) is expected
