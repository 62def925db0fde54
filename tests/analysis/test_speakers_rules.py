"""Speaker attribution: which mention in the quote's neighbourhood is the speaker.

One test per rule family, on short texts written here; entities are given
explicitly so the tests exercise attribution, not recognition.
"""

from __future__ import annotations

import re

from analysis.quotes import find_quotes
from analysis.speakers import reporting_verbs
from analysis.types import Block, Entity


def paragraphs(text: str) -> list[Block]:
    """Every non-blank line is a paragraph block (what the structure pass gives)."""
    return [Block(m.start(), m.end(), "paragraph") for m in re.finditer(r"[^\n]*\S[^\n]*", text)]


def mentions(text: str, **kinds: str) -> list[Entity]:
    """Entities for ``name=TYPE`` pairs (underscores stand for spaces), every occurrence.

    A short form whose words end a longer name gets that name as canonical.
    """
    names = {k.replace("_", " "): v for k, v in kinds.items()}
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(names, key=len, reverse=True):
        full = next((n for n in names if n != name and n.endswith(" " + name)), name)
        for m in re.finditer(re.escape(name), text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(Entity(m.start(), m.end(), names[name], name, full))
    return sorted(found, key=lambda e: e.start)


def speakers(text: str, **kinds: str) -> list[tuple[str, str | None]]:
    """(quote text, speaker) for every quote found."""
    qs = find_quotes(text, paragraphs(text), mentions(text, **kinds))
    return [(text[q.start : q.end], q.speaker) for q in qs]


def speaker_of(text: str, quote: str, **kinds: str) -> str | None:
    got = [sp for q, sp in speakers(text, **kinds) if quote in q]
    assert len(got) == 1, speakers(text, **kinds)
    return got[0]


# -- which verb reports -------------------------------------------------------


def test_verb_forms_after_a_determiner_are_nouns() -> None:
    text = "The answers to his remarks were slow. Jane said it."
    assert [text[v.start : v.end] for v in reporting_verbs(text)] == ["said"]
    # a text with a character whose lower case is longer takes the word-by-word path
    text = "İzmir: the answers to his remarks were slow. Jane said it."
    assert [text[v.start : v.end] for v in reporting_verbs(text)] == ["said"]


def test_an_infinitive_does_not_replace_the_finite_verb() -> None:
    text = (
        "Mayor Jane Doe spoke at noon.\n\n"
        "At a press conference, the mayor said that it was too early to tell whether "
        "the fire was set, and there was “no evidence” of a crime."
    )
    assert speaker_of(text, "no evidence", Jane_Doe="PERSON") == "Jane Doe"


def test_a_subordinate_clause_after_a_quote_is_not_its_attribution() -> None:
    text = (
        "The clip shows John Roe saying, “That makes me smart,” when Jane Doe "
        "criticized him for the tax returns."
    )
    assert speaker_of(text, "smart", John_Roe="PERSON", Jane_Doe="PERSON") == "John Roe"


def test_a_person_right_before_a_participle_is_its_subject() -> None:
    text = "The new advert uses footage of Jane Doe asking, “Why am I not far ahead of him?”"
    assert speaker_of(text, "Why am I", Jane_Doe="PERSON") == "Jane Doe"


def test_a_double_hyphen_ends_the_clause_before_the_verb() -> None:
    text = (
        "Rep. John Roe, the senior member of the panel, called on President Max Poe to act "
        'against the hackers -- meddling the Ohio congressman said is meant to "sow discord".'
    )
    got = speaker_of(text, "sow discord", John_Roe="PERSON", Max_Poe="PERSON")
    assert got == "John Roe"


# -- descriptions -------------------------------------------------------------


def test_a_description_stops_at_a_preposition() -> None:
    text = (
        "Veteran Max Poe served twice.\n\n"
        'The answers to veteran suicides are "not meeting the demand," says John Roe, '
        "founder of the group. "
        '"We often compare it to the early days of a crisis that nobody saw coming."'
    )
    got = speaker_of(text, "We often compare", Max_Poe="PERSON", John_Roe="PERSON")
    assert got == "John Roe"


def test_a_description_far_from_a_name_is_not_dropped_for_it() -> None:
    text = (
        "Mayor Jane Doe met residents.\n\n"
        "After President Max Poe left the city, the mayor said it was “a sad day for all of us "
        "who live here.”"
    )
    assert speaker_of(text, "a sad day", Jane_Doe="PERSON", Max_Poe="PERSON") == "Jane Doe"


def test_a_description_apposed_to_a_name_is_that_name() -> None:
    text = "“We will win the vote next week,” said the minister, Jane Doe, on Monday."
    assert speaker_of(text, "We will win", Jane_Doe="PERSON") == "Jane Doe"


def test_whoever_is_told_is_not_the_speaker() -> None:
    text = (
        "Jane Doe, the head of the league, told a young woman who asked about turnout "
        'that "this is not the first generation to be frustrated by politics."'
    )
    assert speaker_of(text, "first generation", Jane_Doe="PERSON") == "Jane Doe"


def test_a_person_modifying_a_role_before_a_name_is_not_the_speaker() -> None:
    text = (
        "Doe campaign manager John Roe told reporters on Monday that the campaign expects "
        "the host to interrupt by calling out Max Poe for his supposed “lies”."
    )
    got = speaker_of(text, "lies", Jane_Doe="PERSON", Doe="PERSON", John_Roe="PERSON")
    assert got == "John Roe"


def test_a_possessive_description_is_someone_not_named() -> None:
    text = (
        "Jane Doe spoke at the rally.\n\n"
        "“If he thinks that makes him smart,” the ad’s narrator says, “what does he think?”"
    )
    assert speaker_of(text, "smart", Jane_Doe="PERSON") == "the ad’s narrator"


def test_a_thing_before_a_participle_after_with_is_no_speaker() -> None:
    text = (
        "The party removed the old pledge, replacing it with softer language calling for "
        "“appropriate assistance.”"
    )
    got = [sp for q, sp in speakers(text) if "assistance" in q]
    assert got in ([], [None])
    text = "The thread filled up fast, with one poster writing “this is the end of it all.”"
    assert speaker_of(text, "the end") == "one poster"


def test_names_in_a_dashed_aside_do_not_speak() -> None:
    text = (
        "Small groups marched around the stadium - where the Carolina Bears played the "
        'Ohio Owls - while chanting, "Hands up, do not shoot at us."'
    )
    got = speakers(text, Carolina_Bears="PERSON", Ohio_Owls="ORG")
    assert got and all(sp not in ("Carolina Bears", "Ohio Owls") for _, sp in got)


def test_an_organisation_modifying_a_source_is_not_the_speaker() -> None:
    text = (
        "Twenty-two years ago, a Times article hailed the developer as a hero.\n\n"
        "“He has managed to return from the brink of ruin,” the article read."
    )
    got = speaker_of(text, "brink", Twenty_two="ORG", Times="ORG")
    assert got == "the article"


def test_a_reporting_verb_with_an_unnamed_subject_keeps_nearby_names_out() -> None:
    text = "Only half of the voters agreed that Jane Doe is in “good enough health to serve,” then."
    got = [sp for q, sp in speakers(text, Jane_Doe="PERSON") if "good enough" in q]
    assert got in ([], [None])


def test_party_words_are_no_speakers() -> None:
    text = (
        "Mike Poe says too much is made of it.\n\n"
        "The Republican nominee was speaking in Ohio on Friday.\n\n"
        "The governor said that the media are to blame for focusing on “he said this, he "
        "tweeted that.”"
    )
    got = speaker_of(text, "he said this", Mike_Poe="PERSON", Republican="PERSON")
    assert got == "Mike Poe"


def test_a_possessive_person_can_be_the_one_a_pronoun_means() -> None:
    text = (
        "Jane Doe’s doctor is calling the candidate fit.\n\n"
        "She released a letter on Friday. She said the letter shows “extraordinarily good "
        "health for a woman of her age and her busy schedule.”"
    )
    assert speaker_of(text, "extraordinarily", Jane_Doe="PERSON") == "Jane Doe"


def test_a_title_read_is_not_speech_but_a_sign_read_out_is() -> None:
    text = "She read “The Art of the Deal” on the plane home."
    assert speakers(text) == []
    text = "Jane Doe stood by the gate. The sign read: “No entry for anyone after dark today.”"
    assert speaker_of(text, "No entry", Jane_Doe="PERSON") == "The sign"


def test_a_description_needs_its_capitalised_modifiers_where_it_was_introduced() -> None:
    text = (
        "Republicans are slamming Democratic vice presidential nominee John Roe for his work.\n\n"
        "Max Poe spoke in Ohio on Friday.\n\n"
        "The Republican nominee also outlined his plan and vowed to punish “those who "
        "break the rules.”"
    )
    got = speaker_of(text, "break the rules", John_Roe="PERSON", Max_Poe="PERSON")
    assert got == "Max Poe"


def test_unnamed_reported_speakers_give_way_to_the_one_reporting_them() -> None:
    text = (
        "The council met on Friday. The statement noted they had previously said they "
        'would take "further significant measures" against the north.'
    )
    assert speaker_of(text, "further significant") == "The statement"


def test_an_unnamed_source_carried_to_the_next_quote_is_no_pronoun_antecedent() -> None:
    text = (
        "Max Poe spoke at a forum with military leaders on Monday.\n\n"
        "At the forum, one questioner claimed that “political correctness” and “social "
        "engineering,” “like women in combat and other new rules,” were hurting them.\n\n"
        "“You’re right, we have a very correct military,” he said, adding that “some of the "
        "things they ask you to do are ridiculous.”"
    )
    got = [sp for _, sp in speakers(text, Max_Poe="PERSON") if sp is not None]
    assert got[-2:] == ["Max Poe", "Max Poe"]


def test_an_inverted_unnamed_source_ends_at_its_first_preposition() -> None:
    text = (
        "One poster wrote about the attack.\n\n"
        '"Someone emailed me earlier today about a tool to attack the website," said the post '
        "by an unknown author on the forum."
    )
    assert speaker_of(text, "Someone emailed") == "the post"


def test_a_description_first_introduced_without_a_name_stays_unnamed() -> None:
    text = (
        "Prime Minister John Major spoke on Friday.\n\n"
        '"We condemn the attack on the city," said a Foreign Office spokesman.\n\n'
        "Planes patrol the area every single day.\n\n"
        '"We are in close touch with all our allies," said the Foreign Office spokesman.'
    )
    got = speakers(text, John_Major="PERSON")
    assert [sp for _, sp in got] == ["a Foreign Office spokesman", "the Foreign Office spokesman"]


def test_a_description_after_a_definite_one_still_resolves() -> None:
    text = (
        "President Max Poe answered a question for the president on Monday.\n\n"
        "“The truth of the matter is that this issue has been manufactured,” the president said."
    )
    assert speaker_of(text, "The truth", Max_Poe="PERSON") == "Max Poe"


def test_an_inverted_clause_after_said_is_no_source() -> None:
    text = (
        "The letter from Jane Doe said the destruction of the centre was an effort by them to "
        '"alter the character and status of the old city for ever."'
    )
    assert speaker_of(text, "alter the character", Jane_Doe="PERSON") != "the destruction"


def test_a_possessive_owner_of_a_spokesman_is_not_the_speaker() -> None:
    text = "Max Poe’s spokesman John Roe said the plan was “a serious offer to the unions.”"
    assert speaker_of(text, "serious offer", Max_Poe="PERSON", John_Roe="PERSON") == "John Roe"


def test_a_name_before_its_apposition_speaks() -> None:
    text = (
        '"The answers are not meeting the demand," says John Roe, founder and head of '
        "the Veterans Group of Ohio."
    )
    assert speaker_of(text, "not meeting", John_Roe="PERSON", Veterans_Group="ORG") == "John Roe"


def test_a_pronoun_skips_a_person_whose_given_name_is_of_the_other_gender() -> None:
    text = (
        "Mary Wood met Peter Hall at the station. Peter Hall spoke first.\n"
        "“We are ready,” she said.\n"
        "Mary Wood and Peter Hall left. “It went well,” he said.\n"
    )
    kinds = {"Mary_Wood": "PERSON", "Peter_Hall": "PERSON"}
    assert speaker_of(text, "ready", **kinds) == "Mary Wood"
    assert speaker_of(text, "went well", **kinds) == "Peter Hall"
