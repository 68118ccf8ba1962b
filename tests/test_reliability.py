"""Build safety, for real: ``kb ingest`` in subprocesses, killed, raced, starved of disk.

What must hold whatever happens to a build:

* the previous database is byte-identical until the atomic swap, still opens and
  still answers queries; after the swap it is the complete new one;
* the next build removes the leftovers of a killed one and succeeds;
* a second build of the same target fails clearly (exit 1, one ``error:`` line);
* readers of a database never see an error while a build replaces it;
* every source file's hash is recorded, and a changed source is reported: by the
  next build (manifest documents pin a sha256) or by ``kb verify`` (folder documents).

The builds are of a tiny manifest (``tests/fixtures/tiny_corpus``: three made-up
statutes), so each takes seconds; the swap, the lock and the clean-up do not depend on
the corpus's size (``test_build.py`` builds the default corpus). The kills land at
exact points, through a driver that pauses the real CLI there: in planning, with
workers outlining, with the temp file half written, before the index, just before the
swap and just after it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from kb.errors import BuildError, HashMismatch
from kb.ingest.manifest import load_manifest
from kb.ingest.sources import sha256_file
from kb.pipeline import build
from kb.read.query import get_provision
from kb.settings import PROJECT_ROOT, Settings
from kb.store.reader import ReaderSource, open_reader
from kb.store.verify import verify

SEED = int(os.environ.get("KB_TEST_SEED", time.time_ns() % 2**32))
TINY_ROOT = Path(__file__).parent / "fixtures" / "tiny_corpus"  # the tiny corpus's source root
PROBE = "face-rules-2024/art_2"  # any provision of the tiny corpus
BUILD_TIMEOUT = 300  # seconds; a tiny build takes 2-5 s, more on a loaded machine

# Runs the real CLI; KB_TEST_PAUSE names the point where it stops, prints PAUSED and
# waits (to be killed, or until the file KB_TEST_RESUME exists):
# "plan" (reading the manifest; no temp file yet), "outline" (pass 1 has returned its
# first result: workers running, no temp file yet), "writing" (the temp file holds the
# documents and the first statute; workers running), "index" (every row written, the
# full-text index not yet built, nothing committed), "swap" (the new file is complete and
# synced, not yet renamed), "swapped" (renamed, directory not yet synced).
_DRIVER = r"""
import os, sys, time
import kb.pipeline.builder as pipeline
import kb.store.sqlite_build as sqlite_build
from kb.store.stream import CorpusWriter

pause = os.environ.get("KB_TEST_PAUSE", "")
resume = os.environ.get("KB_TEST_RESUME", "")

def hold(point):
    if point == pause:
        print("PAUSED", point, flush=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not (resume and os.path.exists(resume)):
            time.sleep(0.02)

real_load_manifest = pipeline.load_manifest

def load_manifest(*args, **kwargs):
    hold("plan")
    return real_load_manifest(*args, **kwargs)

real_ordered_map = pipeline.ordered_map
maps = []

def ordered_map(*args, **kwargs):
    maps.append(1)
    first_pass = len(maps) == 1
    for n, result in enumerate(real_ordered_map(*args, **kwargs)):
        yield result
        if first_pass and n == 0:
            hold("outline")

real_add_statute = CorpusWriter.add_statute
added = []

def add_statute(self, *args, **kwargs):
    out = real_add_statute(self, *args, **kwargs)
    added.append(1)
    if len(added) == 1:
        hold("writing")
    return out

real_finish = CorpusWriter.finish

def finish(self, *args, **kwargs):
    hold("index")
    return real_finish(self, *args, **kwargs)

real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    if ".building-" in os.fspath(src):
        hold("swap")
    return real_replace(src, dst, *args, **kwargs)

real_fsync_dir = sqlite_build._fsync_dir

def fsync_dir(directory):
    hold("swapped")
    return real_fsync_dir(directory)

pipeline.load_manifest = load_manifest
pipeline.ordered_map = ordered_map
CorpusWriter.add_statute = add_statute
CorpusWriter.finish = finish
os.replace = replace
sqlite_build._fsync_dir = fsync_dir
from kb.cli import main
sys.argv[0] = "kb"
main()
"""


# ---------------------------------------------------------------- helpers


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def answers_queries(db: Path) -> dict[str, Any]:
    """The database opens read-only and answers a provision query."""
    with open_reader(Settings(database_url=f"sqlite:///{db}")) as reader:
        found = get_provision(reader, PROBE)
    assert found and PROBE in str(found), found
    return found


def verify_report(db: Path, source_root: Path | None) -> dict[str, Any]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        return verify(engine, source_root)
    finally:
        engine.dispose()


def leftovers(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.building-*"))


def ingest_once(
    db: Path, source_root: Path, corpus_dir: Path, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """One ``kb ingest --quiet`` run to the end, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "kb", "ingest", "--db", str(db), "--source-root", str(source_root), "--quiet"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, KB_CORPUS_DIR=str(corpus_dir)),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        preexec_fn=preexec_fn,
    )


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``: a build and its workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def tiny_corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's rule files with the tiny manifest (``KB_CORPUS_DIR`` of the builds here)."""
    corpus = tmp_path_factory.mktemp("tiny") / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", corpus)
    shutil.copyfile(TINY_ROOT / "manifest.toml", corpus / "manifest.toml")
    return corpus


def tiny_settings(db: Path, corpus: Path, source_root: Path = TINY_ROOT) -> Settings:
    return Settings(database_url=f"sqlite:///{db}", source_root=source_root, corpus_dir=corpus)


@pytest.fixture(scope="module")
def tiny_built(tmp_path_factory: pytest.TempPathFactory, tiny_corpus_dir: Path) -> Path:
    """The tiny corpus built once for this module."""
    db = tmp_path_factory.mktemp("tiny-db") / "kb.sqlite"
    build(tiny_settings(db, tiny_corpus_dir), workers=1)
    return db


class Ingest:
    """``kb ingest`` of the tiny corpus in its own session (so its workers can be found), output in files."""

    def __init__(
        self, tmp: Path, db: Path, corpus: Path, *, pause: str | None = None, extra: Sequence[str] = ()
    ) -> None:
        self.out = tmp / f"out-{time.monotonic_ns()}.txt"
        self.err = self.out.with_suffix(".err")
        self.resume_file = self.out.with_suffix(".resume")
        env = dict(os.environ, KB_CORPUS_DIR=str(corpus))
        if pause:
            env["KB_TEST_PAUSE"] = pause
            env["KB_TEST_RESUME"] = str(self.resume_file)
            argv = [sys.executable, "-c", _DRIVER]
        else:
            argv = [sys.executable, "-m", "kb"]
        # One process unless told otherwise: each worker loads its own tokenizer dictionaries.
        workers = [] if "--workers" in extra else ["--workers", "1"]
        argv += ["ingest", "--db", str(db), "--source-root", str(TINY_ROOT), "--quiet", *workers, *extra]
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.proc = subprocess.Popen(
                argv, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=err, start_new_session=True
            )
        self.started = time.monotonic()

    @property
    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, predicate: Any, what: str, timeout: float = BUILD_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.proc.poll() is not None:
                pytest.fail(f"kb ingest exited ({self.proc.returncode}) before {what}: {self.stderr[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {timeout} s")
            time.sleep(0.02)

    def wait_paused(self) -> None:
        self.wait_for(lambda: "PAUSED" in self.out.read_text(), "pause")

    def resume(self) -> None:
        self.resume_file.touch()

    def kill(self) -> None:
        """SIGKILL the build (not its workers), then wait for the workers to go."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 60
        while (orphans := session_processes(self.proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in orphans:  # ours: started by this test; don't leave them running
            os.kill(pid, signal.SIGKILL)
        assert not orphans, f"worker processes {orphans} still running 60 s after the build was killed"

    def finish(self) -> int:
        return self.proc.wait(timeout=BUILD_TIMEOUT)


@pytest.fixture()
def previous(tiny_built: Path, tmp_path: Path) -> Path:
    """A copy of the tiny database: the 'previous database' a build replaces."""
    db = tmp_path / "kb.sqlite"
    shutil.copy(tiny_built, db)
    return db


# ---------------------------------------------------------------- SIGKILL at every stage

# (pause point, whether the killed build's temp file exists there, whether workers run there)
KILL_POINTS = [
    ("plan", False, False),
    ("outline", False, True),
    ("writing", True, True),
    ("index", True, False),
    ("swap", True, False),
    ("swapped", False, False),
]


def test_sigkill_at_every_stage_keeps_a_whole_database(previous: Path, tmp_path: Path, tiny_corpus_dir: Path) -> None:
    before = sha256_of(previous)
    for point, has_temp, has_workers in KILL_POINTS:
        # Two workers whatever the machine where workers run, so that the kill leaves orphans to reap.
        run = Ingest(tmp_path, previous, tiny_corpus_dir, pause=point, extra=["--workers", "2" if has_workers else "1"])
        run.wait_paused()
        where = f"killed at {point}"
        assert run.proc.poll() is None, f"{where}: the build ended before the kill"
        if has_workers:
            assert len(session_processes(run.proc.pid)) > 1, f"{where}: no worker processes to outlive the build"
        run.kill()
        if point == "swapped":
            assert sha256_of(previous) != before, where
            assert verify_report(previous, None)["ok"], where  # the complete new database
            before = sha256_of(previous)
        else:
            assert sha256_of(previous) == before, f"the previous database changed: {where}"
        answers_queries(previous)
        assert bool(leftovers(previous)) == has_temp, f"{where}: leftovers {leftovers(previous)}"

    final = Ingest(tmp_path, previous, tiny_corpus_dir)
    assert final.finish() == 0, final.stderr[-2000:]
    assert leftovers(previous) == [], "the next build did not remove the leftovers"
    report = verify_report(previous, TINY_ROOT)
    assert report["ok"], report["problems"]
    answers_queries(previous)


# ---------------------------------------------------------------- two builds at once


def holds_flock(path: Path, pid: int) -> bool:
    """Whether ``pid`` holds a ``flock`` on ``path`` (from /proc/locks; no probing)."""
    try:
        inode = path.stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and str(pid) in fields and any(f.endswith(f":{inode}") for f in fields):
            return True
    return False


def test_two_builds_at_once_one_fails_clearly(tmp_path: Path, tiny_corpus_dir: Path) -> None:
    db = tmp_path / "kb.sqlite"
    # The first build holds the lock, paused with its temp file half written, until the second has failed.
    first = Ingest(tmp_path, db, tiny_corpus_dir, pause="writing")
    first.wait_paused()
    assert holds_flock(tmp_path / "kb.sqlite.lock", first.proc.pid)
    second = ingest_once(db, TINY_ROOT, tiny_corpus_dir)
    assert first.proc.poll() is None, "the first build ended before the second started: no race was tested"
    assert second.returncode == 1, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(r"error: another kb ingest is building .*kb\.sqlite", lines[0]), lines
    # The loser touched nothing: the winner's temp file is still there and it finishes.
    assert [p.name for p in leftovers(db)] == [f"kb.sqlite.building-{first.proc.pid}"]
    first.resume()
    assert first.finish() == 0, first.stderr[-2000:]
    assert leftovers(db) == []
    report = verify_report(db, TINY_ROOT)
    assert report["ok"], report["problems"]


# ---------------------------------------------------------------- readers during a swap


def test_readers_never_fail_while_a_build_replaces_the_database(
    previous: Path, tmp_path: Path, tiny_corpus_dir: Path
) -> None:
    source = ReaderSource(Settings(database_url=f"sqlite:///{previous}"), check_every=0.0)
    first = source.get()
    errors: list[BaseException] = []
    answered = 0
    stop = threading.Event()

    def read() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                get_provision(source.get(), PROBE)
                answered += 1
            except BaseException as exc:  # any failure at all is what this test looks for
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        run = Ingest(tmp_path, previous, tiny_corpus_dir)
        rc = run.finish()
        time.sleep(0.5)  # a few reads of the new file
    finally:
        stop.set()
        reader.join(timeout=30)
    try:
        assert rc == 0, run.stderr[-2000:]
        assert errors == [], errors
        assert answered > 10
        assert source.get() is not first, "the reader never switched to the new database"
    finally:
        source.close()


# ---------------------------------------------------------------- the disk fills up


def _limit_file_size() -> None:  # in the child, before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death
    # The tiny database is about 200 KB: its build runs out of room half way.
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_full_disk_fails_clearly_and_keeps_the_previous_database(previous: Path, tiny_corpus_dir: Path) -> None:
    before = sha256_of(previous)
    assert before and previous.stat().st_size > 2 * 64 * 1024, "the build would fit under the limit: nothing tested"
    proc = ingest_once(previous, TINY_ROOT, tiny_corpus_dir, preexec_fn=_limit_file_size)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert len(errors) == 1 and re.search(r"(disk|file too large|full|I/O)", errors[0], re.I), proc.stderr[-3000:]
    assert str(previous) in errors[0] and "unchanged" in errors[0]
    assert sha256_of(previous) == before
    assert leftovers(previous) == []
    answers_queries(previous)


def test_a_target_that_cannot_be_created_fails_clearly(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("not a directory", encoding="utf-8")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'file.txt' / 'kb.sqlite'}")
    with pytest.raises(BuildError, match=r"cannot create the lock file .*file\.txt/kb\.sqlite\.lock"):
        build(settings)


# ---------------------------------------------------------------- source hashes


def test_every_source_file_hash_is_recorded(built_db: Settings) -> None:
    assert built_db.sqlite_path is not None
    with sqlite3.connect(f"file:{built_db.sqlite_path}?mode=ro", uri=True) as conn:
        recorded = dict(conn.execute("SELECT path, sha256 FROM source_files"))
    expected = {s.path for d in load_manifest(built_db.corpus_dir) for s in d.sources}
    assert set(recorded) == expected
    for path, digest in recorded.items():
        assert sha256_file(built_db.source_root / path) == digest, path


@pytest.fixture()
def source_copy(tmp_path: Path, tiny_corpus_dir: Path) -> Path:
    """A private source root holding every file the tiny manifest names."""
    root = tmp_path / "root"
    for doc in load_manifest(tiny_corpus_dir):
        for src in doc.sources:
            (root / src.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(TINY_ROOT / src.path, root / src.path)
    return root


def _pinned_source(corpus_dir: Path, doc_id: str) -> str:
    doc = next(d for d in load_manifest(corpus_dir) if d.id == doc_id)
    assert doc.sources[0].sha256, f"{doc_id} should pin its hash"
    return doc.sources[0].path


def test_a_changed_manifest_source_stops_the_next_build(
    source_copy: Path, tmp_path: Path, tiny_corpus_dir: Path
) -> None:
    rel = _pinned_source(tiny_corpus_dir, "data-rules-2023")
    path = source_copy / rel
    path.write_bytes(path.read_bytes().replace("数据".encode(), "资料".encode(), 1))
    db = tmp_path / "new.sqlite"
    settings = tiny_settings(db, tiny_corpus_dir, source_copy)
    with pytest.raises(HashMismatch, match=rf"{re.escape(rel)}: sha256 is [0-9a-f]{{64}}, manifest says"):
        build(settings)
    assert not db.exists() and leftovers(db) == []
    # The CLI: one line, exit 1.
    proc = ingest_once(db, source_copy, tiny_corpus_dir)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and rel in errors[0] and "the source changed" in errors[0], proc.stderr[-2000:]


STATUTE = (Path(__file__).parent / "fixtures" / "hostile" / "statute.zh.txt").read_text(encoding="utf-8")
FOLDER_FILE = "folder/示例人脸识别应用管理条例(2024-01-05).txt"


@contextmanager
def cli_verify(db: Path, root: Path) -> Iterator[subprocess.CompletedProcess[str]]:
    yield subprocess.run(
        [sys.executable, "-m", "kb", "verify", "--db", str(db), "--source-root", str(root)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )


def test_a_changed_folder_source_is_reported_by_verify(
    source_copy: Path, tmp_path: Path, tiny_corpus_dir: Path
) -> None:
    """Folder documents pin no hash: the build records it, ``kb verify`` compares."""
    law = source_copy / FOLDER_FILE
    law.parent.mkdir(parents=True)
    law.write_text(STATUTE, encoding="utf-8")
    db = tmp_path / "kb.sqlite"
    build(tiny_settings(db, tiny_corpus_dir, source_copy), [law.parent], workers=1)
    with cli_verify(db, source_copy) as good:
        assert good.returncode == 0, good.stdout + good.stderr
        assert good.stdout.strip().endswith("ok")

    law.write_text(STATUTE.replace("单独同意", "同意"), encoding="utf-8")
    report = verify_report(db, source_copy)
    assert report["sources_changed"] == [f"{FOLDER_FILE}: changed since the build"]
    with cli_verify(db, source_copy) as changed:
        assert changed.returncode == 1
        assert f"problem: {FOLDER_FILE}: changed since the build" in changed.stdout
        assert changed.stdout.strip().endswith("NOT OK")

    law.unlink()
    assert verify_report(db, source_copy)["sources_changed"] == [f"{FOLDER_FILE}: missing"]


def test_verify_finds_folder_sources_outside_the_source_root(tmp_path: Path, tiny_corpus_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(tiny_corpus_dir, corpus)
    (corpus / "manifest.toml").write_text(
        '[[document]]\nid = "x-law"\nkind = "law"\n[[document.source]]\npath = "law.txt"\n', encoding="utf-8"
    )
    root = tmp_path / "root"
    root.mkdir()
    (root / "law.txt").write_text(STATUTE, encoding="utf-8")
    laws = tmp_path / "mylaws"  # a user's own folder, elsewhere
    laws.mkdir()
    (laws / "示例条例(2024-01-05).txt").write_text(STATUTE, encoding="utf-8")
    db = tmp_path / "kb.sqlite"
    build(Settings(database_url=f"sqlite:///{db}", source_root=root, corpus_dir=corpus), [laws], workers=1)
    report = verify_report(db, root)
    assert report["ok"], report["problems"]


# ---------------------------------------------------------------- kb verify on a tampered database


def test_verify_cli_passes_a_good_database(built_db: Settings) -> None:
    assert built_db.sqlite_path is not None
    with cli_verify(built_db.sqlite_path, built_db.source_root) as proc:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == "ok"


def _corrupt(db: Path) -> None:
    """Overwrite bytes in the middle of the file: pages of tables and indexes."""
    size = db.stat().st_size
    noise = random.Random(SEED)
    with db.open("r+b") as fh:
        for offset in range(size // 4, size * 3 // 4, 4096 * 5):
            fh.seek(offset + 64)
            fh.write(noise.randbytes(512))


def test_verify_cli_fails_a_corrupted_copy(previous: Path) -> None:
    _corrupt(previous)
    with cli_verify(previous, TINY_ROOT) as proc:
        assert proc.returncode == 1, proc.stdout + proc.stderr


def test_verify_cli_reports_a_corrupted_copy_without_a_traceback(previous: Path) -> None:
    _corrupt(previous)
    with cli_verify(previous, TINY_ROOT) as proc:
        assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
        assert "NOT OK" in proc.stdout or proc.stderr.startswith("error: ")


def _delete_search_units(db: Path) -> None:
    """Remove rows from the FTS content table without telling the index."""
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM search_units WHERE rowid % 10 = 0")
    assert verify_report(db, None)["counts"]["documents"] > 0


def test_verify_cli_fails_an_index_out_of_step_with_its_table(previous: Path) -> None:
    _delete_search_units(previous)
    with cli_verify(previous, TINY_ROOT) as proc:
        assert proc.returncode == 1, proc.stdout + proc.stderr


# ---------------------------------------------------------------- scripts/soak.py

SOAK = PROJECT_ROOT / "scripts" / "soak.py"


def _soak(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SOAK), "--db", str(db), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )


def test_soak_reports_figures_and_exits_0_on_a_healthy_server(built_db: Settings) -> None:
    assert built_db.sqlite_path is not None
    proc = _soak(built_db.sqlite_path, "--clients", "3", "--seconds", "3", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == 0 and report["ok_requests"] > 0
    assert set(report["per_endpoint"]) == {"search", "provision", "graph", "documents"}
    assert 0 < report["latency"]["p50_ms"] <= report["latency"]["p95_ms"] <= report["latency"]["p99_ms"]
    assert report["server_rss_kb"]["start"] > 0 and report["server_rss_kb"]["end"] > 0


def test_soak_exits_1_when_requests_fail(tiny_db: Settings) -> None:
    # The tiny database has no pipl-2021: provision and graph requests are 404s.
    assert tiny_db.sqlite_path is not None
    proc = _soak(tiny_db.sqlite_path, "--clients", "2", "--seconds", "2")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"error: GET /api/v1/(provisions|graph)\S*: 404", proc.stdout), proc.stdout


def test_soak_exits_2_without_a_database(tmp_path: Path) -> None:
    proc = _soak(tmp_path / "none.sqlite", "--seconds", "1")
    assert proc.returncode == 2 and "no database" in proc.stderr


# ---------------------------------------------------------------- a worker that dies


_DYING_WORKER = """
import os, signal, sys
from kb.errors import BuildError
from kb.pipeline.parallel import ordered_map

def task(n):
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return n

try:
    print(list(ordered_map(task, range(8), workers=2)))
except BuildError as exc:
    print("BuildError:", exc)
    sys.exit(3)
"""


def test_a_worker_killed_mid_build_fails_the_build_instead_of_hanging() -> None:
    """A worker killed by the OOM killer or a signal must not leave the build waiting for ever."""
    proc = subprocess.run(
        [sys.executable, "-c", _DYING_WORKER], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "build worker process died" in proc.stdout
