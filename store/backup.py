"""The whole library as one JSON file, and back.

The file holds the articles with their full text and annotations, the taught
entities, the backup schema version and the margin version that wrote it. It is
deterministic (sorted keys, articles by id, notes, highlights and taught entities in
the library's stored order, no timestamp of its own), so backup -> restore -> backup gives the same bytes.
Derived data (analysis, indexes) is not in it: a restored library rebuilds it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from store import anchoring
from store.errors import LibraryCorrupt, LibraryTooNew, SaveFailed, StoreError
from store.library import _TAUGHT_GROUP, normalize_tags
from store.models import Annotations, Article, Highlight, Note, TaughtEntity

__all__ = [
    "BACKUP_FORMAT",
    "BACKUP_SCHEMA",
    "BackupInvalid",
    "BackupTooNew",
    "LibraryNotEmpty",
    "backup",
    "backup_document",
    "merge_annotations",
    "read_backup",
    "restore",
]

BACKUP_FORMAT = "margin-backup"
BACKUP_SCHEMA = 1


class BackupInvalid(LibraryCorrupt):
    """The backup file is not valid JSON or not a margin backup of the right shape."""


class BackupTooNew(LibraryTooNew):
    """The backup was written by a newer margin (higher backup schema)."""


class LibraryNotEmpty(StoreError):
    """Restore into a library that already has articles, without merge."""


def _margin_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("margin")
    except (ImportError, PackageNotFoundError):
        return "unknown"


def _article_record(library, article: Article) -> dict[str, Any]:
    # Notes, highlights and taught entities keep the library's own (stored, stable)
    # order: timestamps have one-second resolution, so sorting by them could reorder.
    ann = library.annotations(article.id)
    return {
        "article": article.to_dict(),
        "text": library.text(article.id),
        "annotations": {
            "tags": list(ann.tags),
            "notes": [n.to_dict() for n in ann.notes],
            "highlights": [h.to_dict() for h in ann.highlights],
            "position": ann.position,
        },
    }


def backup_document(library) -> dict[str, Any]:
    """The backup as a JSON-able dict (what ``backup`` writes)."""
    articles = sorted(library.articles(), key=lambda a: a.id)
    taught = library.taught()
    return {
        "format": BACKUP_FORMAT,
        "schema": BACKUP_SCHEMA,
        "margin_version": _margin_version(),
        "articles": [_article_record(library, a) for a in articles],
        "taught": [t.to_dict() for t in taught],
    }


def _counts(doc: dict[str, Any]) -> dict[str, int]:
    records = doc["articles"]
    return {
        "articles": len(records),
        "highlights": sum(len(r["annotations"]["highlights"]) for r in records),
        "notes": sum(len(r["annotations"]["notes"]) for r in records),
        "taught": len(doc["taught"]),
    }


def _atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename over, fsync the folder: a crash
    leaves either the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder; the rename is enough there
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def backup(library, path: Path) -> dict[str, int]:
    """Write the whole library to ``path`` as one JSON file (atomic). Returns counts:
    articles, highlights, notes, taught."""
    path = Path(path)
    doc = backup_document(library)
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    if path.is_dir():
        raise SaveFailed(f"{path}: is a folder; give a file name for the backup")
    try:
        _atomic_write(path, data.encode("utf-8", errors="surrogatepass"))
    except OSError as err:
        raise SaveFailed(f"{path}: cannot write the backup ({err.strerror or err})") from None
    return _counts(doc)


# --- reading and checking ----------------------------------------------------

_ARTICLE_FIELDS = {"id": str, "title": str, "source": str, "sha256": str, "added": str}
_NOTE_FIELDS = {"id": str, "text": str, "created": str}
_HIGHLIGHT_FIELDS = {"id": str, "start": int, "end": int, "exact": str}
_TAUGHT_FIELDS = {"id": str, "action": str, "text": str}


def _require(obj: Any, fields: dict[str, type], where: str) -> None:
    if not isinstance(obj, dict):
        raise ValueError(f"{where} is not an object")
    for name, kind in fields.items():
        value = obj.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"{where} has no valid {name!r}")


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where} is not a list of strings")
    return value


def _parse_record(record: Any, n: int) -> tuple[Article, str, Annotations]:
    where = f"article #{n + 1}"
    if not isinstance(record, dict):
        raise ValueError(f"{where} is not an object")
    _require(record.get("article"), _ARTICLE_FIELDS, f"{where}'s metadata")
    article = Article.from_dict(record["article"])
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError(f"{where} ({article.id}) has no text")
    digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()
    if digest != article.sha256:
        raise ValueError(f"{where} ({article.id}): text does not match its checksum")
    ann = record.get("annotations")
    if not isinstance(ann, dict):
        raise ValueError(f"{where} ({article.id}) has no annotations")
    notes_raw = ann.get("notes", [])
    highlights_raw = ann.get("highlights", [])
    if not isinstance(notes_raw, list) or not isinstance(highlights_raw, list):
        raise ValueError(f"{where} ({article.id}): notes and highlights must be lists")
    notes = []
    for i, raw in enumerate(notes_raw):
        _require(raw, _NOTE_FIELDS, f"{where} ({article.id}) note #{i + 1}")
        notes.append(Note.from_dict(raw))
    highlights = []
    for i, raw in enumerate(highlights_raw):
        label = f"{where} ({article.id}) highlight #{i + 1}"
        _require(raw, _HIGHLIGHT_FIELDS, label)
        _str_list(raw.get("tags", []), f"{label}'s tags")
        if not 0 <= raw["start"] <= raw["end"]:
            raise ValueError(f"{label} has offsets out of order")
        highlights.append(Highlight.from_dict(raw))
    position = ann.get("position", 0)
    if not isinstance(position, int) or isinstance(position, bool):
        raise ValueError(f"{where} ({article.id}): position is not a number")
    annotations = Annotations(
        article_id=article.id,
        tags=list(_str_list(ann.get("tags", []), f"{where} ({article.id})'s tags")),
        notes=notes,
        highlights=highlights,
        position=position,
    )
    return article, text, annotations


def read_backup(path: Path) -> tuple[list[tuple[Article, str, Annotations]], list[TaughtEntity]]:
    """Read and check a whole backup file before anything is restored. Raises
    BackupInvalid (damaged or wrong shape) or BackupTooNew, each with the path."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise BackupInvalid(f"{path}: cannot read the backup ({err.strerror or err})") from None
    try:
        doc = json.loads(raw.decode("utf-8", errors="surrogatepass"))
    except (UnicodeDecodeError, ValueError) as err:
        raise BackupInvalid(f"{path}: not a margin backup: damaged JSON ({err})") from None
    if not isinstance(doc, dict) or doc.get("format") != BACKUP_FORMAT:
        raise BackupInvalid(f'{path}: not a margin backup (no "format": "{BACKUP_FORMAT}")')
    schema = doc.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise BackupInvalid(f"{path}: not a margin backup: bad schema version {schema!r}")
    if schema > BACKUP_SCHEMA:
        version = doc.get("margin_version")
        by = f"margin {version}" if isinstance(version, str) and version else "a newer margin"
        raise BackupTooNew(
            f"{path}: written by {by} (backup schema {schema}; this margin reads up to "
            f"{BACKUP_SCHEMA}): upgrade margin to restore it"
        )
    try:
        if not isinstance(doc.get("articles"), list) or not isinstance(doc.get("taught", []), list):
            raise ValueError("'articles' and 'taught' must be lists")
        records = [_parse_record(r, n) for n, r in enumerate(doc["articles"])]
        ids = [a.id for a, _, _ in records]
        if len(set(ids)) != len(ids):
            raise ValueError("an article id appears twice")
        taught = []
        for i, raw in enumerate(doc.get("taught", [])):
            _require(raw, _TAUGHT_FIELDS, f"taught entity #{i + 1}")
            taught.append(TaughtEntity.from_dict(raw))
    except ValueError as err:
        raise BackupInvalid(f"{path}: damaged margin backup: {err}") from None
    return records, taught


RESTORE_COUNTS = (
    "articles",
    "merged",
    "skipped",
    "highlights",
    "notes",
    "updated",
    "tags",
    "taught",
)


def restore(library, path: Path, merge: bool = False) -> dict[str, int]:
    """Restore a backup into ``library``, which must be empty unless ``merge``.

    The whole file is read and checked first, so a damaged or too-new backup
    changes nothing. With ``merge``, an article already in the library (same id,
    else same text) gets the backup's tags, notes and highlights it lacks (see
    ``merge_annotations``) and keeps its own metadata and reading position;
    taught entities are merged as ``Library.teach`` would have them. Merging the
    same backup twice changes nothing the second time.

    Returns counts: ``articles`` added; ``merged``, articles already there that
    gained something; ``skipped``, articles already there with nothing new;
    ``highlights`` and ``notes`` added (to new and existing articles);
    ``updated``, notes and highlights replaced by the backup's newer version or
    completed with its tags or note; ``tags`` added to existing articles;
    ``taught`` entities added.
    """
    path = Path(path)
    records, taught = read_backup(path)
    if not merge and not library.is_empty():
        n = len(library.articles())
        raise LibraryNotEmpty(
            f"{path}: the library already has {n} article{'s' if n != 1 else ''}; restore "
            "into an empty library, or merge into this one (--merge)"
        )
    counts = dict.fromkeys(RESTORE_COUNTS, 0)
    new: list[tuple[Article, str, Annotations]] = []
    matched: list[tuple[Article, str, Annotations]] = []
    if merge:
        existing = _matcher(library)
        for record in records:
            (matched if existing(record[0]) is not None else new).append(record)
    else:
        new = records
    bulk = getattr(library, "import_records", None)  # one index write for all, when offered
    try:
        if bulk is not None:
            statuses = bulk(new)
        else:
            statuses = [library.import_record(a, t, ann) for a, t, ann in new]
    except (ValueError, TypeError) as err:
        raise BackupInvalid(f"{path}: damaged margin backup: {err}") from None
    for record, status in zip(new, statuses, strict=True):
        if status == "added":
            counts["articles"] += 1
            counts["highlights"] += len(record[2].highlights)
            counts["notes"] += len(record[2].notes)
        elif merge:
            # Same text as an article of the backup itself, or one added meanwhile.
            matched.append(record)
        else:
            counts["skipped"] += 1
    if matched:
        existing = _matcher(library)
        for article, _, annotations in matched:
            target = existing(article)
            if target is None:  # deleted meanwhile
                counts["skipped"] += 1
                continue
            got = _merge_into(library, target, article, annotations)
            counts["merged" if any(got.values()) else "skipped"] += 1
            for key, value in got.items():
                counts[key] += value
    if merge:
        counts["taught"] = _merge_taught(library, taught)
    else:
        known = {t.id for t in library.taught()}
        for entity in taught:
            if entity.id not in known:
                library.add_taught_entity(entity)
                known.add(entity.id)
                counts["taught"] += 1
    return counts


# --- merging into articles that exist -------------------------------------------


def _matcher(library) -> Callable[[Article], Article | None]:
    """Finds the library's article for a backed-up one: same id, else same text."""
    articles = library.articles()
    by_id = {a.id: a for a in articles}
    by_sha = {a.sha256: a for a in sorted(articles, key=lambda a: a.id, reverse=True)}
    return lambda article: by_id.get(article.id) or by_sha.get(article.sha256)


def _stamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=timezone.utc)


def _newer(theirs: Any, ours: Any) -> bool:
    """True when timestamp ``theirs`` is later than ``ours``; an unreadable one is
    never later, and ties go to ours."""
    a, b = _stamp(theirs), _stamp(ours)
    return a is not None and (b is None or a > b)


def _reanchored(rec: dict[str, Any], text: str) -> dict[str, Any]:
    old = anchoring.Anchor(
        rec["start"], rec["end"], rec["exact"], rec.get("prefix", ""), rec.get("suffix", "")
    )
    found = anchoring.reanchor(text, old)
    if found is None:
        return {**rec, "orphan": True}  # kept with its quote, as the library keeps orphans
    return {
        **rec,
        "start": found.start,
        "end": found.end,
        "exact": found.exact,
        "prefix": found.prefix,
        "suffix": found.suffix,
        "orphan": False,
    }


def merge_annotations(
    doc: dict[str, Any], incoming: Annotations, text: str | None = None
) -> dict[str, int]:
    """Merge ``incoming`` (an article's annotations from a backup) into ``doc``
    (the same article's annotations in the library: ``tags``, and ``notes`` and
    ``highlights`` as lists of dicts), in place. ``text`` is the library's text
    of the article when it differs from the backup's: highlights are then
    re-anchored against it, and one that cannot be found is kept as an orphan.

    Union by id: a note or highlight whose id is already there is replaced only
    by a newer version (notes: ``updated``, else ``created``; highlights:
    ``created``); on a tie the library's stays. A new highlight on exactly the
    span of one already there is the same highlight: its tags are added to that
    one, its note fills an empty note there, and its notes are attached there.
    Tags are added, not replaced. Applying the same ``incoming`` again changes
    nothing. Returns counts: highlights, notes (added), updated, tags (added).
    """
    counts = {"highlights": 0, "notes": 0, "updated": 0, "tags": 0}
    before = list(doc.get("tags", []))
    doc["tags"] = normalize_tags([*before, *incoming.tags])
    counts["tags"] = len(doc["tags"]) - len(normalize_tags(before))

    highlights: list[dict[str, Any]] = doc.setdefault("highlights", [])
    by_id = {h["id"]: n for n, h in enumerate(highlights)}
    fresh: list[dict[str, Any]] = []
    # Known ids first, so that a replacement never undoes what a new highlight
    # on the same span has just added to it (which would undo idempotence).
    for highlight in incoming.highlights:
        rec = highlight.to_dict()
        if text is not None:
            rec = _reanchored(rec, text)
        at = by_id.get(rec["id"])
        if at is None:
            fresh.append(rec)
        elif _newer(rec.get("created"), highlights[at].get("created")):
            highlights[at] = rec
            counts["updated"] += 1
    same: dict[str, str] = {}  # backup highlight id -> the library's highlight on its span
    for rec in fresh:
        if rec["id"] in by_id:  # the backup repeats an id
            continue
        twin = None
        if not rec.get("orphan"):
            span = (rec["start"], rec["end"])
            twins = [
                h for h in highlights if not h.get("orphan") and (h["start"], h["end"]) == span
            ]
            # The lowest id, not the first in the list: the same one on every merge.
            twin = min(twins, key=lambda h: h["id"], default=None)
        if twin is not None:
            same[rec["id"]] = twin["id"]
            tags = normalize_tags([*twin.get("tags", []), *rec.get("tags", [])])
            note = twin.get("note") or rec.get("note") or ""
            if tags != twin.get("tags", []) or note != (twin.get("note") or ""):
                twin["tags"], twin["note"] = tags, note
                counts["updated"] += 1
            continue
        by_id[rec["id"]] = len(highlights)
        highlights.append(rec)
        counts["highlights"] += 1
    highlights.sort(key=lambda h: (h["start"], h["end"]))

    notes: list[dict[str, Any]] = doc.setdefault("notes", [])
    note_at = {n["id"]: i for i, n in enumerate(notes)}
    for note in incoming.notes:
        rec = note.to_dict()
        if rec.get("highlight_id") in same:
            rec["highlight_id"] = same[rec["highlight_id"]]
        at = note_at.get(rec["id"])
        if at is not None:
            mine = notes[at]
            if _newer(
                rec.get("updated") or rec.get("created"), mine.get("updated") or mine.get("created")
            ):
                notes[at] = rec
                counts["updated"] += 1
            continue
        note_at[rec["id"]] = len(notes)
        notes.append(rec)
        counts["notes"] += 1
    return counts


def _as_doc(annotations: Annotations) -> dict[str, Any]:
    return {
        "tags": list(annotations.tags),
        "notes": [n.to_dict() for n in annotations.notes],
        "highlights": [h.to_dict() for h in annotations.highlights],
    }


def _merge_into(
    library, target: Article, article: Article, incoming: Annotations
) -> dict[str, int]:
    """Merge a backed-up article's annotations into ``target``; writes only when
    something changes."""
    same_text = target.sha256 == article.sha256
    # A dry run on what the library holds now decides whether to write at all,
    # so that merging the same backup again leaves every file as it was.
    current = _as_doc(library.annotations(target.id))
    trial = copy.deepcopy(current)
    counts = merge_annotations(trial, incoming, None if same_text else library.text(target.id))
    if trial == current:
        return dict.fromkeys(counts, 0)
    # The write itself merges into the stored record under the library's lock
    # (its one read-modify-write of an article's annotations), so an edit made
    # meanwhile by another process is merged, not overwritten.
    return library._modify(
        target.id,
        lambda doc, ctx: merge_annotations(doc, incoming, None if same_text else ctx.text),
    )


def _merge_taught(library, taught: list[TaughtEntity]) -> int:
    """Add the backup's taught entities the library lacks. As with
    ``Library.teach``, the latest word about a text wins: one that contradicts
    an older entity of the library replaces it; one the library has a later (or
    equally recent) word on is left out. Returns how many were added."""
    before = library.taught()
    known = {t.id for t in before}
    added = 0
    for entity in taught:
        if entity.id in known:
            continue
        group = _TAUGHT_GROUP.get(entity.action)
        rivals = [
            t
            for t in before
            if t.text.casefold() == entity.text.casefold() and _TAUGHT_GROUP.get(t.action) == group
        ]
        if any(not _newer(entity.created, t.created) for t in rivals):
            continue
        for rival in rivals:
            library.forget(rival.id)
            before.remove(rival)
        library.add_taught_entity(entity)
        known.add(entity.id)
        added += 1
    return added
