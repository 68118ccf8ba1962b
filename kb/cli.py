"""The ``kb`` command line: thin commands over library functions.

Each command parses its options, calls one library function, prints the result
(text or ``--json``) and maps :class:`kb.errors.KBError` to a one-line message and
exit code 1 (2 for usage errors, from click).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

import click

from kb.errors import ConfigError, KBError
from kb.settings import Settings, database_url_from

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])
# A search that finds fewer results with all of its words says what any of them find.
BROADER_BELOW = 3
# `kb serve`'s worker processes by default: one per core, at most this many (each holds its own
# caches and search index: about 450 MB at full scale).
SERVE_WORKERS = 4
ResultType = Literal["provision", "passage"]
RESULT_TYPES: tuple[str, ...] = get_args(ResultType)
CiteFormat = Literal["text", "three-script", "csl-json", "bibtex", "ris", "json"]
CITE_FORMATS: tuple[str, ...] = get_args(CiteFormat)


def _settings(db: str | None, source_root: str | None, commentary: tuple[Path, ...] = ()) -> Settings:
    """Settings from the environment and the flags; a flag that cannot work raises ConfigError."""
    overrides: dict[str, Any] = {}
    if commentary:
        overrides["commentary_dirs"] = list(commentary)
    if db:
        overrides["database_url"] = database_url_from(db)
    if source_root:
        root = Path(source_root).expanduser().resolve()
        if not root.is_dir():
            raise ConfigError(f"--source-root {source_root}: no such directory")
        overrides["source_root"] = root
    return Settings(**overrides)


def _built_settings(db: str | None, source_root: str | None) -> Settings:
    """:func:`_settings` for a command that reads a built database: checks that it opens
    (exists, is reachable, is a knowledge base), so every problem is one line."""
    from kb.read import query

    settings = _settings(db, source_root)
    with query.open_reader(settings):
        pass
    return settings


def common_options(func: F) -> F:
    func = click.option(
        "--db",
        "db",
        metavar="PATH_OR_URL",
        help="Database file or SQLAlchemy URL (overrides KB_DATABASE_URL).",
    )(func)
    func = click.option(
        "--source-root", metavar="DIR", help="Where third-party texts live (overrides KB_SOURCE_ROOT)."
    )(func)
    return func


def _output(data: Any, as_json: bool, renderer: str) -> None:
    """``data`` as indented JSON, or as text through ``kb.clirender.<renderer>`` (imported only then)."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from kb import clirender

    getattr(clirender, renderer)(data)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except KBError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug, jieba's included).")
@click.version_option(package_name="facelaw-kb")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """facelaw-kb: China's facial recognition rules and the commentary on them."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"verbose": verbose}


@cli.command()
@common_options
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also ingest every statute file under DIR (ids from titles and dates). Repeatable.",
)
@click.option(
    "--commentary",
    "commentary",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Add every *.txt, *.md, *.html file under DIR as commentary (overrides KB_COMMENTARY_DIRS). Repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the build report as JSON.")
@click.option("--verbose", "full", is_flag=True, help="Print every document and every warning, not only the summary.")
@click.option("--quiet", is_flag=True, help="No progress (bar on a terminal, else a line every few seconds on stderr).")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: up to 2, one per core)."
)
@click.pass_context
def ingest(
    ctx: click.Context,
    db: str | None,
    source_root: str | None,
    sources: tuple[Path, ...],
    commentary: tuple[Path, ...],
    as_json: bool,
    full: bool,
    quiet: bool,
    workers: int | None,
) -> None:
    """Build the knowledge base from the manifest (and --source and --commentary folders), atomically.

    Prints a summary (totals, warnings by kind, slowest documents) and, for builds of up
    to 40 documents or with --verbose, a table of every document.

    Example: kb ingest --commentary ~/notes/frt-articles
    """
    from kb.pipeline import build

    with _errors():
        settings = _settings(db, source_root, commentary)
        if quiet:
            report = build(settings, sources, workers=workers)
        elif not sys.stderr.isatty():
            from kb.clirender import LineProgress

            report = build(settings, sources, progress=LineProgress(), workers=workers)
        else:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            with Progress(
                TextColumn("{task.description:<40}"), BarColumn(), TimeRemainingColumn(), transient=True
            ) as bar:
                task = bar.add_task("building", total=1)

                def tick(what: str, done: int, total: int) -> None:
                    bar.update(task, description=what[:40], completed=done, total=total)

                report = build(settings, sources, progress=tick, workers=workers)
    if as_json:
        from dataclasses import asdict

        click.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))
        return
    from kb.clirender import print_build_report

    print_build_report(report, full=full or bool(ctx.obj and ctx.obj.get("verbose")))


@cli.command()
@common_options
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--history", is_flag=True, help="The article in every version of its law, with what changed.")
def show(db: str | None, source_root: str | None, target: str, as_json: bool, history: bool) -> None:
    """Show a document (DOC_ID) or a provision or passage (DOC_ID/EID).

    Example: kb show pipl-2021/art_13; kb show csl-2016/art_41 --history
    """
    from kb.read import query

    with _errors():
        settings = _settings(db, source_root)
        with query.open_reader(settings) as reader:
            data = query.provision_history(reader, target) if history else query.show(reader, target)
    _output(data, as_json, "print_history" if history else "print_show")


@cli.command()
@common_options
@click.argument("text", metavar="QUERY")
@click.option("--type", "kind", type=click.Choice(RESULT_TYPES), help="Only provisions, or only passages.")
@click.option("--doc", metavar="DOC_ID", help="Only this document (pipl-2021).")
@click.option("--topic", metavar="TOPIC", help="Only this topic (consent, minors, government-exceptions, ...).")
@click.option("--any", "any_word", is_flag=True, help="Rank by any of the words (default: all of them first).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(
    db: str | None,
    source_root: str | None,
    text: str,
    kind: ResultType | None,
    doc: str | None,
    topic: str | None,
    any_word: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Search the statutes (Chinese text, unofficial English) and the commentary.

    Example: kb search "人脸识别 单独同意"; kb search "facial recognition consent" --type provision
    """
    import kb.search as fts
    from kb.read import query

    with _errors():
        settings = _settings(db, source_root)
        with query.open_reader(settings) as reader:

            def run(mode: Literal["all", "any"], n: int) -> dict[str, Any]:
                return fts.search(
                    reader, text, mode=mode, type=kind, doc=doc, topic=topic, limit=n,
                    max_query_length=settings.max_query_length,
                )  # fmt: skip

            data = run("any" if any_word else "all", limit)
            if not any_word and data["count"] < BROADER_BELOW:  # never a dead end: say what "any" finds
                data["any_words_count"] = run("any", 1)["count"]
    _output(data, as_json, "print_search")


@cli.command()
@common_options
@click.argument("text")
@click.option("--date", metavar="YYYY[-MM[-DD]]", help="Date of the citing text: picks the version in force then.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def resolve(db: str | None, source_root: str | None, text: str, date: str | None, as_json: bool) -> None:
    """Find the statute citations in a text and resolve them to provision ids.

    Example: kb resolve "Article 41 of the Cybersecurity Law" --date 2019
    """
    from kb.read import query

    with _errors():
        settings = _settings(db, source_root)
        with query.open_reader(settings) as reader:
            results = query.resolve_citations(reader, text, date, max_length=settings.max_query_length * 10)
    _output(results, as_json, "print_resolved")


@cli.command()
@common_options
@click.argument("target")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(CITE_FORMATS),
    default="text",
    show_default=True,
)
def cite(db: str | None, source_root: str | None, target: str, fmt: CiteFormat) -> None:
    """Cite a document (DOC_ID) or provision (DOC_ID/EID), for a paper or a reference manager.

    Example: kb cite pipl-2021/art_13__para_1 --format bibtex
    """
    from kb.ids import node_type, split_provision_id
    from kb.read import citeformat, query

    with _errors():
        settings = _settings(db, source_root)
        doc_id, eid = split_provision_id(target) if node_type(target) != "document" else (target, None)
        with query.open_reader(settings) as reader:
            record = query.cite(reader, doc_id, eid, base_url=settings.public_url)
        out = citeformat.render(record, fmt)
    click.echo(out if isinstance(out, str) else json.dumps(out, ensure_ascii=False, indent=2))


@cli.command()
@common_options
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def viewpoints(db: str | None, source_root: str | None, topic: str, as_json: bool) -> None:
    """What the commentary says on a topic, by source and speaker, with stances and provisions.

    Example: kb viewpoints minors
    """
    from kb.read import query

    with _errors():
        settings = _settings(db, source_root)
        with query.open_reader(settings) as reader:
            data = query.topic_viewpoints(reader, topic)
    _output(data, as_json, "print_viewpoints")


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(db: str | None, source_root: str | None, as_json: bool) -> None:
    """Counts of what the database holds, per document and overall.

    Example: kb stats --json
    """
    from kb.read import query

    with _errors():
        settings = _settings(db, source_root)
        with query.open_reader(settings) as reader:
            data = query.stats(reader)
    _output(data, as_json, "print_stats")


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(db: str | None, source_root: str | None, as_json: bool) -> None:
    """Check a built database: integrity, full-text index, counts, source hashes.

    Exits 1 when anything is wrong. Example: kb verify
    """
    from kb.store.verify import verify_database

    with _errors():
        settings = _built_settings(db, source_root)
    report = verify_database(settings.database_url, settings.source_root)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"integrity: {report.get('integrity_check', 'n/a')} · index: {report.get('fts', 'n/a')}")
        click.echo(" · ".join(f"{k} {v}" for k, v in report["counts"].items()))
        for problem in report["problems"]:
            click.echo(f"problem: {problem}")
        click.echo("ok" if report["ok"] else "NOT OK")
    sys.exit(0 if report["ok"] else 1)


@cli.command()
@common_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help=f"Worker processes (default: one per core, up to {SERVE_WORKERS}): a search is CPU-bound Python.",
)
def serve(db: str | None, source_root: str | None, host: str, port: int, workers: int | None) -> None:
    """Serve the read-only API and web interface with uvicorn.

    Example: kb serve --port 8000
    """
    import os

    import uvicorn

    from kb.pipeline.parallel import default_workers

    if workers is None:
        workers = default_workers(SERVE_WORKERS)

    with _errors():
        settings = _built_settings(db, source_root)
    # Workers are separate processes: hand them the settings through the environment.
    os.environ["KB_DATABASE_URL"] = settings.database_url
    os.environ["KB_SOURCE_ROOT"] = str(settings.source_root)
    uvicorn.run("api.app:create_app_from_env", factory=True, host=host, port=port, workers=workers, log_level="info")


@cli.command()
@common_options
def mcp(db: str | None, source_root: str | None) -> None:
    """Serve the knowledge base to AI agents over the Model Context Protocol, on stdio.

    An agent launches this itself (see README, "Agents (MCP)"); `kb serve` serves the
    same server over HTTP at /mcp. Read-only. Example: kb mcp --db var/kb.sqlite
    """
    import os
    import runpy

    with _errors():
        settings = _built_settings(db, source_root)
    os.environ["KB_DATABASE_URL"] = settings.database_url
    os.environ["KB_SOURCE_ROOT"] = str(settings.source_root)
    # By module name, as `kb serve` names the app: kb never imports api.
    runpy.run_module("api.mcp", run_name="__main__", alter_sys=True)


def main() -> None:
    cli(prog_name="kb")
