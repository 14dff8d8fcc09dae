"""Re-extraction: kept raw inputs run through the current extractor again, in the worker pool."""

from __future__ import annotations

import pytest

import zlib

from extractors import Document
from newsdesk.corpus.ingest import Ingestor
from newsdesk.corpus.reextract import reextract
from newsdesk.corpus.store import Store
from test_workers import hang_on_marker

pytestmark = pytest.mark.slow  # Re-extraction runs in extraction worker processes.


def ingest_seeds(store: Store, seed_paths) -> None:
    ingestor = Ingestor(store)
    for path in seed_paths:
        assert ingestor.ingest(Document(content=path.read_bytes(), origin=str(path))).status == "new"


def test_reextract_rebuilds_articles_from_kept_raw_inputs(store: Store, seed_paths):
    ingest_seeds(store, seed_paths)
    store.db.execute("UPDATE articles SET body = 'stale', extractor_version = 'old'")
    summary = reextract(store, workers=2)
    assert summary.counts["updated"] == 5 and summary.total == 5
    assert all(row["body"] != "stale" and row["extractor_version"] != "old" for row in store.articles())
    assert reextract(store, workers=0).total == 0, "nothing is outdated any more"
    assert store.counts()["articles"] == 5


def test_a_page_that_hangs_reextraction_fails_alone_within_its_budget(store: Store, seed_paths):
    ingest_seeds(store, seed_paths)
    store.db.execute("UPDATE raw_documents SET content = ? WHERE id = 1", [zlib.compress(b"HANG")])
    store.db.execute("UPDATE articles SET extractor_version = 'old'")
    summary = reextract(store, workers=1, timeout=2, function=hang_on_marker)
    assert (summary.counts["failed"], summary.counts["updated"]) == (1, 4), "the other pages went on"
    [(stage, reason)] = store.db.execute("select stage, reason from failures").fetchall()
    assert (stage, reason) == ("extract", "extraction timed out after 2 s")
