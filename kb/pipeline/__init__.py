"""The build: corpus files -> ingest -> annotate -> link -> store, swapped in atomically.

* :mod:`kb.pipeline.builder` — :func:`build`, what ``kb ingest`` runs, and its report;
* :mod:`kb.pipeline.tasks` — the per-document work done in worker processes;
* :mod:`kb.pipeline.enrich` — commentary annotation and linking;
* :mod:`kb.pipeline.tagging` — topic tagging of provisions;
* :mod:`kb.pipeline.parallel` — ordered process-pool mapping.
"""

from __future__ import annotations

from kb.pipeline.builder import BuildReport, build

__all__ = ["BuildReport", "build"]
