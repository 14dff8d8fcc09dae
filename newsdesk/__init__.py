"""newsdesk: crawl and replay news into a clean SQLite corpus.

Layers, each depending only on those before it: `extractors` (the extraction library, a package of its
own) <- `newsdesk.corpus` (store, ingest, URL identity, replay, re-extraction) <- `crawler` (the Scrapy
project) and `newsdesk.ops` (crawl runner, jobs, scheduler) <- `newsdesk.cli`. `newsdesk.devtools`
(evaluation, training, benchmarks, the demo site) sits beside them."""

__version__ = "0.1.0"
