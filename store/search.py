"""Search across the library: entities (grouped into alias clusters), notes,
highlights, quotes, tags and titles, typo-tolerant, kept in memory and updated
one article at a time.

Entity names are normalised once when they enter the index (``search_text``). A
query finds candidate names through a trigram inverted index and re-ranks only
those with rapidfuzz, so its cost follows the number of similar names rather than
the size of the library.

Alias clusters. Every (type, name) is a node; nodes are joined when
- their names share a consonant skeleton and are near-identical ("Zangezur" /
  "Zangazur", "Ilham Aliyev" / "Ilham Aliev"), same type;
- they are the same name and one of them is typed MISC;
- the user taught it (``merge``/``rename`` entries of ``library.taught()``);
and a lone surname ("Aliyev") joins the one full person name that ends with it,
when exactly one cluster in the library does. A ``rename`` of a name to itself
keeps that name alone (that is how ``split`` sticks), and ``reject`` drops it.
"""

from __future__ import annotations

import functools
import gc
import heapq
import itertools
import threading
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from store.errors import NotFound
from store.search_text import (
    STOPWORDS,
    TITLES,
    NameIndex,
    NgramIndex,
    name_key,
    normalize,
    skeleton,
)
from store.search_types import (
    KINDS,
    SCOPES,
    ArticleRecord,
    ArticleRef,
    EntityPage,
    Hit,
    Mention,
    Query,
    parse_query,
    record_from_library,
)

__all__ = [
    "ArticleRecord",
    "ArticleRef",
    "EntityPage",
    "Hit",
    "Mention",
    "KINDS",
    "NAME_CUTOFF",
    "Query",
    "SCOPES",
    "SearchIndex",
    "name_score",
    "parse_query",
    "record_from_library",
]

_KIND_RANK = {kind: i for i, kind in enumerate(KINDS)}

# How many names the trigram index hands to the re-ranker; measured in
# bench/search.py (recall against an exhaustive ranking, and time per query).
CANDIDATES = 400
NAME_CUTOFF = 70.0
TEXT_CUTOFF = 60.0


# --------------------------------------------------------------------------- scoring


def name_score(query: str, query_words: list[str], name: str) -> float:
    """Similarity 0..100 of a normalised query and a normalised name.

    WRatio handles typos and word order, but rates any short name found inside a
    longer query highly ("ian" in "pashinian"); a name much shorter than the query
    therefore gets at most its word alignment. Two word-level scores complete it:
    the query's cover (each query word against its best name word) lets a surname
    with a typo find the full name ("aliev" -> "ilham aliyev"); the alignment of
    both word lists finds a name inside a longer query ("senator jason chafeftz").
    """
    name_words = name.split()
    score = fuzz.WRatio(query, name, processor=None)
    if len(name_words) == 1 and len(query_words) == 1:
        if len(name) < 0.8 * len(query):
            score = min(score, fuzz.ratio(query, name, processor=None))
        return score
    ratio = fuzz.ratio
    query_side = [max(ratio(w, o, processor=None) for o in name_words) for w in query_words]
    name_side = [max(ratio(o, w, processor=None) for w in query_words) for o in name_words]
    aligned = (sum(query_side) + sum(name_side)) / (len(query_side) + len(name_side))
    if len(name) < 0.8 * len(query):
        score = min(score, aligned)
    cover = sum(query_side) / len(query_side)
    if len(name_words) > len(query_words):
        cover *= 0.95
    return max(score, cover, aligned)


def _same_spelling(a: str, b: str) -> bool:
    """Spelling variants of one name, given equal consonant skeletons: word by word,
    equal, or near-identical words of four letters or more and nearly one length
    ("aliyev"/"aliev", "zangezur"/"zangazur"; not "abc"/"bbc", "niger"/"nigeria")."""
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return False
    for x, y in zip(words_a, words_b, strict=True):
        if x == y:
            continue
        if min(len(x), len(y)) < 4 or abs(len(x) - len(y)) > 1:
            return False
        if fuzz.ratio(x, y, processor=None) < 80:
            return False
    return True


# --------------------------------------------------------------------------- internals


class _Node:
    """One (type, normalised name) with its spellings and article counts."""

    __slots__ = ("id", "type", "key", "words", "skel", "forms", "fulls", "articles")

    def __init__(self, node_id: int, etype: str, key: str) -> None:
        self.id = node_id
        self.type = etype
        self.key = key
        self.words = key.split()
        self.skel = skeleton(key)
        self.forms: dict[str, int] = {}
        self.fulls: set[str] = {key}  # normalised forms, titles kept
        self.articles: dict[str, int] = {}

    @property
    def mentions(self) -> int:
        return sum(self.articles.values())


class _Doc:
    """A searchable passage: a note, highlight, quote or title."""

    __slots__ = ("kind", "text", "article_id", "start", "end", "speaker", "tags", "words")

    def __init__(self, kind, text, article_id, start, end, speaker=None, tags=()):
        self.kind = kind
        self.text = text
        self.article_id = article_id
        self.start = start
        self.end = end
        self.speaker = speaker
        self.tags = frozenset(tags)
        self.words: frozenset[str] | None = frozenset(normalize(text).split())

    def word_set(self) -> frozenset[str]:
        """The passage's normalised words (a passage loaded from a saved index
        finds them again only when it is removed)."""
        words = self.words
        if words is None:
            words = self.words = frozenset(normalize(self.text).split())
        return words


class _ArticleState:
    """What one article put into the index, so it can be taken out again."""

    __slots__ = ("record", "resolved", "nodes", "forms", "mentions", "terms", "docs", "tags")

    def __init__(self, record: ArticleRecord) -> None:
        self.record = record
        # (text, type, canonical or text) -> node, None when rejected
        self.resolved: dict[tuple[str, str, str], int | None] = {}
        self.nodes: dict[int, int] = {}  # node -> mentions in this article
        self.forms: dict[tuple[int, str], int] = {}  # (node, spelling) -> mentions
        self.mentions: list[tuple[int, int, int, str]] = []
        self.terms: set[tuple[str, int]] = set()
        self.docs: list[int] = []
        self.tags: list[str] = []


class _Taught:
    """The taught entities the index honours, reduced to lookups by name key."""

    def __init__(self, taught: Iterable = ()) -> None:
        self.signature: tuple = ()
        self.rejected: set[str] = set()
        self.retype: dict[str, str] = {}
        self.alone: set[str] = set()
        self.group_of: dict[str, int] = {}
        self.groups: dict[int, set[str]] = {}
        self._load(list(taught))

    def _load(self, taught: list) -> None:
        self.signature = tuple(
            (getattr(t, "action", None), t.text, getattr(t, "type", None), t.canonical)
            for t in taught
        )
        links: dict[str, str] = {}
        for t in taught:  # later entries override earlier ones for the same name
            # Names as taught, normalised; an entity answers to its key and to
            # every full form it was written with ("President Ilham Aliyev").
            full = normalize(t.text)
            if not full:
                continue
            if t.action == "reject":
                self.rejected.add(full)
                links.pop(full, None)
            elif t.action == "retype" and t.type:
                self.retype[full] = t.type
            elif t.action == "add":
                self.rejected.discard(full)
                if t.type:
                    self.retype[full] = t.type
            elif t.action in ("merge", "rename") and t.canonical:
                self.rejected.discard(full)
                target = normalize(t.canonical)
                if target:
                    links[full] = target
        parent: dict[str, str] = {}

        def find(k: str) -> str:
            while parent.get(k, k) != k:
                k = parent[k]
            return k

        for key, target in links.items():
            if key == target:
                self.alone.add(key)
                continue
            parent.setdefault(key, key)
            parent.setdefault(target, target)
            ra, rb = find(key), find(target)
            if ra != rb:
                parent[ra] = rb
        roots: dict[str, int] = {}
        for key in parent:
            gid = roots.setdefault(find(key), len(roots))
            self.group_of[key] = gid
            self.groups.setdefault(gid, set()).add(key)

    def keys(self) -> set[str]:
        return self.rejected | set(self.retype) | self.alone | set(self.group_of)


# --------------------------------------------------------------------------- the index


def _locked(method):
    """Run a SearchIndex method under the index's lock."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class SearchIndex:
    """An in-memory, incrementally updated index of one library.

    Safe to share between threads: one lock serialises searches and updates
    (``update_article`` reads the library outside it). ``build`` returns a new
    object, so it can run in a worker and be swapped in whole.
    Typical use: ``index = SearchIndex.build(library)``; after an import, edit or
    deletion ``index.update_article(library, article_id)``; after teaching an
    entity ``index.update_taught(library.taught())``.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._articles: dict[str, _ArticleState] = {}
        self._titles: dict[str, str] = {}
        self._tag_articles: dict[str, set[str]] = {}
        self._tag_display: dict[str, str] = {}
        # entities
        self._nodes: dict[int, _Node] = {}
        self._node_by: dict[tuple[str, str], int] = {}
        # Person nodes by the titled full forms they were written with, when those
        # differ from their key ("president ilham aliyev" -> node "ilham aliyev").
        self._full_nodes: dict[str, set[int]] = {}
        self._types: set[str] = set()  # entity types seen
        self._terms = NameIndex()
        self._term_nodes: dict[int, dict[int, int]] = {}
        self._blocks: dict[tuple[str, str], set[int]] = {}
        # Multi-word PERSON names by the skeleton of their last word, and one-word
        # PERSON names by their skeleton: a lone surname finds its full names.
        self._by_last: dict[str, set[int]] = {}
        self._surnames: dict[str, set[int]] = {}
        # Components of the alias graph, found on demand and forgotten on any change:
        # a query only ever needs the few around its hits.
        self._comp_cache: dict[int, frozenset[int]] = {}
        self._describe_cache: dict[frozenset[int], tuple] = {}
        # passages
        self._docs: dict[int, _Doc] = {}
        self._word_docs: dict[str, set[int]] = {}
        self._word_id: dict[str, int] = {}
        self._words = NgramIndex()
        self._speaker_docs: dict[str, set[int]] = {}
        self._taught = _Taught()
        # Articles of a saved index not yet needed, in their saved form: turned
        # into an _ArticleState by ``_state`` when an update or an entity page
        # first touches them (searching never does).
        self._packed: dict[str, bytes] = {}
        self._unpack = None
        self._source = None  # the library a saved index was loaded for
        # The library's state of each article as it was read (text, title,
        # annotations; see search_cache.article_keys), so that a saved index
        # knows which articles to read again. An update forgets it.
        self._keys: dict[str, str] = {}

    # ----------------------------------------------------------------- building

    @classmethod
    def from_records(cls, records: Iterable[ArticleRecord], taught: Iterable = ()) -> SearchIndex:
        """Build an index from plain records (no Library needed)."""
        index = cls()
        index._taught = _Taught(taught)
        # The index is hundreds of thousands of small containers without cycles;
        # the cyclic collector would rescan them all again and again while they
        # are being allocated, which made building quadratic.
        enabled = gc.isenabled()
        gc.disable()
        try:
            for record in records:
                index._add(record)
        finally:
            if enabled:
                gc.enable()
        return index

    @classmethod
    def build(cls, library, *, saved: bool = True) -> SearchIndex:
        """The index of every article in a ``store.Library``.

        With ``saved`` (the default) the index saved in the library's ``derived/``
        folder is loaded when it is valid, only the articles changed since are
        read again, and the result is saved back when anything changed (see
        ``store.search_cache``); without, every article is read and nothing is
        saved. Either way the index answers as one built from scratch."""
        if saved:
            from store import search_cache

            return search_cache.load_or_build(library)
        records = [record_from_library(library, a.id) for a in library.articles()]
        return cls.from_records(records, library.taught())

    def save(self, library) -> bool:
        """Save the index in ``library``'s ``derived/`` folder for the next
        ``build`` (after updates the application made, say). Returns False when
        it could not be written; a failed save loses nothing."""
        from store import search_cache

        return search_cache.save_index(self, library)

    def _state(self, article_id: str) -> _ArticleState | None:
        """The indexed state of one article, unpacked if it was still in saved form."""
        state = self._articles.get(article_id)
        if state is None:
            raw = self._packed.pop(article_id, None)
            if raw is not None:
                try:
                    state = self._unpack(self, article_id, raw)
                except ValueError:
                    # Saved data that passed the file's checks but does not fit
                    # the index: start again from the library it was loaded for.
                    if self._source is None:
                        raise
                    self._replace_with(SearchIndex.build(self._source, saved=False))
                    return self._articles.get(article_id)
                self._articles[article_id] = state
        return state

    def _replace_with(self, other: SearchIndex) -> None:
        lock = self._lock
        for name, value in vars(other).items():
            setattr(self, name, value)
        self._lock = lock

    def _unpack_all(self) -> None:
        for aid in list(self._packed):
            self._state(aid)

    @_locked
    def add_record(self, record: ArticleRecord) -> None:
        """Index (or re-index) one article from its record."""
        if record.id in self._articles or record.id in self._packed:
            self.remove_article(record.id)
        self._keys.pop(record.id, None)
        self._add(record)

    def update_article(self, library, article_id: str) -> None:
        """Re-read one article (and the taught entities) from ``library``; an article
        that is gone is removed."""
        from store import search_cache

        taught = library.taught()
        try:
            article = library.get(article_id)
            # Taken before the read, as build takes it: a later save of this
            # index then needs no second read of the article.
            key = search_cache.article_keys(library, [article])[article.id]
            record = record_from_library(library, article.id)
        except NotFound:
            record = None
        with self._lock:
            self.update_taught(taught)
            if record is None:
                self.remove_article(article_id)
            else:
                self.add_record(record)
                self._keys[record.id] = key

    @_locked
    def update_taught(self, taught: Iterable) -> None:
        """Apply a new list of taught entities, re-indexing only what they touch."""
        new = _Taught(taught)
        if new.signature == self._taught.signature:
            return
        old = self._taught
        self._taught = new
        # Retype and reject change what enters the index: re-index the articles
        # that mention such a name. Merges and splits only change the alias graph,
        # whose components are recomputed on demand.
        reindex = {
            k
            for k in old.keys() | new.keys()
            if (k in old.rejected) != (k in new.rejected) or old.retype.get(k) != new.retype.get(k)
        }
        affected: set[str] = set()
        for key in reindex:
            for nid in self._nodes_named(key):
                affected.update(self._nodes[nid].articles)
        if reindex & old.rejected:
            # A name no longer rejected has no node yet: look for it in the records.
            self._unpack_all()
            for aid, state in self._articles.items():
                for text, _etype, canonical, *_ in state.record.entities:
                    full = normalize(canonical or text)
                    if normalize(text) in reindex or full in reindex or name_key(full) in reindex:
                        affected.add(aid)
                        break
        for aid in affected:
            self.add_record(self._state(aid).record)
        self._invalidate()

    @staticmethod
    def _group_keys(taught: _Taught, key: str) -> frozenset[str]:
        gid = taught.group_of.get(key)
        return frozenset(taught.groups[gid]) if gid is not None else frozenset()

    def _add(self, record: ArticleRecord) -> None:
        aid = record.id
        state = _ArticleState(record)
        self._articles[aid] = state
        self._titles[aid] = record.title
        # Each distinct (text, type, canonical) is resolved once per article.
        entities = record.entities
        keys = [(e[0], e[1], e[2] or e[0]) for e in entities]
        resolved = state.resolved
        nodes, forms = state.nodes, state.forms
        resolve = self._resolve
        for triple, count in Counter(keys).items():
            text, etype, form = triple
            nid = resolved[triple] = resolve(state, text, etype, form)
            if nid is not None:
                nodes[nid] = nodes.get(nid, 0) + count
                forms[(nid, form)] = forms.get((nid, form), 0) + count
        state.mentions = [
            (nid, e[3], e[4], e[0])
            for e, triple in zip(entities, keys, strict=True)
            if (nid := resolved[triple]) is not None
        ]
        all_nodes = self._nodes
        for (nid, form), count in forms.items():
            node = all_nodes[nid]
            node_forms = node.forms
            node_forms[form] = node_forms.get(form, 0) + count
            node.articles[aid] = nodes[nid]
        self._invalidate()  # article counts changed, and maybe the alias graph
        # passages
        self._add_doc(state, _Doc("title", record.title, aid, None, None))
        for text, speaker, start, end in record.quotes:
            did = self._add_doc(state, _Doc("quote", text, aid, start, end, speaker))
            if speaker and did is not None:
                skey = name_key(normalize(speaker))
                self._speaker_docs.setdefault(skey, set()).add(did)
        for note in record.notes:
            text = note[1]
            start, end = (note[2], note[3]) if len(note) >= 4 else (None, None)
            self._add_doc(state, _Doc("note", text, aid, start, end))
        for _hid, exact, note_text, start, end, tags in record.highlights:
            tags = [normalize(t) for t in tags]
            self._add_doc(state, _Doc("highlight", exact, aid, start, end, tags=tags))
            if note_text:
                self._add_doc(state, _Doc("note", note_text, aid, start, end, tags=tags))
        for tag in record.tags:
            norm = normalize(tag)
            if norm:
                state.tags.append(norm)
                self._tag_articles.setdefault(norm, set()).add(aid)
                self._tag_display.setdefault(norm, tag)

    def _resolve(self, state: _ArticleState, text: str, etype: str, form: str) -> int | None:
        """The node a mention belongs to (created if new), its search terms noted;
        None when the user rejected the name."""
        full = normalize(form)
        # Most mentions are written as their canonical form: normalise it once.
        surface = full if text == form else normalize(text)
        key = name_key(full) if etype == "PERSON" else full
        if not key:
            return None
        taught = self._taught
        if taught.rejected:
            rejected = taught.rejected
            if full in rejected or surface in rejected or key in rejected:
                return None
        if taught.retype:
            etype = taught.retype.get(full) or taught.retype.get(key) or etype
        nid = self._node_by.get((etype, key))
        if nid is None:
            nid = self._new_node(etype, key)
        if full != key:
            fulls = self._nodes[nid].fulls
            if full not in fulls:
                fulls.add(full)
                self._full_nodes.setdefault(full, set()).add(nid)
        terms = state.terms
        if full == surface and key == full:
            term = (key, nid)
            if term not in terms:
                terms.add(term)
                self._ref_term(key, nid)
            return nid
        for name in {key, full, surface}:
            term = (name, nid)
            if name and term not in terms:
                terms.add(term)
                self._ref_term(name, nid)
        return nid

    @_locked
    def remove_article(self, article_id: str) -> None:
        """Take one article out of the index (nothing happens if it is not there)."""
        self._keys.pop(article_id, None)
        if self._state(article_id) is None:
            return
        state = self._articles.pop(article_id)
        self._titles.pop(article_id, None)
        for term, nid in state.terms:
            self._unref_term(term, nid)
        for (nid, form), count in state.forms.items():
            forms = self._nodes[nid].forms
            forms[form] -= count
            if forms[form] <= 0:
                del forms[form]
        gone: set[int] = set()
        for nid in state.nodes:
            node = self._nodes[nid]
            node.articles.pop(article_id, None)
            if not node.articles:
                gone.add(nid)
        for nid in gone:
            self._drop_node(nid)
        self._invalidate()
        for did in state.docs:
            self._drop_doc(did)
        for norm in state.tags:
            arts = self._tag_articles.get(norm)
            if arts is not None:
                arts.discard(article_id)
                if not arts:
                    del self._tag_articles[norm]
                    self._tag_display.pop(norm, None)

    # ----------------------------------------------------------------- nodes and terms

    def _new_node(self, etype: str, key: str) -> int:
        nid = next(self._ids)
        node = _Node(nid, etype, key)
        self._nodes[nid] = node
        self._node_by[(etype, key)] = nid
        self._types.add(etype)
        skel = node.skel
        block = self._blocks.get((etype, skel))
        if block is None:
            self._blocks[(etype, skel)] = {nid}
        else:
            block.add(nid)
        if etype == "PERSON":
            if len(node.words) > 1:
                self._by_last.setdefault(skel.rpartition(" ")[2], set()).add(nid)
            else:
                self._surnames.setdefault(skel, set()).add(nid)
        return nid

    def _drop_node(self, nid: int) -> None:
        """Remove a node that no article mentions any more."""
        node = self._nodes.pop(nid)
        del self._node_by[(node.type, node.key)]
        for full in node.fulls:
            _discard(self._full_nodes, full, nid)
        _discard(self._blocks, (node.type, node.skel), nid)
        if node.type == "PERSON":
            if len(node.words) > 1:
                _discard(self._by_last, node.skel.rsplit(" ", 1)[-1], nid)
            else:
                _discard(self._surnames, node.skel, nid)

    def _neighbours(self, nid: int) -> set[int]:
        """Nodes joined to ``nid`` by spelling, by a MISC twin or by the user."""
        node = self._nodes[nid]
        taught = self._taught
        out: set[int] = set()
        if not self._alone(node):
            if len(node.key) >= 5:
                for other in self._blocks.get((node.type, node.skel), ()):
                    onode = self._nodes[other]
                    if (
                        other != nid
                        and not self._alone(onode)
                        and _same_spelling(node.key, onode.key)
                    ):
                        out.add(other)
            for etype in self._types:
                other = self._node_by.get((etype, node.key))
                if other is not None and "MISC" in (node.type, etype):
                    out.add(other)
        if taught.group_of:
            for full in node.fulls:
                gid = taught.group_of.get(full)
                if gid is not None:
                    for key in taught.groups[gid]:
                        out |= self._nodes_named(key)
        out.discard(nid)
        return out

    def _nodes_named(self, form: str) -> set[int]:
        """Nodes whose key, or one of whose full forms, is ``form``."""
        found = set(self._full_nodes.get(form, ()))
        for etype in self._types:
            nid = self._node_by.get((etype, form))
            if nid is not None:
                found.add(nid)
        return found

    def _alone(self, node: _Node) -> bool:
        """Whether the user split this name off (a rename of it to itself)."""
        alone = self._taught.alone
        return bool(alone) and not alone.isdisjoint(node.fulls)

    def _invalidate(self) -> None:
        self._comp_cache.clear()
        self._describe_cache.clear()

    def _component(self, nid: int) -> frozenset[int]:
        """The connected component of ``nid`` in the alias graph."""
        comp = self._comp_cache.get(nid)
        if comp is None:
            members = {nid}
            stack = [nid]
            while stack:
                for other in self._neighbours(stack.pop()):
                    if other not in members:
                        members.add(other)
                        stack.append(other)
            comp = frozenset(members)
            for member in comp:
                self._comp_cache[member] = comp
        return comp

    def _ref_term(self, term: str, nid: int) -> None:
        tid = self._terms.ids.get(term)
        if tid is None:
            tid = next(self._ids)
            self._terms.add(tid, term)
            self._term_nodes[tid] = {nid: 1}
        else:
            refs = self._term_nodes[tid]
            if nid in refs:
                refs[nid] += 1
            else:
                refs[nid] = 1

    def _unref_term(self, term: str, nid: int) -> None:
        tid = self._terms.ids.get(term)
        if tid is None:
            return
        refs = self._term_nodes[tid]
        refs[nid] -= 1
        if refs[nid] <= 0:
            del refs[nid]
        if not refs:
            del self._term_nodes[tid]
            self._terms.remove(tid)

    # ----------------------------------------------------------------- passages

    def _add_doc(self, state: _ArticleState, doc: _Doc) -> int | None:
        if not doc.words:
            return None
        did = next(self._ids)
        self._docs[did] = doc
        state.docs.append(did)
        for word in doc.words:
            docs = self._word_docs.get(word)
            if docs is None:
                self._word_docs[word] = {did}
                wid = next(self._ids)
                self._word_id[word] = wid
                self._words.add(wid, word)
            else:
                docs.add(did)
        return did

    def _drop_doc(self, did: int) -> None:
        doc = self._docs.pop(did)
        for word in doc.word_set():
            docs = self._word_docs[word]
            docs.discard(did)
            if not docs:
                del self._word_docs[word]
                self._words.remove(self._word_id.pop(word))
        if doc.kind == "quote" and doc.speaker:
            _discard(self._speaker_docs, name_key(normalize(doc.speaker)), did)

    # ----------------------------------------------------------------- clusters

    def _surname_target(self, comp: frozenset[int]) -> frozenset[int] | None:
        """The one full-name component a component of lone surnames belongs to."""
        target: frozenset[int] | None = None
        for nid in comp:
            node = self._nodes[nid]
            if node.type != "PERSON" or len(node.words) != 1 or self._alone(node):
                return None
            fulls = self._by_last.get(node.skel, ())
            if len(fulls) > 8:  # a common surname: never one person
                return None
            for full in fulls:
                other = self._nodes[full]
                if self._alone(other) or not _same_spelling(node.key, other.words[-1]):
                    continue
                full_comp = self._component(full)
                if target is not None and full_comp != target:
                    return None
                target = full_comp
        return target

    def _cluster(self, nid: int) -> set[int]:
        """The nodes of the alias cluster ``nid`` belongs to."""
        comp = self._component(nid)
        comp = self._surname_target(comp) or comp
        nodes = set(comp)
        for member in comp:
            node = self._nodes[member]
            if node.type != "PERSON" or len(node.words) < 2 or self._alone(node):
                continue
            last = node.words[-1]
            for lone in self._surnames.get(node.skel.rsplit(" ", 1)[-1], ()):
                if lone not in nodes and _same_spelling(self._nodes[lone].key, last):
                    lone_comp = self._component(lone)
                    if self._surname_target(lone_comp) == comp:
                        nodes |= lone_comp
        return nodes

    def _describe(self, nodes: set[int]) -> tuple[_Node, str, list[str], list[ArticleRef]]:
        """Representative node, display name, aliases and the articles (most
        mentions first) of a cluster; cached until the index changes."""
        cache_key = frozenset(nodes)
        cached = self._describe_cache.get(cache_key)
        if cached is not None:
            return cached
        all_nodes = [self._nodes[n] for n in nodes]
        # Ties go by name, not by node id: ids follow the order articles were
        # indexed in, which a saved index brought up to date does not share
        # with a fresh build.
        rep = min(all_nodes, key=lambda n: (-n.mentions, -len(n.words), n.key, n.type))
        forms: Counter[str] = Counter()
        articles: Counter[str] = Counter()
        for node in all_nodes:
            forms.update(node.forms)
            articles.update(node.articles)

        def rank(form: str) -> tuple:
            norm = normalize(form)
            key = name_key(norm)
            return (len(key.split()) > 1, norm == key, forms[form], len(form), form)

        ordered = sorted(forms, key=rank, reverse=True)
        display = ordered[0] if ordered else rep.key
        result = (rep, display, ordered, self._refs(articles, None))
        self._describe_cache[cache_key] = result
        return result

    def _refs(self, articles: Counter[str], allowed: set[str] | None) -> list[ArticleRef]:
        refs = [
            ArticleRef(aid, self._titles.get(aid, ""), count)
            for aid, count in articles.items()
            if allowed is None or aid in allowed
        ]
        refs.sort(key=lambda r: (-r.count, r.title, r.id))
        return refs

    # ----------------------------------------------------------------- queries

    @_locked
    def search(self, query: str, *, scope: str = "all", limit: int = 20) -> list[Hit]:
        """Hits for ``query``, best first.

        scope: "entities", "notes" (notes and highlights) or "all". Filters in the
        query: ``tag:X`` (articles or highlights with that tag), ``type:PERSON``
        (entities of that type), ``speaker:Name`` (quotes by that person); they
        combine with free text, and a query of only filters lists what matches.
        Raises ValueError for an unknown scope or type."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}: use all, entities or notes")
        parsed = parse_query(query)
        text = normalize(parsed.text)
        if not text and not parsed.has_filters:
            return []
        kinds = {"all": set(KINDS), "entities": {"entity"}, "notes": {"note", "highlight"}}[scope]
        if parsed.speakers:
            kinds &= {"quote"}
        if parsed.types:
            kinds &= {"entity"}
        tag_norms = {normalize(t) for t in parsed.tags}
        allowed: set[str] | None = None
        if tag_norms:
            sets = [self._tag_articles.get(t, set()) for t in tag_norms]
            allowed = set.intersection(*sets) if sets else set()
        hits: list[Hit] = []
        if "entity" in kinds:
            hits += self._entity_hits(text, set(parsed.types), allowed, limit)
        doc_kinds = kinds & {"title", "note", "highlight", "quote"}
        if doc_kinds:
            hits += self._doc_hits(text, doc_kinds, allowed, tag_norms, parsed.speakers, limit)
        if "tag" in kinds:
            hits += self._tag_hits(text, tag_norms, allowed)
        hits.sort(key=lambda h: (-h.score, _KIND_RANK[h.kind], len(h.text), h.text))
        return hits[:limit]

    def _score_names(self, text: str, limit: int = CANDIDATES) -> dict[int, float]:
        words = text.split()
        # "Senator Jason Chafeftz": the title is not part of the name.
        bare = [w for w in words if w not in TITLES]
        strings = self._terms.strings
        best: dict[int, float] = {}
        for tid in self._terms.candidates(text, limit):
            name = strings[tid]
            score = name_score(text, words, name)
            if bare and len(bare) < len(words):
                # A little below a match of the query as typed ("General Motors").
                score = max(score, 0.98 * name_score(" ".join(bare), bare, name))
            if score < NAME_CUTOFF:
                continue
            for nid in self._term_nodes[tid]:
                if score > best.get(nid, 0.0):
                    best[nid] = score
        return best

    def _entity_hits(
        self, text: str, types: set[str], allowed: set[str] | None, limit: int
    ) -> list[Hit]:
        if text:
            scored = self._score_names(text)
        elif types:
            pool = [n for n in self._nodes.values() if n.type in types]
            if allowed is not None:
                pool = [n for n in pool if not allowed.isdisjoint(n.articles)]
            pool.sort(key=lambda n: (-n.mentions, n.key, n.type))
            scored = {n.id: 100.0 for n in pool[: limit * 4]}
        else:
            return []
        by_id = self._nodes
        order = sorted(
            scored, key=lambda n: (-scored[n], -by_id[n].mentions, by_id[n].key, by_id[n].type)
        )
        hits: list[Hit] = []
        done: set[int] = set()
        for nid in order:
            if len(hits) >= limit:
                break
            if nid in done:
                continue
            nodes = self._cluster(nid)
            done |= nodes
            if types and not any(self._nodes[n].type in types for n in nodes):
                continue
            rep, display, _aliases, refs = self._describe(nodes)
            if allowed is not None:
                refs = [r for r in refs if r.id in allowed]
            if not refs:
                continue
            hits.append(
                Hit(
                    kind="entity",
                    text=display,
                    score=scored[nid],
                    type=rep.type,
                    articles=refs,
                    key=f"{rep.type}:{rep.key}",
                )
            )
        return hits

    def _expand_word(self, word: str, last: bool) -> list[tuple[str, float]]:
        """Indexed words close to ``word`` (typos; as a prefix when it is the last
        word typed) with their similarity."""
        out = [(word, 100.0)] if word in self._word_docs else []
        strings = self._words.strings
        for wid in self._words.candidates(word, 60):
            other = strings[wid]
            if other == word:
                continue
            if last and len(word) >= 2 and other.startswith(word):
                out.append((other, 90.0))
            elif len(word) >= 4 and abs(len(other) - len(word)) <= 2:
                score = fuzz.ratio(word, other, processor=None)
                if score >= 80:
                    out.append((other, score))
        return out

    def _score_docs(self, text: str) -> dict[int, float]:
        words = text.split()
        content = [w for w in words if w not in STOPWORDS] or words
        n = len(content)
        rows: dict[int, list[float]] = {}
        for i, word in enumerate(content):
            for match, score in self._expand_word(word, last=i == n - 1):
                for did in self._word_docs.get(match, ()):
                    row = rows.get(did)
                    if row is None:
                        row = rows[did] = [0.0] * n
                    if score > row[i]:
                        row[i] = score
        # Passages rank a little below names that match as well: a name typed
        # into the box is more often meant as the entity than as a word in a quote.
        return {did: 0.9 * s for did, row in rows.items() if (s := sum(row) / n) >= TEXT_CUTOFF}

    def _docs_by_speaker(self, speaker: str) -> set[int]:
        text = name_key(normalize(speaker))
        words = text.split()
        docs: set[int] = set()
        if not words:
            return docs
        for key, dids in self._speaker_docs.items():
            if dids and name_score(text, words, key) >= 80:
                docs |= dids
        # Any name of the person's alias cluster: "speaker:Nikol Pashinyan" finds
        # a quote attributed to "Pashinyan".
        scored = self._score_names(text)
        by_id = self._nodes
        best = sorted(scored, key=lambda n: (-scored[n], by_id[n].key, by_id[n].type))
        for nid in best[:5]:
            if scored[nid] >= 85 and self._nodes[nid].type == "PERSON":
                for member in self._cluster(nid):
                    docs |= self._speaker_docs.get(self._nodes[member].key, set())
        return docs

    def _doc_hits(
        self,
        text: str,
        kinds: set[str],
        allowed: set[str] | None,
        tag_norms: set[str],
        speakers: list[str],
        limit: int,
    ) -> list[Hit]:
        by_speaker: set[int] | None = None
        for speaker in speakers:
            docs = self._docs_by_speaker(speaker)
            by_speaker = docs if by_speaker is None else by_speaker & docs
        if text:
            scored = self._score_docs(text)
            if by_speaker is not None:
                scored = {d: s for d, s in scored.items() if d in by_speaker}
        elif by_speaker is not None:
            scored = dict.fromkeys(by_speaker, 100.0)
        elif tag_norms:
            scored = {
                did: 100.0
                for did, doc in self._docs.items()
                if (doc.kind == "title" and allowed is not None and doc.article_id in allowed)
                or (doc.kind == "highlight" and tag_norms <= doc.tags)
            }
        else:
            return []

        def keep(doc: _Doc) -> bool:
            if doc.kind not in kinds:
                return False
            if allowed is None:
                return True
            return doc.article_id in allowed or bool(tag_norms) and tag_norms <= doc.tags

        ranked = heapq.nsmallest(
            limit,
            (did for did in scored if keep(self._docs[did])),
            # Within one article, passage ids keep the order of the passages.
            key=lambda d: (
                -scored[d],
                self._titles.get(self._docs[d].article_id, ""),
                self._docs[d].article_id,
                d,
            ),
        )
        return [self._doc_hit(did, scored[did]) for did in ranked]

    def _tag_hits(self, text: str, tag_norms: set[str], allowed: set[str] | None) -> list[Hit]:
        if text:
            words = text.split()
            scored = {
                tag: s
                for tag in self._tag_articles
                if (s := name_score(text, words, tag)) >= 80 and (not tag_norms or tag in tag_norms)
            }
        else:
            scored = {tag: 100.0 for tag in tag_norms if tag in self._tag_articles}
        hits = []
        for tag, score in scored.items():
            arts = Counter(dict.fromkeys(self._tag_articles[tag], 1))
            refs = self._refs(arts, allowed)
            if refs:
                hits.append(
                    Hit(kind="tag", text=self._tag_display[tag], score=score, articles=refs)
                )
        return hits

    # ----------------------------------------------------------------- entity pages

    @_locked
    def entity_page(self, key: str) -> EntityPage:
        """Every article, mention and quote of one entity cluster (``Hit.key``), and
        the user's notes and highlights that mention it. Raises NotFound."""
        etype, _, name = key.partition(":")
        nid = self._node_by.get((etype, name))
        if nid is None:
            raise NotFound(f"no entity {key!r} in the library")
        nodes = self._cluster(nid)
        rep, display, aliases, refs = self._describe(nodes)
        mentions = []
        for aid in (r.id for r in refs):
            for node_id, start, end, text in self._state(aid).mentions:
                if node_id in nodes:
                    mentions.append(Mention(aid, start, end, text))
        mentions.sort(key=lambda m: (self._titles.get(m.article_id, ""), m.article_id, m.start))
        keys = {self._nodes[n].key for n in nodes}
        quote_ids: set[int] = set()
        for k in keys:
            quote_ids |= self._speaker_docs.get(k, set())
        word_sets = {frozenset(self._nodes[n].words) for n in nodes}
        for n in nodes:
            node = self._nodes[n]
            if node.type == "PERSON" and len(node.words) > 1:
                word_sets.add(frozenset(node.words[-1:]))
        note_ids: set[int] = set()
        for words in word_sets:
            found: set[int] | None = None
            for word in words:
                docs = self._word_docs.get(word, set())
                found = set(docs) if found is None else found & docs
            for did in found or ():
                if self._docs[did].kind in ("note", "highlight"):
                    note_ids.add(did)
        return EntityPage(
            key=f"{rep.type}:{rep.key}",
            name=display,
            type=rep.type,
            aliases=aliases,
            articles=list(refs),
            mentions=mentions,
            quotes=self._doc_list(quote_ids),
            notes=self._doc_list(note_ids),
        )

    def _doc_hit(self, did: int, score: float) -> Hit:
        """The hit for one passage (note, highlight, quote or title) of one article."""
        doc = self._docs[did]
        aid = doc.article_id
        return Hit(
            kind=doc.kind,
            text=doc.text,
            score=score,
            articles=[ArticleRef(aid, self._titles.get(aid, ""), 1)],
            article_id=aid,
            start=doc.start,
            end=doc.end,
            speaker=doc.speaker,
        )

    def _doc_list(self, dids: Iterable[int]) -> list[Hit]:
        docs, titles = self._docs, self._titles
        ordered = sorted(
            dids,
            key=lambda d: (
                titles.get(docs[d].article_id, ""),
                docs[d].article_id,
                docs[d].start or 0,
                d,  # the order of the article's passages
            ),
        )
        return [self._doc_hit(did, 100.0) for did in ordered]

    def merge(self, library, key_a: str, key_b: str) -> str:
        """Teach the library that clusters ``key_a`` and ``key_b`` are one entity (it
        sticks: a taught ``merge``); returns the merged cluster's key."""
        name_a = self.entity_page(key_a).name
        name_b = self.entity_page(key_b).name
        library.teach("merge", name_a, canonical=name_b)
        self.update_taught(library.taught())
        return self.entity_page(key_b).key

    def split(self, library, name: str) -> None:
        """Teach the library that ``name`` is an entity of its own, out of whatever
        cluster it was joined to (a taught ``rename`` of the name to itself)."""
        library.teach("rename", name, canonical=name)
        self.update_taught(library.taught())

    # ----------------------------------------------------------------- introspection

    @_locked
    def names(self) -> list[str]:
        """Every distinct normalised name the entity search looks at."""
        return list(self._terms.strings.values())

    @_locked
    def rank_names(self, query: str, limit: int = 10, scorer=None) -> list[tuple[str, float]]:
        """The best ``limit`` names for ``query`` among the index's candidates,
        scored by ``scorer`` (default: the search's own scorer). Used by the
        benchmark to compare candidate generation with an exhaustive ranking."""
        text = normalize(query)
        strings = self._terms.strings
        choices = {tid: strings[tid] for tid in self._terms.candidates(text, CANDIDATES)}
        if scorer is None:
            words = text.split()
            ranked = sorted(
                ((s, name_score(text, words, s)) for s in choices.values()),
                key=lambda x: -x[1],
            )
            return ranked[:limit]
        found = process.extract(text, choices, scorer=scorer, processor=None, limit=limit)
        return [(choice, score) for choice, score, _ in found]

    @_locked
    def stats(self) -> dict[str, int]:
        """Sizes: articles, names, entities (nodes), passages."""
        return {
            "articles": len(self._articles) + len(self._packed),
            "names": len(self._terms),
            "entities": len(self._nodes),
            "passages": len(self._docs),
        }


def _discard(mapping: dict, key, value) -> None:
    """Remove ``value`` from the set at ``mapping[key]``, dropping an emptied set."""
    values = mapping.get(key)
    if values is not None:
        values.discard(value)
        if not values:
            del mapping[key]
