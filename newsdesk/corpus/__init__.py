"""The corpus layer: the SQLite store (the only place with SQL), the ingest core, URL identity, replay of
saved inputs and re-extraction. Depends on `extractors` only."""
