"""Bad input gets a clear error naming the file (and line where known)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from kb.errors import EmptySource, EncodingError, HashMismatch, SourceMissing, UnsafePath
from kb.ingest.sources import read_source


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    r.mkdir()
    (r / "ok.txt").write_text("示例法\n第一条 内容。\n", encoding="utf-8")
    return r


def test_reads_utf8_and_hash(root: Path) -> None:
    src = read_source(root, "ok.txt")
    assert src.encoding == "utf-8"
    assert src.sha256 == hashlib.sha256((root / "ok.txt").read_bytes()).hexdigest()


def test_gb18030_fallback_is_reported(root: Path) -> None:
    (root / "gb.txt").write_bytes("示例法\n第一条 内容。\n".encode("gb18030"))
    src = read_source(root, "gb.txt")
    assert src.encoding == "gb18030"
    assert "第一条" in src.text
    assert any("GB18030" in w and "gb.txt" in w for w in src.warnings)


def test_bom_and_crlf(root: Path) -> None:
    (root / "bom.txt").write_bytes(b"\xef\xbb\xbf" + "示例\r\n第一条 内容。\r\n".encode())
    src = read_source(root, "bom.txt")
    assert src.text.startswith("示例\n")


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("empty.txt", b"", EmptySource, "empty"),
        ("blank.txt", b"  \n\n ", EmptySource, "empty"),
        ("binary.bin", b"abc\n\x00\x01\x02junk", EncodingError, "binary"),
        ("latin.txt", "caf\u00e9 \u00ff\u00fe".encode("latin-1") + b"\xff\xfe\xfd\x80\x80", EncodingError, "not UTF-8"),
    ],
)
def test_bad_files(root: Path, name: str, content: bytes, error: type[Exception], message: str) -> None:
    (root / name).write_bytes(content)
    with pytest.raises(error, match=message) as info:
        read_source(root, name)
    assert name in str(info.value)


def test_binary_error_names_the_line(root: Path) -> None:
    (root / "nul.txt").write_bytes(b"line one\nline two\x00\n")
    with pytest.raises(EncodingError, match=r"nul.txt:2"):
        read_source(root, "nul.txt")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "a/../../x.txt", ""])
def test_paths_escaping_the_root_are_refused(root: Path, path: str) -> None:
    with pytest.raises(UnsafePath):
        read_source(root, path)


def test_symlink_out_of_root_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    os.symlink(outside, root / "link.txt")
    with pytest.raises(UnsafePath, match="outside the source root"):
        read_source(root, "link.txt")


def test_missing_file(root: Path) -> None:
    with pytest.raises(SourceMissing, match=r"nope\.txt"):
        read_source(root, "nope.txt")


def test_hash_mismatch(root: Path) -> None:
    with pytest.raises(HashMismatch, match="the source changed"):
        read_source(root, "ok.txt", expected_sha256="0" * 64)


def test_long_lines_and_large_files(root: Path) -> None:
    long_line = "第一条 " + "很" * 200_000 + "。\n"
    (root / "long.txt").write_text("示例法\n" + long_line, encoding="utf-8")
    assert len(read_source(root, "long.txt").text) > 200_000
