"""Commentary a user adds: ``kb ingest --commentary DIR`` (and ``KB_COMMENTARY_DIRS``).

Every ``*.txt``, ``*.md``, ``*.html`` and ``*.htm`` file under DIR (hidden files and
folders skipped, sorted by path) becomes a commentary document beside the manifest's.

Ids. The file stem as an ASCII slug (:func:`slug_id`): lower case, every other run of
characters one ``-``; accents are dropped (``café`` → ``cafe``); a stem with no ASCII
letter is transliterated first (pypinyin for Chinese: ``人脸识别解读`` →
``ren-lian-shi-bie-jie-du``). The id depends only on the stem, so it is stable across
rebuilds; two files with one id, or a file with a manifest document's id, is an error
naming both.

Metadata, first found wins:

1. the file's own declaration: YAML front matter in ``.txt``/``.md``
   (:mod:`kb.ingest.frontmatter`), a front-matter comment in HTML;
2. the HTML page's metadata (:func:`kb.ingest.html.page_metadata`);
3. what the text says of itself (the cleaner's by-line, date line, headline, ©-holder);
4. otherwise unknown (``None``). The language, when not declared, is ``zh`` when most
   of the text is Chinese, else ``en``.

``discusses`` must name documents of the knowledge base. Errors — an unknown id, an
empty file, a file with no article text, unreadable front matter, a hostile file
(too big, binary, entity declarations, nesting too deep) — are
:class:`~kb.errors.SourceError` naming the file (its path as given on the command
line), so the build stops and the previous database keeps serving.

Passages: text formats go through the capture cleaner (:mod:`kb.ingest.commentary`)
on the file's text with markup masked (:mod:`kb.ingest.markup`), so offsets point into
the file; HTML goes through :mod:`kb.ingest.html`, and offsets point into the
extracted text (see there). Either way the file's sha256 is recorded.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kb.errors import ConfigError, EncodingError, ManifestError, SourceError
from kb.ingest.commentary import (
    BlockDecision,
    Layout,
    finish_decisions,
    parse_commentary,
    passages_from_layout,
    trim_lead_and_end,
)
from kb.ingest.commentary_blocks import ENDS_SENTENCE, Block, normalise
from kb.ingest.commentary_page import block_furniture
from kb.ingest.datelines import parse_date_line
from kb.ingest.frontmatter import HTTP_URL, CommentaryFields, split_front_matter
from kb.ingest.furniture import interviewer, load_rules, parse_byline, text_units, url_date
from kb.ingest.html import extract_page
from kb.ingest.markup import NO_MARKS, markdown_marks, mask_markup
from kb.ingest.normalize import is_cjk_text
from kb.ingest.sentences import split_sentences
from kb.ingest.sources import SourceText, read_source
from kb.model import DocumentMeta, ParsedCommentary, SourceRef

__all__ = [
    "FORMATS",
    "MAX_ARTICLE_CHARS",
    "MAX_COMMENTARY_BYTES",
    "UserCommentary",
    "UserFile",
    "discover",
    "load_user_commentary",
    "parse_user_file",
    "slug_id",
]

FORMATS: Mapping[str, Literal["txt", "md", "html"]] = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html"}
# An article, even a long HTML page with inline scripts and styles, is well under this.
MAX_COMMENTARY_BYTES = 2 * 1024 * 1024
# A page's headline is among its first few extracted blocks; a label of a few words above
# it is the section's kicker ("EDUCATION", "Analysis").
KICKER_BEFORE = 3
KICKER_MAX_UNITS = 3
# Article text (the decoded .txt/.md, the extracted text of a page): a 60-page report is
# about 200,000 characters. Cleaning and annotating run at about 100,000 characters a
# second, so this bounds one file at a few seconds of a build.
MAX_ARTICLE_CHARS = 400_000
# Share of control characters (other than tab, newline, form feed) above which a
# "text" file is binary data that happened to decode.
MAX_CONTROL_SHARE = 0.01

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def slug_id(stem: str) -> str:
    """The document id of a file stem (see the module docstring).

    >>> slug_id("FRT Measures — Explainer (2025)"), slug_id("Café_Rules")
    ('frt-measures-explainer-2025', 'cafe-rules')
    >>> slug_id("人脸识别新规解读")
    'ren-lian-shi-bie-xin-gui-jie-du'
    """
    ascii_form = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    if not re.search(r"[A-Za-z]", ascii_form):
        ascii_form = _transliterate(stem)
    return _NOT_SLUG.sub("-", ascii_form.lower()).strip("-")


def _transliterate(stem: str) -> str:
    from pypinyin import Style, lazy_pinyin  # loads its dictionary: only for Chinese stems

    if _HAN.search(stem):
        syllables = lazy_pinyin(stem, style=Style.NORMAL, errors="default")
        return " ".join(syllables)
    return unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")


@dataclass(frozen=True, slots=True)
class UserFile:
    """One file found under a commentary folder."""

    root: Path  # the folder given (resolved)
    rel: str  # POSIX path under ``root``
    fmt: Literal["txt", "md", "html"]
    doc_id: str
    shown: str  # the path as the user would name it, for messages

    @property
    def path(self) -> Path:
        return self.root / self.rel


@dataclass(frozen=True)
class UserCommentary:
    """A user file read, its metadata settled and its passages cut."""

    file: UserFile
    meta: DocumentMeta
    parsed: ParsedCommentary
    source: SourceText
    extracted_text: str | None = None  # HTML: the text passage offsets point into
    warnings: tuple[str, ...] = field(default_factory=tuple)


def discover(folders: Sequence[Path], *, taken: Mapping[str, str] | None = None) -> tuple[UserFile, ...]:
    """Every commentary file under ``folders``, with its id; clashes are errors.

    ``taken`` maps ids that exist already (the manifest's) to what holds them.
    """
    owners: dict[str, str] = dict(taken or {})
    seen_roots: set[Path] = set()
    found: list[UserFile] = []
    for folder in folders:
        if not folder.is_dir():
            raise ConfigError(f"--commentary {folder}: not a directory")
        root = folder.resolve()
        if root in seen_roots:
            continue
        seen_roots.add(root)
        for path in sorted(_walk(root)):
            rel = path.relative_to(root).as_posix()
            shown = str(folder / rel)
            doc_id = slug_id(path.stem)
            if not _ID.match(doc_id):
                raise SourceError(f"cannot make a document id from the file name (got {doc_id!r})", path=shown)
            if doc_id in owners:
                raise ManifestError(f"{shown}: document id {doc_id!r} is taken by {owners[doc_id]}: rename one of them")
            owners[doc_id] = shown
            found.append(UserFile(root, rel, FORMATS[path.suffix.lower()], doc_id, shown))
    return tuple(found)


def _walk(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") for p in parts):
            continue
        if path.suffix.lower() in FORMATS and path.is_file():
            yield path


@contextmanager
def _naming(file: UserFile) -> Iterator[None]:
    """Re-raise a source error under the path the user knows (``DIR/name.md``)."""
    try:
        yield
    except SourceError as exc:
        if exc.path == file.shown:
            raise
        where = exc.path if exc.line is None else f"{exc.path}:{exc.line}"
        message = str(exc).removeprefix(f"{where}: ") if where else str(exc)
        raise type(exc)(message, path=file.shown, line=exc.line) from None


def read_user_file(file: UserFile) -> SourceText:
    """The decoded file, refusing the too big and the binary."""
    size = file.path.stat().st_size
    if size > MAX_COMMENTARY_BYTES:
        raise EncodingError(
            f"file is {size:,} bytes, over the {MAX_COMMENTARY_BYTES >> 20} MiB limit of one commentary file",
            path=file.shown,
        )
    try:
        with _naming(file):
            text = read_source(file.root, file.rel, max_line_chars=None if file.fmt == "html" else MAX_ARTICLE_CHARS)
    except EncodingError as exc:
        # Neither UTF-8 nor GB18030: an HTML page may still say what it is (Shift_JIS, cp1252 …).
        declared = _declared_charset(file, None) if file.fmt == "html" and "GB18030" in str(exc) else None
        if declared is None:
            raise
        text = declared
    if file.fmt != "html":
        _check_article_size(len(text.text), file)
    if file.fmt == "html" and text.encoding not in ("utf-8", "utf-16"):
        text = _declared_charset(file, text) or text
    controls = len(_CONTROL.findall(text.text))
    if controls and controls > MAX_CONTROL_SHARE * len(text.text):
        raise EncodingError(
            f"{controls:,} control characters in {len(text.text):,}: binary data, not text", path=file.shown
        )
    return text


def _declared_charset(file: UserFile, text: SourceText | None) -> SourceText | None:
    """A page that is not UTF-8 and declares its charset (``<meta charset="big5">``) is
    decoded as it says; ``text`` (the GB18030 guess, or None) stays when it declares
    nothing usable."""
    data = file.path.read_bytes()
    m = _CHARSET.search(data[:4096])
    if not m:
        return text
    name = m.group(1).decode("ascii", "ignore").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return text
    if codec in ("gb18030", "gbk", "gb2312", "utf-8") and text is not None:
        return text
    try:
        decoded = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingError(f"declares charset {name} but is not {name} (byte {exc.start})", path=file.shown) from None
    decoded = decoded.replace("\r\n", "\n").replace("\r", "\n")
    note = f"{file.rel}: decoded as {codec}, the charset the page declares"
    if text is None:
        return SourceText(file.rel, decoded, hashlib.sha256(data).hexdigest(), len(data), codec, (note,))
    warnings = (*(w for w in text.warnings if "GB18030" not in w), note)
    return SourceText(text.path, decoded, text.sha256, text.size, codec, warnings)


def _check_article_size(chars: int, file: UserFile) -> None:
    if chars > MAX_ARTICLE_CHARS:
        raise EncodingError(
            f"{chars:,} characters of text, over the {MAX_ARTICLE_CHARS:,} limit of one article", path=file.shown
        )


def parse_user_file(file: UserFile, known_ids: frozenset[str]) -> UserCommentary:
    """Read, clean and describe one user file (see the module docstring)."""
    source = read_user_file(file)
    with _naming(file):
        if file.fmt == "html":
            return _parse_html(file, source, known_ids)
        return _parse_text(file, source, known_ids)


def _parse_text(file: UserFile, source: SourceText, known_ids: frozenset[str]) -> UserCommentary:
    fm = split_front_matter(source.text, file.rel)
    body_span = (fm.start, fm.body_start) if fm.present else None
    masked = mask_markup(source.text, "md" if file.fmt == "md" else "txt", front_matter=body_span)
    declared = fm.fields
    hint = DocumentMeta(id=file.doc_id, kind="commentary", title_en=declared.title, authors=declared.authors)
    marks = markdown_marks(source.text) if file.fmt == "md" else NO_MARKS
    parsed = parse_commentary(hint, masked, file.rel, marks=marks)
    meta = _meta(file, declared, parsed.extracted, _language(declared, masked), known_ids)
    warnings = (*fm.warnings, *parsed.warnings)
    return UserCommentary(file, meta, ParsedCommentary(meta, parsed.passages, parsed.extracted, warnings), source)


def _parse_html(file: UserFile, source: SourceText, known_ids: frozenset[str]) -> UserCommentary:
    page = extract_page(source.text, file.rel)
    _check_article_size(len(page.text), file)
    rules = load_rules()
    title_fold = normalise(page.metadata.title or "").casefold()
    decisions: list[BlockDecision] = []
    sentences: list[tuple[tuple[int, int], ...]] = []
    extracted: dict[str, str] = {"interviewer": page.interviewer} if page.interviewer else {}
    headline = next((i for i, hb in enumerate(page.blocks[:KICKER_BEFORE]) if hb.kind == "heading"), 0)
    for i, hb in enumerate(page.blocks):
        marker = "-" if hb.kind == "list_item" else None
        block = Block(index=i, start=hb.start, end=hb.end, text=normalise(hb.text), marker=marker)
        spans = split_sentences(block.text, rules)
        sentences.append(spans)
        reason = block_furniture(block.text, spans, rules)
        if reason is None and title_fold and block.text.casefold() == title_fold:
            reason = "title-repeat"
        if reason is None and i < headline and _kicker(block):
            reason = "kicker"  # "EDUCATION" above the headline: the section, not text
        if reason is not None:
            _note_dropped(reason, block.text, extracted)
            decisions.append(BlockDecision(block, False, reason))
        else:
            decisions.append(BlockDecision(block, True, "body", hb.kind))
    decisions = finish_decisions(decisions, rules)
    sentences = trim_lead_and_end(decisions, sentences, page.text, rules)
    layout = Layout(tuple(decisions), tuple(sentences), None, 0, len(decisions), extracted)
    passages = passages_from_layout(file.doc_id, layout, file.rel)
    language = page.language or _language(CommentaryFields(), page.text)
    meta = _meta(file, page.metadata, extracted, language, known_ids)
    parsed = ParsedCommentary(meta, passages, extracted, page.warnings)
    return UserCommentary(file, meta, parsed, source, extracted_text=page.text)


def _kicker(block: Block) -> bool:
    """A section label set above a page's headline: a few words, no sentence."""
    return text_units(block.text) <= KICKER_MAX_UNITS and not ENDS_SENTENCE.search(block.text)


def _note_dropped(reason: str, text: str, extracted: dict[str, str]) -> None:
    """What a by-line or date line the extractor kept says: authors and date, when the page's
    metadata lacks them."""
    if reason == "byline" and (asker := interviewer(text, load_rules())):
        extracted.setdefault("interviewer", asker)
    if reason == "byline" and "authors" not in extracted:
        names = parse_byline(text, load_rules())
        if names:
            extracted["authors"] = "; ".join(names)
    elif reason == "dateline" and "date" not in extracted:
        date = parse_date_line(text)
        if date:
            extracted["date"] = date


def _language(declared: CommentaryFields, text: str) -> str:
    if declared.language:
        return declared.language
    return "zh" if is_cjk_text(text, 0.3) else "en"


def _meta(
    file: UserFile,
    declared: CommentaryFields,
    extracted: Mapping[str, str],
    language: str,
    known_ids: frozenset[str],
) -> DocumentMeta:
    unknown = [d for d in declared.discusses if d not in known_ids]
    if unknown:
        raise SourceError(
            f"discusses unknown document id {unknown[0]!r} (not in the manifest or the other files)", path=file.shown
        )
    title = declared.title or extracted.get("title")
    authors = _declared_names(declared.authors) or tuple(a for a in extracted.get("authors", "").split("; ") if a)
    zh = language == "zh"
    url = declared.url or (u if (u := extracted.get("url")) and HTTP_URL.match(u) else None)
    extra: dict[str, Any] = {"language": language, "format": file.fmt, "user_file": True}
    if extracted.get("interviewer"):
        extra["interviewer"] = extracted["interviewer"]  # the asker of an interview's Q: turns
    return DocumentMeta(
        id=file.doc_id,
        kind="commentary",
        title_zh=title if zh else None,
        title_en=None if zh else title,
        # a date in the page's address only when the page states none ("/2026/10/23/")
        date=declared.date or extracted.get("date") or url_date(url, load_rules()),
        status="published",
        url=url,
        sources=(SourceRef(file.rel),),
        outlet=declared.outlet or extracted.get("outlet"),
        authors=authors,
        discusses=declared.discusses,
        extra=extra,
    )


def _declared_names(authors: Sequence[str]) -> tuple[str, ...]:
    """The names of declared authors; one given as a whole by-line ("某某晚报记者 张三 通讯员
    李四", "By Jane Doe") gives the names in it, not its role words."""
    rules = load_rules()
    names: list[str] = []
    for author in authors:
        names.extend(n for n in parse_byline(author, rules) or (author,) if n not in names)
    return tuple(names)


def load_user_commentary(folders: Sequence[Path], manifest: Sequence[DocumentMeta]) -> tuple[UserCommentary, ...]:
    """Discover, read and parse every commentary file under ``folders`` (in path order)."""
    files = discover(folders, taken={d.id: "the manifest" for d in manifest})
    known = frozenset(d.id for d in manifest) | frozenset(f.doc_id for f in files)
    return tuple(parse_user_file(f, known) for f in files)
