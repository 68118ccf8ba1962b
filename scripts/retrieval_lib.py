"""Pure helpers for the statute-retrieval evaluation (``scripts/bench_retrieval.py``).

Kept out of ``kb`` on purpose: the knowledge base does not grow evaluation code.

* the question set (``corpus/eval/retrieval.jsonl``): :func:`load_questions` reads and
  validates it into :class:`Question` rows whose relevant articles are :class:`Ref`;
* resolving a :class:`Ref` (title, optional date, article) to the documents that hold it:
  :func:`matching` works on any :class:`Candidate` list, built from the source texts
  (:func:`source_candidates`, for the test) or from a database (the bench script);
* checking the labels against the texts: :func:`article_eids`, :func:`check_ref`;
* ranking metrics: :func:`first_rank`, :func:`recall_at`, :func:`summarise`;
* query expansion data (``corpus/search/synonyms.toml``) and stopwords: :func:`load_synonyms`,
  :func:`expansion_terms`, :func:`phrase_in`, :func:`load_stopwords` (``kb.text.stopwords``) are re-exported
  from :mod:`kb.search.expand`, so the bench expands queries exactly as the search does.

>>> Ref("中华人民共和国刑法", 253, sub=1).eid
'art_253-1'
>>> first_rank(["a", "b", "c"], {"r1": frozenset({"c"}), "r2": frozenset({"x"})})
3
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.ingest.folder import header_dates
from kb.search.expand import SynonymEntry, content_terms, expansion_terms, load_synonyms, phrase_in
from kb.text.numerals import NUMERAL_CHARS
from kb.text.stopwords import load_stopwords

__all__ = [
    "SPLITS",
    "Candidate",
    "Question",
    "Ref",
    "Summary",
    "SynonymEntry",
    "article_eids",
    "check_ref",
    "collapse_versions",
    "drop_stopwords",
    "expansion_terms",
    "first_rank",
    "load_questions",
    "load_stopwords",
    "load_synonyms",
    "matching",
    "normalise_title",
    "parse_questions",
    "phrase_in",
    "recall_at",
    "reciprocal_rank",
    "source_candidates",
    "summarise",
    "version_groups",
]

LANGS = ("en", "zh")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUESTION_KEYS = {"id", "question", "lang", "relevant", "notes", "split"}
# dev: seen while writing corpus/search/synonyms.toml; heldout: written after it; test:
# written by someone who had read neither the synonyms nor the search code, but SPENT: the
# synonyms grew from 86 to 301 entries while it was in view and CI asserts on it (issue 15),
# so it no longer measures anything new (kept for history). fresh: 60 FR-domain questions
# written blind to the synonyms, stopwords, search code and measured figures (issue 15);
# tune nothing on it, report it once (see corpus/eval/README.md); now partly spent (looked at
# twice in issue 15). fresh2: 60 more, written blind the same way on 2026-12-07; same rules;
# now looked at twice (issue 15's last session). fresh3: 60 more, written blind the same way
# on 2026-12-07 to replace fresh2 as the held-out split; same rules; now looked at once (issue
# 15's seventh session), so spent. fresh4: 60 more, written blind the same way on 2026-12-07 to
# replace fresh3 as the held-out split; same rules; now looked at once (issue 15's eighth session),
# so spent. fresh5: 60 more, written blind the same way on 2026-12-07 to replace fresh4 as the
# held-out split; same rules.
SPLITS = ("dev", "heldout", "test", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")
_REF_KEYS = {"title", "article", "sub", "date", "any_version"}
# 第十三条 / 第二百五十三条之一 at the start of a line (after Markdown marks), followed by a
# space or the end of the line, as in kb.ingest.statute.ARTICLE_RE.
_NUM = NUMERAL_CHARS
_ARTICLE_LINE = re.compile(rf"^[#*>\s\u3000]*第 ?([{_NUM}]+) ?条(?: ?之([{_NUM}]+))?(?:[ \u3000\u00a0*]+|$)")
_DATE_IN_NAME = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[)）]")
_STATUTE_SUFFIXES = (".md", ".txt")


# ---------------------------------------------------------------- the question set


@dataclass(frozen=True)
class Ref:
    """One relevant article: a document title, which version, and the article number.

    ``date`` picks one version of a law that has several (any of its adoption,
    promulgation or effective dates, or the date in a corpus-scale file name);
    ``any_version`` says the article is relevant in every version (same number, same
    subject). ``sub`` is the 之一 of 第二百五十三条之一.
    """

    title: str
    article: int
    sub: int | None = None
    date: str | None = None
    any_version: bool = False

    @property
    def eid(self) -> str:
        """The article's eid in the knowledge base (``kb.ingest.statute.eid_for``)."""
        return f"art_{self.article}-{self.sub}" if self.sub else f"art_{self.article}"

    @property
    def key(self) -> str:
        """A readable unique key: ``title@date#art_N``."""
        when = self.date or ("*" if self.any_version else "")
        return f"{self.title}@{when}#{self.eid}"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    relevant: tuple[Ref, ...]
    notes: str = ""
    split: str = "dev"


def _ref(raw: Any, where: str) -> Ref:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: a relevant entry must be an object")
    unknown = set(raw) - _REF_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    title, article = raw.get("title"), raw.get("article")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"{where}: title must be a non-empty string")
    if not isinstance(article, int) or isinstance(article, bool) or article < 1:
        raise ValueError(f"{where}: article must be a positive integer")
    sub, date, any_version = raw.get("sub"), raw.get("date"), raw.get("any_version", False)
    if sub is not None and (not isinstance(sub, int) or isinstance(sub, bool) or sub < 1):
        raise ValueError(f"{where}: sub must be a positive integer")
    if date is not None and (not isinstance(date, str) or not _ISO_DATE.match(date)):
        raise ValueError(f"{where}: date must be YYYY-MM-DD")
    if not isinstance(any_version, bool):
        raise ValueError(f"{where}: any_version must be true or false")
    if date and any_version:
        raise ValueError(f"{where}: give a date or any_version, not both")
    return Ref(title=title, article=article, sub=sub, date=date, any_version=any_version)


def parse_questions(lines: Iterable[str], origin: str = "questions") -> list[Question]:
    """Questions from JSON Lines text; a malformed line is a ValueError naming it."""
    out: list[Question] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{origin}:{lineno}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected an object")
        unknown = set(raw) - _QUESTION_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        qid, text, lang, relevant = raw.get("id"), raw.get("question"), raw.get("lang"), raw.get("relevant")
        if not isinstance(qid, str) or not qid:
            raise ValueError(f"{where}: id must be a non-empty string")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: question must be a non-empty string")
        if lang not in LANGS:
            raise ValueError(f"{where}: lang must be one of {LANGS}")
        if not isinstance(relevant, list) or not relevant:
            raise ValueError(f"{where}: relevant must be a non-empty list")
        notes = raw.get("notes", "")
        if not isinstance(notes, str):
            raise ValueError(f"{where}: notes must be a string")
        split = raw.get("split", "dev")
        if split not in SPLITS:
            raise ValueError(f"{where}: split must be one of {SPLITS}")
        refs = tuple(_ref(r, f"{where} relevant[{i}]") for i, r in enumerate(relevant))
        out.append(Question(id=qid, question=text, lang=lang, relevant=refs, notes=notes, split=split))
    return out


def load_questions(path: Path) -> list[Question]:
    return parse_questions(path.read_text(encoding="utf-8").splitlines(), origin=str(path))


# ---------------------------------------------------------------- resolving references


def normalise_title(title: str) -> str:
    """A title for comparison: Markdown ``#`` and all whitespace removed."""
    return re.sub(r"\s+", "", title.strip().lstrip("\ufeff").lstrip("#"))


@dataclass(frozen=True)
class Candidate:
    """A document version a reference may point at: a database document or a source file.

    ``key`` identifies it (a document id or a path); ``dates`` are every date that names
    this version; ``paths`` are its source files (empty for database documents).
    """

    key: str
    title: str
    dates: frozenset[str]
    paths: tuple[Path, ...] = field(default=(), compare=False)


def matching(ref: Ref, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates ``ref`` names: same title, and the given date when there is one."""
    title = normalise_title(ref.title)
    same = [c for c in candidates if normalise_title(c.title) == title]
    if ref.date:
        same = [c for c in same if ref.date in c.dates]
    return same


def version_groups(candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    """Candidates grouped into versions: two are one version when they share a date.

    The same law can be both a manifest text and a corpus-scale file; they share a date.
    An undated candidate is a version of its own.
    """
    groups: list[list[Candidate]] = []
    for cand in candidates:
        joined = [g for g in groups if cand.dates and any(cand.dates & other.dates for other in g)]
        merged = [cand]
        for g in joined:
            merged.extend(g)
            groups.remove(g)
        groups.append(merged)
    return groups


def article_eids(text: str) -> set[str]:
    """The eids (``art_13``, ``art_253-1``) of the articles that open a line in ``text``."""
    from kb.text.numerals import cn_to_int

    out: set[str] = set()
    for line in text.splitlines():
        m = _ARTICLE_LINE.match(line)
        if m is None:
            continue
        try:
            number = cn_to_int(m.group(1))
            sub = cn_to_int(m.group(2)) if m.group(2) else None
        except ValueError:
            continue
        out.add(f"art_{number}-{sub}" if sub else f"art_{number}")
    return out


def check_ref(ref: Ref, candidates: Sequence[Candidate], read: Any = None) -> list[str]:
    """Problems with one reference against source candidates (empty when it is sound).

    The title must exist; a date must pick a version; without a date (and without
    ``any_version``) the title must have a single version; the article must open a line
    in every file set that the reference names. ``read(path) -> str`` reads a file.
    """
    reader = read or (lambda p: Path(p).read_text(encoding="utf-8", errors="replace"))
    title_only = matching(Ref(ref.title, ref.article), candidates)
    if not title_only:
        return [f"{ref.key}: no document titled {ref.title!r}"]
    found = matching(ref, candidates)
    if not found:
        dates = sorted({d for c in title_only for d in c.dates})
        return [f"{ref.key}: no version dated {ref.date} (dates: {', '.join(dates)})"]
    groups = version_groups(found)
    if not ref.date and not ref.any_version and len(groups) > 1:
        names = "; ".join(",".join(sorted(g[0].dates)) or g[0].key for g in groups)
        return [f"{ref.key}: {len(groups)} versions ({names}); give a date or any_version"]
    problems = []
    for cand in found:
        text = "\n".join(reader(p) for p in cand.paths)
        if ref.eid not in article_eids(text):
            problems.append(f"{ref.key}: {cand.key} has no 第{ref.article}条{'之' + str(ref.sub) if ref.sub else ''}")
    return problems


def _title(path: Path) -> str:
    """The first non-empty line, without Markdown ``#`` (the title the set must use)."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            title = normalise_title(line)
            if title:
                return title
    return path.stem


def _version_date(path: Path) -> str | None:
    """The date in the file name (``刑法(2020-12-26).md``), else the last dated line of
    the Markdown header (``2023年12月29日 …通过的《刑法修正案（十二）》``), which dates the
    version; None when there is neither."""
    m = _DATE_IN_NAME.search(path.name)
    return m.group(1) if m else header_dates(path)[1]


def source_candidates(source_root: Path, corpus_dir: Path | None = None) -> list[Candidate]:
    """Every statute text under the source root, as candidates (manifest documents first).

    Manifest documents keep their id as key and all their dates; other files under
    ``corpus-scale/`` are keyed by path, titled by their first line, dated by file name
    (else the last dated line of their header).
    """
    from kb.ingest.manifest import load_manifest

    out: list[Candidate] = []
    claimed: set[Path] = set()
    for doc in load_manifest(corpus_dir):
        if doc.is_commentary or not doc.sources or not doc.title_zh:
            continue
        paths = tuple((source_root / s.path).resolve() for s in doc.sources)
        claimed.update(paths)
        dates = frozenset(d for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d)
        out.append(Candidate(key=doc.id, title=doc.title_zh, dates=dates, paths=paths))
    scale = source_root / "corpus-scale"
    for path in sorted(scale.rglob("*")) if scale.is_dir() else []:
        if path.suffix not in _STATUTE_SUFFIXES or not path.is_file() or path.resolve() in claimed:
            continue
        rel = path.relative_to(source_root).as_posix()
        date = _version_date(path)
        out.append(Candidate(key=rel, title=_title(path), dates=frozenset({date} if date else ()), paths=(path,)))
    return out


# ---------------------------------------------------------------- metrics


def first_rank(ranked: Sequence[str], relevant: Mapping[str, frozenset[str]]) -> int | None:
    """1-based rank of the first result that belongs to any relevant reference."""
    wanted = frozenset().union(*relevant.values()) if relevant else frozenset()
    for i, result_id in enumerate(ranked, start=1):
        if result_id in wanted:
            return i
    return None


def recall_at(ranked: Sequence[str], relevant: Mapping[str, frozenset[str]], k: int) -> float:
    """Share of the references with at least one of their provisions in the top ``k``.

    A reference that maps to several provisions (duplicate copies of one version, or
    every version for ``any_version``) counts once.
    """
    if not relevant:
        return 0.0
    top = set(ranked[:k])
    return sum(1 for ids in relevant.values() if ids & top) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, frozenset[str]]) -> float:
    rank = first_rank(ranked, relevant)
    return 1.0 / rank if rank else 0.0


@dataclass(frozen=True)
class Summary:
    n: int
    recall_10: float
    recall_100: float
    mrr: float


def summarise(runs: Sequence[tuple[Sequence[str], Mapping[str, frozenset[str]]]]) -> Summary:
    """Mean Recall@10, Recall@100 and MRR over (ranked ids, relevant map) pairs."""
    n = len(runs)
    if n == 0:
        return Summary(0, 0.0, 0.0, 0.0)
    return Summary(
        n=n,
        recall_10=sum(recall_at(r, rel, 10) for r, rel in runs) / n,
        recall_100=sum(recall_at(r, rel, 100) for r, rel in runs) / n,
        mrr=sum(reciprocal_rank(r, rel) for r, rel in runs) / n,
    )


# ---------------------------------------------------------------- stopwords and versions


def drop_stopwords(terms: Sequence[str], stopwords: frozenset[str]) -> list[str]:
    """``terms`` without stopwords; all of them when every one is a stopword.

    >>> drop_stopwords(["how", "long", "can", "a", "company", "keep"], frozenset({"how", "can", "a"}))
    ['long', 'company', 'keep']
    >>> drop_stopwords(["的"], frozenset({"的"}))
    ['的']
    """
    return content_terms(terms, stopwords)


def collapse_versions(ranked: Sequence[str], work_of: Mapping[str, str]) -> list[str]:
    """Keep the first of the results that are one article in versions of one work.

    ``work_of`` maps a document id to its work (documents without one are their own
    work); ids are ``<doc_id>/<eid>``.

    >>> collapse_versions(["m-2024/art_72", "m-2020/art_72", "p/art_1"], {"m-2024": "m", "m-2020": "m"})
    ['m-2024/art_72', 'p/art_1']
    """
    seen: set[tuple[str, str]] = set()
    out = []
    for result in ranked:
        doc, _, eid = result.partition("/")
        key = (work_of.get(doc, doc), eid)
        if key not in seen:
            seen.add(key)
            out.append(result)
    return out
