"""The one facade through which the TUI and the CLI read and write a library.

Every mutation takes the library's inter-process lock, writes through
:class:`store.storage.DurableStorage` (temp file, fsync, replace, fsync of the
directory) and is on disk when it returns. The folder layout is described in
``store.paths``: article metadata in ``library.json``, texts in content-addressed
files, and each article's annotations in their own small database, so that a
save costs the same in a library of 100 or 10,000 articles.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from store import analysis_cache, anchoring
from store.errors import LibraryBusy, LibraryCorrupt, NotFound, SaveFailed, StoreError
from store.models import Annotations, Article, ArticleSummary, Highlight, Note, TaughtEntity
from store.paths import Layout
from store.paths import default_root as _default_root
from store.storage import (
    DurableStorage,
    ensure_dir,
    fsync_dir,
    remove_stale_temp_files,
    write_atomic,
)

ARTICLES = "articles"
TAUGHT = "taught"
ANNOTATIONS = "annotations"
ID_LENGTH = 10
LOCK_TIMEOUT = 10.0
LOCK_POLL = 0.001
# Batches write their files from a few threads: each file is still fsynced before
# the index names it, but the filesystem can commit many fsyncs together.
PARALLEL_MIN = 8
WRITERS = 8
TAUGHT_ACTIONS = ("add", "retype", "rename", "merge", "reject")
# A new teaching about a text replaces older ones of the same group: the latest
# word on what a text *is* wins, and so does the latest word on what it refers to.
_TAUGHT_GROUP = {"add": 0, "retype": 0, "reject": 0, "rename": 1, "merge": 1}
_SAFE_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")
_TITLE_MAX = 200
_SUMMARY_FORMAT = 2
# How long after a change a folder's mtime is not trusted (see summaries()).
_RACY_NS = 2_000_000_000


def now() -> str:
    """The current time, ISO 8601 UTC, seconds precision."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_sha256(text: str) -> str:
    """SHA-256 of ``text`` encoded as UTF-8 (lone surrogates passed through)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def normalize_tags(tags: Iterable[str] | str) -> list[str]:
    """Strip, collapse inner whitespace, drop empties and case-insensitive
    duplicates, keep the order given."""
    if isinstance(tags, str):
        tags = [tags]
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        clean = " ".join(str(tag).split())
        key = clean.casefold()
        if clean and key not in seen:
            seen.add(key)
            out.append(clean)
    return out


def _fallback_title(text: str) -> str:
    # Scraped pages often start with stray one-word lines ("EN", "News"); a title
    # has at least two words.
    first = ""
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        first = first or line
        if len(line.split()) >= 2:
            return line
    return first


def _clean_title(title: str | None, text: str) -> str:
    clean = " ".join((title or "").split()) or _fallback_title(text) or "Untitled"
    return clean if len(clean) <= _TITLE_MAX else clean[: _TITLE_MAX - 1].rstrip() + "…"


def _empty_doc() -> dict[str, Any]:
    return {"tags": [], "notes": [], "highlights": [], "position": 0, "anchored": ""}


def _new_id(prefix: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    while True:
        candidate = prefix + secrets.token_hex(4)
        if candidate not in taken:
            return candidate


class Library:
    """A library folder. Every mutation is durable (on disk) when it returns.

    Reads take no lock and always see the latest saved state, also one written
    by another process. ``root`` is the folder; ``lock_timeout`` is how long a
    mutation waits for another process before raising LibraryBusy.
    """

    def __init__(
        self, root: str | Path, *, create: bool = True, lock_timeout: float = LOCK_TIMEOUT
    ) -> None:
        root = Path(root).expanduser()
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root}: is not a folder")
        if not root.exists():
            if not create:
                raise NotFound(f"{root}: there is no library here")
            try:
                ensure_dir(root)
            except OSError as err:
                raise StoreError(
                    f"{root}: cannot create the library folder ({err.strerror})"
                ) from err
        self.root = root
        self.paths = Layout(root)
        # The layout's folders as strings: a stale check of 10,000 articles
        # spent a fifth of its time making a Path per file.
        self._bodies_dir = os.fspath(self.paths.bodies)
        self._analysis_dir = os.fspath(self.paths.analysis_cache("xx").parent.parent)
        self.lock_timeout = lock_timeout
        self._lock = FileLock(str(self.paths.lock), timeout=lock_timeout)
        # library.json and every shard are TinyDB databases (tables of records
        # keyed by id; store.storage.KeyedDatabase opens one), read and written
        # through DurableStorage: each read-modify-write is one read and one
        # durable write under the lock.
        self._storage = DurableStorage(self.paths.db)
        self._tables_key: tuple[int, ...] | None = None
        self._articles: dict[str, Article] = {}
        # The records and the Article objects built from them, as one pair so
        # that a thread swapping them in never leaves a mismatched half.
        self._built: tuple[dict[str, dict[str, Any]], dict[str, Article]] = ({}, {})
        self._taught_records: list[dict[str, Any]] = []
        self._raw_tables: dict[str, Any] | None = None
        self._sorted_cache: list[Article] | None = None
        self._by_sha: dict[str, str] = {}
        self._summary_cache: dict[str, list[Any]] | None = None
        self._summary_folders: dict[str, list[int]] = {}
        self._prefix_cache: set[str] | None = None
        self._rules_cache: tuple[list[dict[str, Any]], str, list[Any], Any] | None = None
        # Article id -> (all-rules key, the cache file's keys) of the articles
        # found fresh by the rules relevant to their text, so that asking again
        # under the same rules needs no text.
        self._fresh_by_scope: dict[str, tuple[str, tuple[str, str]]] = {}
        # Reading now reports a damaged or too-new library when it is opened.
        self._article_map()
        for folder in (root, self.paths.derived):
            remove_stale_temp_files(folder)

    @staticmethod
    def default_root() -> Path:
        """``$MARGIN_LIBRARY`` or platformdirs' user data dir for "margin"."""
        return _default_root()

    @classmethod
    def open_default(cls, **kwargs: Any) -> Library:
        """The library at :meth:`default_root`, created when missing."""
        return cls(cls.default_root(), **kwargs)

    def close(self) -> None:
        """Release what this object holds (no file stays open between calls)."""
        self._storage.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Library({str(self.root)!r})"

    # --- locking, change counter -------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            # filelock polls; its default 50 ms interval would dominate a save
            # whenever two processes write at once.
            self._lock.acquire(poll_interval=LOCK_POLL)
        except Timeout:
            raise LibraryBusy(
                f"{self.root}: another margin process has held the library for over "
                f"{self.lock_timeout:g} s; try again when it is done"
            ) from None
        except OSError as err:
            raise SaveFailed(
                f"{self.paths.lock}: cannot take the library lock ({err.strerror})"
            ) from err
        try:
            yield
        finally:
            self._lock.release()

    def version(self) -> int:
        """A number that changes whenever anything in the library changes (for
        caches). Cheap: one small file read."""
        try:
            raw = self.paths.version_file.read_bytes()
            return int(raw.strip() or b"0")
        except (OSError, ValueError):
            return 0

    def _bump(self) -> None:
        # Derived: not fsynced, and starts from the clock so a deleted counter
        # never repeats an old value.
        path = self.paths.version_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                raw = os.pread(fd, 32, 0).strip()
                try:
                    value = int(raw) if raw else time.time_ns() // 1000
                except ValueError:
                    value = time.time_ns() // 1000
                os.pwrite(fd, b"%020d" % (value + 1), 0)
            finally:
                os.close(fd)
        except OSError:
            pass

    # --- library.json ---------------------------------------------------------
    def _article_map(self) -> dict[str, Article]:
        # Cached by the file's identity: every save replaces the file (a new
        # inode), so another process's write is noticed by one stat call.
        try:
            st = os.stat(self.paths.db)
            key: tuple[int, ...] | None = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            key = None
        except OSError as err:
            raise StoreError(f"{self.paths.db}: cannot read ({err.strerror})") from err
        if key is None:
            self._load_tables({})
            self._tables_key = None
            return self._articles
        if key != self._tables_key:
            tables = self._storage.read() or {}
            self._load_tables(tables)
            self._tables_key = key
        return self._articles

    def _forget_tables(self) -> None:
        self._tables_key = None
        self._raw_tables = None

    def _load_tables(self, tables: dict[str, Any]) -> None:
        articles: dict[str, Article] = {}
        # Records are replaced, never changed in place, so after a write only the
        # new ones need building (the old record objects are held, so identity
        # comparisons are sound).
        previous, built = self._built
        records = tables.get(ARTICLES, {})
        try:
            for aid, rec in records.items():
                if previous.get(aid) is rec:
                    articles[aid] = built[aid]
                    continue
                try:
                    articles[aid] = Article(**rec)
                except TypeError:
                    # Keys a newer minor version added are ignored.
                    articles[aid] = Article.from_dict(rec)
        except TypeError as err:
            raise LibraryCorrupt(f"{self.paths.db}: an article record is incomplete") from err
        self._built = (dict(records), articles)
        self._articles = articles
        self._prefix_cache = None
        self._raw_tables = tables
        self._taught_records = list(tables.get(TAUGHT, {}).values())
        self._sorted_cache = None
        self._by_sha = {a.sha256: a.id for a in articles.values()}

    def _update_library(self, fn: Callable[[dict[str, Any]], Any]) -> Any:
        """Let ``fn`` change the tables of library.json and write them back (unless
        ``fn`` returns False: nothing changed). The caller holds the lock, so the
        tables as last read are current when the file's identity has not changed
        since; ``fn`` changes them in place, and they are forgotten if it fails."""
        self._article_map()
        tables = self._raw_tables
        if tables is None or self._tables_key is None:
            tables = self._storage.read() or {}
        for name in (ARTICLES, TAUGHT):
            tables.setdefault(name, {})
        try:
            result = fn(tables)
            if result is not False:
                self._storage.write(tables)
        except BaseException:
            self._forget_tables()
            raise
        if result is not False:
            # The lock is held: the file on disk is exactly what was just written.
            self._load_tables(tables)
            self._tables_key = self._storage.identity
        return result

    def _resolve(self, article_id: str) -> Article:
        articles = self._article_map()
        if not isinstance(article_id, str):
            raise NotFound(f"no article with id {article_id!r}")
        found = articles.get(article_id)
        if found is not None:
            return found
        prefix = article_id.strip().lower()
        if not prefix:
            raise NotFound("no article id given")
        matches = [aid for aid in articles if aid.lower().startswith(prefix)]
        if len(matches) == 1:
            return articles[matches[0]]
        if not matches:
            raise NotFound(f"no article with id {article_id!r}")
        raise NotFound(
            f"id prefix {article_id!r} matches {len(matches)} articles; give more characters"
        )

    # --- bodies -------------------------------------------------------------
    def _write_body(self, sha: str, text: str) -> None:
        path = self.paths.body(sha)
        if path.exists():
            return
        write_atomic(path, text.encode("utf-8", "surrogatepass"))

    def _read_body(self, article: Article) -> str:
        sha = article.sha256
        path = os.path.join(self._bodies_dir, sha[:2], f"{sha}.txt")
        try:
            raw = analysis_cache.read_file(path)
        except FileNotFoundError:
            raise LibraryCorrupt(f"{path}: the text of article {article.id} is missing") from None
        except OSError as err:
            raise StoreError(f"{path}: cannot read ({err.strerror})") from err
        if hashlib.sha256(raw).hexdigest() != article.sha256:
            raise LibraryCorrupt(f"{path}: the text of article {article.id} is damaged")
        return raw.decode("utf-8", "surrogatepass")

    # --- articles -----------------------------------------------------------
    def add_article(
        self,
        text: str,
        *,
        title: str,
        source: str,
        format: str = "txt",
        site: str | None = None,
        author: str | None = None,
        published: str | None = None,
        tags: Iterable[str] = (),
    ) -> tuple[Article, str]:
        """Save an article. Returns (article, status) with status "added", "exists"
        (same content already saved: nothing changes) or "updated" (same source,
        new content: text replaced, highlights re-anchored, orphans kept)."""
        item = dict(
            text=text,
            title=title,
            source=source,
            format=format,
            site=site,
            author=author,
            published=published,
            tags=tags,
        )
        return self.add_articles([item])[0]

    def add_articles(self, items: Iterable[dict[str, Any]]) -> list[tuple[Article, str]]:
        """Save many articles with one write of the library index (a folder import).
        Each item holds add_article's arguments (``text``, ``title``, ``source``,
        optional ``format``, ``site``, ``author``, ``published``, ``tags``);
        returns one (article, status) per item, in order."""
        prepared = []
        for item in items:
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("article text must be a str")
            if not text.strip():
                raise ValueError(f"{item.get('source') or 'article'}: the text is empty")
            prepared.append((item, text_sha256(text), normalize_tags(item.get("tags", ()))))
        if not prepared:
            return []
        with self._locked():
            results: list[tuple[Article, str]] = []
            follow_up: list[tuple[Article, list[str]]] = []
            bodies: dict[str, str] = {}

            def apply(tables: dict[str, Any]) -> bool:
                records = tables[ARTICLES]
                by_sha = {rec.get("sha256"): aid for aid, rec in records.items()}
                by_source: dict[str, str] = {}
                for aid, rec in sorted(records.items(), key=lambda kv: kv[1].get("added", "")):
                    if rec.get("source") not in (None, "", "-"):
                        by_source[rec["source"]] = aid
                for item, sha, tags in prepared:
                    if sha in by_sha:
                        results.append((Article.from_dict(records[by_sha[sha]]), "exists"))
                        continue
                    text = item["text"]
                    source = str(item.get("source") or "-")
                    fields = dict(
                        title=_clean_title(item.get("title"), text),
                        sha256=sha,
                        chars=len(text),
                        format=item.get("format") or "txt",
                        site=item.get("site"),
                        author=item.get("author"),
                        published=item.get("published"),
                    )
                    bodies[sha] = text
                    prior_id = by_source.get(source)
                    if prior_id is not None:
                        prior = Article.from_dict(records[prior_id])
                        del by_sha[prior.sha256]
                        for name in ("site", "author", "published"):
                            # Metadata the new version lacks is kept, not erased.
                            fields[name] = fields[name] or getattr(prior, name)
                        article = dataclasses.replace(prior, **fields)
                        status = "updated"
                    else:
                        article = Article(
                            id=self._fresh_id(sha, records),
                            source=source,
                            added=now(),
                            **fields,
                        )
                        status = "added"
                    records[article.id] = article.to_dict()
                    by_sha[sha] = article.id
                    if source != "-":
                        by_source[source] = article.id
                    results.append((article, status))
                    if status == "updated" or tags:
                        follow_up.append((article, tags))
                # Every text is on disk before the index refers to it.
                _run_all(lambda kv: self._write_body(*kv), bodies.items())
                return any(status != "exists" for _, status in results)

            self._update_library(apply)
            # Highlights of an updated article are re-anchored here; were this
            # interrupted, the next access re-anchors them (the shard remembers
            # which text its offsets belong to).
            _run_all(
                lambda item: self._modify_locked(
                    item[0], lambda doc, ctx: _merge_tags(doc, item[1])
                ),
                follow_up,
            )
            self._bump()
            return results

    @staticmethod
    def _fresh_id(sha: str, records: dict[str, Any]) -> str:
        length = ID_LENGTH
        while sha[:length] in records:
            length += 2
        return sha[:length]

    def import_document(self, doc: Any, tags: Iterable[str] = ()) -> tuple[Article, str]:
        """Save an ``analysis.ingest.Document`` (text plus metadata); as add_article."""
        return self.add_articles([_document_item(doc, tags)])[0]

    def import_documents(
        self, docs: Iterable[Any], tags: Iterable[str] = ()
    ) -> list[tuple[Article, str]]:
        """Save many ``analysis.ingest.Document`` objects with one index write."""
        tags = list(tags)
        return self.add_articles([_document_item(doc, tags) for doc in docs])

    def seed_samples(self) -> int:
        """Import the bundled sample articles (package ``margin_samples``); returns how
        many were added. The app calls this the first time it opens an empty library."""
        from importlib import resources

        try:
            package: Any = resources.files("margin_samples")
        except ModuleNotFoundError:
            # Running from a source checkout that is not installed.
            package = Path(__file__).resolve().parent.parent / "sample_articles"
        entries = sorted(
            (e for e in package.iterdir() if e.name.endswith(".txt") and e.is_file()),
            key=lambda e: e.name,
        )
        # Where each sample was published, and when (sample_articles/index.json).
        try:
            about = json.loads(package.joinpath("index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            about = {}
        items = []
        for entry in entries:
            with resources.as_file(entry) as path:
                item = _read_sample(Path(path))
            # A stable source, not the install path, so re-seeding dedupes.
            item["source"] = f"sample_articles/{entry.name}"
            meta = about.get(entry.name, {})
            for key in ("site", "published"):
                if isinstance(meta.get(key), str):
                    item[key] = meta[key]
            items.append(item)
        return sum(status == "added" for _, status in self.add_articles(items))

    def import_record(self, article: Article, text: str, annotations: Annotations) -> str:
        """Restore one article exactly as backed up (ids, dates, annotations kept).
        Returns "added" or "exists"."""
        return self.import_records([(article, text, annotations)])[0]

    def import_records(self, records: Iterable[tuple[Article, str, Annotations]]) -> list[str]:
        """Restore many articles as backed up with one index write; returns
        "added" or "exists" for each. An article whose id or text is already in
        the library is left as it is."""
        records = list(records)
        for article, text, _ in records:
            if not isinstance(article.id, str) or not _SAFE_ID.fullmatch(article.id):
                raise ValueError(f"article id {article.id!r} is not a valid id")
            if not isinstance(text, str):
                raise TypeError("article text must be a str")
        with self._locked():
            statuses: list[str] = []

            def apply(tables: dict[str, Any]) -> bool:
                stored = tables[ARTICLES]
                by_sha = {rec.get("sha256") for rec in stored.values()}
                files = []
                for article, text, annotations in records:
                    sha = text_sha256(text)
                    if article.id in stored or sha in by_sha:
                        statuses.append("exists")
                        continue
                    article = dataclasses.replace(article, sha256=sha, chars=len(text))
                    doc = _doc_from_annotations(annotations)
                    doc["anchored"] = sha
                    files.append((article.id, sha, text, doc))
                    stored[article.id] = article.to_dict()
                    by_sha.add(sha)
                    statuses.append("added")

                def write(item: tuple[str, str, str, dict[str, Any]]) -> None:
                    aid, sha, text, doc = item
                    self._write_body(sha, text)
                    self._write_shard(aid, doc)

                # Texts and annotations are on disk before the index names them.
                _run_all(write, files)
                return bool(files)

            cache = self._load_summary_cache()
            self._update_library(apply)
            self._save_summary_cache(cache)
            self._bump()
            return statuses

    def articles(self, tag: str | None = None) -> list[Article]:
        """Saved articles, newest first (then by title); only those tagged ``tag``."""
        if tag is not None:
            return [s.article for s in self.summaries(tag)]
        return list(self._sorted())

    def _sorted(self) -> list[Article]:
        self._article_map()
        if self._sorted_cache is None:
            self._sorted_cache = _sorted_articles(self._articles.values())
        return self._sorted_cache

    def summaries(self, tag: str | None = None) -> list[ArticleSummary]:
        """One row per article (tags and counts), newest first; only ``tag``'s."""
        articles = self._article_map()
        cache = self._load_summary_cache()
        folders = self._summary_folders
        shards = os.path.join(self.paths.annotations, "")
        stat = os.stat
        scan_start = time.time_ns()
        changed = False
        # Every save replaces a file in its folder, which changes the folder's
        # mtime: a folder unchanged since it was last checked needs no look at
        # its files. Folders changed shortly before they were checked are
        # checked again, as a second change within one timestamp tick would not
        # show (git's "racily clean" rule).
        trusted = set()
        for prefix in self._prefixes():
            try:
                mtime = stat(f"{shards}{prefix}").st_mtime_ns
            except FileNotFoundError:
                mtime = -1
            seen = folders.get(prefix)
            if seen is not None and seen[0] == mtime and mtime < seen[1] - _RACY_NS:
                trusted.add(prefix)
            else:
                folders[prefix] = [mtime, scan_start]
                changed = (
                    changed or seen is None or seen[0] != mtime or mtime < scan_start - _RACY_NS
                )
        rows = []
        for article in self._sorted():
            aid = article.id
            entry = cache.get(aid)
            if entry is None or aid[:2] not in trusted:
                try:
                    key: list[int] | None = _shard_key(stat(f"{shards}{aid[:2]}/{aid}.json"))
                except FileNotFoundError:
                    key = None
                if entry is None or entry[0] != key:
                    entry = self._summary_entry(aid, key)
                    if entry is None:
                        # Unreadable: shown empty, checked again next time.
                        folders.pop(aid[:2], None)
                        entry = [key, [], 0, 0]
                    else:
                        cache[aid] = entry
                        changed = True
            rows.append(ArticleSummary(article, list(entry[1]), entry[2], entry[3]))
        # list(cache) is one step under the GIL: a worker thread may be adding.
        for gone in [aid for aid in list(cache) if aid not in articles]:
            del cache[gone]
            changed = True
        if changed:
            self._save_summary_cache(cache)
        if tag is not None:
            wanted = " ".join(tag.split()).casefold()
            rows = [r for r in rows if any(t.casefold() == wanted for t in r.tags)]
        return rows

    def _prefixes(self) -> set[str]:
        self._article_map()
        if self._prefix_cache is None:
            self._prefix_cache = {aid[:2] for aid in self._articles}
        return self._prefix_cache

    def _summary_entry(self, aid: str, key: list[int] | None) -> list[Any] | None:
        if key is None:
            return [None, [], 0, 0]
        try:
            doc = self._read_shard(aid)
        except StoreError:
            # A damaged shard is reported by annotations(); the list still shows
            # the article, and the entry is not cached so it is retried.
            return None
        return [key, list(doc["tags"]), len(doc["highlights"]), len(doc["notes"])]

    def _load_summary_cache(self) -> dict[str, list[Any]]:
        if self._summary_cache is None:
            cache: dict[str, list[Any]] = {}
            folders: dict[str, list[int]] = {}
            try:
                data = json.loads(self.paths.summary_cache.read_bytes())
                if (
                    data.get("format") == _SUMMARY_FORMAT
                    and isinstance(data["entries"], dict)
                    and isinstance(data["folders"], dict)
                ):
                    cache, folders = data["entries"], data["folders"]
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                pass
            self._summary_cache = cache
            self._summary_folders = folders
        return self._summary_cache

    def _save_summary_cache(self, cache: dict[str, list[Any]]) -> None:
        data = {"format": _SUMMARY_FORMAT, "entries": dict(cache), "folders": self._summary_folders}
        raw = json.dumps(data, ensure_ascii=False)
        with contextlib.suppress(SaveFailed, UnicodeEncodeError):
            write_atomic(self.paths.summary_cache, raw.encode("utf-8"), durable=False)

    def get(self, article_id: str) -> Article:
        """By id or unique id prefix; raises NotFound."""
        return self._resolve(article_id)

    def text(self, article_id: str) -> str:
        """The article's text, exactly as imported."""
        return self._read_body(self._resolve(article_id))

    def delete_article(self, article_id: str) -> None:
        """Remove an article. Its annotations are moved to ``trash/``, not erased."""
        with self._locked():
            article = self._resolve(article_id)
            self._update_library(lambda tables: tables[ARTICLES].pop(article.id, None))
            shard = self.paths.shard(article.id)
            if shard.exists():
                stamp = now().replace(":", "")
                with contextlib.suppress(OSError):
                    ensure_dir(self.paths.trash)
                    os.replace(shard, self.paths.trash / f"{article.id}.{stamp}.json")
                    fsync_dir(self.paths.trash)
                    # Only once the annotations are safe in trash/.
                    os.unlink(shard.with_name(shard.name + ".bak"))
            if article.sha256 not in self._by_sha_fresh():
                with contextlib.suppress(OSError):
                    os.unlink(self.paths.body(article.sha256))
            with contextlib.suppress(OSError):
                os.unlink(self.paths.analysis_cache(article.id))
            self._bump()

    def _by_sha_fresh(self) -> dict[str, str]:
        self._article_map()
        return self._by_sha

    def is_empty(self) -> bool:
        """True when the library holds no article."""
        return not self._article_map()

    # --- annotations ----------------------------------------------------------
    # A shard is a small TinyDB database (tables "meta" and "annotations", one
    # record keyed by the article id). A save reads and writes it through its
    # storage directly: one read and one durable write.
    def _shard_storage(self, article_id: str) -> DurableStorage:
        return DurableStorage(self.paths.shard(article_id))

    def _read_shard_tables(self, storage: DurableStorage) -> dict[str, Any]:
        tables = storage.read() or {}
        tables.setdefault(ANNOTATIONS, {})
        return tables

    def _read_shard(self, article_id: str) -> dict[str, Any]:
        tables = self._read_shard_tables(self._shard_storage(article_id))
        doc = _empty_doc()
        doc.update(tables[ANNOTATIONS].get(article_id) or {})
        return doc

    def _write_shard(
        self,
        article_id: str,
        doc: dict[str, Any],
        storage: DurableStorage | None = None,
        tables: dict[str, Any] | None = None,
    ) -> None:
        if storage is None:
            storage = self._shard_storage(article_id)
        tables = {} if tables is None else tables
        tables.setdefault(ANNOTATIONS, {})[article_id] = doc
        storage.write(tables)
        cache = self._summary_cache
        if cache is not None:
            # The lock is held, so the file is still the one just written.
            with contextlib.suppress(OSError):
                key = _shard_key(os.stat(self.paths.shard(article_id)))
                cache[article_id] = [
                    key,
                    list(doc["tags"]),
                    len(doc["highlights"]),
                    len(doc["notes"]),
                ]

    def _modify(self, article_id: str, fn: Callable[[dict[str, Any], _Context], Any]) -> Any:
        with self._locked():
            result = self._modify_locked(self._resolve(article_id), fn)
            self._bump()
            return result

    def _modify_locked(
        self, article: Article, fn: Callable[[dict[str, Any], _Context], Any]
    ) -> Any:
        storage = self._shard_storage(article.id)
        tables = self._read_shard_tables(storage)
        doc = _empty_doc()
        doc.update(tables[ANNOTATIONS].get(article.id) or {})
        ctx = _Context(self, article)
        if doc.get("anchored") != article.sha256:
            if doc["highlights"]:
                _reanchor_doc(doc, ctx.text)
            doc["anchored"] = article.sha256
            doc["position"] = min(int(doc.get("position") or 0), article.chars)
        result = fn(doc, ctx)
        self._write_shard(article.id, doc, storage, tables)
        return result

    def annotations(self, article_id: str) -> Annotations:
        """Everything the user wrote on the article."""
        return self._annotations_of(self._resolve(article_id))

    def _annotations_of(self, article: Article) -> Annotations:
        doc = self._read_shard(article.id)
        if doc["highlights"] and doc.get("anchored") != article.sha256:
            # Its text changed and the re-anchoring was interrupted: finish it.
            self._modify(article.id, lambda d, ctx: None)
            doc = self._read_shard(article.id)
        return _annotations_from_doc(article.id, doc)

    def add_tags(self, article_id: str, tags: Iterable[str]) -> list[str]:
        """Add tags (normalised; duplicates ignored); returns the article's tags."""
        wanted = normalize_tags(tags)
        return self._modify(article_id, lambda doc, ctx: _merge_tags(doc, wanted))

    def remove_tags(self, article_id: str, tags: Iterable[str]) -> list[str]:
        """Remove tags (case-insensitive); returns the article's remaining tags."""
        unwanted = {t.casefold() for t in normalize_tags(tags)}

        def fn(doc: dict[str, Any], ctx: _Context) -> list[str]:
            doc["tags"] = [t for t in doc["tags"] if t.casefold() not in unwanted]
            return list(doc["tags"])

        return self._modify(article_id, fn)

    def add_note(self, article_id: str, text: str, highlight_id: str | None = None) -> Note:
        """Add a note to the article, or to one of its highlights."""
        _check_note_text(text)

        def fn(doc: dict[str, Any], ctx: _Context) -> Note:
            if highlight_id is not None and not any(
                h["id"] == highlight_id for h in doc["highlights"]
            ):
                raise NotFound(f"no highlight {highlight_id!r} in article {ctx.article.id}")
            note = Note(
                id=_new_id("n-", (n["id"] for n in doc["notes"])),
                text=text,
                created=now(),
                highlight_id=highlight_id,
            )
            doc["notes"].append(note.to_dict())
            return note

        return self._modify(article_id, fn)

    def update_note(self, article_id: str, note_id: str, text: str) -> Note:
        """Replace a note's text."""
        _check_note_text(text)

        def fn(doc: dict[str, Any], ctx: _Context) -> Note:
            rec = _find(doc["notes"], note_id, "note", ctx.article.id)
            rec["text"] = text
            rec["updated"] = now()
            return Note.from_dict(rec)

        return self._modify(article_id, fn)

    def delete_note(self, article_id: str, note_id: str) -> None:
        """Remove a note."""

        def fn(doc: dict[str, Any], ctx: _Context) -> None:
            rec = _find(doc["notes"], note_id, "note", ctx.article.id)
            doc["notes"].remove(rec)

        self._modify(article_id, fn)

    def add_highlight(
        self, article_id: str, start: int, end: int, note: str = "", tags: Iterable[str] = ()
    ) -> Highlight:
        """Highlight ``text[start:end]`` (ValueError when outside the text). The
        same span highlighted again returns the existing highlight, with the note
        and tags given added to it."""
        wanted = normalize_tags(tags)

        def fn(doc: dict[str, Any], ctx: _Context) -> Highlight:
            anchor = anchoring.selector(ctx.text, start, end)
            for rec in doc["highlights"]:
                if rec["start"] == start and rec["end"] == end and not rec.get("orphan"):
                    if note:
                        rec["note"] = note
                    _merge_tags(rec, wanted)
                    return Highlight.from_dict(rec)
            highlight = Highlight(
                id=_new_id("hl-", (h["id"] for h in doc["highlights"])),
                start=anchor.start,
                end=anchor.end,
                exact=anchor.exact,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                note=note,
                tags=wanted,
                created=now(),
            )
            doc["highlights"].append(highlight.to_dict())
            doc["highlights"].sort(key=lambda h: (h["start"], h["end"]))
            return highlight

        return self._modify(article_id, fn)

    def update_highlight(
        self,
        article_id: str,
        highlight_id: str,
        note: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> Highlight:
        """Set a highlight's note and/or replace its tags (None leaves them)."""
        new_tags = None if tags is None else normalize_tags(tags)

        def fn(doc: dict[str, Any], ctx: _Context) -> Highlight:
            rec = _find(doc["highlights"], highlight_id, "highlight", ctx.article.id)
            if note is not None:
                rec["note"] = note
            if new_tags is not None:
                rec["tags"] = new_tags
            return Highlight.from_dict(rec)

        return self._modify(article_id, fn)

    def delete_highlight(self, article_id: str, highlight_id: str) -> None:
        """Remove a highlight. Notes attached to it stay, as notes on the article."""

        def fn(doc: dict[str, Any], ctx: _Context) -> None:
            rec = _find(doc["highlights"], highlight_id, "highlight", ctx.article.id)
            doc["highlights"].remove(rec)
            for n in doc["notes"]:
                if n.get("highlight_id") == highlight_id:
                    n["highlight_id"] = None

        self._modify(article_id, fn)

    def set_position(self, article_id: str, offset: int) -> None:
        """Remember the reading position (a text offset)."""

        def fn(doc: dict[str, Any], ctx: _Context) -> None:
            if isinstance(offset, bool) or not isinstance(offset, int):
                raise ValueError(f"position must be a whole number, not {offset!r}")
            if not 0 <= offset <= ctx.article.chars:
                raise ValueError(f"position {offset} is outside the text (0..{ctx.article.chars})")
            doc["position"] = offset

        self._modify(article_id, fn)

    # --- analysis (derived, cached, rebuildable) -------------------------------
    def analysis(self, article_id: str):  # -> analysis.Analysis
        """The article's analysis (blocks, entities, quotes), with the taught
        entities applied; cached in ``derived/`` until the text, the rules or
        the analysis code change (see ``store.analysis_cache``)."""
        return self._analysis_of(self._resolve(article_id), None)

    def read_all(self, article_id: str) -> tuple[Article, str, Annotations, Any]:
        """``(article, text, annotations, analysis)``, as ``get``, ``text``,
        ``annotations`` and ``analysis`` give them, with the library index
        checked once and the text read once (what an export of many articles
        needs)."""
        article = self._resolve(article_id)
        text = self._read_body(article)
        return article, text, self._annotations_of(article), self._analysis_of(article, text)

    def _analysis_of(self, article: Article, text: str | None):  # -> analysis.Analysis
        # The caller has just resolved the article, so the taught rules are current.
        digest, rules, scope = self._rules()
        path = self.paths.analysis_cache(article.id)
        all_key = analysis_cache.cache_key(article.sha256, digest)
        stored = analysis_cache.stored_keys(path)
        if stored is not None and all_key in stored:
            cached = analysis_cache.load(path, all_key)
            if cached is not None:
                return cached
        if text is None:
            text = self._read_body(article)
        key = self._scoped_key(article, text, scope)
        if stored is not None and key in stored:
            cached = analysis_cache.load(path, key)
            if cached is not None:
                return cached
        import analysis as analysis_pkg

        result = analysis_pkg.analyze(text, rules)
        analysis_cache.save(path, key, result, all_key)
        return result

    def _rules(self) -> tuple[str, list[Any], Any]:
        # (digest, rules, scope) of the taught records as last read: the caller
        # has just checked library.json. The records are replaced (never changed
        # in place) whenever it is read again, so their identity tells when to
        # rebuild; all three always come from the same records.
        records = self._taught_records
        cached = self._rules_cache
        if cached is None or cached[0] is not records:
            from analysis.rule_scope import RuleScope

            rules = _rules_from(records)
            cached = (records, analysis_cache.rules_digest(rules), rules, RuleScope(rules))
            self._rules_cache = cached
        return cached[1], cached[2], cached[3]

    @staticmethod
    def _scoped_key(article: Article, text: str, scope: Any) -> str:
        """The cache key of ``article`` under the rules that can change the
        analysis of its ``text`` (``analysis.RuleScope``)."""
        relevant = scope.relevant(text)
        return analysis_cache.cache_key(article.sha256, analysis_cache.rules_digest(relevant))

    # --- re-analysis after teaching -------------------------------------------
    def stale_analyses(self, ids: Iterable[str] | None = None) -> list[str]:
        """Ids of the articles (of ``ids``, default all; newest first) whose cached
        analysis was not made from their current text and the current analysis
        code, under the taught rules that can change it (teaching about a name
        an article does not contain leaves it fresh). Reads the first bytes of
        each cache file, and an article's text only when something was taught
        since its analysis was cached (once per set of rules in this object).
        An article whose text cannot be read is stale. Unknown ids are left out."""
        articles = self._article_map()
        digest, _, scope = self._rules()
        if ids is None:
            chosen = self._sorted()
        else:
            chosen = [articles[aid] for aid in dict.fromkeys(ids) if aid in articles]
        return [
            article.id for article in chosen if not self._analysis_fresh(article, digest, scope)
        ]

    def _cache_file(self, article_id: str) -> str:
        """``paths.analysis_cache(article_id)`` as a string."""
        return os.path.join(self._analysis_dir, article_id[:2], f"{article_id}.json")

    def _analysis_fresh(self, article: Article, digest: str, scope: Any) -> bool:
        stored = analysis_cache.stored_keys(self._cache_file(article.id))
        if stored is None:
            return False
        all_key = analysis_cache.cache_key(article.sha256, digest)
        if all_key in stored:
            return True
        if self._fresh_by_scope.get(article.id) == (all_key, stored):
            return True
        try:
            text = self._read_body(article)
        except StoreError:
            return False
        if self._scoped_key(article, text, scope) not in stored:
            return False
        self._fresh_by_scope[article.id] = (all_key, stored)
        return True

    def reanalyze(
        self,
        ids: Iterable[str] | None = None,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        analysed: Callable[[str], None] | None = None,
    ) -> int:
        """Analyse again, and cache, every article of ``ids`` (default all) whose
        cached analysis is stale (see :meth:`stale_analyses`); returns how many
        were analysed.

        ``progress(done, total)`` is called after each article, just after
        ``analysed(article_id)`` when that article was analysed (for a search
        index to follow); ``cancel()`` is asked before each and stops the run
        when true. An article deleted meanwhile, or whose text cannot be read,
        is skipped (it stays stale). Each article is analysed under the rules
        current when it is reached, so when another process or thread teaches
        during the run, the articles done before are checked again and the run
        goes on until none is left stale by that change (``total`` grows).
        Annotations are never read or written.
        """
        analysis_cache.check_unchanged()
        wanted = None if ids is None else list(dict.fromkeys(ids))
        pending = self.stale_analyses(wanted)
        total = len(pending)
        done = count = 0
        while pending:
            digest = self._rules()[0]
            for aid in pending:
                if cancel is not None and cancel():
                    return count
                if self._reanalyze_one(aid):
                    count += 1
                    if analysed is not None:
                        analysed(aid)
                done += 1
                if progress is not None:
                    progress(done, total)
            self._article_map()
            if self._rules()[0] == digest:
                break
            # Taught meanwhile: what was analysed under the older rules may be stale again.
            pending = self.stale_analyses(wanted)
            total += len(pending)
        return count

    def _reanalyze_one(self, article_id: str) -> bool:
        # library.json is checked for each article, so rules taught by another
        # process and deletions are seen as the run goes.
        article = self._article_map().get(article_id)
        if article is None:
            return False
        digest, rules, scope = self._rules()
        path = self.paths.analysis_cache(article.id)
        all_key = analysis_cache.cache_key(article.sha256, digest)
        stored = analysis_cache.stored_keys(path)
        if stored is not None and all_key in stored:
            return False  # made fresh meanwhile (the reader, another process)
        try:
            text = self._read_body(article)
        except StoreError:
            # Deleted since (its text went with it), or damaged: reading the
            # article reports that; the run goes on.
            return False
        key = self._scoped_key(article, text, scope)
        if stored is not None and key in stored:
            return False
        import analysis as analysis_pkg

        analysis_cache.save(path, key, analysis_pkg.analyze(text, rules), all_key)
        if article_id not in self._article_map():
            # Deleted while it was analysed: no cache for an article that is gone.
            with contextlib.suppress(OSError):
                os.unlink(path)
            return False
        return True

    # --- taught entities --------------------------------------------------------
    def taught(self) -> list[TaughtEntity]:
        """The user's corrections, oldest first."""
        self._article_map()
        return _taught_from(self._taught_records)

    def taught_rules(self) -> list[Any]:  # -> list[analysis.Taught]
        """The corrections in the shape ``analysis.analyze`` takes."""
        self._article_map()
        return _rules_from(self._taught_records)

    def teach(
        self, action: str, text: str, type: str | None = None, canonical: str | None = None
    ) -> TaughtEntity:
        """Record a correction ("add", "retype", "rename", "merge" or "reject") that
        applies to every article. It replaces earlier ones about the same text
        that it contradicts."""
        from analysis.types import ENTITY_TYPES

        if action not in TAUGHT_ACTIONS:
            raise ValueError(f"unknown action {action!r}; use one of {', '.join(TAUGHT_ACTIONS)}")
        text = " ".join((text or "").split())
        if not text:
            raise ValueError("the entity text is empty")
        if action in ("add", "retype") and type not in ENTITY_TYPES:
            raise ValueError(f"entity type must be one of {', '.join(ENTITY_TYPES)}")
        canonical = " ".join(canonical.split()) if canonical else None
        if action in ("rename", "merge") and not canonical:
            raise ValueError(f"{action} needs the canonical name")
        entity = TaughtEntity(
            id=_new_id("t-", ()),
            action=action,
            text=text,
            type=type if action in ("add", "retype") else None,
            canonical=canonical if action in ("rename", "merge") else None,
            created=now(),
        )

        def apply(tables: dict[str, Any]) -> None:
            records = tables[TAUGHT]
            key = text.casefold()
            group = _TAUGHT_GROUP[action]
            for tid in [
                tid
                for tid, r in records.items()
                if str(r.get("text", "")).casefold() == key
                and _TAUGHT_GROUP.get(r.get("action")) == group
            ]:
                del records[tid]
            seq = 1 + max((int(r.get("seq", 0)) for r in records.values()), default=0)
            records[entity.id] = {**entity.to_dict(), "seq": seq}

        with self._locked():
            self._update_library(apply)
            self._bump()
        return entity

    def add_taught_entity(self, entity: TaughtEntity) -> None:
        """Restore a taught entity exactly as backed up (id and date kept)."""
        if not isinstance(entity.id, str) or not entity.id:
            raise ValueError("a taught entity needs an id")

        def apply(tables: dict[str, Any]) -> None:
            records = tables[TAUGHT]
            seq = 1 + max((int(r.get("seq", 0)) for r in records.values()), default=0)
            records[entity.id] = {**entity.to_dict(), "seq": seq}

        with self._locked():
            self._update_library(apply)
            self._bump()

    def forget(self, taught_id: str) -> None:
        """Remove a taught entity; NotFound when there is none with that id."""

        def apply(tables: dict[str, Any]) -> None:
            if tables[TAUGHT].pop(taught_id, None) is None:
                raise NotFound(f"no taught entity {taught_id!r}")

        with self._locked():
            self._update_library(apply)
            self._bump()


class _Context:
    """What a shard mutation may need besides the shard: the article and,
    read only when asked for, its text."""

    def __init__(self, library: Library, article: Article) -> None:
        self.library = library
        self.article = article
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.library._read_body(self.article)
        return self._text


def _taught_from(records: list[dict[str, Any]]) -> list[TaughtEntity]:
    ordered = sorted(records, key=lambda r: (r.get("seq", 0), r.get("created", "")))
    return [TaughtEntity.from_dict(r) for r in ordered]


def _rules_from(records: list[dict[str, Any]]) -> list[Any]:  # -> list[analysis.Taught]
    from analysis.types import Taught

    return [Taught(t.action, t.text, t.type, t.canonical) for t in _taught_from(records)]


def _shard_key(st: os.stat_result) -> list[int]:
    # Every save replaces the shard (a new inode), so this changes with each save.
    return [st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns]


def _run_all(fn: Callable[[Any], Any], items: Iterable[Any]) -> None:
    """Call ``fn`` on every item (from a few threads for a big batch); the first
    exception is raised once all calls have finished."""
    items = list(items)
    if len(items) < PARALLEL_MIN:
        for item in items:
            fn(item)
        return
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for _ in pool.map(fn, items):
            pass


def _sorted_articles(articles: Iterable[Article]) -> list[Article]:
    ordered = sorted(articles, key=lambda a: (a.title.casefold(), a.id))
    ordered.sort(key=lambda a: a.added, reverse=True)
    return ordered


def _merge_tags(doc: dict[str, Any], tags: list[str]) -> list[str]:
    doc["tags"] = normalize_tags([*doc.get("tags", []), *tags])
    return list(doc["tags"])


def _check_note_text(text: str) -> None:
    if not isinstance(text, str):
        raise TypeError("a note is text")
    if not text.strip():
        raise ValueError("the note is empty")


def _find(records: list[dict[str, Any]], rid: str, kind: str, article_id: str) -> dict[str, Any]:
    for rec in records:
        if rec.get("id") == rid:
            return rec
    raise NotFound(f"no {kind} {rid!r} in article {article_id}")


def _reanchor_doc(doc: dict[str, Any], text: str) -> None:
    for rec in doc["highlights"]:
        old = anchoring.Anchor(
            rec["start"], rec["end"], rec["exact"], rec.get("prefix", ""), rec.get("suffix", "")
        )
        found = anchoring.reanchor(text, old)
        if found is None:
            rec["orphan"] = True
        else:
            rec.update(
                start=found.start,
                end=found.end,
                exact=found.exact,
                prefix=found.prefix,
                suffix=found.suffix,
                orphan=False,
            )
    doc["highlights"].sort(key=lambda h: (h["start"], h["end"]))


def _annotations_from_doc(article_id: str, doc: dict[str, Any]) -> Annotations:
    try:
        return Annotations(
            article_id=article_id,
            tags=list(doc["tags"]),
            notes=[_record(Note, n) for n in doc["notes"]],
            highlights=[_record(Highlight, h) for h in doc["highlights"]],
            position=int(doc.get("position") or 0),
        )
    except (TypeError, KeyError, ValueError) as err:
        raise LibraryCorrupt(
            f"annotations of article {article_id}: a record is malformed ({err})"
        ) from err


def _record(cls: Any, rec: dict[str, Any]) -> Any:
    try:
        return cls(**rec)
    except TypeError:
        # Keys a newer minor version added are ignored (and missing ones still
        # raise TypeError there).
        return cls.from_dict(rec)


def _doc_from_annotations(annotations: Annotations) -> dict[str, Any]:
    return {
        "tags": normalize_tags(annotations.tags),
        "notes": [n.to_dict() for n in annotations.notes],
        "highlights": [h.to_dict() for h in annotations.highlights],
        "position": int(annotations.position),
        "anchored": "",
    }


def _document_item(doc: Any, tags: Iterable[str]) -> dict[str, Any]:
    return dict(
        text=doc.text,
        title=getattr(doc, "title", None),
        source=getattr(doc, "source", None) or "-",
        format=getattr(doc, "format", None) or "txt",
        site=getattr(doc, "site", None),
        author=getattr(doc, "author", None),
        published=getattr(doc, "published", None),
        tags=list(tags),
    )


def _read_sample(path: Path) -> dict[str, Any]:
    try:
        from analysis.ingest import read_path
    except ImportError:
        text = path.read_text(encoding="utf-8")
        return dict(text=text, title=_fallback_title(text), format="txt")
    return _document_item(read_path(path), ())
