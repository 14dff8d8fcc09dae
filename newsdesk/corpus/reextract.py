"""Re-extraction: run the current extractor again over the raw inputs the corpus kept."""

from __future__ import annotations

from collections import Counter

from newsdesk.corpus.ingest import Ingestor
from newsdesk.corpus.store import Store


def reextract(store: Store, *, only_outdated: bool = True) -> Counter[str]:
    """Ingest again the kept raw input of every article written by another extractor version (or of all)."""
    ingestor = Ingestor(store)
    outcomes: Counter[str] = Counter()
    for document in store.documents_to_reextract(only_outdated=only_outdated):
        outcomes[ingestor.ingest(document).status] += 1
    return outcomes
