"""kb.annotate.speakers: quotations, their speakers, and the voice of each passage."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from commentary_passages import passage_with, real_doc
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.annotate.speakers import (
    SpeakerInfo,
    find_quotes,
    find_reported_speech,
    load_lexicon,
    passage_speakers,
)
from kb.annotate.speakers.zh import find_quotes_zh, find_reported_speech_zh
from kb.errors import ConfigError
from kb.model import Annotation, DocumentMeta, Passage
from kb.settings import get_settings
from kb.text.sentences import split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "speakers"
CASES: list[dict[str, Any]] = tomllib.loads((FIXTURES / "attributions.toml").read_text("utf-8"))["case"]
LEXICON = load_lexicon(get_settings().corpus_dir / "speakers")


def make_doc(
    texts: list[str], authors: tuple[str, ...] = (), outlet: str | None = "The Test Post"
) -> tuple[DocumentMeta, list[Passage]]:
    meta = DocumentMeta(id="fx", kind="commentary", authors=authors, outlet=outlet)
    passages = []
    for n, text in enumerate(texts, 1):
        kind = "list_item" if text.startswith("- ") else "paragraph"
        passages.append(Passage("fx", n, text.removeprefix("- "), kind=kind))
    return meta, passages


# ---------------------------------------------------------------------------- fixtures


def test_every_attribution_form_has_two_cases() -> None:
    forms = [c["form"] for c in CASES]
    for form in (
        "X said",
        "said X",
        "X says",
        "according to X",
        "X writes:",
        "states X",
        "X, role, said",
        "X told",
        "X warned",
    ):
        assert forms.count(form) >= 2, form


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['form']}" for i, c in enumerate(CASES)])
def test_fixture_quotes(case: dict[str, Any]) -> None:
    meta, passages = make_doc(case["passages"], tuple(case.get("authors", ())), case.get("outlet", "The Test Post"))
    quotes = find_quotes(passages, meta)
    expected = case["quotes"]
    assert [q.text[: len(e["starts"])] for q, e in zip(quotes, expected, strict=False)] == [
        e["starts"] for e in expected
    ], [q.text for q in quotes]
    assert len(quotes) == len(expected), [q.text for q in quotes]
    for q, e in zip(quotes, expected, strict=True):
        assert q.kind == "quote"
        assert q.label == e["speaker"]
        assert q.data["speaker"] == (e["speaker"] or None)
        for key in ("cue", "role", "mention"):
            if key in e:
                assert q.data[key] == e[key], (key, q.data)
        passage = next(p for p in passages if p.id == q.target_id)
        assert passage.text[q.start : q.end] == q.text


@pytest.mark.parametrize(("text", "speaker"), LEXICON.verb_examples)
def test_reporting_verb_examples(text: str, speaker: str) -> None:
    """Every example in reporting_verbs.toml is attributed to its speaker."""
    meta, passages = make_doc([text])
    labels = [a.label for a in find_quotes(passages, meta)] + [a.label for a in find_reported_speech(passages, meta)]
    assert speaker in labels


@pytest.mark.parametrize(("text", "speaker", "role"), LEXICON.name_examples)
def test_name_examples(text: str, speaker: str, role: str) -> None:
    """Every example in names.toml yields its speaker and role."""
    meta, passages = make_doc([text])
    found = find_quotes(passages, meta) + find_reported_speech(passages, meta)
    assert any(a.label == speaker and (a.data["role"] or "") == role for a in found), [
        (a.label, a.data["role"]) for a in found
    ]


REPORTED = [
    ("Priya Natarajan argues that the exemption swallows the rule.", "Priya Natarajan", "argues"),
    ("The threshold is too low, Tom Berger noted.", "Tom Berger", "noted"),
    ("According to Ruth Abebe, the cameras were removed in May.", "Ruth Abebe", "According to"),
    ("Lin Yue, a lawyer in Shenzhen, believes the rule will be ignored.", "Lin Yue", "believes"),
    (
        "Law professor Ma Rui even went as far as to pose the possibility that data could leak.",
        "Ma Rui",
        "pose the possibility",
    ),
]

NOT_REPORTED = [
    "A widely watched CCTV report exposed the market for face data.",  # "report" is a noun
    "Long criticized from abroad, the city now publishes its camera list.",  # "Long" is no speaker
    "The draft from the regulator, the Cyberspace Administration, proposes a registry.",  # appositive
    "Johnston is a journalist who writes about cycling.",  # writes about: a topic
    "More than 80 percent of people said they doubted the vendors.",  # no one named
    "It states that facial data should not be kept.",  # "it" is no speaker
    "The new model reliably told my partner, my neighbour and the courier apart.",  # told apart: distinguished
]


@pytest.mark.parametrize(("text", "speaker", "cue"), REPORTED)
def test_reported_speech(text: str, speaker: str, cue: str) -> None:
    meta, passages = make_doc([text])
    found = find_reported_speech(passages, meta)
    assert [(a.label, a.data["cue"]) for a in found] == [(speaker, cue)]
    assert found[0].kind == "reported_speech"


@pytest.mark.parametrize("text", NOT_REPORTED)
def test_not_reported_speech(text: str) -> None:
    meta, passages = make_doc([text])
    assert [a.label for a in find_reported_speech(passages, meta) if a.label] == []


def test_passage_speakers_on_fixture() -> None:
    meta, passages = make_doc(
        [
            "The draft rules were published on Tuesday.",
            "“The rules are thin,” said Ada Novak, a fellow at the Harbour Institute.",
            "Novak argues that the registry will be ignored by small shops.",
            "Lambert writes:",
            "The exemptions are the law; the rest is decoration.",
            "I think the draft is a start.",
        ],
        authors=("Jo Hart",),
    )
    voices = passage_speakers(passages, meta, find_quotes(passages, meta))
    assert voices == {
        "fx/p_1": SpeakerInfo("Jo Hart", None, "author"),
        "fx/p_2": SpeakerInfo("Ada Novak", "a fellow at the Harbour Institute", "quoted"),
        "fx/p_3": SpeakerInfo("Ada Novak", "a fellow at the Harbour Institute", "reported"),
        "fx/p_4": SpeakerInfo("Lambert", None, "reported"),
        "fx/p_5": SpeakerInfo("Lambert", None, "quoted"),
        "fx/p_6": SpeakerInfo("Jo Hart", None, "author"),
    }


def test_outlet_voice_without_authors() -> None:
    meta, passages = make_doc(["The draft rules were published on Tuesday."], outlet="The Test Post")
    assert passage_speakers(passages, meta, []) == {"fx/p_1": SpeakerInfo("The Test Post", None, "outlet")}


def test_passage_speakers_respects_given_quotes() -> None:
    """A caller that drops a quotation also drops the voice it gave its passage."""
    meta, passages = make_doc(["“The registry is a paper tiger and everyone in the trade knows it,” said Chen Hao."])
    quotes: list[Annotation] = find_quotes(passages, meta)
    assert passage_speakers(passages, meta, quotes)["fx/p_1"].kind == "quoted"
    assert passage_speakers(passages, meta, [])["fx/p_1"].kind in ("reported", "outlet")


# ---------------------------------------------------------------------------- real commentary


def quotes_by_speaker(quotes: list[Annotation]) -> dict[str, list[Annotation]]:
    out: dict[str, list[Annotation]] = {}
    for q in quotes:
        out.setdefault(q.label, []).append(q)
    return out


def test_wsj_sacks_and_webster(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    meta, passages = real_doc("wsj-draft-rules-2023", manifest, source_root)
    by = quotes_by_speaker(find_quotes(passages, meta))
    assert len(by.get("Samm Sacks", [])) >= 2
    assert len(by.get("Graham Webster", [])) >= 1
    # Later mentions by surname ("Sacks mentioned", "he said") are normalised to the full name.
    assert {q.data["mention"] for q in by["Samm Sacks"]} >= {"Sacks"}
    assert by["Samm Sacks"][0].data["role"].startswith("a senior fellow at Yale Law School")
    assert "Sacks" not in by and "Webster" not in by
    reported = {a.label for a in find_reported_speech(passages, meta)}
    assert {"Samm Sacks", "Graham Webster"} <= reported  # "…, Webster said." / "…, Sacks said."


def test_wsj_voices(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    meta, passages = real_doc("wsj-draft-rules-2023", manifest, source_root)
    voices = passage_speakers(passages, meta, find_quotes(passages, meta))
    assert voices[passage_with(passages, "sweet and sour").id].name == "Samm Sacks"
    assert voices[passage_with(passages, "cool the proliferation").id].name == "Graham Webster"
    # Unquoted text is the outlet's voice: the manifest names no author for this copy.
    outlet = SpeakerInfo("The Wall Street Journal", None, "outlet")
    assert voices[passage_with(passages, "has been burgeoning").id] == outlet
    assert voices[passage_with(passages, "Surveillance cameras are ubiquitous").id] == outlet


def test_diplomat_lao_dongyan(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    meta, passages = real_doc("diplomat-backlash-2020", manifest, source_root)
    found = find_reported_speech(passages, meta)
    lao = [a for a in found if a.label == "Lao Dongyan"]
    assert lao and lao[0].data["role"] == "Tsinghua Law professor"
    assert "misused by public authorities" in lao[0].text
    voices = passage_speakers(passages, meta, find_quotes(passages, meta))
    voice = voices[passage_with(passages, "it is unlikely that the proposal").id]
    assert (voice.name, voice.kind) == ("Lauren Dudley", "author")
    # A quoted phrase of the standard is not anybody's quotation of a person.
    assert all(q.label == "" for q in find_quotes(passages, meta))


def test_chinai_weijun_liu(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    meta, passages = real_doc("chinai-163", manifest, source_root)
    quotes = find_quotes(passages, meta)
    liu = [q for q in quotes if q.label == "Weijun Liu"]
    assert len(liu) >= 5
    assert {q.data["mention"] for q in liu} >= {"Liu", "he"}
    voices = passage_speakers(passages, meta, quotes)
    for phrase in (
        "Liu also articulates",  # reported
        "Liu gestures at",
        "Liu wants public security bureaus",
        "“Obviously, the current",  # "… states Liu." closes the passage
        "Require processing of face data",  # a list item under "Liu outlines a few planks:"
        "Strengthen protections for the face information",
    ):
        voice = voices[passage_with(passages, phrase).id]
        assert voice.name == "Weijun Liu", phrase
        assert voice.kind in ("quoted", "reported")
    # The newsletter's own reflections are the authors' voice.
    own = voices[passage_with(passages, "careful about drawing bold conclusions").id]
    assert own.kind == "author"
    assert voices[passage_with(passages, "Tom Nunlist, an analyst").id].name == "Tom Nunlist"


def test_no_scare_quotes_in_cpo(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    meta, passages = real_doc("cpo-draft-rules-2023", manifest, source_root)
    texts = [q.text for q in find_quotes(passages, meta)]
    for phrase in ("Sharp Eyes", "specific purpose", "sufficient necessity", "Strict", "legal permission"):
        assert all(phrase != t for t in texts), phrase


# ---------------------------------------------------------------------------- robustness

_PIECES = st.sampled_from(
    [
        "“",
        "”",
        '"',
        "’",
        "'",
        ":",
        ",",
        ".",
        " ",
        "\n",
        "said",
        "says",
        "Liu",
        "Weijun Liu",
        "he",
        "writes",
        "according to",
        "a professor at",
        "Dr.",
        "the",
        "rule",
        "(PPSUC)",
        "who",
        "and",
        "-",
        "—",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=25).map(" ".join), min_size=1, max_size=4))
def test_any_text_gives_valid_spans(texts: list[str]) -> None:
    meta, passages = make_doc([t or "x" for t in texts])
    quotes = find_quotes(passages, meta)
    reported = find_reported_speech(passages, meta)
    by_id = {p.id: p for p in passages}
    for a in quotes + reported:
        assert by_id[a.target_id].text[a.start : a.end] == a.text
    assert set(passage_speakers(passages, meta, quotes)) == set(by_id)


# ---------------------------------------------------------------------------- word lists


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        ("reporting_verbs.toml", 'kind = "speech"', 'kind = "speeches"', "verb.0.kind"),
        ("reporting_verbs.toml", 'forms = ["say", "says", "said", "saying"]', 'forms = ["say", 3]', "verb.0.forms.1"),
        ("reporting_verbs.toml", 'speaker = "Ana Ruiz"', 'speker = "Ana Ruiz"', "verb.0.examples.0.speaker"),
        ("names.toml", "particles = [", "particles = [1, ", "particles.0"),
        ("names.toml", "titles = [", "title = [", "title"),
    ],
)
def test_a_malformed_word_list_is_one_error_naming_file_entry_and_field(
    tmp_path: Path, file: str, old: str, new: str, where: str
) -> None:
    directory = tmp_path / "speakers"
    shutil.copytree(get_settings().corpus_dir / "speakers", directory)
    path = directory / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_lexicon(directory)
    assert str(info.value).startswith(f"{path}: {where}: "), str(info.value)


# ---------------------------------------------------------------- transcript turns


def _turn_labels(texts: list[str], lang: str) -> list[tuple[str, str]]:
    meta, passages = make_doc(texts)
    finder = find_quotes_zh if lang == "zh" else find_quotes
    return [(a.label, a.text) for a in finder(passages, meta) if a.data["attribution"] == "turn"]


def test_a_chinese_transcript_gives_each_turn_to_its_speaker() -> None:
    texts = [
        "张三：欢迎收听本期节目。",
        "李四：谢谢邀请。",
        "张三：刷脸进小区要同意吗？",
        "李四：要，而且要有替代方式。",
    ]
    assert _turn_labels(texts, "zh") == [
        ("张三", "欢迎收听本期节目。"),
        ("李四", "谢谢邀请。"),
        ("张三", "刷脸进小区要同意吗？"),
        ("李四", "要，而且要有替代方式。"),
    ]


def test_an_english_transcript_in_capitals_or_names() -> None:
    texts = [
        "MARA LINDQVIST: Welcome back to the show.",
        "Tomas Berg: Thanks for having me again.",
        "MARA LINDQVIST: Does the hotel need consent to scan a face?",
        "Tomas Berg: Yes, and separate consent at that.",
    ]
    labels = _turn_labels(texts, "en")
    assert [label for label, _ in labels] == ["MARA LINDQVIST", "Tomas Berg", "MARA LINDQVIST", "Tomas Berg"]
    assert labels[3][1] == "Yes, and separate consent at that."


@pytest.mark.parametrize(
    ("texts", "lang", "want"),
    [
        (
            [
                "群聊：某小区业主群",
                "[08:01] 物业-王芳：周一起南门只能刷脸。",
                "[08:03] 赵叔（5栋）：那我不录脸怎么进？",
                "[08:04] 物业-王芳：可以找前台登记。",
                "[08:10] 群主-小米：大家有意见私聊我。",
            ],
            "zh",
            [("王芳", "物业"), ("赵叔", "5栋"), ("王芳", "物业"), ("小米", "群主")],
        ),
        (
            [
                "2026-03-02 09:14 Dana Ruiz (HR): Badges stop working on Monday.",
                "2026-03-02 09:15 Omar: So the face scanner is the only way in?",
                "2026-03-02 09:17 Dana Ruiz (HR): For now, yes.",
                "2026-03-02 09:20 Lee: That seems unlawful.",
            ],
            "en",
            [("Dana Ruiz", "HR"), ("Omar", None), ("Dana Ruiz", "HR"), ("Lee", None)],
        ),
        # stamped lines, but only one sender: a log, not a chat
        (["[08:01] 公告：停水。", "[09:01] 公告：恢复。", "[10:01] 公告：停电。", "[11:01] 公告：恢复。"], "zh", []),
    ],
)
def test_each_message_of_a_chat_export_is_its_senders_turn(
    texts: list[str], lang: str, want: list[tuple[str, str | None]]
) -> None:
    meta, passages = make_doc(texts)
    finder = find_quotes_zh if lang == "zh" else find_quotes
    turns = [(a.data["speaker"], a.data["role"]) for a in finder(passages, meta) if a.data["attribution"] == "turn"]
    assert turns == want


@pytest.mark.parametrize(
    ("texts", "lang"),
    [
        # one labelled speaker is not a dialogue
        (["导读：新规今天施行。", "本文梳理要点。", "导读：以下是全文。"], "zh"),
        # an answer without questions is not an interview
        (["答：要。", "答：要单独同意。", "本文完。"], "zh"),
        # labels that are not people
        (["Update: the rules changed.", "Note: see below.", "Update: again.", "Note: and again."], "en"),
    ],
)
def test_labels_that_are_not_a_dialogue_of_people_are_not_turns(texts: list[str], lang: str) -> None:
    assert _turn_labels(texts, lang) == []


TURN_RULES = tomllib.loads((get_settings().corpus_dir / "speakers" / "turns.toml").read_text("utf-8"))


def _turns_of(lines: list[str]) -> list[tuple[str, str]]:
    meta, passages = make_doc(lines)
    finder = find_quotes_zh if any("\u4e00" <= c <= "\u9fff" for c in "".join(lines)) else find_quotes
    return [
        (a.data["speaker"] or "", a.data["role"] or "")
        for a in finder(passages, meta)
        if a.data["attribution"] == "turn"
    ]


@pytest.mark.parametrize("example", TURN_RULES["examples"], ids=lambda e: e["lines"][0][:12])
def test_hearing_lines_and_reply_threads_give_each_turn_to_its_speaker(example: dict[str, Any]) -> None:
    assert _turns_of(example["lines"]) == [tuple(t) for t in example["turns"]]


@pytest.mark.parametrize("lines", TURN_RULES["counter_examples"], ids=lambda ls: ls[0][:12])
def test_party_lists_and_a_lone_reply_are_not_turns(lines: list[str]) -> None:
    assert _turns_of(lines) == []


def test_a_role_before_a_position_verb_is_not_a_turn_label() -> None:
    # 原告认为：/被告认为： are the parties' positions (reported speech), not a hearing's turns
    lines = ["原告认为：被告未告知。", "被告认为：已经告知。", "原告认为：告知不充分。", "被告认为：足够充分。"]
    assert [s for s, _ in _turns_of(lines)] == []


def test_an_interview_gives_questions_to_the_reporter_and_answers_to_the_official() -> None:
    texts = [
        "市网信办有关负责人就人脸识别备案答记者问。",
        "记者：哪些单位需要备案？",
        "答：存储数量达到10万人的，应当备案。",
        "记者：多久之内？",
        "答：30个工作日内。",
    ]
    meta, passages = make_doc(texts)
    turns = [(a.data["role"], a.text) for a in find_quotes_zh(passages, meta) if a.data["attribution"] == "turn"]
    assert turns == [
        ("记者", "哪些单位需要备案？"),
        ("市网信办有关负责人", "存储数量达到10万人的，应当备案。"),
        ("记者", "多久之内？"),
        ("市网信办有关负责人", "30个工作日内。"),
    ]
    english = ["Q: Who must file?", "A: Anyone holding 100,000 faces.", "Q: When?", "A: Within 30 working days."]
    meta, passages = make_doc(english)
    roles = [a.data["role"] for a in find_quotes(passages, meta) if a.data["attribution"] == "turn"]
    assert roles == ["Q", "A", "Q", "A"]


def test_an_interview_question_marked_wen_is_the_reporter_asking() -> None:
    texts = ["本刊专访了石岩。", "问：谁要备案？", "石岩：存储达到10万人的。", "问：多久？", "石岩：30个工作日。"]
    meta, passages = make_doc(texts)
    turns = [
        (a.data["speaker"], a.data["role"]) for a in find_quotes_zh(passages, meta) if a.data["attribution"] == "turn"
    ]
    assert turns == [(None, "记者"), ("石岩", None), (None, "记者"), ("石岩", None)]


def test_a_pronoun_is_the_person_known_not_the_law_or_company_named_after_them() -> None:
    texts = [
        "Dr. Ana Ruiz of the Example Institute said the rules should be read with the Data Security Law.",
        "She noted that fines can reach 500,000 yuan.",
        "Mia Chen, head of engineering at the maker Example Systems, spoke next. Her units, she said, work offline.",
    ]
    meta, passages = make_doc(texts)
    assert [a.label for a in find_reported_speech(passages, meta)] == ["Ana Ruiz", "Ana Ruiz", "Mia Chen"]


def test_a_sentence_with_a_short_quotation_is_still_reported_speech() -> None:
    text = 'Tom Berger said the forms had gone home in May and that "most families agreed."'
    meta, passages = make_doc([text])
    assert [a.label for a in find_reported_speech(passages, meta)] == ["Tom Berger"]
    long = '"The forms went home in May, and most families agreed to them," Tom Berger said.'
    meta, passages = make_doc([long])
    assert find_reported_speech(passages, meta) == []


def test_a_pronoun_after_the_verb_is_what_was_said_not_the_speaker() -> None:
    text = "Mia Chen spoke first. A buyer for a stadium said she had come to compare turnstiles."
    meta, passages = make_doc([text])
    assert [(a.label, a.data["role"]) for a in find_reported_speech(passages, meta)] == [("", "A buyer for a stadium")]


def test_a_chinese_heading_reports_nobody() -> None:
    meta = DocumentMeta(id="fx", kind="commentary")
    heading = Passage("fx", 1, "三、业主说“不”，物业怎么办", kind="heading")
    body = Passage("fx", 2, "业主张某说，物业没有给他别的选择。")
    assert [a.target_id for a in find_reported_speech_zh([heading, body], meta)] == ["fx/p_2"]


def test_a_chinese_pronoun_can_mean_an_unnamed_person_met_before() -> None:
    meta = DocumentMeta(id="fx", kind="commentary")
    text = "上周，一位业主给我们看了物业的通知。她说，物业没有给她别的选择。"
    passage = Passage("fx", 1, text, sentences=split_sentences(text))
    assert [(a.data["speaker"], a.data["role"]) for a in find_reported_speech_zh([passage], meta)] == [
        (None, "一位业主")
    ]


ROLE_REPORTED = [
    ("Some residents said they were considering legal action.", "Some residents"),
    ("Lawyers said residents could rely on the interpretation.", "Lawyers"),
    ("The Shanghai cyberspace office said on Thursday that the firm had not filed.", "The Shanghai cyberspace office"),
    ("A spokesperson for the operator said the terminals stored no images.", "A spokesperson for the operator"),
    ("My gym's manager told me the face template was deleted every night.", "My gym's manager"),
]


@pytest.mark.parametrize(("text", "role"), ROLE_REPORTED)
def test_unnamed_people_and_institutions_report(text: str, role: str) -> None:
    meta, passages = make_doc([text])
    assert [(a.label, a.data["role"]) for a in find_reported_speech(passages, meta)] == [("", role)]


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # the sentence after opens with the speaker
        ("“很多商家以为贴一张告示就等于取得了同意，这是误解。”大学教授林书砚对记者说，告示不是同意。", ["林书砚"]),
        # the sentence before reports the same speaker
        (
            "林书砚进一步解释，设备只能用于公共安全。“商场用人脸识别统计客流，已经超出了这个范围。”",
            ["林书砚"],
        ),
        # a view verb before a long quotation in its sentence
        ("律师钱沐阳认为，这一条对商场的影响最大，“把画面传到云端做分析，正是很多客流系统的做法”。", ["钱沐阳"]),
        # a role, then a name with its title
        ("杭州某律师事务所的合伙人许清禾律师告诉我们：“目前并没有哪条规定要求酒店只能用刷脸。”", ["许清禾律师"]),
        # unnamed sources: a reported sentence, nobody named
        ("据了解，全市已有三十个小区恢复了刷卡通行，“以后不强制刷脸了，大家都可以选择。”", [None]),
        # a term in quotes after a view verb is no quotation
        ("钱沐阳认为，“刷脸”不应是唯一方式。", []),
        # the sentence before has no cue but opens with someone who spoke before
        (
            "林书砚表示，设备只能用于公共安全。林书砚对此并不回避。“商场用人脸识别统计客流，已经超出了这个范围。”",
            ["林书砚"],
        ),
    ],
)
def test_chinese_quotes_take_their_speaker_from_the_sentence_or_its_neighbours(text: str, speakers: list[str]) -> None:
    meta, _ = make_doc([text])
    passage = Passage("fx", 1, text, sentences=split_sentences(text))  # as the ingestion splits it
    assert [a.data["speaker"] for a in find_quotes_zh([passage], meta)] == speakers


@pytest.mark.parametrize(
    ("texts", "lang"),
    [
        (
            ["本刊专访了石岩。", "记者：谁要备案？", "石岩：存储达到10万人的。", "记者：多久？", "石岩：30个工作日。"],
            "zh",
        ),
        (["Five minutes with Wen Jiayi.", "Q: Who files?", "Wen: Big holders.", "Q: When?", "Wen: In 30 days."], "en"),
    ],
)
def test_a_profile_interview_gives_the_answers_to_the_interviewee_by_name(texts: list[str], lang: str) -> None:
    meta, passages = make_doc(texts)
    finder = find_quotes_zh if lang == "zh" else find_quotes
    turns = [(a.data["speaker"], a.data["role"]) for a in finder(passages, meta) if a.data["attribution"] == "turn"]
    asker, answerer = texts[1].split("：" if lang == "zh" else ":")[0], texts[2].split("：" if lang == "zh" else ":")[0]
    assert turns == [(None, asker), (answerer, None), (None, asker), (answerer, None)]
    # a label that does not answer right after the questions is no interviewee
    shuffled = [texts[0], texts[1], texts[3], texts[2], texts[4]]
    meta, passages = make_doc(shuffled)
    assert not [a for a in finder(passages, meta) if a.data["attribution"] == "turn" and a.data["speaker"]]


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        # the quotation is inside what was said: the sentence reports it too
        ('Product lead Ana Ruiz said the lock was "built for doors that open fifty times a day."', True),
        # the quotation with only its attribution: the quotation's, not reported speech
        ('Ana Ruiz told me: "It was built for doors that open fifty times a day, every day."', False),
        ('"It was built for doors that open fifty times a day, every day," Ana Ruiz said.', False),
        # however short the quotation, when the rest is only its attribution (and the speaker's role)
        ('"It took a week," Ana Ruiz said.', False),
        ('"It took a week," said Ana Ruiz, a fellow at the Example Institute.', False),
        # a short quotation inside a report
        ('Ana Ruiz said the rule was "weak" and came too late for most gyms.', True),
    ],
)
def test_a_quotation_inside_what_was_said_leaves_the_sentence_reported(text: str, reported: bool) -> None:
    meta, passages = make_doc([text])
    assert bool(find_reported_speech(passages, meta)) is reported
    assert [a.label for a in find_quotes(passages, meta)] == ["Ana Ruiz"]


def test_a_pronoun_with_nobody_named_is_the_unnamed_speaker_before_it() -> None:
    """ "the clerk told me …. She said …": she is the clerk, when no person is named nearby."""
    meta, passages = make_doc(
        ['At the desk, the clerk told me the scan was "quicker for all of us." She said the manager decided.']
    )
    assert [a.data["role"] for a in find_reported_speech(passages, meta)] == ["the clerk", "the clerk"]


def test_a_pronoun_never_means_an_institution_described_before_it() -> None:
    meta, passages = make_doc(["The city's cyberspace office said the list was public. She said the list was late."])
    assert [a.data["role"] for a in find_reported_speech(passages, meta)] == ["The city's cyberspace office", None]


def test_a_short_quotation_right_after_an_attributed_one_is_the_same_speaker_s() -> None:
    meta, passages = make_doc(['"The law is clear enough," Ana Ruiz said. "The training is not."'])
    assert [(a.text, a.label) for a in find_quotes(passages, meta)] == [
        ("The law is clear enough", "Ana Ruiz"),
        ("The training is not.", "Ana Ruiz"),
    ]


def test_the_chain_or_the_company_is_the_organisation_that_spoke_last_by_name() -> None:
    meta, passages = make_doc(
        [
            "In a statement, Harbourline said that guests could always ask for the desk.",
            "Ana Ruiz, a lawyer in Shanghai, said the kiosks broke the rules.",
            "The chain said the kiosks were not its own.",
        ]
    )
    assert [a.label for a in find_reported_speech(passages, meta)] == ["Harbourline", "Ana Ruiz", "Harbourline"]
    meta, passages = make_doc(
        [
            "In a statement, Harbourline said guests could ask. "
            "Check-in takes a minute, according to the chain's figures."
        ]
    )
    assert [a.label for a in find_reported_speech(passages, meta)] == ["Harbourline", "Harbourline"]
    meta, passages = make_doc(["The company said the kiosks were not its own."])  # nobody named: the words
    assert [(a.label, a.data["role"]) for a in find_reported_speech(passages, meta)] == [("", "The company")]


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        ("某某科技近日宣布完成融资。公司称，新品将在下月上市。", ["某某科技", "某某科技"]),
        ("江东区人民法院审理认为，超市未尽告知义务。法院判令超市删除照片。", ["江东区人民法院", "江东区人民法院"]),
        # a person named last is no company; nobody named: the kind of body, unnamed
        ("律师张明远认为，条款无效。公司称，条款有效。", ["张明远", None]),
        ("公司称，条款有效。", [None]),
    ],
)
def test_a_chinese_kind_of_body_is_the_one_of_that_kind_named_before(text: str, speakers: list[str | None]) -> None:
    meta, _ = make_doc([text])
    passage = Passage("fx", 1, text, sentences=split_sentences(text))
    assert [a.data["speaker"] for a in find_reported_speech_zh([passage], meta)] == speakers


@pytest.mark.parametrize(
    ("text", "speaker", "starts"),
    [
        # a wire dateline before the lede is neither the speaker nor their words
        ("BEIJING, Sept 15 (Example Wire) - Regulators said on Tuesday they fined 40 hotels.", "", "Regulators said"),
        ("SHENZHEN, China, November 12, 2025 — Example Corp said its lock keeps faces on the device.", "", "Example"),
        ("Ana Ruiz said the rule is clear.", "Ana Ruiz", "Ana Ruiz said"),
    ],
)
def test_a_dateline_opening_the_lede_is_not_part_of_the_reported_sentence(text: str, speaker: str, starts: str) -> None:
    meta, passages = make_doc([text])
    found = find_reported_speech(passages, meta)
    assert len(found) == 1 and found[0].text.startswith(starts)
    assert speaker in (found[0].data["speaker"] or "")


@pytest.mark.parametrize(
    "text",
    tomllib.loads((get_settings().corpus_dir / "speakers" / "names.toml").read_text("utf-8"))["not_speaker_examples"],
)
def test_a_law_or_document_is_no_speaker(text: str) -> None:
    meta, passages = make_doc([text])
    assert find_reported_speech(passages, meta) == [] and find_quotes(passages, meta) == []


@pytest.mark.parametrize(
    "text",
    tomllib.loads((get_settings().corpus_dir / "speakers" / "names.toml").read_text("utf-8"))["label_examples"],
)
def test_a_label_opening_a_line_is_no_speaker(text: str) -> None:
    meta, passages = make_doc([text])
    label = text.split()[0].rstrip(":")
    assert all(label not in (a.data.get("speaker") or "") for a in find_reported_speech(passages, meta))


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # the note's own speaker stays
        ("Speaker notes: A CAC official told our roundtable that most filings fail.", "CAC official"),
        ("Lin Shuyao notes: the rule is clear.", "Lin Shuyao"),  # a name before the verb is no label
    ],
)
def test_the_speech_after_a_label_keeps_its_speaker(text: str, speaker: str) -> None:
    meta, passages = make_doc([text])
    found = find_reported_speech(passages, meta)
    assert any(speaker in str(a.data.get("speaker") or a.data.get("role") or "") for a in found)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("A client once told me the clause was on page 37.", "A client"),
        ("A night-shift supervisor at the gate told me the lanes handle 60 people a minute.", "supervisor"),
        ("My colleague said courts now order deletion.", "colleague"),
        ("Example Vision's account manager said storage on the device was possible.", "account manager"),
        ("On Monday, Example Corp's lawyer said the court erred.", "lawyer"),
        ("Rights groups said the threshold was too low.", "Rights groups"),
    ],
)
def test_a_person_met_without_a_name_speaks_by_role(text: str, role: str) -> None:
    meta, passages = make_doc([text])
    assert any(role in str(a.data.get("role") or "") for a in find_reported_speech(passages, meta))


@pytest.mark.parametrize(
    "text",
    [
        "需要提醒的是，撤回同意不影响撤回前已经进行的处理活动的效力。",  # the writer's reminder
        "市民可以登录本网站“互动交流”栏目反映。",  # a site's section is no speaker
    ],
)
def test_a_chinese_discourse_marker_or_site_section_is_no_speaker(text: str) -> None:
    meta, passages = make_doc([text])
    assert find_reported_speech(passages, meta) == []


@pytest.mark.parametrize(
    "text",
    [
        "Bundling consents is what Example Land's Supreme Court said a business cannot rely on.",
        "Example Vision's cloud platform held face templates for about 2 million residents.",  # a thing, not a body
    ],
)
def test_an_owner_inside_a_clause_or_of_a_thing_makes_no_speaker(text: str) -> None:
    meta, passages = make_doc([text])
    assert find_reported_speech(passages, meta) == []


# ------------------------------------------------- an official decision's own references


@pytest.mark.parametrize(
    ("texts", "outlet", "want"),
    [
        # 本机关 is the issuer (the outlet); 当事人 the party its labelled line names
        (
            ["当事人：甲商业管理有限公司", "据当事人介绍，会员约3万人。", "本机关认为，当事人违反了规定。"],
            "某市网信办",
            [("甲商业管理有限公司", "当事人"), ("某市网信办", "本机关")],
        ),
        # no outlet, no party line: the words stay as they are
        (["据当事人介绍，会员约3万人。", "本机关认为，当事人违反了规定。"], None, [("当事人", None), ("本机关", None)]),
        # a party named inside a sentence defines nothing
        (["本案当事人：甲公司与乙公司均未到庭。", "据当事人介绍，会员约3万人。"], None, [("当事人", None)]),
    ],
)
def test_an_official_decision_s_self_and_party_references_take_their_names(
    texts: list[str], outlet: str | None, want: list[tuple[str, str | None]]
) -> None:
    meta, passages = make_doc(texts, outlet=outlet)
    got = [(a.data["speaker"], a.data["role"]) for a in find_reported_speech_zh(passages, meta)]
    assert got == want


# ------------------------------------- people described, not named (issue #14, session 12)


@pytest.mark.parametrize(
    ("texts", "want"),
    [
        # an age between the name and the verb
        (["Wang Shulan, 67, said her manager now lets her use a key card."], [("Wang Shulan", None)]),
        (["Dana Lee, 41, a retired teacher, said the card works."], [("Dana Lee", "a retired teacher")]),
        # the person the writer asked, or the writer's acquaintance: "she" is that person
        (
            ["When I asked the class teacher what happens if we refuse, she said the canteen would cope."],
            [(None, "the class teacher")],
        ),
        (
            ["Update: I emailed the head of primary and she replied that cards are coming."],
            [(None, "the head of primary")],
        ),
        # a law's name is no person for "she" to mean
        (
            ["The Minors Protection Law applies.", "My neighbour complained to the office, and she said they called."],
            [(None, "My neighbour")],
        ),
        # a person named after the question: "she" is her
        (["I asked the clerk about Ana Ruiz and she said no."], [("Ana Ruiz", None)]),
        # Chinese: in-house offices are roles, not names; the one the writer asked is 她
        (["我打电话问人事，人事说考勤数据要留着备查。"], [(None, "人事")]),
        (["我去年问过我们园区的法务，她说员工可以选择刷卡。"], [(None, "我们园区的法务")]),
        (["售楼处置业顾问小林告诉记者，样板间已经开放。"], [("小林", "售楼处置业顾问")]),
        # after a role, a word for a person is no name; where someone spoke is not who
        (["酒店前台小姐姐说，系统默认要刷脸。"], [(None, "酒店前台小姐姐")]),
        (["工作人员在旁边说，可以刷卡。"], [(None, "工作人员")]),
        # a bracketed section header is no speaker
        (["【律师提醒】"], []),
        # a policy's or a judgment's "if you …": nobody speaks
        (["如您认为我们违法处理您的信息，可以向有关部门投诉。"], []),
        (["如不服本判决，可以在判决书送达之日起十五日内提起上诉。"], []),
    ],
)
def test_described_speakers_ages_and_suppositions(texts: list[str], want: list[tuple[str | None, str | None]]) -> None:
    meta, passages = make_doc(texts)
    zh = any("\u4e00" <= c <= "\u9fff" for c in "".join(texts))
    finder = find_reported_speech_zh if zh else find_reported_speech
    got = [(a.data["speaker"], a.data["role"]) for a in finder(passages, meta)]
    assert got == want


@pytest.mark.parametrize(
    ("texts", "want"),
    [
        # a judgment's party line names the party its word means
        (["原告：张某，女，1985年生，住某市。", "原告认为，被告未告知处理目的。"], [("张某", "原告")]),
        # a court's reasoning goes on for its paragraph, but not into a text's own voice
        (
            ["本院认为，人脸信息是敏感个人信息。被告未提供其他方式，应予纠正。《办法》亦规定，不得作为唯一方式。"],
            [("本院", None), ("本院", None)],
        ),
        (["法院认为，物业未尽告知义务。物业应当删除其人脸信息。"], [(None, "法院"), (None, "法院")]),
        # a person's view does not carry over to the sentences after it
        (["张明认为，规则太粗。业主们仍在门口排队。"], [("张明", None)]),
        # nor does a view that does not open the paragraph
        (["记者注意到，本院认为这一条款有效。业主们仍在门口排队。"], [("本院", None)]),
    ],
)
def test_a_judgment_s_parties_and_a_court_s_reasoning(
    texts: list[str], want: list[tuple[str | None, str | None]]
) -> None:
    meta = DocumentMeta(id="fx", kind="commentary", outlet=None, extra={"language": "zh"})
    passages = [Passage("fx", n, t, sentences=split_sentences(t)) for n, t in enumerate(texts, 1)]
    assert [(a.data["speaker"], a.data["role"]) for a in find_reported_speech_zh(passages, meta)] == want


@pytest.mark.parametrize(
    ("texts", "want"),
    [
        # bodies that speak: a bank, a library; a court's findings
        (["The bank argued that the images were anonymised."], [(None, "The bank")]),
        (["The library says the gates cut the average entry time."], [(None, "The library")]),
        # "the court" is the court named before, though it did not speak
        (
            ["The Lanjiang Internet Court heard the case in May.", "The court found that consent was missing."],
            [("Lanjiang Internet Court", None)],
        ),
        # a body's capitalised name after "The" is its name, not a description
        (
            ["The Shenzhen Municipal Cyberspace Administration said the filings were late."],
            [("Shenzhen Municipal Cyberspace Administration", None)],
        ),
        (["The city's cyberspace office said the filings were late."], [(None, "The city's cyberspace office")]),
        # a body with a relative clause between it and its verb
        (
            ["The supermarket, which operates 14 stores in Jiangsu, said in a statement that the lane had reopened."],
            [(None, "The supermarket")],
        ),
        # a court's order or award reports its decision; a company's order is a purchase
        (["A court in Chengdu ordered a gym to delete a member's face data."], [(None, "A court in Chengdu")]),
        (["The company ordered 500 cameras from a vendor."], []),
        # "the court" is the court named before, not a one-word name that spoke since
        (
            [
                "The Suzhou Industrial Park People's Court heard the case.",
                "Later, Xu said the hotel had no consent.",
                "On damages, the court awarded Pan 5,000 yuan.",
            ],
            [("Xu", None), ("Suzhou Industrial Park People's Court", None)],
        ),
        # a group of people with where they work
        (
            ["Officials at the Cyberspace Administration have said in briefings that filings are rising."],
            [(None, "Officials at the Cyberspace Administration")],
        ),
        (["Engineers from Vistamark say the gates match in 0.3 seconds."], [(None, "Engineers from Vistamark")]),
        # a study finds, nobody speaks
        (["The study found that most gates keep templates on the device."], []),
    ],
)
def test_bodies_that_speak_and_the_court_named_before(
    texts: list[str], want: list[tuple[str | None, str | None]]
) -> None:
    meta, passages = make_doc(texts)
    assert [(a.data["speaker"], a.data["role"]) for a in find_reported_speech(passages, meta)] == want
