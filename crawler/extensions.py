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
        end = "\r" if sys.stderr.isatty() else "\n"
        print(f"crawl: {report.progress_line()}", end=end, file=sys.stderr, flush=True)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.enabled and sys.stderr.isatty():
            print(file=sys.stderr)
