"""The manifest is checked against the files: ids, paths, hashes, lineage."""

from __future__ import annotations

import doctest
import hashlib
from pathlib import Path
from typing import Any

import pytest

import kb.ingest.manifest
from kb.datafiles import RuleModel, load_rule_lines, load_rules
from kb.errors import ConfigError, ManifestError
from kb.ingest.manifest import load_manifest, parse_manifest, versions_of
from kb.ingest.sources import resolve_source
from kb.model import DocumentMeta

ABSENT = {
    "cac-frt-2023-draft",
    "pi-spec-2020",
    "tc260-consent-2020",
    "mps-video-2016-draft",
}
REQUIRED_IDS = ABSENT | {  # the documents known without their text are required too
    "pipl-2021",
    "spc-frt-2021",
    "csl-2016",
    "csl-2025",
    "dsl-2021",
    "video-image-2025",
    "civil-code-2020",
    "minors-protection-2020",
    "minors-protection-2024",
    "minors-online-2023",
    "network-data-2024",
    "national-security-2015",
    "counter-espionage-2014",
    "counter-espionage-2023",
    "counter-terrorism-2018",
    "chinai-163",
    "csis-coming-into-focus-2020",
    "wsj-draft-rules-2023",
    "diplomat-backlash-2020",
    "cpo-draft-rules-2023",
    "cac-mps-frt-2025",
    "children-pi-2019",
}
LINEAGE = [
    ("csl-2025", "csl-2016"),
    ("minors-protection-2024", "minors-protection-2020"),
    ("counter-espionage-2023", "counter-espionage-2014"),
    ("cac-mps-frt-2025", "cac-frt-2023-draft"),
    ("video-image-2025", "mps-video-2016-draft"),
]


def test_ids_are_exactly_the_contract(manifest: dict[str, DocumentMeta]) -> None:
    assert set(manifest) == REQUIRED_IDS


def test_every_source_exists_and_hash_matches(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    for doc in manifest.values():
        for src in doc.sources:
            path = resolve_source(source_root, src.path)
            assert src.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), src.path


def test_absent_texts_are_known_but_textless(manifest: dict[str, DocumentMeta]) -> None:
    for doc_id in ABSENT:
        assert not manifest[doc_id].text_available
        assert manifest[doc_id].title_en
    assert all(manifest[d].text_available for d in REQUIRED_IDS - ABSENT)


@pytest.mark.parametrize(("new", "old"), LINEAGE)
def test_lineage(manifest: dict[str, DocumentMeta], new: str, old: str) -> None:
    assert manifest[new].supersedes == old
    assert manifest[new].work == manifest[old].work
    ordered = [d.id for d in versions_of(list(manifest.values()), manifest[new].work or "")]
    assert ordered.index(old) < ordered.index(new)


def test_commentary_metadata(manifest: dict[str, DocumentMeta]) -> None:
    commentary = [d for d in manifest.values() if d.kind == "commentary"]
    assert len(commentary) == 5
    for doc in commentary:
        assert doc.outlet and doc.date and len(doc.sources) == 1


def test_civil_code_files_in_book_order(manifest: dict[str, DocumentMeta]) -> None:
    names = [Path(s.path).stem for s in manifest["civil-code-2020"].sources]
    assert names == ["总则", "物权编", "合同编", "人格权编", "婚姻家庭编", "继承编", "侵权责任编", "附则"]


def _doc(**fields: Any) -> dict[str, Any]:
    return {"id": "x-1", "kind": "law", **fields}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"document": [_doc(), _doc()]}, "duplicate document id"),
        ({"document": [_doc(kind="novel")]}, "test.toml: document 'x-1'.kind: Input should be 'law'"),
        ({"document": [_doc(id="Bad Id")]}, "test.toml: document 'Bad Id'.id: .*lower-case"),
        ({"document": [_doc(), {"kind": "law"}]}, "test.toml: document #2.id: Field required"),
        ({"document": [_doc(supersedes="nope")]}, "unknown id 'nope'"),
        ({"document": [_doc(effective="June 2021")]}, "test.toml: document 'x-1'.effective: .*not an ISO date"),
        ({"document": [_doc(colour="red")]}, "test.toml: document 'x-1'.colour: Extra inputs are not permitted"),
        (
            {"document": [_doc(short_names="PIPL")]},
            "test.toml: document 'x-1'.short_names: Input should be a valid tuple",
        ),
        ({"document": [_doc(source=[{"path": "a.txt", "sha256": "xyz"}])]}, "document 'x-1'.source.0.sha256: .*64 hex"),
        ({"document": [_doc(source=[{"sha256": ""}])]}, "document 'x-1'.source.0.path: Field required"),
        ({}, "test.toml: document: Field required"),
        ({"document": []}, "test.toml: document: Tuple should have at least 1 item"),
    ],
)
def test_bad_manifests(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(raw, origin="test.toml")


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="manifest not found"):
        load_manifest(tmp_path)


# ---------------------------------------------------------------- rule-file loading (kb.datafiles)


class _Cue(RuleModel):
    phrase: str
    weight: float = 1.0


class _Cues(RuleModel):
    supportive: list[_Cue]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('supportive = [{phrase = "welcome", weight = "x"}]', "supportive.0.weight: Input should be a valid number"),
        ('supportive = [{phrase = "welcome", wieght = 2}]', "supportive.0.wieght: Extra inputs are not permitted"),
        ("other = 1", "supportive: Field required"),
        ("supportive = [", "Invalid value"),
    ],
)
def test_a_bad_rule_file_is_one_error_naming_file_entry_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cues.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_rules(path, _Cues, "cue file")
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)


def test_rule_lines_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cues.jsonl"
    path.write_text('{"phrase": "a"}\n\n// comment\n{"weight": 2}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cues\.jsonl: line 4\.phrase: Field required"):
        load_rule_lines(path, _Cue, "cue file")
    path.write_text('{"phrase": "a"}\n{"phrase": "b", "weight": 0.5}\n', encoding="utf-8")
    assert [c.weight for c in load_rule_lines(path, _Cue, "cue file")] == [1.0, 0.5]


def test_doctests() -> None:
    result = doctest.testmod(kb.ingest.manifest)
    assert result.attempted > 0 and result.failed == 0
