"""The search index saved between runs, so that ``margin search`` and the first
search of an app run do not read every article again.

On a library of 10,000 annotated articles, reading the articles (analysis
caches, annotations, texts) took 3.5 s and indexing them 4 s more; loading the
saved index takes about 1 s (``bench/search.py --library``). Searching needs
only the shared tables (names, entities, passages, tags); each article's own
part (its record and what it put into the index) stays in saved form until an
update or an entity page needs it, and so do the passage ids of each word until
a query looks the word up.

The file is ``derived/search-index.jsonl`` (derived data: deleting it costs one
rebuild), written with ``write_atomic`` (a temp file and ``os.replace``), so two
processes saving at once leave one whole file, the last one's. It is JSON, never
pickle, as the file may come from anyone who can write to the folder:

    line 1   header: magic, format, fingerprints, size and CRC-32 of the rest
    line 2   the shared tables and, per article, the library state it was read at
    line 3+  one line per article (its record and its part of the index)

The header names what the index depends on beyond the articles: the search code
(this module and ``search*.py``), the analysis code (``analysis_cache``'s
fingerprint) and the taught entities. A saved index whose header differs, whose
checksum fails or that does not describe a consistent index is ignored and
rebuilt, never an error. Otherwise each article is checked against the library
by its text's SHA-256, its title and its annotation file's identity (inode,
times, size: every save replaces the file); articles added, changed or deleted
since are re-read or removed one by one, as the app's updates do, and the
result answers exactly as a fresh build.
"""

from __future__ import annotations

import base64
import functools
import gc
import hashlib
import itertools
import json
import os
import sys
import zlib
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from store import analysis_cache
from store.errors import NotFound, SaveFailed
from store.search import SearchIndex, _ArticleState, _Doc, _Node, _Taught
from store.search_text import NameIndex, NgramIndex
from store.search_types import ArticleRecord, record_from_library
from store.storage import write_atomic

__all__ = [
    "FILE_NAME",
    "FORMAT",
    "SAVE_AFTER",
    "article_keys",
    "changed_articles",
    "decode",
    "encode",
    "header",
    "index_path",
    "load_or_build",
    "save_index",
    "search_code",
]

MAGIC = "margin-search-index"
# Bump when the file layout changes (the code fingerprint changes with it anyway).
FORMAT = 1
FILE_NAME = "search-index.jsonl"
# A loaded index is saved again once at least this many articles (or a fiftieth
# of the library) had changed since it was saved.
SAVE_AFTER = 32
_BIG_ENDIAN = sys.byteorder == "big"
_CODE_FILES = ("search.py", "search_text.py", "search_types.py", "search_cache.py")


def index_path(library) -> Path:
    """Where ``library``'s saved index lives."""
    return Path(library.paths.derived) / FILE_NAME


@functools.lru_cache(maxsize=1)
def search_code() -> str:
    """SHA-256 of the search code's files (contents, not times) and FORMAT."""
    digest = hashlib.sha256(f"{MAGIC}:{FORMAT}".encode())
    here = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        try:
            data = (here / name).read_bytes()
        except OSError as err:
            data = f"unreadable: {err.strerror}".encode()
        digest.update(b"%s:%d:" % (name.encode(), len(data)))
        digest.update(data)
    return digest.hexdigest()


def _taught_digest(signature: tuple) -> str:
    raw = json.dumps([list(row) for row in signature], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _header(taught_signature: tuple) -> dict[str, Any]:
    return {
        "magic": MAGIC,
        "format": FORMAT,
        "code": search_code(),
        "analysis": analysis_cache.code_fingerprint(),
        "taught": _taught_digest(taught_signature),
    }


def header(taught: Iterable = ()) -> dict[str, Any]:
    """What a saved index must have been saved under to be loaded now, with the
    taught entities ``taught``."""
    return _header(_Taught(taught).signature)


def article_keys(library, articles: Iterable) -> dict[str, str]:
    """The state of each article an index depends on: a digest of its text's
    SHA-256, its title and its annotation file's identity. Taken before the
    articles are read, so a change made meanwhile shows as a mismatch next time."""
    shards = os.path.join(library.paths.annotations, "")
    stat = os.stat
    blake2b = hashlib.blake2b
    keys: dict[str, str] = {}
    for article in articles:
        aid = article.id
        try:
            st = stat(f"{shards}{aid[:2]}/{aid}.json")
            shard = f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}:{st.st_ctime_ns}"
        except FileNotFoundError:
            shard = "none"
        except OSError:
            keys[aid] = ""  # never a saved key: read it again
            continue
        raw = f"{article.sha256}\0{article.title}\0{shard}".encode("utf-8", "surrogatepass")
        keys[aid] = blake2b(raw, digest_size=12).hexdigest()
    return keys


# --------------------------------------------------------------------------- build


def load_or_build(library) -> SearchIndex:
    """The index of ``library``: the saved one brought up to date when it is
    valid, else built from every article; saved when anything changed."""
    taught = library.taught()
    articles = library.articles()
    keys = article_keys(library, articles)
    wanted = header(taught)
    trusted = analysis_cache.analysis_code().usable
    path = index_path(library)
    index = None
    if trusted:
        try:
            raw = path.read_bytes()  # one read of the whole file
        except OSError:
            raw = None
        if raw is not None:
            index = decode(raw, wanted, taught)
    changes = _changes(index, keys) if index is not None else None
    if changes is None or len(changes[0]) + len(changes[1]) > len(keys) // 2:
        # Mostly new: one build beats re-indexing article by article.
        index = _build(library, articles, keys, taught)
        worth_saving = True
    else:
        _refresh(index, library, keys, *changes)
        # Saving costs about as much as re-reading a fiftieth of the articles
        # each time (2 s against 1 ms an article at 10,000): a few changed
        # articles are read again on each build until there are enough of them.
        # Changes accumulate until saved, so a library edited a little at a time
        # is saved again once enough of it differs.
        changed = len(changes[0]) + len(changes[1])
        worth_saving = changed >= max(SAVE_AFTER, len(keys) // 50)
    index._source = library
    if worth_saving and trusted:
        save_index(index, library)
    return index


def _build(library, articles: list, keys: dict[str, str], taught: list) -> SearchIndex:
    records = []
    for article in articles:
        try:
            records.append(record_from_library(library, article.id))
        except NotFound:  # deleted by another process meanwhile
            keys.pop(article.id, None)
    index = SearchIndex.from_records(records, taught)
    index._keys = {r.id: keys[r.id] for r in records}
    return index


def _changes(index: SearchIndex, keys: dict[str, str]) -> tuple[list[str], list[str]]:
    """The articles a loaded index holds that the library no longer has, and
    the library's articles that the index lacks or holds in another state."""
    saved = index._keys
    gone = [aid for aid in itertools.chain(index._articles, index._packed) if aid not in keys]
    stale = [aid for aid, key in keys.items() if saved.get(aid) != key]
    return gone, stale


def changed_articles(index: SearchIndex, library) -> list[str]:
    """Ids of the articles whose state in ``index`` is not their state in
    ``library`` (added, changed or deleted since they were indexed, by another
    process say), to be passed to ``SearchIndex.update_article`` one by one."""
    keys = article_keys(library, library.articles())
    with index._lock:
        gone, stale = _changes(index, keys)
    return gone + stale


def _refresh(
    index: SearchIndex, library, keys: dict[str, str], gone: list[str], stale: list[str]
) -> None:
    """Bring a loaded index up to date with the library, one article at a time."""
    for aid in gone:
        index.remove_article(aid)
    for aid in stale:
        try:
            record = record_from_library(library, aid)
        except NotFound:
            index.remove_article(aid)
            continue
        index.add_record(record)
        index._keys[aid] = keys[aid]


def save_index(index: SearchIndex, library) -> bool:
    """Write ``index`` as ``library``'s saved index; False when it could not be
    written (nothing is lost: the next build reads the articles again)."""
    if not analysis_cache.analysis_code().unchanged():
        return False
    try:
        data = encode(index)
        write_atomic(index_path(library), data, durable=False)
    except (SaveFailed, OSError, UnicodeEncodeError, ValueError):
        return False
    return True


# --------------------------------------------------------------------------- encoding


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )


def encode(index: SearchIndex) -> bytes:
    """The saved form of ``index`` (see the module docstring)."""
    enabled = gc.isenabled()
    # The rows made here are garbage at once, but every collection they would
    # trigger walks the whole index (it took two thirds of the time).
    gc.disable()
    try:
        return _encode(index)
    finally:
        if enabled:
            gc.enable()


def _encode(index: SearchIndex) -> bytes:
    with index._lock:
        next_id = next(index._ids)
        index._ids = itertools.count(next_id)
        order = list(index._articles) + list(index._packed)
        titles = index._titles
        lines = []
        for aid in order:
            raw = index._packed.get(aid)
            lines.append(raw if raw is not None else _dumps(_pack_state(index._articles[aid])))
        tables = {
            "next": next_id,
            "order": order,
            "sizes": [len(line) for line in lines],
            "keys": [index._keys.get(aid) for aid in order],
            "titles": index._titles,
            "tags": [
                [norm, index._tag_display.get(norm, norm), list(aids)]
                for norm, aids in index._tag_articles.items()
            ],
            "nodes": [
                [n.id, n.type, n.key, n.skel, n.forms, list(n.fulls), n.articles]
                for n in index._nodes.values()
            ],
            "terms": [
                [tid, name, list(itertools.chain.from_iterable(index._term_nodes[tid].items()))]
                for tid, name in index._terms.strings.items()
            ],
            "name_words": index._terms.to_data(),
            "docs": [
                [
                    did,
                    d.kind,
                    None if d.kind == "title" and d.text == titles.get(d.article_id) else d.text,
                    d.article_id,
                    d.start,
                    d.end,
                    d.speaker,
                    sorted(d.tags),
                ]
                for did, d in index._docs.items()
            ],
            "words": [
                [index._word_id[word], word, dids if dids.__class__ is str else _pack_ids(dids)]
                for word, dids in dict.items(index._word_docs)
            ],
            "speakers": [[key, list(dids)] for key, dids in index._speaker_docs.items()],
        }
        body = b"\n".join([_dumps(tables), *lines])
        head = _header(index._taught.signature)
    head["crc32"] = zlib.crc32(body)
    head["size"] = len(body)
    return _dumps(head) + b"\n" + body


def _pack_state(state: _ArticleState) -> list:
    record = state.record
    triples: dict[tuple, int] = {}
    flat: list[int] = []
    for text, etype, canonical, start, end in record.entities:
        triple = (text, etype, canonical)
        ti = triples.setdefault(triple, len(triples))
        flat += (ti, start, end)
    return [
        record.title,
        list(record.tags),
        [[t, e, c, state.resolved.get((t, e, c or t))] for t, e, c in triples],
        flat,
        [list(q) for q in record.quotes],
        [list(n) for n in record.notes],
        [list(h) for h in record.highlights],
        [list(term) for term in state.terms],
        state.docs,
        state.tags,
    ]


# --------------------------------------------------------------------------- decoding


def _pack_ids(ids: Iterable[int]) -> str:
    """Ids as base64 of little-endian int64s: parsed with one string instead of
    a JSON number each (a library's passages have millions of word postings)."""
    packed = array("q", ids)
    if _BIG_ENDIAN:
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _unpack_ids(packed: str) -> array:
    ids = array("q")
    ids.frombytes(base64.b64decode(packed, validate=True))
    if _BIG_ENDIAN:
        ids.byteswap()
    return ids


class _PackedSets(dict):
    """Word -> passage ids, where the ids of a word loaded from a saved index stay
    packed (``_pack_ids``) until the word is first looked up: a query looks up a
    handful of words, and building every set at load took longer than the rest
    of the load."""

    __slots__ = ("_known",)

    def __init__(self, known) -> None:
        super().__init__()
        self._known = known  # the passage ids that exist

    def _open(self, key: str, packed: str) -> set[int]:
        try:
            ids = set(_unpack_ids(packed))
        except ValueError:  # base64 or length: only a forged file gets here
            ids = set()
        if not ids <= self._known:
            ids &= self._known
        dict.__setitem__(self, key, ids)
        return ids

    def __getitem__(self, key: str) -> set[int]:
        value = dict.__getitem__(self, key)
        return self._open(key, value) if value.__class__ is str else value

    def get(self, key: str, default: Any = None) -> Any:
        value = dict.get(self, key, default)
        return self._open(key, value) if value.__class__ is str else value


class _Invalid(ValueError):
    """Saved data that does not describe a consistent index."""


def _check(condition: bool) -> None:
    if not condition:
        raise _Invalid


def decode(raw: bytes, expected: dict[str, Any], taught: Iterable = ()) -> SearchIndex | None:
    """The index saved in ``raw`` when it was saved under ``expected`` (search and
    analysis code, the digest of ``taught``) and is whole, else None."""
    # Slices of one memoryview: the article lines stay in the bytes read, uncopied.
    view = memoryview(raw)
    first = raw.find(b"\n") + 1
    try:
        saved = json.loads(view[: first or len(raw)].tobytes())
        if not isinstance(saved, dict) or any(saved.get(k) != v for k, v in expected.items()):
            return None
        body = view[first:]
        if not first or saved.get("size") != len(body) or saved.get("crc32") != zlib.crc32(body):
            return None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    enabled = gc.isenabled()
    gc.disable()  # many small containers, no cycles (see SearchIndex.from_records)
    try:
        return _decode_tables(raw, first, taught)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return None
    finally:
        if enabled:
            gc.enable()


def _decode_tables(raw: bytes, first: int, taught: Iterable) -> SearchIndex:
    end = raw.find(b"\n", first)
    end = len(raw) if end < 0 else end
    tables = json.loads(raw[first:end].decode("utf-8", "surrogatepass"))
    index = SearchIndex()
    index._taught = _Taught(taught)
    order = tables["order"]
    keys = tables["keys"]
    sizes = tables["sizes"]
    _check(len(order) == len(sizes) == len(keys) and len(set(order)) == len(order))
    _check(all(isinstance(aid, str) for aid in order))
    _check(all(isinstance(size, int) and size > 0 for size in sizes))
    _check(sum(sizes) + len(sizes) == len(raw) - end)
    # The article lines copied out of the file's bytes, so that the rest of
    # them (the tables, parsed above) is not kept alive by the slices.
    view = memoryview(raw[end:])
    ends = list(itertools.accumulate(size + 1 for size in sizes))
    index._packed = {
        aid: view[stop - size : stop] for aid, size, stop in zip(order, sizes, ends, strict=True)
    }
    index._keys = {aid: key for aid, key in zip(order, keys, strict=True) if key is not None}
    index._unpack = _unpack_state
    titles = tables["titles"]
    _check(isinstance(titles, dict) and titles.keys() == index._packed.keys())
    index._titles = titles
    ids = [0]
    known = titles.keys()
    for norm, display, aids in tables["tags"]:
        tagged = index._tag_articles[norm] = set(aids)
        _check(tagged <= known)
        index._tag_display[norm] = display

    nodes = index._nodes
    new_node = _Node.__new__
    node_by, blocks, by_last = index._node_by, index._blocks, index._by_last
    surnames, full_nodes = index._surnames, index._full_nodes
    rows = tables["nodes"]
    _check(all(type(row[0]) is int and type(row[2]) is str for row in rows))
    # The lookups SearchIndex._new_node and _resolve keep, filled in one pass.
    for nid, etype, key, skel, forms, fulls, arts in rows:
        if nid in nodes or not (
            type(forms) is dict and type(arts) is dict and arts.keys() <= known
        ):
            raise _Invalid
        node = new_node(_Node)
        words = key.split()
        node.id, node.type, node.key, node.words = nid, etype, key, words
        node.skel, node.forms, node.fulls, node.articles = skel, forms, set(fulls), arts
        nodes[nid] = node
        node_by[(etype, key)] = nid
        blocks.setdefault((etype, skel), set()).add(nid)
        if etype == "PERSON":
            if len(words) > 1:
                by_last.setdefault(skel.rpartition(" ")[2], set()).add(nid)
            else:
                surnames.setdefault(skel, set()).add(nid)
        for full in fulls:
            if full != key:
                full_nodes.setdefault(full, set()).add(nid)
    index._types.update(node.type for node in nodes.values())
    ids.extend(nodes)

    term_nodes = index._term_nodes
    node_ids = nodes.keys()
    for tid, name, refs in tables["terms"]:
        _check(isinstance(tid, int) and tid not in term_nodes and isinstance(name, str))
        counts = dict(zip(refs[::2], refs[1::2], strict=True))
        _check(bool(counts) and counts.keys() <= node_ids)
        term_nodes[tid] = counts
        ids.append(tid)
    names = {tid: name for tid, name, _refs in tables["terms"]}
    index._terms = NameIndex.from_data(names, tables["name_words"])

    docs = index._docs
    for did, kind, text, aid, start, end, speaker, tags in tables["docs"]:
        if text is None and kind == "title":
            text = titles.get(aid)  # saved once, in the titles
        _check(isinstance(did, int) and did not in docs and aid in titles and isinstance(text, str))
        doc = _Doc.__new__(_Doc)
        doc.kind, doc.text, doc.article_id, doc.start, doc.end = kind, text, aid, start, end
        doc.speaker, doc.tags, doc.words = speaker, frozenset(tags), None
        docs[did] = doc
        ids.append(did)
    vocabulary = NgramIndex()
    doc_ids = docs.keys()
    postings = index._word_docs = _PackedSets(doc_ids)
    for wid, word, dids in tables["words"]:
        _check(isinstance(wid, int) and isinstance(word, str) and isinstance(dids, str))
        dict.__setitem__(postings, word, dids)
        index._word_id[word] = wid
        ids.append(wid)
    for wid, word in sorted((wid, word) for word, wid in index._word_id.items()):
        vocabulary.add(wid, word)
    index._words = vocabulary
    for key, dids in tables["speakers"]:
        spoken = index._speaker_docs[key] = set(dids)
        _check(spoken <= doc_ids)
    next_id = tables["next"]
    _check(isinstance(next_id, int) and next_id > max(ids))
    index._ids = itertools.count(next_id)
    return index


def _unpack_state(index: SearchIndex, aid: str, raw: bytes) -> _ArticleState:
    """One article's part of a loaded index. Raises ValueError when it does not
    fit the index it was saved with."""
    try:
        row = json.loads(str(raw, "utf-8", "surrogatepass"))
        title, tags, triples, flat, quotes, notes, highlights, terms, docs, state_tags = row
        _check(len(flat) % 3 == 0)
        nodes = index._nodes
        for _t, _e, _c, nid in triples:
            _check(nid is None or nid in nodes)
        _check(all(did in index._docs for did in docs))
        entities = []
        state = _ArticleState(
            ArticleRecord(
                id=aid,
                title=title,
                tags=tags,
                entities=entities,
                quotes=[tuple(q) for q in quotes],
                notes=[tuple(n) for n in notes],
                highlights=[tuple(h) for h in highlights],
            )
        )
        resolved = state.resolved
        for text, etype, canonical, nid in triples:
            resolved[(text, etype, canonical or text)] = nid
        counts, forms, mentions = state.nodes, state.forms, state.mentions
        for i in range(0, len(flat), 3):
            text, etype, canonical, nid = triples[flat[i]]
            start, end = flat[i + 1], flat[i + 2]
            entities.append((text, etype, canonical, start, end))
            if nid is not None:
                mentions.append((nid, start, end, text))
                counts[nid] = counts.get(nid, 0) + 1
                form = (nid, canonical or text)
                forms[form] = forms.get(form, 0) + 1
        state.terms = {(name, nid) for name, nid in terms}
        state.docs = list(docs)
        state.tags = list(state_tags)
        return state
    except _Invalid:
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as err:
        raise _Invalid(str(err)) from None
