"""extract(): the one entry point from raw content (bytes or text) to an Article."""

from __future__ import annotations

import re

from extractors.article import Article, Document
from extractors.dates import normalize_published
from extractors.decoding import decode_bytes
from extractors.errors import ExtractionError
from extractors.html_extractor import extract_html, warm_up_date_search
from extractors.body import body_models
from extractors.language import confirm_declared_language, detect_language, load_language_profiles
from extractors.limits import LIMITS
from extractors.text_cleaner import clean_text_capture

_HTML_START = re.compile(r"^\s*+(?:(?><!--.*?-->)\s*+)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|article)\b",
                         re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(r"</?(?:p|div|span|a|br|li|h[1-6]|article|section|body|html|table)\b[^<>]*+>", re.IGNORECASE)


def looks_like_html(text: str, content_type: str | None = None) -> bool:
    if content_type:
        lowered = content_type.lower()
        if "html" in lowered or "xml" in lowered:
            return True
        if lowered.startswith("text/plain"):
            return False
    head = text[:4096]
    if _HTML_START.match(head):
        return True
    return len(_HTML_TAGS.findall(head)) >= 5


def warm_up(*, date_search: bool = False) -> None:
    """Load now what extraction would load on its first page (the body models, the language profiles), e.g. in
    a worker process while the crawl is still fetching its first pages. With `date_search`, also the date
    parser's tables for every language (about a second and 40 MB), which are otherwise loaded on the first
    page whose date only htmldate's extensive search finds, and never in a process that meets none."""
    body_models()
    load_language_profiles()
    if date_search:
        warm_up_date_search()


def extract(content: bytes | str | Document, url: str | None = None, *, content_type: str | None = None) -> Article:
    """Extract an Article from a page or text capture. Raises ExtractionError with a one-line reason."""
    if isinstance(content, Document):
        url = url or content.url
        content_type = content_type or content.content_type or content.header("Content-Type")
        content = content.content
    if isinstance(content, bytes):
        if len(content) > LIMITS.max_input_bytes:
            raise ExtractionError(f"input of {len(content):,} bytes exceeds the {LIMITS.max_input_bytes:,}-byte limit",
                                  stage="decode")
        decoded = decode_bytes(content, content_type)
        text, encoding = decoded.text, decoded.encoding
    else:
        text, encoding = content, None
    if not text.strip():
        raise ExtractionError("empty input (no text)", stage="decode")

    if looks_like_html(text, content_type):
        page = extract_html(text, url)
        body = "\n\n".join(page.paragraphs)
        article = Article(
            url=url, title=page.title, body=body, byline=page.cues.byline,
            authors=page.authors, published=normalize_published(page.cues.published), outlet=page.cues.outlet,
            credits=page.cues.credits, removed=page.removed, canonical_url=page.canonical_url,
            page_type=page.page_type, link_density=page.link_density, input_format="html", encoding=encoding,
            language=confirm_declared_language(body, page.declared_language),
        )
    else:
        capture = clean_text_capture(text)
        article = Article(
            url=url, title=capture.title, body=capture.body, byline=capture.cues.byline,
            authors=capture.cues.authors, outlet=capture.cues.outlet,
            published=normalize_published(capture.cues.published or capture.cues.updated),
            credits=capture.cues.credits, removed=capture.removed, input_format="text", encoding=encoding,
            language=capture.language,
        )
    if len(article.body) > LIMITS.max_body_chars:
        cut = article.body.rfind("\n\n", 0, LIMITS.max_body_chars)
        article.body = article.body[: cut if cut > 0 else LIMITS.max_body_chars]
    if article.language is None:
        article.language = detect_language(article.body)
    return article
