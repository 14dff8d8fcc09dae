"""What a crawl did, read from Scrapy's stats: the numbers behind progress lines, summaries and crawl_runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crawler.corpus import STORE_ERROR_STAT
from crawler.middlewares import ROBOTS_TXT_RESPONSES
from newsdesk.corpus.store import RunCounts

# Requests refused by policy, as counted by whoever refused them: Scrapy's robots.txt and offsite middlewares,
# and newsdesk's own (newsdesk/refused/<why>). Known articles skipped are counted apart (newsdesk/skipped_known).
REFUSAL_STATS = ("robotstxt/forbidden", "offsite/filtered")
NEWSDESK_REFUSAL_PREFIX = "newsdesk/refused/"
# The URLs the crawl was started with (start pages, feeds, sitemaps) that could not be fetched: {url: reason}.
SEED_FAILURES_STAT = "newsdesk/seed_failures"
# Set when SIGINT or SIGTERM stopped the crawl: the signal's number (the command exits with 128 + it).
STOPPED_BY_SIGNAL_STAT = "newsdesk/stopped_by_signal"


@dataclass
class CrawlReport:
    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    not_modified: int = 0
    skipped_pages: int = 0  # list and navigation pages: followed, not stored
    skipped_known: int = 0  # known articles within the recrawl interval: not fetched
    refused: int = 0  # robots.txt, other hosts, non-http(s) schemes
    failures: int = 0
    dead_links: int = 0  # links followed from pages that answered 404, 410, 400 or 414: counted, no failures rows
    store_error: str = ""  # why the crawl stopped early because the corpus could not be written
    finish_reason: str = ""
    stopped_by_signal: int = 0  # SIGINT or SIGTERM stopped the crawl (its number); 0 otherwise
    retries: int = 0  # requests sent again (timeouts, 5xx, 429)
    seed_failures: dict[str, str] = field(default_factory=dict)  # start URLs, feeds, sitemaps not fetched: why
    elapsed_seconds: float = 0.0
    storing_seconds: float = 0.0  # from the first article stored to the last

    @classmethod
    def from_stats(cls, stats: dict[str, Any]) -> "CrawlReport":
        started, finished = stats.get("start_time"), stats.get("finish_time")
        if started and finished:
            elapsed = (finished - started).total_seconds()
        else:
            elapsed = float(stats.get("elapsed_time_seconds", 0) or 0)
        first, last = stats.get("newsdesk/first_stored_at"), stats.get("newsdesk/last_stored_at")
        return cls(
            # robots.txt responses are not pages (nor counted in --max-pages): see PageBudgetMiddleware
            pages_fetched=stats.get("downloader/response_count", 0) - stats.get(ROBOTS_TXT_RESPONSES, 0),
            articles_new=stats.get("newsdesk/new", 0),
            articles_updated=stats.get("newsdesk/updated", 0),
            articles_unchanged=stats.get("newsdesk/unchanged", 0),
            not_modified=stats.get("newsdesk/not_modified", 0),
            skipped_pages=stats.get("newsdesk/skipped", 0),
            skipped_known=stats.get("newsdesk/skipped_known", 0),
            refused=sum(stats.get(name, 0) for name in REFUSAL_STATS)
            + sum(value for name, value in stats.items() if name.startswith(NEWSDESK_REFUSAL_PREFIX)),
            failures=stats.get("newsdesk/failed", 0) + stats.get("newsdesk/fetch_failed", 0),
            dead_links=stats.get("newsdesk/dead_links", 0),
            store_error=str(stats.get(STORE_ERROR_STAT) or ""),
            finish_reason=str(stats.get("finish_reason", "")),
            retries=stats.get("retry/count", 0),
            seed_failures=dict(stats.get(SEED_FAILURES_STAT) or {}),
            stopped_by_signal=int(stats.get(STOPPED_BY_SIGNAL_STAT) or 0),
            elapsed_seconds=elapsed,
            storing_seconds=(last - first).total_seconds() if first and last else 0.0,
        )

    def run_counts(self) -> RunCounts:
        return RunCounts(pages_fetched=self.pages_fetched, articles_new=self.articles_new,
                         articles_updated=self.articles_updated, articles_unchanged=self.articles_unchanged,
                         failures=self.failures, dead_links=self.dead_links)

    @property
    def articles_stored(self) -> int:
        return self.articles_new + self.articles_updated + self.articles_unchanged

    @property
    def sustained_docs_per_second(self) -> float:
        """Articles stored per second once storing has begun (start-up, robots.txt, feeds and sitemaps
        and the workers' loading excluded): the articles after the first over the time to the last."""
        return (self.articles_stored - 1) / self.storing_seconds if self.storing_seconds > 0 else 0.0

    def progress_line(self) -> str:
        retrying = f", {self.retries} retries" if self.retries else ""
        return (f"{self.pages_fetched} pages fetched, {self.articles_stored} articles stored "
                f"({self.articles_new} new, {self.articles_updated} updated, {self.articles_unchanged} unchanged), "
                f"{self.failures} errors{retrying}")

    def summary(self) -> str:
        return (f"crawl finished ({self.finish_reason or 'done'}): "
                f"{self.pages_fetched} pages fetched in {self.elapsed_seconds:.1f}s; "
                f"articles: {self.articles_new} new, {self.articles_updated} updated, {self.articles_unchanged} unchanged "
                f"({self.not_modified} not modified); {self.skipped_pages} list/navigation pages not stored; "
                f"{self.skipped_known} known articles skipped; {self.refused} requests refused by policy; "
                f"{self.failures} failed; {self.dead_links} dead links"
                + "".join(f"; could not fetch {url}: {reason}" for url, reason in self.seed_failures.items()))

    def nothing_stored_reason(self) -> str | None:
        """Why a crawl stored nothing, when it stored nothing because something failed (None otherwise: a crawl
        that found only known articles, or only list pages within its budget, did what it was asked)."""
        if self.articles_stored or self.skipped_known or self.not_modified:
            return None
        if self.seed_failures:
            url, reason = next(iter(self.seed_failures.items()))
            more = f" (and {len(self.seed_failures) - 1} more start URLs)" if len(self.seed_failures) > 1 else ""
            return f"nothing stored: could not fetch {url}: {reason}{more}"
        if self.pages_fetched == 0:
            return "nothing stored: no page could be fetched"
        if self.failures:
            return f"nothing stored: {self.failures} pages failed (see the failures table)"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "articles_stored": self.articles_stored,
                "sustained_docs_per_second": round(self.sustained_docs_per_second, 2)}
