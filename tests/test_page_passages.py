"""Whole passages and the learned furniture model (kb.ingest.threads, kb.ingest.learned_furniture):
tables of small pages of our own (every name and line made up), the stored model's examples, and
the script that fits it, run on one small labelled set.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kb.ingest.learned_furniture import FurnitureModel, load_furniture_model, model_override
from kb.ingest.manifest import load_manifest
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

THREADS = [
    # name, page, each paragraph that must be a passage of its own, furniture that must not reach one
    ("qa.html", QA, [*QUESTION, *ANSWER_2], ["reputation", "Which district?", "Great answer", "Log in"]),
    ("forum.html", FORUM, [p * 3 for p in FORUM_POSTS], ["发表于", "用户1", "首页"]),
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


def test_the_stored_model_loads_and_its_examples_hold() -> None:
    model = load_furniture_model()
    assert 0.5 <= model.threshold <= 1.0
    assert model.drops and model.keeps
    assert model.failed_examples() == []


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
