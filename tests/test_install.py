"""A normal install: ``pip install`` of the wheel, then ``kb`` from any folder.

The wheel is built from a copy of the project's files (so nothing of the checkout leaks
in) and installed, without its dependencies, into a fresh virtual environment; the
dependencies come from the environment running the tests, added to the new one's path
as a plain directory (so the checkout's own editable install is *not* seen). ``kb`` then
runs from a folder outside the checkout: the project's data must come from the package,
the database must go to the per-user data directory, the third-party texts from
``KB_SOURCE_ROOT``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from kb.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

# What the wheel is built from: the package sources, the project's data, the metadata.
SOURCES = ("kb", "api", "corpus", "pyproject.toml", "README.md")
# Evaluation sets: read by scripts and tests in a checkout, never by an installed kb.
NOT_SHIPPED = ("corpus/eval/",)


def _run(argv: list[str], *, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 900) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{argv}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        path = PROJECT_ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("dist")
    # Without build isolation when this environment can build (offline): wheel is a dev
    # dependency, setuptools comes with a Python 3.11 venv. Else pip fetches them.
    can_build = all(importlib.util.find_spec(m) is not None for m in ("setuptools", "wheel"))
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"]
    if can_build:
        pip_wheel.append("--no-build-isolation")
    _run([*pip_wheel, "-w", str(out), str(src)], cwd=src)
    (built,) = out.glob("facelaw_kb-*.whl")
    return built


def _tracked_files(folder: str) -> set[str]:
    root = PROJECT_ROOT / folder
    return {
        p.relative_to(PROJECT_ROOT).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_the_wheel_holds_every_module_and_the_project_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    code = _tracked_files("kb") | _tracked_files("api")
    assert sorted(code - names) == [], "modules or web files missing from the wheel (pyproject.toml packages)"
    data = {f for f in _tracked_files("corpus") if not f.startswith(NOT_SHIPPED)}
    shipped = {"kb/" + f for f in data}
    assert sorted(shipped - names) == [], "project data missing from the wheel (pyproject.toml package-data)"
    assert not [n for n in names if n.startswith("kb/corpus/eval/")]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(env_dir)], cwd=env_dir)
    python = env_dir / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=env_dir)
    # The dependencies: this interpreter's site-packages as plain path entries (their .pth
    # files, among them the checkout's editable install, are not run).
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(_run([str(python), "-c", where], cwd=env_dir).strip())
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "test-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    return env_dir


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_") and k != "PYTHONPATH"}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), **extra)
    return env


def test_the_installed_package_is_the_wheel_s(venv: Path, tmp_path: Path) -> None:
    out = _run(
        [str(venv / "bin" / "python"), "-c", "import kb, api; print(kb.__file__); print(api.__file__)"],
        cwd=tmp_path,
        env=_env(tmp_path),
    )
    assert all(line.startswith(str(venv)) for line in out.split()), out


def test_without_a_source_root_kb_ingest_says_how_to_set_it(venv: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(venv / "bin" / "kb"), "ingest"], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("error: the source root ") and "KB_SOURCE_ROOT" in lines[-1], proc.stderr
    assert len([line for line in lines if line.startswith("error")]) == 1 and "Traceback" not in proc.stderr


def test_kb_works_from_another_folder(venv: Path, tmp_path: Path, source_root: Path) -> None:
    """``kb ingest`` builds the default corpus into the per-user data directory; ``kb stats``,
    ``kb show`` and the web app (templates, static files, offline API docs) read it."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _env(tmp_path, KB_SOURCE_ROOT=str(source_root))
    kb = str(venv / "bin" / "kb")
    out = _run([kb, "ingest", "--quiet"], cwd=elsewhere, env=env)
    db = tmp_path / "data" / "facelaw-kb" / "kb.sqlite"
    assert f"Built {db} in " in out, out
    assert db.is_file() and not db.with_name("kb.sqlite.lock").exists()
    assert list(elsewhere.iterdir()) == [], "nothing is written where kb runs"
    stats = _run([kb, "stats"], cwd=elsewhere, env=env)
    assert "pipl-2021" in stats and "Documents" in stats
    assert "中华人民共和国个人信息保护法" in _run([kb, "show", "pipl-2021"], cwd=elsewhere, env=env)
    web = (
        "from fastapi.testclient import TestClient\n"
        "from api.app import create_app_from_env\n"
        "with TestClient(create_app_from_env()) as c:\n"
        "    for path in ('/', '/search?q=consent', '/docs', '/docs/assets/swagger-ui-bundle.js', '/static/web.css'):\n"
        "        r = c.get(path)\n"
        "        print(path, r.status_code)\n"
    )
    served = _run([str(venv / "bin" / "python"), "-c", web], cwd=elsewhere, env=env)
    assert served.count(" 200") == 5, served
