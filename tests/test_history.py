"""Article histories and the law at a date: the real CSL, Minors Protection and
Counter-espionage revisions, a folder law with two versions, formatting-only differences,
the HTTP endpoints, ``kb show --history`` and the provision page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from kb.cli import cli
from kb.link.versions import align_versions, formatting_key
from kb.model import Provision
from kb.read import history
from kb.read.query import Reader, open_reader
from kb.settings import Settings


@pytest.fixture(scope="module")
def reader(built_db: Settings) -> Iterator[Reader]:
    with open_reader(built_db) as r:
        yield r


@pytest.fixture(scope="module")
def client(built_db: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(built_db)) as c:
        yield c


def _steps(data: dict[str, Any]) -> list[tuple[str | None, str, bool]]:
    return [(e["id"], e["change"], e["renumbered"]) for e in data["results"]]


# (asked, expected entries oldest first: (provision id, change, renumbered)). Facts read
# off the texts: csl-2016 Art. 41 is csl-2025 Art. 43 word for word; the 2025 decision
# inserted Art. 3 and dropped old Art. 64; Art. 9 of the Minors Protection Law was
# rewritten in 2024; the 2023 Counter-espionage Law dropped old Art. 15.
HISTORIES = [
    ("csl-2016/art_41", [("csl-2016/art_41", "added", False), ("csl-2025/art_43", "unchanged", True)]),
    ("csl-2025/art_43", [("csl-2016/art_41", "added", False), ("csl-2025/art_43", "unchanged", True)]),
    ("csl-2025/art_43__para_2", [("csl-2016/art_41", "added", False), ("csl-2025/art_43", "unchanged", True)]),
    ("csl-2016/art_1", [("csl-2016/art_1", "added", False), ("csl-2025/art_1", "unchanged", False)]),
    ("csl-2025/art_3", [("csl-2025/art_3", "added", False)]),
    ("csl-2016/art_64", [("csl-2016/art_64", "added", False), (None, "removed", False)]),
    (
        "minors-protection-2024/art_9",
        [("minors-protection-2020/art_9", "added", False), ("minors-protection-2024/art_9", "changed", False)],
    ),
    ("counter-espionage-2014/art_15", [("counter-espionage-2014/art_15", "added", False), (None, "removed", False)]),
    ("pipl-2021/art_13", [("pipl-2021/art_13", "added", False)]),
]


@pytest.mark.parametrize(("asked", "expected"), HISTORIES, ids=[h[0] for h in HISTORIES])
def test_history_follows_the_article_through_every_version(
    reader: Reader, asked: str, expected: list[tuple[str | None, str, bool]]
) -> None:
    data = history.provision_history(reader, asked)
    assert _steps(data) == expected
    assert data["count"] == len(expected)
    assert data["changes"] == sum(1 for _, change, _ in expected if change == "changed")
    dates = [e["in_force_from"] for e in data["results"]]
    assert dates == sorted(dates), "oldest first"


def test_a_changed_article_carries_a_word_diff_that_rebuilds_both_texts(reader: Reader) -> None:
    data = history.provision_history(reader, "minors-protection-2020/art_9")
    old, new = data["results"]
    diff = new["diff"]
    assert new["change"] == "changed" and diff
    assert "".join(op["old"] for op in diff) == old["text"]
    assert "".join(op["new"] for op in diff) == new["text"]
    inserted = "".join(op["new"] for op in diff if op["op"] in ("insert", "replace"))
    assert "各级人民政府应当重视和加强未成年人保护工作" in inserted
    # word level: every edit starts and ends where a word of the new text does
    from kb.annotate.nlp import words_zh

    bounds = {0}
    for word in words_zh(new["text"]):
        bounds.add(max(bounds) + len(word))
    ends, at = [], 0
    for op in diff:
        at += len(op["new"])
        ends.append(at)
    assert set(ends) <= bounds
    assert old["diff"] == [] and old["change"] == "added"


def test_each_entry_has_the_versions_dates_and_status(reader: Reader) -> None:
    first, second = history.provision_history(reader, "csl-2016/art_41")["results"]
    assert (first["doc_id"], first["status"], first["promulgated"], first["effective"]) == (
        "csl-2016",
        "amended",
        "2016-11-07",
        "2017-06-01",
    )
    assert (second["doc_id"], second["status"], second["eid"], second["label"]) == (
        "csl-2025",
        "in_force",
        "art_43",
        "第四十三条",
    )
    assert first["text"] == second["text"]


# ------------------------------------------------------------------ formatting is no change
# (old article text, new article text, expected alignment status): whitespace, full- and
# half-width forms and curly quotes are formatting; a changed word is not.
FORMATTING = [
    ("网络运营者应当保护个人信息。", "网络运营者应当保护 个人信息。", "unchanged"),
    (
        "网络运营者（以下称运营者）应当保护个人信息，不得泄露。",
        "网络运营者(以下称运营者)应当保护个人信息,不得泄露。",
        "unchanged",
    ),
    ("本法所称“人脸信息”是指生物识别信息。", '本法所称"人脸信息"是指生物识别信息。', "unchanged"),
    ("处一万元以上十万元以下罚款。", "处一万元以上十万元以下罚款。", "unchanged"),
    ("处一万元以上十万元以下罚款。", "处五万元以上五十万元以下罚款。", "modified"),
]


@pytest.mark.parametrize(("old", "new", "status"), FORMATTING)
def test_formatting_only_differences_are_not_changes(old: str, new: str, status: str) -> None:
    (al,) = align_versions(
        [Provision("v1", "art_1", "article", 0, old, number=1)], [Provision("v2", "art_1", "article", 0, new, number=1)]
    )
    assert al.status == status
    assert (formatting_key(old) == formatting_key(new)) == (status == "unchanged")


def test_renumbered_cross_references_alone_are_not_changes() -> None:
    def art(doc: str, n: int, text: str) -> Provision:
        return Provision(doc, f"art_{n}", "article", n, text, number=n)

    old = [
        art("v1", 1, "为了保护人脸信息，制定本法。"),
        art("v1", 2, "违反本法第一条规定的，依照第三条处罚。"),
        art("v1", 3, "处一万元以下罚款。"),
    ]
    new = [
        art("v2", 1, "为了保护人脸信息，制定本法。"),
        art("v2", 2, "国家建立人脸识别备案制度。"),
        art("v2", 3, "违反本法第一条规定的，依照第四条处罚。"),
        art("v2", 4, "处一万元以下罚款。"),
    ]
    statuses = {(a.old_eid, a.new_eid): a.status for a in align_versions(old, new)}
    assert statuses[("art_2", "art_3")] == "renumbered"  # 第三条 -> 第四条 follows the renumbering
    assert statuses[("art_3", "art_4")] == "renumbered"


# ------------------------------------------------------------------ law at a date
AS_OF = [
    ("csl-2025/art_43", "2019-06-01", "csl-2016", "csl-2016/art_41"),
    ("csl-2016/art_41", "2026-02-01", "csl-2025", "csl-2025/art_43"),
    ("csl-2016/art_41", "2017-06-01", "csl-2016", "csl-2016/art_41"),
    ("csl-2025/art_43__para_1", "2019-06-01", "csl-2016", "csl-2016/art_41__para_1"),
    ("minors-protection-2024/art_9", "2022-01-01", "minors-protection-2020", "minors-protection-2020/art_9"),
]


@pytest.mark.parametrize(("asked", "day", "version", "chosen"), AS_OF)
def test_as_of_picks_the_version_in_force_and_says_which(
    client: TestClient, asked: str, day: str, version: str, chosen: str
) -> None:
    r = client.get(f"/api/v1/provisions/{asked}", params={"as_of": day})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == chosen
    assert body["as_of"] == {
        "as_of": day,
        "requested": asked,
        "version": version,
        "in_force_from": body["as_of"]["in_force_from"],
        "id": chosen,
    }
    assert body["as_of"]["in_force_from"] <= day


@pytest.mark.parametrize(
    ("asked", "day", "status"),
    [
        ("csl-2016/art_41", "2010-01-01", 404),  # no version in force yet
        ("csl-2025/art_3", "2019-06-01", 404),  # not in the version in force then
        ("csl-2016/art_41", "2019-6-1", 422),
        ("csl-2016/art_41", "2019", 422),
        ("csl-2016/art_41", "2019-02-30", 422),
    ],
)
def test_as_of_errors(client: TestClient, asked: str, day: str, status: int) -> None:
    r = client.get(f"/api/v1/provisions/{asked}", params={"as_of": day})
    assert r.status_code == status, r.text
    if status == 422:
        assert r.json()["errors"][0]["parameter"] == "as_of"


@pytest.mark.parametrize("param", ["as_of", "date"])
def test_resolve_as_of_and_its_alias_date_choose_the_2016_law(client: TestClient, param: str) -> None:
    r = client.get("/api/v1/resolve", params={"text": "Article 41 of the Cybersecurity Law", param: "2019"})
    assert r.status_code == 200, r.text
    (hit,) = r.json()["results"]
    assert hit["ids"] == ["csl-2016/art_41"]
    assert hit["version"]["doc_id"] == "csl-2016"
    assert r.json()["as_of"] == "2019"
    later = client.get("/api/v1/resolve", params={"text": "Article 41 of the Cybersecurity Law", param: "2026-03"})
    assert later.json()["results"][0]["version"]["doc_id"] == "csl-2025"
    bad = client.get("/api/v1/resolve", params={"text": "PIPL art. 13", param: "2019-13"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["parameter"] == param


def test_history_endpoint(client: TestClient) -> None:
    r = client.get("/api/v1/provisions/csl-2016/art_41/history")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(e["id"], e["change"]) for e in body["results"]] == [
        ("csl-2016/art_41", "added"),
        ("csl-2025/art_43", "unchanged"),
    ]
    assert body["versions"] == ["csl-2016", "csl-2025"]
    assert client.get("/api/v1/provisions/csl-2016/art_999/history").status_code == 404
    chapter = client.get("/api/v1/provisions/csl-2016/chp_1/history")
    assert chapter.status_code == 422 and chapter.json()["errors"][0]["parameter"] == "eid"


def test_kb_show_history(built_db: Settings) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["show", "minors-protection-2024/art_9", "--history", "--db", str(built_db.sqlite_path)])
    assert out.exit_code == 0, out.output
    assert "minors-protection-2020" in out.output and "changed" in out.output
    # the diff reads without colour: deletions [-…-], insertions {+…+}
    flat = "".join(out.output.split())
    assert "{+各级人民政府应当重视和加强未成年人保护工作。+}" in flat and "[-应当建立-]" in flat
    as_json = runner.invoke(cli, ["show", "csl-2016/art_41", "--history", "--json", "--db", str(built_db.sqlite_path)])
    assert as_json.exit_code == 0
    assert '"csl-2025/art_43"' in as_json.output
    missing = runner.invoke(cli, ["show", "csl-2016/art_999", "--history", "--db", str(built_db.sqlite_path)])
    assert missing.exit_code == 1 and "art_999" in missing.output


def test_provision_page_shows_the_history(client: TestClient) -> None:
    page = client.get("/provisions/minors-protection-2024/art_9")
    assert page.status_code == 200
    html = page.text
    assert 'id="history"' in html
    assert "/provisions/minors-protection-2020/art_9" in html
    assert "<del" in html and "<ins" in html
    renumbered = client.get("/provisions/csl-2016/art_41").text
    assert "/provisions/csl-2025/art_43" in renumbered


# ------------------------------------------------------------------ folder laws
def test_folder_law_versions_have_histories(folder_db: Settings) -> None:
    old, new = "示例信息保护法-2016-01-01", "示例信息保护法-2021-06-01"
    with open_reader(folder_db) as r:
        first = history.provision_history(r, f"{new}/art_5")
        added = history.provision_history(r, f"{new}/art_3")
        day = history.provision_as_of(r, f"{new}/art_5", "2017-01-01")
    # the final article names a new date: renumbered and changed
    assert _steps(first) == [(f"{old}/art_4", "added", False), (f"{new}/art_5", "changed", True)]
    assert any(op["new"] == "2021年10月1日" or "2021" in op["new"] for op in first["results"][1]["diff"])
    assert _steps(added) == [(f"{new}/art_3", "added", False)]
    assert first["versions"] == [old, new]
    assert day["version"] == old and day["id"] == f"{old}/art_4"


FACE = "示例人脸保护法"
# (asked, expected entries): three versions of an invented folder law (fixtures/history).
FOLDER_HISTORIES = [
    (
        f"{FACE}-2015-01-01/art_1",  # 2019 writes a half-width comma, 2023 the full-width one again
        [
            (f"{FACE}-2015-01-01/art_1", "added", False),
            (f"{FACE}-2019-01-01/art_1", "unchanged", False),
            (f"{FACE}-2023-01-01/art_1", "unchanged", False),
        ],
    ),
    (
        f"{FACE}-2019-01-01/art_3",  # renumbered in 2019; rewritten in 2023
        [
            (f"{FACE}-2015-01-01/art_2", "added", False),
            (f"{FACE}-2019-01-01/art_3", "unchanged", True),
            (f"{FACE}-2023-01-01/art_3", "changed", False),
        ],
    ),
    (
        f"{FACE}-2015-01-01/art_3",  # its cross-reference follows the renumbering; dropped in 2023
        [
            (f"{FACE}-2015-01-01/art_3", "added", False),
            (f"{FACE}-2019-01-01/art_4", "unchanged", True),
            (None, "removed", False),
        ],
    ),
    (
        f"{FACE}-2023-01-01/art_2",
        [(f"{FACE}-2019-01-01/art_2", "added", False), (f"{FACE}-2023-01-01/art_2", "unchanged", False)],
    ),
    (
        f"{FACE}-2023-01-01/art_4",  # the final article names a new date each time
        [
            (f"{FACE}-2015-01-01/art_4", "added", False),
            (f"{FACE}-2019-01-01/art_5", "changed", True),
            (f"{FACE}-2023-01-01/art_4", "changed", True),
        ],
    ),
]


@pytest.mark.parametrize(("asked", "expected"), FOLDER_HISTORIES, ids=[h[0] for h in FOLDER_HISTORIES])
def test_three_versions_of_a_folder_law(
    folder_db: Settings, asked: str, expected: list[tuple[str | None, str, bool]]
) -> None:
    with open_reader(folder_db) as r:
        data = history.provision_history(r, asked)
    assert data["versions"] == [f"{FACE}-2015-01-01", f"{FACE}-2019-01-01", f"{FACE}-2023-01-01"]
    assert _steps(data) == expected


@pytest.mark.parametrize(
    ("asked", "day", "chosen"),
    [
        (f"{FACE}-2023-01-01/art_3", "2016-01-01", f"{FACE}-2015-01-01/art_2"),
        (f"{FACE}-2015-01-01/art_2", "2020-01-01", f"{FACE}-2019-01-01/art_3"),
        (f"{FACE}-2015-01-01/art_2", "2024-01-01", f"{FACE}-2023-01-01/art_3"),
    ],
)
def test_a_folder_law_at_a_date(folder_db: Settings, asked: str, day: str, chosen: str) -> None:
    with open_reader(folder_db) as r:
        assert history.provision_as_of(r, asked, day)["id"] == chosen
