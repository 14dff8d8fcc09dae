"""The crawl runner: the `news` spider in this process. `newsdesk crawl` and scheduled jobs both come through
run_crawl()."""

from __future__ import annotations

import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.report import STOPPED_BY_SIGNAL_STAT, CrawlReport
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
    if not debugging():
        one_line_logs()
    crawler = process.create_crawler("news")
    process.crawl(crawler, start_urls=options.start_urls, feeds=options.feeds, sitemaps=options.sitemaps,
                  allow_domains=options.allow_domains)
    stopping = _StopOnSignal(process, crawler)
    # Scrapy installs these once the reactor runs: its own would stop without a word and force a bogus end.
    process._signal_shutdown, process._signal_kill = stopping.first_signal, stopping.second_signal
    process.start()
    if stats_out is not None:  # every Scrapy stat, for callers that count more than CrawlReport does
        stats_out.update(crawler.stats.get_stats())
    return CrawlReport.from_stats(crawler.stats.get_stats())


def _say(line: str) -> None:
    """One line on stderr, written at once (on a terminal, over the progress line)."""
    prefix = "\r\x1b[K" if sys.stderr.isatty() else ""
    try:
        os.write(sys.stderr.fileno(), f"{prefix}{line}\n".encode())
    except (OSError, ValueError):
        pass


class _StopOnSignal:
    """SIGINT or SIGTERM: say so, drop the requests waiting for their turn (never sent), finish the pages in
    flight (fetched, extracted, stored) and end; the crawl then exits with 128 + the signal's number. A second
    signal ends the process at once, without a summary: workers die with it, and SQLite keeps every page
    committed before it."""

    def __init__(self, process, crawler):
        self.process, self.crawler = process, crawler
        self.signum: int | None = None

    def first_signal(self, signum: int, frame) -> None:
        from twisted.internet import reactor

        self.signum = signum
        # The second signal ends the process the moment it arrives, as a signal's default action does: a handler
        # would wait for the main thread to get back to Python code. The shell reports 130 or 143 all the same.
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        reactor.callFromThread(self._stop)  # not in the handler: the interrupted code may be writing to stderr

    def second_signal(self, signum: int, frame) -> None:  # Scrapy's place for it; the default action comes first
        os._exit(128 + signum)

    def _stop(self) -> None:
        self.crawler.stats.set_value(STOPPED_BY_SIGNAL_STAT, self.signum)
        engine = self.crawler.engine
        in_flight = 0
        if engine is not None and engine.spider is not None:
            in_flight = _drop_waiting_requests(engine)
        _say(f"stopping: finishing {in_flight} pages in flight (signal again to stop at once)")
        self.process.stop()


def _drop_waiting_requests(engine) -> int:
    """Drop the requests waiting in the downloader for their politeness delay (not sent yet, never will be);
    return how many pages are still in flight: being fetched, or fetched and not yet stored."""
    from crawler.middlewares import RequestDropped

    slots = getattr(engine.downloader, "slots", {})
    for slot in list(slots.values()):
        queue = getattr(slot, "queue", None)
        while queue:
            _request, waiting = queue.popleft()
            waiting.errback(RequestDropped("the crawl is stopping", refusal=True))
    transferring = sum(len(getattr(slot, "transferring", ())) for slot in slots.values())
    scraping = getattr(getattr(engine.scraper, "slot", None), "active", ())
    return transferring + len(scraping)


def debugging() -> bool:
    """`newsdesk --debug`: tracebacks and libraries' log records are shown as they are."""
    return os.environ.get("NEWSDESK_DEBUG", "") not in ("", "0")


def one_line_logs() -> None:
    """What Scrapy and the libraries it calls log reaches the user as one line a record, never a traceback
    (with `newsdesk --debug`, as logged). Done where records are made, whichever handler Scrapy installs later."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "one_line", False):
        return

    def one_line_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its message: shown as it was logged
            message = str(record.msg)
        if record.exc_info or record.stack_info or "\n" in message:
            record.msg, record.args = " ".join(message.split()), None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return record

    one_line_record.one_line = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(one_line_record)
