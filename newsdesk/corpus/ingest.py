"""The ingest core shared by crawls and replay: Document -> extract() -> validate -> store.

Whatever goes wrong with one input becomes a one-line reason and a `failures` row; only a StoreError (the
database itself cannot be used) raises out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin

from extractors import Article, Document, ExtractionError, extract
from extractors.rules.lines import NON_ARTICLE_PAGES
from extractors.rules.page_types import (ARTICLE_DECLARATION, ARTICLE_TYPES, DECLARATION_SEARCH_BYTES, HTML_DOCUMENT_START,
                                         HTML_MEDIA_TYPES, HTML_START_BYTES, NON_ARTICLE_TYPES, type_name)
from newsdesk.corpus.store import SaveOutcome, Store, StoreError, compress_raw, sha256
from newsdesk.corpus.stories import StoryFeatures, join_story, regroup_story, story_features
from newsdesk.corpus.urls import canonical_url, is_http_url, looks_like_listing_url

# An extracted body shorter than this is not an article (an empty shell, a teaser, a login wall).
MIN_ARTICLE_WORDS = 40

@dataclass(frozen=True)
class IngestResult:
    status: str  # 'new' | 'updated' | 'unchanged' | 'failed' | 'skipped' (a crawled page that is not an article)
    origin: str
    reason: str | None = None
    stage: str | None = None
    article_id: int | None = None
    title: str | None = None
    article: Article | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    @property
    def stored(self) -> bool:
        return self.status in ("new", "updated", "unchanged")


def validate(article: Article) -> str | None:
    """Reason the extracted article cannot be stored, or None when it is fine."""
    if article.word_count >= MIN_ARTICLE_WORDS:
        return None
    text = f"{article.title or ''}\n{article.body}"
    kind = next((reason for reason, pattern in NON_ARTICLE_PAGES if pattern.search(text)), None)
    if not article.body.strip():
        return f"{kind}: no article text" if kind else "no article text found on the page"
    amount = f"too little article text ({article.word_count} words, at least {MIN_ARTICLE_WORDS} needed)"
    return f"{kind}: {amount}" if kind else amount


# A list page's visible text is mostly link text; an article's is not, however big its navigation.
MAX_ARTICLE_LINK_DENSITY = 0.5
# Bodies at least this long are articles even on pages that declare another type or are link-heavy.
CONFIDENT_ARTICLE_WORDS = 300


def declares_article(content: bytes) -> bool:
    """Whether the raw page declares itself an article (JSON-LD @type or og:type), without parsing it."""
    return bool(ARTICLE_DECLARATION.search(content[:DECLARATION_SEARCH_BYTES]))


def not_html_reason(content_type: str | None, content: bytes) -> str | None:
    """Why a fetched response is not a page to extract ("not an HTML page (Content-Type application/pdf)"),
    or None. Servers mislabel pages, so a body that starts like HTML is a page whatever its Content-Type."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if not media_type or any(kind in media_type for kind in HTML_MEDIA_TYPES):
        return None
    if HTML_DOCUMENT_START.match(content[:HTML_START_BYTES]):
        return None
    return f"not an HTML page (Content-Type {media_type})"


def not_an_article(article: Article, url: str | None) -> str | None:
    """Why a crawled page is a list/navigation page rather than an article, or None for an article."""
    declared = type_name(article.page_type or "")
    if declared in ARTICLE_TYPES:
        return None
    if url and looks_like_listing_url(url):
        return "list or navigation page by its URL"
    if article.word_count >= CONFIDENT_ARTICLE_WORDS:
        return None
    if article.link_density > MAX_ARTICLE_LINK_DENSITY:
        return f"mostly links ({article.link_density:.0%} of the text)"
    if declared in NON_ARTICLE_TYPES and article.word_count < CONFIDENT_ARTICLE_WORDS // 2:
        return f"page declares type '{article.page_type}' and has little text"
    return None


@dataclass
class Extraction:
    """Outcome of the extract-and-classify stage: picklable, so it can be computed in a worker process."""

    article: Article | None = None
    stage: str | None = None  # set when the input failed or was skipped
    reason: str | None = None
    skipped: bool = False  # a crawled list/navigation page: not an article, not a failure
    compressed_raw: bytes | None = None  # the raw input as the store keeps it, made where extraction ran
    raw_hash: str | None = None  # its sha256, made there too
    story_features: StoryFeatures | None = None  # what stories compare of the article, made there too


def extract_stage(document: Document, articles_only: bool = False, *, with_story_features: bool = True) -> Extraction:
    """Document -> Article, with every error turned into a one-line reason. Touches no database.
    With articles_only (crawls), list and navigation pages come back skipped. `with_story_features=False`
    leaves out the story features (only for measuring what they cost)."""
    if articles_only and document.url and looks_like_listing_url(document.url) and not declares_article(document.content):
        # A list page by its URL that does not declare itself an article: not worth an extraction.
        return Extraction(stage="classify", reason="list or navigation page by its URL", skipped=True)
    try:
        article = extract(document)
    except ExtractionError as error:
        return Extraction(stage=error.stage, reason=error.reason)
    except RecursionError:
        return Extraction(stage="extract", reason="page nested too deeply to parse")
    except MemoryError:
        return Extraction(stage="extract", reason="page too large to parse in memory")
    except Exception as error:  # an extractor bug must cost one input, never the run
        return Extraction(stage="extract", reason=f"internal extractor error: {describe_error(error)}")
    if document.outlet_hint and not article.outlet:
        article.outlet = document.outlet_hint
    if articles_only:
        reason = not_an_article(article, document.url) or validate(article)
        if reason:
            return Extraction(article=article, stage="classify", reason=reason, skipped=True)
        identity = urljoin(document.url or "", article.canonical_url) if article.canonical_url else document.url
        if identity and is_http_url(identity):
            article.url = canonical_url(identity)
    # Compressing the raw page and reading the article's story features here keeps that work off the crawl's one
    # storing process when this runs in a worker.
    _ = article.word_count  # counted once here, in the worker; the article carries the count to the store
    return Extraction(article=article, compressed_raw=compress_raw(document.content), raw_hash=sha256(document.content),
                      story_features=story_features(article) if with_story_features else None)


# extract_stage() or a stand-in with its signature (what the worker pool runs).
ExtractFunction = Callable[[Document, bool], Extraction]


class Ingestor:
    """Runs Documents through extraction, validation and storage: the one path for crawls, replay and
    re-extraction. Every stored article joins a story in the same transaction (`group_stories=False` only
    for measuring what grouping costs)."""

    def __init__(self, store: Store, *, group_stories: bool = True):
        self.store = store
        self.group_stories = group_stories

    def ingest(self, document: Document, *, articles_only: bool = False) -> IngestResult:
        return self.store_extraction(document, extract_stage(document, articles_only))

    def store_extraction(self, document: Document, extraction: Extraction) -> IngestResult:
        """Validate and store what extract_stage() produced (here or in a worker process)."""
        origin = document.origin or document.url or "(unnamed input)"
        article = extraction.article
        if extraction.skipped:
            self._record_non_article(document)
            return IngestResult("skipped", origin, reason=extraction.reason, stage=extraction.stage, article=article)
        if article is None:
            return self._fail(document, origin, extraction.stage or "extract", extraction.reason or "extraction failed")
        problem = validate(article)
        if problem:
            self.store.save_raw(document, extraction.compressed_raw, extraction.raw_hash)  # kept even so: nothing fetched is lost
            return self._fail(document, origin, "validate", problem, article=article)
        try:
            with self.store.transaction():  # the raw input, the article and its URLs: one short transaction
                raw_id = self.store.save_raw(document, extraction.compressed_raw, extraction.raw_hash)
                outcome = self.store.save_article(article, document, raw_id)
                for url in {document.url, article.url, *document.fetched_urls} - {None, ""}:
                    self.store.record_fetch(url, outcome.article_id, etag=document.header("ETag"),
                                            last_modified=document.header("Last-Modified"), fetched_at=document.fetched_at)
                if self.group_stories:
                    self._group(outcome, article, extraction.story_features)
        except StoreError:
            raise  # the corpus itself cannot be used: no later input would fare better, so the run stops
        except Exception as error:
            return self._fail(document, origin, "store", f"could not store: {describe_error(error)}")
        return IngestResult(outcome.status, origin, article_id=outcome.article_id, title=article.title, article=article)

    def record_not_modified(self, url: str, headers: dict[str, str]) -> None:
        """A 304 on revalidation: refresh the fetch time, keep the validators unless the server sent new ones."""
        record = self.store.fetch_record(url)
        lowered = {key.lower(): value for key, value in headers.items()}
        self.store.record_fetch(url, record.article_id if record else None, status=304,
                                etag=lowered.get("etag") or (record.etag if record else None),
                                last_modified=lowered.get("last-modified") or (record.last_modified if record else None))

    def _group(self, outcome: SaveOutcome, article: Article, features: StoryFeatures | None) -> None:
        """A new article joins a story; an updated one is grouped again; an unchanged one keeps its story
        (one stored before stories existed gets one now)."""
        if outcome.status == "new":
            join_story(self.store, outcome.article_id, article, features)
        elif outcome.status == "updated":
            regroup_story(self.store, outcome.article_id, article, features)
        elif self.store.story_of(outcome.article_id) is None:
            join_story(self.store, outcome.article_id, article, features)

    def _record_non_article(self, document: Document) -> None:
        for url in {document.url, *document.fetched_urls} - {None, ""}:
            self.store.record_fetch(url, None, etag=document.header("ETag"), last_modified=document.header("Last-Modified"),
                                    fetched_at=document.fetched_at)

    def _fail(self, document: Document, origin: str, stage: str, reason: str, article: Article | None = None) -> IngestResult:
        reason = _one_line(reason)
        self.store.record_failure(origin, stage, reason, url=document.url)
        return IngestResult("failed", origin, reason=reason, stage=stage, article=article)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:500]


def describe_error(error: BaseException) -> str:
    """An exception as part of a one-line reason: 'ValueError: what it says'."""
    return f"{type(error).__name__}: {_one_line(error)}"
