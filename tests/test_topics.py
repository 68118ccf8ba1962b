"""kb.annotate.topics: the taxonomy as data, and tagging real statutes and commentary."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kb.annotate.topics import (
    Lang,
    Taxonomy,
    detect_lang,
    en_phrase_tokens,
    load_taxonomy,
    tag_text,
    topic_summary,
)
from kb.errors import ConfigError
from kb.model import Annotation
from kb.settings import get_settings

FIXED_TOPICS = ("consent", "minors", "government-exceptions")
LABELLED = Path(__file__).parent / "fixtures" / "topics" / "labelled_passages.jsonl"
COMMENTARY = (
    "chinai-163",
    "cpo-draft-rules-2023",
    "csis-coming-into-focus-2020",
    "diplomat-backlash-2020",
    "wsj-draft-rules-2023",
)


@cache
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@cache
def source(rel: str) -> str:
    return (get_settings().source_root / rel).read_text(encoding="utf-8")


def labels(text: str, lang: Lang) -> set[str]:
    return {a.label for a in tag_text("t", text, lang, taxonomy())}


def topic_scores(cases: Iterable[tuple[set[str], Mapping[str, Any]]]) -> dict[str, dict[str, float]]:
    """Per fixed topic, over (labels found, labelled row) cases: tp, fp, fn, precision, recall."""
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in FIXED_TOPICS}
    for found, row in cases:
        for topic, c in counts.items():
            predicted, gold = topic in found, bool(row[topic])
            if predicted and gold:
                c["tp"] += 1
            elif predicted:
                c["fp"] += 1
            elif gold:
                c["fn"] += 1
    return {
        topic: {
            **c,
            "precision": c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0,
            "recall": c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0,
        }
        for topic, c in counts.items()
    }


# ------------------------------------------------------------------ the taxonomy file


def test_taxonomy_has_the_fixed_topics_and_the_themes() -> None:
    ids = set(taxonomy().topic_ids)
    assert set(FIXED_TOPICS) <= ids
    assert {
        "sensitive-data",
        "public-places",
        "necessity-proportionality",
        "alternatives-coercion",
        "retention-security",
        "filing-assessment",
        "enforcement-liability",
        "cross-border",
    } <= ids


@pytest.mark.parametrize("topic_id", sorted(load_taxonomy().topic_ids))
def test_every_topic_is_described_and_has_examples_both_ways(topic_id: str) -> None:
    t = taxonomy().topic(topic_id)
    assert t.label_en and t.label_zh and t.definition and "\n" not in t.definition
    ex = taxonomy().examples[topic_id]
    for kind in (ex.positive_en, ex.negative_en, ex.positive_zh, ex.negative_zh):
        assert len(kind) >= 2
    assert any(p.label == topic_id and not p.blocks for p in taxonomy().patterns_for("en"))
    assert any(p.label == topic_id and not p.blocks for p in taxonomy().patterns_for("zh"))


def _examples(positive: bool) -> Iterator[tuple[str, Lang, str]]:
    tax = load_taxonomy()
    for tid, ex in tax.examples.items():
        for lang in ("en", "zh"):
            for text in ex.positives(lang) if positive else ex.negatives(lang):
                yield tid, lang, text


@pytest.mark.parametrize(("topic_id", "lang", "text"), list(_examples(positive=True)))
def test_positive_examples_are_tagged(topic_id: str, lang: Lang, text: str) -> None:
    assert topic_id in labels(text, lang)


@pytest.mark.parametrize(("topic_id", "lang", "text"), list(_examples(positive=False)))
def test_negative_examples_are_not_tagged(topic_id: str, lang: Lang, text: str) -> None:
    assert topic_id not in labels(text, lang)


# ------------------------------------------------------------------ spans and data

SPANS = [
    # (text, lang, label, the triggering text)
    ("Operators must obtain separate consent first.", "en", "consent", "consent"),
    ("Parental consent is required for children under the age of 14.", "en", "minors", "Parental consent"),
    ("Parental consent is required for children under the age of 14.", "en", "minors", "under the age of 14"),
    ("It leaves exceptions for national-security-related uses.", "en", "government-exceptions", "exceptions"),
    (
        "It leaves exceptions for national-security-related uses.",
        "en",
        "government-exceptions",
        "national-security-related",
    ),
    ("Cameras are banned in hotel rooms near face scanners.", "en", "public-places", "hotel rooms"),
    ("处理人脸信息应当取得个人的单独同意。", "zh", "consent", "单独同意"),
    ("处理不满十四周岁未成年人个人信息的。", "zh", "minors", "不满十四周岁"),
    ("国家机关为履行法定职责处理个人信息。", "zh", "government-exceptions", "国家机关"),
    ("敏感个人信息包括生物识别信息。", "zh", "sensitive-data", "敏感个人信息"),
]


@pytest.mark.parametrize(("text", "lang", "label", "trigger"), SPANS)
def test_spans_point_at_the_trigger(text: str, lang: Lang, label: str, trigger: str) -> None:
    tags = [a for a in tag_text("doc/p_1", text, lang, taxonomy()) if a.label == label]
    assert trigger in [a.text for a in tags]
    for a in tags:
        assert text[a.start : a.end] == a.text
        s, e = a.data["sentence"]
        assert s <= a.start < a.end <= e


def test_annotation_shape() -> None:
    text = "First line about nothing.\nThe zoo scanned faces without consent. Then it stopped."
    (a,) = [x for x in tag_text("wsj/p_3", text, "en", taxonomy()) if x.label == "consent"]
    assert a.target_id == "wsj/p_3" and a.kind == "topic"
    assert a.data["pattern"] == "consent-word" and a.data["lang"] == "en"
    s, e = a.data["sentence"]
    assert text[s:e] == "The zoo scanned faces without consent."
    assert json.loads(json.dumps(a.data)) == dict(a.data)  # JSON-able for the store


def test_context_is_recorded_for_patterns_that_need_it() -> None:
    (a,) = [x for x in tag_text("t", "Kids' photos were scraped.", "en", taxonomy()) if x.label == "minors"]
    assert a.data["context"] == [["privacy-cue", "photos"]]


def test_offsets_survive_several_lines_and_leading_space() -> None:
    text = "  标题\n\n   第十四条 基于个人同意处理个人信息的，应当取得单独同意。\n"
    for a in tag_text("t", text, "zh", taxonomy()):
        assert text[a.start : a.end] == a.text
        s, e = a.data["sentence"]
        assert "\n" not in text[s:e]


def test_a_trigger_never_spans_two_sentences() -> None:
    text = "The rules cover sensitive topics. Data brokers are unregulated."
    assert "sensitive-data" not in labels(text, "en")


def test_tagging_is_deterministic() -> None:
    text = source("corpus/commentary/cpo-draft-rules-2023.txt")
    assert tag_text("t", text, "en", taxonomy()) == tag_text("t", text, "en", taxonomy())


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        tag_text("t", "text", "fr", taxonomy())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("第十四条 基于个人同意处理个人信息的", "zh"),
        ("个人信息处理者应当遵守GDPR和PIPL的规定。", "zh"),
        ("Megvii issued guidelines on AI applications (人工智能应用准则).", "en"),
        ("PIPL Article 14 (个人信息)", "en"),
        ("", "en"),
        ("2021-08-20", "en"),
    ],
)
def test_detect_lang(text: str, lang: Lang) -> None:
    assert detect_lang(text) == lang


def test_topic_summary_counts_topic_annotations_only() -> None:
    anns = [
        Annotation("t", "topic", "consent", 0, 1, "a"),
        Annotation("t", "topic", "consent", 2, 3, "b"),
        Annotation("t", "topic", "minors", 4, 5, "c"),
        Annotation("t", "citation", "pipl-2021", 6, 7, "d"),
    ]
    assert topic_summary(anns) == {"consent": 2, "minors": 1}


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("consent", [{"LOWER": "consent"}]),
        ("minors|kids", [{"LOWER": {"IN": ["minors", "kids"]}}]),
        ("exempt*", [{"LOWER": {"REGEX": "^(?:exempt.*)$"}}]),
        (
            "the? age",
            [{"LOWER": "the", "OP": "?"}, {"ORTH": {"IN": ["-", "‐", "‑", "–", "—"]}, "OP": "?"}, {"LOWER": "age"}],
        ),
    ],
)
def test_english_phrase_syntax(phrase: str, expected: list[dict[str, object]]) -> None:
    assert en_phrase_tokens(phrase) == expected


# ------------------------------------------------------------------ malformed data


def _copy_topics(tmp_path: Path) -> Path:
    shutil.copytree(get_settings().corpus_dir / "topics", tmp_path / "topics")
    return tmp_path


def _append(path: Path, line: str) -> int:
    """Append a line; return its 1-based line number."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


_A = '{"label": "consent", "id": "x", "pattern": "a", '  # a good line, open for one more key


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"label": "consent", "id": "x", "pattern": "consent"', ": Expecting ',' delimiter"),
        ('{"label": "no-such-topic", "id": "x", "pattern": "consent"}', ".label: unknown topic 'no-such-topic'"),
        ('{"label": "consent", "id": "consent-word", "pattern": "consent"}', ".id: duplicate pattern id"),
        (
            '{"label": "consent", "id": "x", "pattern": "a", "requires_context": ["no-cue"]}',
            ".requires_context: unknown cue",
        ),
        (
            '{"label": "consent", "id": "x", "pattern": "a", "unless_context": ["no-cue"]}',
            ".unless_context: unknown cue",
        ),
        (
            '{"label": "consent", "id": "x", "pattern": "a", "requires_context": [[]]}',
            ".requires_context: an empty group",
        ),
        (
            '{"label": "consent", "id": "x", "pattern": "a", "require_context": ["privacy-cue"]}',
            ".require_context: Extra inputs",
        ),
        ('{"label": "consent", "id": "x", "pattern": []}', ".pattern: Value error, must be a non-empty string"),
        (
            '{"label": "consent", "id": "x", "pattern": "a", "blocks": "yes"}',
            ".blocks: Input should be a valid boolean",
        ),
        ('{"label": "consent", "id": "X y", "pattern": "a"}', ".id: String should match pattern"),
    ],
)
def test_malformed_pattern_lines_name_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    root = _copy_topics(tmp_path)
    path = root / "topics/patterns_en.jsonl"
    lineno = _append(path, line)
    with pytest.raises(ConfigError) as info:
        load_taxonomy(root)
    assert str(info.value).startswith(f"{path}: line {lineno}{message}"), str(info.value)


def test_an_invalid_spacy_pattern_is_reported_with_its_line(tmp_path: Path) -> None:
    root = _copy_topics(tmp_path)
    lineno = _append(root / "topics/patterns_zh.jsonl", '{"label": "consent", "id": "x", "pattern": [{"TXET": "a"}]}')
    tax = load_taxonomy(root)  # the structure is valid JSON; spaCy judges the attributes
    with pytest.raises(ConfigError, match=rf"patterns_zh\.jsonl:{lineno}: invalid spaCy pattern"):
        tag_text("t", "同意", "zh", tax)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('id = "minors"', 'id = "consent"', r"taxonomy\.toml: topic\.\d+\.id: duplicate topic id 'consent'"),
        ('label_zh = "同意"', 'label_zh = ""', r"taxonomy\.toml: topic\.0\.label_zh: String should match pattern"),
        ("version = 1", "version = = 1", r"taxonomy\.toml: Invalid value"),
        ('id = "cross-border"', 'id = "Cross Border"', r"taxonomy\.toml: topic\.\d+\.id: String should match pattern"),
        (
            "[cues.privacy-cue]\nen = [",
            "[cues.privacy-cue]\nfr = [",
            r"taxonomy\.toml: cues\.privacy-cue\.fr: Extra inputs",
        ),
        (
            '[[topic]]\nid = "consent"',
            '[[topic]]\nid = "consent"\nlabel = "x"',
            r"taxonomy\.toml: topic\.0\.label: Extra",
        ),
    ],
)
def test_malformed_taxonomy_is_one_error_naming_file_entry_and_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    root = _copy_topics(tmp_path)
    path = root / "topics/taxonomy.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_taxonomy(root)


def test_missing_pattern_file_is_a_config_error(tmp_path: Path) -> None:
    root = _copy_topics(tmp_path)
    (root / "topics/patterns_zh.jsonl").unlink()
    with pytest.raises(ConfigError, match=r"patterns_zh\.jsonl: topic pattern file not found"):
        load_taxonomy(root)


# ------------------------------------------------------------------ the real PIPL


def pipl_article(label: str) -> str:
    """The first line of an article (its first paragraph), e.g. ``第十四条``."""
    m = re.search(rf"^{label}\s.*$", source("corpus/primary/pipl-2021.zh.txt"), re.MULTILINE)
    assert m, label
    return m.group()


@pytest.mark.parametrize(
    ("article", "topic"),
    [
        ("第十四条", "consent"),
        ("第十五条", "consent"),
        ("第二十九条", "consent"),
        ("第三十一条", "minors"),
        ("第三十四条", "government-exceptions"),
        ("第三十五条", "government-exceptions"),
        ("第三十六条", "government-exceptions"),
        ("第三十七条", "government-exceptions"),
        ("第二十八条", "sensitive-data"),
        ("第二十六条", "public-places"),
        ("第三十八条", "cross-border"),
        ("第五十五条", "filing-assessment"),
        ("第六十六条", "enforcement-liability"),
        ("第六条", "necessity-proportionality"),
        ("第十七条", "notice-transparency"),
    ],
)
def test_pipl_articles_are_tagged(article: str, topic: str) -> None:
    assert topic in labels(pipl_article(article), "zh")


def test_pipl_article_14_consent_tag_is_the_word_consent() -> None:
    line = pipl_article("第十四条")
    tags = [a for a in tag_text("pipl-2021/art_14", line, "zh", taxonomy()) if a.label == "consent"]
    assert tags and all("同意" in a.text for a in tags)


@pytest.mark.parametrize(
    ("article", "topic"),
    [
        ("第一条", "minors"),
        ("第一条", "government-exceptions"),
        ("第十条", "government-exceptions"),  # 危害国家安全 is a prohibition, not an exception
        ("第三十一条", "government-exceptions"),
        ("第三十四条", "minors"),
        ("第六十六条", "consent"),
    ],
)
def test_pipl_articles_are_not_tagged(article: str, topic: str) -> None:
    assert topic not in labels(pipl_article(article), "zh")


def test_pipl_as_a_whole() -> None:
    text = source("corpus/primary/pipl-2021.zh.txt")
    assert detect_lang(text) == "zh"
    summary = topic_summary(tag_text("pipl-2021", text, "zh", taxonomy()))
    print("pipl-2021", summary)
    assert set(FIXED_TOPICS) | {"sensitive-data", "cross-border", "filing-assessment", "public-places"} <= set(summary)
    assert summary["consent"] >= 15


# ------------------------------------------------------------------ the commentary


@cache
def commentary_tags(doc_id: str) -> tuple[Annotation, ...]:
    text = source(f"corpus/commentary/{doc_id}.txt")
    return tuple(tag_text(doc_id, text, detect_lang(text), taxonomy()))


def test_commentary_tag_counts() -> None:
    summaries = {d: topic_summary(commentary_tags(d)) for d in COMMENTARY}
    for doc_id, summary in summaries.items():
        print(doc_id, summary)
    wsj, cpo = summaries["wsj-draft-rules-2023"], summaries["cpo-draft-rules-2023"]
    assert wsj.get("consent", 0) >= 2 and wsj.get("government-exceptions", 0) >= 2
    assert wsj.get("sensitive-data", 0) >= 3  # race, ethnicity, "spiritual perception", "well being standing"
    assert cpo.get("consent", 0) >= 4 and cpo.get("government-exceptions", 0) >= 4 and cpo.get("minors", 0) >= 1
    assert summaries["chinai-163"].get("filing-assessment", 0) >= 1
    assert summaries["chinai-163"].get("cross-border", 0) >= 1  # data localization
    assert summaries["diplomat-backlash-2020"].get("consent", 0) >= 5
    assert "minors" not in summaries["wsj-draft-rules-2023"]  # "ethnic minorities" is not about minors
    assert "minors" not in summaries["diplomat-backlash-2020"]


def test_nothing_in_the_chinai_podcast_item_is_about_minors() -> None:
    text = source("corpus/commentary/chinai-163.txt")
    start = text.index("Should-listen")
    end = text.index("Should-read", start)
    assert "weights" in text[start:end]
    inside = [a for a in commentary_tags("chinai-163") if start <= a.start < end]
    assert not [a for a in inside if a.label == "minors"]


def test_machine_reworded_wsj_text_is_understood() -> None:
    tags = commentary_tags("wsj-draft-rules-2023")
    texts = {(a.label, a.text) for a in tags}
    assert ("government-exceptions", "for the needs of nationwide safety") in texts
    assert ("necessity-proportionality", "sufficiently crucial") in texts
    assert ("sensitive-data", "spiritual perception") in texts


# ------------------------------------------------------------------ labelled passages


def labelled_rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labelled_set_is_sound() -> None:
    rows = labelled_rows()
    assert len(rows) >= 60
    assert {r["doc"] for r in rows} == set(COMMENTARY)
    for r in rows:
        text = source(f"corpus/commentary/{r['doc']}.txt")
        start, end = int(str(r["start"])), int(str(r["end"]))
        passage = text[start:end]
        assert passage.startswith(str(r["head"])), r  # the source has not moved under us
        assert 0 < len(passage) <= 500
        assert all(isinstance(r[t], bool) for t in FIXED_TOPICS)
    for topic in FIXED_TOPICS:
        assert any(r[topic] for r in rows) and not all(r[topic] for r in rows)


def test_precision_and_recall_on_labelled_passages() -> None:
    cases = []
    for r in labelled_rows():
        text = source(f"corpus/commentary/{r['doc']}.txt")[int(str(r["start"])) : int(str(r["end"]))]
        cases.append((labels(text, "en"), r))
    failures = []
    for topic, c in topic_scores(cases).items():
        print(f"{topic}: precision={c['precision']:.2f} recall={c['recall']:.2f} {c}")
        if c["precision"] < 0.75 or c["recall"] < 0.75:
            failures.append(topic)
    assert not failures
