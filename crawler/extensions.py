"""Live crawl progress: one status line every few seconds (pages fetched, articles stored, errors)."""

from __future__ import annotations

import sys

from scrapy import signals
from twisted.internet import task

from crawler.report import CrawlReport


class CrawlProgress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("NEWSDESK_PROGRESS_INTERVAL")
        self.enabled = crawler.settings.getbool("NEWSDESK_PROGRESS", True) and self.interval > 0
        self.loop = None
        self.seed_failures_shown: set[str] = set()
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        if self.enabled:
            self.loop = task.LoopingCall(self.show)
            self.loop.start(self.interval, now=False)

    def show(self):
        report = CrawlReport.from_stats(self.crawler.stats.get_stats())
        self.show_seed_failures(report)
        end = "\r" if sys.stderr.isatty() else "\n"
        print(f"crawl: {report.progress_line()}", end=end, file=sys.stderr, flush=True)

    def show_seed_failures(self, report: CrawlReport) -> None:
        """A start URL, feed or sitemap that could not be fetched, on a line of its own as soon as it is known."""
        for url, reason in report.seed_failures.items():
            if url not in self.seed_failures_shown:
                self.seed_failures_shown.add(url)
                prefix = "\r\x1b[K" if sys.stderr.isatty() else ""
                print(f"{prefix}crawl: could not fetch {url}: {reason}", file=sys.stderr, flush=True)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.enabled:
            self.show_seed_failures(CrawlReport.from_stats(self.crawler.stats.get_stats()))
        if self.enabled and sys.stderr.isatty():
            print(file=sys.stderr)
