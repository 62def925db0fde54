"""Each article's analysis, kept in ``derived/`` so that it is computed once.

A cache file holds its key and the analysis in a compact form: every block,
entity and quote as one JSON array of its fields in declaration order, so that
loading builds each object positionally instead of matching dict keys.

A key is a hash of the text's SHA-256, a list of taught rules, this file
format, and a fingerprint of the analysis code: ``ANALYSIS_VERSION`` plus the
contents of the ``analysis`` package's code and data files. A file carries two
keys, each vouching that its analysis is the text's analysis under that key's
rules: one for the rules that can change this text's analysis
(``analysis.relevant_rules``), so that teaching about a name the text lacks
leaves it fresh, and one for all the rules, which tells it is fresh without
reading the text while nothing has been taught since it was written. Contents, not
modification times, so that touching a file (a checkout, a reinstall) keeps the
cache while any real change to a rule or a word list invalidates it, whether or
not the version was bumped. The fingerprint is taken once per process, when
this module is imported; a process whose analysis files change while it runs
(an upgrade, an edit) stops reading and writing the cache, as the code it has
loaded may not be the code the files now hold (see ``CodeWatch``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import operator
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from store.errors import SaveFailed, StoreError
from store.storage import write_atomic

__all__ = [
    "FORMAT",
    "CodeWatch",
    "analysis_code",
    "cache_key",
    "check_unchanged",
    "code_fingerprint",
    "decode",
    "encode",
    "file_state",
    "hash_files",
    "load",
    "read_file",
    "rules_digest",
    "save",
    "stored_key",
    "stored_keys",
]

# Bump when the layout of a cache file changes.
FORMAT = 3
_FINGERPRINTED = (".py", ".txt", ".json")


def _types() -> tuple[type, type, type, type]:
    from analysis.types import Analysis, Block, Entity, Quote

    return Analysis, Block, Entity, Quote


@functools.lru_cache(maxsize=1)
def _rows() -> tuple[Any, Any, Any]:
    """One getter per type returning its fields as a tuple, in declaration order
    (the order the constructor takes them in)."""
    _, block, entity, quote = _types()
    return tuple(
        operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))
        for cls in (block, entity, quote)
    )


def _code_files(folders: Iterable[str | Path]) -> list[tuple[Path, Path]]:
    """(folder, file) for every code and data file under ``folders``, in a fixed order."""
    found = []
    for folder in folders:
        base = Path(folder)
        for path in sorted(base.rglob("*")):
            if path.suffix in _FINGERPRINTED and "__pycache__" not in path.parts:
                found.append((base, path))
    return found


def hash_files(digest: Any, folders: Iterable[str | Path]) -> int:
    """Feed the relative name and contents of every code and data file under
    ``folders`` into ``digest``, in a fixed order; returns how many there were.
    Modification times play no part."""
    hashed = 0
    for base, path in _code_files(folders):
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            continue
        except OSError as err:
            # Unreadable now: its name and the reason still make a stable key.
            data = f"unreadable: {err.strerror}".encode()
        name = path.relative_to(base).as_posix().encode("utf-8", "surrogateescape")
        digest.update(b"%d:%s:%d:" % (len(name), name, len(data)))
        digest.update(data)
        hashed += 1
    return hashed


def file_state(folders: Iterable[str | Path]) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime_ns) of every code and data file under ``folders``."""
    return _stat_all([str(path) for _, path in _code_files(folders)])


def _stat_all(paths: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    state = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            state.append((path, -1, -1))
        else:
            state.append((path, st.st_size, st.st_mtime_ns))
    return tuple(state)


# Early in every margin process: store.library imports this module.
_STARTED_NS = time.time_ns()


class CodeWatch:
    """The fingerprint of the code in ``folders``, and whether this process can
    trust it to describe the code it runs.

    The fingerprint is taken from the files, but a process runs the code it
    imported earlier: a file changed after this process started (an upgrade or
    an edit while it runs) may not be what it has loaded, so such a process
    neither reads nor writes the cache; and a result is only written while the
    files are still as they were when fingerprinted.
    """

    def __init__(
        self, folders: Iterable[str | Path], prefix: bytes = b"", started_ns: int = 0
    ) -> None:
        self.folders = [str(f) for f in folders]
        taken_ns = time.time_ns()
        self.state = file_state(self.folders)
        digest = hashlib.sha256(prefix)
        self.files = hash_files(digest, self.folders)
        self.fingerprint = digest.hexdigest()
        # A clock set back or a file dated in the future cannot tell; only
        # changes between the start and now count.
        self.usable = self.state == file_state(self.folders) and not any(
            started_ns < mtime <= taken_ns for _, _, mtime in self.state
        )

    def unchanged(self) -> bool:
        """True while the files are as they were when fingerprinted: a stat of
        each (a file added since only matters once an existing one uses it)."""
        return self.usable and _stat_all(p for p, _, _ in self.state) == self.state


@functools.lru_cache(maxsize=1)
def analysis_code() -> CodeWatch:
    """The ``analysis`` package's CodeWatch, taken once per process: its fingerprint
    covers the field layout of the analysis types and the name and contents of
    every code and data file (so also ``ANALYSIS_VERSION``, which is in
    ``analysis/pipeline.py``). About a megabyte to hash, a few milliseconds."""
    import analysis

    _, block, entity, quote = _types()
    layout = [[f.name for f in dataclasses.fields(cls)] for cls in (block, entity, quote)]
    prefix = json.dumps([FORMAT, layout]).encode()
    watch = CodeWatch(getattr(analysis, "__path__", []), prefix, _STARTED_NS)
    if not watch.files:
        # Installed without readable source files (a zip): the version is all
        # there is. Importing the pipeline costs ~0.1 s, so only here.
        from analysis.pipeline import ANALYSIS_VERSION

        version = f"version:{ANALYSIS_VERSION}".encode()
        watch.fingerprint = hashlib.sha256(prefix + version).hexdigest()
    return watch


def check_unchanged() -> None:
    """Raise StoreError when this process cannot cache analyses any more (its
    analysis files changed since it started), so that a re-analysis is not run
    for nothing."""
    if not analysis_code().unchanged():
        raise StoreError(
            "the analysis code changed while margin was running; "
            "restart margin to re-analyse the library"
        )


def code_fingerprint() -> str:
    """The fingerprint of the analysis code (see ``analysis_code``)."""
    return analysis_code().fingerprint


def rules_digest(rules: Iterable[Any]) -> str:
    """SHA-256 of the taught rules (``analysis.Taught``), in order."""
    rows = [[r.action, r.text, r.type, r.canonical] for r in rules]
    return hashlib.sha256(
        json.dumps(rows, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ).hexdigest()


def cache_key(text_sha256: str, rules: str) -> str:
    """The key of one article's cached analysis: its text's SHA-256 and the
    ``rules_digest`` of a list of taught rules, under the current analysis code."""
    raw = f"{code_fingerprint()}:{rules}:{text_sha256}"
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


def encode(key: str, result: Any, all_key: str | None = None) -> bytes:
    """The cache file for ``result`` (an ``analysis.Analysis``) under ``key``
    (the key of the rules relevant to the text) and ``all_key`` (the key of all
    the rules; ``key`` when not given)."""
    block, entity, quote = _rows()
    payload = {
        "key": key,
        "all": key if all_key is None else all_key,
        "format": FORMAT,
        "title": result.title,
        "blocks": [block(b) for b in result.blocks],
        "entities": [entity(e) for e in result.entities],
        "quotes": [quote(q) for q in result.quotes],
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )


def decode(raw: bytes, key: str, all_key: str | None = None) -> Any | None:
    """The analysis in a cache file, or None when neither of its keys is ``key``
    or ``all_key``, or it is not a readable cache file. Any match will do: each
    key names rules under which the text's analysis is the one stored."""
    analysis, block, entity, quote = _types()
    try:
        data = json.loads(raw)
        if data["format"] != FORMAT or not {data["key"], data["all"]} & {key, all_key}:
            return None
        title = data["title"]
        if title is not None and not isinstance(title, str):
            return None
        return analysis(
            title,
            [block(*row) for row in data["blocks"]],
            [entity(*row) for row in data["entities"]],
            [quote(*row) for row in data["quotes"]],
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        # ValueError covers damaged JSON and bytes that are not UTF-8; TypeError
        # a row of the wrong length.
        return None


_CHUNK = 1 << 16
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file, read with four system calls when it is under 64 KiB
    (``open()`` makes nine: it also checks for a terminal, seeks and stats),
    which counts when an export reads three small files per article."""
    fd = os.open(path, _READ_FLAGS)
    try:
        data = os.read(fd, _CHUNK)
        if len(data) < _CHUNK:
            # A short read is not proof of the end: ask once more.
            more = os.read(fd, _CHUNK)
            if not more:
                return data
            data += more
        chunks = [data]
        while chunk := os.read(fd, _CHUNK * 4):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# encode() writes the two keys first and the format next, so a cache file
# starts with this prefix, the 64-character key, the middle, the other key, and
# the suffix below.
_KEY_PREFIX = b'{"key":"'
_KEY_MIDDLE = b'","all":"'
_KEY_SUFFIX = b'","format":%d,' % FORMAT
_SECOND = len(_KEY_PREFIX) + 64 + len(_KEY_MIDDLE)
_HEAD = _SECOND + 64 + len(_KEY_SUFFIX)


def stored_key(path: str | os.PathLike[str]) -> str | None:
    """The key (of the relevant rules) a cache file was written under; see
    ``stored_keys``."""
    keys = stored_keys(path)
    return None if keys is None else keys[0]


def stored_keys(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """The two keys a cache file was written under (the relevant rules' and all
    the rules'), read from its first bytes without decoding the rest; None when
    there is no cache file, or it is not one in the current format."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        head = os.read(fd, _HEAD)
    except OSError:
        return None
    finally:
        os.close(fd)
    if (
        len(head) != _HEAD
        or not head.startswith(_KEY_PREFIX)
        or head[_SECOND - len(_KEY_MIDDLE) : _SECOND] != _KEY_MIDDLE
        or not head.endswith(_KEY_SUFFIX)
    ):
        return None
    try:
        key = head[len(_KEY_PREFIX) : len(_KEY_PREFIX) + 64].decode("ascii")
        all_key = head[_SECOND : _SECOND + 64].decode("ascii")
    except UnicodeDecodeError:
        return None
    return key, all_key


def load(path: Path, key: str, all_key: str | None = None) -> Any | None:
    """The cached analysis at ``path`` when it was made under ``key`` or
    ``all_key`` (see ``decode``), else None (always None in a process whose
    analysis files changed while it ran)."""
    if not analysis_code().usable:
        return None
    try:
        raw = read_file(path)
    except OSError:
        return None
    return decode(raw, key, all_key)


def save(path: Path, key: str, result: Any, all_key: str | None = None) -> None:
    """Cache ``result`` at ``path`` under ``key`` and ``all_key`` (see
    ``encode``; not fsynced: derived data). A cache that cannot be written is
    skipped; the analysis is simply run again next time. Nothing is written
    once the analysis files differ from the fingerprint."""
    if not analysis_code().unchanged():
        return
    with contextlib.suppress(SaveFailed, OSError, UnicodeEncodeError, TypeError, ValueError):
        write_atomic(path, encode(key, result, all_key), durable=False)


# Taken at start-up (store.library imports this module), before the analysis
# code the cache describes is normally imported, so that the fingerprint is of
# the code this process goes on to run; CodeWatch covers changes after it.
with contextlib.suppress(ImportError):
    analysis_code()
