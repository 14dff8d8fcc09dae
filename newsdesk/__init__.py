"""newsdesk: crawl and replay news into a clean SQLite corpus. This package holds the ingest core, the
store, replay and the command line; extraction lives in `extractors`, the Scrapy project in `crawler`."""

__version__ = "0.1.0"
