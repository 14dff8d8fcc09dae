"""The ingest core shared by crawls and replay: Document -> extract() -> validate -> store.

Whatever goes wrong with one input becomes a one-line reason and a `failures` row; nothing raises out.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors import Article, Document, ExtractionError, extract
from newsdesk.store import Store

# An extracted body shorter than this is not an article (an empty shell, a teaser, a login wall).
MIN_ARTICLE_WORDS = 40


@dataclass(frozen=True)
class IngestResult:
    status: str  # 'new' | 'updated' | 'unchanged' | 'failed'
    origin: str
    reason: str | None = None
    stage: str | None = None
    article_id: int | None = None
    title: str | None = None
    article: Article | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def validate(article: Article) -> str | None:
    """Reason the extracted article cannot be stored, or None when it is fine."""
    if not article.body.strip():
        return "no article text found on the page"
    if article.word_count < MIN_ARTICLE_WORDS:
        return f"too little article text ({article.word_count} words, at least {MIN_ARTICLE_WORDS} needed)"
    return None


class Ingestor:
    """Runs one Document at a time through extraction, validation and storage."""

    def __init__(self, store: Store):
        self.store = store

    def ingest(self, document: Document) -> IngestResult:
        origin = document.origin or document.url or "(unnamed input)"
        try:
            article = extract(document)
        except ExtractionError as error:
            return self._fail(document, origin, error.stage, error.reason)
        except RecursionError:
            return self._fail(document, origin, "extract", "page nested too deeply to parse")
        except MemoryError:
            return self._fail(document, origin, "extract", "page too large to parse in memory")
        except Exception as error:  # an extractor bug must cost one input, never the run
            return self._fail(document, origin, "extract", f"internal extractor error: {type(error).__name__}: {_one_line(error)}")
        if document.outlet_hint and not article.outlet:
            article.outlet = document.outlet_hint
        raw_id = self.store.save_raw(document)
        problem = validate(article)
        if problem:
            return self._fail(document, origin, "validate", problem, article=article)
        try:
            outcome = self.store.save_article(article, document, raw_id)
            for url in {document.url, *document.fetched_urls} - {None, ""}:
                self.store.record_fetch(url, outcome.article_id, etag=document.header("ETag"),
                                        last_modified=document.header("Last-Modified"))
        except Exception as error:
            return self._fail(document, origin, "store", f"could not store: {type(error).__name__}: {_one_line(error)}")
        return IngestResult(outcome.status, origin, article_id=outcome.article_id, title=article.title, article=article)

    def _fail(self, document: Document, origin: str, stage: str, reason: str, article: Article | None = None) -> IngestResult:
        reason = _one_line(reason)
        self.store.record_failure(origin, stage, reason, url=document.url)
        return IngestResult("failed", origin, reason=reason, stage=stage, article=article)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:500]
