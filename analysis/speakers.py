"""Who said a quotation: reporting verbs, pronouns and descriptions.

The speaker of a quote is looked for, in order of reliability: a reporting
verb in the quote's own sentence, after it ("…,” Mammadov noted) or before it
(Trump said: “…”); the sentence that introduces a quote paragraph ("He
emphasized that …:"); the speaker of the quote just before. A pronoun resolves
to the last named person in subject position outside quotations, a description
("the political analyst") to the person introduced with it, else like a
pronoun. Pronouns are never returned as speakers. A source that is not named
("Police say", "a police official said", "the ruling said", "Gary Johnson's
doctor") is given as written rather than borrowing a nearby name.

Reporting verbs are found once per paragraph, on first use, and every window
around a quote is answered from that index; sentence ends, titles and roles
are regexes, so the Python work grows with quotes and people, not characters.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from analysis import gazetteer as gz
from analysis.types import Block, Entity

__all__ = [
    "Attribution",
    "Attributor",
    "Verb",
    "VerbIndex",
    "is_reporting_prefix",
    "reporting_verbs",
]

# Reporting verbs in every inflection they take in news prose. Looked up as
# words in a set: one pass of a simple word regex is several times faster than
# a large alternation, and attribution runs over every quote's neighbourhood.
_VERB_FORMS = frozenset(
    """say says said saying tell tells told telling notes noted noting states stated stating
    add adds added adding emphasize emphasizes emphasized emphasizing emphasise emphasises
    emphasised emphasising stresses stressed stressing explain explains explained
    explaining warn warns warned warning argue argues argued arguing claims claimed
    claiming conclude concludes concluded concluding write writes wrote writing ask asks
    asked asking reply replies replied replying insist insists insisted insisting
    acknowledge acknowledges acknowledged acknowledging admit admits admitted admitting
    declare declares declared declaring announce announces announced announcing continues
    continued recall recalls recalled recalling observes observed remarks remarked
    underlines underlined underlining underscores underscored underscoring tweets tweeted
    tweeting posted suggest suggests suggested suggesting predicts predicted promises
    promised vows vowed demands demanded complains complained mentions mentioned confirms
    confirmed denies denied describe describes described describing calls called calling
    accuse accuses accused accusing charges charged contends contended maintains maintained
    asserts asserted responds responded quips quipped jokes joked shouts shouted yells
    yelled testify testifies testified expresses expressed comments commented reports
    reported recounts recounted exclaims exclaimed urges urged pledges pledged boasts
    boasted reiterates reiterated wonders wondered answers answered attacks attacked cites
    cited chants chanted chanting criticizes criticized criticises criticised blasts
    blasted slams slammed dismisses dismissed labels labeled labelled brands branded dubs
    dubbed decries decried condemns condemned praises praised hails hailed mocks mocked
    concedes conceded agree agrees agreed likens likened scolds scolded sings singing sang
    reads read promise promising vow vowing pledge pledging proclaim proclaims proclaimed
    proclaiming exhort exhorts exhorted exhorting laud lauds lauded lauding tout touts touted
    touting""".split()
)
# two-word reporting phrases: first word -> the word that must follow
_VERB_PAIRS = {
    "according": "to",
    "point": "out",
    "points": "out",
    "pointed": "out",
    "put": "it",
    "went": "on",
}
_WORDISH = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def _trie_pattern(words: list[str], shortest: bool = False) -> str:
    """An alternation of ``words`` shaped as a trie, so no prefix is matched twice.

    A space in a word matches any run of whitespace. With ``shortest`` a word
    that is a prefix of another is tried first, else last.
    """
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [(r"\s+" if c == " " else re.escape(c)) + build(sub) for c, sub in node.items() if c]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return f"(?:{body})??" if shortest else f"(?:{body})?"

    return build(trie)


# Matched on lower-cased text, from the non-letter before a word: a case-sensitive
# trie that the engine only tries after a space or punctuation runs several times
# faster than the same words with IGNORECASE tried at every position.
_VERB_RX = re.compile(
    "[^a-z]"
    + _trie_pattern(sorted(_VERB_FORMS | {f"{w} {n}" for w, n in _VERB_PAIRS.items()}))
    + r"(?![a-z])(?!-[a-z])"
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# a verb form right after one of these is a noun: "the answers", "his remarks", "a call"
# (the endings of the lower-cased text before it, for one C-level str.endswith)
_NOUN_BEFORE = tuple(
    f"{p}{d} "
    for d in "the a an his her their its our my your these those".split()
    for p in " \n\t(“‘\"'—–-"
)


class Verb(NamedTuple):
    """One reporting verb (or two-word phrase) found in the text.

    A named tuple: long texts hold thousands, and it is cheaper to build than a
    frozen dataclass.
    """

    start: int
    end: int
    word: str  # lower case, the first word of a phrase


class VerbIndex:
    """The reporting verbs of one text, found once per paragraph and sliced per window.

    Attribution asks for the verbs of many overlapping windows around each
    quote; each paragraph is scanned once, on first use, and windows are
    answered with ``bisect``, so the cost stays linear in the text and
    paragraphs far from any quote are never scanned.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.cuts: list[int] | None = None
        # the text lower-cased after one space, so that a word at position 0 has a
        # character before it; None when the text has one of the two characters
        # whose lower case is or holds an ASCII letter (İ shifts offsets, the Kelvin
        # sign becomes k), which take the word-by-word path
        self.low: str | None = None
        # paragraph number -> (verb starts, verbs, position of a capitalised word
        # right before each capitalised verb or -1)
        self.chunks: dict[int, tuple[list[int], list[Verb], list[int]]] = {}

    def between(self, start: int = 0, end: int | None = None) -> list[Verb]:
        """The verbs that lie wholly inside ``text[start:end]``.

        A capitalised verb right after a capitalised word is part of a name
        ("United States", "Human Rights Watch Says") when that word is inside
        the window, as it would be for the window's text on its own.
        """
        end = len(self.text) if end is None else end
        if end <= start:
            return []
        if self.cuts is None:
            self._prepare()
        cuts = self.cuts
        found: list[Verb] = []
        k = bisect.bisect_right(cuts, start)
        last = bisect.bisect_right(cuts, end - 1)
        while k <= last:
            got = self.chunks.get(k)
            starts, verbs, blocked = got if got is not None else self._chunk(k)
            i = bisect.bisect_left(starts, start)
            while i < len(starts) and starts[i] < end:
                v = verbs[i]
                if v.end <= end and blocked[i] < start:
                    found.append(v)
                i += 1
            k += 1
        return found

    def find_all(self, word: str) -> list[int]:
        """Where the lower-case ``word`` occurs in the text, in any case (a literal search)."""
        if self.cuts is None:
            self._prepare()
        low = self.low
        if low is None:
            return [m.start() for m in re.finditer(re.escape(word), self.text, re.IGNORECASE)]
        found = []
        at = low.find(word, 1)
        while at >= 0:
            found.append(at - 1)
            at = low.find(word, at + len(word))
        return found

    def _prepare(self) -> None:
        text = self.text
        # paragraphs end at blank lines: no word or two-word phrase crosses one
        self.cuts = [m.start() for m in _BLANK_LINE.finditer(text)]
        if "\u0130" not in text and "\u212a" not in text:
            self.low = " " + text.lower()

    def _chunk(self, k: int) -> tuple[list[int], list[Verb], list[int]]:
        text = self.text
        cuts = self.cuts or []
        cs = cuts[k - 1] if k > 0 else 0
        ce = cuts[k] if k < len(cuts) else len(text)
        verbs: list[Verb] = []
        low = self.low
        if low is None:
            for m in _WORDISH.finditer(text, cs, ce):
                w = m.group().lower()
                v = None
                if w in _VERB_FORMS:
                    if (" " + text[max(0, m.start() - 7) : m.start()].lower()).endswith(
                        _NOUN_BEFORE
                    ):
                        continue  # a noun after a determiner: "the answers", "his remarks"
                    v = Verb(m.start(), m.end(), w)
                elif w in _VERB_PAIRS:
                    nxt = _WORDISH.match(text, _skip_space(text, m.end(), ce), ce)
                    if nxt is not None and nxt.group().lower() == _VERB_PAIRS[w]:
                        v = Verb(m.start(), nxt.end(), w)
                if v is not None:
                    verbs.append(v)
        else:
            # low[i + 1] is text[i]; each match starts at the character before its word
            for m in _VERB_RX.finditer(low, cs, ce + 1):
                s = m.start()
                if low[s] == "-" and "a" <= low[s - 1] <= "z":
                    continue  # the end of a hyphenated word: so-called
                w = m.group()[1:]
                if " " in w or not w.isalpha():
                    w = w.split()[0]
                if low[s] == " " and low.endswith(_NOUN_BEFORE, 0, s + 1):
                    continue  # a noun after a determiner: "the answers", "his remarks"
                verbs.append(Verb(s, m.end() - 1, w))
        got = ([v.start for v in verbs], verbs, [self._capital_before(v.start) for v in verbs])
        self.chunks[k] = got
        return got

    def _capital_before(self, pos: int) -> int:
        """Where the capitalised word before a capitalised verb at ``pos`` ends, else -1."""
        text = self.text
        if not text[pos].isupper():
            return -1
        j = pos - 1
        while j >= 0 and text[j] == " ":
            j -= 1
        if j >= 0 and (text[j].isupper() or (text[j].islower() and _cap_word(text, j))):
            return j
        return -1


def reporting_verbs(text: str, start: int = 0, end: int | None = None) -> list[Verb]:
    """The reporting verbs ("said", "emphasized", "according to", …) in ``text[start:end]``."""
    return VerbIndex(text).between(start, end)


def _cap_word(text: str, j: int) -> bool:
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return text[j].isupper()


def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


# The first letter comes first (with the characters that match it ignoring case:
# dotted and dotless i, long s) and the word boundary before it is a look-behind,
# so the engine skips to candidate letters instead of trying every position.
_PRONOUN = re.compile(
    "[HISTWhistw\u0130\u0131\u017f](?<!\\w.)"
    r"(?i:(?<=h)e|(?<=s)he|(?<=t)hey|(?<=i)t?|(?<=w)e)\b"
)
# Looked for in every attribution window: as a trie the engine never retries a
# shared prefix. Shortest first, so "director" in "director-general" is found
# where a longer role would run on past a hyphen.
_ROLE_WORDS = """analyst analysts expert experts minister ministers president spokesman
    spokeswoman spokesperson official officials senator governor mayor candidate nominee
    chair chairman chairwoman director secretary ambassador lawyer attorney professor
    economist scientist researcher author writer leader chief head adviser advisor aide
    commissioner congressman congresswoman lawmaker representative deputy diplomat
    businessman businesswoman executive founder ceo manager coach judge prosecutor officer
    general commander activist doctor historian politician strategist pollster host anchor
    reporter journalist editor narrator billionaire speaker premier chancellor monarch king
    queen prince pope bishop scholar critic director-general envoy negotiator student
    teacher resident witness veteran woman man mother father colleague observer specialist
    politologist""".split()
_ROLES = _trie_pattern(_ROLE_WORDS, shortest=True)
# words that end a description before its role: "the answers to veteran suicides" is no veteran
_FILLER_WORDS = (
    "of|to|in|on|at|by|for|with|from|about|and|or|but|that|who|which|is|are|was|were"
    "|has|have|had|said|says"
)
_FILLER_STOP = f"(?:{_FILLER_WORDS})"
_DESCRIPTION = re.compile(
    rf"\b(?:the|a|an|this|that|our|(?:(?-i:[A-Z][\w.\-]*)\s+){{0,2}}\w+[’']s)\s+"
    rf"((?:(?!{_FILLER_STOP}\b)[\w’'.\-]+\s+){{0,4}}?)({_ROLES})\b",
    re.IGNORECASE,
)
# a name and its apposition right before a verb: "Jane Doe, the institute's director,"
_APPOSED = re.compile(
    r"([A-Z][\w.’'\-]*(?:\s+(?:[A-Z][\w.’'\-]*|de|van|von|al|bin)){0,3}),\s+[^\n“”\"]{3,160}?,\s*$"
)
# a role after a place or party: "the Vermont senator", "Democratic presidential nominee"
_ROLE_AFTER = re.compile(rf"\s+(?:[a-z][\w\-]*\s+){{0,2}}?(?:{_ROLES})\b")
_NAME_NEXT = re.compile(r",?\s+(?:[A-Z]\.\s*)*[A-Z][a-z]")
_ROLE_WORD = re.compile(rf"\b(?:{_ROLES})\b", re.IGNORECASE)
_NAME = re.compile(
    r"[A-Z](?<!\w.)[\w’'\-]*\.?(?:\s+(?:[A-Z][\w’'\-]*\.?|(?:de|van|von|al|bin)\b))*"
)
_ABBREV = frozenset(
    "mr mrs ms dr st sen rep gov gen lt col sgt capt jr sr prof rev fr no inc corp co ltd vs"
    " jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n e.u u.k d.c p.m a.m".split()
)


def _abbrev_lookbehinds() -> str:
    """Look-behinds that reject a full stop ending an abbreviation or an initial.

    The word before the stop is the run of letters and dots before it; one
    look-behind per word length, as look-behinds must have a fixed width.
    """
    run_start = r"(?<![^\W\d_])(?<!\.)"
    by_len: dict[int, list[str]] = {}
    for w in sorted(_ABBREV):
        by_len.setdefault(len(w), []).append(re.escape(w))
    parts = [rf"(?<!{run_start}[^\W\d_]\.)"]
    parts += [rf"(?<!{run_start}(?i:{'|'.join(ws)})\.)" for _, ws in sorted(by_len.items())]
    return "".join(parts)


# A sentence ends at a run of end marks (a full stop not after an abbreviation or
# an initial), closing quotes or brackets and space, before a capital or a digit.
_SENT_END = re.compile(
    # the first mark of a run (the engine scans for the marks), then the full stop checks
    r"[.!?…](?<![.!?…].)" + _abbrev_lookbehinds() + r"[.!?…]*[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])"
)
# how many earlier uses of a role word are tried when resolving "the analyst"
_MAX_ROLE_LOOKBACK = 30
# what may follow a reporting verb that closes a sentence of its own: “…” Trump said
# on Monday. / said in a statement. (not "said North Korea had …")
_ATTRIBUTION_TAIL = re.compile(
    r"\s*(?:[.,;]|(?:on|in|at|during|after|before|to|from|via|yesterday|today|tonight"
    r"|later|earlier|recently|last|this|then|again|also|afterwards)\b)"
)
# entity types that can speak, best first: "Russia insisted" names a government
_SPEAKER_RANK = {"PERSON": 0, "ORG": 1, "PLACE": 2}
_RELATIVE = re.compile(r",\s+(?:who|which|whose|whom)\b[^,]*(?:,|$)")
_DASHED = re.compile(r"\s(?:--?|[—–])\s[^\n—–]{1,160}?\s(?:--?|[—–])\s")
# party labels a recogniser may take for a person ("Republican"), looked up per entity
_PARTY = frozenset(
    w + s
    for w in (
        "Republican Democrat Democratic Libertarian Conservative Liberal Labour Tory Tories"
        " Socialist Communist GOP"
    ).split()
    for s in ("", "s")
)
_NUMBER_WORDS = re.compile(
    r"(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty"
    r"|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)[\s-]?)+",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\([^()]{0,40}\)")
# A clause break: a mark, a spaced double dash, or a conjunction and a space. One
# leading character class lets the engine skip to candidates; the word boundary
# before a conjunction is a look-behind after its first letter.
_CLAUSE_CUT = re.compile(
    r"[;:(—–\sbwa](?:(?<=[;:(—–])|(?<=\s)--\s"
    r"|(?<!\w.)(?:(?<=b)(?:ut|ecause)|(?<=w)h(?:ile|ereas)|(?<=a)(?:lthough|nd))\b\s)"
)
_PREPOSITIONS = frozenset(
    "of to by with for from about between under at in on against among toward towards"
    " into onto over than like via upon after before during without".split()
)
# whoever follows these is told, not telling: "told a young woman", "tells Fox News"
_TELL = frozenset("tell tells told telling".split())
_DETERMINERS = frozenset("the a an his her their its our my your this that these those".split())
_NAME_STOP = frozenset(
    "The A An In On At But And Or So If When While After Before As For This That These"
    " Those It He She They We I His Her Their Our Its Yet Also Then There Here However"
    " According Meanwhile Still Despite Although Because Since During With Without"
    " Mr Mrs Ms Dr Rep Sen Gov Gen Prof Rev Fr Sir President Chief Secretary Senator Governor"
    " Even Only Now Other Some Many Most All Both Several Another Every Each Just Not No"
    " My Your Asked Speaking Writing Meanwhile Later Earlier Instead Indeed"
    " Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April"
    " May June July August September October November December Today Yesterday".split()
)
_HONORIFIC = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Mme|Sir|Dame)\.?\s")
_TITLES_FM = r"(?:(Mrs|Ms|Miss|Madam|Mme|Lady|Queen|Princess)|Mr|Sir|Lord|King|Prince)\.?"
_TITLE_BEFORE = re.compile(rf"\b{_TITLES_FM}\s+$")
_TITLE_AT = re.compile(rf"{_TITLES_FM}\s")
_TITLE_INITIALS = frozenset("MSLKQP")
_SAID_PRONOUN = re.compile(
    r"(?:,[^,.;]{1,50},)?\s+(?:\w+\s+){0,2}?(?:said|says|told\s+\w+|added|argued|insisted"
    r"|noted|explained|acknowledged|admitted|claimed|wrote|stated|emphasized|emphasised"
    r"|stressed|warned|believes|believed|thinks|thought)\s+(?:that\s+)?(he|she)\b",
    re.IGNORECASE,
)
_LINE = re.compile(r"[^\n]*\S[^\n]*")
_THE_END = re.compile(r"\b(?:the|an?)\s+$", re.IGNORECASE)
# what may separate a quote from its attribution, and the dash of a byline
_LEAD = re.compile(r"[\s,;:\-—–―]*")
_BYLINE_DASH = re.compile(r"[—―]")
_THAT = re.compile(r"\s+that\b")
# a subordinate clause right after a quote is about it, not its attribution
_SUBORDINATE = re.compile(
    r"(?:when|while|after|before|because|since|if|although|though|until|unless|whereas)\b",
    re.IGNORECASE,
)
_THEY = re.compile(r"\b(?:they|it)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_READ_OUT = re.compile(r"\s*[:,]")
_INFINITIVE = re.compile(r"\bto\s+$")
# where the speaker's words end after a reporting verb, in each position
_AFTER_STOP = re.compile(r"[;:(]|\bthat\b|,\s+(?:who|which|whose|adding|according)\b")
_ACCORDING_STOP = re.compile(r"[,;:.]")
_INTRODUCES = re.compile(r"[,:]\s*$")
_INVERTED_STOP = re.compile(r"[;:(]|\bthat\b")
_INTRO_STOP = re.compile(r"[;:(]|\bthat\b|,")
# unnamed sources ("Police say", "the ruling said"): what may open, fill and follow one
_SOURCE_DETERMINERS = frozenset(
    "the a an this that these those my his her their our its one some several many other"
    " another each both all most".split()
)
_SOURCE_ADVERBS = frozenset(
    "also often then later again further previously once now still has have had would will"
    " repeatedly recently quickly simply just even earlier reportedly separately"
    " similarly likewise yet already first initially".split()
)
_SOURCE_STOP = _PREPOSITIONS | frozenset(
    "and or but nor so if that which who whom whose what when where while as than not no"
    " it he she they we i you him them us me this these those there here is are was were"
    " be been being do does did said says say to week weeks year years day days month"
    " months time night morning evening afternoon today yesterday tonight".split()
)
_TRAILING = frozenset(" \t\n.,;:!?")
_SOURCE_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-]*|\d[\d,.]*")
# finite verbs that make a phrase after "said" a clause of its own
_FINITE = frozenset(
    "is are was were has have had will would can could may might must should did does do".split()
)
# verbs whose subject may follow them: "…,” said the ruling
_INVERTING = frozenset(
    "say says said add adds added note notes noted write writes wrote state states stated"
    " continue continues continued conclude concludes concluded explain explains explained"
    " reply replies replied reads declare declares declared argue argues argued insist"
    " insists insisted recall recalls recalled observes observed remarks remarked quips"
    " quipped jokes joked stresses stressed emphasizes emphasized asserts asserted responds"
    " responded".split()
)
# which kind of mention wins a tie in distance from the verb
_WITH_SUBJECT = re.compile(r"\bwith\s+([^,;:()“”\"\n]{1,60}?)\s+$")
# how far back "the radio" looks for the organisation it names
_ORG_REACH = 3000
_CANDIDATE_ORDER = {"entity": 0, "name": 1, "role": 2, "pronoun": 3}
# the head of a phrase that names people: "one poster", "some protesters", "a resident"
# (not "softer language calling for …")
_PERSON_NOUN = re.compile(
    rf"(?:(?:er|or|ist|ian|ant|ent|man|men|one|body|people|ers|ors|ists|ians|ants|ents)"
    rf"|\b(?:{_ROLES})s?)$",
    re.IGNORECASE,
)
_FEMALE_ROLE = re.compile(r"woman|mother|queen|princess", re.IGNORECASE)
_MALE_ROLE = re.compile(r"(?<!wo)man\b|father|king|prince\b", re.IGNORECASE)


def is_reporting_prefix(s: str) -> bool:
    """Whether ``s`` contains a reporting verb (it can introduce a quotation)."""
    return bool(reporting_verbs(s))


@dataclass(frozen=True, slots=True)
class Attribution:
    """A speaker found for one quote; ``adjacent`` when a reporting verb is in its sentence."""

    speaker: str | None
    confidence: float
    speaker_start: int | None
    speaker_end: int | None
    adjacent: bool


class _Mention(NamedTuple):
    """A speaker mention: where it counts in the text, its span, the name it gives."""

    pos: int
    start: int | None
    end: int | None
    name: str
    person: bool = True  # False for an organisation or a country: never "he" or "she"


# between a name and its apposed role: "Jane Doe, the institute's director"
_APPOSITION_GAP = re.compile(r"[^\S\n]*,[^\S\n]+(?:[^\s“”\"]+[^\S\n]+){0,5}")
# what a description resolves to when it was introduced without a name
_UNNAMED = _Mention(-1, None, None, "", False)
_INDEFINITE_BEFORE = re.compile(
    r"\b(?:a|an|one|another)\s+"
    rf"(?:(?!(?:{_FILLER_WORDS}|the|this|his|her|their|its)\b)[\w.’'\-]+\s+){{0,3}}$",
    re.IGNORECASE,
)


def _is_possessive(word: str) -> bool:
    return word.endswith(("’s", "'s", "s’", "s'"))


_START = attrgetter("start")


class Attributor:
    """Attributes the quotes of one text; call :meth:`attribute` in text order."""

    def __init__(
        self,
        text: str,
        blocks: list[Block],
        entities: list[Entity],
        spans: list[tuple[int, int, bool]],
        verbs: VerbIndex | None = None,
    ) -> None:
        self.text = text
        self.verbs = verbs if verbs is not None else VerbIndex(text)
        self.spans = spans
        self.span_starts = [s for s, _, _ in spans]
        if blocks:
            paras = sorted((b.start, b.end) for b in blocks if b.kind != "noise")
        else:
            paras = [(m.start(), m.end()) for m in _LINE.finditer(text)]
        self.paras = paras or [(0, len(text))]
        self.para_starts = [s for s, _ in self.paras]
        # sentence boundaries, once: (position of the final mark, start of the next sentence)
        ends = list(_SENT_END.finditer(text))
        self.sent_dot = [m.start() for m in ends]
        self.sent_after = [m.end() for m in ends]
        ents = sorted(entities, key=_START)
        starts = self.span_starts
        span_ends = [e for _, e, _ in spans]
        right = bisect.bisect_right
        # names inside quotations never speak (comprehensions: this runs per entity)
        self.ents = [
            e
            for e in ents
            if e.type in _SPEAKER_RANK
            and ((i := right(starts, e.start) - 1) < 0 or span_ends[i] <= e.start)
        ]
        # spans a raw capitalised name may not bring back: places and other non-speakers,
        # and organisations that only modify a role ("USI associate professor")
        self.others = [
            (e.start, e.end)
            for e in ents
            if e.type not in ("PERSON", "ORG")
            or (e.type == "ORG" and _ROLE_AFTER.match(text, e.end))
        ]
        self.by_last: dict[str, str] = {}
        # every full name a surname stands for, the most mentioned first ("Mr. Obama",
        # "Mrs. Obama"), the first seen first among equals
        self.all_by_last: dict[str, list[str]] = {}
        counts: dict[str, int] = {}
        for e in ents:
            if e.type == "PERSON" and e.canonical:
                counts[e.canonical] = counts.get(e.canonical, 0) + 1
        for c in sorted(counts, key=counts.__getitem__, reverse=True):
            last = c.split()[-1].lower()
            self.by_last.setdefault(last, c)
            self.all_by_last.setdefault(last, []).append(c)
        self.ent_starts = [e.start for e in self.ents]
        # genders known so far, the names whose mentions were searched for one, and
        # each person's mentions outside quotations
        self.genders: dict[str, str] = {}
        self.gender_checked: set[str] = set()
        self.mentions: dict[str, list[Entity]] = {}
        self.salient: list[_Mention] = []
        self.salient_pos: list[int] = []
        self._collect_salient()
        # the last quote: start, end, attribution, and whether its speaker is a person
        self.last_quote: tuple[int, int, Attribution | None, bool] | None = None
        self.role_hits: dict[str, list[tuple[int, int]]] = {}
        self.namelike: dict[str, bool] = {}
        self.prepositional: dict[int, bool] = {}
        self.name_ok: dict[tuple[int, int], bool] = {}

    # -- positions -------------------------------------------------------

    def _in_quote(self, pos: int) -> bool:
        i = bisect.bisect_right(self.span_starts, pos) - 1
        return i >= 0 and pos < self.spans[i][1]

    def _para(self, pos: int) -> tuple[int, int]:
        i = max(0, bisect.bisect_right(self.para_starts, pos) - 1)
        return self.paras[i]

    def _prev_para(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.para_starts, pos) - 2
        while i >= 0:
            s, e = self.paras[i]
            if self.text[s:e].strip():
                return s, e
            i -= 1
        return None

    def _sentence_start(self, lo: int, pos: int) -> int:
        i = bisect.bisect_right(self.sent_after, pos) - 1
        if i >= 0 and self.sent_dot[i] >= lo:
            return self.sent_after[i]
        return lo

    def _sentence_end(self, pos: int, hi: int) -> int:
        i = bisect.bisect_left(self.sent_dot, pos)
        if i < len(self.sent_dot) and self.sent_dot[i] < hi:
            return self.sent_dot[i] + 1
        return hi

    # -- salience ---------------------------------------------------------

    def _gender(self, name: str) -> str:
        """A person's gender ("m", "f" or ""), from the first mention that shows it.

        Looked up on first need: most people in a long text are never the
        antecedent of a pronoun, and a mention anywhere in the text may tell.
        """
        g = self.genders.get(name)
        if g is not None:
            return g
        if name not in self.gender_checked:
            self.gender_checked.add(name)
            mentions = self.mentions.get(name, ())
            for e in mentions:
                g = self._gender_of(e)
                if g:
                    self.genders[name] = g
                    return g
            # A given name borne by one gender only ("Michelle Obama") outweighs a
            # pronoun after a reporting verb, which may be someone else's.
            first = name.split(" ", 1)[0] if " " in name else ""
            g = (gz.load().given_gender(first) or "") if first else ""
            if g:
                self.genders[name] = g
                return g
            for e in mentions:
                # "Jane Doe said she would …": a reporting verb followed by a subject
                # pronoun refers back to its own subject
                m = _SAID_PRONOUN.match(self.text, e.end, e.end + 90)
                if m is not None:
                    g = "m" if m.group(1).lower() == "he" else "f"
                    self.genders[name] = g
                    return g
        return ""

    def _gender_of(self, e: Entity) -> str:
        m = _TITLE_BEFORE.search(self.text, max(0, e.start - 9), e.start)
        if m is None and e.text[:1] in _TITLE_INITIALS:
            m = _TITLE_AT.match(e.text)
        if m is None:
            return ""
        return "f" if m.group(1) else "m"

    def _collect_salient(self) -> None:
        """The first person of each sentence outside quotes that is not a possessive or
        a prepositional object, else the sentence's first person of any kind ("Jane
        Doe's doctor is calling her fit." makes Jane Doe who "she" means next)."""
        text = self.text
        sa, ps = self.sent_after, self.para_starts
        k = p = 0
        last_sentence = -1
        # the sentence's first person that is only a possessive or an object, kept until
        # the sentence ends without a better one
        fallback: _Mention | None = None
        fallback_sent = -1
        mentions = self.mentions
        salient, salient_pos = self.salient, self.salient_pos
        nsa, nps = len(sa), len(ps)
        for e in [e for e in self.ents if e.type == "PERSON" and e.text not in _PARTY]:
            if e.canonical in mentions:
                mentions[e.canonical].append(e)
            else:
                mentions[e.canonical] = [e]
            # walk the sentence and paragraph starts along with the sorted entities
            while k < nsa and sa[k] <= e.start:
                k += 1
            while p < nps and ps[p] <= e.start:
                p += 1
            sent = sa[k - 1] if k else 0
            if p and ps[p - 1] > sent:
                sent = ps[p - 1]
            if sent == last_sentence:
                continue
            if fallback is not None and fallback_sent != sent:
                salient.append(fallback)
                salient_pos.append(fallback.pos)
                fallback = None
            if text.startswith(("’s", "'s", "’", "'"), e.end) or (
                (prev := text[max(sent, e.start - 30) : e.start].rsplit(None, 1))
                and prev[-1].lower().strip(",") in _PREPOSITIONS
            ):
                if fallback is None:
                    fallback = _Mention(e.start, e.start, e.end, e.canonical)
                    fallback_sent = sent
                continue
            fallback = None
            last_sentence = sent
            salient.append(_Mention(e.start, e.start, e.end, e.canonical))
            salient_pos.append(e.start)
        if fallback is not None:
            salient.append(fallback)
            salient_pos.append(fallback.pos)

    def _add_salient(self, m: _Mention) -> None:
        i = bisect.bisect_right(self.salient_pos, m.pos)
        self.salient_pos.insert(i, m.pos)
        self.salient.insert(i, m)

    def _recent_person(self, pos: int, gender: str = "") -> _Mention | None:
        """The last salient person before ``pos`` whose known gender does not clash."""
        i = bisect.bisect_left(self.salient_pos, pos) - 1
        while i >= 0:
            m = self.salient[i]
            g = self._gender(m.name) if gender else ""
            if not (gender and g and g != gender):
                return m
            i -= 1
        return None

    # -- mentions ---------------------------------------------------------

    def _entity_in(self, a: int, b: int, near: int) -> Entity | None:
        lo = bisect.bisect_left(self.ent_starts, a - 40)
        best = None
        best_key = None
        for k in range(lo, len(self.ents)):
            e = self.ents[k]
            if e.start >= b:
                break
            if e.end <= a or self._possessive(e.end) or self._after_preposition(e.start, a):
                continue
            namelike = self.namelike.get(e.text)
            if namelike is None:
                namelike = self.namelike[e.text] = self._namelike(e.text)
            if not namelike:
                continue  # "On Tuesday", "CEO": a recogniser's slip is no speaker
            role = _ROLE_AFTER.match(self.text, e.end)
            if role is not None and (e.type != "PERSON" or _NAME_NEXT.match(self.text, role.end())):
                # "the Vermont senator", "a Kremlin spokesman", "Clinton campaign manager
                # Robby Mook": a modifier of the role, not the speaker
                continue
            # a person beats an organisation, which beats a country, anywhere in the window
            key = (_SPEAKER_RANK[e.type], min(abs(e.start - near), abs(e.end - near)))
            if best_key is None or key < best_key:
                best, best_key = e, key
        return best

    @staticmethod
    def _namelike(s: str) -> bool:
        if s in _PARTY or _NUMBER_WORDS.fullmatch(s):
            return False  # "Twenty-two years ago", "Republican": a recogniser's slip
        return any(
            w.rstrip(".") not in _NAME_STOP and not _ROLE_WORD.fullmatch(w) for w in s.split()
        )

    def _other_entity(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.others, (start, start))
        for k in (i - 1, i):
            if 0 <= k < len(self.others):
                os_, oe = self.others[k]
                if os_ < end and start < oe:
                    return True
        return False

    def _possessive(self, end: int) -> bool:
        return self.text.startswith(("’s", "'s", "’ ", "' "), end)

    def _canonical_name(self, name: str, title: str = "") -> str:
        """The full name a surname stands for; a title's gender picks among namesakes."""
        parts = name.split()
        if len(parts) != 1:
            return name
        found = self.all_by_last.get(parts[0].lower())
        if not found:
            return name
        m = _TITLE_AT.match(title + " ")
        if m is not None:
            # never a name of the other gender than the title's ("Mrs. Obama")
            gender = "f" if m.group(1) else "m"
            for c in found:
                if (self._gender(c) or gender) == gender:
                    return c
            return name
        return found[0]

    def _resolve_description(
        self, role: str, pos: int, mods: list[str] | None = None
    ) -> _Mention | None:
        """The person introduced earlier with ``role`` ("political analyst X", "X, the minister").

        Capitalised modifiers (``mods``) must be there too: "the Republican nominee"
        is not who was introduced as "Democratic vice presidential nominee X".
        """
        text = self.text
        key = role.lower()
        hits = self.role_hits.get(key)
        if hits is None:
            # each role's uses, found once per text (a literal search), so long articles stay linear
            hits = []
            for at in self.verbs.find_all(key):
                end = at + len(key)
                whole = (at == 0 or not text[at - 1].isalnum()) and (
                    end == len(text) or not text[end].isalnum()
                )
                if whole and not self._in_quote(at):
                    hits.append((at, end))
            self.role_hits[key] = hits
        i = bisect.bisect_left(hits, (pos, pos))
        for hs, he in reversed(hits[max(0, i - _MAX_ROLE_LOOKBACK) : i]):
            if mods:
                near = text[max(0, hs - 60) : hs].split()
                if not all(w in near for w in mods):
                    continue
            e = self._entity_in(he, min(pos, he + 40), he)
            if e is not None and e.type == "PERSON" and e.start >= he:
                return _Mention(e.start, e.start, e.end, e.canonical)
            e = self._entity_in(max(0, hs - 80), hs, hs)
            if e is not None and e.type == "PERSON" and _APPOSITION_GAP.fullmatch(text, e.end, hs):
                return _Mention(e.start, e.start, e.end, e.canonical)
            if _INDEFINITE_BEFORE.search(text, max(0, hs - 50), hs):
                # "a senior U.N. official said. … the official": someone never named
                return _UNNAMED
        return None

    def _after_preposition(self, pos: int, lo: int) -> bool:
        """Whether the mention at ``pos`` is the object of a preposition ("told Fox News")."""
        whole = lo <= pos - 40
        if whole:
            # the same mention is looked at from many windows
            got = self.prepositional.get(pos)
            if got is not None:
                return got
        prev = self.text[max(lo, pos - 40) : pos].lower().split()
        # "with CNN's Wolf Blitzer": a possessive is part of the object
        while prev and (prev[-1] in _DETERMINERS or _is_possessive(prev[-1])):
            prev.pop()
        found = bool(prev) and (prev[-1] in _PREPOSITIONS or prev[-1] in _TELL)
        if whole:
            self.prepositional[pos] = found
        return found

    def _name_ok(self, m: re.Match[str]) -> bool:
        """Whether a run of capitalised words can be a speaker's name."""
        text = self.text
        words = [w for w in m.group().split() if w.rstrip(".") not in _NAME_STOP]
        if not words or self._possessive(m.end()) or words[-1].endswith(("’s", "'s")):
            return False
        if len(words) == 1 and len(words[0].rstrip(".")) < 2:
            return False  # an initial or a piece of an abbreviation: "U." of "U.N."
        if (len(words) >= 3 and len([w for w in words if w.isupper()]) >= 3) or (
            self._other_entity(m.start(), m.end())
        ):
            return False  # a shouted headline, or a place the recogniser already typed
        if _ROLE_WORD.fullmatch(words[-1]) and not _HONORIFIC.match(m.group()):
            return False  # "the Minister", but "Mr. King" is a name
        role = _ROLE_AFTER.match(text, m.end())
        if role is not None and _NAME_NEXT.match(text, role.end()):
            return False  # "Clinton campaign manager Robby Mook": Clinton modifies the role
        head = text[max(0, m.start() - 30) : m.start()]
        if _THE_END.search(head):
            return False  # "the Security Council" names an institution
        if (
            len(words) == 1
            and words[0].lower() not in self.by_last
            and not _HONORIFIC.match(m.group())
        ):
            # one capitalised word opening a sentence is usually not a name
            if not head.strip() or head.rstrip()[-1:] in '.!?"”\n':
                return False
        return True

    def _subject(
        self, a: int, b: int, verb: int, leftmost: bool = False, whole: bool = False
    ) -> tuple[_Mention | None, float]:
        """The speaker named in ``text[a:b]``, nearest the verb at ``verb``.

        The window may precede the verb (Jane Doe said) or follow it (said the
        minister). ``leftmost`` picks the clause's first mention (the subject of a
        participle: "He then defended the remark, saying"). ``whole`` says the
        window is the subject and nothing else. Returns the mention and how much
        to trust it.
        """
        text = self.text
        if a >= b:
            return None, 0.0
        cands: list[tuple[int, int, str, re.Match[str] | Entity]] = []
        e = self._entity_in(a, b, verb)
        taken = (e.start, e.end) if e is not None else (b, b)
        if e is not None:
            cands.append((e.start, e.end, "entity", e))
        for m in _PRONOUN.finditer(text, a, b):
            cands.append((m.start(), m.end(), "pronoun", m))
        if _ROLE_WORD.search(text, a, b):
            for m in _DESCRIPTION.finditer(text, a, b):
                cands.append((m.start(), m.end(), "role", m))
        name_ok = self.name_ok
        for m in _NAME.finditer(text, a, b):
            if m.start() < taken[1] and taken[0] < m.end():
                continue
            # the same capitalised run is looked at from several windows of one quote
            key = (m.start(), m.end())
            ok = name_ok.get(key)
            if ok is None:
                ok = name_ok[key] = self._name_ok(m)
            if ok:
                cands.append((m.start(), m.end(), "name", m))
        # not the speaker: the object of a preposition ("told Fox News", "a letter from
        # his doctor"), words inside a quotation, a relative clause ("X, which represents
        # New York City educators, said")
        if not cands:
            return self._source_phrase(a, b, verb, whole), 0.5
        skip = []
        if text.find(",", a, b) >= 0:
            skip = [(m.start(), m.end()) for m in _RELATIVE.finditer(text, a, b)]
        if text.find(" -", a, b) >= 0 or text.find("—", a, b) >= 0 or text.find("–", a, b) >= 0:
            # "- where the Charlotte Panthers played -": an aside
            skip += [(m.start(), m.end()) for m in _DASHED.finditer(text, a, b)]
        if text.find("(", a, b) >= 0:
            skip += [(m.start(), m.end()) for m in _PARENS.finditer(text, a, b)]  # (R-Ohio)
        cands = [
            c
            for c in cands
            if not (skip and any(rs <= c[0] < rend for rs, rend in skip))
            and not self._in_quote(c[0])
            and not self._after_preposition(c[0], a)
        ]
        if not cands:
            return self._source_phrase(a, b, verb, whole), 0.5
        order = _CANDIDATE_ORDER
        names = [c for c in cands if c[2] in ("entity", "name")]
        if names and len(names) < len(cands):
            # a description apposed to a name ("said the minister, Jane Doe", "Jane Doe, the
            # minister,") is that name; one further off is another mention
            cands = [c for c in cands if c[2] != "role" or not self._apposed(c, names)]
        if leftmost:
            cands.sort(key=lambda c: (c[0], order[c[2]]))
        else:
            cands.sort(key=lambda c: (min(abs(c[0] - verb), abs(c[1] - verb)), order[c[2]]))
        _, _, kind, obj = cands[0]
        if kind == "entity":
            ent = obj  # type: ignore[assignment]
            # a description with a name inside it ("the minister, Jane Doe") still names her
            person = ent.type == "PERSON"
            return _Mention(ent.start, ent.start, ent.end, ent.canonical, person), 0.95
        m = obj  # type: ignore[assignment]
        if kind == "name":
            words = [w for w in m.group().split() if w.rstrip(".") not in _NAME_STOP]
            name = " ".join(words)
            off = m.group().find(words[0])
            canonical = self._canonical_name(name, m.group()[:off].strip())
            return _Mention(m.start(), m.start() + off, m.end(), canonical), 0.8
        if kind == "pronoun":
            p = m.group().lower()
            if p not in ("he", "she"):
                return None, 0.0
            ref = self._recent_person(m.start(), "m" if p == "he" else "f")
            if ref is None:
                return None, 0.0
            if not self._gender(ref.name):
                self.genders[ref.name] = "m" if p == "he" else "f"
            return ref, 0.8
        role = m.group(2)
        mods = [w for w in m.group(1).split() if w[:1].isupper()]
        ref = self._resolve_description(role, m.start(), mods)
        if ref is not None and ref is not _UNNAMED:
            return ref, 0.8
        phrase = _Mention(m.start(), m.start(), m.end(), " ".join(m.group().split()), False)
        if (
            ref is _UNNAMED
            or m.group().split()[0].lower() != "the"
            or any(map(_is_possessive, m.group().split()))
        ):
            # "a police official said", "Gary Johnson's doctor said", "the ad's narrator
            # says": someone not named
            return phrase, 0.5
        gender = "f" if _FEMALE_ROLE.search(role) else "m" if _MALE_ROLE.search(role) else ""
        ref = self._recent_person(m.start(), gender)
        if ref is None:
            return phrase, 0.5
        return ref, 0.55

    def _apposed(self, role: tuple, names: list[tuple]) -> bool:
        """Whether the description ``role`` touches one of ``names`` (only commas between)."""
        text = self.text
        for n in names:
            if n[0] < role[1] and role[0] < n[1]:
                return True
            gap = text[role[1] : n[0]] if role[1] <= n[0] else text[n[1] : role[0]]
            if len(gap) <= 3 and not gap.strip(" ,"):
                return True
        return False

    def _source_phrase(self, a: int, b: int, verb: int, whole: bool = False) -> _Mention | None:
        """An unnamed source that is the whole subject of the verb: "Police say",
        "“…,” the statement said", "said the ruling", "my father often said".

        Only a bare noun phrase counts (a determiner or possessive, at most four
        words, no function word), so a clause never becomes a speaker.
        """
        text = self.text
        seg_start, seg_end = a, b
        if b <= verb:
            # the end of the clause before the verb, less its adverbs: "Police often"
            comma = text.rfind(",", a, b)
            if comma >= 0:
                seg_start = comma + 1
        else:
            # after the verb only for verbs that invert ("said the ruling", not
            # "told reporters")
            said = text[max(0, verb - 12) : verb].split()
            if not said or said[-1].lower() not in _INVERTING:
                return None
            comma = text.find(",", a, b)
            if comma >= 0:
                seg_end = comma
        before = text[max(0, seg_start - 20) : seg_start].rstrip()
        if b <= verb and not whole and before[-1:].isalnum():
            return None  # a clause after "and" or "that": "shootings and protests demands"
        while seg_end > seg_start and text[seg_end - 1] in _TRAILING:
            seg_end -= 1
        words = text[seg_start:seg_end].split()
        if b <= verb:
            while words and words[-1].lower() in _SOURCE_ADVERBS:
                words.pop()
        else:
            # "said the post by an unknown author": the source ends at its first preposition
            cut = next((i for i, w in enumerate(words) if w.lower() in _PREPOSITIONS), -1)
            if cut > 0 and any(w.lower() in _FINITE for w in words[cut:]):
                return None  # "said the destruction of the centre was …": a clause, no source
            if cut > 0:
                words = words[:cut]
                seg_end = text.find(words[-1], seg_start) + len(words[-1])
        if not words or len(words) > 5:
            return None
        body = (
            words[1:]
            if words[0].lower() in _SOURCE_DETERMINERS or _is_possessive(words[0])
            else words
        )
        if not body or len(body) > 4 or not all(_SOURCE_WORD.fullmatch(w) for w in body):
            return None
        if any(
            w.lower() in _SOURCE_STOP or w in _NAME_STOP or _is_possessive(w) for w in body[-1:]
        ):
            return None
        if any(w.lower() in _SOURCE_STOP for w in body):
            return None
        phrase = " ".join(words)
        start = text.find(words[0], seg_start, seg_end)
        end = text.rfind(words[-1], seg_start, seg_end) + len(words[-1])
        if len(words) == 2 and words[0].lower() == "the":
            # "the radio said" after "Damascus Radio": the organisation named with that word
            org = self._named_org(words[1], start)
            if org is not None:
                return _Mention(start, start, end, org, person=False)
        return _Mention(start, start, end, phrase, person=False)

    def _named_org(self, head: str, pos: int) -> str | None:
        """The closest organisation before ``pos`` whose name has the word ``head``."""
        key = head.lower()
        i = bisect.bisect_left(self.ent_starts, pos) - 1
        while i >= 0 and self.ents[i].start >= pos - _ORG_REACH:
            e = self.ents[i]
            if e.type == "ORG" and key in e.text.lower().split():
                return e.canonical
            i -= 1
        return None

    # -- attribution ------------------------------------------------------

    def _after(self, e: int, hi: int) -> tuple[_Mention | None, float, bool]:
        """``…,” SUBJ said`` or ``…,” said SUBJ`` right after the quote."""
        text = self.text
        lead = _LEAD.match(text, e, hi)
        a = lead.end() if lead else e
        end = self._sentence_end(a, hi)
        if _BYLINE_DASH.search(text, e, a):
            # a byline-style attribution: “…” ― Jane Doe
            line_end = text.find("\n", a, hi)
            b = hi if line_end < 0 else line_end
            if b - a < 80:
                subj, conf = self._subject(a, b, a, leftmost=True)
                if subj is not None:
                    return subj, min(conf, 0.9), True
        if _SUBORDINATE.match(text, a, hi):
            # “…,” when Clinton blasted him: a clause about the quote, not its attribution
            return None, 0.0, False
        for v in self.verbs.between(a, min(end, a + 160)):
            # “…,” Jane Doe, a director at the institute, said: the name, not the apposition
            apposed = _APPOSED.match(text, a, v.start) if text[a : a + 1].isupper() else None
            if apposed is not None:
                subj, conf = self._subject(apposed.start(1), apposed.end(1), apposed.end(1))
                if subj is not None and subj.person:
                    return subj, conf, True
            before = _PARENS.sub("", text[a : v.start])
            if len(before.split()) > 12 or _CLAUSE_CUT.search(before):
                break
            ended = text[max(0, e - 3) : e].rstrip("\"”»›’'")[-1:]
            subj, conf = self._subject(a, v.start, v.start)
            if subj is None:
                tail = text[v.end : min(end, v.end + 80)]
                stop = _AFTER_STOP.search(tail)
                b = v.end + (stop.start() if stop else len(tail))
                b = min(b, self._sentence_end(v.end, b))
                subj, conf = self._subject(v.end, b, v.end)
            if subj is None:
                return None, 0.0, True
            if ended in (".", "!", "?") and text[a].isupper():
                # a new sentence: only a short one is this quote's attribution
                # (“…” Trump said.), not "The agency said North Korea had …"
                rest = text[v.end : v.end + 60]
                short = _ATTRIBUTION_TAIL.match(rest)
                if _THAT.match(rest) or (ended == "." and not short):
                    return None, 0.0, False
            return subj, conf, True
        return None, 0.0, False

    def _person_ending_at(self, pos: int, lo: int) -> Entity | None:
        """A person whose mention ends right before ``pos`` (spaces between), not before ``lo``."""
        i = bisect.bisect_left(self.ent_starts, pos) - 1
        if i < 0:
            return None
        e = self.ents[i]
        if e.type != "PERSON" or e.start < lo or e.end > pos or self.text[e.end : pos].strip():
            return None
        return e

    def _verbs(self, start: int, end: int) -> list[Verb]:
        """Reporting verbs in ``text[start:end]`` that are not inside a quotation."""
        return [v for v in self.verbs.between(start, end) if not self._in_quote(v.start)]

    def _before(self, lo: int, s: int) -> tuple[_Mention | None, float, bool]:
        """``SUBJ said: “…`` or ``according to SUBJ, “…`` before the quote.

        The window is the quote's sentence up to the quote; earlier quotes of
        the same sentence are skipped over ("X called it “a” and “b”").
        """
        text = self.text
        start = self._sentence_start(lo, s)
        verbs = self._verbs(start, s)
        if verbs and verbs[-1].word == "read" and not _READ_OUT.match(text, verbs[-1].end, s):
            verbs.pop()  # "She read “The Art of the Deal”", but "The sign read: “…”"
        if not verbs:
            return None, 0.0, False
        v = verbs[-1]
        if len(verbs) > 1 and _INFINITIVE.search(text, max(start, v.start - 4), v.start):
            # "said that it was too early to tell whether …": the finite verb reports
            v = verbs[-2]
        if v.word == "according":
            stop = _ACCORDING_STOP.search(text, v.end, s)
            b = stop.start() if stop else s
            subj, conf = self._subject(v.end, b, v.end)
            return subj, conf, True
        participle = v.word.endswith("ing")
        if participle:
            # "footage of Jane Doe saying “…”": a person right before the participle is its
            # subject, even as the object of a preposition
            e = self._person_ending_at(v.start, start)
            if e is not None:
                return _Mention(e.start, e.start, e.end, e.canonical), 0.8, True
            # "…, with one poster writing “…”": the object of "with" is the participle's subject
            w = _WITH_SUBJECT.search(text, start, v.start)
            if w is not None:
                subj, conf = self._subject(w.start(1), w.end(1), v.start, whole=True)
                if subj is not None and (subj.person or _PERSON_NOUN.search(subj.name)):
                    return subj, conf, True
        clause = start
        if not participle:
            for c in _CLAUSE_CUT.finditer(text, start, v.start):
                if c.group() == "(" and text.find(")", c.end(), v.start) >= 0:
                    continue  # a closed parenthesis does not cut: "Jane Doe (D-Mo.) said"
                if not self._in_quote(c.start()):
                    clause = c.end()
        subj, conf = self._subject(clause, v.start, v.start, leftmost=participle)
        if subj is None and len(verbs) > 1 and _THEY.search(text, verbs[-2].end, v.start):
            # "The statement noted they had said they would take “…”": the reported
            # speakers are not named, the one reporting them is
            w = verbs[-2]
            subj, conf = self._subject(start, w.start, w.start)
        if subj is None and clause > start:
            # coordinated verbs share the sentence's subject: "X bemoaned … and said"
            subj, conf = self._subject(start, v.start, v.start, leftmost=True)
        between = text[v.end : s]
        if subj is None and len(between.split()) <= 8 and _INTRODUCES.search(between):
            # inverted, right before the quote: said the minister: “…”
            stop = _INVERTED_STOP.search(between)
            b = v.end + (stop.start() if stop else len(between))
            b = min(b, self._sentence_end(v.end, b))
            subj, conf = self._subject(v.end, b, v.end)
        return subj, conf, True

    def _intro(self, s: int) -> tuple[_Mention | None, float]:
        """The sentence before the quote: the paragraph's previous one, else the
        last sentence of the paragraph before ("He emphasized that …:")."""
        text = self.text
        ps, _ = self._para(s)
        end = s
        while end > ps and text[end - 1].isspace():
            end -= 1
        if end <= ps:
            prev = self._prev_para(s)
            if prev is None:
                return None, 0.0
            ps, end = prev
            while end > ps and text[end - 1].isspace():
                end -= 1
        if end <= ps or self._in_quote(end - 1):
            return None, 0.0
        start = self._sentence_start(ps, end)
        verbs = self._verbs(start, end)
        for v in verbs[:2]:
            subj, conf = self._before(start, v.end)[:2]
            if subj is None:
                # inverted: "…,” said Victor Cha, a scholar at the centre. “…"
                tail = text[v.end : end]
                stop = _INTRO_STOP.search(tail)
                b = v.end + (stop.start() if stop else len(tail))
                b = min(b, self._sentence_end(v.end, b))
                subj, conf = self._subject(v.end, b, v.end)
            if subj is not None:
                return subj, min(conf, 0.8)
        if verbs and self._sentence_start(ps, s) == start:
            # the quote's own sentence has a reporting verb whose subject is no person
            # ("Only half of the voters agreed that Clinton is in “…”"): none nearby speaks
            return None, 0.0
        ref = self._recent_person(end)
        if ref is not None and ref.pos >= start:
            return ref, 0.45
        return None, 0.0

    def attribute(self, s: int, e: int, require_verb: bool = False) -> Attribution | None:
        """The speaker of the quote ``text[s:e]``; None when nothing points to one.

        With ``require_verb`` only a reporting verb in the quote's own sentence
        counts (short quoted terms need one to be speech at all).
        """
        ps, pe = self._para(s)
        es, ee = self._para(max(s, e - 1))
        nxt = bisect.bisect_left(self.span_starts, e)
        hi = min(ee, self.spans[nxt][0]) if nxt < len(self.spans) else ee

        # a quote earlier in the sentence ends the window: its verb is not this one's
        prv = bisect.bisect_left(self.span_starts, s) - 1
        lo = max(ps, self.spans[prv][1]) if prv >= 0 else ps

        subj, conf, adjacent = self._after(e, hi)
        if subj is None:
            subj, conf, adj2 = self._before(lo, s)
            adjacent = adjacent or adj2
        if subj is None and require_verb and not adjacent:
            return None
        if subj is None and not require_verb:
            subj, conf = self._intro(s)
        if subj is None and self.last_quote is not None:
            # more of what the last speaker said: in this paragraph or the one before,
            # and for a quoted fragment, in the same sentence
            _, le, latt, was_person = self.last_quote
            prev = self._prev_para(s)
            since = prev[0] if prev is not None else ps
            if require_verb:
                since = self._sentence_start(ps, s)
            if latt is not None and latt.speaker and le > since:
                subj = _Mention(s, latt.speaker_start, latt.speaker_end, latt.speaker, was_person)
                conf = 0.6
        if subj is not None and _PRONOUN.fullmatch(subj.name):
            subj = None  # a recogniser may tag "She"; a pronoun is never a speaker
        if subj is None:
            att = Attribution(None, 0.0, None, None, True) if adjacent else None
        else:
            att = Attribution(subj.name, conf, subj.start, subj.end, adjacent)
            if subj.person:
                # the speaker is who "he" means next, wherever the name was
                self._add_salient(_Mention(s, subj.start, subj.end, subj.name))
        self.last_quote = (s, e, att, subj is not None and subj.person)
        return att
