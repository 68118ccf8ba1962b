"""kb.annotate.nlp: the jieba legal dictionary, spaCy pipelines and FTS tokens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kb.annotate.nlp import (
    chinese_nlp,
    english_nlp,
    legal_dict_path,
    legal_terms,
    read_legal_dict,
    segment_zh,
    tokens_for_index,
)
from kb.errors import ManifestError
from kb.settings import PROJECT_ROOT, get_settings


def pipl_text() -> str:
    return (get_settings().source_root / "corpus/primary/pipl-2021.zh.txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the dictionary


def test_legal_dict_lives_in_the_corpus_dir() -> None:
    assert legal_dict_path() == get_settings().corpus_dir / "dict" / "legal.dict.txt"
    assert legal_dict_path().is_file()


def test_legal_dict_is_jieba_format_with_150_terms_and_no_duplicates() -> None:
    entries = read_legal_dict(legal_dict_path())
    words = [w for w, _, _ in entries]
    assert len(entries) >= 150
    assert len(words) == len(set(words))
    assert all(freq > 0 and pos.isalpha() for _, freq, pos in entries)


@pytest.mark.parametrize(
    ("line", "lineno"),
    [
        ("个人信息处理者 1000", 2),  # no part of speech
        ("个人信息处理者 many n", 2),  # frequency not a number
        ("个人 信息 1000 n", 2),  # a word with a space
    ],
)
def test_malformed_dict_line_names_file_and_line(tmp_path: Path, line: str, lineno: int) -> None:
    path = tmp_path / "legal.dict.txt"
    path.write_text(f"人脸信息 1000 n\n{line}\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=rf"legal\.dict\.txt:{lineno}:"):
        read_legal_dict(path)


# ------------------------------------------------------------------ Chinese tokens stay whole

WHOLE_TERMS = [
    ("个人信息处理者应当对其个人信息处理活动负责。", "个人信息处理者"),
    ("处理人脸信息应当取得个人的单独同意。", "人脸信息"),
    ("处理人脸信息应当取得个人的单独同意。", "单独同意"),
    ("处理不满十四周岁未成年人个人信息的，应当取得父母的同意。", "不满十四周岁"),
    ("处理不满十四周岁未成年人个人信息的，应当取得父母的同意。", "未成年人"),
    ("处理敏感个人信息应当取得书面同意。", "敏感个人信息"),
    ("处理敏感个人信息应当取得书面同意。", "书面同意"),
    ("人脸信息属于生物识别信息。", "生物识别信息"),
    ("在公共场所安装图像采集设备，应当设置显著的提示标识。", "公共场所"),
    ("在公共场所安装图像采集设备，应当设置显著的提示标识。", "提示标识"),
    ("国家机关为履行法定职责处理个人信息。", "国家机关"),
    ("应当事前进行个人信息保护影响评估。", "个人信息保护影响评估"),
    ("向境外提供个人信息的，应当通过安全评估。", "安全评估"),
]


@pytest.mark.parametrize(("text", "term"), WHOLE_TERMS)
def test_legal_terms_stay_whole_tokens(text: str, term: str) -> None:
    assert term in legal_terms()
    assert term in [t.text for t in chinese_nlp()(text)]


@pytest.mark.parametrize("term", ["个人信息处理者", "单独同意", "不满十四周岁", "国家机关", "敏感个人信息"])
def test_legal_terms_stay_whole_in_the_real_pipl(term: str) -> None:
    doc = chinese_nlp()(pipl_text())
    assert term in {t.text for t in doc}


def test_token_offsets_match_the_text() -> None:
    text = pipl_text()[:6000] + "\n混合 English 文本：PIPL 第十四条 (2021)  两个空格。"
    doc = chinese_nlp()(text)
    assert doc.text == text
    for tok in doc:
        assert text[tok.idx : tok.idx + len(tok.text)] == tok.text


def test_chinese_sentences_end_at_chinese_full_stops() -> None:
    doc = chinese_nlp()("第一句。第二句！第三句？")
    assert [s.text for s in doc.sents] == ["第一句。", "第二句！", "第三句？"]


def test_english_pipeline_is_blank_with_a_sentencizer() -> None:
    nlp = english_nlp()
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["sentencizer"]
    assert [s.text for s in nlp("Consent is required. Minors need a guardian.").sents] == [
        "Consent is required.",
        "Minors need a guardian.",
    ]


def test_pipelines_are_cached() -> None:
    assert chinese_nlp() is chinese_nlp()
    assert english_nlp() is english_nlp()


# ------------------------------------------------------------------ FTS tokens


def test_segment_zh_emits_the_compound_and_the_words_inside_it() -> None:
    words = segment_zh("个人信息处理者应当取得单独同意")
    for w in ("个人信息处理者", "个人信息", "个人", "信息", "单独同意", "同意"):
        assert w in words


def test_segment_zh_is_deterministic() -> None:
    text = pipl_text()[:3000]
    assert segment_zh(text) == segment_zh(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Consent, Minors & PIPL!", "consent minors pipl"),
        ("“同意”。", "同意"),
        ("  \n\t ", ""),
        ("face-recognition 10,000 people", "face recognition 10 000 people"),
        ("单独同意", "单独 同意 单独同意"),
    ],
)
def test_tokens_for_index(text: str, expected: str) -> None:
    assert tokens_for_index(text) == expected


def test_tokens_for_index_has_no_punctuation_or_upper_case() -> None:
    tokens = tokens_for_index(pipl_text()[:4000]).split()
    assert tokens
    assert all(any(ch.isalnum() for ch in t) for t in tokens)
    assert all(t == t.lower() for t in tokens)


def test_a_query_matches_text_indexed_the_same_way() -> None:
    indexed = set(tokens_for_index("个人信息处理者处理不满十四周岁未成年人个人信息的").split())
    for query in ("个人信息", "十四周岁", "个人信息处理者", "未成年人"):
        assert set(tokens_for_index(query).split()) <= indexed


def test_importing_the_modules_loads_neither_spacy_nor_jieba() -> None:
    code = "import sys, kb.annotate.nlp, kb.annotate.topics;print('spacy' in sys.modules, 'jieba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
