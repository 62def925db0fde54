"""Text normalisation and the character n-gram index behind the library search.

Every string is normalised once, when it enters the index; queries go through the
same function, so rapidfuzz can compare them with ``processor=None``.
"""

from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache

__all__ = [
    "NameIndex",
    "NgramIndex",
    "STOPWORDS",
    "TITLES",
    "clear_cache",
    "name_key",
    "normalize",
    "skeleton",
    "tokens",
    "trigrams",
]

# Letters that NFKD does not decompose into a base letter plus a combining mark.
# "ə" is how Azerbaijani writes the vowel that English spells "a" (Əliyev, Aliyev).
_FOLD = str.maketrans(
    {
        "ə": "a",
        "ı": "i",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ŋ": "n",
        "ħ": "h",
        "ß": "ss",
    }
)
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ`´](?=\w)")
_NON_WORD = re.compile(r"[\W_]+")

# Words in front of a person's name that are not part of it. Stripped from the
# key that alias clustering compares, so "President Ilham Aliyev" and "Ilham Aliyev"
# are one name.
TITLES = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady
    president vice prime minister foreign defence defense interior finance deputy
    secretary general gen lt col colonel major maj capt captain sgt admiral adm
    chancellor premier governor gov mayor senator sen rep representative congressman
    congresswoman ambassador envoy chairman chairwoman chair ceo director judge justice
    king queen prince princess emperor empress sheikh emir pope cardinal bishop
    archbishop rev reverend father imam rabbi st saint ayatollah former late acting
    speaker spokesman spokeswoman spokesperson commissioner minister's
    """.split()
)

# Frequent words that match nearly every note or quote; ignored in text queries
# that have other words.
STOPWORDS = frozenset(
    """
    a an and are as at be been but by for from had has have he her his i in is it its
    of on or our she so than that the their them there they this to was we were what
    when which who will with would you not no do does did said says
    """.split()
)


_ASCII_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """Casefold, strip diacritics and possessives, turn punctuation into single spaces."""
    # Names recur across mentions and articles and are worth remembering;
    # passages (quotes, notes) are not.
    return _normalize_name(text) if len(text) <= 64 else _normalize(text)


def _normalize(text: str) -> str:
    if text.isascii():
        # Most names are plain ASCII: skip the per-character diacritic pass.
        text = text.lower()
        if "'" in text or "`" in text:
            text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", text))
        elif text.replace(" ", "").isalnum() and "  " not in text and text.strip() == text:
            # Already letters and digits between single spaces ("ilham aliyev"):
            # three string scans cost less than the regular expression.
            return text
        return _ASCII_NON_WORD.sub(" ", text).strip()
    text = _POSSESSIVE.sub("", text)
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHE.sub("", text.translate(_FOLD))
    return _NON_WORD.sub(" ", text).strip()


_normalize_name = lru_cache(maxsize=1 << 17)(_normalize)


def clear_cache() -> None:
    """Forget remembered normalisations (a benchmark's cold start)."""
    _normalize_name.cache_clear()
    name_key.cache_clear()


def tokens(normalized: str) -> list[str]:
    """The words of an already normalised string."""
    return normalized.split()


@lru_cache(maxsize=1 << 16)
def name_key(normalized: str) -> str:
    """A normalised name without leading titles ("president ilham aliyev" -> "ilham
    aliyev"). A name made only of titles keeps its words."""
    words = normalized.split()
    i = 0
    while i < len(words) - 1 and words[i] in TITLES:
        i += 1
    return " ".join(words[i:])


_DROP_VOWELS = str.maketrans("", "", "aeiouy")
_REPEATS = re.compile(r"([^ ])\1+")


# The repeated letter, as a callable: a template replacement ("\\1") is parsed
# and expanded on every match, which made skeletons the slowest part of a build.
_FIRST = operator.itemgetter(1)


def skeleton(key: str) -> str:
    """The consonants of each word with repeats collapsed: transliterations of one
    name mostly differ in vowels ("zangezur"/"zangazur", "aliyev"/"aliev")."""
    bare = _REPEATS.sub(_FIRST, key.translate(_DROP_VOWELS))
    if bare and "  " not in bare and bare[0] != " " and bare[-1] != " ":
        return bare
    # Some word is all vowels ("aya"): keep its first letter so words still line up.
    return " ".join(
        _REPEATS.sub(_FIRST, word.translate(_DROP_VOWELS)) or word[:1] for word in key.split()
    )


def trigrams(normalized: str) -> set[str]:
    """Character trigrams of each word padded with one space on both sides."""
    return {
        padded[i : i + 3]
        for word in normalized.split()
        for padded in (f" {word} ",)
        for i in range(len(padded) - 2)
    }


def _grams(normalized: str) -> set[str]:
    if " " in normalized:
        return trigrams(normalized)
    # One word, as every string of the name and passage vocabularies is.
    padded = f" {normalized} "
    return {padded[i : i + 3] for i in range(len(normalized))}


class _Removable:
    """Removal shared by the indexes: ``strings`` (id -> normalised text) and
    ``ids`` (text -> id) forget at once; the postings keep dead ids until there
    are more dead than live, then ``_compact`` drops them."""

    __slots__ = ()
    strings: dict[int, str]
    ids: dict[str, int]
    _dead: int

    def remove(self, item_id: int) -> None:
        """Forget ``item_id``."""
        text = self.strings.pop(item_id, None)
        if text is not None:
            if self.ids.get(text) == item_id:
                del self.ids[text]
            self._dead += 1
            if self._dead > 1000 and self._dead > len(self.strings):
                self._compact()

    def _compact(self) -> None:
        raise NotImplementedError


class NgramIndex(_Removable):
    """An inverted index from trigrams to integer ids, for candidate generation.

    Removal is lazy: the id leaves ``strings`` at once and its postings are dropped
    at the next compaction, so removing is O(1) and searches skip dead ids.
    """

    __slots__ = ("strings", "ids", "_postings", "_dead", "_next")

    def __init__(self) -> None:
        self.strings: dict[int, str] = {}
        self.ids: dict[str, int] = {}
        self._next = 0
        self._postings: defaultdict[str, list[int]] = defaultdict(list)
        self._dead = 0

    def __len__(self) -> int:
        return len(self.strings)

    def add_new(self, normalized: str) -> int:
        """Index ``normalized`` under a fresh id, which is returned."""
        self._next = item_id = self._next - 1  # negative: never an id given to ``add``
        self.strings[item_id] = normalized
        self.ids[normalized] = item_id
        postings = self._postings
        for gram in _grams(normalized):
            postings[gram].append(item_id)
        return item_id

    def add(self, item_id: int, normalized: str) -> None:
        """Index ``normalized`` under ``item_id`` (ids are never reused)."""
        self.strings[item_id] = normalized
        postings = self._postings
        for gram in _grams(normalized):
            postings[gram].append(item_id)

    def _compact(self) -> None:
        live = self.strings
        old = self._postings
        self._postings = defaultdict(list)
        for gram, lst in old.items():
            kept = [i for i in lst if i in live]
            if kept:
                self._postings[gram] = kept
        self._dead = 0

    def counts(self, normalized: str, limit: int) -> list[tuple[int, int]]:
        """Up to ``limit`` live (id, shared trigrams) pairs, most shared first."""
        grams = trigrams(normalized)
        if not grams:
            return []
        counts: Counter[int] = Counter()
        postings = self._postings
        for gram in grams:
            lst = postings.get(gram)
            if lst:
                counts.update(lst)
        live = self.strings
        if len(counts) <= limit:
            return [(i, c) for i, c in counts.items() if i in live]
        # A cheap threshold before sorting: an id sharing few trigrams with the
        # query when others share many cannot be among the best ``limit``.
        best = max(counts.values())
        floor = max(2 if best >= 4 else 1, best // 3)
        pool = [(c, i) for i, c in counts.items() if c >= floor and i in live]
        if len(pool) > limit:
            pool.sort(reverse=True)
            del pool[limit:]
        return [(i, c) for c, i in pool]

    def candidates(self, normalized: str, limit: int) -> list[int]:
        """Up to ``limit`` live ids sharing the most trigrams with ``normalized``."""
        return [i for i, _ in self.counts(normalized, limit)]

    def to_data(self) -> list:
        """The index as plain lists and dicts (for JSON), removed ids dropped."""
        live = self.strings
        postings = {}
        for gram, ids in self._postings.items():
            kept = [i for i in ids if i in live] if self._dead else ids
            if kept:
                postings[gram] = kept
        return [list(itertools.chain.from_iterable(live.items())), self._next, postings]

    @classmethod
    def from_data(cls, data: list) -> NgramIndex:
        """The index ``to_data`` gave. Raises ValueError, TypeError or KeyError
        when ``data`` is not such an index."""
        flat, next_id, postings = data
        index = cls()
        strings = index.strings = dict(zip(flat[::2], flat[1::2], strict=True))
        if not all(type(i) is int and type(s) is str for i, s in strings.items()):
            raise ValueError("not an n-gram index")
        index.ids = {s: i for i, s in strings.items()}
        if type(next_id) is not int or (strings and next_id > min(strings)):
            raise ValueError("not an n-gram index")
        index._next = next_id
        if not isinstance(postings, dict):
            raise ValueError("not an n-gram index")
        # Every id a posting names exists (a search looks each one up).
        if not set(itertools.chain.from_iterable(postings.values())) <= strings.keys():
            raise ValueError("not an n-gram index")
        index._postings = defaultdict(list, postings)
        return index


class NameIndex(_Removable):
    """Candidate generation for names: a trigram index over the distinct words of
    all names, and for each word the names that contain it.

    Names share most of their words (given names, surnames, "committee"), so this
    holds far fewer postings than trigrams of every whole name, and a query scores
    each name by the trigrams its words share with the query.
    """

    __slots__ = ("strings", "ids", "_words", "_word_names", "_dead")

    def __init__(self) -> None:
        self.strings: dict[int, str] = {}
        self.ids: dict[str, int] = {}
        self._words = NgramIndex()
        # By the word itself rather than its id: building looks a word up once.
        self._word_names: dict[str, list[int]] = {}
        self._dead = 0

    def __len__(self) -> int:
        return len(self.strings)

    def add(self, item_id: int, normalized: str) -> None:
        """Index the name ``normalized`` under ``item_id`` (ids are never reused)."""
        self.strings[item_id] = normalized
        self.ids[normalized] = item_id
        word_names = self._word_names
        words = normalized.split()
        for word in words if len(words) == 1 else set(words):
            names = word_names.get(word)
            if names is None:
                word_names[word] = [item_id]
                self._words.add_new(word)
            else:
                names.append(item_id)

    def _compact(self) -> None:
        live = self.strings
        for word, names in list(self._word_names.items()):
            kept = [i for i in names if i in live]
            if kept:
                self._word_names[word] = kept
            else:
                del self._word_names[word]
                self._words.remove(self._words.ids[word])
        self._dead = 0

    def to_data(self) -> list:
        """The word side of the index as plain data (for JSON); the names
        themselves are the caller's to save (``strings``)."""
        live = self.strings
        word_names = self._word_names
        if self._dead:
            word_names = {
                w: kept for w, ids in word_names.items() if (kept := [i for i in ids if i in live])
            }
        return [self._words.to_data(), word_names]

    @classmethod
    def from_data(cls, strings: dict[int, str], data: list) -> NameIndex:
        """The index of the names ``strings`` (id -> name) with the word side
        ``to_data`` gave. Raises ValueError, TypeError or KeyError when they do
        not fit together."""
        words, word_names = data
        index = cls()
        index.strings = dict(strings)
        index.ids = {s: i for i, s in index.strings.items()}
        index._words = NgramIndex.from_data(words)
        if not isinstance(word_names, dict) or not word_names.keys() <= index._words.ids.keys():
            raise ValueError("not a name index")
        if not set(itertools.chain.from_iterable(word_names.values())) <= index.strings.keys():
            raise ValueError("not a name index")
        index._word_names = word_names
        return index

    def candidates(self, normalized: str, limit: int, words: int = 400) -> list[int]:
        """Up to ``limit`` live names whose words share the most trigrams with
        ``normalized``, looking at the best ``words`` words of the vocabulary, plus
        every name that occurs in ``normalized`` as it is (a short name inside a
        longer query shares no trigram with it, yet rapidfuzz's partial ratios
        rate it highly)."""
        inside = self._inside(normalized)
        shared = self._words.counts(normalized, words)
        if not shared:
            return inside
        score: dict[int, int] = {}
        get = score.get
        word_names = self._word_names
        vocabulary = self._words.strings
        for wid, count in shared:
            for item in word_names.get(vocabulary[wid], ()):
                score[item] = get(item, 0) + count
        live = self.strings
        if len(score) > limit:
            floor = max(score.values()) // 3
            pool = [(c, i) for i, c in score.items() if c > floor and i in live]
            if len(pool) > limit:
                pool.sort(reverse=True)
                del pool[limit:]
            found = [i for _, i in pool]
        else:
            found = [i for i in score if i in live]
        if inside:
            seen = set(found)
            found.extend(i for i in inside if i not in seen)
        return found

    def _inside(self, normalized: str) -> list[int]:
        ids = self.ids
        n = len(normalized)
        if n > 64:  # quadratic in the query; long queries are passages, not names
            return []
        found = {
            ids[part]
            for i in range(n)
            for j in range(i + 2, n + 1)
            if (part := normalized[i:j]) in ids
        }
        return list(found)
