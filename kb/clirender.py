"""Rendering for the CLI (rich). Library code never prints; only kb.cli calls this."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_build_report", "print_history", "print_show", "print_stats"]


def _console() -> Console:
    return Console(highlight=False)


def print_build_report(report: Any) -> None:
    console = _console()
    table = Table(title=f"Built {report.database} in {report.seconds} s")
    for col in ("document", "kind", "text", "articles", "passages"):
        table.add_column(col, justify="right" if col in ("articles", "passages") else "left")
    for d in report.per_document:
        table.add_row(
            d["id"],
            d["kind"],
            "yes" if d["text"] else "absent",
            str(d["articles"] or ""),
            str(d["passages"] or ""),
        )
    console.print(table)
    size = f"{report.size_bytes / 1e6:.1f} MB" if report.size_bytes else "?"
    console.print(
        f"documents {report.documents} · provisions {report.provisions} · articles {report.articles} · "
        f"passages {report.passages} · annotations {report.annotations} · links {report.links} · "
        f"warnings {len(report.warnings)} · {size}"
    )
    for w in report.warnings[:50]:
        console.print(f"[yellow]warning[/yellow] {w}")
    if len(report.warnings) > 50:
        console.print(f"… and {len(report.warnings) - 50} more warnings (see --json)")


def print_show(data: dict[str, Any]) -> None:
    console = _console()
    kind = data.get("type")
    if kind == "document":
        console.print(f"[bold]{data['id']}[/bold]  {data.get('title_zh') or ''}  {data.get('title_en') or ''}")
        console.print(f"kind {data['kind']} · status {data['status']} · text {data['text_status']}")
        for key in ("issuer", "adopted", "promulgated", "effective", "date", "outlet", "url"):
            if data.get(key):
                console.print(f"  {key}: {data[key]}")
        for entry in data.get("toc", [])[:400]:
            indent = {"book": 0, "subbook": 1, "chapter": 1, "section": 2, "preamble": 1, "article": 3}.get(
                entry["level"], 3
            )
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


def print_stats(data: dict[str, Any]) -> None:
    console = _console()
    console.print(data["build"])
    console.print(data["totals"])
    table = Table()
    for col in ("id", "kind", "status", "text", "articles", "provisions", "passages"):
        table.add_column(col)
    for d in data["documents"]:
        provs = sum(
            v for k, v in d.items() if k.endswith("s") and k not in ("status", "passages") and isinstance(v, int)
        )
        table.add_row(
            d["id"],
            d["kind"],
            d["status"],
            "yes" if d["text_available"] else "absent",
            str(d.get("articles", "")),
            str(provs or ""),
            str(d.get("passages", "")),
        )
    console.print(table)
