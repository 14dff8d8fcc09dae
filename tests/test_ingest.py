"""The ingest core: what counts as an article on a crawl, the reasons an input is refused, and
Documents going through extraction to the store."""

from __future__ import annotations

from extractors import Article, Document
from newsdesk.corpus.ingest import (
    CONFIDENT_ARTICLE_WORDS, MIN_ARTICLE_WORDS, Ingestor, declares_article, extract_stage, not_an_article, validate,
)
from hostile_inputs import PARAGRAPH, article_html, paragraphs


def article(words: int, *, page_type: str | None = None, link_density: float = 0.0, title: str = "Headline") -> Article:
    return Article(url=None, title=title, body=" ".join(["word"] * words), page_type=page_type, link_density=link_density)


def test_declared_article_types_are_articles_even_at_list_like_urls():
    assert not_an_article(article(60, page_type="NewsArticle"), "https://example.org/news/politik/") is None
    assert not_an_article(article(60, page_type="article"), "https://example.org/tag/bridges") is None


def test_list_urls_without_an_article_declaration_are_not_articles():
    assert not_an_article(article(600), "https://example.org/tag/bridges") == "list or navigation page by its URL"
    assert not_an_article(article(600), "https://example.org/news/politik/?page=2") == "list or navigation page by its URL"


def test_link_heavy_pages_are_not_articles_unless_their_text_is_long():
    assert not_an_article(article(120, link_density=0.8), "https://example.org/a.html").startswith("mostly links")
    assert not_an_article(article(CONFIDENT_ARTICLE_WORDS, link_density=0.8), "https://example.org/a.html") is None
    assert not_an_article(article(120, link_density=0.2), "https://example.org/a.html") is None


def test_a_declared_website_with_little_text_is_not_an_article():
    reason = not_an_article(article(60, page_type="website"), "https://example.org/ueber-uns.html")
    assert reason == "page declares type 'website' and has little text"
    assert not_an_article(article(CONFIDENT_ARTICLE_WORDS // 2, page_type="website"), "https://example.org/a.html") is None


def test_validate_names_why_a_page_is_no_article():
    assert validate(article(MIN_ARTICLE_WORDS)) is None
    assert validate(article(0)) == "no article text found on the page"
    assert validate(article(12)) == f"too little article text (12 words, at least {MIN_ARTICLE_WORDS} needed)"
    wall = Article(url=None, title="Sign in to continue reading", body="Sign in to continue reading this story.")
    assert validate(wall).startswith("a login or paywall page: too little article text")


def test_declares_article_reads_json_ld_and_og_type_without_parsing():
    assert declares_article(b'<script type="application/ld+json">{"@type": "NewsArticle"}</script>')
    assert declares_article(b'<meta property="og:type" content="article">')
    assert not declares_article(b'<meta property="og:type" content="website"><p>NewsArticle</p>')


def test_crawled_list_pages_are_skipped_before_extraction_and_articles_get_their_canonical_url():
    listing = Document(content=b"<html><body><a href='/a'>A</a></body></html>", url="https://example.org/tag/a", source="crawl")
    skipped = extract_stage(listing, articles_only=True)
    assert skipped.skipped and skipped.article is None and skipped.stage == "classify"
    page = article_html(paragraphs(PARAGRAPH)).replace(
        "<title>", '<link rel="canonical" href="/news/bridge.html?utm_source=x"><title>').encode()
    extraction = extract_stage(Document(content=page, url="https://example.org/amp/bridge", source="crawl"), articles_only=True)
    assert not extraction.skipped and extraction.article.url == "https://example.org/news/bridge.html"


def test_ingest_stores_an_article_and_records_every_url_it_was_fetched_under(store):
    page = article_html(paragraphs(PARAGRAPH)).encode()
    document = Document(content=page, url="https://example.org/news/bridge.html", source="crawl",
                        fetched_urls=["https://example.org/short/1", "https://example.org/news/bridge.html"])
    result = Ingestor(store).ingest(document, articles_only=True)
    assert result.status == "new"
    for url in document.fetched_urls:
        assert store.fetch_record(url).article_id == result.article_id
    assert Ingestor(store).ingest(document, articles_only=True).status == "unchanged"
    assert store.counts()["articles"] == 1


def test_a_failed_input_becomes_one_failures_row_with_its_stage(store):
    result = Ingestor(store).ingest(Document(content=b"\x89PNG\r\n\x1a\n" + bytes(200), origin="picture.html"))
    assert (result.status, result.stage) == ("failed", "decode")
    row = next(iter(store.db["failures"].rows))
    assert (row["origin"], row["stage"], row["reason"]) == ("picture.html", "decode", result.reason)
    assert "PNG" in result.reason
