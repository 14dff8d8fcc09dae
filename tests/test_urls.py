"""URL identity (canonical forms without tracking parameters) and the URL shapes of list pages."""

from __future__ import annotations

import pytest

from newsdesk.corpus.urls import canonical_url, host_of, is_http_url, looks_like_listing_url


def test_canonical_url_drops_tracking_parameters_fragment_and_default_port():
    assert canonical_url("HTTP://Example.ORG:80/a/story.html?utm_source=rss&utm_medium=feed&fbclid=x#comments") == \
        "http://example.org/a/story.html"
    assert canonical_url("https://example.org:443/a.html?gclid=1") == "https://example.org/a.html"


def test_canonical_url_keeps_meaningful_parameters_in_a_stable_order():
    assert canonical_url("https://example.org/story?id=7&utm_campaign=x&lang=de") == \
        canonical_url("https://example.org/story?lang=de&id=7") == "https://example.org/story?id=7&lang=de"
    assert canonical_url("http://127.0.0.1:8000/a.html") == "http://127.0.0.1:8000/a.html", "a non-default port stays"
    assert canonical_url("https://example.org") == "https://example.org/"


@pytest.mark.parametrize("url", [
    "https://example.org/", "https://example.org/news/politik/", "https://example.org/tag/klima",
    "https://example.org/author/jane-doe/", "https://example.org/search?q=bridge", "https://example.org/news/politik/?page=3",
    "https://example.org/archiv/2024/", "https://example.org/thema/wahlen",
])
def test_list_and_navigation_urls_are_recognised(url):
    assert looks_like_listing_url(url)


@pytest.mark.parametrize("url", [
    "https://example.org/news/politik/stadtrat-beschliesst-bruecke.html",
    "https://example.org/2024/03/14/harbour-bridge-approved/",
    "https://example.org/story/3000000218734/nach-kalifat-rufen",
    "https://example.org/about-the-bridge-debate.html",
])
def test_article_urls_are_not_taken_for_list_pages(url):
    assert not looks_like_listing_url(url)


def test_only_http_and_https_are_fetchable():
    assert is_http_url("https://example.org/") and is_http_url("HTTP://example.org/")
    for url in ("file:///etc/passwd", "ftp://example.org/a", "data:text/html,hi", "javascript:alert(1)", "mailto:a@b.org"):
        assert not is_http_url(url), url
    assert host_of("https://News.Example.org:8443/x") == "news.example.org"
