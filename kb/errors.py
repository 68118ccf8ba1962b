"""One exception tree for facelaw-kb.

::

    KBError
     ├── ConfigError          a setting or parameter is wrong
     ├── SourceError          a source file cannot be used (names file, and line if known)
     │    ├── SourceMissing
     │    ├── UnsafePath      a manifest path escapes the source root
     │    ├── HashMismatch
     │    ├── EncodingError
     │    └── EmptySource
     ├── ParseError           the text was read but its structure is wrong (no articles, gaps)
     ├── ManifestError        the manifest itself is wrong (duplicate ids, bad fields)
     ├── BuildError           a build could not complete; the previous database is untouched
     │    └── BuildLocked     another build holds the lock
     ├── DatabaseError        the database cannot be opened or read (server down, wrong
     │                        password, not a database): one line naming it and why
     ├── NotFound             a query named an id that does not exist
     └── InvalidQuery         a query parameter is out of range or malformed
          └── InvalidId       an id (eid, provision or passage id) does not parse (kb.ids)

The CLI maps these to one-line messages and exit codes; the API maps them to
RFC 9457 problem responses (404 for NotFound, 422 for InvalidQuery).
"""

from __future__ import annotations

__all__ = [
    "BuildError",
    "BuildLocked",
    "ConfigError",
    "DatabaseError",
    "EmptySource",
    "EncodingError",
    "HashMismatch",
    "InvalidId",
    "InvalidQuery",
    "KBError",
    "ManifestError",
    "NotFound",
    "ParseError",
    "SourceError",
    "SourceMissing",
    "UnsafePath",
]


class KBError(Exception):
    """Base class of every error facelaw-kb raises on purpose."""


class ConfigError(KBError):
    pass


class SourceError(KBError):
    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)


class SourceMissing(SourceError):
    pass


class UnsafePath(SourceError):
    pass


class HashMismatch(SourceError):
    pass


class EncodingError(SourceError):
    pass


class EmptySource(SourceError):
    pass


class ParseError(SourceError):
    pass


class ManifestError(KBError):
    pass


class BuildError(KBError):
    pass


class BuildLocked(BuildError):
    pass


class DatabaseError(KBError):
    pass


class NotFound(KBError):
    pass


class InvalidQuery(KBError):
    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}" if parameter else message)


class InvalidId(InvalidQuery, ValueError):
    """An id that does not parse: raised by :mod:`kb.ids`, a ValueError for callers that test."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
