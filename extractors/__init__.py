"""newsdesk's extraction library: raw page or capture in, clean Article out. Imports nothing from Scrapy."""

from extractors.article import Article, Document, Removal
from extractors.core import extract, looks_like_html, warm_up
from extractors.errors import ExtractionError

# Bumped whenever extraction output can change, so stored articles can be re-extracted.
EXTRACTOR_VERSION = "0.4.8"

__all__ = ["Article", "Document", "Removal", "ExtractionError", "EXTRACTOR_VERSION", "extract", "looks_like_html", "warm_up"]
