"""Headline, author and language choices from a page's declarations."""

from __future__ import annotations

import json

import lxml.html

import extractors.html_extractor as html_extractor
import extractors.language as language
from extractors import extract
from extractors.cues import date_banner, split_author_names
from extractors.language import confirm_declared_language, detect_language
from extractors.authors import choose_authors, find_bylines
from extractors.dates import title_date
from extractors.metadata import PageMetadata, read_metadata

GERMAN = ("Die Stadt hat am Montag beschlossen, dass die neue Brücke über den Fluss erst im nächsten Jahr gebaut "
          "wird, weil die Kosten in den letzten Monaten stark gestiegen sind und der Rat noch auf eine Prüfung "
          "wartet. Der Bürgermeister sagte, man werde die Bürger in einer Versammlung informieren, sobald die "
          "Zahlen vorliegen, und er sei sicher, dass die Brücke am Ende gebaut werde. ") * 2
ENGLISH = ("The city council decided on Monday that the new bridge over the river will only be built next year, "
           "because the costs have risen sharply in the last few months and the council is still waiting for a "
           "review. The mayor said that the citizens would be informed at a meeting as soon as the figures are "
           "available, and that he was sure the bridge would be built in the end. ") * 2
NORWEGIAN = ("Bystyret vedtok mandag at den nye brua over elva først skal bygges neste år, fordi kostnadene har steget "
             "kraftig de siste månedene og rådet fortsatt venter på en gjennomgang. Ordføreren sa at innbyggerne "
             "skal få vite mer på et møte så snart tallene er klare, og at han er sikker på at brua blir bygget. ") * 2


def page_with(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def json_ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_authors_are_people_not_the_outlet_its_desk_or_its_place():
    assert split_author_names("Capital Von Jemima Kelly") == ["Jemima Kelly"]
    assert split_author_names("Autor Monika Bolliger") == ["Monika Bolliger"]
    assert split_author_names("Ursula von der Leyen") == ["Ursula von der Leyen"]
    sites = ["LTO", "lto.de", "Condé Nast"]
    assert choose_authors({"meta": ["LTO"], "byline markup": ["Max Kolter"]}, sites) == ["Max Kolter"]
    assert choose_authors({"json-ld": ["Condé Nast", "Philipp Wehsack"]}, sites) == ["Philipp Wehsack"]
    # "Site, City, Country" is an organisation's credit: none of it is a person, the organisation is listed.
    assert choose_authors({"meta": ["hessenschau.de, Frankfurt, Germany"]}, ["hessenschau.de"]) == ["hessenschau.de"]
    assert choose_authors({"json-ld": ["Red."]}, []) == []
    # JSON-LD Person nodes outrank a meta author that names the page's editor.
    assert choose_authors({"json-ld": ["Matthew Loh"], "meta": ["Amin Al Magrebi"]}, []) == ["Matthew Loh"]


def test_a_declared_language_is_taken_only_when_the_text_bears_it_out():
    assert confirm_declared_language(GERMAN, "de-DE") == "de"
    assert confirm_declared_language(GERMAN, "en") is None  # a template's default, not the page's language
    assert confirm_declared_language("Zu kurz.", "de") is None
    page = (f'<html lang="en"><head><title>Brücke</title></head><body><article><h1>Brücke</h1><p>{GERMAN}</p></article>'
            '</body></html>')
    assert extract(page, "https://example.org/a", content_type="text/html").language == "de"


def test_page_metadata_reads_every_meta_once():
    page = lxml.html.document_fromstring(
        '<html><head><meta name="author" content="Jane Doe"><meta property="og:site_name" content="Tagblatt">'
        '<meta http-equiv="Content-Language" content="de"></head><body></body></html>')
    metadata = read_metadata(page)
    assert metadata.first_meta("og:title", "og:site_name") == "Tagblatt"
    assert metadata.first_meta("content-language") == "de"
    assert metadata.authors["meta"] == ["Jane Doe"]
    assert isinstance(PageMetadata().titles, dict)


def test_a_credit_under_the_standfirst_does_not_end_the_story():
    capture = "\n".join([
        "Startseite", "Politik", "Wirtschaft",
        "Brücke wird erst 2026 gebaut",
        "Die Kosten sind gestiegen, die Stadt verschiebt den Bau der neuen Brücke um ein Jahr.",
        "dpa",
        *[f"{sentence}" for sentence in GERMAN.split(". ") if sentence.strip()],
        "Mehr zum Thema", "Neue Ampel am Markt", "Stadtfest abgesagt",
    ])
    body = extract(capture).body
    assert "Bürgermeister sagte" in body and "Die Kosten sind gestiegen" in body
    assert "Stadtfest abgesagt" not in body


def test_one_walk_reads_the_article_headline_canonical_link_and_the_time_inside_the_article():
    page = page_with(
        '<header><h1>Tagblatt</h1><time datetime="2020-01-01">heute</time></header>'
        '<article><h1>Die Brücke kommt erst 2026</h1><time datetime="2024-03-14T10:00:00+01:00">14. März</time></article>',
        head='<link rel="canonical" href="https://tagblatt.example/a/bruecke"><title>Brücke | Tagblatt</title>')
    metadata = read_metadata(page)
    assert metadata.headline == "Die Brücke kommt erst 2026"
    assert metadata.canonical_url == "https://tagblatt.example/a/bruecke"
    assert metadata.published == "2024-03-14T10:00:00+01:00"


def test_author_meta_names_are_read_in_any_case_and_dublin_core_creators_count():
    assert read_metadata(page_with("", head='<META NAME="Author" CONTENT="Heinz Hahn">')).authors["meta"] == ["Heinz Hahn"]
    dublin_core = page_with("", head='<meta name="dcterms.creator" content="Martin Stallmann">')
    assert read_metadata(dublin_core).authors["meta"] == ["Martin Stallmann"]


def test_json_ld_authors_given_by_reference_with_markup_or_as_a_login_are_read_as_names():
    # Yoast SEO's graph: the article names its author by @id only, the Person node holds the name.
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Article", "headline": "Brücke kommt später", "author": {"@id": "https://blog.example/#/schema/person/1"}},
        {"@type": "Person", "@id": "https://blog.example/#/schema/person/1", "name": "Celia Parbey"}]}
    assert read_metadata(page_with("", head=json_ld(graph))).authors["json-ld"] == ["Celia Parbey"]
    linked = {"@type": "NewsArticle", "author": {"@type": "Person", "name": [
        '<a href="/experts/mateusz-gniazdowski">Mateusz Gniazdowski</a>',
        '<a href="/experts/martyna-wasiuta">Martyna Wasiuta</a>']}}
    assert read_metadata(page_with("", head=json_ld(linked))).authors["json-ld"] == ["Mateusz Gniazdowski", "Martyna Wasiuta"]
    login = {"@type": "NewsArticle", "author": {"@type": "Person", "name": "christian.stadtfeld"}}
    assert read_metadata(page_with("", head=json_ld(login))).authors["json-ld"] == ["Christian Stadtfeld"]


def test_a_labelled_byline_names_the_authors_where_no_byline_class_does():
    definition_list = page_with('<ul><li><strong>Datum</strong> 28.04.2023</li>'
                                '<li><strong>Autorin/Autor</strong> Roman Goncharenko</li></ul>')
    assert find_bylines(definition_list)["byline label"] == ["Roman Goncharenko"]
    inline = page_with('<ul><li class="information-item">Von:\n\t\t<span><a href="/bill-mccarthy">Bill MCCARTHY</a></span>, '
                       '<span><a href="/marisha-goldhamer">Marisha GOLDHAMER</a></span></li></ul>')
    assert choose_authors(find_bylines(inline), []) == ["Bill MCCARTHY", "Marisha GOLDHAMER"]
    # A menu link to the site's authors is no label, and the page under it no author.
    menu = page_with('<ul><li><a href="/autoren">Autoren</a>'
                     '<ul><li><a href="/autoren/mitschreiben">Mitschreiben</a></li></ul></li></ul>')
    assert "byline label" not in find_bylines(menu)


def test_bylines_in_comments_and_inside_times_are_not_read_but_wordpress_post_classes_are_no_such_region():
    page = page_with('<div class="post type-post category-allgemein"><span class="author vcard">'
                     '<a href="/author/tom" rel="author">Tom Stelling</a></span></div>'
                     '<div id="comments"><div class="comment-author">Troll Person</div></div>')
    bylines = find_bylines(page)
    assert choose_authors(bylines, []) == ["Tom Stelling"]
    assert not any("Troll" in text for texts in bylines.values() for text in texts)
    dated = page_with('<p class="byline">Jane Doe <time datetime="2024-01-02">2. Januar 2024</time></p>')
    assert find_bylines(dated)["byline class (loose)"] == ["Jane Doe"]


def test_surer_byline_markup_outranks_a_looser_byline_class():
    page = page_with('<div class="post-writer">Kate May</div><p>Text</p><a rel="author" href="/a/ana">Ana García</a>')
    assert choose_authors(find_bylines(page), []) == ["Ana García"]


def test_byline_elements_are_only_looked_for_when_the_declarations_name_nobody(monkeypatch):
    looked = []
    monkeypatch.setattr(html_extractor, "find_bylines", lambda tree: looked.append(tree) or {})
    body = f"<article><h1>Brücke kommt später</h1><p>{GERMAN}</p></article>"
    declared = page_with(body, head=json_ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Jane Doe"}}))
    markup = lxml.html.tostring(declared, encoding="unicode")
    assert extract(markup, "https://tagblatt.example/a", content_type="text/html").authors == ["Jane Doe"]
    assert not looked
    extract(lxml.html.tostring(page_with(body), encoding="unicode"), "https://tagblatt.example/a", content_type="text/html")
    assert looked


def test_desk_initials_organisations_and_author_labels_are_not_people():
    assert choose_authors({"byline class (loose)": ["Amw"]}, []) == []
    with_initials = {"json-ld": ["Elena Oberholzer (obe)", "Corina Gall (cog.)"]}
    assert choose_authors(with_initials, []) == ["Elena Oberholzer", "Corina Gall"]
    # A byline that names only an organisation lists it, as written.
    assert choose_authors({"json-ld": ["Noticias de El Salvador"]}, []) == ["Noticias de El Salvador"]
    assert choose_authors({"meta": ["Redacción"]}, []) == ["Redacción"]
    assert choose_authors({"byline class (loose)": ["Auteurs"]}, []) == []
    assert split_author_names("Auteur : Jean Dupont") == ["Jean Dupont"]


def test_a_dotted_or_iso_date_in_the_title_dates_a_page_that_declares_none():
    assert title_date({"og": "Ukrainische Gegenoffensive | DW | 28.04.2023"}) == "2023-04-28"
    assert title_date({"title": "Bridge approved - Herald - 2024-03-14"}) == "2024-03-14"
    assert title_date({"title": "Bridge approved | Herald | 03/05/2024"}) is None  # May 3 or March 5?
    body = f"<article><p>{GERMAN}</p></article>"
    page = f"<html><head><title>Brücke kommt später | Tagblatt | 28.04.2023</title></head><body>{body}</body></html>"
    assert extract(page, "https://tagblatt.example/a", content_type="text/html").published == "2023-04-28"
    declared = page.replace("</head>", '<meta property="article:published_time" content="2023-04-27T18:00:00+02:00"></head>')
    assert extract(declared, "https://tagblatt.example/a", content_type="text/html").published.startswith("2023-04-27")


def test_a_clear_stopword_lead_names_the_language_and_close_relatives_are_left_to_langdetect(monkeypatch):
    asked = []
    monkeypatch.setattr(language, "detect", lambda sample: asked.append(sample) or "no")
    assert detect_language(GERMAN) == "de" and detect_language(ENGLISH) == "en"
    assert not asked
    assert detect_language(NORWEGIAN) == "no"  # Bokmål, Nynorsk and Danish stopwords overlap: langdetect decides
    assert asked


def test_a_script_only_one_language_is_written_in_names_it_and_han_with_some_kana_is_left_to_langdetect(monkeypatch):
    asked = []
    monkeypatch.setattr(language, "detect", lambda sample: asked.append(sample) or "ko")
    # Traditional Chinese, which langdetect took for Korean on three dev pages.
    chinese = "財政部今天下午將公佈今年一至二月期統一發票中獎清冊，財政部透露，本期千萬中獎張數為十八張。" * 3
    japanese = "政府は月曜日、新しい橋の建設を来年に延期すると発表した。費用が大幅に上がったためだという。" * 3
    korean = "시의회는 월요일 새 다리 건설을 내년으로 미루기로 결정했다. 비용이 크게 올랐기 때문이다." * 3
    greek = "Το δημοτικό συμβούλιο αποφάσισε τη Δευτέρα ότι η νέα γέφυρα θα χτιστεί τον επόμενο χρόνο." * 3
    assert [detect_language(text) for text in (chinese, japanese, korean, greek)] == ["zh", "ja", "ko", "el"]
    assert not asked
    # A few kana among Han characters (a Japanese name quoted in Chinese, or Japanese written mostly in Han):
    # the script does not settle it.
    mixed = "財政部今天下午將公佈今年統一發票中獎清冊のリスト" + "財政部透露本期千萬中獎張數為十八張" * 4
    assert detect_language(mixed) == "ko" and asked


def test_a_date_banner_needs_a_year():
    assert date_banner("Montag, 3. Mai 2024, 14:05 Uhr") == "2024-05-03T14:05"
    assert date_banner("Aktualisiert am 3. Mai um 14:05 Uhr") is None


def test_a_sentence_that_mentions_a_date_is_no_date_banner():
    # Prose that goes on after its date and ends as a sentence stays in the story.
    assert date_banner("Am 5. November 2021 wird sie 100 Jahre alt. Herzlichen Glückwunsch.") is None
    assert date_banner("ab 1. Januar 2024 für Substitute für Tabakwaren.") is None
    assert date_banner("Der nächste Stammtisch findet am Mi. 5. Februar 2020 ab 19 Uhr im Cafe Hurricane statt.") is None
    # Banners keep their labels, bylines and outlets, and may end on an abbreviation.
    assert date_banner("Posted by Jane Doe on December 29, 2007 04:20 PM") == "2007-12-29T16:20"
    assert date_banner("06.01.2026, Lesezeit 5 Min.") == "2026-01-06"
    assert date_banner("Posted on Tuesday 15 October 2019 at 09:11 by Bradley M. Kuhn.") == "2019-10-15T09:11"
    assert date_banner("Monday, September 16, 2024.") == "2024-09-16"


def test_declared_outlet_names_are_decoded_and_a_url_given_as_name_becomes_its_host():
    from extractors.metadata import clean_outlet

    assert clean_outlet("Freie Presse - Verlag GmbH &amp; Co. KG") == "Freie Presse - Verlag GmbH & Co. KG"
    assert clean_outlet("https://www.kleinezeitung.at") == "kleinezeitung.at"
    assert clean_outlet("  The   Coastal Herald ") == "The Coastal Herald"
    assert clean_outlet("") is None and clean_outlet(None) is None
