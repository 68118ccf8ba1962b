"""Every example in a docstring of ``kb`` and ``api`` runs and gives what it shows.

The examples are documentation a reader trusts; this keeps them true.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import api
import kb


def _modules() -> list[str]:
    names = []
    for package in (kb, api):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not info.name.endswith(".__main__"):  # runs the CLI when imported
                names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_the_modules_are_found() -> None:
    names = _modules()
    assert "kb.search.highlight" in names and "api.app" in names
