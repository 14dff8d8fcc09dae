"""Run the `news` spider in this process: `newsdesk crawl` and scheduled jobs both come through run_crawl()."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from newsdesk.crawl_report import CrawlReport
from newsdesk.store import DEFAULT_DB


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
        settings.set("CLOSESPIDER_PAGECOUNT", options.max_pages, priority="cmdline")
    if options.recrawl_after is not None:
        settings.set("NEWSDESK_RECRAWL_AFTER", options.recrawl_after, priority="cmdline")
    for key, value in options.settings.items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(options: CrawlOptions, db_path: str | Path = DEFAULT_DB) -> CrawlReport:
    """Crawl once, in this process, until the frontier or the page budget is exhausted (or SIGINT/SIGTERM,
    after which Scrapy finishes the requests and items in flight). A process can run this only once:
    Twisted's reactor does not restart, which is why schedulers run each crawl in a child process."""
    from scrapy.crawler import CrawlerProcess

    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    process = CrawlerProcess(crawl_settings(options, db_path))
    crawler = process.create_crawler("news")
    process.crawl(crawler, start_urls=options.start_urls, feeds=options.feeds, sitemaps=options.sitemaps,
                  allow_domains=options.allow_domains)
    process.start()
    return CrawlReport.from_stats(crawler.stats.get_stats())


def _parse_setting(pairs: tuple[str, ...]) -> dict[str, Any]:
    settings = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not key or not _:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--set")
        settings[key.strip()] = value
    return settings


@click.command("crawl")
@click.argument("start_urls", nargs=-1)
@click.option("--feed", "feeds", multiple=True, help="RSS or Atom feed to read article links from (repeatable).")
@click.option("--sitemap", "sitemaps", multiple=True, help="Sitemap or sitemap index (repeatable).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Stop after fetching this many pages.")
@click.option("--allow-domain", "allow_domains", multiple=True, help="Another host the crawl may follow links to (repeatable).")
@click.option("--recrawl-after", default=None, help="Refetch known articles after this long, e.g. '6h' (default 24h).")
@click.option("--db", "db_path", default=str(DEFAULT_DB), show_default=True, type=click.Path(dir_okay=False))
@click.option("--set", "-s", "scrapy_settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("--json", "as_json", is_flag=True, help="Print the closing report as JSON.")
def crawl_command(start_urls, feeds, sitemaps, max_pages, allow_domains, recrawl_after, db_path, scrapy_settings, as_json):
    """Crawl news sites: start pages, feeds and sitemaps, storing articles in the corpus."""
    from newsdesk.jobs import parse_duration
    from newsdesk.urls import is_http_url

    if not (start_urls or feeds or sitemaps):
        raise click.UsageError("give at least one start URL, --feed or --sitemap")
    bad = [url for url in (*start_urls, *feeds, *sitemaps) if not is_http_url(url)]
    if bad:
        raise click.BadParameter(f"not an http(s) URL: {bad[0]}")
    try:
        recrawl_seconds = parse_duration(recrawl_after) if recrawl_after else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--recrawl-after") from None
    options = CrawlOptions(list(start_urls), list(feeds), list(sitemaps), list(allow_domains), max_pages,
                           recrawl_seconds, _parse_setting(scrapy_settings))
    report = run_crawl(options, db_path)
    click.echo(json.dumps(report.to_dict()) if as_json else report.summary())
    if report.pages_fetched == 0 and report.skipped_known == 0:
        sys.exit(1)
