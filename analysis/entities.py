"""A fast rule-based named-entity recogniser: PERSON, ORG, PLACE, MISC.

One compiled regex finds runs of capitalised words over each block; everything
after that is set and dict look-ups per run, so the cost grows with the number of
capitalised runs, not characters. The rules, in order:

- sentence position: a capitalised word that starts a sentence is a name only
  with evidence (a gazetteer entry, the same word capitalised mid-sentence
  elsewhere in the text, not a common English word, a following name);
- titles and honorifics are cut off and mark what follows as a person
  ("President Ilham Aliyev" -> "Ilham Aliyev"); what precedes a title is its own
  name ("U.S. President ..." -> "U.S.");
- connectors ("of", "of the", "under the", "and", "&", "de", "van") join words
  only when the head is an organisation or place cue ("Bank of England");
- hyphenated and en-dash joined names split when each part is a name
  ("US-Azerbaijani", "Aliyev-Trump-Pashinyan"), possessives are dropped;
- headline Title Case and ALL CAPS lines only yield names already known from the
  body or from the gazetteers, never every word;
- types come from cue words, gazetteers, titles and given names; a lone surname
  takes the type and canonical name of the full name it shortens;
- the words around a mention can settle its type: an appositive noun ("carmaker
  X", "side X", "the town of X", "actor X"), "X said it" / "X said he", company
  suffixes ("X Inc"), cricket scorecards ("c X b Y");
- results and standings rows ("Stoke 4 3 1 0") name teams, and a place that plays
  in a text's results is its team wherever it is not used as a location;
- the capitalised place that opens a dateline ("KHASAVYURT, Russia 1996-08-31")
  is a place even when no list knows it.
"""

from __future__ import annotations

import re

from analysis import gazetteer as gz
from analysis.structure import is_title_case
from analysis.types import Block, Entity

__all__ = ["find_entities"]

# Upper-case and title-case letters of the scripts news uses (Latin, Greek,
# Cyrillic, Armenian, Georgian), as one regex class: the re module has no \p{Lu}.
_UPPER = "".join(re.escape(chr(i)) for i in range(0x3000) if chr(i).isupper() or chr(i).istitle())
_TITLE_ABBR = (
    r"(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|St|Mt|Ft|Rev|Hon|Jr|Sr|Maj|Adm"
    r"|Cmdr|Insp|Supt|Det|Pres|Mme)\."
)
_WORD = (
    # The look-ahead lets most words skip the titles' alternatives.
    rf"(?:(?=[A-Z][a-z]{{1,3}}\.){_TITLE_ABBR}"
    rf"|(?:[{_UPPER}]\.){{2,}}"  # U.S., U.N.
    rf"|[{_UPPER}]\.(?=[ \u00a0][{_UPPER}])"  # an initial: "P. Simmons"
    rf"|[{_UPPER}][^\W_]*(?:['’][^\W\d_]+)*(?:-[^\W_]+(?:['’][^\W\d_]+)*)*)"
)
_CONNECTORS = (
    "van der",
    "van den",
    "van de",
    "von der",
    "de la",
    "de los",
    "of the",
    "of",
    "under the",
    "for the",
    "for",
    "and",
    "&",
    "de",
    "da",
    "di",
    "del",
    "der",
    "van",
    "von",
    "la",
    "le",
    "du",
    "bin",
    "al",
    "on",
)
# Membership tests run per word: a set, not the ordered tuple the regex needs.
_CONNECTOR_SET = frozenset(_CONNECTORS)
_SEP = r"[ \u00a0]"
_CONN_ALT = "|".join(re.escape(c).replace(r"\ ", " ") for c in _CONNECTORS)
_CONN_FIRST = re.escape("".join(sorted({c[0] for c in _CONNECTORS})))


# The run regex starts with a plain character class so that the regex engine's
# search loop skips to the next capital letter in C instead of trying a match at
# every position (a leading look-around disables that skip). So the first letter is
# consumed first, the look-behind checks the character before it, and the first
# word continues with the rest of each of _WORD's alternatives; a title's first
# letter is checked by a one-character look-behind ("(?<=M)rs\.").
def _abbr_tails() -> str:
    by_letter: dict[str, list[str]] = {}
    for abbr in _TITLE_ABBR[3:-3].split("|"):
        by_letter.setdefault(abbr[0], []).append(abbr[1:])
    return "|".join(f"(?<={k})(?:{'|'.join(v)})" for k, v in by_letter.items())


_FIRST_WORD = (
    rf"[{_UPPER}](?<![\w'’-].)"
    rf"(?:(?=[a-z]{{1,3}}\.)(?:{_abbr_tails()})\."
    rf"|\.(?:[{_UPPER}]\.)+"
    rf"|\.(?=[ \u00a0][{_UPPER}])"
    rf"|[^\W_]*(?:['’][^\W\d_]+)*(?:-[^\W_]+(?:['’][^\W\d_]+)*)*)"
)
_RUN_RE = re.compile(
    rf"{_FIRST_WORD}(?:(?:{_SEP}(?=[{_CONN_FIRST}])(?:{_CONN_ALT}))?{_SEP}{_WORD})*(?![\w])"
)
_PIECE_RE = re.compile(rf"{_WORD}|(?<= )(?:{_CONN_ALT})(?= )")
_SENT_BEFORE_RE = re.compile(
    r"(?:[.!?:;…]['\"”’»)\]]*\s+|\n[\s\u00a0]*|^)[\"'“‘«(\[\-–—•*#\s\u00a0]*$"
    # An opening quote mark starts a quoted sentence: 'he said, "Usually ...'.
    r"|(?:^|[\s(\[])[\"“«‘]$"
    # A list item: "b) Refusing ...", "iii) Planning ...".
    r"|(?:^|\s)(?:[a-z]|[ivx]{1,4}|\d{1,2})\)[ \u00a0]+$"
)
# The same pattern written backwards, matched at the start of the reversed window:
# one match attempt instead of a search that tries every position for the "$".
_SENT_BEFORE_REV_RE = re.compile(
    r"[\"'“‘«(\[\-–—•*#\s\u00a0]*(?:\s+['\"”’»)\]]*[.!?:;…]|[\s\u00a0]*\n|$)"
    r"|[\"“«‘](?:[\s(\[]|$)"
    r"|[ \u00a0]+\)(?:[a-z]|[ivx]{1,4}|\d{1,2})(?:\s|$)"
)
_PREP_PLACE_RE = re.compile(r"(?:\b(?:in|at|near|from|to|across|outside|inside)) $")
_PLACE_SUFFIXES = ("stan", "land", "burg", "grad", "ville", "polis", "abad", "shire", "ia")
_ORG_SUFFIXES = ("Net", "Soft", "Tech", "Corp", "Bank", "Air")
# Beliefs and movements: "Buddhism", "Zionism" ("Scientology" also names its church).
_MISC_SUFFIXES = ("ism", "ianity", "phobia")
# A capital inside a word after two lower-case letters names a company, site or
# product ("YouTube", "PayPal", "PlayStation"), not a person or place; name
# prefixes such as "Mac" and "Mc" take one or two ("MacArthur", "McCain").
_CAMEL_RE = re.compile(r"(?!Ma?c)[A-Z][a-z]{2,}[A-Z][a-z]")
# "the Crown", "the Center": a lone name after the article is no person.
_THE_BEFORE_RE = re.compile(r"\b[Tt]he $")
# ... unless a leader's name stands for what they lead: "the Monti government".
_LED_AFTER_RE = re.compile(r" (?:government|administration|cabinet|campaign|family|era)\b")
# Letters and digits in one word name models, products and missions: "IE6", "STS-135".
_MODEL_RE = re.compile(r"(?=[^\W\d_]*\d)(?=\d*[^\W\d_])[^\W_]+(?:-[^\W_]+)*")
# Words that name nothing on their own: a pronoun, a reply, cue words that need a head.
# A party's adjective or member noun: MISC on its own, never a person.
_PARTY_WORDS = frozenset("Republican Democrat Democratic Libertarian Tory".split())
# Number words, capitalised at a sentence start ("Twenty-two people died").
_NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred thousand million billion dozen""".split()
)
_HEADLESS = frozenset("I OK News Org Co Co. Inc Inc. Ltd Ltd. Corp Corp. LLC PLC Plc GmbH".split())
_ABSTRACT_ENDINGS = ("ing", "tion", "sion", "ment", "ness")
_DIRECTION_INITIALS = frozenset(["N.", "S.", "E.", "W."])
_DEMONYM_ENDINGS = ("ian", "ians", "ean", "eans", "ese", "ish", "ani", "anis")
# A score after a name ("Surrey 429-7", "Atlanta 4 Chicago 2") or a fixture
# between two names ("Kent v Essex", "Derby beat Leeds").
_SCORE_AFTER_RE = re.compile(r"[ \t]+\d{1,3}(?:-\d{1,3})?(?:[ \t]|[,;.)]|$)", re.MULTILINE)
_FIXTURE_AFTER_RE = re.compile(
    r"[ \t]+(?:(?:v|vs\.?|AT|beat|drew with|lost to)[ \t]+[A-Z]"
    r"|(?:has |have )?(?:won|beat|defeated|drew|edged|routed|thrashed) )"
)
_FIXTURE_BEFORE_RE = re.compile(
    r"\b(?:v|vs\.?|beat|drew with|lost to|joined|signed for|transferred to"
    r"|(?:match|game|win|victory|defeat|draw|loss|fixture|clash|tie) (?:against|over|with|to))"
    r"[ \t]+$"
)
_POSSESSIVE = ("'s", "’s", "'", "’")
_POSSESSIVE_GAP = frozenset(["'s ", "’s "])
_WEEKDAYS = frozenset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
_MID_SENTENCE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz,")
# A common noun in apposition before a name says what the name is: "carmaker
# Magna", "first division side Nice", "the town of Tavildara", "actor Jason Beghe".
_ORG_NOUNS = frozenset(
    """company firm group maker carmaker automaker bank carrier airline insurer retailer
    brewer producer manufacturer operator broker chain conglomerate agency newspaper daily
    weekly magazine paper broadcaster network club side team outfit giant subsidiary
    affiliate distributor developer supplier exporter importer miner refiner utility lender
    publisher station channel exchange regulator union party rivals champions""".split()
)
# Titles of works follow the kind of work: "the novel Angel Catbird", "the film Titanic".
_WORK_NOUNS = frozenset(
    """novel book film movie album song painting sculpture documentary musical opera poem
    installation exhibition sitcom""".split()
)
_PERSON_NOUNS = frozenset(
    """actor actress musician singer writer author novelist poet illustrator artist
    photographer player rider driver compatriot teammate veteran politician candidate leader
    spokesman spokeswoman curator editor reporter correspondent economist lawyer attorney
    student seed opponent boxer golfer batsman bowler striker winger forward keeper
    skipper coach manager playmaker""".split()
)
_PLACE_OF_RE = re.compile(
    r"\b(?:town|village|city|province|region|district|port|island|capital|suburb|county)"
    r" of $"
)
_AFTER_RE = re.compile(
    r"(?P<org>(?:'s|’s)? (?:said|says|say) (?:it|its)\b|(?:'s|’s)? shares\b|(?:'s|’s)? stock\b"
    # Roles and parts only an organisation has: "Facebook co-founder", "Google headquarters".
    r"|(?:'s|’s)? (?:co-?founders?|founders?|creators?|headquarters|CEO|employees"
    r"|website|shareholders)\b"
    # A company's accounts: "Ericsson's profit", "Comelf's net sales".
    r"|(?:'s|’s) (?:(?:net |pre-tax |first-half |quarterly |annual )?(?:profits?|revenues?"
    r"|earnings|sales|turnover|losses)|subsidiary|share price|board)\b"
    r"|,? (?:Inc|Corp|Ltd|Plc|PLC|AG|SA|NV|BV|SpA|GmbH)\b)"
    r"|(?P<person> (?:said|says|told) (?:he|she|his|her)\b)"
    r"|(?P<place> (?:corridor|region|province|valley|river|mountains|district|peninsula"
    r"|desert|enclave|oblast|governorate|prefecture)\b)"
)
# Cricket scorecards: "c Vaas b Chandana", "lbw b Mushtaq Ahmed", "st Kaluwitharana".
_SCORECARD_BEFORE_RE = re.compile(r"(?:^|[\s(])(?:b|c|st|lbw b|c & b)[ ]$")
_SCORECARD_WORDS = frozenset(["b", "c", "st"])
# Prepositions, articles and caption labels that a missing line break or a
# capitalised sentence glues to a name ("Regina Ip In the ...", "On Tuesday",
# "Ahmed Mohamed Image: ..."): never the first or last word of a name.
_EDGE_WORDS = frozenset(
    "In On At Of For From To By With And Or But As If When While After Before Since During "
    "Image Photo Video Picture Source Credit".split()
)
# Prefixes that make no name on their own: "Co-founder", "Pan-democrat".
_BOUND_PREFIXES = frozenset("Co Pan Pro Anti Ex Non Post Pre Neo Vice Self Multi Semi".split())
_CUE_WORDS = gz.ORG_CUES | gz.PLACE_CUES | gz.MISC_CUES
_STANCE_PREFIXES = frozenset("Pro Anti".split())
_CAPS_LINE_MIN = 0.8


class _Seg:
    """A candidate mention: offsets, words, and what the rules learned about it."""

    __slots__ = ("start", "end", "words", "type", "strength", "person", "initial", "heading")

    def __init__(self, start: int, end: int, words: list[str], initial: bool) -> None:
        self.start = start
        self.end = end
        self.words = words
        self.type: str | None = None
        self.strength = 0
        self.person = False
        self.initial = initial
        self.heading = False


def _is_common(word: str, g: gz.Gazetteer) -> bool:
    w = word.lower()
    if w in g.common:
        return True
    if not w.endswith(_SUFFIXES):
        return False
    for suffix in _SUFFIXES:
        if w.endswith(suffix):
            stem = w[: -len(suffix)]
            if stem in g.common:
                return True
            # A doubled consonant before -ing or -ed: "planning", "stopped".
            if (
                suffix in ("ing", "ed")
                and len(stem) > 3
                and stem[-1] == stem[-2]
                and stem[:-1] in g.common
            ):
                return True
    return False


def _is_team(text: str, start: int, end: int) -> bool:
    """Whether a place name at ``[start, end)`` stands for a team in a sports result."""
    after = text[end : end + 24]
    if _SCORE_AFTER_RE.match(after) or _FIXTURE_AFTER_RE.match(after):
        if _FIXTURE_AFTER_RE.match(after) is not None:
            return True
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        # Years, ages and distances also follow names; a result line has several numbers.
        return len(_NUMBER_RE.findall(line)) >= 2
    return _FIXTURE_BEFORE_RE.search(text[max(0, start - 20) : start]) is not None


_LOCATIVE_RE = re.compile(r"\b(?:in|at|near|outside|AT)[ \u00a0]$")
_DATELINE_AFTER_RE = re.compile(r"(?:,[^\n,]{2,30})? \d{4}-\d\d-\d\d")


def _located(text: str, start: int, end: int) -> bool:
    """Whether a mention is used as a location ("in Montreal", a dateline)."""
    return (
        _LOCATIVE_RE.search(text, max(0, start - 8), start) is not None
        or _DATELINE_AFTER_RE.match(text, end) is not None
    )


def _noun_before(text: str, start: int) -> str | None:
    """The lower-case word right before a mention, if there is one."""
    if start >= 2 and text[start - 1] == " " and text[start - 2].islower():
        j = text.rfind(" ", max(0, start - 24), start - 1)
        noun = text[j + 1 : start - 1]
        if noun.isalpha() and noun.islower():
            return noun
    return None


def _context_type(text: str, start: int, end: int, g: gz.Gazetteer) -> str | None:
    """The type the words around a mention give it, or None when they say nothing."""
    if (
        start >= 4
        and text[start - 2] == "s"
        and text[start - 3 : start] in _POSSESSIVE_GAP
        and text[start - 4].isupper()
        and text.rfind(" ", start, end) > 0
        and text[text.rfind(" ", start, end) + 1 : end] in g.surnames
    ):
        return "PERSON"  # "DAB's Starry Lee", "the Party's Jeremy Tam"
    if start >= 2 and text[start - 1] == " " and text[start - 2].islower():
        # The word before, found without a regex: this runs for most mentions.
        j = text.rfind(" ", max(0, start - 24), start - 1)
        noun = text[j + 1 : start - 1]
        if noun.isalpha() and noun.islower():
            if noun in _ORG_NOUNS:
                return "ORG"
            if noun in _PERSON_NOUNS:
                return "PERSON"
            if noun in _WORK_NOUNS:
                return "MISC"
            if noun == "of" and _PLACE_OF_RE.search(text, max(0, start - 24), start):
                return "PLACE"
            if noun in _SCORECARD_WORDS and _SCORECARD_BEFORE_RE.search(
                text, max(0, start - 24), start
            ):
                return "PERSON"
    m = _AFTER_RE.match(text, end, end + 24)
    if m is not None:
        return {"org": "ORG", "person": "PERSON", "place": "PLACE"}[m.lastgroup]
    return None


def _occurs_lowercase(text: str, word: str) -> bool:
    """Whether ``word`` (lower case) occurs in ``text`` as a whole word."""
    pos = text.find(word)
    n = len(word)
    while pos >= 0:
        before = text[pos - 1] if pos else " "
        after = text[pos + n] if pos + n < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        pos = text.find(word, pos + n)
    return False


def _seen_lowercase(text: str, word: str, memo: dict[str, bool]) -> bool:
    """``_occurs_lowercase(text, word.lower())``, remembered in ``memo`` (one per text)."""
    lw = word.lower()
    seen = memo.get(lw)
    if seen is None:
        seen = memo[lw] = _occurs_lowercase(text, lw)
    return seen


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()


def _sentence_initial(text: str, pos: int, block_start: int) -> bool:
    if pos - block_start >= 2 and text[pos - 1] == " " and text[pos - 2] in _MID_SENTENCE_CHARS:
        return False  # the common case, a word after a lower-case word or a comma
    if pos == block_start:
        return True  # a line's first word
    ws = max(block_start, pos - 12)
    window = text[ws:pos]
    if ws == block_start:
        window = "\n" + window
    return _SENT_BEFORE_REV_RE.match(window[::-1]) is not None


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Words and connectors of one run, possessives removed from words."""
    out = []
    for m in _PIECE_RE.finditer(text, start, end):
        s, e = m.span()
        w = m.group()
        if not w.endswith(_POSSESSIVE):
            out.append((s, e, w))
            continue
        for p in _POSSESSIVE:
            if w.endswith(p) and len(w) > len(p) + 1 and w[0] != "'":
                e -= len(p)
                w = w[: -len(p)]
                out.append((s, e, w))
                out.append((e, e, "'s"))  # a possessive ends a name
                break
        else:
            out.append((s, e, w))
    return out


def _split_hyphen(
    s: int, w: str, g: gz.Gazetteer, mid_words: set[str]
) -> list[tuple[int, int, str]] | None:
    """Split "US-Azerbaijani" into its names when every part is a name."""
    parts = w.split("-")
    if len(parts) < 2:
        return None

    def known(p: str) -> bool:
        return _any_gaz(p, g) or _is_acronym(p) or p in mid_words

    if parts[-1].islower():
        # "Armenian-supporting", "Moscow-based": the name is the head.
        if parts[0][:1].isupper() and known(parts[0]) and len(parts) == 2:
            return [(s, s + len(parts[0]), parts[0])]
        return None
    if not all(p[:1].isupper() and known(p) for p in parts):
        return None
    out = []
    pos = s
    for p in parts:
        out.append((pos, pos + len(p), p))
        pos += len(p) + 1
    return out


def _segments(
    text: str,
    start: int,
    end: int,
    initial: bool,
    g: gz.Gazetteer,
    mid_words: set[str],
) -> list[_Seg]:
    """Cut one capitalised run into candidate mentions."""
    w = text[start:end]
    if w.isalnum():
        # Fast path for the commonest case, one plain word (isalnum: letters and
        # digits only, what the regex [^\W_]+ matches, without a regex call).
        if len(w) == 1 or w in gz.PERSON_TITLES:
            return []
        if initial and (w in gz.FUNCTION_WORDS or w in gz.CALENDAR) and not _any_gaz(w, g):
            return []
        return [_Seg(start, end, [w], initial)]
    pieces = _pieces(text, start, end)
    segs: list[_Seg] = []
    cur: list[tuple[int, int, str]] = []
    person_next = False
    first_word = True

    def flush(person: bool = False) -> None:
        nonlocal cur
        # Connectors never start or end a name.
        while cur and cur[-1][2] in _CONNECTOR_SET:
            cur.pop()
        while cur and cur[0][2] in _CONNECTOR_SET:
            cur.pop(0)
        while len(cur) > 1 and cur[-1][2] in _EDGE_WORDS:
            cur.pop()
        # Dates glued to a name: "CNBC Friday", "Friday Mitchell", "July FOMC",
        # "August Chicago NAPM" (but "August Strindberg" is a person).
        dated = False
        while len(cur) > 1 and cur[-1][2] in _WEEKDAYS:
            cur.pop()
            dated = True
        while len(cur) > 1 and (
            cur[0][2] in _WEEKDAYS
            or (
                cur[0][2] in gz.CALENDAR
                and (_is_acronym(cur[1][2]) or _any_gaz(cur[1][2], g) or cur[1][2] in gz.ORG_CUES)
            )
        ):
            cur.pop(0)
            dated = True
        if dated and all(
            _is_common(p[2], g)
            and not _any_gaz(p[2], g)
            and not _is_acronym(p[2])
            and p[2] not in gz.ORG_CUES
            for p in cur
        ):
            cur = []  # "Saturday Night": a time, not a name
        # A trailing title belongs to no name ("the Afghan Ambassador").
        while (
            len(cur) > 1
            and cur[-1][2].rstrip(".") in gz.PERSON_TITLES
            and cur[-2][2] not in _CONNECTOR_SET
        ):
            cur.pop()
        if len(cur) >= 3 and not person:
            # "Australian Tom Moody", "United States Jane Roe": a place or demonym
            # directly before a given name and another word is a separate name.
            for k in (1, 2):
                head = " ".join(p[2] for p in cur[:k])
                if (
                    len(cur) - k >= 2
                    and (cur[k][2] in g.given or (k == 2 and _name_like(cur[k:], g)))
                    and _any_gaz(head, g)
                    and not (k == 1 and head in g.given and head not in g.demonyms)
                    and cur[-1][2] not in gz.ORG_CUES
                ):
                    segs.append(_Seg(cur[0][0], cur[k - 1][1], head.split(), initial and not segs))
                    cur = cur[k:]
                    break
        if (
            len(cur) >= 4
            and not person
            and cur[-2][2] in g.given
            and cur[-2][2] not in _CUE_WORDS
            and cur[0][2] not in g.given
            and _name_like(cur[-1:], g, surnames=True)
            and all(p[2] not in gz.PERSON_TITLES for p in cur[:-2])
            and any(p[2] in _CUE_WORDS or _any_gaz(p[2], g) or _is_acronym(p[2]) for p in cur[:-2])
        ):
            # "Islamic Relations Alia Salem", "University of Utah Amneh Jafari": a
            # name that is not a person's (it has a cue, place or acronym; "Aung San
            # Suu Kyi" has none), then a given name and a surname.
            segs.append(_Seg(cur[0][0], cur[-3][1], [p[2] for p in cur[:-2]], initial and not segs))
            cur = cur[-2:]
        if person:
            # "Miss Universe Alicia Machado": common words between the title and a
            # given name belong to the title.
            while (
                len(cur) > 2
                and cur[1][2] in g.given
                and cur[0][2] not in g.given
                and cur[0][2] not in g.surnames
                and _is_common(cur[0][2], g)
            ):
                cur.pop(0)
        if cur:
            seg = _Seg(cur[0][0], cur[-1][1], [p[2] for p in cur], initial and not segs)
            seg.person = person
            segs.append(seg)
        cur = []

    i = 0
    n = len(pieces)
    while i < n:
        s, e, w = pieces[i]
        if w == "'s":
            if (
                i + 2 == n
                and cur
                and not person_next
                and pieces[i + 1][2] in gz.ORG_CUES
                and not _any_gaz(" ".join(p[2] for p in cur), g)
            ):
                # "Korean People's Army", "New People's Party": one name.
                s0 = cur[-1][0]
                e0 = pieces[i + 1][0] - 1
                cur[-1] = (s0, e0, text[s0:e0])
                i += 1
                continue
            flush(person_next)
            person_next = False
            i += 1
            continue
        if w in _CONNECTOR_SET:
            head = cur[-1][2] if cur else ""
            ok = False
            if w in ("of", "of the", "under the", "for", "for the", "on"):
                ok = head in gz.OF_HEADS or any(p[2] in gz.ORG_CUES for p in cur)
            elif w in ("and", "&"):
                # "State and Homeland Security Departments", but not "Civic Party
                # and Wong Pik-wan of the Democratic Party": the words up to the
                # next connector must end in a cue.
                rest = []
                for p in pieces[i + 1 :]:
                    if p[2] in _CONNECTOR_SET or p[2] == "'s":
                        break
                    rest.append(p[2])
                ok = w == "&" or (
                    bool(rest)
                    and bool(cur)  # a run may open on the connector: '"Pop and University'
                    and (rest[-1] in gz.ORG_CUES or rest[-1] in _FACILITY_CUES)
                    and len(cur) <= 2
                    and cur[-1][2] not in gz.ORG_CUES
                )
            else:
                ok = bool(cur)  # name particles: "Ludwig van Beethoven"
            if i + 1 < n and pieces[i + 1][2] in gz.CALENDAR:
                ok = False  # "Tiananmen Square on June 4": the date is no part of it
            if ok and cur:
                cur.append((s, e, w))
            else:
                flush(person_next)
                person_next = False
            i += 1
            continue
        bare = w.rstrip(".")
        j = i
        while j < n and pieces[j][2].rstrip(".") in gz.PERSON_TITLES:
            j += 1
        if bare in gz.PERSON_TITLES and j < n and pieces[j][2] not in _CONNECTOR_SET:
            nxt = pieces[j][2]
            titles = [pieces[k][2].rstrip(".") for k in range(i, j)]
            strong = any(t not in gz.WEAK_TITLES for t in titles) or nxt in g.given
            rest = []
            for p in pieces[j:]:
                if p[2] == "'s":
                    break
                if p[2] not in _CONNECTOR_SET:
                    rest.append(p[2])
            if strong and not (rest and (rest[-1] in gz.ORG_CUES or rest[-1] in gz.MISC_CUES)):
                flush(False)
                person_next = True
                first_word = False
                i = j
                continue
        if (
            bare in gz.PERSON_TITLES
            and bare not in gz.WEAK_TITLES
            and j < n
            and pieces[j][2] in ("of", "of the")
        ):
            # "Secretary of State John F. Kerry", "Minister of Foreign Affairs Ana
            # Lee": the words after "of" up to a given name and a further word
            # complete the title when none of them is a place.
            k = j + 1
            while k < min(n - 1, j + 4) and pieces[k][2] not in g.given:
                k += 1
            if (
                j + 1 < k < n - 1
                and pieces[k][2] in g.given
                and all(
                    p[2] not in _CONNECTOR_SET
                    and p[2] not in _CUE_WORDS
                    and not _any_gaz(p[2], g)
                    and p[2] not in g.given
                    for p in pieces[j + 1 : k]
                )
                and " ".join(p[2] for p in pieces[j + 1 : k]) not in g.places
            ):
                flush(person_next)
                person_next = True
                first_word = False
                i = k
                continue
        if bare in gz.PERSON_TITLES and (j == n or pieces[j][2] in _CONNECTOR_SET) and j > i:
            # Titles on their own ("the President", "Chairman of the ...").
            if not cur or bare in gz.WEAK_TITLES:
                flush(person_next)
                person_next = False
                i = j + 1 if j < n else j  # drop the titles and a connector after them
                continue
        if (len(w) == 1) or (
            ("'" in w or "’" in w) and re.split("['’]", w)[0] in gz.FUNCTION_WORDS
        ):
            flush(person_next)  # "I'm", a lone letter: never part of a name
            person_next = False
            first_word = False
            i += 1
            continue
        if first_word and initial:
            first_word = False
            func = w in gz.FUNCTION_WORDS or w in gz.CALENDAR
            if not func and not (n > 1 and _is_common(w, g)):
                pass  # nothing to drop: skip the look-ups below
            elif _any_gaz(
                prefix := " ".join(p[2] for p in pieces[i : i + 3] if p[2] not in _CONNECTOR_SET),
                g,
            ) or _any_gaz(" ".join(prefix.split()[:2]), g):
                pass
            elif func and not _any_gaz(w, g):
                # What follows is capitalised on its own ("Last Year", "The Senate"),
                # so it needs the evidence a mid-sentence word needs.
                initial = False
                i += 1
                continue
            elif (
                n > 1
                and _is_common(w, g)
                and w not in mid_words
                and not _any_gaz(w, g)
                and w not in g.given
            ):
                i += 1
                continue
        first_word = False
        if not cur and w in _EDGE_WORDS and not person_next:
            i += 1  # "On Tuesday" glued to a date line
            continue
        if "-" in w and _common_tail(w, g):
            # "Booker Prize-winner", "Co-founder": the head may end a name, the
            # compound is a common noun.
            head = w.split("-", 1)[0]
            if (
                len(head) > 1
                and head not in _BOUND_PREFIXES
                # "News-stand chain": a common word alone is no name.
                and (cur or (head not in gz.FUNCTION_WORDS and not _is_common(head, g)))
            ):
                cur.append((s, s + len(head), head))
            flush(person_next)
            person_next = False
            i += 1
            continue
        if "-" in w and w.split("-", 1)[0] in _STANCE_PREFIXES and _any_gaz(w.split("-", 1)[1], g):
            # "Pro-Beijing", "Anti-American": a stance of its own, no part of a name.
            flush(person_next)
            person_next = False
            cur = [(s, e, w)]
            flush(False)
            i += 1
            continue
        # Inside "X of Y" the hyphenated words belong to the name: "Council on
        # American-Islamic Relations".
        split = (
            _split_hyphen(s, w, g, mid_words)
            if "-" in w and not (cur and cur[-1][2] in _CONNECTOR_SET)
            else None
        )
        if split:
            flush(person_next)
            person_next = False
            for part in split:
                cur = [part]
                flush(False)
            i += 1
            continue
        cur.append((s, e, w))
        i += 1
    flush(person_next)
    return segs


def _name_like(words: list[tuple[int, int, str]], g: gz.Gazetteer, surnames: bool = False) -> bool:
    """Whether words could be a person's name: no common, cue or connector words,
    no places (unless ``surnames`` and the place is also a surname: "Salem")."""
    return all(
        not _is_common(w, g)
        and w not in _CUE_WORDS
        and w not in _CONNECTOR_SET
        and not _is_acronym(w)
        and (not _any_gaz(w, g) or (surnames and w in g.surnames))
        for _s, _e, w in words
    )


def _common_tail(w: str, g: gz.Gazetteer) -> bool:
    """Whether a hyphenated word ends in a long common word ("Prize-winner")."""
    tail = w.rsplit("-", 1)[1]
    return len(tail) >= 5 and tail.islower() and _is_common(tail, g)


def _any_gaz(w: str, g: gz.Gazetteer) -> bool:
    return w in g.countries or w in g.places or w in g.demonyms or w in gz.PLACE_ACRONYMS


def _type_of(seg: _Seg, g: gz.Gazetteer, text: str) -> tuple[str | None, int]:
    """Type and strength (3 gazetteer or cue, 2 name pattern, 1 guess) of a segment."""
    t, strength = _type_static(tuple(seg.words), seg.person, g)
    if t == _LONE:
        return _type_lone(seg.words[0], seg.start, text, g)
    return t, strength


_LONE = "?"
_SUFFIXES = ("s", "es", "ed", "ing", "ly")
_NUMBER_RE = re.compile(r"\d+")


def _type_static(words: tuple[str, ...], person: bool, g: gz.Gazetteer) -> tuple[str | None, int]:
    """The type a segment gets from its words alone; ``_LONE`` when context must decide."""
    if person:
        return "PERSON", 3
    n = len(words)
    first = words[0]
    if n == 1:
        name = last = first
    else:
        name = " ".join(words)
        last = words[-1]
    if n == 1 and (first in gz.DIRECTIONS or first in gz.CALENDAR):
        return None, 0
    if name in gz.PLACE_ACRONYMS or name in g.countries:
        return "PLACE", 3
    if name in g.demonyms:
        return "MISC", 3
    if name in g.places:
        return "PLACE", 3
    if n > 1:
        if last in gz.ORG_CUES and not (last in gz.PLACE_CUES and first in gz.PLACE_HEADS):
            if last in gz.PLACE_CUES and n == 2 and words[0] not in g.demonyms:
                return "PLACE", 2
            return "ORG", 3
        if last in gz.PLACE_CUES:
            if last in _CENTERS and words[-2] in gz.CENTER_ORG_WORDS:
                return "ORG", 3  # "Pew Research Center"
            return "PLACE", 3
        if last in gz.MISC_CUES and not (last == "Day" and n == 2 and first in g.given):
            return "MISC", 3  # before place heads: "Gulf War"; not "Doris Day"
        if first in gz.PLACE_HEADS:
            return "PLACE", 3
        if "&" in words:
            return "ORG", 2  # "Douglas & Lomason", "Standard & Poor"
        if last in g.demonyms and n == 2 and first not in g.given:
            return "MISC", 2  # "Iraqi Kurds", "Roman Catholic", "Latin American"
        if first in gz.DIRECTIONS:
            rest = " ".join(words[1:])
            if rest in g.demonyms:
                return "MISC", 3
            if rest in g.places or rest in g.countries:
                return "PLACE", 3
        if last in g.demonyms and n == 2 and first in gz.DIRECTIONS:
            return "MISC", 3
    if n == 1:
        if last in gz.CALENDAR or last in gz.DIRECTIONS or last in _HEADLESS:
            return None, 0
        if last in _PARTY_WORDS:
            return "MISC", 3
        if "-" in last and all(p.lower() in _NUMBER_WORDS for p in last.split("-")):
            return None, 0  # "Twenty-two" opening a sentence
        if len(last) > 3 and last.isupper():
            found = g.upper.get(last)
            if found is not None:
                return found[0], 3  # "GERMANY - Bunds extended losses"
            if last.title() in gz.FUNCTION_WORDS:
                return None, 0  # shouted for emphasis: "UNLESS of course"
        if last in gz.TIME_ZONES:
            return "MISC", 2
        if _is_acronym(last):
            return "ORG", 2
        if "-" in last:
            head = last.split("-", 1)[0]
            if head in ("Trans", "Pan", "Anti", "Pro", "Inter", "Sino", "Euro", "Afro"):
                return "MISC", 2
        if last.endswith(_DEMONYM_ENDINGS) and not _is_common(last, g):
            return "MISC", 1
        if (
            last.endswith(_ABSTRACT_ENDINGS)
            and len(last) >= 7
            and last not in g.surnames
            and last not in g.given
            and _is_common(last, g)
        ):
            # A capitalised gerund or abstract noun on its own ("Planning",
            # "Recognition") is a heading or list word, not a name.
            return None, 0
    if n >= 2:
        if (first in gz.CALENDAR or last in gz.CALENDAR) and all(
            w in gz.CALENDAR or _is_common(w, g) for w in words
        ):
            return None, 0  # "Saturday Night", "Monday Morning"
        if last in _PARTY_WORDS or any(w in gz.PLACE_CUES for w in words[1:-1]):
            # "Kent County Republican": a county's party, no person
            return "ORG", 1
        if first in g.given and last not in gz.CALENDAR and not _is_acronym(last):
            return "PERSON", 2 if not _is_common(last, g) or last in g.surnames else 1
        if len(first) == 2 and first.endswith(".") and first[0].isupper():
            if first in _DIRECTION_INITIALS and n == 2 and _any_gaz(last, g):
                return "PLACE", 3  # "N. Korea", "S. Africa"
            return "PERSON", 2
        if (last in g.places or last in g.countries) and first not in gz.DIRECTIONS:
            # "Real Madrid", "Air France", "Bank Austria": a name that ends in a
            # place without being one is a club or a company.
            return "ORG", 1
        if (
            (first in g.places or first in g.countries)
            and first not in g.given
            and any(_is_common(w, g) for w in words[1:])
        ):
            # "Philadelphia Eagles", "Toronto Star": a place's name and a common
            # word make a team, paper or company, not a person.
            return "ORG", 1
        if all(w in g.given or w in g.surnames or not _is_common(w, g) for w in words):
            if n <= 4 and not any(_is_acronym(w) for w in words):
                return "PERSON", 1
        return "ORG", 1
    return _LONE, 0


def _type_lone(last: str, start: int, text: str, g: gz.Gazetteer) -> tuple[str | None, int]:
    """A lone unknown word: context and shape decide between place, person and org."""
    if last.endswith(_MISC_SUFFIXES):
        return "MISC", 1  # before the place endings: "Islamophobia" is no "-ia" country
    if _CAMEL_RE.match(last):
        return "ORG", 1
    before = text[max(0, start - 10) : start]
    if _PREP_PLACE_RE.search(before) or last.endswith(_PLACE_SUFFIXES):
        return "PLACE", 1
    if (last in g.surnames or last in g.given) and (
        not _THE_BEFORE_RE.search(before) or _LED_AFTER_RE.match(text, start + len(last))
    ):
        return "PERSON", 1
    if _PERSON_AFTER_RE.match(text, start + len(last)):
        return "PERSON", 1  # "the Obama administration", "Obama said he"
    if last.endswith(_ORG_SUFFIXES):
        return "ORG", 1
    if _MODEL_RE.fullmatch(last) and not _is_acronym(last.split("-", 1)[0]):
        return "MISC", 1
    return "ORG", 0


# What only follows a person's name: a head's administration, kin, a pronoun subject.
_PERSON_AFTER_RE = re.compile(
    r"(?: administration\b|['’]s (?:wife|husband|widow|son|daughter|mother|father)\b"
    r"| (?:said|says|added|told \w+) (?:that )?(?:he|she)\b)"
)
_SMALL_INT_RE = re.compile(r"\(?\d{1,3}\)?")
_BOWLING_AFTER_RE = re.compile(r" \d{1,2}(?:\.\d)?-\d{1,2}-\d{1,3}-\d{1,2}\b")


def _is_table_row(line: str) -> bool:
    """A results or standings row: names among at least as many numbers."""
    # Parenthesised words qualify a name ("Benetton (Italy) 92"): they do not count.
    tokens = [t for t in line.split() if not (t[0] == "(" and _LETTER_RUN_RE.match(t, 1))]
    is_num = [bool(_NUMBER_RE.search(t)) and not _LETTER_RUN_RE.search(t) for t in tokens]
    nums = sum(is_num)
    if nums < 2 or len(line) > 120:
        return False
    if nums >= len(tokens) - nums:
        return True
    # Names of several words ("Greenock Morton 1 Falkirk 0"): each capitalised
    # stretch of words between numbers counts once, on a line with no clause
    # punctuation (scorecards and labels: "Penalties: Honiball (2), Joubert (3)").
    if any(c in line for c in ",;:"):
        return False
    names = 0
    prev_num = True
    for t, num in zip(tokens, is_num, strict=True):
        if not num and prev_num:
            if not t[:1].isupper():
                return False
            names += 1
        prev_num = num
    return names >= 2 and nums >= names and is_num[-1]


def _table_entities(text: str, b: Block, known: _Chain, g: gz.Gazetteer) -> list[Entity]:
    """Names in a results or standings row ("Stoke 4 3 1 0", "BOSTON 69 65 .515")."""
    out = []
    # Standings and scores are small whole numbers; financial rows ("Sales 9.06
    # 9.31", "Revs 130 1,279") label their figures with common words.
    scores_only = all(
        _SMALL_INT_RE.fullmatch(t) for t in text[b.start : b.end].split() if _NUMBER_RE.search(t)
    )
    for m in _RUN_RE.finditer(text, b.start, b.end):
        s, e = m.span()
        surface = text[s:e]
        if len(surface) < 2 or surface in gz.CALENDAR or surface in gz.FUNCTION_WORDS:
            continue
        found = known.get(surface.upper())
        name = found[1] if found else (surface.title() if surface.isupper() else surface)
        words = name.split()
        if (
            not found
            and not scores_only
            and all(_is_common(w, g) or w in gz.FUNCTION_WORDS for w in words)
        ):
            continue
        if _BOWLING_AFTER_RE.match(text, e):
            out.append(Entity(s, e, "PERSON", surface, name))  # "Croft 8-0-37-2"
            continue
        if s > b.start and text[s - 1] == "(":
            if not _any_gaz(name, g):
                continue  # "(Z)", "(halftime ...)": qualifiers, not names
            t = "PLACE" if name in g.countries or found is None else found[0]
        elif (
            len(words) >= 2
            and words[0] in g.given
            and words[0] not in gz.PERSON_TITLES
            and not _any_gaz(name, g)
            and (words[-1] in g.surnames or not _is_common(words[-1], g))
        ) or (len(words[0]) == 2 and words[0].endswith(".")):
            t = "PERSON"
        elif name in g.countries:
            t = "PLACE"  # national teams keep their country
        else:
            t = "ORG"
        out.append(Entity(s, e, t, surface, name))
    return out


# A dateline: "KHASAVYURT, Russia 1996-08-31", "MILWAUKEE, Wisconsin 1996-08-29",
# "WASHINGTON, Nov 28 (Reuters) -": the capitalised place that opens the line.
_MONTHS_ALT = "|".join(sorted(gz.CALENDAR, key=len, reverse=True))
_DATELINE_RE = re.compile(
    rf"([{_UPPER}][{_UPPER}.'’-]+(?: [{_UPPER}][{_UPPER}.'’-]+){{0,3}})"
    rf"(?=(?:, [{_UPPER}][\w.]*(?: [{_UPPER}][\w.]*){{0,2}})? \d{{4}}-\d\d-\d\d"
    rf"|, (?:{_MONTHS_ALT})\.? \d{{1,2}}\b)"
)


def _datelines(text: str, blocks: list[Block], g: gz.Gazetteer) -> list[Entity]:
    """The place names that open dateline lines."""
    out = []
    for b in blocks:
        if b.kind == "noise" or b.end - b.start < 8:
            continue
        m = _DATELINE_RE.match(text, b.start, b.end)
        if m is None:
            continue
        surface = m.group(1)
        if _is_acronym(surface) and surface not in gz.PLACE_ACRONYMS:
            found = g.upper.get(surface)
            if found is None:
                continue  # "NEW YORK" is a place, "AFP" is not
        found = g.upper.get(surface.upper())
        name = found[1] if found else surface.title()
        out.append(Entity(m.start(1), m.end(1), "PLACE", surface, name))
    return out


_CAPS_WORD_RE = re.compile(rf"[{_UPPER}][{_UPPER}\d.'’&-]*")


def _caps_cue_names(text: str, b: Block) -> list[Entity]:
    """Names that end in an organisation or event word on an ALL CAPS line:
    "EASTERN DIVISION", "1997 FED CUP", "BERLIN GRAND PRIX", "U.S. OPEN"."""
    words = [(m.start(), m.end(), m.group()) for m in _CAPS_WORD_RE.finditer(text, b.start, b.end)]
    out = []
    for i, (_s, e, w) in enumerate(words):
        if w.endswith(".") and "." not in w[:-1]:
            e -= len(w) - len(w.rstrip("."))  # "U.S. OPEN.": the sentence's full stop
            w = w.rstrip(".")
        cue = w if w in gz.ORG_CUES else w.title()  # "FC" stays "FC"
        if cue in gz.MISC_CUES:
            t = "MISC"
        elif cue in gz.ORG_CUES and cue not in gz.PLACE_CUES:
            t = "ORG"
        else:
            continue
        k = i
        # Walk back over adjacent capitalised words (one space apart), at most three.
        while (
            k > 0
            and i - k < 3
            and words[k - 1][1] + 1 == words[k][0]
            and text[words[k - 1][1]] == " "
            and words[k - 1][2].title() not in gz.FUNCTION_WORDS
            and words[k - 1][2].lower() not in _CAPS_SMALL
        ):
            k -= 1
        if k == i:
            continue  # a cue word alone is no name
        start = words[k][0]
        surface = text[start:e]
        canonical = " ".join(
            x if x in gz.ORG_CUES or "." in x else x.title() for x in surface.split()
        )
        out.append(Entity(start, e, t, surface, canonical))
    return out


_CAPS_SMALL = frozenset("a an the of in on at to for and or vs v".split())


def _line_kind(text: str, start: int, end: int, kind: str) -> str:
    """'table' for results rows, 'caps' for ALL CAPS lines, 'titlecase' for Title Case
    headings, else 'prose'."""
    if end - start <= 120 and _NUMBER_RE.search(text, start, end):
        if _is_table_row(text[start:end]):
            return "table"
    # Most lines are prose with more than 40 lower-case letters in their first 100
    # characters: one match says so without counting (or copying the line).
    if _MANY_LOWER_RE.match(text, start, min(end, start + 100)) is None:
        line = text[start:end]
        head_lower = sum(map(len, _LOWER_RUN_RE.findall(line, 0, 100)))
        lower = sum(map(len, _LOWER_RUN_RE.findall(line)))
        if lower <= 0.25 * len(line):
            letters = sum(map(len, _LETTER_RUN_RE.findall(line)))
            if (
                letters >= 4
                and lower <= (1 - _CAPS_LINE_MIN) * letters
                and len(line.split()) >= 2
                and head_lower <= 40
            ):
                return "caps"
    if kind in ("title", "heading") and is_title_case(text[start:end]):
        return "titlecase"
    return "prose"


_LOWER = "".join(re.escape(chr(i)) for i in range(0x3000) if chr(i).islower())
_LOWER_RUN_RE = re.compile(rf"[{_LOWER}]+")
_MANY_LOWER_RE = re.compile(rf"(?:[^{_LOWER}]*+[{_LOWER}]){{41}}")
_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")


class _Chain:
    """Look-up in a small per-text dict first, then in a shared one (no copying)."""

    __slots__ = ("first", "second")

    def __init__(self, first: dict, second: dict) -> None:
        self.first = first
        self.second = second

    def get(self, key: str) -> tuple[str, str] | None:
        found = self.first.get(key)
        return found if found is not None else self.second.get(key)


def _match_known(
    text: str,
    start: int,
    end: int,
    known: dict[str, tuple[str, str]] | _Chain,
    fold: bool,
) -> list[Entity]:
    """Longest known names (up to four words) inside a headline line."""
    words = [
        (m.start(), m.end(), m.group()) for m in re.finditer(r"[^\s,:;!?()\"“”‘]+", text[start:end])
    ]
    out: list[Entity] = []
    i = 0
    while i < len(words):
        hit = None
        for k in range(min(4, len(words) - i), 0, -1):
            s = start + words[i][0]
            e = start + words[i + k - 1][1]
            surface = text[s:e]
            for p in _POSSESSIVE:
                if surface.endswith(p) and len(surface) > len(p) + 1:
                    surface = surface[: -len(p)]
                    e -= len(p)
                    break
            surface_clean = surface.rstrip(".") if not surface.endswith("S.") else surface
            if surface_clean != surface and not _is_acronym(surface):
                e -= len(surface) - len(surface_clean)
                surface = surface_clean
            key = surface.upper() if fold else surface
            found = known.get(key)
            if found is None and "-" in surface and k == 1:
                parts = surface.split("-")
                pos = s
                sub = []
                for p in parts:
                    f = known.get(p.upper() if fold else p)
                    if f:
                        sub.append(Entity(pos, pos + len(p), f[0], p, f[1]))
                    pos += len(p) + 1
                if sub:
                    hit = (k, sub)
                    break
            if found is not None:
                hit = (k, [Entity(s, e, found[0], surface, found[1])])
                break
        if hit:
            out.extend(hit[1])
            i += hit[0]
        else:
            i += 1
    return out


# Words that make a run need the full cut: titles, connectors, edge words, dates.
_SLOW_WORDS = (
    gz.PERSON_TITLES | frozenset(_CONNECTORS) | _EDGE_WORDS | gz.FUNCTION_WORDS | gz.CALENDAR
)


_INITIAL_NOTHING = gz.FUNCTION_WORDS | gz.CALENDAR
# Function words that _segments drops from a sentence-initial run before treating
# the rest as mid-sentence words (titles, such as "Mr", have their own rule).
_DROPPED_OPENERS = _INITIAL_NOTHING - gz.PERSON_TITLES


def _opens_with_function_word(run: str, words: list[str], g: gz.Gazetteer) -> bool:
    """Whether _segments would drop the first word of a sentence-initial ``run`` and
    cut the rest as mid-sentence words: a function or calendar word that no
    gazetteer knows, alone or with the words after it ("The Hague")."""
    first = words[0]
    if (
        first not in _DROPPED_OPENERS
        or len(first) < 2
        or run[len(first)] != " "
        or "'" in run
        or "’" in run
        or any(w in _CONNECTOR_SET for w in words[1:3])
        or _any_gaz(first, g)
    ):
        return False
    return not _any_gaz(" ".join(words[:3]), g) and not _any_gaz(" ".join(words[:2]), g)


class _Watch:
    """The text's mid-sentence words, noting whether a rule looked at them."""

    __slots__ = ("words", "used")

    def __init__(self, words: set[str]) -> None:
        self.words = words
        self.used = False

    def __contains__(self, word: str) -> bool:
        self.used = True
        return word in self.words


# Cuts and static types of runs that hold in any text ("Donald Trump" mid-sentence),
# shared across texts; bounded so a long session cannot grow it without limit.
_RUN_CACHE: dict[tuple[str, bool], list[tuple[int, int, str, str | None, int]]] = {}
_RUN_CACHE_MAX = 50_000


def _cut_run(
    text: str,
    s: int,
    e: int,
    initial: bool,
    g: gz.Gazetteer,
    mid_words: set[str],
    mid_edges: set[str],
    lower_seen: dict[str, bool],
) -> tuple[list[tuple[int, int, list[str], bool, bool, str | None, int]], bool]:
    """The mentions of one run (offsets relative to ``s``) with their static types,
    and whether they depend on the rest of the text (else they hold in any text)."""
    out = []
    run = text[s:e]
    depends = False
    if not initial and run.isalnum():
        # The commonest run, one plain word mid-sentence: no cutting needed.
        if len(run) == 1 or run in gz.PERSON_TITLES or run in gz.FUNCTION_WORDS:
            return out, depends
        if _is_common(run, g) and not _any_gaz(run, g) and not _is_acronym(run):
            if _seen_lowercase(text, run, lower_seen):
                return out, True
            depends = True
        t, strength = _type_static((run,), False, g)
        if t is not None:
            out.append((0, e - s, [run], False, False, t, strength))
        return out, depends
    if not initial and run.count(" ") == 1:
        # Two plain words mid-sentence ("Donald Trump"): one name, nothing to cut.
        first, last = run.split(" ")
        if (
            first.isalnum()
            and last.isalnum()
            and len(first) > 1
            and len(last) > 1
            and first not in _SLOW_WORDS
            and last not in _SLOW_WORDS
        ):
            t, strength = _type_static((first, last), False, g)
            if t is not None:
                out.append((0, e - s, [first, last], False, False, t, strength))
            return out, False
    if initial and run.isalnum():
        # One plain word opening a sentence: the rules _segments and the loop below
        # apply to its single segment, without building the segment.
        if (
            len(run) == 1
            or run in gz.PERSON_TITLES
            or run in gz.FUNCTION_WORDS
            or (run in gz.CALENDAR and not _any_gaz(run, g))
        ):
            return out, False
        if not (
            _any_gaz(run, g)
            or _is_acronym(run)
            or (len(run) > 2 and not _is_common(run, g))
            or run in gz.ORG_CUES
        ):
            if run not in mid_edges:
                return out, True
            if _seen_lowercase(text, run, lower_seen):
                return out, True
            depends = True
        t, strength = _type_static((run,), False, g)
        if t is not None:
            out.append((0, e - s, [run], False, True, t, strength))
        return out, depends
    watch = _Watch(mid_words)
    for seg in _segments(text, s, e, initial, g, watch):
        if len(seg.words) == 1:
            w = seg.words[0]
            if w in gz.FUNCTION_WORDS and not seg.person:
                continue
            common = _is_common(w, g)
            if seg.initial:
                evidence = (
                    _any_gaz(w, g)
                    or _is_acronym(w)
                    or (not common and len(w) > 2)
                    or w in gz.ORG_CUES
                )
                if not evidence:
                    depends = True  # the answer now rests on this text's other words
                if not evidence and w in mid_edges:
                    # a common word the text also writes in lower case ("Iodine
                    # deficiency ...") is capitalised only by its position
                    evidence = not _seen_lowercase(text, w, lower_seen)
                if not evidence:
                    continue
            elif common and not seg.person and not _any_gaz(w, g) and not _is_acronym(w):
                # A capitalised common word ("Women", "Prices") is a name only
                # if the text never uses it as a plain word.
                depends = True
                if _seen_lowercase(text, w, lower_seen):
                    continue
        t, strength = _type_static(tuple(seg.words), seg.person, g)
        if t is None:
            continue
        out.append((seg.start - s, seg.end - s, seg.words, seg.person, seg.initial, t, strength))
    return out, depends or watch.used


def find_entities(text: str, blocks: list[Block]) -> list[Entity]:
    """Find the named entities of ``text``, given its blocks (noise is skipped)."""
    g = gz.load()
    prose: list[tuple[Block, int, int]] = []
    special: list[tuple[Block, str]] = []
    for b in blocks:
        if b.kind == "noise":
            continue
        mode = _line_kind(text, b.start, b.end, b.kind)
        if mode == "prose":
            prose.append((b, b.start, b.end))
        else:
            special.append((b, mode))

    # Pass 1: runs and the words seen capitalised mid-sentence (evidence for
    # sentence-initial words elsewhere).
    runs: list[tuple[int, int, bool, str]] = []
    add_run = runs.append
    mid_words: set[str] = set()
    mid_edges: set[str] = set()  # first and last words of mid-sentence runs
    mid_chars = _MID_SENTENCE_CHARS
    for _b, bs, be in prose:
        for m in _RUN_RE.finditer(text, bs, be):
            s = m.start()
            run = m.group()
            # The common case, inline: a word after a lower-case word or a comma.
            if s - bs >= 2 and text[s - 1] == " " and text[s - 2] in mid_chars:
                initial = False
            else:
                initial = _sentence_initial(text, s, bs)
                if initial and run in _INITIAL_NOTHING and not _any_gaz(run, g):
                    continue  # "The", "In", "However" opening a sentence
            words = run.split()
            if initial and len(words) > 1 and _opens_with_function_word(run, words, g):
                # "The US State Department": what follows the word is cut as it
                # would be mid-sentence (where runs are shared across texts).
                sp = len(words[0]) + 1
                add_run((s + sp, m.end(), False, run[sp:]))
            else:
                add_run((s, m.end(), initial, run))
            if "'" in run or "’" in run:
                words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in words]
            if initial:
                words = words[1:]
            elif words:
                mid_edges.add(words[0])
            if words:
                mid_edges.add(words[-1])
            mid_words.update(words)
    lower_seen: dict[str, bool] = {}

    # Pass 2: cut runs into mentions and type them. Names repeat, so the cut and
    # the context-free type of a run are computed once per distinct run.
    mentions: list[tuple[int, int, str, str, int]] = []  # start, end, name, type, strength
    add = mentions.append
    teams: set[str] = set()
    seg_cache: dict[tuple[str, bool], list[tuple[int, int, str, str | None, int]]] = {}
    for s, e, initial, run in runs:
        key = (run, initial)
        cached = seg_cache.get(key)
        if cached is None:
            cached = _RUN_CACHE.get(key)
        if cached is None:
            cut, depends = _cut_run(text, s, e, initial, g, mid_words, mid_edges, lower_seen)
            cached = [(rs, rend, " ".join(w), t, st) for rs, rend, w, _p, _i, t, st in cut]
            if depends:
                seg_cache[key] = cached
            else:
                if len(_RUN_CACHE) >= _RUN_CACHE_MAX:
                    _RUN_CACHE.clear()
                _RUN_CACHE[key] = cached
        for rs, rend, name, t, strength in cached:
            if t == _LONE:
                t, strength = _type_lone(name, s + rs, text, g)
                if t is None:
                    continue
            elif t == "PLACE" and name not in g.countries and _is_team(text, s + rs, s + rend):
                t = "ORG"  # a town or county in a sports result is its team
                teams.add(name)
            if strength < 3:
                ct = _context_type(text, s + rs, s + rend, g)
                if ct is not None:
                    if ct == "ORG" and t == "PLACE" and name not in g.countries:
                        teams.add(name)  # "side Nice": the club in every mention
                    t, strength = ct, 3
            elif t == "PLACE" and name not in g.countries and name not in teams:
                # A known place after a team or paper word ("title rivals Essex",
                # "the newspaper Granma") is that organisation in every mention.
                if _noun_before(text, s + rs) in _ORG_NOUNS:
                    teams.add(name)
            if (
                t == "PERSON"
                and strength < 3
                and name[-1] == "s"
                and name.count(" ") == 1
                and _THE_BEFORE_RE.search(text, max(0, s + rs - 5), s + rs)
                and name[name.index(" ") + 1 : -1].lower() in g.common
            ):
                t = "MISC"  # "the Silver Clouds installation": a plural noun, no surname
            if t != "PERSON" and name not in g.places and text.startswith(" ", s + rend):
                tail = _PROJECT_TAIL_RE.match(text, s + rend)
                if tail is not None:
                    # A named route or pipeline keeps its lower-case head noun:
                    # "the Zangezur corridor", "the Trans-Caspian gas pipeline".
                    name += tail.group()
                    rend = tail.end() - s
            add((s + rs, s + rend, name, t, strength))

    # Pass 3: one type per surface form, short forms linked to full names.
    scores: dict[str, dict[str, int]] = {}
    guessed: set[str] = set()  # names typed by no more than a guess
    for _s, _e, name, t, strength in mentions:
        per = scores.get(name)
        if per is None:
            per = scores[name] = {}
            guessed.add(name)
        per[t] = per.get(t, 0) + _WEIGHT[strength]
        if strength >= 2:
            guessed.discard(name)
    best_type = {name: max(per, key=per.__getitem__) for name, per in scores.items()}
    surnames_here = {
        name.rsplit(" ", 1)[1] for name, t in best_type.items() if t == "PERSON" and " " in name
    }
    spelling = _person_spellings(best_type, scores, g)
    surname_of: dict[str, dict[str, int]] = {}
    for name, t in best_type.items():
        if t == "PERSON" and " " in name:
            first, _, last = name.partition(" ")
            if (
                name in guessed
                and first in surnames_here
                and first not in g.given
                and " " not in last
                and "-" not in last
            ):
                # "Warhol Polaroids" beside "Andy Warhol": a person's surname that
                # modifies a thing, not a second person (nor "Polaroids" a surname).
                best_type[name] = "MISC"
                continue
            n = sum(scores[name].values())
            fulls = surname_of.setdefault(name.rsplit(" ", 1)[1], {})
            full = spelling.get(name, name)
            fulls[full] = fulls.get(full, 0) + n
    # Short forms of company names: "Magna" and "Magna International" for
    # "Magna International Inc".
    company_of: dict[str, str] = {}
    for name, t in best_type.items():
        if t == "ORG" and " " in name:
            words = name.split(" ")
            if words[-1] in _COMPANY_ENDS:
                for k in range(1, len(words)):
                    head = words[k - 1]
                    if head in gz.ORG_CUES or head in _CONNECTOR_SET or head == "&":
                        break
                    company_of.setdefault(" ".join(words[:k]), name)
    resolved: dict[str, tuple[str, str]] = {}
    namesakes: dict[str, dict[str, int]] = {}  # surnames that several full names share
    for name, t in best_type.items():
        canonical = spelling.get(name, name)
        fulls = surname_of.get(name) if " " not in name else None
        if fulls and name in g.places:
            # A place name follows a person only when a full name with a given
            # name says so ("Dana Leeds" ... "Leeds"), not "Arab East Jerusalem".
            fulls = {k: v for k, v in fulls.items() if k.split(" ", 1)[0] in g.given}
        if fulls and name not in g.countries:
            canonical = max(fulls, key=lambda k: (fulls[k], len(k)))
            t = "PERSON"
            # one full name per given name: "Barack Obama", "Michelle Obama" are
            # namesakes, "Loretta Lynch" and "Loretta E. Lynch" one person; a lone
            # full name is checked too ("Mr. Obama" is never "Michelle Obama")
            namesakes[name] = _one_form_per_given_name(fulls)
        elif name in guessed and name in company_of:
            t, canonical = "ORG", company_of[name]
        resolved[name] = (t, canonical)
    per_mention: dict[int, str] = {}
    if namesakes:
        per_mention = _link_namesakes(text, mentions, best_type, namesakes, spelling, resolved, g)
    entities = [
        Entity(
            s,
            e,
            # A team keeps its place reading where it is one ("fans in Leeds").
            "PLACE" if t == "PLACE" and name in teams else resolved[name][0],
            text[s:e],
            per_mention.get(s, resolved[name][1]),
        )
        for s, e, name, t, _st in mentions
    ]
    known = resolved

    # Headlines: only names known from the body or the gazetteers.
    if special:
        upper_known = _Chain({name.upper(): v for name, v in known.items()}, g.upper)
        title_known = dict(known)
        for name in gz.PLACE_ACRONYMS:
            title_known.setdefault(name, ("PLACE", name))
        for b, mode in special:
            if mode == "table":
                for ent in _table_entities(text, b, upper_known, g):
                    if ent.type == "ORG" and _any_gaz(ent.canonical, g):
                        teams.add(ent.canonical)
                    entities.append(ent)
            elif mode == "caps":
                # Names ending in a cue word first ("ENGLISH COUNTY CHAMPIONSHIP"),
                # so that they win over the known words inside them.
                entities.extend(_caps_cue_names(text, b))
                for ent in _match_known(text, b.start, b.end, upper_known, True):
                    if (
                        ent.type == "PLACE"
                        and ent.canonical not in g.countries
                        and _is_team(text, ent.start, ent.end)
                    ):
                        teams.add(ent.canonical)
                    entities.append(ent)
            else:
                entities.extend(_titlecase_entities(text, b, title_known, g, mid_words))
    if teams:
        _coordinated_teams(text, entities, teams, g)
        # A place that plays in this text's results is its team wherever it is
        # not used as a location.
        entities = [
            Entity(e.start, e.end, "ORG", e.text, e.canonical)
            if e.type != "ORG" and e.canonical in teams and not _located(text, e.start, e.end)
            else e
            for e in entities
        ]
    # Datelines first, so that they win over what the other rules made of the same words.
    entities = _datelines(text, blocks, g) + entities
    entities.sort(key=lambda e: (e.start, -e.end))
    return _drop_overlaps(entities)


def _person_spellings(
    best_type: dict[str, str], scores: dict[str, dict[str, int]], g: gz.Gazetteer
) -> dict[str, str]:
    """The spelling each full personal name is known by: the most frequent of the
    forms that differ only in case ("HIllary Clinton" once, "Hillary Clinton"
    often), a given name typed with two capitals ("HIllary") corrected when it
    is written alone."""
    forms: dict[str, list[str]] = {}
    for name, t in best_type.items():
        if t == "PERSON" and " " in name:
            forms.setdefault(name.casefold(), []).append(name)
    out: dict[str, str] = {}
    for names in forms.values():
        best = max(names, key=lambda k: sum(scores[k].values()))
        first, _, rest = best.partition(" ")
        if (
            len(first) > 2
            and first not in g.given
            and first[1].isupper()
            and first[2:].islower()
            and (fixed := first[0] + first[1:].lower()) in g.given
        ):
            best = f"{fixed} {rest}"
        for name in names:
            if name != best:
                out[name] = best
    return out


def _one_form_per_given_name(fulls: dict[str, int]) -> dict[str, int]:
    """The full names of ``fulls`` that differ in their given name, each the most
    frequent (then longest) of the forms with that given name."""
    best: dict[str, str] = {}
    for k in fulls:
        first = k.split(" ", 1)[0]
        b = best.get(first)
        if b is None or (fulls[k], len(k)) > (fulls[b], len(b)):
            best[first] = k
    return {k: fulls[k] for k in best.values()}


_TITLE_GENDER = dict.fromkeys(
    """Mrs Ms Miss Madam Madame Mme Lady Dame Queen Princess Sister Congresswoman
    Chairwoman Spokeswoman""".split(),
    "f",
) | dict.fromkeys(
    "Mr Mister Sir Lord King Prince Father Brother Congressman Chairman Spokesman".split(), "m"
)
# "Obama added that he ...": the subject pronoun right after the name's clause.
_PRONOUN_AFTER_RE = re.compile(
    r"[^.!?;:\"“”\n]{0,40}?(?:,| that| and| but| said| says)[^\S\n]{1,2}(he|she)\b",
    re.IGNORECASE,
)


def _title_gender(text: str, start: int) -> str | None:
    """The gender ("m" or "f") of a gendered title right before ``start`` ("Mrs. ")."""
    k = start - 1
    if k < 2 or text[k] != " ":
        return None
    if text[k - 1] == ".":
        k -= 1
    i = k
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return _TITLE_GENDER.get(text[i:k])


def _pronoun_after(text: str, end: int) -> str | None:
    """The gender of a "he" or "she" that starts the clause after a name ending at ``end``."""
    # the pattern reaches at most 50 characters: look for the pronoun's letters first
    window = text[end : end + 50].lower()
    if "he" not in window:
        return None
    m = _PRONOUN_AFTER_RE.match(text, end)
    if m is None:
        return None
    return "m" if m.group(1).lower() == "he" else "f"


def _link_namesakes(
    text: str,
    mentions: list[tuple[int, int, str, str, int]],
    best_names: dict[str, str],
    namesakes: dict[str, dict[str, int]],
    spelling: dict[str, str],
    resolved: dict[str, tuple[str, str]],
    g: gz.Gazetteer,
) -> dict[int, str]:
    """The full name each mention of a shared surname stands for, by start.

    "Mrs. Obama" and "Obama ... she" are the woman, "Mr. Obama" the man: a
    gendered title or pronoun never links to a name of the other gender. A
    mention without such evidence goes to the namesake last named in full in
    its paragraph, else to the one most mentioned (counting the mentions that
    evidence linked), else to the one last named in full before it, and stays
    unlinked when none was.
    """
    genders: dict[str, str | None] = {}
    last_full: dict[str, list[tuple[int, str]]] = {}  # surname -> (start, full name)
    tally: dict[str, dict[str, int]] = {k: dict.fromkeys(v, 0) for k, v in namesakes.items()}
    # the full names that may stand for a namesake, found among distinct names first
    # (comprehensions: these run over every mention)
    full_names = set()
    for name in best_names:
        if " " in name:
            spelled = spelling.get(name, name)
            if spelled[spelled.rfind(" ") + 1 :] in namesakes:
                full_names.add(name)
    bare = [m for m in mentions if m[2] in namesakes]
    for s, _e, name, _t, _st in [m for m in mentions if m[2] in full_names]:
        full = spelling.get(name, name)
        first, last = full.split(" ", 1)[0], full.rsplit(" ", 1)[1]
        reps = namesakes.get(last)
        if reps is not None and full not in reps:
            # another form of one namesake ("Loretta Lynch" for "Loretta E. Lynch")
            full = next((k for k in reps if k.split(" ", 1)[0] == first), "")
        if reps is not None and full:
            last_full.setdefault(last, []).append((s, full))
            tally[last][full] += 1
            if genders.get(full) is None:
                genders[full] = g.given_gender(first) or _title_gender(text, s)
    out: dict[int, str] = {}
    undecided: list[tuple[int, str, list[str]]] = []
    for s, e, name, _t, _st in bare:
        fulls = namesakes[name]
        gender = _title_gender(text, s) or _pronoun_after(text, e)
        cands = list(fulls)
        if gender is not None:
            same = [c for c in cands if genders.get(c) == gender]
            cands = same or [c for c in cands if genders.get(c) is None]
            if not cands:
                out[s] = name
                tally[name][name] = tally[name].get(name, 0) + 1
                continue
        if len(cands) == 1 and gender is not None:
            out[s] = cands[0]
            tally[name][cands[0]] += 1
        else:
            undecided.append((s, name, cands))
    for s, name, cands in undecided:
        if name in tally[name]:
            # someone of another gender than every namesake bears the name too
            cands = [*cands, name]
        elif len(cands) == 1:
            out[s] = cands[0]
            continue
        recent = [(fs, f) for fs, f in last_full.get(name, ()) if fs < s and f in cands]
        if recent and text.find("\n", recent[-1][0], s) < 0:
            out[s] = recent[-1][1]
            continue
        counts = tally[name]
        ranked = sorted(cands, key=counts.__getitem__, reverse=True)
        if counts[ranked[0]] > counts[ranked[1]]:
            out[s] = ranked[0]
        else:
            out[s] = recent[-1][1] if recent else name
    # Headlines and tables reuse the name's reading: the namesake most linked (or
    # none, when most mentions were of another gender than every namesake).
    for name, counts in tally.items():
        t, _c = resolved[name]
        top = sorted(counts, key=lambda k: (counts[k], len(k)), reverse=True)
        resolved[name] = (t, top[0])
    return out


# What one mention's evidence weighs when a name's mentions disagree on its type:
# a cue, a gazetteer or the words around one mention outweigh several guesses.
_WEIGHT = (1, 3, 5, 20)
_COMPANY_ENDS = frozenset(
    "Inc Inc. Corp Corp. Corporation Co Co. Ltd Ltd. LLC PLC Plc AG GmbH SA NV BV SpA".split()
)
_PROJECT_TAIL_RE = re.compile(r" (?:(?:gas|oil|railway|road) )?(?:corridor|pipeline)\b")
_CENTERS = frozenset(["Center", "Centre"])
# Buildings and sites whose names may join two words with "and" ("National Air and
# Space Museum", "U.S. Space and Rocket Center").
_FACILITY_CUES = frozenset("Center Centre Museum Complex Station Hospital".split())
_LIST_GAP = frozenset([", ", " and ", ", and ", " or "])


def _coordinated_teams(text: str, entities: list[Entity], teams: set[str], g: gz.Gazetteer) -> None:
    """Add to ``teams`` the places listed with a team ("Essex, Derbyshire and
    Surrey"): a list names one kind of thing."""
    ents = sorted(entities, key=lambda e: e.start)
    changed = True
    while changed:
        changed = False
        for a, b in zip(ents, ents[1:], strict=False):
            if text[a.end : b.start] not in _LIST_GAP:
                continue
            for team, other in ((a, b), (b, a)):
                if (
                    team.canonical in teams
                    and other.canonical not in teams
                    and other.type == "PLACE"
                    and other.canonical not in g.countries
                    and not _located(text, team.start, team.end)
                    and not _located(text, other.start, other.end)
                ):
                    teams.add(other.canonical)
                    changed = True


def _titlecase_entities(
    text: str, b: Block, known: dict[str, tuple[str, str]], g: gz.Gazetteer, mid_words: set[str]
) -> list[Entity]:
    out = _match_known(text, b.start, b.end, known, False)
    taken = [(e.start, e.end) for e in out]
    for m in _RUN_RE.finditer(text, b.start, b.end):
        for seg in _segments(text, m.start(), m.end(), True, g, mid_words):
            if any(s < seg.end and seg.start < e for s, e in taken):
                continue
            name = " ".join(seg.words)
            t, strength = _type_of(seg, g, text)
            strong = (
                _any_gaz(name, g)
                or (len(seg.words) == 1 and _is_acronym(name))
                or seg.person
                or (len(seg.words) > 1 and strength >= 2)
            )
            if strong and t:
                if t == "PLACE" and name not in g.countries and _is_team(text, seg.start, seg.end):
                    t = "ORG"
                out.append(Entity(seg.start, seg.end, t, text[seg.start : seg.end], name))
    return out


def _drop_overlaps(entities: list[Entity]) -> list[Entity]:
    out: list[Entity] = []
    last_end = -1
    for e in entities:
        if e.start >= last_end and e.end > e.start:
            out.append(e)
            last_end = e.end
    return out
