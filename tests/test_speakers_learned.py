"""kb.annotate.speakers.learned: reported speech the rules miss, decided by two fitted models."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping

import pytest

from kb.annotate.speakers import find_reported_speech
from kb.annotate.speakers.learned import (
    CANDIDATE_FEATURES,
    MODEL_PATH,
    SENTENCE_FEATURES,
    SpeechModel,
    decide,
    learned_speech,
    load_speech_model,
    sentence_cases,
    tokens,
)
from kb.annotate.speakers.zh import find_reported_speech_zh
from kb.learn.linear import LinearModel
from kb.model import Annotation, DocumentMeta, Passage
from kb.settings import get_settings


def passage(n: int, text: str) -> Passage:
    """A passage with its sentences split at . ! ? 。 ！ ？ (as ingestion gives them)."""
    spans = tuple((m.start(), m.end()) for m in re.finditer(r"[^.!?。！？]+[.!?。！？]?", text) if m.group().strip())
    return Passage("d", n, text, sentences=spans)


# ---------------------------------------------------------------------------- the data file


def test_the_model_file_loads_with_exactly_the_features_the_code_computes() -> None:
    raw = tomllib.loads((get_settings().corpus_dir / MODEL_PATH).read_text("utf-8"))
    assert set(raw["detect"]) - {"bias"} == set(SENTENCE_FEATURES)
    assert set(raw["speaker"]) - {"bias"} == set(CANDIDATE_FEATURES)
    model = load_speech_model()
    assert 0 < model.threshold < 1
    assert "fresh17" not in raw["trained_on"] and "fresh18" not in raw["trained_on"]  # held out


@pytest.mark.parametrize("token", ["accord", "told", "表示", "指出", "认为", "介绍"])
def test_the_fitted_vocabulary_knows_common_reporting_words(token: str) -> None:
    assert load_speech_model().cues.get(token, 0.0) > 1.0


@pytest.mark.parametrize(
    ("zh", "text", "reported", "role"),
    [
        (False, "Residents polled said they would rather carry a card, according to the survey.", True,
         "Residents polled"),
        (False, "According to industry estimates, shipments rose about 9% in the first half of the year.", False,
         None),  # estimates are no speaker: nobody to attribute it to, no annotation
        (False, "The gates open at seven and close at ten.", False, None),
        (True, "小区门口的闸机每天早上七点开启。", False, None),
    ],
)  # fmt: skip
def test_examples_hold_under_the_shipped_model(zh: bool, text: str, reported: bool, role: str | None) -> None:
    got = learned_speech([passage(1, text)], zh, [])
    assert bool(got) == reported
    if reported:
        assert got[0].data["cue"] == "learned" and got[0].data["role"] == role


# ---------------------------------------------------------------------------- the features


@pytest.mark.parametrize(
    ("text", "zh", "want"),
    [
        ("Regulators argue", False, {"regulator", "argu"}),
        ("argued arguing argues", False, {"argu"}),
        ("said says", False, {"said", "say"}),
        ("法院认为", True, {"法院", "院认", "认为"}),
        ("据了解，", True, {"据了", "了解"}),
    ],
)
def test_tokens_are_english_stems_or_chinese_character_pairs(text: str, zh: bool, want: set[str]) -> None:
    assert tokens(text, zh) == want


CUES: Mapping[str, float] = {"told": 2.0, "award": 2.0, "咨询": 2.0, "表示": 2.0}


@pytest.mark.parametrize(
    ("text", "zh", "role"),
    [
        ("Two universities told us they had finished.", False, "Two universities"),
        ("On damages, the court awarded Pan 5,000 yuan.", False, "court"),
        ("Residents polled said the gates were slow.", False, "Residents polled"),
        ("The city's cyberspace office told reporters it would act.", False, "city's cyberspace office"),
        ("According to a spokesperson for Kestrel Retail, the cameras stay.", False, "spokesperson for Kestrel Retail"),
        ("近期，我们接到多位业主咨询：门禁只能刷脸。", True, "多位业主"),
        ("工作人员表示可以先登记。", True, "工作人员"),
        ("与会者表示，匿名化很难。", True, "与会者"),
    ],
)
def test_the_unnamed_candidate_is_the_sentence_s_subject(text: str, zh: bool, role: str) -> None:
    (case,) = sentence_cases([passage(1, text)], zh, [], CUES)
    assert [c.role for c in case.candidates if not c.speaker] == [role]


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("Facial recognition cameras now sell for about 300 yuan.", False),  # no role noun opens it
        ("The bursar told parents the fee was waived.", False),  # a reporting word before any role noun
        ("In 2021 the court ruled for the shop.", False),  # the opening is no noun phrase
        ("According to the pilot survey, most members liked it.", False),
        ("这款闸机表示支持离线识别。", True),  # no role noun before the reporting word
    ],
)
def test_an_opening_that_is_no_role_noun_phrase_offers_no_unnamed_candidate(text: str, zh: bool) -> None:
    (case,) = sentence_cases([passage(1, text)], zh, [], CUES)
    assert [c.role for c in case.candidates if not c.speaker] == []


def rule(p: Passage, speaker: str, role: str = "") -> Annotation:
    s, e = p.sentences[0]
    data = {"speaker": speaker, "role": role or None}
    return Annotation(p.id, "reported_speech", speaker, s, e, p.text[s:e], data=data)


def test_speakers_the_rules_found_and_bodies_named_before_are_candidates() -> None:
    ps = [
        passage(1, "In March, the Linhai Intermediate People's Court heard the case."),
        passage(2, "Ada Novak said the ruling was narrow."),
        passage(3, "The court reasoned that a card would do."),
    ]
    cases = sentence_cases(ps, False, [rule(ps[1], "Ada Novak")], CUES)
    assert [c.passage.n for c in cases] == [1, 3]  # the rules' sentence is theirs
    by_name = {c.speaker: c.features for c in cases[1].candidates}
    assert by_name["Ada Novak"]["heard"] == 1 and by_name["Ada Novak"]["last_speaker"] == 1
    assert by_name["Linhai Intermediate People's Court"]["body_word"] == 1
    assert by_name["Linhai Intermediate People's Court"]["heard"] == 0
    assert cases[1].features["near_rule"] == 1 and cases[1].features["body_word"] == 1


def test_a_first_person_sentence_offers_the_author_and_a_named_person() -> None:
    (case,) = sentence_cases([passage(1, "I asked Liang Qiao what she made of it.")], False, [], CUES, ("Chen Yutong",))
    got = {c.speaker: c.features for c in case.candidates if c.speaker}
    assert got["Chen Yutong"]["author"] == 1 and got["Liang Qiao"]["new"] == 1
    assert case.features["first_person"] == 1


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("青澜市中级人民法院审理了此案。", ["青澜市中级人民法院"]),
        ("记者从岚江市网信办了解到，整改已完成。", ["岚江市网信办"]),
        ("原告向青澜市中级人民法院起诉。", ["青澜市中级人民法院"]),
        ("识界科技有限公司回应称，数据已删除。", ["识界科技有限公司"]),
        ("原告遂诉至法院。", []),  # a verb phrase ending in 法院 is no name
        ("该公司表示将整改。", []),  # a demonstrative and a kind word: no name
    ],
)
def test_a_chinese_organisation_is_a_whole_name(text: str, names: list[str]) -> None:
    (case,) = sentence_cases([passage(1, text)], True, [], {})
    assert [c.speaker for c in case.candidates if c.speaker] == names


def test_an_unnamed_kind_word_means_the_body_named_before() -> None:
    ps = [passage(1, "In March, the Linhai Intermediate People's Court heard the case."),
          passage(2, "On damages, the court awarded Pan 5,000 yuan.")]  # fmt: skip
    cases = sentence_cases(ps, False, [], CUES)
    assert [(c.speaker, c.role) for c in cases[1].candidates] == [("Linhai Intermediate People's Court", "")]


def test_chinese_organisations_and_their_kind_word() -> None:
    ps = [passage(1, "青澜市中级人民法院审理了此案。"), passage(2, "法院认为，开发商未尽告知义务。")]
    cases = sentence_cases(ps, True, [], {"认为": 2.0})
    court = next(c for c in cases[1].candidates if c.speaker == "青澜市中级人民法院")
    assert court.features["body_word"] == 1 and cases[1].features["lexicon_verb"] == 1


# ---------------------------------------------------------------------------- the decision


def test_the_detector_s_threshold_decides_and_the_best_candidate_speaks() -> None:
    ps = [passage(1, "Ada Novak chairs the board."), passage(2, "Novak told staff the plan was off.")]
    detect = LinearModel(bias=-1.0, weights={"cue": 1.0})  # cue 2 -> p = .73
    speaker = LinearModel(bias=0.0, weights={"in_sentence": 3.0, "unnamed": -1.0})
    cases = sentence_cases(ps, False, [rule(ps[0], "Ada Novak")], CUES)
    got = decide(cases, SpeechModel(detect, speaker, 0.7, 0.5, CUES))
    assert [(c.text, p.speaker) for c, p in got] == [("Novak told staff the plan was off.", "Ada Novak")]
    assert decide(cases, SpeechModel(detect, speaker, 0.8, 0.5, CUES)) == []  # the detector unsure
    assert decide(cases, SpeechModel(detect, speaker, 0.7, 0.99, CUES)) == []  # the speaker unsure


@pytest.mark.parametrize("zh", [False, True])
def test_learned_annotations_add_to_the_rules_and_never_overlap_them(zh: bool) -> None:
    texts = (
        ["青澜市中级人民法院审理了此案。", "法院认为，开发商张贴的提示仅告知存在视频监控，未告知采集人脸信息。",
         "据了解，全市已有三百余个小区装上了人脸门禁。"]
        if zh
        else ["Liu Wei said the rules are thin.", "According to industry estimates, shipments rose 9% last year.",
              "The gates open at seven."]
    )  # fmt: skip
    meta = DocumentMeta(id="d", kind="commentary")
    ps = [passage(n, t) for n, t in enumerate(texts, 1)]
    find = find_reported_speech_zh if zh else find_reported_speech
    rules, every = find(ps, meta, learned=False), find(ps, meta)
    assert every[: len(rules)] == rules
    added = every[len(rules) :]
    assert all(a.data["cue"] == "learned" and a.kind == "reported_speech" for a in added)
    for a in added:
        assert not any(r.target_id == a.target_id and r.start < a.end and a.start < r.end for r in rules)
