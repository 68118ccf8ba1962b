"""One commentary capture, block by block: what each block looks like on its own.

:class:`Page` computes, once per capture, the features the layout
(:func:`kb.ingest.commentary.layout_blocks`) decides with: each block's sentences, its
folded text and how often that repeats, and whether it is furniture wherever it stands
(:func:`block_furniture`: credits, by-lines, breadcrumbs, share widgets …), prose, a
heading, a photo caption or an author bio. The thresholds are here too, each with the
case that set it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from kb.ingest.commentary_blocks import ENDS_SENTENCE, Block, normalise
from kb.ingest.datelines import parse_date_line
from kb.ingest.furniture import FurnitureRules, is_breadcrumb, is_title_case, parse_byline
from kb.ingest.markup import NO_MARKS, Marks
from kb.ingest.normalize import is_cjk_text
from kb.ingest.sentences import split_sentences
from kb.text.datelines import dateline

__all__ = [
    "AFFILIATION",
    "BARE_NAME",
    "COLUMN_TAG",
    "RULE_LINE",
    "TITLE_TAG",
    "Page",
    "answer_headers",
    "author_box",
    "block_furniture",
    "box_authors",
    "cjk_site_owner",
    "fold",
    "full_name",
    "fully_quoted",
    "masthead_like",
    "name_above_votes",
    "named_publisher",
    "names_by_outlet",
    "repeats_title",
    "trim_news_marks",
    "wire_service",
    "word_units",
]

# ------------------------------------------------------------------ thresholds
# Tuned on the sample captures, chosen to be generic: a heading is a short line, a
# paragraph of prose is a sentence of some length, a caption is short.
HEADING_MAX_UNITS = 16  # "China's new facial recognition rules define ... purpose" is 15
QUESTION_HEADING_MAX_UNITS = 12  # "Why does China need a facial recognition law?"
COLON_HEADING_MAX_UNITS = 5  # "Key Takeaways:"; longer lines ending ":" introduce a list
PROSE_MIN_UNITS = 8  # shorter lines are labels, menus or headings
PROSE_UNTERMINATED_UNITS = 30  # this long, a line is prose even without a full stop
CAPTION_MAX_UNITS = 45
CAPTION_MAX_SENTENCES = 2
CAPTION_MIN_BARE_UNITS = 6  # a caption without a full stop is a description, not a label
BIO_MAX_SENTENCES = 2

_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
AFFILIATION = re.compile(r"\b(?:at|with)\s+(?:the\s+)?(?P<org>[A-Z][^,.;()]{2,80})")
# A person's name alone on its line: "Mara Lindqvist", "Jane Q. Roe".
BARE_NAME = re.compile(r"^[A-Z][a-z’'-]+(?: [A-Z]\.)?(?: [A-Z][a-z’'-]+){1,2}$")


# [line.*] rules checked on every block, in order, and the drop reason each gives.
_LINE_REASONS = (
    ("credit", "credit"),
    ("menu_label", "menu"),
    ("end_marker", "end-marker"),
    ("related_marker", "related"),
    ("breadcrumb_label", "breadcrumb"),
)


def block_furniture(text: str, sentences: Sequence[tuple[int, int]], rules: FurnitureRules) -> str | None:
    """Why a block is furniture wherever it stands (credit, by-line, share widget …), or None.

    ``sentences`` are the block's sentence spans. Used on web captures and on the blocks
    an HTML extractor keeps.

    >>> from kb.ingest.furniture import load_rules
    >>> block_furniture("Photo: Reuters", ((0, 14),), load_rules())
    'credit'
    """
    for rule, reason in _LINE_REASONS:
        if rules.line_is(rule, text):
            return reason
    if parse_byline(text, rules):
        return "byline"  # before breadcrumbs: "By Zhang Wei | March 3, 2021"
    m = rules.line_match("byline", text)
    if m is not None and not m.groupdict().get("names"):
        return "byline"  # a header line that names no one: "2025-07-08 14:26 来源：某报", "原创 某号 2025年…"
    if parse_date_line(text):
        return "dateline"  # before breadcrumbs: "Last updated: June 30, 2026 · Effective August 1, 2026"
    if is_breadcrumb(text):
        return "breadcrumb"
    cues = [rules.sentence_cue(text[s:e]) for s, e in sentences]
    hits = [c for c in cues if c]
    if hits and 2 * len(hits) >= len(cues):
        return hits[0]
    if rules.is_widget(text) or rules.is_nav_row(text):
        return "menu"
    if rules.line_is("stamp", text):
        return "stamp"  # last: a by-line or a date line with a time in it is read as that
    return None


# How far into a block a news lead may reach, and how far from its end the end mark.
# A running header: "<the document's title>｜<its section>", the left part repeated on the page
_RUNNING_SPLIT = re.compile(r"\s*[｜|]\s*|\s+[-–—·•/]\s+")
_RUNNING_LEFT_MIN_CHARS = 4
_RUNNING_MIN_LINES = 3  # on two lines it may be a column's tag: "专家解读｜<headline>" over a related "专家解读｜…"


def _running_left(text: str) -> str | None:
    """The left part of a line split at its first separator, when both parts hold text.

    >>> _running_left("某某白皮书（2026）｜二、规则"), _running_left("A Report | Page 2"), _running_left("No separator")
    ('某某白皮书（2026）', 'A Report', None)
    """
    parts = _RUNNING_SPLIT.split(text.strip(), maxsplit=1)
    left = parts[0] if len(parts) == 2 and parts[1] else ""
    return left if len(left) >= _RUNNING_LEFT_MIN_CHARS else None


def _starting_in(blocks: Sequence[Block], spans: Sequence[tuple[int, int]]) -> frozenset[int]:
    """The indices of the blocks that start inside one of the markup's ``spans``."""
    return frozenset(i for i, b in enumerate(blocks) if any(s <= b.start < e for s, e in spans))


_LEAD_REACH = 80
_TAIL_REACH = 20


def trim_news_marks(block: Block, raw: str, rules: FurnitureRules) -> Block:
    """``block`` less a news lead at its start ("本报讯（记者 张三）") and an end mark at its
    end ("（完）") (rules ``[line.news_lead]``, ``[line.news_tail]``), its offsets moved in
    ``raw`` (the text the block's offsets point into) so that ``normalise(raw[start:end]) ==
    text`` still holds; the block itself when it has neither, or nothing else.

    >>> from kb.ingest.furniture import load_rules
    >>> raw = "本报讯（记者 张三） 昨日起，设备拆除。（完）"
    >>> trim_news_marks(Block(0, 0, len(raw), raw), raw, load_rules()).text
    '昨日起，设备拆除。'
    """
    lead = rules.line_match("news_lead", block.text)
    tail = rules.line_match("news_tail", block.text)
    head = lead.end() if lead else 0
    text = block.text[head : tail.start() if tail else len(block.text)]
    if not text.strip() or text == block.text:
        return block
    rest = block.text[head:]
    reach = range(block.start, min(block.end, block.start + _LEAD_REACH))
    start = next((k for k in reach if not raw[k].isspace() and normalise(raw[k : block.end]) == rest), None)
    if start is None:
        return block
    end = next(
        (k for k in range(block.end, max(start, block.end - _TAIL_REACH), -1) if normalise(raw[start:k]) == text),
        None,
    )
    if end is None:
        return block
    return Block(block.index, start, end, text, block.marker, block.quote_marked, block.indent, block.lines)


def word_units(text: str, units: int) -> int:
    """``units`` as words: Chinese text averages about two characters a word.

    The heading thresholds count words; ``text_units`` counts each CJK character.
    """
    return (units + 1) // 2 if is_cjk_text(text) else units


def fold(text: str) -> str:
    return text.translate(_QUOTE_FOLD).casefold().rstrip(" .:")


class Page:
    """Per-block features of one capture, computed once."""

    def __init__(self, blocks: Sequence[Block], rules: FurnitureRules, marks: Marks = NO_MARKS) -> None:
        self.blocks = blocks
        self.rules = rules
        # Blocks the file's own markup calls headings (Markdown ``#`` lines).
        self.marked_headings = frozenset(
            i for i, b in enumerate(blocks) if b.lines == 1 and any(s <= b.start < e for s, e in marks.headings)
        )
        # Blocks that start a footnote the markup marks as one (Markdown ``[^1]: …``).
        self.marked_notes = _starting_in(blocks, marks.notes)
        # Blocks the markup shows are a row of links and nothing else: a breadcrumb trail or a menu.
        self.link_rows = frozenset(i for i in _starting_in(blocks, marks.link_rows) if blocks[i].lines == 1)
        # Blocks that start on the line right under an image: its caption.
        self.marked_captions = _starting_in(blocks, marks.captions)
        self.sentences = tuple(split_sentences(b.text, rules) for b in blocks)
        self.folds = [fold(b.text) for b in blocks]
        self.fold_counts = Counter(self.folds)
        self.furniture = [self._local_furniture(i) for i in range(len(blocks))]
        # Running headers: lines whose left part before a separator stands on three lines or more
        # ("某某白皮书｜一、概况", "某某白皮书｜二、规则"): a converted document's page headers.
        lefts = [_running_left(b.text) for b in blocks]
        repeated = Counter(fold(x) for x in lefts if x)
        self.running_titles = frozenset(k for k, c in repeated.items() if c >= _RUNNING_MIN_LINES)
        for i, left in enumerate(lefts):
            if left and self.furniture[i] is None and fold(left) in self.running_titles:
                self.furniture[i] = "running-header"

    def _local_furniture(self, i: int) -> str | None:
        """Why block ``i`` is furniture whatever its position, or None."""
        found = block_furniture(self.blocks[i].text, self.sentences[i], self.rules)
        if found == "breadcrumb" and i in self.marked_headings and i not in self.link_rows:
            return None  # "# Name · Datasheet": a heading the writer marked, its parts no trail of links
        return "breadcrumb" if found is None and i in self.link_rows else found

    def _unmarked(self, i: int) -> str:
        """Block ``i``'s text without a news story's end mark ("……整改。（完）")."""
        text = self.blocks[i].text
        tail = self.rules.line_match("news_tail", text)
        return text[: tail.start()] if tail and tail.start() > 0 else text

    def ends_sentence(self, i: int) -> bool:
        return bool(ENDS_SENTENCE.search(self._unmarked(i)))

    def is_prose(self, i: int) -> bool:
        b = self.blocks[i]
        if b.units >= PROSE_UNTERMINATED_UNITS:
            return True
        return b.units >= PROSE_MIN_UNITS and self.ends_sentence(i) and not is_title_case(b.text)

    def heading_like(self, i: int) -> bool:
        b = self.blocks[i]
        text = self._unmarked(i).rstrip("”’\"')]»")
        if i in self.marked_headings:
            return any(c.isalpha() for c in text)
        if b.marker or b.quote_marked or b.lines > 1 or not any(c.isalpha() for c in text):
            return False
        units = word_units(b.text, b.units)
        if (
            units > HEADING_MAX_UNITS
            or len(text) > 200
            or text.endswith((".", "!", ";", ",", "…", "。", "！", "；", "，"))
        ):
            return False
        if text.endswith(("?", "？")):
            # Chinese headlines often end in a question: "孩子的脸，谁说了算？"
            return units <= (HEADING_MAX_UNITS if is_cjk_text(text) else QUESTION_HEADING_MAX_UNITS)
        if text.endswith((":", "：")):
            # "Key Takeaways:" is a heading; "Banned places include:" introduces a list.
            return units <= COLON_HEADING_MAX_UNITS and is_title_case(text)
        return True

    def is_caption(self, i: int) -> bool:
        """The line right under an image (the markup's word), or a short line right above a photo
        credit (a short Title Case line there is a heading; above the editors' credits, "编辑：…
        校对：…", is the article's last paragraph)."""
        if i in self.marked_captions:
            return True  # the markup says so: the line right under an image
        nxt, b = i + 1, self.blocks[i]
        return (
            nxt < len(self.blocks)
            and self.furniture[nxt] == "credit"
            and not self.rules.line_is("staff_credit", self.blocks[nxt].text)
            and b.marker is None
            and b.units <= CAPTION_MAX_UNITS
            and len(self.sentences[i]) <= CAPTION_MAX_SENTENCES
            and (not self.heading_like(i) or (b.units >= CAPTION_MIN_BARE_UNITS and not is_title_case(b.text)))
        )

    def bio_subject(self, i: int) -> str | None:
        """The person a short author-bio paragraph is about, if block ``i`` is one."""
        if len(self.sentences[i]) > BIO_MAX_SENTENCES or self.blocks[i].marker:
            return None
        text = self.blocks[i].text
        for s, e in self.sentences[i]:
            subject = self.rules.bio_subject(text[s:e])
            # A bio names where the person works: "... at the Council on Foreign Relations".
            if subject and AFFILIATION.search(text[s:e], len(subject)):
                return subject
        return None


# The votes an answer on a Q&A page has: "1,286 人赞同了该回答", "2.4K upvotes".
_VOTES = re.compile(r"赞同了该回答|人赞同|\bupvotes?\b", re.I)
_CJK_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_VOTES_REACH = 2  # the name, perhaps its one-line headline, then the votes


def answer_headers(page: Page, end: int) -> set[int]:
    """The blocks of each answer's header before ``end``: the answerer's name and the lines
    down to the votes (:func:`name_above_votes`)."""
    out: set[int] = set()
    for i in range(end):
        if name_above_votes(page, i):
            j = i
            while j < len(page.blocks) and page.furniture[j] is None and j - i <= _VOTES_REACH:
                out.add(j)
                j += 1
    return out


def name_above_votes(page: Page, i: int) -> str | None:
    """Block ``i`` is a bare name with an answer's vote count a line or two below it (a
    Q&A page: the answerer, their headline, "1,286 人赞同了该回答"): the author."""
    text = page.blocks[i].text
    if page.furniture[i] is not None or not (_CJK_PERSON.match(text) or BARE_NAME.match(text)):
        return None
    below = range(i + 1, min(i + 1 + _VOTES_REACH, len(page.blocks)))
    if not any(page.furniture[j] is not None and _VOTES.search(page.blocks[j].text) for j in below):
        return None
    return text


_PIPE = re.compile(r"\s+[|｜]\s+")


def names_by_outlet(page: Page, i: int, outlet: str) -> tuple[str, ...]:
    """Block ``i`` is "names | the site's name" (a by-line that names the outlet instead of
    saying "By"): the names."""
    parts = _PIPE.split(page.blocks[i].text)
    if len(parts) != 2 or fold(parts[1]) != fold(outlet):
        return ()
    return parse_byline("By " + parts[0], page.rules) or ()


_MASTHEAD_MAX_WORDS = 4


def wire_service(text: str, above: Sequence[str]) -> str | None:
    """The wire service a dateline opening ``text`` names, by the fuller name of the masthead
    above it when that begins with it ("(Eastbound)" under EASTBOUND NEWS), else as written.

    >>> wire_service("BEIJING, Sept 15 (Example) - Regulators said …", ["EXAMPLE NEWS", "World | China"])
    'Example News'
    >>> wire_service("BEIJING, Sept 15 (Example Wire) - …", ["EXAMPLE"]), wire_service("No dateline.", [])
    ('Example Wire', None)
    """
    m = dateline(text)
    if m is None or m.group("service") is None:
        return None
    name = m.group("service").strip()
    for line in above:
        words = line.split()
        fuller = " ".join(words).title() if line.isupper() else " ".join(words)
        if len(words) <= _MASTHEAD_MAX_WORDS and fuller.casefold().startswith(name.casefold() + " "):
            return fuller
    return name


_PRONOUN_START = re.compile(r"^\s*(?:He|She|They|His|Her|Their)\b")


def author_box(page: Page, i: int, authors: Sequence[str], *, spaced: bool = False) -> bool:
    """Block ``i`` is about ``authors`` and nothing else: each sentence opens with an author's
    name ("Jane Doe is a lawyer in Shanghai.", then perhaps "She used to …") or is furniture
    ("This post is not legal advice."). ``spaced``: the name must be followed by a space (a
    name read from the by-line, not declared: "许安然：…" opening a turn is no author box).
    """
    if not authors:
        return False
    text = page.blocks[i].text
    spans = page.sentences[i]

    def opens_with_author(sentence: str) -> bool:
        sentence = sentence.lstrip("*_ ")
        return any(sentence.startswith(a) and (not spaced or sentence[len(a) : len(a) + 1].isspace()) for a in authors)

    about = [opens_with_author(text[s:e]) for s, e in spans]
    # after a sentence naming the author, "He …"/"She …" go on about the same person
    about = [
        ab or (k > 0 and about[k - 1] and _PRONOUN_START.match(text[s:e]) is not None)
        for k, (ab, (s, e)) in enumerate(zip(about, spans, strict=True))
    ]
    return any(about) and all(ab or page.rules.sentence_cue(text[s:e]) for ab, (s, e) in zip(about, spans, strict=True))


# A site's name and its tagline after a dash: "THE FACE LEDGER — faces and the law, weekly".
MASTHEAD_TAGLINE = re.compile(r"\s+[—–]\s+|\s+-\s+(?=[A-Z])")


def masthead_like(page: Page, i: int, first_prose: int) -> bool:
    """Block ``i`` opens the page with a short name in capitals ("THE FACE LEDGER"), perhaps
    with its tagline after a dash, and a longer headline candidate follows before the text:
    the masthead, not the headline."""
    b = page.blocks[i]
    name = MASTHEAD_TAGLINE.split(b.text, maxsplit=1)[0]  # "SITE NAME — the site's tagline"
    if any(page.furniture[j] is None for j in range(i)) or not name.isupper():
        return False
    if word_units(name, len(name.split())) > 4:
        return False
    return any(
        page.furniture[j] is None and page.heading_like(j) and page.blocks[j].units > b.units
        for j in range(i + 1, min(first_prose + 1, len(page.blocks)))
    )


_SET_OFF = frozenset({"byline", "dateline", "menu", "breadcrumb"})  # what sets a tagline off from the headline


def masthead_tagline(page: Page, i: int, first_prose: int) -> bool:
    """Block ``i`` is the line under a masthead in capitals, set off from what follows by the
    issue's by-line, date, the site's menu or a rule, and a headline candidate still follows before the text:
    the newsletter's tagline ("THE EXAMPLE LEDGER" / "Faces and the law, every Thursday" /
    "Issue 27 · 5 February 2026"), not its headline."""
    if i == 0 or not masthead_like(page, i - 1, first_prose):
        return False
    after = i + 1
    if after >= len(page.blocks):
        return False
    set_off = page.furniture[after] in _SET_OFF or bool(RULE_LINE.match(page.blocks[after].text))
    return set_off and any(
        page.furniture[j] is None and page.heading_like(j)
        for j in range(after + 1, min(first_prose + 1, len(page.blocks)))
    )


# What a site's name carries besides the site: its help or press section, an event's edition year.
_SITE_SECTION = re.compile(
    r"\s+(?:(?:help|support|customer service|service) (?:center|centre)|knowledge base|newsroom|press room"
    r"|(?:19|20)\d{2})$",
    re.I,
)


# A paper's e-paper edition after its name: "某某日报数字报", "某某晚报电子版".
_EPAPER = re.compile(r"[\s\u3000]*(?:数字报|电子版|电子报|数字版|手机版|网络版)$")


def masthead_name(line: str) -> str:
    """A masthead without its section label ("PEARL RIVER POST | CITY", "某某法治报 · 以案说法",
    a breadcrumb's first crumb), its help section or an event's year, capitals made a title
    when it is several words (one word in capitals may be an acronym: NPR).

    >>> masthead_name("PEARL RIVER POST | CITY"), masthead_name("NPR"), masthead_name("某某日报｜法治")
    ('Pearl River Post', 'NPR', '某某日报')
    >>> masthead_name("Example Pay Help Center › Account"), masthead_name("某某法治报 · 以案说法")
    ('Example Pay', '某某法治报')
    >>> masthead_name("Example Policy Forum 2026"), masthead_name("某某日报数字报")
    ('Example Policy Forum', '某某日报')
    >>> masthead_name("THE EXAMPLE LEDGER — faces and the law")
    'The Example Ledger'
    """
    name = re.split(r"\s+[|｜·•›>»—–]\s+|｜", line, maxsplit=1)[0].strip()
    name = _SITE_SECTION.sub("", name).strip() or name
    name = _EPAPER.sub("", name) or name
    return name.title() if name.isupper() and len(name.split()) > 1 else name


# A tag in brackets: alone on a line, a column's ("【直播回放】", "[Transcript]"); before a
# headline, a forum post's kind ("[求助] …", "【提问】…"), not part of the title.
COLUMN_TAG = re.compile(r"^\s*(?:【[^【】]{1,12}】|\[[^\[\]]{1,12}\]|［[^［］]{1,12}］)\s*$")
TITLE_TAG = re.compile(r"^\s*(?:【[^【】]{1,6}】|\[[^\[\]]{1,6}\]|［[^［］]{1,6}］)\s*(?=\S)")


# A Chinese author box's name: "张三，某某律师事务所合伙人。" (the name, then a comma or a bracket).
_ZH_BOX_NAME = re.compile(r"^(?P<name>[\u4e00-\u9fff·]{2,4})(?:[，,（(]|\s)")
_BOX_SENTENCE = re.compile(r"(?<=[.。!?！？])\s*")
_BOX_REACH = 3  # the bios under an "About the authors" heading: at most this many blocks


def box_authors(page: Page, start: int) -> list[str]:
    """The names an author box after the text gives: "About the author: Jane Roe is a partner
    at …", "作者简介：张三，某某大学教授。", or the bios under an "About the authors" line. Each
    sentence that is a bio ("Jane Roe is …", ``[bio]``) names one; a Chinese box names the
    person before its first comma.
    """
    cue = next((r for r in page.rules.sentence_cues if r.name == "author_box"), None)
    names: list[str] = []
    for i in range(start, len(page.blocks)):
        text = page.blocks[i].text
        m = cue.match(text) if cue else None
        zh = "作者" in text  # 作者简介, 关于作者
        heading = m is None and page.rules.line_is("end_marker", text) and ("author" in text.casefold() or zh)
        if m is None and not heading:
            continue
        rest = text[m.end() :].strip() if m else ""
        texts = [rest] if rest else [b.text for b in page.blocks[i + 1 : i + 1 + _BOX_REACH]]
        for t in texts:
            found = [n for sentence in _BOX_SENTENCE.split(t) if (n := _box_name(page, sentence, chinese=zh))]
            if not found:
                break
            names += [n for n in found if n not in names]
        if names:
            return names
    return names


def _box_name(page: Page, sentence: str, *, chinese: bool) -> str | None:
    subject = page.rules.bio_subject(sentence)
    if subject:
        return subject
    zh = _ZH_BOX_NAME.match(sentence.strip()) if chinese else None
    return zh.group("name") if zh else None


_POSSESSIVE = re.compile(r"[’']s$")


def full_name(subject: str, text: str) -> str:
    """Expand a bio's first name ("Jeff is ...") from the same paragraph ("Jeff Ding's")."""
    if " " in subject:
        return subject
    m = re.search(rf"\b{re.escape(subject)}\s+([A-Z][\w-]+(?:[’']s)?)", text)
    return f"{subject} {_POSSESSIVE.sub('', m.group(1))}" if m else subject


def fully_quoted(text: str) -> bool:
    """“…” from first to last character, with no closing quote in between."""
    core = text.rstrip(".")
    return len(core) > 2 and core[0] == "“" and core[-1] == "”" and "”" not in core[:-1]


# A line that is only a long rule (20 or more: "=====…", "-----…"): a headline set off by one.
RULE_LINE = re.compile(r"^\s*(?:[=_─━~]{20,}|-{20,}|—{20,})\s*$")


TITLE_SUFFIX_MAX_CHARS = 40  # "Headline | Site Name" repeats the headline


def repeats_title(fold: str, title_fold: str) -> bool:
    """The headline again, perhaps with the site's name: "Headline – The Diplomat"."""
    if fold == title_fold:
        return True
    rest = fold.removeprefix(title_fold)
    return rest != fold and len(rest) <= TITLE_SUFFIX_MAX_CHARS and rest[:3].strip() in ("-", "–", "—", "|", ":")


# "知乎 © 2026", "© 2026 某某日报社 版权所有", "© 2025 老K的后院 · 由 Hugo 驱动": a Chinese site's name
# beside the © sign (a Latin letter or digit may stand inside it); "某某律师事务所　版权所有", "主办单位：
# 某某市网信办": the site's owner in its footer.
_CJK_COPYRIGHT = re.compile(
    r"^(?!版权所有)(?P<name>[\u4e00-\u9fff]{2,12})\s*©"
    r"|^版权所有\s*[:：]\s*(?P<held>[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,23})"
    r"|©\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?!版权)(?P<after>[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,15})"
    r"|^(?P<owner>[\u4e00-\u9fff]{2,20})[\s\u3000]*版权所有"
    r"|^主办(?:单位)?\s*[:：]\s*(?P<host>[\u4e00-\u9fff]{2,24})(?:[\s\u3000]|$)"
)


def cjk_site_owner(text: str) -> str | None:
    """The site's name or owner a Chinese page's copyright or host line states.

    >>> cjk_site_owner("© 2025 老K的后院 · 由 Hugo 驱动"), cjk_site_owner("某某律师事务所　版权所有　转载请注明出处")
    ('老K的后院', '某某律师事务所')
    >>> cjk_site_owner("主办单位：某某市网信办　　网站标识码：330700"), cjk_site_owner("主办方表示，版权归作者")
    ('某某市网信办', None)
    >>> cjk_site_owner("版权所有 © 2025 某某律师事务所 京ICP备1号"), cjk_site_owner("版权所有：某某律师事务所")
    ('某某律师事务所', '某某律师事务所')
    """
    m = _CJK_COPYRIGHT.search(text)
    return next((g for g in m.groups() if g), None) if m else None


# Where a page names its publisher when no masthead or source line does: a PDF's running head
# ("Example LLP | Client Briefing | Page 1 of 2"), a press release's closing "Source: Example Co.,
# Ltd." (a company's name), a show's name in 《》 before 播客/节目 ("《放学以后》播客 第12期文字稿").
_PUBLISHER = re.compile(
    r"^(?P<head>[^|｜]{2,60}?)\s*[|｜].{0,60}[|｜]\s*page \d+ of \d+$"
    r"|^source:\s*(?P<company>[A-Z][^.:;]{1,60}?(?:co\.,? ltd\.|inc\.|llc|ltd\.|limited|corporation|corp\.|group))\s*$"
    r"|《(?P<show>[^《》]{2,20})》(?:播客|节目|电台)",
    re.I,
)


def named_publisher(text: str) -> str | None:
    """The publisher a running head, a press release's source line or a show's title line names.

    >>> named_publisher("Example LLP | Client Briefing | Page 1 of 2"), named_publisher("Source: Example Co., Ltd.")
    ('Example LLP', 'Example Co., Ltd.')
    >>> named_publisher("《某某》播客 第12期文字稿：孩子的脸"), named_publisher("Source: the ministry's own figures")
    ('某某', None)
    """
    m = _PUBLISHER.search(text.strip())
    return next((g.strip() for g in m.groups() if g), None) if m else None
