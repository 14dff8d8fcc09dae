"""What replay sources (files, folders, web archives) hand to the replay loop: one ReplayInput per file or
archive record, and the filters a replay applies, each as early as the input allows."""

from __future__ import annotations

from dataclasses import dataclass

from extractors import Article, Document
from newsdesk.corpus.store import ReplayCheckpoint
from newsdesk.corpus.urls import host_of


@dataclass(frozen=True)
class Revisit:
    """A web archive's revisit record: `url` was fetched again at `fetched_at` and found the same as
    `refers_to` (or as the record whose payload has `payload_digest`)."""

    url: str
    refers_to: str | None
    payload_digest: str | None
    fetched_at: str | None


@dataclass(frozen=True)
class ReplayInput:
    """One input of a replay: a Document to extract and store, a revisit to point back, or the reason it could
    not be read (failed) or is passed over (skipped). `checkpoint` is where its archive's replay stands once it
    is settled; an input that is only a checkpoint (`counted` False) marks an archive's end."""

    origin: str
    document: Document | None = None
    reason: str | None = None
    skipped: bool = False
    stage: str = "read"  # the failures stage of a failed input
    articles_only: bool = False  # a fetched web page: list and navigation pages are passed over, as in a crawl
    revisit: Revisit | None = None
    payload_digest: str | None = None  # the archive's digest of this record's payload (for revisits to find it)
    checkpoint: ReplayCheckpoint | None = None
    counted: bool = True
    warning: str | None = None  # a problem that does not stop the input being replayed (a broken sidecar)


# Reasons for inputs passed over by the filters (one fixed text each, so summaries group them).
FILTERED_DOMAIN = "filtered out: --domain"
FILTERED_LANGUAGE = "filtered out: --language"
FILTERED_SINCE = "filtered out: --since"
FILTERED_UNTIL = "filtered out: --until"
FILTERED_UNDATED = "filtered out: no date for --since/--until"


@dataclass(frozen=True)
class ReplayFilters:
    """--domain, --language, --since, --until. The domain and a fetch date before --since decide before
    extraction (from a WARC record's URI and date alone); language and the publication date after it.
    Dates are compared by calendar day (YYYY-MM-DD, both ends included): the article's publication date, else
    its fetch date; an article with neither is filtered out when a date filter is given."""

    domains: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def before_extraction(self, url: str | None, fetched_at: str | None) -> str | None:
        if self.domains and not (url and self._on_domain(host_of(url))):
            return FILTERED_DOMAIN
        if self.since and fetched_at and fetched_at[:10] < self.since:
            return FILTERED_SINCE  # published no later than fetched
        return None

    def after_extraction(self, article: Article, fetched_at: str | None) -> str | None:
        if self.languages and article.language not in self.languages:
            return FILTERED_LANGUAGE
        if self.since or self.until:
            day = (article.published or fetched_at or "")[:10]
            if not day:
                return FILTERED_UNDATED
            if self.since and day < self.since:
                return FILTERED_SINCE
            if self.until and day > self.until:
                return FILTERED_UNTIL
        return None

    def _on_domain(self, host: str) -> bool:
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)


NO_FILTERS = ReplayFilters()
