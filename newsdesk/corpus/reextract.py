"""Re-extraction: run the current extractor again over the raw inputs the corpus kept, in the worker pool."""

from __future__ import annotations

from typing import Callable

from newsdesk.corpus.ingest import ExtractFunction, Ingestor, IngestResult, extract_stage
from newsdesk.corpus.replay import ReplaySummary
from newsdesk.corpus.store import Store
from newsdesk.corpus.workers import EXTRACT_TIMEOUT_SECONDS, ExtractionPool


def reextract(store: Store, *, only_outdated: bool = True, workers: int | None = None,
              timeout: float = EXTRACT_TIMEOUT_SECONDS, on_result: Callable[[IngestResult], None] | None = None,
              function: ExtractFunction = extract_stage) -> ReplaySummary:
    """Extract again the kept raw input of every article written by another extractor version (or of all), in
    the worker pool, and update the articles in place."""
    ingestor = Ingestor(store)
    summary = ReplaySummary()
    documents = store.documents_to_reextract(only_outdated=only_outdated)
    with ExtractionPool(workers, timeout=timeout, function=function) as pool:
        for document, extraction in pool.imap((document, document) for document in documents):
            result = ingestor.store_extraction(document, extraction)
            summary.add(result)
            if on_result is not None:
                on_result(result)
    return summary
