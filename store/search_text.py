"""Text normalisation and the character n-gram index behind the library search.

Every string is normalised once, when it enters the index; queries go through the
same function, so rapidfuzz can compare them with ``processor=None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

__all__ = [
    "NgramIndex",
    "STOPWORDS",
    "TITLES",
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


def normalize(text: str) -> str:
    """Casefold, strip diacritics and possessives, turn punctuation into single spaces."""
    text = _POSSESSIVE.sub("", text)
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHE.sub("", text.translate(_FOLD))
    return _NON_WORD.sub(" ", text).strip()


def tokens(normalized: str) -> list[str]:
    """The words of an already normalised string."""
    return normalized.split()


def name_key(normalized: str) -> str:
    """A normalised name without leading titles ("president ilham aliyev" -> "ilham
    aliyev"). A name made only of titles keeps its words."""
    words = normalized.split()
    i = 0
    while i < len(words) - 1 and words[i] in TITLES:
        i += 1
    return " ".join(words[i:])


_VOWELS = frozenset("aeiouy")


def skeleton(key: str) -> str:
    """The consonants of each word with repeats collapsed: transliterations of one
    name mostly differ in vowels ("zangezur"/"zangazur", "aliyev"/"aliev")."""
    out = []
    for word in key.split():
        cons = []
        for ch in word:
            if ch in _VOWELS or (cons and cons[-1] == ch):
                continue
            cons.append(ch)
        out.append("".join(cons) or word[:1])
    return " ".join(out)


def trigrams(normalized: str) -> set[str]:
    """Character trigrams of each word padded with one space on both sides."""
    grams: set[str] = set()
    for word in normalized.split():
        padded = f" {word} "
        for i in range(len(padded) - 2):
            grams.add(padded[i : i + 3])
    return grams


class NgramIndex:
    """An inverted index from trigrams to integer ids, for candidate generation.

    Removal is lazy: the id leaves ``strings`` at once and its postings are dropped
    at the next compaction, so removing is O(1) and searches skip dead ids.
    """

    __slots__ = ("strings", "_postings", "_dead")

    def __init__(self) -> None:
        self.strings: dict[int, str] = {}
        self._postings: dict[str, list[int]] = {}
        self._dead = 0

    def __len__(self) -> int:
        return len(self.strings)

    def add(self, item_id: int, normalized: str) -> None:
        """Index ``normalized`` under ``item_id`` (ids are never reused)."""
        self.strings[item_id] = normalized
        postings = self._postings
        for gram in trigrams(normalized):
            lst = postings.get(gram)
            if lst is None:
                postings[gram] = [item_id]
            else:
                lst.append(item_id)

    def remove(self, item_id: int) -> None:
        """Forget ``item_id``."""
        if self.strings.pop(item_id, None) is not None:
            self._dead += 1
            if self._dead > 1000 and self._dead > len(self.strings):
                self._compact()

    def _compact(self) -> None:
        live = self.strings
        self._postings = {
            gram: kept
            for gram, lst in self._postings.items()
            if (kept := [i for i in lst if i in live])
        }
        self._dead = 0

    def candidates(self, normalized: str, limit: int) -> list[int]:
        """Up to ``limit`` live ids sharing the most trigrams with ``normalized``."""
        grams = trigrams(normalized)
        if not grams:
            return []
        counts: Counter[int] = Counter()
        postings = self._postings
        for gram in grams:
            lst = postings.get(gram)
            if lst:
                counts.update(lst)
        if not counts:
            return []
        live = self.strings
        if len(counts) <= limit:
            return [i for i in counts if i in live]
        # A cheap threshold before the heap: an id sharing few trigrams with the
        # query when others share many cannot be among the best ``limit``.
        best = max(counts.values())
        floor = max(1, best // 3)
        pool = [(c, i) for i, c in counts.items() if c >= floor and i in live]
        if len(pool) <= limit:
            return [i for _, i in pool]
        pool.sort(reverse=True)
        return [i for _, i in pool[:limit]]

    def ids_with_all(self, grams: Iterable[str]) -> set[int]:
        """Live ids whose string contains every trigram in ``grams``."""
        result: set[int] | None = None
        for gram in grams:
            ids = set(self._postings.get(gram, ()))
            result = ids if result is None else result & ids
            if not result:
                return set()
        live = self.strings
        return {i for i in (result or ()) if i in live}
