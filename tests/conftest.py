"""Shared fixtures. The real corpus is read from the source root (../shared by default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.ingest.manifest import load_manifest
from kb.model import DocumentMeta
from kb.settings import Settings, get_settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def source_root() -> Path:
    root = get_settings().source_root
    if not (root / "corpus" / "primary").is_dir():
        pytest.fail(f"the shared corpus is missing at {root} (set KB_SOURCE_ROOT)")
    return root


@pytest.fixture(scope="session")
def manifest() -> dict[str, DocumentMeta]:
    return {d.id: d for d in load_manifest()}


@pytest.fixture(scope="session")
def settings(source_root: Path) -> Settings:
    return get_settings()
