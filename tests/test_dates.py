"""The publication date: one ISO 8601 form (extractors.dates.normalize_published) and the choice between the
dates a page states."""

from __future__ import annotations

import sqlite3

import lxml.html
import pytest

from extractors import extract
from extractors.dates import choose_published, declared_dates, normalize_published, time_dates


@pytest.mark.parametrize("value, expected", [
    ("2024-04-26T20:44:00+0200", "2024-04-26T20:44:00+02:00"),
    ("2024-04-26T20:44:00+02:00", "2024-04-26T20:44:00+02:00"),
    ("2024-04-26T20:44:00-0530", "2024-04-26T20:44:00-05:30"),
    ("2024-04-26T20:44+02", "2024-04-26T20:44+02:00"),
    ("2024-04-26 20:44:00 +0000", "2024-04-26T20:44:00+00:00"),
    ("2024-04-26T23:44:00Z", "2024-04-26T23:44:00Z"),
    ("2024-04-26T23:44:00.123456Z", "2024-04-26T23:44:00Z"),
    ("2024-04-26T23:44:00.000+02:00", "2024-04-26T23:44:00+02:00"),
    ("2024-04-26 23:44:00 UTC", "2024-04-26T23:44:00Z"),
    ("2026-01-06T14:02:09", "2026-01-06T14:02:09"),
    ("2024-02-20T09:20", "2024-02-20T09:20"),
    ("2024-09-16", "2024-09-16"),
    ("2024-9-6", "2024-09-06"),
    ("Published 2024-09-16, updated 2024-09-18", "2024-09-16"),
    ("2024-02-20T25:61:00+02:00", "2024-02-20"),  # a good day with an impossible time keeps the day
    ("2024-02-20T09:20:00+2500", "2024-02-20T09:20:00"),  # no clock has that offset
])
def test_dates_leave_in_one_iso_form(value, expected):
    assert normalize_published(value) == expected


@pytest.mark.parametrize("junk", [None, "", "yesterday", "20.02.2024", "2024-02-30", "2024-13-01", "0001-01-01T00:00:00Z",
                                  "12345-01-01", "2024-02", 20240220])
def test_junk_is_no_date(junk):
    assert normalize_published(junk) is None


def test_every_normalised_form_is_read_by_sqlite_date_functions():
    connection = sqlite3.connect(":memory:")
    for value in ("2024-04-26T20:44:00+0200", "2024-04-26T23:44:00.123Z", "2024-02-20T09:20", "2024-09-16",
                  "2024-04-26 20:44:00 +0000", "2024-04-26T20:44+02"):
        normalised = normalize_published(value)
        day = connection.execute("select date(?)", [normalised]).fetchone()[0]
        assert day is not None, normalised
    # The stored value keeps the day the page states (SQLite's date() would read this one as the 27th, in UTC).
    assert normalize_published("2024-04-26T23:44:00-0500")[:10] == "2024-04-26"


def _page(head: str = "", body: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_a_time_in_a_list_of_related_links_does_not_date_the_story():
    tree = _page(body="""<main><article><h1>Story</h1><p>Text.</p></article>
        <aside><ul><li><a href="/a"><time datetime="2024-05-01T08:00:00+02:00">1 May</time> Other story</a></li></ul></aside>
        <div class="related-articles"><time datetime="2024-05-02">2 May</time></div>
        <p>Posted <time datetime="2024-04-30T10:00:00+02:00">30 April</time></p></main>""")
    dated = time_dates(list(tree.iter("time")))
    assert [candidate.value for candidate in dated] == ["2024-04-30T10:00:00+02:00"]


def test_a_marked_publication_time_beats_a_modified_one_and_an_unmarked_one():
    tree = _page(body="""<article><time class="updated" datetime="2024-05-03">3 May</time>
        <time datetime="2024-05-02">2 May</time><time itemprop="datePublished" datetime="2024-05-01">1 May</time></article>""")
    dated = time_dates(list(tree.iter("time")))
    assert [(candidate.value, candidate.published) for candidate in dated] == [
        ("2024-05-01", True), ("2024-05-02", True), ("2024-05-03", False)]


def test_the_modified_date_is_not_the_publication_date():
    nodes = [{"@type": "NewsArticle", "dateModified": "2024-05-03T10:00:00+02:00", "datePublished": "2024-05-01T10:00:00+02:00"}]
    meta = {"article:modified_time": ["2024-05-03T11:00:00+02:00"]}
    candidates = declared_dates(nodes, meta, [])
    assert choose_published(candidates, {}, lambda: "2024-05-03") == "2024-05-01T10:00:00+02:00"


def test_htmldate_is_asked_only_when_the_page_declares_nothing():
    asked = []

    def search():
        asked.append(True)
        return "2024-05-01"

    assert choose_published(declared_dates([{"datePublished": "2024-04-30"}], {}, []), {}, search) == "2024-04-30"
    assert not asked
    assert choose_published([], {}, search, text_date="2024-04-29") == "2024-05-01" and asked
    assert choose_published([], {}, lambda: None, text_date="2024-04-29T08:15") == "2024-04-29T08:15"


GERMAN = ("Die Stadt hat am Montag beschlossen, die neue Brücke über den Fluss erst im kommenden Jahr zu bauen. "
          "Der Bürgermeister sagte, die Kosten seien zu hoch gestiegen, und der Rat wolle neue Angebote einholen. ") * 3


def test_the_extractor_gives_the_day_the_page_states_in_the_one_form():
    page = (f'<html><head><meta property="article:published_time" content="2024-04-26T23:44:00+0200"></head>'
            f'<body><article><h1>Brücke kommt später</h1><p>{GERMAN}</p></article></body></html>')
    article = extract(page, "https://example.org/a", content_type="text/html")
    assert article.published == "2024-04-26T23:44:00+02:00"  # not shifted to the 26th 21:44 UTC, nor '+0200'
