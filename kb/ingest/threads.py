"""A Q&A or forum thread page: every post's text, each paragraph its own block.

A main-content extractor picks the one container densest in text; on a thread page (a
question and its answers, a forum topic and its replies) that is one post, the longest, and
the question and the other answers are lost. A thread's markup says where each post's text
is: the same class on each post's body (``post-text``, ``js-post-body``, ``postbody``,
``message-body``, ``cooked`` …), outside the vote counts, the "answered by … · 1.2k
reputation" signatures and the comment threads under each post. :func:`thread_blocks`
reads those bodies, in page order, as blocks (a paragraph, a heading, a list item, a
quote), so each post's paragraphs are separate passages, and the signatures, votes and
comments stay out.

>>> import lxml.html
>>> page = lxml.html.document_fromstring(
...     "<body><div class='q'><div class='votes'>14</div><div class='post-text'><p>Is it legal?</p></div>"
...     "<div class='comments'><div class='post-text'><p>Which city?</p></div></div></div>"
...     "<div class='a'><div class='post-text'><p>Yes.</p><ul><li>One.</li></ul></div>"
...     "<div class='post-signature'>answered by Wen · 18.4k reputation</div></div></body>")
>>> thread_blocks(page)
[('paragraph', 'Is it legal?'), ('paragraph', 'Yes.'), ('list_item', 'One.')]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

import lxml.html

__all__ = ["THREAD_MIN_POSTS", "BlockKind", "thread_blocks"]

BlockKind = Literal["paragraph", "heading", "list_item", "quote"]

# The class a thread's markup gives each post's body (Stack Exchange, phpBB, vBulletin,
# Discourse, Discuz, Tieba, Zhihu …): a class token, whole.
_POST_BODY = re.compile(
    r"(?:^|\s)(?:post-?(?:text|body|content|message)|postbody|postcontent|postmessage|js-post-body"
    r"|(?:answer|question|reply|topic|message|msg|thread)-?(?:body|content|text)|cooked|t_f|d_post_content"
    r"|RichContent-inner)(?:$|\s)",
    re.I,
)
# A comment thread under a post: its bodies are comments, not posts.
_COMMENTS = re.compile(r"comment", re.I)
THREAD_MIN_POSTS = 2  # one post body is an article's container, not a thread
# A message board's two kinds of post (a 留言板, a 网上问政 page, a help desk): a question or
# message, then the answers or replies to it, each body with its own kind's class.
_ASKING = re.compile(r"^(?:question|message|msg)", re.I)
_ANSWERING = re.compile(r"^(?:answer|reply)", re.I)

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PARAGRAPHS = frozenset({"p", "pre", "dd", "dt", "figcaption"})
_LISTS = frozenset({"ul", "ol"})
_INLINE = frozenset({"a", "b", "i", "em", "strong", "span", "code", "br", "sup", "sub", "small", "mark"})


def _text(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().split())


def _in_comments(node: lxml.html.HtmlElement) -> bool:
    return any(_COMMENTS.search(f"{a.get('class') or ''} {a.get('id') or ''}") for a in node.iterancestors())


def _blocks(node: lxml.html.HtmlElement) -> Iterator[tuple[BlockKind, str]]:
    """The blocks of one post body: its paragraphs, headings, list items and quotes; text
    loose in a container (no block inside) is one paragraph."""
    children = [c for c in node if isinstance(c.tag, str)]
    if not children or all(c.tag in _INLINE for c in children):
        if text := _text(node):
            yield "paragraph", text
        return
    if text := " ".join((node.text or "").split()):
        yield "paragraph", text
    for child in children:
        tag = child.tag
        if tag in _HEADINGS:
            kind: BlockKind | None = "heading"
        elif tag in _PARAGRAPHS:
            kind = "paragraph"
        elif tag == "blockquote":
            kind = "quote"
        elif tag in _LISTS:
            yield from (("list_item", t) for li in child.iter("li") if (t := _text(li)))
            kind = None
        else:
            yield from _blocks(child)
            kind = None
        if kind is not None and (text := _text(child)):
            yield kind, text
        if tail := " ".join((child.tail or "").split()):
            yield "paragraph", tail


def thread_blocks(root: lxml.html.HtmlElement) -> list[tuple[BlockKind, str]] | None:
    """The blocks of every post of a thread page, in page order; None when the page is no
    thread (fewer than :data:`THREAD_MIN_POSTS` post bodies outside comment threads)."""
    bodies = {
        n: m.group(0).strip().casefold()
        for n in root.iter()
        if isinstance(n.tag, str) and (m := _POST_BODY.search(n.get("class") or ""))
    }
    kinds: dict[str, list[lxml.html.HtmlElement]] = {}
    for n, kind in bodies.items():
        if not any(a in bodies for a in n.iterancestors()) and not _in_comments(n):
            kinds.setdefault(kind, []).append(n)
    # a thread repeats one kind of post body: the most common kind, if it is repeated
    posts = max(kinds.values(), key=len, default=[])
    if len(posts) < THREAD_MIN_POSTS:
        posts = _message_and_replies(kinds)
    if len(posts) < THREAD_MIN_POSTS:
        return None
    return [block for post in posts for block in _blocks(post)]


def _message_and_replies(kinds: dict[str, list[lxml.html.HtmlElement]]) -> list[lxml.html.HtmlElement]:
    """A message board's page: one question or message body, then the answer or reply bodies
    (its own kind each), in page order; empty when the page's post bodies are not that."""
    asking = [n for k, ns in kinds.items() if _ASKING.match(k) for n in ns]
    answering = [n for k, ns in kinds.items() if _ANSWERING.match(k) for n in ns]
    if len(asking) != 1 or not answering or len(asking) + len(answering) < sum(map(len, kinds.values())):
        return []
    order = {n: k for k, n in enumerate(asking[0].getroottree().getroot().iter())}
    if any(order[n] < order[asking[0]] for n in answering):
        return []
    return sorted([*asking, *answering], key=order.__getitem__)
