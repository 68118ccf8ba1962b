"""Our own unofficial English working translations (``corpus/translations/*.toml``).

One file per document, named ``<doc_id>.toml``::

    doc_id = "spc-frt-2021"
    status = "unofficial"
    complete = true          # false when only some articles are translated
    translator = "facelaw-kb project"
    note = "Unofficial English working translation ... the Chinese text prevails."

    [articles]
    preamble = "For the purposes of ..."
    art_1 = \"\"\"These Provisions apply to ...
    The processing of facial information includes ...\"\"\"

Keys are article eids (``art_13``, ``art_17-1`` for 第十七条之一) or ``preamble``. A
value is the article's text without its "Article N" label; each paragraph (款) and each
item (项, rendered ``(1) ...``) sits on its own line, so line *i* of the English
matches unit *i* of the Chinese article.

>>> from kb.settings import get_settings
>>> files = translation_files(get_settings().corpus_dir)
>>> files["spc-frt-2021"].articles["art_16"].splitlines()[0]
'These Provisions come into force on 1 August 2021.'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, StrictBool, ValidationError, field_validator

from kb.datafiles import RuleModel, rule_error
from kb.errors import ManifestError
from kb.ids import eid_sort_key
from kb.model import Translation
from kb.text.numerals import NUMERAL_CHARS

__all__ = [
    "KEY_RE",
    "STATUS",
    "TRANSLATIONS_DIR",
    "TranslationFile",
    "TranslationModel",
    "load_translations",
    "parse_translation_file",
    "read_translation_file",
    "translation_files",
]

TRANSLATIONS_DIR = "translations"
# The only status we may claim: these are working translations, never official ones.
STATUS = "unofficial"
# Article eids as kb.ingest.statute.eid_for writes them (art_17-1 is 第十七条之一), or the
# text before the first article. No leading zeros: art_01 would never match a provision.
KEY_RE = re.compile(r"^(art_[1-9]\d*(-[1-9]\d*)?|preamble)$")
# An "Article 5" / "第五条" label at the start of a value: the label belongs to the
# provision, not to its text, and would shift every line-by-line comparison.
# "Article 5 of this Law ..." is a legitimate opening, so a label is a number followed by
# punctuation, the end, or a new sentence.
_CN = NUMERAL_CHARS
_LABEL_RE = re.compile(
    rf"^(?:Article|Art\.)\s*\d+(?:\s*[.:：—–-]|\s*$|\s+[A-Z(“\"])|^第[{_CN}]+条(?:之[{_CN}]+)?(?:\s|$)"
)


def _article_key(key: str) -> str:
    if not KEY_RE.match(key):
        raise ValueError("not an article eid (art_<N>, art_<N>-<M>) or 'preamble'")
    return key


def _article_text(value: str) -> str:
    # Authors may end a multi-line string on its own line; that newline is not a unit.
    text = value.strip()
    if not text:
        raise ValueError("is empty")
    lines = text.split("\n")
    if any(not line.strip() for line in lines):
        raise ValueError("has a blank line; units are separated by single newlines")
    if _LABEL_RE.match(text):
        raise ValueError("starts with its article label; leave the label out")
    return "\n".join(line.strip() for line in lines)


ArticleKey = Annotated[str, AfterValidator(_article_key)]
ArticleText = Annotated[str, AfterValidator(_article_text)]


class TranslationModel(RuleModel):
    """One ``<doc_id>.toml`` as written; :func:`parse_translation_file` checks it against this."""

    doc_id: str
    status: Literal["unofficial"]  # STATUS: never official
    complete: StrictBool
    note: str
    translator: str | None = None
    articles: dict[ArticleKey, ArticleText]

    @field_validator("articles")
    @classmethod
    def _not_empty(cls, articles: dict[str, str]) -> dict[str, str]:
        if not articles:
            raise ValueError("is empty")
        return articles


@dataclass(frozen=True, slots=True)
class TranslationFile:
    """One validated ``<doc_id>.toml``; ``articles`` maps eid -> English text, in document order."""

    doc_id: str
    status: str
    complete: bool
    note: str
    articles: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    translator: str | None = None

    def translations(self) -> tuple[Translation, ...]:
        return tuple(Translation(self.doc_id, eid, text, self.status) for eid, text in self.articles.items())


def parse_translation_file(raw: Mapping[str, Any], *, origin: str, stem: str | None = None) -> TranslationFile:
    """Validate one decoded file; ``origin`` names it in errors, ``stem`` must equal doc_id.

    >>> parse_translation_file({"doc_id": "x", "status": "unofficial", "note": "", "articles": {}}, origin="x.toml")
    Traceback (most recent call last):
    ...
    kb.errors.ManifestError: x.toml: complete: Field required (and 1 more)
    """
    try:
        model = TranslationModel.model_validate(raw)
    except ValidationError as exc:
        raise ManifestError(str(rule_error(origin, exc))) from None
    if stem is not None and model.doc_id != stem:
        raise ManifestError(f"{origin}: doc_id: is {model.doc_id!r} but the file is named {stem!r}")
    ordered = {eid: model.articles[eid] for eid in sorted(model.articles, key=eid_sort_key)}
    return TranslationFile(
        doc_id=model.doc_id,
        status=model.status,
        complete=model.complete,
        note=model.note,
        articles=MappingProxyType(ordered),
        translator=model.translator,
    )


def read_translation_file(path: Path) -> TranslationFile:
    """Read and validate one file; every problem is a ManifestError naming ``path``."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from None
    return parse_translation_file(raw, origin=str(path), stem=path.stem)


def translation_files(corpus_dir: Path) -> dict[str, TranslationFile]:
    """Every ``<corpus_dir>/translations/*.toml``, by doc_id (sorted); {} when there are none."""
    folder = corpus_dir / TRANSLATIONS_DIR
    if not folder.is_dir():
        return {}
    files = (read_translation_file(path) for path in sorted(folder.glob("*.toml")))
    return {f.doc_id: f for f in files}


def load_translations(corpus_dir: Path) -> tuple[Translation, ...]:
    """All translated articles of all documents, by doc_id then document order."""
    return tuple(t for f in translation_files(corpus_dir).values() for t in f.translations())
