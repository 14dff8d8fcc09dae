"""Headline, author and language choices from a page's declarations."""

from __future__ import annotations

import lxml.html

from extractors import extract
from extractors.language import confirm_declared_language
from extractors.metadata import PageMetadata, choose_authors, choose_title, clean_title, read_metadata
from extractors.text_cleaner import split_author_names

GERMAN = ("Die Stadt hat am Montag beschlossen, dass die neue Brücke über den Fluss erst im nächsten Jahr gebaut "
          "wird, weil die Kosten in den letzten Monaten stark gestiegen sind und der Rat noch auf eine Prüfung "
          "wartet. Der Bürgermeister sagte, man werde die Bürger in einer Versammlung informieren, sobald die "
          "Zahlen vorliegen, und er sei sicher, dass die Brücke am Ende gebaut werde. ") * 2


def test_site_names_and_dates_come_off_the_title_but_headline_dashes_stay():
    sites = ["DW", "dw.com"]
    assert clean_title("Ukrainische Gegenoffensive: Ziele, Chancen, Risiken | DW | 28.04.2023", sites) == \
        "Ukrainische Gegenoffensive: Ziele, Chancen, Risiken"
    assert clean_title("Steigende US-Zinsen setzen Dax zu | Börsen-Zeitung", ["boersen-zeitung.de"]) == \
        "Steigende US-Zinsen setzen Dax zu"
    # A dash that is part of the headline is not a site suffix.
    assert clean_title("Rückschlag im Titelkampf - Liverpool verliert bei Everton", ["sportschau.de", "sportschau"]) == \
        "Rückschlag im Titelkampf - Liverpool verliert bei Everton"
    assert clean_title("Le Monde :: Grève à la SNCF", ["lemonde.fr", "Le Monde"]) == "Grève à la SNCF"
    # Short pipe segments are sections and site names even when they don't spell the site.
    assert clean_title("Brücke wird später gebaut | Politik | Tagblatt", []) == "Brücke wird später gebaut"
    assert clean_title("Brücke wird später gebaut - Tagblatt", []) == "Brücke wird später gebaut - Tagblatt"


def test_og_title_is_preferred_and_the_h1_fills_in():
    page = lxml.html.document_fromstring(
        "<html><head><title>Brücke kommt später - Tagblatt</title>"
        '<meta property="og:title" content="Brücke kommt später – Tagblatt"></head>'
        "<body><article><h1>Die Brücke kommt erst 2026</h1></article></body></html>")
    metadata = read_metadata(page)
    assert choose_title(metadata, ["Tagblatt"]) == "Brücke kommt später"
    del metadata.titles["og"]
    assert choose_title(metadata, ["Tagblatt"]) == "Die Brücke kommt erst 2026"


def test_authors_are_people_not_the_outlet_its_desk_or_its_place():
    assert split_author_names("Capital Von Jemima Kelly") == ["Jemima Kelly"]
    assert split_author_names("Autor Monika Bolliger") == ["Monika Bolliger"]
    assert split_author_names("Ursula von der Leyen") == ["Ursula von der Leyen"]
    sites = ["LTO", "lto.de", "Condé Nast"]
    assert choose_authors({"meta": ["LTO"], "byline": ["Max Kolter"]}, sites) == ["Max Kolter"]
    assert choose_authors({"json-ld": ["Condé Nast", "Philipp Wehsack"]}, sites) == ["Philipp Wehsack"]
    # "Site, City, Country" is an organisation's credit: none of it is a person.
    assert choose_authors({"meta": ["hessenschau.de, Frankfurt, Germany"]}, ["hessenschau.de"]) == []
    assert choose_authors({"json-ld": ["Red."]}, []) == []
    # JSON-LD Person nodes outrank a meta author that names the page's editor.
    assert choose_authors({"json-ld": ["Matthew Loh"], "meta": ["Amin Al Magrebi"]}, []) == ["Matthew Loh"]


def test_a_declared_language_is_taken_only_when_the_text_bears_it_out():
    assert confirm_declared_language(GERMAN, "de-DE") == "de"
    assert confirm_declared_language(GERMAN, "en") is None  # a template's default, not the page's language
    assert confirm_declared_language("Zu kurz.", "de") is None
    page = f'<html lang="en"><head><title>Brücke</title></head><body><article><h1>Brücke</h1><p>{GERMAN}</p></article></body></html>'
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
