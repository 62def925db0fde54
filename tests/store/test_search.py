"""The search index's pure core, fed plain records (no Library)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import NotFound
from store.search import ArticleRecord, SearchIndex, name_score, parse_query
from store.search_text import NgramIndex, name_key, normalize, skeleton


def ent(text: str, etype: str = "PERSON", canonical: str | None = None, start: int = 0):
    return (text, etype, canonical or text, start, start + len(text))


def caucasus() -> list[ArticleRecord]:
    return [
        ArticleRecord(
            "a1",
            "Aliyev visits the White House",
            tags=["politics", "Caucasus"],
            entities=[
                ent("President Ilham Aliyev", canonical="Ilham Aliyev", start=0),
                ent("Aliyev", canonical="Ilham Aliyev", start=40),
                ent("Nikol Pashinyan", start=80),
                ent("Zangezur", "PLACE", start=120),
                ent("Ian Smith", start=160),
                ent("Baku Political Scientists Club", "ORG", start=200),
            ],
            quotes=[("“We will win the peace,” Aliyev said.", "Ilham Aliyev", 300, 338)],
            notes=[("n-1", "Aliyev stresses the corridor again")],
            highlights=[("hl-1", "the Zangezur corridor", "", 120, 141, ["transport"])],
        ),
        ArticleRecord(
            "a2",
            "Armenia weighs the peace treaty",
            tags=["Caucasus"],
            entities=[
                ent("Pashinyan", canonical="Pashinyan", start=0),
                ent("Zangazur", "PLACE", start=20),
                ent("Ilham Aliev", start=40),
                ent("Ian", start=60),
            ],
            quotes=[("“The road stays closed,” Pashinyan said.", "Pashinyan", 100, 140)],
        ),
        ArticleRecord(
            "a3",
            "Azerbaijan's gas exports grow",
            tags=["economy"],
            entities=[ent("Əliyev", start=0), ent("Zaur Mammadov", start=10)],
            quotes=[
                ("“Energy security is our priority,” Mammadov noted.", "Zaur Mammadov", 50, 99)
            ],
        ),
    ]


@pytest.fixture
def index() -> SearchIndex:
    return SearchIndex.from_records(caucasus())


def entity_hits(index: SearchIndex, query: str, **kw):
    return [h for h in index.search(query, **kw) if h.kind == "entity"]


def articles_of(hit) -> set[str]:
    return {a.id for a in hit.articles}


# --------------------------------------------------------------------------- normalising


def test_normalize_folds_case_diacritics_schwa_and_punctuation() -> None:
    assert normalize("Əliyev") == "aliyev"
    assert normalize("  Ilham   ALIYEV’s ") == "ilham aliyev"
    assert normalize("Jean-Luc Mélenchon") == "jean luc melenchon"
    assert normalize("O'Brien") == "obrien"
    assert normalize("Łódź") == "lodz"
    assert normalize("Москва") == "москва"


def test_name_key_drops_leading_titles_only() -> None:
    assert name_key("president ilham aliyev") == "ilham aliyev"
    assert name_key("prime minister nikol pashinyan") == "nikol pashinyan"
    assert name_key("president") == "president"
    assert name_key("ilham aliyev president") == "ilham aliyev president"


def test_skeleton_ignores_vowels_and_doubled_letters() -> None:
    assert skeleton("zangezur") == skeleton("zangazur")
    assert skeleton("aliyev") == skeleton("aliev")
    assert skeleton("mammadov") == skeleton("mamedov")
    assert skeleton("nikol pashinyan") != skeleton("nikol kocharyan")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcAZ09 _-.,'`\tée", max_size=20))
def test_normalize_fast_path_agrees_with_the_general_rules(text) -> None:
    # Plain letters and digits between single spaces skip the regular expressions;
    # the result must be what the expressions give.
    got = normalize(text)
    assert got == " ".join(got.split())
    if text.isascii() and "'" not in text and "`" not in text:
        assert got == " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="aeiouybcdmnz", min_size=1, max_size=8), min_size=1, max_size=4))
def test_skeleton_collapses_repeats_word_by_word(words) -> None:
    def one(word: str) -> str:
        bare = "".join(c for c in word if c not in "aeiouy")
        collapsed = "".join(c for i, c in enumerate(bare) if i == 0 or bare[i - 1] != c)
        return collapsed or word[0]

    assert skeleton(" ".join(words)) == " ".join(one(w) for w in words)


def test_ngram_index_removal_and_compaction() -> None:
    grams = NgramIndex()
    for i in range(3000):
        grams.add(i, f"name{i}")
    for i in range(2500):
        grams.remove(i)
    assert grams.candidates("name2999", 5)[0] == 2999
    assert all(i >= 2500 for i in grams.candidates("name", 100))
    assert len(grams) == 500


# --------------------------------------------------------------------------- fuzzy names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Aliev", "Ilham Aliyev"),  # typo (a missing letter in the surname)
        ("Ilham Aliev", "Ilham Aliyev"),
        ("Pahsinyan", "Nikol Pashinyan"),  # transposition
        ("Pashinan", "Nikol Pashinyan"),  # missing letter
        ("Pashinian", "Nikol Pashinyan"),  # transliteration
        ("Aliyev Ilham", "Ilham Aliyev"),  # word order
        ("Zangazur", "Zangezur"),
        ("Mamadov", "Zaur Mammadov"),  # surname only, with a typo
        ("baku political club", "Baku Political Scientists Club"),  # partial name
        ("President Ilham Aliev", "Ilham Aliyev"),  # a title before the name
        ("Azerbaijani analyst Zaur Mamadov", "Zaur Mammadov"),  # a name inside a phrase
    ],
)
def test_misspelled_names_find_the_entity_first(index: SearchIndex, query, expected) -> None:
    hits = entity_hits(index, query)
    assert hits, query
    assert hits[0].text == expected


def test_name_score_examples() -> None:
    def score(query: str, name: str) -> float:
        return name_score(query, query.split(), name)

    assert score("ilham aliyev", "ilham aliyev") == 100
    assert score("aliyev ilham", "ilham aliyev") >= 95
    assert score("aliev", "ilham aliyev") > 80
    assert score("pashinian", "ian") < 60
    assert score("senator jason chafeftz", "jason chaffetz") > 80
    assert score("jason chafeftz", "jason") < score("jason chafeftz", "jason chaffetz") - 15


def test_short_name_inside_a_long_query_does_not_win(index: SearchIndex) -> None:
    hits = entity_hits(index, "Pashinian")
    names = [h.text for h in hits]
    assert names[0] == "Nikol Pashinyan"
    assert "Ian" not in names[:1]
    if "Ian" in names:
        ian = next(h for h in hits if h.text == "Ian")
        assert ian.score < hits[0].score - 20


def test_hits_are_sorted_best_first_with_scores_in_range(index: SearchIndex) -> None:
    hits = index.search("aliyev", limit=50)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)


def test_limit_and_empty_queries(index: SearchIndex) -> None:
    assert len(index.search("a", limit=2)) <= 2
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("zzzzqqqq") == []


# --------------------------------------------------------------------------- aliases


def test_aliases_across_articles_are_one_entity(index: SearchIndex) -> None:
    hits = entity_hits(index, "Ilham Aliyev")
    top = hits[0]
    # "President Ilham Aliyev" and "Aliyev" in a1, the misspelt "Ilham Aliev" in a2,
    # "Əliyev" alone in a3: one entity, every article, mention counts.
    assert top.text == "Ilham Aliyev"
    assert top.type == "PERSON"
    counts = {a.id: a.count for a in top.articles}
    assert counts == {"a1": 2, "a2": 1, "a3": 1}
    assert [h.text for h in hits].count("Ilham Aliyev") == 1
    assert not any(h.text == "Əliyev" for h in hits)


def test_spelling_variants_of_a_place_cluster(index: SearchIndex) -> None:
    hit = entity_hits(index, "Zangezur")[0]
    assert articles_of(hit) == {"a1", "a2"}
    assert hit.type == "PLACE"


def test_lone_surname_with_two_full_names_stays_apart() -> None:
    records = caucasus() + [
        ArticleRecord("a4", "Heydar Aliyev remembered", entities=[ent("Heydar Aliyev")])
    ]
    index = SearchIndex.from_records(records)
    hits = entity_hits(index, "Aliyev", limit=10)
    texts = [h.text for h in hits]
    assert "Əliyev" in texts  # ambiguous now: no longer folded into Ilham Aliyev
    ilham = next(h for h in hits if h.text == "Ilham Aliyev")
    assert articles_of(ilham) == {"a1", "a2"}


def test_similar_but_different_names_do_not_cluster() -> None:
    records = [
        ArticleRecord(
            "b1",
            "Media",
            entities=[
                ent("ABC News", "ORG"),
                ent("BBC News", "ORG"),
                ent("Niger", "PLACE"),
                ent("Nigeria", "PLACE"),
                ent("Heydar Aliyev"),
                ent("Ilham Aliyev"),
            ],
        )
    ]
    index = SearchIndex.from_records(records)
    for query in ("BBC News", "Nigeria", "Heydar Aliyev"):
        top = entity_hits(index, query)[0]
        assert top.text == query
        assert index.entity_page(top.key).aliases == [query]


def test_cluster_display_name_is_most_frequent_full_form() -> None:
    records = [
        ArticleRecord("c1", "one", entities=[ent("Ilham Aliev"), ent("Ilham Aliev")]),
        ArticleRecord("c2", "two", entities=[ent("Ilham Aliyev")] * 3),
        ArticleRecord("c3", "three", entities=[ent("Aliyev")] * 5),
    ]
    index = SearchIndex.from_records(records)
    hits = entity_hits(index, "aliyev")
    assert len(hits) == 1
    assert hits[0].text == "Ilham Aliyev"
    assert {a.id: a.count for a in hits[0].articles} == {"c1": 2, "c2": 3, "c3": 5}


# --------------------------------------------------------------------------- taught


class Teach:
    def __init__(self, action, text, type=None, canonical=None):
        self.action, self.text, self.type, self.canonical = action, text, type, canonical


def test_taught_merge_and_split_apply_without_rebuild(index: SearchIndex) -> None:
    before = entity_hits(index, "Zaur Mammadov")[0]
    assert articles_of(before) == {"a3"}
    taught = [Teach("merge", "Ian Smith", canonical="Zaur Mammadov")]
    index.update_taught(taught)
    merged = entity_hits(index, "Zaur Mammadov")[0]
    assert articles_of(merged) == {"a1", "a3"}
    assert entity_hits(index, "Ian Smith")[0].key == merged.key

    # A name renamed to itself stands alone: that is how a split sticks.
    index.update_taught([*taught, Teach("rename", "Ian Smith", canonical="Ian Smith")])
    assert articles_of(entity_hits(index, "Zaur Mammadov")[0]) == {"a3"}

    index.update_taught([Teach("rename", "Zangazur", canonical="Zangazur")])
    hits = entity_hits(index, "Zangazur")
    assert hits[0].text == "Zangazur"
    assert articles_of(hits[0]) == {"a2"}


def test_taught_reject_and_retype(index: SearchIndex) -> None:
    index.update_taught([Teach("reject", "Zaur Mammadov")])
    assert not any(h.text == "Zaur Mammadov" for h in entity_hits(index, "Mammadov"))
    index.update_taught([Teach("retype", "Zangezur", type="ORG")])
    assert any(h.type == "ORG" for h in entity_hits(index, "Zangezur"))
    index.update_taught([])
    assert entity_hits(index, "Zaur Mammadov")[0].text == "Zaur Mammadov"
    assert entity_hits(index, "Zangezur")[0].type == "PLACE"


def test_taught_names_with_title_words() -> None:
    records = [
        ArticleRecord(
            "g1",
            "cars",
            entities=[ent("General Motors", "ORG"), ent("Motors", "ORG"), ent("Mary Barra")],
        )
    ]
    index = SearchIndex.from_records(records)
    index.update_taught([Teach("reject", "General Motors")])
    names = {h.text for h in entity_hits(index, "motors", limit=10)}
    assert "General Motors" not in names and "Motors" in names
    index.update_taught([Teach("retype", "General Motors", type="MISC")])
    assert entity_hits(index, "General Motors")[0].type == "MISC"
    index.update_taught([Teach("merge", "Mary Barra", canonical="General Motors")])
    assert entity_hits(index, "Mary Barra")[0].key == entity_hits(index, "General Motors")[0].key


def test_taught_merge_finds_a_person_by_a_titled_full_form() -> None:
    records = [
        ArticleRecord("t1", "one", entities=[ent("President Ilham Aliyev")]),
        ArticleRecord("t2", "two", entities=[ent("Azerbaijan", "PLACE")]),
    ]
    index = SearchIndex.from_records(records)
    index.update_taught([Teach("merge", "President Ilham Aliyev", canonical="Azerbaijan")])
    hit = entity_hits(index, "Ilham Aliyev")[0]
    assert articles_of(hit) == {"t1", "t2"}


def test_adding_an_article_updates_counts_of_a_known_entity(index: SearchIndex) -> None:
    assert len(entity_hits(index, "Zaur Mammadov")[0].articles) == 1
    index.add_record(ArticleRecord("z1", "more", entities=[ent("Zaur Mammadov")] * 2))
    counts = {a.id: a.count for a in entity_hits(index, "Zaur Mammadov")[0].articles}
    assert counts == {"a3": 1, "z1": 2}
    index.remove_article("z1")
    assert len(entity_hits(index, "Zaur Mammadov")[0].articles) == 1


def test_taught_applies_when_building(index: SearchIndex) -> None:
    built = SearchIndex.from_records(
        caucasus(), taught=[Teach("merge", "Ian Smith", canonical="Zaur Mammadov")]
    )
    assert articles_of(entity_hits(built, "Ian Smith")[0]) == {"a1", "a3"}


# --------------------------------------------------------------------------- filters


def test_parse_query_filters() -> None:
    q = parse_query('aliev tag:"South Caucasus" type:person speaker:Mammadov')
    assert q.text == "aliev"
    assert q.tags == ["South Caucasus"]
    assert q.types == ["PERSON"]
    assert q.speakers == ["Mammadov"]
    with pytest.raises(ValueError, match="unknown entity type"):
        parse_query("type:animal")


def test_tag_filter_restricts_articles(index: SearchIndex) -> None:
    hits = index.search("aliyev tag:economy")
    assert hits
    assert all(a.id == "a3" for h in hits for a in h.articles)
    entity = next(h for h in hits if h.kind == "entity")
    assert entity.text == "Ilham Aliyev" and articles_of(entity) == {"a3"}


def test_type_filter_keeps_only_that_type(index: SearchIndex) -> None:
    hits = index.search("zan type:PLACE")
    assert hits and all(h.kind == "entity" and h.type == "PLACE" for h in hits)
    assert index.search("Zangezur type:PERSON") == [] or all(
        h.type == "PERSON" for h in index.search("Zangezur type:PERSON")
    )


def test_speaker_filter_finds_quotes_by_fuzzy_speaker(index: SearchIndex) -> None:
    hits = index.search("speaker:Aliev")
    assert [h.kind for h in hits] == ["quote"]
    assert hits[0].speaker == "Ilham Aliyev"
    assert hits[0].article_id == "a1" and (hits[0].start, hits[0].end) == (300, 338)
    assert index.search("road speaker:Pashinyan")[0].text.startswith("“The road")
    assert index.search("energy speaker:Pashinyan") == []
    # The speaker's whole alias cluster counts: this quote names him "Pashinyan".
    assert [h.speaker for h in index.search("speaker:Nikol Pashinyan")] == ["Pashinyan"]


def test_filters_alone_list_what_matches(index: SearchIndex) -> None:
    places = index.search("type:PLACE")
    assert [h.text for h in places] == ["Zangezur"]
    tagged = index.search("tag:caucasus")
    titles = {h.text for h in tagged if h.kind == "title"}
    assert titles == {"Aliyev visits the White House", "Armenia weighs the peace treaty"}
    assert any(h.kind == "tag" and h.text == "Caucasus" for h in tagged)
    highlights = index.search("tag:transport")
    assert [h.kind for h in highlights] == ["highlight"]
    both = index.search("type:PERSON tag:economy")
    assert {h.text for h in both} == {"Ilham Aliyev", "Zaur Mammadov"}


def test_unknown_scope_is_a_clear_error(index: SearchIndex) -> None:
    with pytest.raises(ValueError, match="unknown scope"):
        index.search("x", scope="everything")


# --------------------------------------------------------------------------- passages


def test_notes_highlights_quotes_titles_and_tags_are_found(index: SearchIndex) -> None:
    kinds = {h.kind: h for h in index.search("corridor", limit=50)}
    assert kinds["note"].text == "Aliyev stresses the corridor again"
    assert kinds["highlight"].start == 120 and kinds["highlight"].article_id == "a1"
    assert index.search("gas exprts")[0].kind == "title"  # typo in a title word
    assert index.search("politcs")[0].kind == "tag"
    quote = next(h for h in index.search("priority") if h.kind == "quote")
    assert quote.speaker == "Zaur Mammadov"


def test_scope_notes_returns_only_the_users_writing(index: SearchIndex) -> None:
    hits = index.search("corridor", scope="notes")
    assert {h.kind for h in hits} == {"note", "highlight"}
    assert all(h.kind == "entity" for h in index.search("corridor aliyev", scope="entities"))


def test_last_word_matches_as_a_prefix(index: SearchIndex) -> None:
    assert index.search("stresses the corr", scope="notes")[0].kind == "note"


# --------------------------------------------------------------------------- incremental


def test_add_update_and_remove_articles_incrementally(index: SearchIndex) -> None:
    index.add_record(
        ArticleRecord(
            "a9", "Pashinyan in Paris", tags=["europe"], entities=[ent("Nikol Pashinyan")]
        )
    )
    hit = entity_hits(index, "Pashinyan")[0]
    assert articles_of(hit) == {"a1", "a2", "a9"}
    assert index.search("tag:europe")

    # Re-indexing the same id replaces the article.
    index.add_record(ArticleRecord("a9", "Pashinyan in Paris", entities=[ent("Emmanuel Macron")]))
    assert articles_of(entity_hits(index, "Pashinyan")[0]) == {"a1", "a2"}
    assert entity_hits(index, "Macron")[0].text == "Emmanuel Macron"
    assert index.search("tag:europe") == []

    index.remove_article("a9")
    index.remove_article("a9")  # removing twice is harmless
    assert not any(h.text == "Emmanuel Macron" for h in entity_hits(index, "Macron"))
    index.remove_article("a1")
    hit = entity_hits(index, "Aliyev")[0]
    assert articles_of(hit) == {"a2", "a3"}
    assert not [h for h in index.search("corridor") if h.kind == "note"]


def _snapshot(index: SearchIndex, queries) -> list:
    return [[h.to_json() for h in index.search(q, limit=50)] for q in queries]


words = st.sampled_from(
    ["Ilham Aliyev", "Aliyev", "Ilham Aliev", "Nikol Pashinyan", "Pashinyan", "Zangezur",
     "Zangazur", "Baku Club", "Heydar Aliyev", "Zaur Mammadov"]
)  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(words, min_size=1, max_size=5), min_size=1, max_size=6),
    st.lists(st.lists(words, min_size=1, max_size=5), min_size=1, max_size=4),
)
def test_removing_articles_leaves_what_a_fresh_build_has(keep, extra) -> None:
    def records(groups, prefix):
        return [
            ArticleRecord(f"{prefix}{i}", f"title {i}", entities=[ent(n) for n in names])
            for i, names in enumerate(groups)
        ]

    kept = records(keep, "k")
    incremental = SearchIndex.from_records(kept + records(extra, "x"))
    for i in range(len(extra)):
        incremental.remove_article(f"x{i}")
    fresh = SearchIndex.from_records(kept)
    queries = ["aliyev", "pashinyan", "zangazur", "baku", "mammadov", "title"]
    assert _snapshot(incremental, queries) == _snapshot(fresh, queries)
    assert incremental.stats() == fresh.stats()


# --------------------------------------------------------------------------- output


def test_json_shape(index: SearchIndex) -> None:
    hits = index.search("aliyev", limit=50)
    entity = next(h for h in hits if h.kind == "entity").to_json()
    assert list(entity)[:5] == ["kind", "text", "score", "type", "articles"]
    assert entity["type"] == "PERSON"
    assert set(entity["articles"][0]) == {"id", "title", "count"}
    assert entity["key"] == "PERSON:ilham aliyev"
    note = next(h for h in hits if h.kind == "note").to_json()
    assert "type" not in note
    assert note["article_id"] == "a1"
    assert note["articles"] == [{"id": "a1", "title": "Aliyev visits the White House", "count": 1}]


def test_entity_page_has_mentions_quotes_and_notes(index: SearchIndex) -> None:
    key = entity_hits(index, "Aliyev")[0].key
    page = index.entity_page(key)
    assert page.name == "Ilham Aliyev" and page.type == "PERSON"
    assert {(m.article_id, m.start) for m in page.mentions} == {
        ("a1", 0),
        ("a1", 40),
        ("a2", 40),
        ("a3", 0),
    }
    assert [q.speaker for q in page.quotes] == ["Ilham Aliyev"]
    assert [n.text for n in page.notes] == ["Aliyev stresses the corridor again"]
    assert set(page.aliases) >= {"Ilham Aliyev", "Ilham Aliev", "Əliyev"}
    with pytest.raises(NotFound):
        index.entity_page("PERSON:nobody at all")


def test_searches_and_updates_from_several_threads(index: SearchIndex) -> None:
    import threading

    errors: list[BaseException] = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as error:
                errors.append(error)

        return run

    def searcher():
        for _ in range(100):
            index.search("aliev")
            index.search("corridor tag:caucasus")

    def writer():
        for i in range(100):
            index.add_record(ArticleRecord(f"t{i}", "extra", entities=[ent("Ilham Aliev")]))
            if i % 2:
                index.remove_article(f"t{i - 1}")

    threads = [threading.Thread(target=guard(f)) for f in (searcher, searcher, writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert "t99" in {a.id for a in entity_hits(index, "Aliyev")[0].articles}
