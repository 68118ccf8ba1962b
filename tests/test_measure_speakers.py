"""scripts/measure_speakers.py: how a document's speaker annotations are scored against its labels
(found, speaker right, extra), one case a row."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import pytest

from kb.model import Annotation
from kb.settings import PROJECT_ROOT

if str(PROJECT_ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import measure_speakers

TEXT = "Liu Wei said the rules are thin."


def label(speaker: str = "", role: str = "", kind: str = "reported", text: str = TEXT) -> dict[str, str]:
    return {"doc": "d", "kind": kind, "text": text, "speaker": speaker, "role": role}


def ann(
    speaker: str | None = None, role: str | None = None, kind: str = "reported_speech", text: str = TEXT
) -> Annotation:
    data: dict[str, Any] = {"speaker": speaker, "role": role}
    return Annotation("d/p_1", kind, speaker or "", 0, len(text), text, data=data)


@pytest.mark.parametrize(
    ("labels", "anns", "want"),
    [
        ([label("Liu Wei")], [ann("Liu Wei")], (1, 1, 0)),
        ([label("Liu Wei")], [ann("Liu")], (1, 1, 0)),  # either name contains the other
        ([label("Liu Wei")], [ann("Zhang San")], (1, 0, 0)),  # found, the wrong speaker
        ([label("Liu Wei")], [ann(None, "professor")], (1, 0, 0)),  # a role for a named speaker
        ([label("", "a spokesperson for the council")], [ann(None, "council spokesperson")], (1, 1, 0)),
        ([label("", "residents polled")], [ann("Linhai Consumer Council")], (1, 0, 0)),  # a name for a role
        ([label("", "")], [ann(None, None)], (1, 1, 0)),  # 据了解: nobody, and nobody given
        ([label("", "")], [ann(None, "Facial recognition cameras")], (1, 0, 0)),
        ([label("", "业主")], [ann(None, "多位业主")], (1, 1, 0)),  # Chinese roles share a character pair
        ([label("Liu Wei", kind="quote")], [ann("Liu Wei")], (0, 0, 0)),  # a quote needs a quote annotation
        ([label("Liu Wei")], [ann("Liu Wei"), ann("Liu Wei", text="The gates open at seven.")], (1, 1, 1)),
        ([], [ann("Liu Wei")], (0, 0, 1)),  # an annotation on no labelled item is extra
    ],
)
def test_score_counts_found_right_and_extra(
    labels: Sequence[dict[str, str]], anns: Sequence[Annotation], want: tuple[int, int, int]
) -> None:
    c = measure_speakers.score(labels, anns)
    assert (c["found"], c["right"], c["extra"]) == want
    assert c["items"] == len(labels) and c["annotations"] == len(anns)
