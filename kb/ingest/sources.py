"""Reading third-party source files safely.

Paths in the manifest are relative to the source root. A path that is absolute,
escapes the root with ``..`` or leads outside it through a symlink is refused. Text
is decoded as UTF-8 (a BOM is dropped); failing that, GB18030 is tried and the
fallback is reported. A UTF-16 file (it starts with a BOM) is decoded and reported.
Empty files, binary junk, files over :data:`MAX_SOURCE_BYTES` and lines over
:data:`MAX_LINE_CHARS` are refused with the file (and line) named.

Truncation. A file that ends inside a UTF-8 character was certainly cut short: it is
refused (an error, and no GB18030 guess at the bytes). A file whose last line ends
in a Chinese character with no closing punctuation was probably cut mid-sentence,
but a statute can also end with an annex title (``附表``): that is a warning naming
the file and line, and the build goes on. A cut at a line boundary cannot be seen.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kb.errors import (
    EmptySource,
    EncodingError,
    HashMismatch,
    ParseError,
    SourceError,
    SourceMissing,
    UnsafePath,
)

__all__ = ["MAX_LINE_CHARS", "MAX_SOURCE_BYTES", "SourceText", "read_source", "resolve_source", "sha256_file"]

# The largest text of the 3,422-law corpus is 313 KB. Parsing and annotating run at
# roughly 150 KB/s (slower with tens of thousands of articles), so 8 MiB bounds one
# document at a minute or two; a bigger file is not one statute (a 50 MB one would
# hold a build for an hour), so it is refused before it is read.
MAX_SOURCE_BYTES = 8 * 1024 * 1024
# The annotators see a text line by line, and spaCy refuses a text over 1,000,000
# characters (``nlp.max_length``). The longest line of the 3,422 laws is 2,762.
MAX_LINE_CHARS = 1_000_000

# A last line ending in a CJK ideograph: no closing punctuation (。；：」…).
_ENDS_MID_SENTENCE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$")


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


def read_source(
    root: Path, rel: str, *, expected_sha256: str | None = None, max_line_chars: int | None = MAX_LINE_CHARS
) -> SourceText:
    """Read and decode one source file, checking its hash when one is expected.

    ``max_line_chars=None`` skips the line-length check (minified HTML is one long line).
    """
    path = resolve_source(root, rel)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            # Never more than the limit in memory, even if the file grows while we read.
            data = fh.read(MAX_SOURCE_BYTES + 1) if size <= MAX_SOURCE_BYTES else b""
    except OSError as exc:  # no permission, I/O error, removed meanwhile
        raise SourceError(f"cannot read the file: {exc.strerror or exc}", path=rel) from None
    if size > MAX_SOURCE_BYTES or len(data) > MAX_SOURCE_BYTES:
        size = max(size, len(data))
        raise EncodingError(
            f"file is {size:,} bytes, over the {MAX_SOURCE_BYTES >> 20} MiB limit of one source file", path=rel
        )
    digest = hashlib.sha256(data).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise HashMismatch(f"sha256 is {digest}, manifest says {expected_sha256}: the source changed", path=rel)
    if not data.strip():
        raise EmptySource("file is empty", path=rel)
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 text is full of NUL bytes: recognise it before calling it binary.
        text, encoding = _decode_utf16(data, rel), "utf-16"
        warnings.append(f"{rel}: UTF-16 text; decoded (UTF-8 is expected)")
    else:
        if b"\x00" in data:
            line = data[: data.index(b"\x00")].count(b"\n") + 1
            raise EncodingError("binary data (NUL byte): not a text file", path=rel, line=line)
        text, encoding = _decode_8bit(data, rel, warnings)
    if not text.strip():
        raise EmptySource("file has no text", path=rel)
    # Offsets are into text with universal newlines, like every reader sees it.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if max_line_chars is not None:
        _check_line_lengths(text, rel, max_line_chars)
    warnings.extend(_truncation_warnings(text, rel))
    return SourceText(rel, text, digest, size, encoding, tuple(warnings))


def _decode_8bit(data: bytes, rel: str, warnings: list[str]) -> tuple[str, str]:
    """UTF-8, else GB18030 (reported in ``warnings``); a cut-off UTF-8 file is refused."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        # Cut inside a character, after valid UTF-8 text that is not plain ASCII.
        cut_short = exc.reason == "unexpected end of data" and exc.end == len(data)
        if cut_short and not data[: exc.start].isascii():
            raise EncodingError(
                "file ends in the middle of a UTF-8 character: it was cut short (truncated download?)",
                path=rel,
                line=line,
            ) from None
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise EncodingError(
                f"not UTF-8 (invalid byte at offset {exc.start}) and not GB18030 either", path=rel, line=line
            ) from None
        warnings.append(f"{rel}:{line}: not UTF-8; decoded as GB18030")
        return text, "gb18030"


def _decode_utf16(data: bytes, rel: str) -> str:
    try:
        text = data.decode("utf-16")  # the BOM says which byte order, and is dropped
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode("utf-16", "replace").count("\n") + 1
        raise EncodingError(f"invalid UTF-16 at byte {exc.start} (truncated?)", path=rel, line=line) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise EncodingError("binary data (NUL character): not a text file", path=rel, line=line)
    return text


def _check_line_lengths(text: str, rel: str, limit: int) -> None:
    if len(text) <= limit:
        return
    lengths = [len(line) for line in text.split("\n")]
    longest = max(lengths)
    if longest > limit:
        raise ParseError(
            f"line is {longest:,} characters long, over the {limit:,} limit: not prose",
            path=rel,
            line=lengths.index(longest) + 1,
        )


def _truncation_warnings(text: str, rel: str) -> list[str]:
    """A warning when the last line stops mid-sentence; see the module docstring."""
    stripped = text.rstrip()
    last = stripped[stripped.rfind("\n") + 1 :].strip()
    if last.startswith("#") or not _ENDS_MID_SENTENCE.search(last):
        return []
    line = stripped.count("\n") + 1
    return [f"{rel}:{line}: last line ends without closing punctuation (…{last[-12:]}): the file may be truncated"]
