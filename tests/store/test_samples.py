"""The bundled sample articles: what a new user's library starts with."""

from __future__ import annotations

from store import Library


def test_samples_carry_where_and_when_they_were_published(tmp_path) -> None:
    lib = Library(tmp_path / "lib")
    assert lib.seed_samples() == 25
    by_file = {a.source.rsplit("/", 1)[-1]: a for a in lib.articles()}
    crane = by_file["GUM_news_crane.txt"]
    assert (crane.site, crane.published) == ("Wikinews", "2015-09-12")
    assert crane.title == "At least 107 killed in Mecca crane collapse"
    assert by_file["aliyev_white_house.txt"].site == "APA"
    assert all(a.site for a in by_file.values())
    assert lib.seed_samples() == 0  # seeding again adds nothing
