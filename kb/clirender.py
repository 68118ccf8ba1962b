"""Rendering for the CLI (rich). Library code never prints; only kb.cli calls this.

Output written to a terminal fits the terminal; output written to a file or a pipe is
never wrapped or cut (a console as wide as the longest line), so ids and Chinese text
survive ``kb show ... > file``. Tables never truncate an id column.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

__all__ = [
    "LineProgress",
    "print_build_report",
    "print_history",
    "print_resolved",
    "print_search",
    "print_show",
    "print_stats",
    "print_viewpoints",
    "warning_kind",
]

# Width of the console when output is not a terminal: wide enough that nothing wraps.
_UNWRAPPED = 100_000
# A build with more documents than this prints only its summary, unless --verbose.
TABLE_MAX_DOCUMENTS = 40
SLOWEST = 5


def _console(file: TextIO | None = None) -> Console:
    out = file or sys.stdout
    if out.isatty():
        return Console(file=out, highlight=False)
    return Console(file=out, highlight=False, width=_UNWRAPPED, soft_wrap=True)


def _id_column(table: Table, name: str) -> None:
    table.add_column(name, no_wrap=True)


def _print_table(console: Console, table: Table) -> None:
    """Print ``table`` at its natural width, even when the terminal is narrower: a
    terminal then wraps the long lines, but no cell (an id above all) is cut."""
    natural = Measurement.get(console, console.options.update_width(_UNWRAPPED), table).maximum
    if natural > console.width:
        console = Console(file=console.file, highlight=False, width=natural)
    console.print(table)


# ------------------------------------------------------------------------- kb ingest

# What varies inside one kind of warning: where it is, quoted text, numbers, Chinese labels.
_WHERE = re.compile(r"^[^:\s]+(?::\d+)?: ")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|《[^》]*》")
_NUMBER = re.compile(r"\d+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff（）、]+")


def warning_kind(warning: str) -> str:
    """A warning without its location and particulars, to count warnings of one kind.

    >>> warning_kind("laws/a.md:12: point 三 appears twice; kept as text")
    'point … appears twice; kept as text'
    >>> warning_kind("x-2020: skipped: laws/x.md: no articles (第X条) found")
    'skipped: laws/x.md: no articles (…X…) found'
    >>> warning_kind("a.md: title in text '甲' differs from manifest '乙'")
    'title in text … differs from manifest …'
    """
    text = _WHERE.sub("", warning, count=1)
    text = _QUOTED.sub("…", text)
    text = _HAN.sub("…", text)
    return _NUMBER.sub("N", text)


def print_build_report(report: Any, *, full: bool = False) -> None:
    """The build's summary: totals, warnings by kind, the slowest documents.

    The table of every document comes too when ``full`` or when the build is small
    (at most :data:`TABLE_MAX_DOCUMENTS` documents); ``--json`` has everything.
    """
    console = _console()
    docs = report.per_document
    if full or len(docs) <= TABLE_MAX_DOCUMENTS:
        table = Table(title="Documents")
        _id_column(table, "document")
        table.add_column("kind")
        table.add_column("text")
        table.add_column("articles", justify="right")
        table.add_column("passages", justify="right")
        for d in docs:
            table.add_row(
                d["id"], d["kind"], "yes" if d["text"] else "absent", str(d["articles"] or ""), str(d["passages"] or "")
            )
        _print_table(console, table)
    size = f"{report.size_bytes / 1e6:.1f} MB" if report.size_bytes else "?"
    console.print(f"Built {report.database} in {report.seconds} s ({size})")
    console.print(
        f"documents {report.documents} · provisions {report.provisions} · articles {report.articles} · "
        f"passages {report.passages} · annotations {report.annotations} · links {report.links} · "
        f"warnings {len(report.warnings)}"
    )
    if report.warnings:
        kinds = Counter(warning_kind(w) for w in report.warnings)
        console.print("warnings by kind:")
        for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])):
            example = next(w for w in report.warnings if warning_kind(w) == kind)
            console.print(f"  {n:>5}  {kind}  [dim](e.g. {example})[/dim]")
        if not full:
            console.print("  (every warning: kb ingest --verbose, or --json)")
        else:
            for w in report.warnings:
                console.print(f"[yellow]warning[/yellow] {w}")
    timed = sorted((d for d in docs if d.get("seconds")), key=lambda d: (-d["seconds"], d["id"]))
    if len(docs) > TABLE_MAX_DOCUMENTS and timed:
        console.print("slowest documents:")
        for d in timed[:SLOWEST]:
            console.print(f"  {d['seconds']:>7.2f} s  {d['id']}")


class LineProgress:
    """Progress as occasional plain lines (for a log file or a pipe), not a bar.

    A line when a phase starts and then at most every ``every`` seconds: the phase,
    done/total, the rate and the time left.
    """

    def __init__(self, file: TextIO | None = None, *, every: float = 5.0) -> None:
        self.file = file or sys.stderr
        self.every = every
        self.phase = ""
        self.phase_started = 0.0
        self.last = 0.0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if what != self.phase:
            self.phase, self.phase_started, self.last = what, now, now
            counts = f" ({total})" if total > 1 else ""
            print(f"{what}{counts}", file=self.file, flush=True)
            return
        if now - self.last < self.every or total <= 1:
            return
        self.last = now
        elapsed = now - self.phase_started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = f", about {_duration((total - done) / rate)} left" if rate > 0 else ""
        print(f"{what}: {done}/{total} ({rate:.1f}/s{left})", file=self.file, flush=True)


def _duration(seconds: float) -> str:
    """A wait, rounded to the second, in minutes and seconds.

    >>> _duration(75), _duration(3)
    ('1 min 15 s', '3 s')
    """
    s = round(seconds)
    return f"{s // 60} min {s % 60} s" if s >= 60 else f"{s} s"


# --------------------------------------------------------------------------- kb show

_INDENT = {"book": 0, "subbook": 1, "chapter": 1, "section": 2, "preamble": 1, "article": 3}


def print_show(data: dict[str, Any]) -> None:
    console = _console()
    kind = data.get("type")
    if kind == "document":
        console.print(f"[bold]{data['id']}[/bold]  {data.get('title_zh') or ''}  {data.get('title_en') or ''}")
        console.print(f"kind {data['kind']} · status {data['status']} · text {data['text_status']}")
        for key in ("issuer", "adopted", "promulgated", "effective", "date", "outlet", "url"):
            if data.get(key):
                console.print(f"  {key}: {data[key]}")
        if data.get("authors"):
            console.print(f"  authors: {'; '.join(data['authors'])}")
        for p in data.get("passages", []):
            _print_passage_line(console, p)
        for entry in data.get("toc", [])[:400]:
            indent = _INDENT.get(entry["level"], 3)
            console.print("  " * indent + f"{entry['label']} {entry.get('heading') or ''}  [dim]{entry['id']}[/dim]")
    elif kind == "provision":
        console.print(f"[bold]{data['id']}[/bold]  {data['label']} {data.get('heading') or ''}")
        console.print(" › ".join(f"{p['label']} {p.get('heading') or ''}" for p in data.get("path", [])))
        console.print(data["text"])
        if data.get("text_en"):
            console.print(f"[dim]English ({data['translation_status']}):[/dim] {data['text_en']}")
        topics = sorted({t["label"] for t in data.get("topics", [])})
        if topics:
            console.print(f"topics: {', '.join(topics)}")
        for link in data.get("commentary", [])[:10]:
            console.print(f"  discussed by {link['src']} (score {link['score']})")
    else:
        console.print(f"[bold]{data['id']}[/bold]  speaker {data['speaker'].get('name')} · stance {data.get('stance')}")
        console.print(data["text"])
        for link in data.get("links", [])[:10]:
            console.print(f"  → {link['provision_id']} {link['kind']} {link['score']}")


_SHOWN_LINKS = 3  # links per passage under a commentary document (kb show <passage id> for all)
_SNIPPET = 110


def _print_passage_line(console: Console, p: dict[str, Any]) -> None:
    """One passage of a commentary document: its id, topics, speaker (unless the authors, listed
    above) and opening words, then its strongest links."""
    text = " ".join(p["text"].split())
    text = text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"
    speaker = p["speaker"]
    who = None if speaker.get("kind") == "author" else speaker.get("name") or speaker.get("role")
    topics = f" [dim]\\[{', '.join(p['topics'])}][/dim]" if p["topics"] else ""
    said = f"[italic]{escape(who)}:[/italic] " if who else ""
    console.print(f"[dim]{p['id']}[/dim]{topics}  {said}{escape(text)}")
    best: dict[str, dict[str, Any]] = {}
    for link in p["links"]:  # strongest first: a provision cited and discussed is listed once
        best.setdefault(link["id"], link)
    for link in list(best.values())[:_SHOWN_LINKS]:
        name = escape(link.get("short_name") or link["id"])
        console.print(f"    → {name}  [dim]{link['id']} {link['kind']} {link['score']:.2f}[/dim]")


def _diff_markup(diff: list[dict[str, str]]) -> str:
    """A word diff as one line, wdiff style so that it reads without colour too:
    ``[-deleted-]`` in red, ``{+inserted+}`` in green."""
    from rich.markup import escape

    out: list[str] = []
    for op in diff:
        if op["op"] == "equal":
            out.append(escape(op["new"]))
            continue
        if op["old"]:
            out.append(f"[red]{escape('[-' + op['old'] + '-]')}[/red]")
        if op["new"]:
            out.append(f"[green]{escape('{+' + op['new'] + '+}')}[/green]")
    return "".join(out)


def print_history(data: dict[str, Any]) -> None:
    """``kb show ID --history``: the article in every version, oldest first, with diffs."""
    console = _console()
    console.print(f"[bold]history of {data['article_id']}[/bold] · work {data.get('work')} · {data['changes']} changes")
    for e in data["results"]:
        dates = " · ".join(f"{k} {e[k]}" for k in ("promulgated", "effective") if e.get(k))
        where = f"{e['label']} ({e['id']})" if e.get("id") else "—"
        renumbered = ", renumbered" if e.get("renumbered") else ""
        console.print(f"\n[bold]{e['doc_id']}[/bold] ({e['status']}) {dates}")
        console.print(f"  {where}: [bold]{e['change']}[/bold]{renumbered}")
        if e["change"] == "changed" and e.get("diff"):
            console.print("  " + _diff_markup(e["diff"]))
        elif e.get("text"):
            console.print("  " + e["text"].replace("\n", "\n  "), markup=False)


# -------------------------------------------------------------------------- kb stats


def print_stats(data: dict[str, Any]) -> None:
    """The build, the totals and one row per document, as tables (``--json`` for machines)."""
    console = _console()
    build = data["build"]
    info = Table(title="Build", show_header=False)
    info.add_column("key")
    info.add_column("value")
    for key in ("built_at", "code_version", "schema_version", "corpus_hash", "source_root", "folders"):
        if build.get(key):
            info.add_row(key.replace("_", " "), str(build[key]))
    _print_table(console, info)
    totals = Table(title="Totals", show_header=False)
    totals.add_column("what")
    totals.add_column("count", justify="right")
    for key, value in data["totals"].items():
        if isinstance(value, dict):
            totals.add_row(key.replace("_", " "), str(sum(value.values())))
            for sub, n in sorted(value.items()):
                totals.add_row(f"  {sub.replace('_', ' ')}", str(n))
        else:
            totals.add_row(key.replace("_", " "), str(value))
    _print_table(console, totals)
    table = Table(title="Documents")
    _id_column(table, "id")
    for col in ("kind", "status", "text"):
        table.add_column(col)
    for col in ("articles", "provisions", "passages"):
        table.add_column(col, justify="right")
    for d in data["documents"]:
        # every count but passages is a count of provisions of one level ("articles", "items", ...)
        provisions = sum(v for k, v in d.items() if type(v) is int and k != "passages")
        table.add_row(
            d["id"],
            d["kind"],
            d["status"],
            "yes" if d["text_available"] else "absent",
            str(d.get("articles", "") or ""),
            str(provisions or ""),
            str(d.get("passages", "") or ""),
        )
    _print_table(console, table)


# ------------------------------------------------------------------ search, resolve, viewpoints

_MARK = re.compile(r"</?mark>")


def _marked(snippet: str) -> str:
    """A search snippet's ``<mark>`` words in bold, everything else printed as it is."""
    parts = _MARK.split(snippet)
    return "".join(escape(p) if i % 2 == 0 else f"[bold]{escape(p)}[/bold]" for i, p in enumerate(parts))


def print_search(data: dict[str, Any]) -> None:
    console = _console()
    results = data["results"]
    expanded = ", ".join(data.get("expanded_terms") or [])
    console.print(
        f"{data['count']} result(s) for {escape(data['query'])!r}"
        + (f" (also searched: {escape(expanded)})" if expanded else "")
    )
    for n, hit in enumerate(results, 1):
        head = f"{escape(hit.get('label') or '')}  {escape(hit.get('document_title') or '')}"
        console.print(f"\n{n}. [bold]{hit['id']}[/bold]  {head}  [dim]score {hit['score']}[/dim]")
        console.print("   " + _marked(hit.get("snippet") or "").replace("\n", "\n   "))
    broader = data.get("any_words_count")
    if broader is not None and broader > data["count"]:
        console.print(f"\nAny of these words: {broader} results (kb search --any {escape(data['query'])!r})")


def print_resolved(results: list[dict[str, Any]]) -> None:
    console = _console()
    if not results:
        console.print("no statute citation found")
    for r in results:
        version = r.get("version") or {}
        line = f"{escape(r['text'])!r}  {r['status']}"
        if r.get("ids"):
            line += "  → " + ", ".join(r["ids"])
        if version.get("in_force_from"):
            line += f"  [dim](version in force from {version['in_force_from']})[/dim]"
        if r.get("note"):
            line += f"  [dim]{escape(r['note'])}[/dim]"
        console.print(line)


def print_viewpoints(data: dict[str, Any]) -> None:
    console = _console()
    topic = data["topic"]
    console.print(f"[bold]{topic['id']}[/bold]  {escape(topic.get('label_en') or '')} / {topic.get('label_zh') or ''}")
    if not data["documents"]:
        console.print("no commentary passage has this topic")
    for entry in data["documents"]:
        doc = entry["document"]
        title = escape(doc.get("title_en") or doc.get("title_zh") or "")
        console.print(f"\n[bold]{doc['id']}[/bold]  {title} ({doc.get('date') or 'undated'})")
        for sp in entry["speakers"]:
            who = sp["speaker"].get("name") or "the author"
            console.print(f"  {escape(who)}: {sp['stance']}  [dim]{len(sp['passages'])} passage(s)[/dim]")
            provisions = ", ".join(p["id"] for p in sp["provisions"][:6])
            if provisions:
                console.print(f"    discusses {provisions}")
