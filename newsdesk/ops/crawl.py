"""The crawl runner: the `news` spider in this process. `newsdesk crawl` and scheduled jobs both come through
run_crawl()."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.report import CrawlReport
from newsdesk.corpus.store import DEFAULT_DB, Store


@dataclass
class CrawlOptions:
    start_urls: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    allow_domains: list[str] = field(default_factory=list)
    max_pages: int | None = None
    recrawl_after: int | None = None  # seconds; None keeps the settings default
    settings: dict[str, Any] = field(default_factory=dict)  # extra Scrapy settings (tests, tuning)


def crawl_settings(options: CrawlOptions, db_path: str | Path):
    from scrapy.settings import Settings

    import crawler.settings as project_settings

    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("NEWSDESK_DB", str(db_path), priority="cmdline")
    if options.max_pages:
        settings.set("NEWSDESK_MAX_PAGES", options.max_pages, priority="cmdline")
    if options.recrawl_after is not None:
        settings.set("NEWSDESK_RECRAWL_AFTER", options.recrawl_after, priority="cmdline")
    for key, value in options.settings.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(options: CrawlOptions, db_path: str | Path = DEFAULT_DB, stats_out: dict[str, Any] | None = None) -> CrawlReport:
    """Crawl once, in this process, until the frontier or the page budget is exhausted (or SIGINT/SIGTERM,
    after which Scrapy finishes the requests and items in flight). A process can run this only once:
    Twisted's reactor does not restart, which is why schedulers run each crawl in a child process.
    Raises StoreError when the corpus cannot be used at the start; when it fails during the crawl, the crawl
    stops and the report's store_error says why."""
    from scrapy.crawler import CrawlerProcess

    # A corpus that cannot be opened or written fails here, with its StoreError, before anything is fetched.
    with Store(db_path) as store:
        store.check_writable()
    process = CrawlerProcess(crawl_settings(options, db_path))
    crawler = process.create_crawler("news")
    process.crawl(crawler, start_urls=options.start_urls, feeds=options.feeds, sitemaps=options.sitemaps,
                  allow_domains=options.allow_domains)
    process.start()
    if stats_out is not None:  # every Scrapy stat, for callers that count more than CrawlReport does
        stats_out.update(crawler.stats.get_stats())
    return CrawlReport.from_stats(crawler.stats.get_stats())
