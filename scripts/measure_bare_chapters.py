"""Which statutes of a folder gain chapters from bare chapter-title lines, and how much text moves.

``kb.ingest.statute.promote_bare_chapter_titles`` turns a bare line such as
``网络素养促进`` (a chapter title printed without ``第二章``) into a chapter heading instead
of the last line of the article before it. This script parses every ``*.md``/``*.txt`` under
a folder with and without that step and prints the files that change: chapters before and
after, and the articles whose text changed.

    python scripts/measure_bare_chapters.py ../shared/corpus-scale [--list]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kb.ingest.statute as statute  # noqa: E402
from kb.errors import KBError  # noqa: E402
from kb.ingest.sources import read_source  # noqa: E402
from kb.model import DocumentMeta  # noqa: E402


def _articles(meta: DocumentMeta, src: statute.SourceText) -> tuple[int, dict[str, str]]:
    parsed = statute.parse_statute(meta, [src], strict=False)
    chapters = sum(1 for p in parsed.provisions if p.level == "chapter")
    return chapters, {p.eid: p.text for p in parsed.provisions if p.level == "article"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--list", action="store_true", help="print every changed file")
    args = parser.parse_args()
    files = sorted(p for p in args.folder.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())
    promote = statute.promote_bare_chapter_titles
    changed = articles_changed = chapters_added = unreadable = 0
    for path in files:
        rel = path.relative_to(args.folder).as_posix()
        try:
            src = read_source(args.folder, rel)
            per_file = [statute.blocks(src)]
        except KBError:
            unreadable += 1
            continue
        if promote(per_file) == [list(b) for b in per_file]:
            continue  # nothing promoted: the parse is the same by construction
        meta = DocumentMeta(id="x", kind="law")
        try:
            after_chapters, after = _articles(meta, src)
            statute.promote_bare_chapter_titles = lambda per_file: [list(b) for b in per_file]  # type: ignore[assignment]
            before_chapters, before = _articles(meta, src)
        except KBError as exc:
            print(f"{rel}: {exc}")
            continue
        finally:
            statute.promote_bare_chapter_titles = promote
        moved = [eid for eid in before if before[eid] != after.get(eid)]
        changed += 1
        articles_changed += len(moved)
        chapters_added += after_chapters - before_chapters
        if args.list:
            print(
                f"{rel}: chapters {before_chapters} -> {after_chapters}; articles changed {len(moved)}"
                f" ({', '.join(moved[:8])}{' …' if len(moved) > 8 else ''})"
            )
    print(
        f"{len(files)} files ({unreadable} unreadable): {changed} change, {chapters_added} chapters added, "
        f"{articles_changed} article texts lose a stray title line"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
