"""Whole passages and the learned furniture model (kb.ingest.threads, kb.ingest.learned_furniture):
tables of small pages of our own (every name and line made up), the stored model's examples, and
the script that fits it, run on one small labelled set.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from kb.ingest.learned_furniture import FurnitureModel, load_furniture_model, model_override
from kb.ingest.manifest import load_manifest
from kb.ingest.threads import thread_blocks
from kb.ingest.userdocs import load_user_commentary
from kb.learn.linear import LinearModel

ROOT = Path(__file__).resolve().parent.parent

QUESTION = ("I rent a room in a shared flat in an example city.", "The landlord wants all of us to register our faces.")
ANSWER_1 = ("Short answer: you may refuse, and he must offer another way in.", "The camera is a bigger problem.")
ANSWER_2 = ("One more point: face data must stay in the device unless you consent separately.",)


def _posts(body_class: str, paragraphs: tuple[str, ...]) -> str:
    return f"<div class='{body_class}'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


# A question-and-answer page: a question, two answers, each with its votes, signature and comments.
QA = (
    "<html lang='en'><head><title>Can my landlord make us use a face lock? - Example Exchange</title></head><body>"
    "<div class='topbar'><a href='/'>Example Exchange</a> <a href='/login'>Log in</a></div>"
    "<h1>Can my landlord make us use a face lock?</h1>"
    "<div class='question'><div class='votes'>14</div>"
    + _posts("post-text", QUESTION)
    + "<div class='post-signature'>asked by example_tenant · 1,203 reputation</div>"
    "<div class='comments'><p>Which district? – example_user Aug 2, 2026 at 10:02</p></div></div>"
    "<h2>2 Answers</h2><div class='answer'><div class='votes'>21</div>"
    + _posts("post-text", ANSWER_1 * 3)
    + "<div class='post-signature'>answered by Example Answerer · 18.4k reputation</div>"
    "<div class='comments'><p>Great answer, thanks. – example_tenant Aug 3, 2026</p></div></div>"
    "<div class='answer'><div class='votes'>6</div>"
    + _posts("post-text", ANSWER_2)
    + "<div class='post-signature'>answered by example.k · 2,311 reputation</div></div>"
    "<footer><p>Site design © 2026 Example Exchange Inc.</p></footer></body></html>"
)
# A forum topic: the first post and its replies, each body marked by the forum's class.
FORUM_POSTS = (
    "小区物业要求业主录入人脸，不录就不给门禁卡，这合法吗？",
    "不合法。物业应当提供其他方式，比如门禁卡或者密码。",
    "我们小区也是这样，后来改了。",
)
FORUM = (
    "<html lang='zh'><head><title>物业强制刷脸 - 某某论坛</title></head><body>"
    "<div class='nav'>首页 › 业主之家</div>"
    + "".join(
        f"<div class='post'><div class='author'>用户{k}</div>{_posts('postbody', (p * 3,))}"
        f"<div class='postinfo'>发表于 2026-05-0{k} 回复 引用</div></div>"
        for k, p in enumerate(FORUM_POSTS, 1)
    )
    + "</body></html>"
)


def test_a_qa_page_names_its_asker_as_its_author(tmp_path: Path) -> None:
    (tmp_path / "qa.html").write_text(QA, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.authors == ("example_tenant",)  # "asked by …" under the question, not an answerer


# A message board's page (a 网上问政 留言板): a citizen's message and an office's reply, each
# body with its own kind's class, the reply under a box a comment remover takes for comments.
MESSAGE = ("我母亲今年80岁，社区卫生服务中心的自助机只能刷脸取号，她刷了好几次都没通过。", "请问中心能不能只让刷脸？")
REPLY = (
    "您好！经核实，该中心共有自助机4台，已恢复身份证和医保卡两种取号方式。",
    "根据有关规定，存在其他非人脸识别方式的，不得将人脸识别作为唯一验证方式。感谢您的关注！",
)
BOARD = (
    "<html lang='zh-CN'><head><title>自助机只能刷脸取号 - 某某网上问政</title></head><body>"
    "<div class='nav'><a href='/'>首页</a><a href='/ly/new'>我要留言</a></div>"
    "<div class='msg'><h1>自助机只能刷脸取号</h1><div class='msg-info'>留言人：王女士　留言时间：2026-04-01</div>"
    + _posts("msg-body", MESSAGE)
    + "</div><div class='reply'><div class='reply-info'>回复单位：某某区卫生健康局　回复时间：2026-04-09</div>"
    + _posts("reply-body", REPLY)
    + "</div><div class='rate'>满意度评价：满意 不满意</div>"
    "<div class='related'><h3>相关留言</h3><ul><li><a href='/ly/1'>小区门禁能否不刷脸</a></li></ul></div></body></html>"
)
# A help desk's page: one question and one answer, each body with its own kind's class.
HELP_QUESTION = ("Our office wants to replace badges with a face scanner at the door.", "Can staff refuse to enrol?")
HELP_ANSWER = (
    "Yes. Staff who refuse must be offered another way in, such as a badge or a code.",
    "The office must also tell staff how long the face data is kept.",
)
HELPDESK = (
    "<html lang='en'><head><title>Can staff refuse a face scanner? - Example Help</title></head><body>"
    "<div class='question'><h1>Can staff refuse a face scanner?</h1>"
    + _posts("question-content", HELP_QUESTION)
    + "</div><div class='reply'><div class='meta'>Answered by Example Support</div>"
    + _posts("answer-content", HELP_ANSWER)
    + "</div><div class='related'><h3>Related questions</h3>"
    "<ul><li><a href='/q/2'>Face pay at work?</a></li></ul></div></body></html>"
)

THREADS = [
    # name, page, each paragraph that must be a passage of its own, furniture that must not reach one
    ("qa.html", QA, [*QUESTION, *ANSWER_2], ["reputation", "Which district?", "Great answer", "Log in"]),
    ("forum.html", FORUM, [p * 3 for p in FORUM_POSTS], ["发表于", "用户1", "首页"]),
    ("board.html", BOARD, [*MESSAGE, *REPLY], ["满意度评价", "小区门禁能否不刷脸", "我要留言"]),
    ("helpdesk.html", HELPDESK, [*HELP_QUESTION, *HELP_ANSWER], ["Face pay at work?"]),
]


@pytest.mark.parametrize(("name", "page", "whole", "furniture"), THREADS, ids=[t[0] for t in THREADS])
def test_each_post_of_a_thread_page_is_read_paragraph_by_paragraph(
    tmp_path: Path, name: str, page: str, whole: list[str], furniture: list[str]
) -> None:
    (tmp_path / name).write_text(page, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    texts = [p.text for p in doc.parsed.passages]
    assert [w for w in whole if w not in texts] == []
    assert [f for f in furniture if any(f in t for t in texts)] == []


# A blog post's body and one reply under it: not a message and its replies.
BLOG_REPLY = "<body>" + _posts("post-content", QUESTION) + _posts("reply-body", ANSWER_2) + "</body>"
# An answer before any question: not a message board's order.
ANSWER_FIRST = "<body>" + _posts("answer-content", HELP_ANSWER) + _posts("question-content", HELP_QUESTION) + "</body>"

MESSAGE_BOARDS = [
    # name, page, the paragraphs read as the thread's posts (None: no thread)
    ("board", BOARD, [*MESSAGE, *REPLY]),
    ("helpdesk", HELPDESK, [*HELP_QUESTION, *HELP_ANSWER]),
    ("blog-reply", BLOG_REPLY, None),
    ("answer-first", ANSWER_FIRST, None),
]


@pytest.mark.parametrize(("name", "page", "posts"), MESSAGE_BOARDS, ids=[c[0] for c in MESSAGE_BOARDS])
def test_a_message_and_its_replies_are_read_as_a_thread(name: str, page: str, posts: list[str] | None) -> None:
    blocks = thread_blocks(lxml.html.document_fromstring(page))
    assert (None if blocks is None else [text for _, text in blocks]) == posts


PROSE = (
    "The new rules require separate consent before a face is scanned at a gate, the official said.\n\n"
    "A company that stores the faces of many people must file an assessment with the regulator.\n\n"
)
# A made-up model: a block with the word "zorblat" is furniture.
ZORBLAT = FurnitureModel(LinearModel(bias=-8.0, weights={"w:zorblat": 16.0}), threshold=0.9)

HOOK_CASES = [
    # name, page, lines the made-up model must drop, lines it must keep
    ("tail.txt", "A Title About Face Rules\n\n" + PROSE + "Zorblat keeps this show free.\n", ["Zorblat keeps"], []),
    # a line right above a paragraph of prose (a section heading, a speaker's label) is not the model's
    ("heading.txt", "A Title About Face Rules\n\n" + PROSE + "Zorblat section\n\n" + PROSE, [], ["Zorblat section"]),
    # a page the model would empty keeps its text
    ("all.txt", "A Title About Face Rules\n\nZorblat is what the rules call a face template.\n", [], ["Zorblat"]),
]


@pytest.mark.parametrize(("name", "page", "dropped", "kept"), HOOK_CASES, ids=[c[0] for c in HOOK_CASES])
def test_the_learned_model_drops_only_what_it_may(
    tmp_path: Path, name: str, page: str, dropped: list[str], kept: list[str]
) -> None:
    (tmp_path / name).write_text(page, encoding="utf-8")
    with model_override(ZORBLAT):
        (doc,) = load_user_commentary([tmp_path], load_manifest())
    texts = [p.text for p in doc.parsed.passages]
    assert [d for d in dropped if any(t.startswith(d) for t in texts)] == []
    assert [k for k in kept if not any(t.startswith(k) for t in texts)] == []
    with model_override(None):  # the rules alone keep every line here
        (rules_only,) = load_user_commentary([tmp_path], load_manifest())
    assert all(any(t.startswith(line) for t in (p.text for p in rules_only.parsed.passages)) for line in dropped)


# Between two paragraphs of prose the model does not judge (kb.ingest.learned_furniture.may_drop):
# the made-up model that drops every "zorblat" line at a page's end keeps it there.
BETWEEN_PAGES = [
    ("heading", "A Title About Face Rules\n\n" + PROSE + "Zorblat picks\n\n" + PROSE, "Zorblat picks"),
    ("line", "A Title About Face Rules\n\n" + PROSE + "Zorblat: rate this page\n\n" + PROSE, "Zorblat:"),
]


@pytest.mark.parametrize(("name", "page", "line"), BETWEEN_PAGES, ids=[c[0] for c in BETWEEN_PAGES])
def test_the_model_does_not_judge_a_block_between_prose(tmp_path: Path, name: str, page: str, line: str) -> None:
    (tmp_path / f"{name}.txt").write_text(page, encoding="utf-8")
    with model_override(ZORBLAT):
        (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert any(p.text.startswith(line) for p in doc.parsed.passages)


def test_a_model_file_with_an_unknown_section_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text(
        "threshold = 0.97\nbias = -1.0\n[weights]\nshort = 1.0\n"
        '[between]\nthreshold = 0.99\nbias = -2.0\n[between.weights]\n"w:zorblat" = 3.0\n',
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="between"):
        load_furniture_model(path)


def test_the_stored_model_loads_and_its_examples_hold() -> None:
    model = load_furniture_model()
    assert 0.5 <= model.threshold <= 1.0
    assert model.drops and model.keeps
    assert model.failed_examples() == []


# A made-up model that weighs where a line stands: "zorblat" is furniture, but not above prose.
PLACED = FurnitureModel(LinearModel(bias=-8.0, weights={"w:zorblat": 16.0, "next_prose": -16.0}), threshold=0.9)
EXAMPLE_CASES = [
    # line at the end of a page, whether the model drops it there
    ("Zorblat keeps this show free.", True),
    ("Zorblat 点击关注", True),
    ("The regulator will publish the list in May.", False),
    ("监管部门将在五月公布名单。", False),
]


@pytest.mark.parametrize(("line", "dropped"), EXAMPLE_CASES, ids=[c[0] for c in EXAMPLE_CASES])
def test_the_stored_examples_are_checked_where_the_model_judges(tmp_path: Path, line: str, dropped: bool) -> None:
    """A stored example is checked where the pipeline lets the model judge a line (after the
    page's prose, at its end), so the check and a real page agree."""
    (tmp_path / "page.txt").write_text("A Title About Face Rules\n\n" + PROSE + line + "\n", encoding="utf-8")
    with model_override(PLACED):
        (doc,) = load_user_commentary([tmp_path], load_manifest())
    kept = any(p.text.startswith(line) for p in doc.parsed.passages)
    assert (PLACED.drops_in_text(line), kept) == (dropped, not dropped)


def test_the_fitting_script_runs_on_one_small_set() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_furniture.py"), "--sets", "fresh16", "--no-write"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert "threshold" in out
    assert out.splitlines()[-2].startswith("total")
