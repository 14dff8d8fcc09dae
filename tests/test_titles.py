"""The headline the reader sees: visible headings against declared titles, site names and section labels cut
with every separator in use. Synthetic pages only."""

from __future__ import annotations

import json

import lxml.html
import pytest

from extractors import extract
from extractors.metadata import read_metadata
from extractors.titles import (Visible, about_the_story, choose_title, clean_title, doubtful, headline_above_story, read_visible,
                               repeated_labels, split_title)

ARTICLE = ("The council decided on Monday that the new bridge over the river will only be built next year, because "
           "the costs have risen sharply and the council is still waiting for a review of the figures. ") * 4


def page(head: str = "", body: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def meta(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{content}">'


def json_ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def title_of(tree: lxml.html.HtmlElement, site_names: list[str | None]) -> str | None:
    declared = read_metadata(tree)
    return choose_title(declared, site_names, read_visible(tree, declared, site_names))


@pytest.mark.parametrize("title", [
    "Bridge delayed to 2026 | Herald",
    "Bridge delayed to 2026 |Herald",
    "Bridge delayed to 2026 - Herald",
    "Bridge delayed to 2026 – Herald",
    "Bridge delayed to 2026 — Herald",
    "Bridge delayed to 2026 -- Herald",
    "Bridge delayed to 2026 » Herald",
    "Bridge delayed to 2026 · Herald",
    "Bridge delayed to 2026 • Herald",
    "Bridge delayed to 2026 / Herald",
    "Bridge delayed to 2026 : Herald",
    "Bridge delayed to 2026 ｜ Herald",
    "Bridge delayed to 2026｜Herald",
    "Bridge delayed to 2026_Herald",
    "Herald :: Bridge delayed to 2026",
    "Herald > Bridge delayed to 2026",
    "Herald: Bridge delayed to 2026",
    "Bridge delayed to 2026 (Herald)",
])
def test_the_site_name_comes_off_with_every_separator(title):
    assert clean_title(title, ["Herald", "herald.example"]) == "Bridge delayed to 2026"


def test_cjk_and_korean_separators():
    assert clean_title("新桥推迟到明年建成_社会_新华网", ["新华网"]) == "新桥推迟到明年建成"
    assert clean_title("新しい橋の建設は来年に延期｜毎日新聞", ["毎日新聞"]) == "新しい橋の建設は来年に延期"
    assert clean_title("다리 건설 내년으로 연기 ㅣ 한겨레", ["한겨레"]) == "다리 건설 내년으로 연기"
    assert clean_title("新华网：新桥推迟到明年建成", ["新华网"]) == "新桥推迟到明年建成"
    # A site name that itself contains the separator is cut whole.
    assert clean_title("新桥推迟到明年建成_城市_生活", ["城市_生活"]) == "新桥推迟到明年建成"


def test_site_names_are_recognised_from_host_and_declared_name_not_a_list():
    # From the host alone ('Tagblatt Online' contains 'tagblatt' of tagblatt.example).
    assert clean_title("Brücke kommt später – Tagblatt Online", ["www.tagblatt.example", "tagblatt"]) == \
        "Brücke kommt später"
    # The same words are headline on a site that is not called that.
    assert clean_title("Brücke kommt später – Tagblatt Online", ["www.anzeiger.example", "anzeiger"]) == \
        "Brücke kommt später – Tagblatt Online"
    # Spelled as the host spells it: umlauts folded, spaces and punctuation aside.
    assert clean_title("Steigende US-Zinsen setzen Dax zu | Börsen-Zeitung", ["boersen-zeitung.de"]) == \
        "Steigende US-Zinsen setzen Dax zu"
    # A long segment that merely contains the site's name is headline.
    assert clean_title("How we built the Example app - a story in five parts", ["example.com", "example"]) == \
        "How we built the Example app - a story in five parts"


def test_dashes_and_colons_inside_the_headline_stay():
    sites = ["sportschau.de", "sportschau"]
    assert clean_title("Rückschlag im Titelkampf - Liverpool verliert bei Everton", sites) == \
        "Rückschlag im Titelkampf - Liverpool verliert bei Everton"
    assert clean_title("Ukraine: Gespräche beginnen wieder", sites) == "Ukraine: Gespräche beginnen wieder"
    assert clean_title("Brücke wird später gebaut - Tagblatt", []) == "Brücke wird später gebaut - Tagblatt"


def test_section_labels_and_dates_come_off():
    sites = ["DW", "dw.com"]
    assert clean_title("Ukrainische Gegenoffensive: Ziele, Chancen, Risiken | DW | 28.04.2023", sites) == \
        "Ukrainische Gegenoffensive: Ziele, Chancen, Risiken"
    # Short pipe segments are sections and site names even when they don't spell the site.
    assert clean_title("Brücke wird später gebaut | Politik | Tagblatt", []) == "Brücke wird später gebaut"
    # Between the headline and a site name, short segments are sections whatever the separator...
    assert clean_title("Bridge delayed - Local - News - The Herald", ["www.herald.example", "herald"]) == "Bridge delayed"
    assert clean_title("Herald > News > World -- Bridge delayed", ["www.herald.example", "herald"]) == "Bridge delayed"
    # ...but not one longer than the headline it would leave.
    assert clean_title("Ja - Die Stadt verschiebt den Bau der Brücke um ein Jahr - Herald", ["www.herald.example", "herald"]) == \
        "Ja - Die Stadt verschiebt den Bau der Brücke um ein Jahr"


def test_labels_repeated_around_a_shorter_declared_title_are_site_labels():
    labels = repeated_labels(["Brücke kommt später", "Brücke kommt später | Stadt & Land | Der Bote"])
    assert {"stadtland", "derbote"} <= labels
    assert clean_title("Brücke kommt später | Stadt & Land | Der Bote", [], labels) == "Brücke kommt später"
    assert clean_title("Der Bote - Brücke kommt später", [], labels) == "Brücke kommt später"
    assert split_title("A | B - C")[0] == ["A", "B", "C"]


def test_the_visible_h1_wins_when_it_matches_a_declared_headline():
    tree = page(meta("og:title", "Teaser für soziale Netze: Brücke kommt später")
                + json_ld({"@type": "NewsArticle", "headline": "Die Brücke kommt erst 2026"})
                + "<title>Die Brücke kommt erst 2026 | Tagblatt</title>",
                f"<article><h1>Die Brücke kommt erst 2026</h1><p>{ARTICLE}</p></article>")
    assert title_of(tree, ["Tagblatt"]) == "Die Brücke kommt erst 2026"


def test_a_declared_headline_without_site_name_when_no_heading_matches():
    tree = page("<title>Brücke kommt später - Tagblatt</title>" + meta("og:title", "Brücke kommt später – Tagblatt"),
                f"<article><h1>Lokales</h1><p>{ARTICLE}</p></article>")
    assert title_of(tree, ["Tagblatt"]) == "Brücke kommt später"


def test_the_og_title_shown_on_the_page_beats_another_heading_matching_a_lower_source():
    tree = page(meta("og:title", "Brücke kommt später") + "<title>Neue Brücke: Bau verschoben | Tagblatt</title>",
                "<h1>Neue Brücke: Bau verschoben</h1>"
                f"<article><h1><span>Stadtrat</span> Brücke kommt später</h1><p>{ARTICLE}</p></article>")
    assert title_of(tree, ["Tagblatt"]) == "Brücke kommt später"


def test_a_kicker_the_editors_declare_stays_with_the_headline():
    tree = page(meta("og:title", "Nach dem Rücktritt: Ministerin soll Justiz übernehmen")
                + "<title>Nach dem Rücktritt: Ministerin soll Justiz übernehmen - Bote</title>",
                f"<article><h1>Ministerin soll Justiz übernehmen</h1><p>{ARTICLE}</p></article>")
    assert title_of(tree, ["Bote", "bote.example"]) == "Nach dem Rücktritt: Ministerin soll Justiz übernehmen"


def test_a_kicker_on_a_line_of_its_own_in_the_heading_is_not_the_headline():
    declared = meta("og:title", "Nach dem Rücktritt: Ministerin soll Justiz übernehmen")
    for heading in ("<h2><span>Nach dem Rücktritt </span><div>Ministerin soll Justiz übernehmen</div></h2>",
                    "<h1><div>Nach dem Rücktritt</div><span>Ministerin soll Justiz übernehmen</span></h1>",
                    "<h1><span>Nach dem Rücktritt</span><br><span>Ministerin soll Justiz übernehmen</span></h1>"):
        assert title_of(page(declared, f"<article>{heading}<p>{ARTICLE}</p></article>"), ["Bote"]) == \
            "Ministerin soll Justiz übernehmen", heading
    # The same words written as one headline over two lines, or in one line, are read whole.
    for heading in ("<h1><span>Nach dem Rücktritt:</span><br><span>Ministerin soll Justiz übernehmen</span></h1>",
                    "<h1><span>Nach dem Rücktritt</span><br><span>: Ministerin soll Justiz übernehmen</span></h1>",
                    "<h1>Nach dem Rücktritt: <span>Ministerin soll Justiz übernehmen</span></h1>"):
        assert title_of(page(declared, f"<article>{heading}<p>{ARTICLE}</p></article>"), ["Bote"]) == \
            "Nach dem Rücktritt: Ministerin soll Justiz übernehmen", heading


def test_a_title_only_page_shows_its_headline_among_its_sections():
    # The 2000s layout: a section <h1>, the headline in a styled cell, site and sections in <title>.
    tree = page("<title>Bridge delayed to next year - World - Sport - Northern News</title>",
                "<h1>Top Classifieds</h1><table><tr><td class='hl'><b>Bridge delayed to next year</b></td></tr>"
                f"<tr><td>{ARTICLE}</td></tr></table><a href='/world'>World</a>")
    assert title_of(tree, ["www.northern.example", "northern"]) == "Bridge delayed to next year"
    # A wire prefix a <title>-only page puts before the headline its <h1> shows.
    tree = page("<title>Wire: Bridge delayed to next year</title>", f"<h1>Bridge delayed to next year</h1><p>{ARTICLE}</p>")
    assert title_of(tree, ["news.example.com"]) == "Bridge delayed to next year"


def test_a_title_that_only_names_the_site_gives_way_to_the_headline():
    tree = page("<title>The Evening Star</title>", f"<h1>Bridge delayed to next year</h1><p>{ARTICLE}</p>")
    assert title_of(tree, ["www.star.example"]) == "Bridge delayed to next year"


def test_extract_reads_the_title_before_the_body_is_pruned():
    html = ("<html><head><title>Bridge delayed to next year | News | The Herald</title>"
            + meta("og:site_name", "The Herald") + "</head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Bridge delayed to next year</h1><p>{ARTICLE}</p></article></body></html>")
    assert extract(html, "https://www.herald.example/a/1", content_type="text/html").title == "Bridge delayed to next year"


STORY = ("The bridge over the river will be delayed to next year, the council said on Monday. The costs of the "
         "bridge have risen sharply and the council is waiting for a review before the work can start.")


def test_a_page_without_declared_title_or_heading_takes_the_headline_above_its_story():
    assert headline_above_story([("Home News Sport Weather", False, 1.0), ("Monday, 14 January 2008", False, 0.0),
                                 ("Bridge delayed to next year", False, 0.0), (STORY, False, 0.0)], STORY) == \
        "Bridge delayed to next year"
    # A heading above the story beats a closer short line; a sentence, a date or a byline is not a headline.
    assert headline_above_story([("Bridge delayed to next year", True, 0.0), ("Council costs review start", False, 0.0),
                                 (STORY, False, 0.0)], STORY) == "Bridge delayed to next year"
    assert headline_above_story([("The council met on Monday.", False, 0.0), ("By Jane Doe, Staff Writer", False, 0.0),
                                 ("1:23 p.m. December 31, 2007", False, 0.0), (STORY, False, 0.0)], STORY) is None
    # A line that does not speak of the story ("Premium Article !") does not replace a title.
    assert headline_above_story([("Premium Article today", True, 0.0), (STORY, False, 0.0)], STORY,
                                "Bridge delayed to next year") is None


def test_the_headline_above_a_photo_caption_is_the_one_taken():
    # Headline, then the caption of the photo under it, then the story: the headline sits higher up.
    assert headline_above_story([("Bridge delayed to next year", False, 0.0),
                                 ("The mayor on the old bridge in March", False, 0.0), (STORY, False, 0.0)], STORY) == \
        "Bridge delayed to next year"
    # A time stamp has too few words with letters to be a headline.
    assert headline_above_story([("08/01 13:27 CET", False, 0.0), (STORY, False, 0.0)], STORY) is None


def test_a_heading_of_stopwords_and_a_site_word_does_not_speak_of_the_story():
    # 'with' occurs in any English story; 'Bookmark' is what the heading is about.
    story = STORY + " The council will meet with the builders in May."
    assert not about_the_story("Bookmark with:", story)
    html = ("<html><body><div><a href='/'>Home</a> <a href='/news'>News</a></div>"
            "<div class='sh'>Bridge delayed to next year</div><div>The mayor on the old bridge in March</div>"
            f"<p>{story}</p><p>{ARTICLE}</p><h3>Bookmark with:</h3><a href='/share'>Delicious</a></body></html>")
    assert extract(html, "https://www.herald.example/a/1", content_type="text/html").title == \
        "Bridge delayed to next year"


def test_a_title_only_page_whose_title_names_only_the_site_or_section_is_doubtful():
    title_only = read_metadata(page("<title>Local Sports Wire</title>"))
    assert about_the_story("Bridge delayed to next year", STORY)
    assert not about_the_story("Local Sports Wire", STORY)
    assert doubtful("Local Sports Wire", title_only, Visible(headings=["Local Sports Wire"]), STORY)
    assert not doubtful("Bridge delayed to next year", title_only, Visible(), STORY)
    # An editorial headline declared beside <title> is never second-guessed.
    declared = read_metadata(page(meta("og:title", "Local Sports Wire") + "<title>Local Sports Wire</title>"))
    assert not doubtful("Local Sports Wire", declared, Visible(), STORY)
    assert doubtful(None, declared, Visible(), STORY)


def test_a_list_entry_above_the_story_is_no_headline():
    # The <title> shares few words with the story (doubtful), but the entries of the list above the story
    # are ingredients or steps, not its headline: the title stays, and the first step stays in the body.
    steps = "".join(f"<li>{i} cups of chicken stock and rice for the pot, stirred well</li>" for i in range(2, 8))
    html = ("<html><head><title>Roasted Chicken with Oriental Rice Recipe</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/recipes'>Recipes</a></nav>"
            f"<ul><li>1 large or 1200 g whole chicken</li>{steps}</ul>"
            "<p>Heat the oil in a large pot, add the chicken stock and the soaked rice, and cook them for twenty "
            "minutes until the rice is tender and the stock is absorbed. Serve the chicken on the rice.</p></body></html>")
    article = extract(html, "https://www.food.example/r/1", content_type="text/html")
    assert article.title == "Roasted Chicken with Oriental Rice Recipe"
    assert not [removal for removal in article.removed if removal.reason.startswith("headline")]
    assert "2 cups of chicken stock" in article.body


def test_a_title_that_names_only_the_site_gives_way_to_the_headline_above_the_story():
    # The story names the paper ("told the Evening Star"): its name alone still is no headline.
    story = STORY + " The mayor told the Evening Star that the bridge will open in May."
    html = ("<html><head><title>Evening Star</title></head><body><div><a href='/'>Home</a> <a href='/news'>News</a></div>"
            "<div>Bridge delayed to next year Sat, 29 Dec 2007 17:50:54</div>"
            f"<p>{story}</p><p>{ARTICLE}</p></body></html>")
    article = extract(html, "https://www.eveningstar.example/news/1", content_type="text/html")
    # The headline, without the date stamp run on after it.
    assert article.title == "Bridge delayed to next year"
    assert headline_above_story([("'No exceptions to the plan' Sat, 29 Dec 2007 17:50:54", False, 0.0), (STORY, False, 0.0)],
                                STORY + " There are no exceptions to the plan.") == "'No exceptions to the plan'"
