"""kb.text.sentences: the one sentence splitter, English and Chinese."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from commentary_passages import real_doc

import kb.text.sentences
from kb.errors import ConfigError
from kb.model import DocumentMeta, Passage
from kb.text.sentences import join_quoted, load_sentence_rules, passage_sentences, split_sentences

CASES = [
    ("Dr. Smith met Mr. Li. They talked.", ["Dr. Smith met Mr. Li.", "They talked."]),
    ("Rules in the U.S. It is different.", ["Rules in the U.S.", "It is different."]),
    ("The U.S. Congress acted.", ["The U.S. Congress acted."]),
    (
        "Under Art. 13 of the PIPL, consent is needed. No. 4 applies.",
        ["Under Art. 13 of the PIPL, consent is needed.", "No. 4 applies."],
    ),
    # citations as notes and law reviews write them: the stop of an abbreviation before a number
    (
        "See PIPL art. 13(1)(ii) and Civil Code arts. 1034-1035. Done.",
        ["See PIPL art. 13(1)(ii) and Civil Code arts. 1034-1035.", "Done."],
    ),
    ("Measures, art. 10(2).", ["Measures, art. 10(2)."]),
    ("PIPL art. 28. Id. art. 29. Id. The court agreed.", ["PIPL art. 28.", "Id. art. 29.", "Id.", "The court agreed."]),
    ("Cf. sec. 5 of the act. Next.", ["Cf. sec. 5 of the act.", "Next."]),
    ("He said “stop.” Then he left.", ["He said “stop.”", "Then he left."]),
    ("“Is it legal?” she asked. Yes.", ["“Is it legal?” she asked.", "Yes."]),
    ("Readers matter.1 No need to come.", ["Readers matter.1", "No need to come."]),
    ("Prices rose 2.5 percent. Then fell.", ["Prices rose 2.5 percent.", "Then fell."]),
    ("J. K. Rowling wrote it.", ["J. K. Rowling wrote it."]),
    ("etc. and more. Done.", ["etc. and more.", "Done."]),
    # Chinese: 。！？ and ；, with closing quotes and brackets kept with the stop
    ("人脸识别很重要。我们同意！你呢？", ["人脸识别很重要。", "我们同意！", "你呢？"]),
    ("应当取得同意；不得强制。", ["应当取得同意；", "不得强制。"]),
    ("他说：「可以。」然后走了。", ["他说：「可以。」", "然后走了。"]),
    ("他说：“可以。”然后走了。", ["他说：“可以。”", "然后走了。"]),
    ("（一）收集；（二）存储。", ["（一）收集；", "（二）存储。"]),
    ("  No final stop  ", ["No final stop"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


@pytest.mark.parametrize(
    ("text", "quoted", "expected"),
    [
        (
            "He said “It is thin. It is late.” Then he left.",
            [(8, 32)],
            ["He said “It is thin. It is late.”", "Then he left."],
        ),
        ("“Open. Still open. And on", [(0, 25)], ["“Open. Still open. And on"]),
        ("A. B “c.” D.", [(5, 8)], ["A. B “c.”", "D."]),
        ("One. Two.", [], ["One.", "Two."]),
    ],
)
def test_join_quoted(text: str, quoted: list[tuple[int, int]], expected: list[str]) -> None:
    assert [text[s:e] for s, e in join_quoted(split_sentences(text), quoted)] == expected


def test_a_passage_keeps_the_split_made_at_ingest() -> None:
    given = ((0, 3), (4, 9))
    assert passage_sentences(Passage("d", 1, "One. Two.", sentences=given)) == given
    assert passage_sentences(Passage("d", 1, "Dr. Li came. Then.")) == ((0, 12), (13, 18))


def test_real_passages_split_as_at_ingest(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    """Without ；in the text, this splitter and the ingest split agree on every real passage."""
    checked = 0
    for doc_id, meta in manifest.items():
        if not meta.is_commentary or not meta.text_available:
            continue
        for p in real_doc(doc_id, manifest, source_root)[1]:
            if "；" not in p.text:
                assert split_sentences(p.text) == p.sentences, p.id
                checked += 1
    assert checked > 50


def test_a_malformed_sentences_table_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[other]\nx = 1\n[sentences]\ntitles = ["Dr", 3]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\.toml: sentences\.titles\.1: Input should be a valid string"):
        load_sentence_rules(path)
    path.write_text('[sentences]\ntitle = ["Dr"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\.toml: sentences\.title: Extra inputs are not permitted"):
        load_sentence_rules(path)


def test_doctests() -> None:
    result = doctest.testmod(kb.text.sentences)
    assert result.failed == 0 and result.attempted > 0
