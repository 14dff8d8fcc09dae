"""One table of declared page types, read alike by the HTML extractor, the metadata reader and the ingest core."""

from __future__ import annotations

import json

import pytest

from extractors import Article, extract
from extractors.metadata import read_metadata
from extractors.html_extractor import parse_html
from extractors.rules.page_types import ARTICLE_DECLARATION, ARTICLE_TYPES, NON_ARTICLE_TYPES, type_name
from newsdesk.corpus.ingest import declares_article, not_an_article

PARAGRAPHS = "".join(f"<p>The council met on day {day} and talked about the bridge, the budget and the harbour for hours.</p>"
                     for day in range(12))


def page(*types: str, og_type: str | None = None) -> bytes:
    ld = json.dumps({"@context": "https://schema.org", "@type": list(types) if len(types) > 1 else types[0],
                     "headline": "The bridge is approved", "author": {"@type": "Person", "name": "Jane Doe"}})
    og = f'<meta property="og:type" content="{og_type}">' if og_type else ""
    return (f'<html><head><script type="application/ld+json">{ld}</script>{og}</head>'
            f"<body><article><h1>The bridge is approved</h1>{PARAGRAPHS}</article></body></html>").encode()


def test_a_type_is_named_case_blind_and_without_its_schema_org_iri():
    assert type_name("https://schema.org/NewsArticle") == type_name(" NewsArticle") == "newsarticle"
    assert type_name("http://www.schema.org/WebSite") == "website"
    assert not ARTICLE_TYPES & NON_ARTICLE_TYPES


@pytest.mark.parametrize("declared", sorted(ARTICLE_TYPES))
def test_every_article_type_is_found_in_the_raw_bytes_and_makes_the_page_type(declared):
    content = page("WebPage", declared.upper())
    assert ARTICLE_DECLARATION.search(page(declared)) and declares_article(page(declared.capitalize()))
    assert extract(content, "https://example.org/a", content_type="text/html").page_type == declared.upper()


def test_other_types_declare_no_article():
    assert not declares_article(page("WebSite")) and not declares_article(page("DiscussionForumPosting"))
    assert declares_article(b'<meta property="og:type" content="article">')
    assert extract(page("DiscussionForumPosting", og_type="website"), content_type="text/html").page_type == "website"


def test_the_metadata_reader_takes_authors_from_the_nodes_the_table_names():
    for declared in ("TechArticle", "https://schema.org/ReportageNewsArticle", "WebPage"):
        assert read_metadata(parse_html(page(declared).decode())).authors == {"json-ld": ["Jane Doe"]}
    assert read_metadata(parse_html(page("Product").decode())).authors == {}


def test_ingest_takes_a_declared_article_type_as_an_article_even_at_a_list_url():
    article = Article(url=None, title="t", body="short", page_type="https://schema.org/ReportageNewsArticle")
    assert not_an_article(article, "https://example.org/tag/bridges/") is None
    article.page_type = "website"
    assert not_an_article(article, "https://example.org/tag/bridges/") == "list or navigation page by its URL"
    article.page_type = "CollectionPage"
    reason = not_an_article(article, "https://example.org/2024/a-story")
    assert reason == "page declares type 'CollectionPage' and has little text"
