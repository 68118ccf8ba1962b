"""YAML front matter of a user's commentary file, and the metadata fields it may set.

A ``.md`` or ``.txt`` commentary file may start with a YAML block between two ``---``
lines (Jekyll/Hugo style); an HTML page may carry the same block in its first comment
(``<!-- --- … --- -->``), to override what the page says of itself. The fields:

===========  =================================================================
``title``    the headline
``outlet``   the site, newspaper or newsletter
``authors``  a list of names, or one string (``"A; B"`` or ``"A, B"``)
``date``     ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
``url``      where the text was published
``language`` ``en`` or ``zh`` (a longer tag such as ``zh-CN`` is cut to its language)
``discusses``  document ids the text is about (checked against the knowledge base)
===========  =================================================================

The names other tools and people use for these fields are read as them
(:data:`KEY_ALIASES`: ``author``, ``published``, ``site``, ``lang``, ``作者`` …; when both
are given, ours wins). Other keys (``layout``, ``tags`` …) are kept out and reported as warnings. Anything
unreadable — YAML that does not parse, a block that is not a mapping, a field of the
wrong type, an impossible date, a block that never closes — is a
:class:`~kb.errors.ParseError` naming the file and line. YAML anchors and aliases are
refused (they are how a small file expands into a huge one).

>>> fm = split_front_matter("---\\ntitle: Faces\\ndate: 2025-03\\n---\\nBody.\\n", "a.md")
>>> fm.fields.title, fm.fields.date, fm.body_start
('Faces', '2025-03', 35)
>>> split_front_matter("No front matter.\\n", "a.txt").fields.title is None
True
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kb.errors import ParseError
from kb.ingest.datelines import parse_date_line

__all__ = [
    "FIELDS",
    "HTTP_URL",
    "MAX_FRONT_MATTER_CHARS",
    "NAME_SEPARATORS",
    "CommentaryFields",
    "FrontMatter",
    "split_front_matter",
]

# A front matter block is a few lines; a larger one is not metadata.
MAX_FRONT_MATTER_CHARS = 16_384
FIELDS = ("title", "outlet", "authors", "date", "url", "language", "discusses")
# Keys other tools (Jekyll, Hugo, Hexo, Ghost exports) and people use for those fields.
KEY_ALIASES = {
    "author": "authors",
    "by": "authors",
    "byline": "authors",
    "creator": "authors",
    "creators": "authors",
    "contributor": "authors",
    "contributors": "authors",
    "作者": "authors",
    "published": "date",
    "pubdate": "date",
    "publish_date": "date",
    "published_at": "date",
    "date_published": "date",
    "日期": "date",
    "发布日期": "date",
    "发布时间": "date",
    "site": "outlet",
    "site_name": "outlet",
    "publication": "outlet",
    "publisher": "outlet",
    "journal": "outlet",
    "source": "outlet",
    "来源": "outlet",
    "lang": "language",
    "link": "url",
    "permalink": "url",
    "canonical_url": "url",
    "标题": "title",
}

_OPEN = re.compile(r"\A\ufeff?---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
# Between the names of a list of authors: "A; B", "A, B and C", "甲、乙", "甲；乙", "甲，乙".
NAME_SEPARATORS = re.compile(r"\s*(?:;|；|,|、|，|\band\b|&)\s*")
_DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
HTTP_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.I)


class CommentaryFields(BaseModel):
    """What a file says of itself; ``None`` (or empty) is unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    url: str | None = None
    language: str | None = None
    discusses: tuple[str, ...] = ()
    unknown_keys: tuple[str, ...] = Field(default=(), exclude=True)
    dropped: tuple[str, ...] = Field(default=(), exclude=True)  # values left out, and why

    @field_validator("title", "outlet", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str | int | float):
            raise ValueError("must be text")
        text = " ".join(str(value).split())
        return text or None

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> str | None:
        # Shown as a link on the web pages: only http(s), never javascript: or data:.
        if value is None:
            return None
        if not isinstance(value, str) or not HTTP_URL.match(value.strip()):
            raise ValueError("must be an http:// or https:// address")
        return value.strip()

    @field_validator("authors", mode="before")
    @classmethod
    def _authors(cls, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str) and ";" in value:  # "Roe, Jane; Doe, John": one name per ;
            value = [" ".join(reversed(n.split(",", 1))) if n.count(",") == 1 else n for n in value.split(";")]
        elif isinstance(value, str):
            value = NAME_SEPARATORS.split(value)
        elif isinstance(value, list):  # a journal's contributors: [{name: A, affiliation: X}, …]
            value = [v.get("name") if isinstance(v, dict) else v for v in value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of names or one string")
        return tuple(n for n in (" ".join(v.split()) for v in value) if n)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError("must be YYYY, YYYY-MM or YYYY-MM-DD")
        return front_matter_date(value.strip())

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _LANGUAGE.match(value.strip()):
            raise ValueError("must be a language tag such as en or zh")
        return re.split(r"[-_]", value.strip())[0].lower()

    @field_validator("discusses", mode="before")
    @classmethod
    def _discusses(cls, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [v for v in re.split(r"[\s,]+", value) if v]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of document ids")
        bad = [v for v in value if not _DOC_ID.match(v)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a document id")
        return tuple(dict.fromkeys(value))


_YEAR_FIRST = re.compile(r"^(\d{4})[./](\d{1,2})(?:[./](\d{1,2}))?$")
# A time stamp as blog engines write it (Jekyll's 2025-03-04 09:15:00 +0800, Hugo's
# 2025-03-04T09:15:00+08:00): the day it was written, in the writer's own time zone.
_WITH_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$", re.I
)


def front_matter_date(text: str) -> str:
    """An ISO date, or a date written out as people write them in a header: ``2025年3月4日``,
    ``March 4, 2025``, ``4 March 2025``, ``March 2025`` (what a date line of the page itself
    may say, :func:`kb.ingest.datelines.parse_date_line`), or the year first with dots or
    slashes (``2025.03.04``, ``2025/3/4``). Anything else, or a day that does not exist, is a
    ValueError; so are day-or-month-first number forms such as ``04.03.2025``, whose order is
    ambiguous.

    A date with a time of day after it (``2025-03-04 09:15:00 +0800``, ``2025-03-04T09:15:00Z``)
    is that date.

    >>> front_matter_date("2025年3月4日"), front_matter_date("March 2025"), front_matter_date("2025.03.04")
    ('2025-03-04', '2025-03', '2025-03-04')
    >>> front_matter_date("2025-03-04 09:15:00 +1200"), front_matter_date("2025-03-04T09:15:00+08:00")
    ('2025-03-04', '2025-03-04')
    """
    stamped = _WITH_TIME.match(text.strip())
    if stamped:
        text = stamped.group(1)
    try:
        return check_iso_date(text)
    except ValueError:
        year_first = _YEAR_FIRST.match(text)
        if year_first:  # 2026.03.04, 2026/3/4: the year first is not ambiguous
            year, month, day = year_first.groups()
            text_iso = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
            try:
                return check_iso_date(text_iso)
            except ValueError:
                raise ValueError(f"{text} is not a date") from None
        written = parse_date_line(text)
        try:
            if written is None or not re.search(r"[^\d\s./-]", text):
                raise ValueError
            return check_iso_date(written)
        except ValueError:
            raise ValueError(
                f"{text} is not a date (YYYY-MM-DD, YYYY-MM, YYYY, 2025.03.04, 2025年3月4日 or March 4, 2025)"
            ) from None


def check_iso_date(text: str) -> str:
    """``text`` if it is ``YYYY``, ``YYYY-MM`` or a real ``YYYY-MM-DD``; else ValueError.

    >>> check_iso_date("2025-02")
    '2025-02'
    >>> check_iso_date("2025-02-30")
    Traceback (most recent call last):
        ...
    ValueError: 2025-02-30 is not a date (YYYY, YYYY-MM or YYYY-MM-DD)
    """
    m = _DATE.match(text)
    try:
        if not m:
            raise ValueError
        year, month, day = m.group(1), m.group(2), m.group(3)
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{text} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return text


@dataclass(frozen=True)
class FrontMatter:
    """The fields of a front matter block and where the text after it starts."""

    fields: CommentaryFields
    start: int = 0  # offset of the block's first character ("---"), when there is one
    body_start: int = 0  # offset of the first character after the closing line
    warnings: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return self.body_start > 0


def split_front_matter(text: str, path: str) -> FrontMatter:
    """The front matter at the start of ``text``, if any (offsets into ``text``).

    Raises :class:`~kb.errors.ParseError` naming ``path`` (and the line).
    """
    m = _OPEN.match(text)
    if not m:
        return FrontMatter(CommentaryFields())
    first_line = text.count("\n", 0, m.start()) + 1
    close = _CLOSE.search(text, m.end(), m.end() + MAX_FRONT_MATTER_CHARS + 8)
    if close is None:
        raise ParseError(
            f"front matter opened with '---' is not closed by a '---' line within {MAX_FRONT_MATTER_CHARS:,} "
            "characters",
            path=path,
            line=first_line,
        )
    block = text[m.end() : close.start()]
    raw = _load_yaml(block, path, first_line + 1)
    fields = parse_fields(raw, path, first_line)
    end = close.end() + (1 if text.startswith("\n", close.end()) else 0)
    warnings = tuple(
        f"{path}:{first_line}: front matter key {k!r} is not used (known: {', '.join(FIELDS)})"
        for k in fields.unknown_keys
    ) + tuple(f"{path}:{first_line}: front matter {why}: not used" for why in fields.dropped)
    return FrontMatter(fields, m.start(), end, warnings)


def parse_fields(raw: Any, path: str, line: int | None = None) -> CommentaryFields:
    """Validate a mapping of front-matter fields; unknown keys are set aside, not errors."""
    if raw is None:
        return CommentaryFields()
    if not isinstance(raw, dict):
        raise ParseError("front matter must be a mapping of fields (title: …, date: …)", path=path, line=line)
    keys = [str(k) for k in raw]
    known = {str(k): v for k, v in raw.items() if str(k) in FIELDS}
    for k, v in raw.items():  # other names people give the same fields; ours win
        field = KEY_ALIASES.get(str(k).strip().lower())
        if field == "outlet" and isinstance(v, str) and HTTP_URL.match(v.strip()):
            field = "url"  # a web clipper's "source: https://…" is the page's address, not its outlet
        if field is not None and field not in known:
            known[field] = v
    keys = [k for k in keys if k.strip().lower() not in KEY_ALIASES]
    dropped: tuple[str, ...] = ()
    if isinstance(known.get("url"), str) and _RELATIVE_ADDRESS.match(known["url"].strip()):
        dropped = (f"url {known.pop('url').strip()!r} is a path on its site, not an http(s) address",)
    try:
        fields = CommentaryFields.model_validate(known)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise ParseError(f"front matter field {where}: {msg}", path=path, line=line) from None
    return fields.model_copy(update={"unknown_keys": tuple(k for k in keys if k not in FIELDS), "dropped": dropped})


# A site's own path for a post (Jekyll's permalink "/2026/07/03/slug/", "posts/slug.html"): no
# scheme, so not an address to link to; the field is left out with a warning, not an error.
_RELATIVE_ADDRESS = re.compile(r"^(?![a-z][a-z0-9+.-]*:)[\w\-./~%?=&#]+$", re.I)


def _load_yaml(block: str, path: str, line: int) -> Any:
    try:
        for token in yaml.scan(block, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                raise ParseError(
                    "front matter uses YAML anchors or aliases (& *): not allowed",
                    path=path,
                    line=line + token.start_mark.line,
                )
        return yaml.safe_load(block)
    except ValueError as exc:  # a date YAML reads but the calendar has not: 2025-02-30
        raise ParseError(f"front matter has an impossible value: {exc}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = line + mark.line if mark is not None else line
        raise ParseError(f"front matter is not valid YAML: {problem}", path=path, line=where) from None
