"""The crawl's defaults: polite (robots.txt, identification, AutoThrottle, a few requests per site, backoff on
429/5xx) and bounded (response size, timeouts, redirects), with overrides from the command line or a job."""

from __future__ import annotations

from extractors.limits import LIMITS
from newsdesk.corpus.workers import EXTRACT_TIMEOUT_SECONDS
from newsdesk.ops.crawl import CrawlOptions, crawl_settings


def test_crawls_are_polite_by_default(tmp_path):
    settings = crawl_settings(CrawlOptions(), tmp_path / "corpus.db")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.get("USER_AGENT").startswith("newsdesk/") and "contact:" in settings.get("USER_AGENT")
    assert settings.getbool("AUTOTHROTTLE_ENABLED") and settings.getfloat("DOWNLOAD_DELAY") > 0
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4
    assert settings.getbool("RETRY_ENABLED") and {429, 500, 502, 503, 504} <= set(settings.getlist("RETRY_HTTP_CODES"))
    assert not settings.getbool("COOKIES_ENABLED")


def test_crawls_are_bounded_by_default(tmp_path):
    settings = crawl_settings(CrawlOptions(), tmp_path / "corpus.db")
    assert settings.getint("DOWNLOAD_MAXSIZE") == LIMITS.max_input_bytes
    assert settings.getint("DOWNLOAD_TIMEOUT") == 30 and settings.getint("REDIRECT_MAX_TIMES") == 5
    assert settings.getint("NEWSDESK_MAX_SITEMAP_URLS") == 50_000
    assert settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT") == EXTRACT_TIMEOUT_SECONDS == 20


def test_options_and_overrides_win_over_the_defaults(tmp_path):
    options = CrawlOptions(max_pages=40, recrawl_after=0, settings={"DOWNLOAD_DELAY": "0", "RETRY_TIMES": "1"})
    settings = crawl_settings(options, tmp_path / "corpus.db")
    assert settings.get("NEWSDESK_DB") == str(tmp_path / "corpus.db")
    assert settings.getint("NEWSDESK_MAX_PAGES") == 40 and settings.getint("NEWSDESK_RECRAWL_AFTER") == 0
    assert settings.getfloat("DOWNLOAD_DELAY") == 0 and settings.getint("RETRY_TIMES") == 1
