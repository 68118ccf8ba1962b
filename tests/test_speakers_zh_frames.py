"""Chinese reporting-verb frames (``frames`` in ``corpus/speakers/zh.toml``) and topic chains.

Every frame's examples must yield their speaker (a name, else the role; "" = nobody), and each
example with a speaker must be matched by its own frame, so a frame never passes on the back
of a plain verb form.
"""

from __future__ import annotations

import pytest

from kb.annotate.speakers.zh import find_quotes_zh, find_reported_speech_zh
from kb.annotate.speakers.zh_lexicon import compiled, default_path, frame_pattern, load_zh_lexicon
from kb.ingest.sentences import split_sentences
from kb.model import DocumentMeta, Passage


def _speaker(text: str) -> str:
    meta = DocumentMeta(id="d", kind="commentary", extra={"language": "zh"})
    ps = [Passage("d", 1, text, sentences=split_sentences(text))]
    found = [a for a in [*find_quotes_zh(ps, meta), *find_reported_speech_zh(ps, meta)] if a.label]
    return found[0].label if found else ""


FRAME_EXAMPLES = [(f.name, e.text, e.speaker) for f in load_zh_lexicon().frames for e in f.examples]


@pytest.mark.parametrize(
    ("frame", "text", "speaker"), FRAME_EXAMPLES, ids=[f"{f}-{k}" for k, (f, _, _) in enumerate(FRAME_EXAMPLES)]
)
def test_frame_examples(frame: str, text: str, speaker: str) -> None:
    assert _speaker(text) == speaker


@pytest.mark.parametrize(("frame", "text", "speaker"), [e for e in FRAME_EXAMPLES if e[2]])
def test_each_frame_matches_its_examples(frame: str, text: str, speaker: str) -> None:
    c = compiled(default_path())
    k = next(k for k, f in enumerate(c.lex.frames) if f.name == frame)
    assert any(m.lastgroup == f"f{k}" for m in c.verb.finditer(text)), frame


@pytest.mark.parametrize(
    ("pattern", "slots", "want"),
    [
        ("告诉(?:<<listener>>)", {"listener": "记者|我"}, "告诉(?:记者|我)"),
        ("作了?(?:解答|答疑)", {}, "作了?(?:解答|答疑)"),
    ],
)
def test_frame_pattern_fills_slots(pattern: str, slots: dict[str, str], want: str) -> None:
    assert frame_pattern(pattern, slots) == want


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a topic chain: the cue has no subject of its own, the clause before has one
        ("客服打电话过来，说可以单独办一张门卡。", "客服"),
        ("物业经理周强看了看门禁，说下周就能换。", "周强"),
        ("商场已将提示牌撤下，并表示将删除全部照片。", "商场"),
        # no speaker in the clause before: nobody, not a name guessed from its characters
        ("一号坑真的很震撼，建议租个讲解器。", ""),
        ("对此，并表示欢迎。", ""),
        # the addressee or topic between speaker and verb is not the speaker
        ("也有分析人士对价格战表示担忧。", "也有分析人士"),
        ("研究员韩某围绕评估报告作了发言。", "韩某"),
        # an intention, advice to the reader: nobody reported
        ("写这篇，主要是想告诉和我一样的朋友：你可以去问。", ""),
        # 据 in 数据 is no "according to"
        ("数据法治研究院教授林某对记者说，告示不等于同意。", "林某"),
        # a text is not a speaker
        ("文章进一步指出，替代方式不应以申请为前提。", ""),
        # a clause with no verb that opens a quotation with a colon: its subject speaks it
        ("负责社保业务的刘敏说得很实在：“行动不便的老人我们上门认证。”", "刘敏"),
        ("该办法第十条写得很清楚：“人脸信息应当存储于设备内。”", ""),
        # a word for a young person after a role is no name
        ("前台小姑娘说系统默认要刷脸。", "前台小姑娘"),
    ],
)
def test_chains_and_settings(text: str, speaker: str) -> None:
    assert _speaker(text) == speaker


def test_a_kind_of_body_is_unnamed() -> None:
    """行业机构, 第三方公司: a body's kind, so no name, the words as its role."""
    meta = DocumentMeta(id="d", kind="commentary", extra={"language": "zh"})
    text = "据行业机构估算，今年出货量翻了一番。第三方公司则表示，其只存储特征值。"
    ps = [Passage("d", 1, text, sentences=split_sentences(text))]
    got = [(a.data["speaker"], a.data["role"]) for a in find_reported_speech_zh(ps, meta)]
    assert got == [(None, "行业机构"), (None, "第三方公司")]
