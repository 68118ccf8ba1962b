"""Reading third-party source files safely.

Paths in the manifest are relative to the source root. A path that is absolute,
escapes the root with ``..`` or leads outside it through a symlink is refused. Text
is decoded as UTF-8 (a BOM is dropped); failing that, GB18030 is tried and the
fallback is reported. Empty files and binary junk are refused with the file named.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kb.errors import EmptySource, EncodingError, HashMismatch, SourceMissing, UnsafePath

__all__ = ["MAX_SOURCE_BYTES", "SourceText", "read_source", "resolve_source", "sha256_file"]

MAX_SOURCE_BYTES = 64 * 1024 * 1024  # a statute is < 2 MB; refuse what cannot be one


@dataclass(frozen=True, slots=True)
class SourceText:
    path: str  # as named in the manifest (relative to the source root)
    text: str
    sha256: str
    size: int
    encoding: str
    warnings: tuple[str, ...] = ()


def resolve_source(root: Path, rel: str) -> Path:
    """The absolute path of ``rel`` under ``root``, refusing anything outside it."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or not rel.strip():
        raise UnsafePath("absolute or empty path is not allowed in the manifest", path=rel)
    if ".." in pure.parts:
        raise UnsafePath("path escapes the source root", path=rel)
    root_resolved = root.resolve()
    candidate = root_resolved.joinpath(*pure.parts)
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root_resolved):
        raise UnsafePath(f"path leads outside the source root {root_resolved} (symlink?)", path=rel)
    if not resolved.exists():
        raise SourceMissing(f"file not found under source root {root_resolved}", path=rel)
    if not resolved.is_file():
        raise SourceMissing("not a regular file", path=rel)
    return resolved


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_source(root: Path, rel: str, *, expected_sha256: str | None = None) -> SourceText:
    """Read and decode one source file, checking its hash when one is expected."""
    path = resolve_source(root, rel)
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise EncodingError(f"file is {size} bytes, over the {MAX_SOURCE_BYTES} byte limit", path=rel)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise HashMismatch(
            f"sha256 is {digest}, manifest says {expected_sha256}: the source changed", path=rel
        )
    if not data.strip():
        raise EmptySource("file is empty", path=rel)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise EncodingError("binary data (NUL byte): not a text file", path=rel, line=line)
    warnings: list[str] = []
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise EncodingError(
                f"not UTF-8 (invalid byte at offset {exc.start}) and not GB18030 either", path=rel, line=line
            ) from None
        encoding = "gb18030"
        warnings.append(f"{rel}:{line}: not UTF-8; decoded as GB18030")
    if not text.strip():
        raise EmptySource("file has no text", path=rel)
    # Offsets are into text with universal newlines, like every reader sees it.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(rel, text, digest, size, encoding, tuple(warnings))
