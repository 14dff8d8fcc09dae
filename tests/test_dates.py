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
    assert choose_published(candidates, {}, lambda extensive: "2024-05-03") == "2024-05-01T10:00:00+02:00"


def test_htmldate_is_asked_only_when_the_page_declares_nothing():
    asked = []

    def search(extensive):
        asked.append(extensive)
        return "2024-05-02" if extensive else None

    assert choose_published(declared_dates([{"datePublished": "2024-04-30"}], {}, []), {}, search) == "2024-04-30"
    assert not asked
    assert choose_published([], {}, search, text_date="2024-04-29T08:15") == "2024-04-29T08:15"
    assert asked == [False], "the quick search first; the text's date before the extensive search"
    assert choose_published([], {}, search, text_updated="2024-04-28") == "2024-04-28"
    assert choose_published([], {}, search) == "2024-05-02" and asked[-1] is True
    # The extensive search gives a year or a month alone ("© 2020") as its first day: no publication date.
    assert choose_published([], {}, lambda extensive: "2020-01-01" if extensive else None) is None


def test_a_utc_time_is_given_as_the_page_states_it_in_its_own_zone():
    utc = {"@type": "NewsArticle", "datePublished": "2023-11-09T01:09:55Z"}
    local = {"@type": "WebPage", "datePublished": "2023-11-08T18:09:55"}  # the same moment on a -07:00 clock
    assert choose_published(declared_dates([utc, local], {}, []), {}, lambda extensive: None) == "2023-11-08T18:09:55"
    with_offset = declared_dates([utc], {"pubdate": ["2023-11-08T20:09:55-05:00"]}, [])
    assert choose_published(with_offset, {}, lambda extensive: None) == "2023-11-08T20:09:55-05:00"
    # A naive time that is not a clock offset away is another moment: the first declaration stands.
    other = {"@type": "WebPage", "datePublished": "2023-11-08T18:10:12"}
    assert choose_published(declared_dates([utc, other], {}, []), {}, lambda extensive: None) == "2023-11-09T01:09:55Z"


def test_a_utc_time_near_midnight_takes_the_visible_day_only_when_a_clock_gets_there():
    late = declared_dates([{"datePublished": "2023-11-01T23:01:00Z"}], {}, [])
    assert choose_published(late, {}, lambda extensive: None, text_date="2023-11-02") == "2023-11-02"
    midday = declared_dates([{"datePublished": "2023-11-02T15:27:17+00:00"}], {}, [])
    assert choose_published(midday, {}, lambda extensive: None, text_date="2023-11-03") == "2023-11-02T15:27:17+00:00"
    timed = declared_dates([{"datePublished": "2023-11-09T04:15:00Z"}], {}, [])
    assert choose_published(timed, {}, lambda extensive: None, text_date="2023-11-08T23:15") == "2023-11-08T23:15"
    assert choose_published(timed, {}, lambda extensive: None, text_date="2023-11-08T23:20") == "2023-11-09T04:15:00Z"


def test_the_lead_time_wins_when_the_visible_date_agrees_with_it():
    tree = _page(body="""<header><time datetime="2025-10-08">October 8, 2025</time></header>
        <article><p>Text.</p><figure><figcaption><time datetime="2025-10-01">1 Oct</time></figcaption></figure></article>""")
    candidates = declared_dates([{"datePublished": "2024-11-22T22:28:12Z"}], {}, list(tree.iter("time")))
    assert [candidate.value for candidate in candidates if candidate.lead] == ["2025-10-08"]
    assert choose_published(candidates, {}, lambda extensive: None, text_date="2025-10-08") == "2025-10-08"
    assert choose_published(candidates, {}, lambda extensive: None, text_date="2025-10-01") == "2024-11-22T22:28:12Z"
    assert choose_published(candidates, {}, lambda extensive: None) == "2024-11-22T22:28:12Z"


def test_a_time_labelled_as_an_update_is_a_modification_date():
    tree = _page(body="""<div class="byline"><span>Updated on</span> <time datetime="2025-06-18">June 18, 2025</time></div>
        <p><time datetime="2025-06-10">Last updated June 10, 2025</time></p>""")
    assert [(c.value, c.published) for c in time_dates(list(tree.iter("time")))] == [
        ("2025-06-18", False), ("2025-06-10", False)]


def test_a_time_declared_without_an_offset_takes_the_visible_day_when_a_clock_gets_there():
    late = declared_dates([{"datePublished": "2020-12-05T23:15"}], {}, [])
    assert choose_published(late, {}, lambda extensive: None, text_date="2020-12-06") == "2020-12-06"
    assert choose_published(late, {}, lambda extensive: None) == "2020-12-05T23:15"
    # Midday on a clock without an offset is the same day on every clock within reach: it stands.
    midday = declared_dates([{"datePublished": "2020-12-05T12:00"}], {}, [])
    assert choose_published(midday, {}, lambda extensive: None, text_date="2020-12-06") == "2020-12-05T12:00"
    # A date two days off is another date (a teaser's), not this time read on another clock.
    assert choose_published(late, {}, lambda extensive: None, text_date="2020-12-07") == "2020-12-05T23:15"
    # A time with its offset is the page's own statement: the visible day never moves it.
    offset = declared_dates([{"datePublished": "2020-12-05T23:15:00+01:00"}], {}, [])
    assert choose_published(offset, {}, lambda extensive: None, text_date="2020-12-06") == "2020-12-05T23:15:00+01:00"


def test_json_ld_wrapped_in_cdata_or_a_comment_is_read():
    from extractors.jsonld import json_ld_nodes

    node = '{"@type": "NewsArticle", "headline": "Bridge opens", "datePublished": "2015-10-15T02:19:15Z"}'
    for wrapped in (f"<![CDATA[ {node} ]]>", f"\n  //<![CDATA[\n{node}\n//]]>\n", f"<!-- {node} -->", node):
        assert [n["datePublished"] for n in json_ld_nodes([wrapped])] == ["2015-10-15T02:19:15Z"], wrapped
    page = (f'<html><head><title>Bridge opens | Example News</title>'
            f'<meta property="article:modified_time" content="2015-12-11T14:28:34Z">'
            f'<script type="application/ld+json"><![CDATA[ {node} ]]></script></head>'
            f'<body><article><h1>Bridge opens</h1><p>{GERMAN}</p></article></body></html>')
    article = extract(page, "https://example.org/bridge", content_type="text/html")
    assert article.published == "2015-10-15T02:19:15Z", "the JSON-LD date, not the modified one"
    assert article.title == "Bridge opens"


def test_the_date_shown_with_the_story_beats_htmldates_search_when_nothing_is_declared():
    asked = []

    def search(extensive):
        asked.append(extensive)
        return "2020-01-14"

    assert choose_published([], {}, search, shown_date="2020-01-13T22:11") == "2020-01-13T22:11"
    assert not asked, "htmldate is not asked when the page shows the story's date"
    # A date read elsewhere in the text stays behind htmldate's.
    assert choose_published([], {}, search, text_date="2020-01-13") == "2020-01-14"
    # A declaration still comes first.
    declared = declared_dates([{"datePublished": "2020-01-12T09:00:00+01:00"}], {}, [])
    assert choose_published(declared, {}, search, shown_date="2020-01-13") == "2020-01-12T09:00:00+01:00"


def test_the_extractor_reads_the_date_beside_the_headline_not_the_headers_or_a_comments():
    story = "".join(f"<p>{GERMAN}</p>" for _ in range(3))
    page = f"""<html><head><title>Brücke kommt später</title></head><body>
        <header><span class="date">Di, 14.01.2020</span><nav><ul><li><a href="/">Start</a></li><li><a href="/politik">Politik
        </a></li><li><a href="/kultur">Kultur</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
        <div class="hero"><p class="kicker">Stadtrat</p><h1>Brücke kommt später</h1><div class="meta"><div>Datum:</div>
        <div>13.01.2020</div><div>3 Minuten</div></div><div>Teilen</div><div>Drucken</div></div>
        <div class="content">{story}</div>
        <div class="comments"><div class="comment"><div class="comment__date">15.01.2020 - 08:00 Uhr</div>
        <p>Das war doch klar.</p></div></div></body></html>"""
    article = extract(page, "https://example.org/stadt/bruecke", content_type="text/html")
    assert article.published == "2020-01-13"


def test_a_json_ld_date_written_as_people_write_it_dates_the_page_only_when_nothing_better_does():
    written = {"@type": "NewsArticle", "datePublished": "Tue, Sep 15 2020 10:01:41 EDT"}
    (candidate,) = declared_dates([written], {}, [])
    assert (candidate.value, candidate.written) == ("2020-09-15T10:01", True)
    caption_date = "2020-05-20"  # what htmldate's full search finds: a photo caption's date
    search = lambda extensive: caption_date if extensive else None  # noqa: E731
    assert choose_published([candidate], {}, search) == "2020-09-15T10:01"
    assert choose_published([candidate], {}, search, text_date="2020-09-14") == "2020-09-14"
    assert choose_published([candidate], {}, search, shown_date="2020-09-16") == "2020-09-16"
    # An ISO 8601 declaration of another node is the page's declaration: it wins.
    iso = {"@type": "WebPage", "datePublished": "2020-09-14T08:00:00-04:00"}
    assert choose_published(declared_dates([written, iso], {}, []), {}, search) == "2020-09-14T08:00:00-04:00"
    assert declared_dates([{"datePublished": "soon"}], {}, []) == []


def test_a_date_on_the_line_after_an_update_label_dates_the_update():
    from extractors.cues import read_text_cues

    cues = read_text_cues(["Last update:", "July 16, 2025", "By Jane Doe"])
    assert (cues.published, cues.updated) == (None, "2025-07-16")
    cues = read_text_cues(["Page updated", "12 November 2025", "Published", "3 March 2025"])
    assert (cues.published, cues.updated) == ("2025-03-03", "2025-11-12")
    # A sentence that speaks of an update is no label: the date under it is the story's.
    cues = read_text_cues(["We updated this guide with new prices for the coming season.", "July 16, 2025"])
    assert (cues.published, cues.updated) == ("2025-07-16", None)
    # The label reaches only the line right after it.
    cues = read_text_cues(["Updated:", "Jane Doe, staff writer", "July 16, 2025"])
    assert cues.published == "2025-07-16"


GERMAN = ("Die Stadt hat am Montag beschlossen, die neue Brücke über den Fluss erst im kommenden Jahr zu bauen. "
          "Der Bürgermeister sagte, die Kosten seien zu hoch gestiegen, und der Rat wolle neue Angebote einholen. ") * 3


def test_the_extractor_gives_the_day_the_page_states_in_the_one_form():
    page = (f'<html><head><meta property="article:published_time" content="2024-04-26T23:44:00+0200"></head>'
            f'<body><article><h1>Brücke kommt später</h1><p>{GERMAN}</p></article></body></html>')
    article = extract(page, "https://example.org/a", content_type="text/html")
    assert article.published == "2024-04-26T23:44:00+02:00"  # not shifted to the 26th 21:44 UTC, nor '+0200'


def test_date_lines_in_chinese_japanese_and_korean_are_read():
    from extractors.cues import date_banner, parse_date

    assert date_banner("2005年3月11日12:12") == "2005-03-11T12:12"
    assert date_banner("2006年12月27日（京港台时间）") == "2006-12-27"
    assert parse_date("成文日期：2022年01月27日") == "2022-01-27"
    assert parse_date("2024년 5월 3일 14:05") == "2024-05-03T14:05"
    assert parse_date("2024年13月3日") is None


def test_an_update_banner_does_not_date_the_story_but_stays_a_last_resort():
    from extractors.cues import read_text_cues

    cues = read_text_cues(["Last Updated: Dec 17, 2025", "Published December 1, 2025"])
    assert (cues.published, cues.updated) == ("2025-12-01", "2025-12-17")
    cues = read_text_cues(["Published 3 May 2024, updated 5 May 2024"])
    assert (cues.published, cues.updated) == ("2024-05-03", None)
    capture = "Aktualisiert am 5. Mai 2024\n\n" + GERMAN
    assert extract(capture, content_type="text/plain").published == "2024-05-05"


# --- stored dates ------------------------------------------------------------------------------------

OLD_FORMS = {  # published as earlier versions stored it -> as migration 0005 rewrites it
    "2024-04-26T20:44:00+0200": "2024-04-26T20:44:00+02:00",
    "2024-04-26T20:44:00.000+02:00": "2024-04-26T20:44:00+02:00",
    "2024-04-26T23:44:00+00:00": "2024-04-26T23:44:00+00:00",
    "2024-04-26T23:44:00.5Z": "2024-04-26T23:44:00Z",
    "2026-01-06T14:02:09": "2026-01-06T14:02:09",
    "2024-09-16": "2024-09-16",
    "2024-02-20T09:20": "2024-02-20T09:20",
    "not a date": None,
}


def test_migration_0005_rewrites_stored_dates_in_the_one_form(tmp_path):
    from conftest import query
    from newsdesk.corpus import store as store_module
    from newsdesk.corpus.store import Store

    db = tmp_path / "old.db"
    earlier = store_module.Migrations("newsdesk")
    for migration in store_module.MIGRATIONS._migrations:
        if migration.name < "0005":
            earlier(name=migration.name)(migration.fn)
    database = sqlite3.connect(db)
    import sqlite_utils

    earlier.apply(sqlite_utils.Database(database))
    for number, old in enumerate([*OLD_FORMS, None], start=1):
        database.execute("insert into articles (id, url, body, published) values (?, ?, 'text', ?)",
                         [number, f"https://example.org/{number}", old])
    database.execute("insert into stories (id, first_published, last_published, article_count) "
                     "values (1, '2024-04-26T20:44:00+0200', '2026-01-06T14:02:09', 2)")
    database.commit()
    assert database.execute("select count(*) from articles where published is not null and date(published) is null"
                            ).fetchone()[0] == 2, "the +0200 form and the junk are unreadable before"
    database.close()

    with Store(db) as corpus:
        assert "0005_iso_dates" in corpus.applied_migrations()
    stored = {row["url"]: row["published"] for row in query(db, "select url, published from articles")}
    for number, (old, new) in enumerate(OLD_FORMS.items(), start=1):
        assert stored[f"https://example.org/{number}"] == new, old
    assert stored[f"https://example.org/{len(OLD_FORMS) + 1}"] is None
    assert query(db, "select count(*) from articles where published is not null and date(published) is null")[0][0] == 0
    (story,) = query(db, "select first_published, last_published from stories")
    assert tuple(story) == ("2024-04-26T20:44:00+02:00", "2026-01-06T14:02:09")
    same_day = query(db, "select id from articles where date(published) = '2024-04-26' order by id")
    assert [row[0] for row in same_day] == [1, 2, 3, 4]


def test_every_date_stored_from_the_seeds_and_fixtures_is_read_by_sqlite(tmp_path):
    from conftest import ROOT, SEEDS, query
    from newsdesk.corpus.replay import replay
    from newsdesk.corpus.store import Store

    fixtures = ROOT / "tests" / "fixtures"
    inputs = [SEEDS, fixtures / "pages", fixtures / "stories", fixtures / "eval"]
    db = tmp_path / "corpus.db"
    with Store(db) as corpus:
        summary = replay([str(path) for path in inputs], corpus, workers=0)
    assert summary.counts["new"] > 50
    dated = query(db, "select published from articles where published is not null")
    assert len(dated) > 30, "the fixtures are dated pages"
    assert query(db, "select count(*) from articles where published is not null and date(published) is null")[0][0] == 0
    assert all(normalize_published(row[0]) == row[0] for row in dated), "stored as the normaliser writes them"


def test_a_day_month_year_date_written_with_hyphens_is_read():
    from extractors.cues import date_banner, parse_date

    assert parse_date("04-ago-2021") == "2021-08-04"
    assert parse_date("12-Mar-2024 09:15") == "2024-03-12T09:15"
    assert date_banner("By: Jane Doe on 04-ago-2021 5:11:10") == "2021-08-04T05:11"
    assert parse_date("12-13-2024") is None  # numbers alone are not read this way
    assert parse_date("Mar-2024") is None  # nor a month without its day


def test_a_sentence_that_opens_with_a_cjk_date_is_no_date_banner():
    from extractors.cues import date_banner

    assert date_banner("2017年2月17日，山东省聊城市中级法院一审以故意伤害罪判处于欢无期徒刑。") is None
    assert date_banner("《光明日报》（ 2022年02月13日 02版）") == "2022-02-13"


def test_a_date_a_page_gives_only_in_a_comment_is_still_found():
    # A blog's trackback RDF sits in a comment; the text after comments is read as body all the same.
    story = "".join(f"<p><!-- text -->Paragraph {n} of the race report tells who won the race on the day.</p>"
                    for n in range(1, 6))
    html = ("<html><head><title>Race report</title></head><body><!--\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
            " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><rdf:Description dc:title=\"Race report\""
            " dc:date=\"2020-07-12T22:00:00+09:00\" /></rdf:RDF>\n-->"
            f"<article><h1>Race report</h1>{story}</article></body></html>")
    article = extract(html, "https://blog.example/e/1", content_type="text/html")
    assert article.published and article.published.startswith("2020-07-12")
    assert "Paragraph 1 of the race report" in article.body


def test_warm_up_loads_the_date_parsers_tables_for_every_language_only_when_asked():
    # htmldate's extensive search hands a date-like phrase no other rule reads to dateparser, which compiles
    # its tables for every language the first time: warm_up(date_search=True) does that before the first page
    # (in a fresh process); a worker's plain warm_up() leaves them to the first page that needs them.
    import subprocess
    import sys

    script = ("import sys\n"
              "from extractors import warm_up\n"
              "warm_up()\n"
              "assert 'dateparser' not in sys.modules\n"
              "warm_up(date_search=True)\n"
              "from dateparser.languages.loader import default_loader\n"
              "print(len(default_loader._loaded_locales))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 100
