"""English attribution shapes added in session 13: copular bios, coordinated verbs, groups
that told the writer, amounts after a cue, currency codes after a name. Our own sentences."""

from __future__ import annotations

import pytest

from kb.annotate.speakers import find_quotes, find_reported_speech
from kb.model import DocumentMeta, Passage


def _found(texts: list[str]) -> list[tuple[str, str | None, str]]:
    meta = DocumentMeta(id="fx", kind="commentary", outlet="The Test Post")
    ps = [Passage("fx", n, t) for n, t in enumerate(texts, 1)]
    return [(a.label, a.data.get("role"), a.text) for a in [*find_quotes(ps, meta), *find_reported_speech(ps, meta)]]


@pytest.mark.parametrize(
    ("texts", "want"),
    [
        # a copular bio is no speech, but gives the role of the "she" after it
        (["Ada Novak is Head of Privacy (EMEA) at a payments group."], []),
        (
            ["Ada Novak is Head of Privacy (EMEA) at a payments group; she says most audits stall."],
            [("Ada Novak", "Head of Privacy (EMEA) at a payments group")],
        ),
        (
            ["Ben Ortiz is a partner at Ortiz & Lowe; he argues that the rule is vague."],
            [("Ben Ortiz", "a partner at Ortiz & Lowe")],
        ),
        # a second verb of the sentence's subject
        (["GymCo operates 40 clubs and says about 50,000 members use the gates."], [("GymCo", None)]),
        # a group that told the writer speaks, whatever its noun
        (["Three hospitals told us they keep no face templates."], [("", "Three hospitals")]),
        (["Several apps told The Test Post that they delete selfies."], [("", "Several apps")]),
        # a writer's question is no report: "tell" in the present, "business" no plural
        (["What must a business tell me before it scans my face?"], []),
    ],
)
def test_reported_shapes(texts: list[str], want: list[tuple[str, str | None]]) -> None:
    assert [(label, role) for label, role, _ in _found(texts)] == want


def test_currency_code_is_no_part_of_a_name() -> None:
    """ "awarded Ms. Lin RMB 2,000" names Ms. Lin: a later "Ms. Lin said" is Lin, not "Lin RMB"."""
    got = _found(["The court awarded Ms. Lin RMB 2,000 in damages.", "Ms. Lin said she was relieved."])
    assert [label for label, _, text in got if text.startswith("Ms. Lin said")] == ["Lin"]


@pytest.mark.parametrize(
    ("texts", "want"),
    [
        # "It" + a decision's verb is the court named before
        (
            ["The Harbour District Court heard the case in May.", "It also awarded the member 6,000 yuan."],
            "Harbour District Court",
        ),
        # ... not the court that owns a text cited in between
        (
            [
                "The Harbour District Court heard the case in May.",
                "It relied on the Supreme People's Court's 2021 provisions.",
                "It rejected the claim for damages.",
            ],
            "Harbour District Court",
        ),
        (
            [
                "The Harbour District Court heard the case in May.",
                "The Supreme People's Court's 2021 provisions apply.",
                "The court found that consent was not separate.",
            ],
            "Harbour District Court",
        ),
    ],
)
def test_it_and_the_court_are_the_deciding_court(texts: list[str], want: str) -> None:
    assert _found(texts)[-1][0] == want


def test_it_with_no_court_before_names_nobody() -> None:
    assert _found(["It rejected the offer within a week."]) == []


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Shipments rose about 9% last year, according to industry estimates.", "industry estimates"),
        ("According to the pilot survey, most members kept using face entry.", "the pilot survey"),
    ],
)
def test_according_to_an_unnamed_source(text: str, role: str) -> None:
    assert [(label, r) for label, r, _ in _found([text])] == [("", role)]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        # a "who" clause with no commas: a person described, whatever the noun
        (
            "A friend who runs a bakery in Chaoyang told me that the gate was new.",
            "A friend who runs a bakery in Chaoyang",
        ),
        (
            "A delivery rider who called us last month told her the scanner failed.",
            "A delivery rider who called us last month",
        ),
        # a team speaks like a group or a firm
        ("Our legal team said the research carve-out covers us.", "Our legal team"),
    ],
)
def test_described_people_and_teams(text: str, role: str) -> None:
    assert [(label, r) for label, r, _ in _found([text])] == [("", role)]
