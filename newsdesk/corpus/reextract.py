"""Re-extraction: run the current extractor again over the raw inputs the corpus kept."""

from __future__ import annotations

import json
from collections import Counter

from extractors import EXTRACTOR_VERSION, Document
from newsdesk.corpus.ingest import Ingestor
from newsdesk.corpus.store import Store


def stored_documents(store: Store, *, only_outdated: bool = True):
    """Documents rebuilt from raw_documents for articles written by another extractor version (or all)."""
    condition = "WHERE a.extractor_version IS NOT ?" if only_outdated else "WHERE ? IS NOT NULL"
    rows = store.db.execute(
        "SELECT DISTINCT r.id, r.url, r.origin, r.source, r.content_type, r.headers "
        f"FROM raw_documents r JOIN articles a ON a.raw_id = r.id {condition} ORDER BY r.id", [EXTRACTOR_VERSION]).fetchall()
    for raw_id, url, origin, source, content_type, headers in rows:
        yield Document(content=store.raw_content(raw_id), url=url, origin=origin or url or f"raw:{raw_id}",
                       source=source or "replay", content_type=content_type, headers=json.loads(headers or "{}"))


def reextract(store: Store, *, only_outdated: bool = True) -> Counter[str]:
    ingestor = Ingestor(store)
    outcomes: Counter[str] = Counter()
    for document in list(stored_documents(store, only_outdated=only_outdated)):
        outcomes[ingestor.ingest(document).status] += 1
    return outcomes
