"""Quotes and speakers: one test per rule family, on short texts written here."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.quotes import find_quotes, quote_spans
from analysis.speakers import reporting_verbs
from analysis.types import Block, Entity, Quote


def paragraphs(text: str) -> list[Block]:
    """Every non-blank line is a paragraph block (what the structure pass gives)."""
    return [Block(m.start(), m.end(), "paragraph") for m in re.finditer(r"[^\n]*\S[^\n]*", text)]


def people(text: str, *names: str, canonical: dict[str, str] | None = None) -> list[Entity]:
    """PERSON mentions of ``names`` wherever they occur, longest names first."""
    canonical = canonical or {}
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(names, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(Entity(m.start(), m.end(), "PERSON", name, canonical.get(name, name)))
    return sorted(found, key=lambda e: e.start)


def quotes(text: str, *names: str, canonical: dict[str, str] | None = None) -> list[Quote]:
    return find_quotes(text, paragraphs(text), people(text, *names, canonical=canonical))


def spans(text: str, *names: str) -> list[str]:
    return [text[q.start : q.end] for q in quotes(text, *names)]


# -- marks -----------------------------------------------------------------


def test_curly_and_straight_pairs_include_their_marks() -> None:
    text = (
        "“We will build the road next year,” Jane Doe said.\n\n"
        '"The budget is already approved by the council," John Roe said.'
    )
    assert spans(text, "Jane Doe", "John Roe") == [
        "“We will build the road next year,”",
        '"The budget is already approved by the council,"',
    ]


def test_guillemets_and_low_high_quotes() -> None:
    text = (
        "«Nous allons gagner cette bataille ensemble», a dit Marie Curie, said Anna Lee.\n\n"
        "Otto Hahn said: „Wir werden das Problem sehr bald lösen“ in Berlin.\n\n"
        "Anna Lee said: ‹this is a long quoted clause for you› and left."
    )
    got = spans(text, "Anna Lee", "Otto Hahn")
    assert got == [
        "«Nous allons gagner cette bataille ensemble»",
        "„Wir werden das Problem sehr bald lösen“",
        "‹this is a long quoted clause for you›",
    ]


def test_apostrophes_are_not_quote_marks() -> None:
    text = (
        "Aliyev’s aides don't remember the ’90s, and the students’ union "
        "said: “We can’t accept the minister’s plan as it stands,” in a letter."
    )
    assert spans(text) == ["“We can’t accept the minister’s plan as it stands,”"]


def test_british_single_quotes_are_quotes_but_apostrophes_are_not() -> None:
    text = (
        "‘We will not raise taxes on working families,’ Jane Doe said.\n\n"
        "The students’ union and the ’90s rock ’n’ roll fans don't agree, John Roe's aide said."
    )
    got = quotes(text, "Jane Doe", "John Roe")
    assert [text[q.start : q.end] for q in got] == [
        "‘We will not raise taxes on working families,’"
    ]
    assert got[0].speaker == "Jane Doe"


def test_misplaced_straight_opening_mark_still_opens() -> None:
    text = 'Jane Doe said kits would be ready," For example, schools can run their own votes".'
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end] for q in got] == [
        '" For example, schools can run their own votes"'
    ]
    assert got[0].speaker == "Jane Doe"


def test_nested_single_quotes_stay_inside_the_double_quote() -> None:
    text = "“He told me, ‘don’t worry about the vote’, and then he left,” Jane Doe said."
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end] for q in got] == [
        "“He told me, ‘don’t worry about the vote’, and then he left,”"
    ]
    assert got[0].speaker == "Jane Doe"


def test_nested_double_quote_of_another_kind_is_part_of_the_outer_quote() -> None:
    text = 'Jane Doe said: "We must drain the “Washington swamp” and do it soon," and smiled.'
    assert spans(text, "Jane Doe") == ['"We must drain the “Washington swamp” and do it soon,"']


# -- unbalanced and multi-paragraph ------------------------------------------


def test_opening_without_close_ends_at_paragraph_end() -> None:
    text = (
        "Jane Doe spoke at the forum.\n\n"
        '"I did not predict his victory. I simply said it would be good for us.\n\n'
        "The forum ended on Sunday."
    )
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end] for q in got] == [
        '"I did not predict his victory. I simply said it would be good for us.'
    ]
    assert got[0].speaker == "Jane Doe"


def test_closing_without_opening_starts_at_paragraph_start() -> None:
    text = (
        "Jane Doe spoke to reporters.\n\n"
        "The talks were difficult but we reached a fair deal today,” she said."
    )
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end] for q in got] == [
        "The talks were difficult but we reached a fair deal today,”"
    ]
    assert got[0].speaker == "Jane Doe"


def test_closing_without_opening_starts_after_an_introducing_colon() -> None:
    text = (
        "Jane Doe visited the plant.\n\n"
        "She emphasized that energy matters for the region:Our exports are growing "
        "and the pipeline will be finished."
        "”\n\nThe plant opened in 2010."
    )
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end] for q in got] == [
        "Our exports are growing and the pipeline will be finished.”"
    ]
    assert got[0].speaker == "Jane Doe"


def test_multi_paragraph_quote_without_repeated_opening_mark() -> None:
    text = (
        "Jane Doe, an economist, spoke to the agency.\n\n"
        "“Prices rose for many years in a row.\n\n"
        "Then the central bank changed its policy.\n\n"
        "Now the outlook is calm,” the economist said.\n\n"
        "Markets closed higher."
    )
    got = quotes(text, "Jane Doe")
    assert len(got) == 1
    assert text[got[0].start : got[0].end].startswith("“Prices rose")
    assert text[got[0].start : got[0].end].endswith("calm,”")
    assert got[0].speaker == "Jane Doe"


def test_multi_paragraph_quote_with_repeated_opening_mark() -> None:
    text = (
        "“The first part of the statement is here.\n\n"
        "“And the second part follows it right away,” John Roe said.\n\n"
        "The hearing went on."
    )
    got = quotes(text, "John Roe")
    assert len(got) == 1
    assert text[got[0].start : got[0].end].endswith("away,”")
    assert got[0].start == 0 and got[0].speaker == "John Roe"


def test_open_quote_does_not_swallow_a_later_quote_after_narration() -> None:
    text = (
        "John Roe said: “The first statement was never closed by the site.\n\n"
        "Jane Doe noted that the meeting was long.\n\n"
        "“This is a separate statement entirely,” she concluded."
    )
    got = quotes(text, "John Roe", "Jane Doe")
    assert [text[q.start : q.end] for q in got] == [
        "“The first statement was never closed by the site.",
        "“This is a separate statement entirely,”",
    ]
    assert [q.speaker for q in got] == ["John Roe", "Jane Doe"]


def test_quote_marks_in_noise_and_headings_do_not_open_quotes() -> None:
    text = "Pipeline news\n\nTransxəzər”\n\nThe weather was fine across the region today."
    blocks = [Block(0, 13, "heading"), Block(15, 26, "noise"), Block(28, len(text), "paragraph")]
    assert find_quotes(text, blocks, []) == []


# -- speech or not -------------------------------------------------------------


def test_scare_quotes_and_titles_are_not_speech() -> None:
    text = (
        "He wants to drain the “Washington swamp” this year.\n\n"
        "She read “The Art of the Deal” on the plane home."
    )
    assert quotes(text) == []


def test_short_quote_attributed_by_a_reporting_verb_is_speech() -> None:
    text = "Jane Doe called the plan “deeply flawed” on Monday."
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end] for q in got] == ["“deeply flawed”"]
    assert got[0].speaker == "Jane Doe"


# -- speakers --------------------------------------------------------------------


def test_speaker_after_the_quote_name_first_or_verb_first() -> None:
    text = (
        "“The port will reopen on Monday morning,” Mammadov noted.\n\n"
        "“We expect more ships than last year,” said the minister, Jane Doe."
    )
    got = quotes(text, "Mammadov", "Jane Doe", canonical={"Mammadov": "Zaur Mammadov"})
    assert [q.speaker for q in got] == ["Zaur Mammadov", "Jane Doe"]
    first = got[0]
    assert text[first.speaker_start : first.speaker_end] == "Mammadov"
    assert 0 < first.confidence <= 1


def test_speaker_before_the_quote() -> None:
    text = "John Roe told reporters: “We will not sign this agreement under pressure.”"
    got = quotes(text, "John Roe")
    assert got[0].speaker == "John Roe"


def test_according_to() -> None:
    text = "According to Jane Doe, “the figures will be published after the audit.”"
    assert quotes(text, "Jane Doe")[0].speaker == "Jane Doe"


def test_pronoun_resolves_to_last_named_person_never_to_a_possessive() -> None:
    text = (
        "John Roe praised Jane Doe’s record at the summit.\n\n"
        "“Relations have never been better than they are now,” he concluded."
    )
    got = quotes(text, "John Roe", "Jane Doe")
    assert got[0].speaker == "John Roe"
    assert got[0].speaker not in ("he", "He")


def test_pronoun_skips_names_inside_quotes() -> None:
    text = (
        "Jane Doe spoke first.\n\n"
        "“John Roe has done a great deal for this city and for us,” she said."
    )
    assert quotes(text, "Jane Doe", "John Roe")[0].speaker == "Jane Doe"


def test_pronoun_respects_gender_cues() -> None:
    text = (
        "Ms. Jane Doe met Mr. John Roe in the capital.\n\n"
        "“We agreed on every point we discussed today,” she said."
    )
    assert quotes(text, "Jane Doe", "John Roe")[0].speaker == "Jane Doe"


def test_pronoun_gender_learned_from_said_she() -> None:
    text = (
        "Jane Doe met the press. Later John Roe said he would stay in the party.\n\n"
        "“I have made my decision and I will not change it,” she said."
    )
    assert quotes(text, "Jane Doe", "John Roe")[0].speaker == "Jane Doe"


def test_description_resolves_to_the_person_introduced_with_it() -> None:
    text = (
        "Political analyst Zaur Mammadov spoke first. Then Jane Doe, a diplomat, spoke.\n\n"
        "“The talks will resume in the spring of next year,” the analyst stated."
    )
    got = quotes(text, "Zaur Mammadov", "Jane Doe")
    assert got[0].speaker == "Zaur Mammadov"


def test_description_without_introduction_falls_back_to_recent_speaker() -> None:
    text = (
        "Zaur Mammadov emphasized in a statement that the visit marks a new stage.\n\n"
        "“For many years, relations were tense and the talks were stalled,” "
        "the political analyst stated."
    )
    got = quotes(text, "Zaur Mammadov")
    assert got[0].speaker == "Zaur Mammadov"
    assert got[0].confidence < 0.9


def test_introducing_sentence_of_the_previous_paragraph() -> None:
    text = (
        "Jane Doe emphasized in a statement to the agency that trade is growing.\n\n"
        "“Our exports doubled, and the new port will double them again.”"
    )
    assert quotes(text, "Jane Doe")[0].speaker == "Jane Doe"


def test_interrupted_quote_is_one_quotation() -> None:
    text = "“By locking in the deal,” Jane Doe said, “we opened the way for everyone else.”"
    got = quotes(text, "Jane Doe")
    assert len(got) == 1
    assert (got[0].start, got[0].end) == (0, len(text))
    assert got[0].speaker == "Jane Doe"


def test_two_fragments_with_narration_between_stay_two_quotes() -> None:
    text = "Jane Doe called the bank’s conduct “outrageous” and called for bonuses to be “clawed back.”"
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end] for q in got] == ["“outrageous”", "“clawed back.”"]
    assert [q.speaker for q in got] == ["Jane Doe", "Jane Doe"]


def test_a_country_can_speak_when_no_person_does() -> None:
    text = "Russia insisted that the talks were “a waste of everybody's time.”"
    ents = [Entity(0, 6, "PLACE", "Russia", "Russia")]
    got = find_quotes(text, paragraphs(text), ents)
    assert got[0].speaker == "Russia"


def test_next_sentence_about_someone_else_is_not_the_attribution() -> None:
    text = (
        "Russia insisted that Pyongyang “stop its dangerous escapades.” "
        "The Atomic Energy Agency said North Korea had enriched uranium."
    )
    ents = [
        Entity(0, 6, "PLACE", "Russia", "Russia"),
        Entity(67, 89, "ORG", "Atomic Energy Agency", "Atomic Energy Agency"),
    ]
    assert find_quotes(text, paragraphs(text), ents)[0].speaker == "Russia"


def test_unnamed_sources_are_given_as_written() -> None:
    text = (
        "Police say they have “adequate resources” to secure the city.\n\n"
        "“The girls have been found unharmed,” a police official said.\n\n"
        "“Discussions with the union are continuing,” the company said in a statement.\n\n"
        "“A state cannot avoid the conclusion that its process removes voters,” said the ruling."
    )
    assert [q.speaker for q in quotes(text)] == [
        "Police",
        "a police official",
        "the company",
        "the ruling",
    ]


def test_the_organisation_named_with_the_same_word() -> None:
    text = (
        "Damascus Radio attacked the plan on Friday.\n\n"
        "“When this government insists on stabbing the peace process,” the radio said."
    )
    ents = [Entity(0, 14, "ORG", "Damascus Radio", "Damascus Radio")]
    assert find_quotes(text, paragraphs(text), ents)[0].speaker == "Damascus Radio"


def test_a_clause_or_an_object_is_not_an_unnamed_source() -> None:
    text = (
        "Jane Doe said the recent shootings and protests demands that people engage in "
        "“more listening.”\n\n"
        "“We will not close the plant before next winter,” told reporters on Monday."
    )
    got = quotes(text, "Jane Doe")
    assert got[0].speaker == "Jane Doe"
    assert got[1].speaker != "reporters"


def test_apposition_after_the_name_does_not_hide_it() -> None:
    text = (
        "“There is a severe disconnect between the generals and the White House,” "
        "Michael Flynn, a top John Smith surrogate, said on Thursday.\n\n"
        "“This narrative is being pushed by the media,” Malkia Cyril, the executive director "
        "at the Center of Media Justice and also featured in the film, told the Post."
    )
    got = quotes(text, "Michael Flynn", "John Smith", "Malkia Cyril")
    assert [q.speaker for q in got] == ["Michael Flynn", "Malkia Cyril"]


def test_honorific_name_after_a_quote_is_a_name() -> None:
    text = (
        "Marc Morial spoke first.\n\n"
        "“It is all about creating some enthusiasm around this race,” Mr. King added."
    )
    assert quotes(text, "Marc Morial")[0].speaker == "King"


def test_possessive_description_is_someone_else() -> None:
    text = (
        "Gary Johnson released his tax returns.\n\n"
        "Gary Johnson’s doctor is calling the candidate “extremely physically fit.”"
    )
    assert quotes(text, "Gary Johnson")[0].speaker == "Gary Johnson’s doctor"


def test_party_label_in_parentheses_is_not_a_speaker() -> None:
    text = "“We cannot have people come here and deny it,” Rep. John Mica (R-Fla.) said."
    assert quotes(text, "John Mica")[0].speaker == "John Mica"


def test_honorific_picks_the_namesake_of_that_gender() -> None:
    text = (
        "Michelle Obama and Barack Obama arrived. Mrs. Obama waved.\n\n"
        "“Our progress is on the ballot this time,” Mr. Obama said."
    )
    ents = people(text, "Barack Obama", "Michelle Obama")
    ents.append(
        Entity(
            text.index("Mrs. Obama") + 5,
            text.index("Mrs. Obama") + 10,
            "PERSON",
            "Obama",
            "Michelle Obama",
        )
    )
    ents.sort(key=lambda e: e.start)
    got = find_quotes(text, paragraphs(text), ents)
    assert got[0].speaker == "Barack Obama"


def test_organisation_before_a_role_is_not_the_speaker() -> None:
    text = (
        "Hilary Braysmith, USI associate professor of art history, said, "
        "“I think his photography is equally influential as his graphic works.”"
    )
    ents = people(text, "Hilary Braysmith")
    ents.append(Entity(text.index("USI"), text.index("USI") + 3, "ORG", "USI", "USI"))
    ents.sort(key=lambda e: e.start)
    assert find_quotes(text, paragraphs(text), ents)[0].speaker == "Hilary Braysmith"


def test_with_subject_of_a_participle() -> None:
    text = (
        "Critics joined in, with Caitlin Boswell stating: "
        "“People fleeing desperate circumstances need this help now.”\n\n"
        "Many were critical of the attacks, with one poster writing "
        "“How can people look at both sides if one side is gone?”"
    )
    got = quotes(text, "Caitlin Boswell", "Boswell", canonical={"Boswell": "Caitlin Boswell"})
    assert [q.speaker for q in got] == ["Caitlin Boswell", "one poster"]


def test_no_pronoun_is_ever_a_speaker() -> None:
    text = "“I have nothing more to add to this statement today,” she said."
    got = quotes(text)
    assert len(got) == 1
    assert got[0].speaker is None


def test_speaker_is_the_canonical_full_name() -> None:
    text = (
        "President Ilham Aliyev arrived on Monday.\n\n"
        "“We are grateful for the invitation to this meeting,” Aliyev said."
    )
    got = quotes(text, "Ilham Aliyev", "Aliyev", canonical={"Aliyev": "Ilham Aliyev"})
    assert got[0].speaker == "Ilham Aliyev"
    assert text[got[0].speaker_start : got[0].speaker_end] == "Aliyev"


def test_works_without_blocks() -> None:
    text = "“The harvest was the best in a decade,” Jane Doe said."
    got = find_quotes(text, [], people(text, "Jane Doe"))
    assert got[0].speaker == "Jane Doe"


def test_reporting_verbs_keep_offsets_when_lower_case_is_longer() -> None:
    # "İ" lower-cases to two characters and the Kelvin sign to "k": the verb index
    # must still give offsets into the text as written
    for prefix in ("", "İstanbul \u212aelvin. "):
        text = prefix + "Officials said, according to Jane Doe. So-called unsaid words. Says"
        got = [(text[v.start : v.end], v.word) for v in reporting_verbs(text)]
        assert got == [("said", "said"), ("according to", "according"), ("Says", "says")]


def test_a_capitalised_verb_after_a_name_is_part_of_the_name() -> None:
    text = "Human Rights Watch Says it reported. Jane Doe said it."
    assert [v.word for v in reporting_verbs(text)] == ["reported", "said"]
    # the word before the window does not count
    start = text.index("Says")
    assert [v.word for v in reporting_verbs(text, start)] == ["says", "reported", "said"]


# -- properties --------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("ab .,:\n\"“”„«»‹›'’‘ ") + ["Jane Doe", " said ", "\n\n"])


def _check(text: str, found: list[Quote]) -> None:
    last = 0
    for q in found:
        assert 0 <= q.start < q.end <= len(text)
        assert q.start >= last
        last = q.end
        assert 0.0 <= q.confidence <= 1.0
        if q.speaker_start is not None:
            assert 0 <= q.speaker_start < q.speaker_end <= len(text)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_unicode_gives_in_range_non_overlapping_spans(text: str) -> None:
    _check(text, find_quotes(text, paragraphs(text), []))
    for s, e, _ in quote_spans(text):
        assert 0 <= s < e <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_mark_heavy_text_gives_in_range_non_overlapping_spans(text: str) -> None:
    _check(text, find_quotes(text, paragraphs(text), people(text, "Jane Doe")))


def test_a_second_reporting_verb_splits_an_interrupted_quote() -> None:
    text = (
        "“We certainly cannot afford to do this anymore,” Jane Doe said, adding later, "
        "“the alliance is costing us a fortune every single year.”"
    )
    got = quotes(text, "Jane Doe")
    assert [text[q.start : q.end][:12] for q in got] == ["“We certainl", "“the allianc"]
    assert [q.speaker for q in got] == ["Jane Doe", "Jane Doe"]


def test_an_attribution_opening_a_new_sentence_introduces_the_next_quote() -> None:
    text = (
        'Jane Doe told her: "Of course I believe in the devil. I was just kidding." '
        'To which she said, "Thank God at least you still believe in the devil."'
    )
    assert len(quotes(text, "Jane Doe")) == 2


def test_a_short_title_case_line_followed_by_its_speaker_is_speech() -> None:
    text = "Anna Lee waited by the screen.\n\n“Here comes Big Daddy,” Anna Lee said, clapping."
    got = quotes(text, "Anna Lee")
    assert [text[q.start : q.end] for q in got] == ["“Here comes Big Daddy,”"]
    assert got[0].speaker == "Anna Lee"


def test_a_short_piece_after_the_attribution_continues_the_quote() -> None:
    text = "“I would,” Anna Lee said to the screen. “I would, Donald.”"
    got = quotes(text, "Anna Lee")
    assert [(q.start, q.end, q.speaker) for q in got] == [(0, len(text), "Anna Lee")]


def test_a_chant_right_after_its_verb_is_speech_but_a_label_is_not() -> None:
    text = "Max Poe walked onto the stage, chanting “U-S-A! U-S-A!”"
    assert spans(text, "Max Poe") == ["“U-S-A! U-S-A!”"]
    text = "When the website examined the statement, it was labeled “Mostly True.”"
    assert spans(text) == []


def test_promising_lauding_and_exhorting_report_short_quotes() -> None:
    text = (
        "Max Poe is promising lower taxes and “jobs, jobs, jobs,” this year.\n\n"
        "Jane Doe exhorted voters to “vote your conscience” in July."
    )
    got = quotes(text, "Max Poe", "Jane Doe")
    assert [(text[q.start : q.end], q.speaker) for q in got] == [
        ("“jobs, jobs, jobs,”", "Max Poe"),
        ("“vote your conscience”", "Jane Doe"),
    ]


def test_markup_attribute_values_are_not_quotes() -> None:
    text = (
        '<tweet tweet-author="the numbers he used check out and his general point was '
        'correct" tweet-date="so we rate it mostly true for now">Jane Doe said it.'
    )
    assert quotes(text, "Jane Doe") == []
