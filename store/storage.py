"""A TinyDB storage that never leaves a half-written or silently damaged file.

TinyDB's stock ``JSONStorage`` rewrites its file in place, so a kill or a full disk
in the middle of a write destroys everything. ``DurableStorage`` instead:

- serialises first, so an unserialisable value never touches the disk;
- writes a temp file in the same directory, flushes and fsyncs it;
- keeps the previous version as ``<name>.bak`` (a hard link, so it costs no copy);
- ``os.replace``s the temp file over the original and fsyncs the directory;
- reads the file afresh on every read, so another process's writes are seen;
- refuses a damaged file with :class:`LibraryCorrupt` and never writes over it;
- refuses a file from a newer schema with :class:`LibraryTooNew`, and migrates
  older ones step by step through a table of migrations.

It does no locking: the caller holds one inter-process lock around every
read-modify-write (see ``store.library``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from store.errors import LibraryCorrupt, LibraryTooNew, SaveFailed, StoreError

SCHEMA_VERSION = 1
META_TABLE = "meta"
META_DOC = "1"

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    # Version 0 is a file without a meta table (as plain TinyDB would write it);
    # its tables already have the version 1 shape.
    return data


# MIGRATIONS[v] turns a version v document into a version v + 1 document.
MIGRATIONS: dict[int, Migration] = {0: _v0_to_v1}

_StatKey = tuple[int, int, int, int]


def _stat_key(st: os.stat_result) -> _StatKey:
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _reason(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "disk full"
    return err.strerror or str(err)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in directory ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """Create ``path`` (and parents) durably: each new entry's parent is fsynced."""
    if path.is_dir():
        return
    missing = []
    p = path
    while not p.is_dir():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            if not d.is_dir():
                raise
        fsync_dir(d.parent)


def write_atomic(
    path: Path, data: bytes, *, durable: bool = True, backup: bool = False
) -> _StatKey:
    """Write ``data`` to ``path`` so that a reader sees the old or the new bytes,
    never a mixture, and (when ``durable``) the new bytes survive a crash once this
    returns. With ``backup`` the previous file is kept as ``<path>.bak``.

    Raises SaveFailed with a one-line message; the temp file is removed and the
    old file is left as it was. Returns the stat key of the new file.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    bak_tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.baktmp")
    try:
        if durable:
            ensure_dir(path.parent)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
            key = _stat_key(os.fstat(fd))
        finally:
            os.close(fd)
        if backup:
            _keep_backup(path, bak_tmp)
        os.replace(tmp, path)
        if durable:
            fsync_dir(path.parent)
        return key
    except OSError as err:
        for leftover in (tmp, bak_tmp):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
        raise SaveFailed(
            f"{path}: could not save ({_reason(err)}); the previous version is intact"
        ) from err


def remove_stale_temp_files(folder: Path, older_than: float = 3600.0) -> int:
    """Delete temp files that a killed writer left in ``folder`` (only old ones:
    a young one may belong to a write in progress). Returns how many went."""
    removed = 0
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith(".") and entry.name.endswith((".tmp", ".baktmp")):
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
    return removed


def _keep_backup(path: Path, bak_tmp: Path) -> None:
    try:
        os.link(path, bak_tmp)
    except FileNotFoundError:
        return
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
            raise
        # A filesystem without hard links: copy instead.
        shutil.copyfile(path, bak_tmp)
    os.replace(bak_tmp, path.with_name(path.name + ".bak"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON value {name}")


def parse_document(raw: bytes, where: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse and check the bytes of a database file; LibraryCorrupt when damaged."""

    def corrupt(reason: str) -> LibraryCorrupt:
        return LibraryCorrupt(f"{where}: {reason}")

    if not raw:
        raise corrupt("file is empty")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise corrupt(f"contains a NUL byte at offset {nul}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise corrupt(f"not valid UTF-8 (byte {err.start})") from None
    if not text.strip():
        raise corrupt("file holds only whitespace")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise corrupt(
            f"not valid JSON ({err.msg} at line {err.lineno} column {err.colno})"
        ) from None
    except (ValueError, RecursionError) as err:
        raise corrupt(f"not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise corrupt(f"top level is a JSON {_json_type(data)}, expected an object")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise corrupt(f"table {name!r} is a JSON {_json_type(table)}, expected an object")
        for doc_id, doc in table.items():
            if not isinstance(doc, dict):
                raise corrupt(f"record {doc_id!r} in table {name!r} is not an object")
    return data


def _json_type(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "boolean" if isinstance(value, bool) else "null"
    return {dict: "object", list: "array", str: "string", int: "number", float: "number"}.get(
        type(value), type(value).__name__
    )


def schema_version(data: Mapping[str, Any], where: str | os.PathLike[str]) -> int:
    """The schema version recorded in ``data`` (0 when it has no meta table)."""
    meta = data.get(META_TABLE)
    if not meta:
        return 0
    doc = meta.get(META_DOC)
    if doc is None or "schema" not in doc:
        return 0
    version = doc["schema"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise LibraryCorrupt(f"{where}: schema version {version!r} is not a whole number")
    return version


def migrate(
    data: dict[str, Any],
    version: int,
    target: int,
    migrations: Mapping[int, Migration],
    where: str | os.PathLike[str],
) -> dict[str, Any]:
    """Bring ``data`` from ``version`` up to ``target`` one step at a time."""
    while version < target:
        step = migrations.get(version)
        if step is None:
            raise StoreError(f"{where}: no migration from schema {version} to {version + 1}")
        data = step(data)
        version += 1
    data[META_TABLE] = {**data.get(META_TABLE, {}), META_DOC: {"schema": target}}
    return data


class DurableStorage(Storage):
    """TinyDB storage: atomic, durable, backed-up, validated JSON file.

    ``schema`` is this code's schema version and ``migrations`` maps each older
    version to a function producing the next one.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        schema: int = SCHEMA_VERSION,
        migrations: Mapping[int, Migration] | None = None,
        backup: bool = True,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.schema = schema
        self.migrations = MIGRATIONS if migrations is None else migrations
        self.backup = backup
        # Identity of the file as last read and found sound; a write checks it so
        # that a file damaged (or replaced) since then is never overwritten blind.
        self._validated: _StatKey | None = None

    @property
    def identity(self) -> tuple[int, int, int, int] | None:
        """(device, inode, mtime_ns, size) of the file as last read or written by
        this object and found sound; None before that."""
        return self._validated

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The whole document, freshly read and checked; None when there is no file."""
        try:
            with open(self.path, "rb") as f:
                key = _stat_key(os.fstat(f.fileno()))
                raw = f.read()
        except FileNotFoundError:
            self._validated = None
            return None
        except IsADirectoryError:
            raise LibraryCorrupt(f"{self.path}: is a directory, expected a file") from None
        except OSError as err:
            raise StoreError(f"{self.path}: cannot read ({_reason(err)})") from err
        try:
            data = parse_document(raw, self.path)
            version = schema_version(data, self.path)
        except LibraryCorrupt as err:
            bak = self.path.with_name(self.path.name + ".bak")
            if bak.is_file():
                raise LibraryCorrupt(f"{err}; the previous version is kept in {bak}") from None
            raise
        if version > self.schema:
            raise LibraryTooNew(
                f"{self.path}: written by a newer margin (schema {version}; this one "
                f"reads up to {self.schema}); upgrade margin to open it"
            )
        data = migrate(data, version, self.schema, self.migrations, self.path)
        self._validated = key
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Atomically and durably replace the file with ``data``."""
        data = dict(data)
        data[META_TABLE] = {**data.get(META_TABLE, {}), META_DOC: {"schema": self.schema}}
        # Serialise before touching the disk; a value JSON cannot hold fails here.
        text = json.dumps(
            data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            # Lone surrogates cannot be UTF-8; escaped JSON keeps them losslessly.
            raw = json.dumps(
                data, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False
            ).encode("ascii")
        self._check_before_overwrite()
        self._validated = write_atomic(self.path, raw, backup=self.backup)

    def _check_before_overwrite(self) -> None:
        try:
            current = _stat_key(os.stat(self.path))
        except FileNotFoundError:
            return
        except OSError as err:
            raise SaveFailed(f"{self.path}: could not save ({_reason(err)})") from err
        if current != self._validated:
            # Changed (or never read) since our last read: read it again, which
            # raises if it is damaged or too new.
            self.read()

    def close(self) -> None:
        """Nothing is held open between calls."""


class KeyedTable(Table):
    """A TinyDB table whose records are keyed by their own string ids (article,
    taught-entity ids) rather than TinyDB's counters."""

    document_id_class = str

    def _get_next_id(self) -> str:
        raise ValueError("records in this table are inserted with an explicit id")


class KeyedDatabase(TinyDB):
    """A library file opened as TinyDB: ``KeyedDatabase(path).table("articles")``."""

    table_class = KeyedTable
    default_storage_class = DurableStorage
