"""Structure: blocks (title, heading, paragraph, noise) and sentences."""

from analysis.structure import is_title_case, sentences, split_blocks, title_of

ARTICLE = """DE

Harbour plans split the town council: a report

The council of Port Elwyn voted on Tuesday to delay the harbour plan. Members said the cost was unclear.

Sport

What the plan would change

Dr. Ana Ruiz, who chairs the board, said the U.S. firm had not replied. She expects an answer in Jan. next year.

12
shares: 4
example.org
"""


def kinds(text):
    return [(text[b.start : b.end], b.kind) for b in split_blocks(text)]


def test_language_code_before_title_is_noise_and_title_is_next_line():
    k = kinds(ARTICLE)
    assert k[0] == ("DE", "noise")
    assert k[1] == ("Harbour plans split the town council: a report", "title")
    assert (
        title_of(ARTICLE, split_blocks(ARTICLE)) == "Harbour plans split the town council: a report"
    )


def test_lone_label_counter_and_domain_are_noise():
    k = dict(kinds(ARTICLE))
    assert k["Sport"] == "noise"
    assert k["12"] == "noise"
    assert k["example.org"] == "noise"
    assert k["shares: 4"] == "noise"


def test_heading_and_paragraphs():
    k = dict(kinds(ARTICLE))
    assert k["What the plan would change"] == "heading"
    para = [t for t, kind in kinds(ARTICLE) if kind == "paragraph"]
    assert len(para) == 2 and para[0].startswith("The council of Port Elwyn")


def test_block_offsets_point_into_the_text_and_exclude_blank_space():
    text = "  Title line here \u00a0\n\n\u00a0\nA sentence that is long enough to be a paragraph.\n"
    for b in split_blocks(text):
        chunk = text[b.start : b.end]
        assert chunk == chunk.strip(" \u00a0\n")
        assert chunk


def test_sentences_keep_abbreviations_and_initials():
    text = "Dr. Ana Ruiz met J. R. Smith in the U.S. on Jan. 5. She left. Then he said no!"
    got = [text[s:e] for s, e in sentences(text)]
    assert got == [
        "Dr. Ana Ruiz met J. R. Smith in the U.S. on Jan. 5.",
        "She left.",
        "Then he said no!",
    ]


def test_sentences_do_not_cross_lines_and_keep_closing_quotes():
    text = "\u201cWe will win.\u201d He smiled.\nNext line"
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["\u201cWe will win.\u201d", "He smiled.", "Next line"]


def test_title_case_detection():
    assert is_title_case("A New Level of Regional Partnership")
    assert not is_title_case("From long-term silence to strategic partnership")
    assert not is_title_case("Word")
