"""Article metadata from HTML: headline, publication date and authors, from the page's own declarations
(JSON-LD, <meta>, <time>, byline elements) before heuristics (htmldate) and text cues.

The page is read in two passes at most: `read_metadata` walks only the declaring elements (meta, script,
title, h1, time, link); extractors.authors.find_bylines walks every element once, and only for pages whose
declarations name no author."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit
from dataclasses import dataclass, field

import lxml.html

from extractors.authors import declared_authors
from extractors.dates import DateCandidate, declared_dates
from extractors.jsonld import article_nodes, json_ld_nodes
from extractors.rules import html as html_rules
from extractors.text import normalize_whitespace, visible_text


@dataclass
class PageMetadata:
    headline: str | None = None  # the visible <h1> headline
    titles: dict[str, str] = field(default_factory=dict)  # title candidates by source (chosen in extractors.titles)
    published: str | None = None  # the first declared publication date (see extractors.dates)
    dates: list[DateCandidate] = field(default_factory=list)  # every declared date (see extractors.dates.declared_dates)
    authors: dict[str, list[str]] = field(default_factory=dict)  # byline strings by source (see AUTHOR_SOURCES)
    publisher: str | None = None
    types: list[str] = field(default_factory=list)  # every JSON-LD @type on the page, in order
    meta: dict[str, list[str]] = field(default_factory=dict)  # <meta> contents by lower-cased name/property/itemprop
    canonical_url: str | None = None  # <link rel=canonical>
    article_body: str | None = None  # the JSON-LD article's articleBody, as declared

    def first_meta(self, *names: str) -> str | None:
        """The first non-empty <meta> content declared under any of `names` (any case), in the order given."""
        for name in names:
            values = self.meta.get(name.lower())
            if values:
                return values[0]
        return None


def _index_meta(element: lxml.html.HtmlElement, index: dict[str, list[str]]) -> None:
    """File a <meta> content under its name, property, itemprop and http-equiv, lower-cased."""
    content = (element.get("content") or "").strip()
    if not content:
        return
    for attribute in ("property", "name", "itemprop", "http-equiv"):
        key = element.get(attribute)
        if key:
            index.setdefault(key.strip().lower(), []).append(content)


def _text(element) -> str:
    return visible_text(element.text_content())






def clean_outlet(name: str | None) -> str | None:
    """A declared site or publisher name as readers know it: entities decoded, a URL given as the name
    ("https://www.example.at") reduced to its host."""
    if not name:
        return None
    name = normalize_whitespace(html.unescape(name))
    if re.match(r"https?://", name, re.IGNORECASE):
        host = urlsplit(name).hostname or ""
        name = host.removeprefix("www.")
    return name or None




_DECLARING_TAGS = ("meta", "script", "title", "h1", "time", "link")


def read_metadata(tree: lxml.html.HtmlElement) -> PageMetadata:
    """What the page declares about itself, from one walk over its declaring elements."""
    metadata = PageMetadata()
    scripts: list[str] = []
    headings: list[lxml.html.HtmlElement] = []
    times: list[lxml.html.HtmlElement] = []
    document_title = None
    for element in tree.iter(*_DECLARING_TAGS):
        tag = element.tag
        if tag == "meta":
            _index_meta(element, metadata.meta)
        elif tag == "script":
            if element.text and (element.get("type") or "").strip().lower() == "application/ld+json":
                scripts.append(element.text)
        elif tag == "h1":
            headings.append(element)
        elif tag == "time":
            if element.get("datetime"):
                times.append(element)
        elif tag == "title":
            parent = element.getparent()
            if document_title is None and parent is not None and parent.tag == "head":
                document_title = element
        elif tag == "link":
            is_canonical = "canonical" in (element.get("rel") or "").lower().split()
            if metadata.canonical_url is None and element.get("href") and is_canonical:
                metadata.canonical_url = element.get("href")

    nodes = json_ld_nodes(scripts)
    articles = article_nodes(nodes)
    for node in nodes:
        declared = node.get("@type")
        types = declared if isinstance(declared, list) else [declared]
        metadata.types.extend(value for value in types if isinstance(value, str))

    metadata.headline = _visible_headline(tree, headings)
    for node in articles:
        if isinstance(node.get("headline"), str) and node["headline"].strip():
            metadata.titles["json-ld"] = node["headline"]
            break
    for source, name in (("og", "og:title"), ("twitter", "twitter:title")):
        value = metadata.first_meta(name)
        if value:
            metadata.titles[source] = value
    if metadata.headline:
        metadata.titles["h1"] = metadata.headline
    if document_title is not None and document_title.text_content().strip():
        metadata.titles["title"] = document_title.text_content()

    metadata.dates = declared_dates(articles, metadata.meta, times)
    metadata.published = next((candidate.value for candidate in metadata.dates
                               if candidate.published and not candidate.written), None)

    nodes_by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    metadata.authors = declared_authors(articles, nodes_by_id, metadata.meta, scripts)

    metadata.article_body = next((node["articleBody"] for node in articles
                                  if isinstance(node.get("articleBody"), str) and node["articleBody"].strip()), None)
    for node in articles:
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            metadata.publisher = publisher["name"].strip()
            break
    return metadata


def _visible_headline(tree: lxml.html.HtmlElement, headings: list[lxml.html.HtmlElement]) -> str | None:
    """The page's own headline: the first headline-sized <h1> in a HEADLINE_CONTAINERS element, else the
    itemprop=headline element, else the first headline-sized <h1> anywhere."""
    def headline_sized(elements) -> str | None:
        return next((text for text in map(_text, elements) if 2 <= len(text.split()) <= 40), None)

    for container in html_rules.HEADLINE_CONTAINERS:
        inside = [element for element in headings if any(ancestor.tag == container for ancestor in element.iterancestors())]
        headline = headline_sized(inside)
        if headline:
            return headline
    return headline_sized(tree.xpath(html_rules.HEADLINE_ITEMPROP)) or headline_sized(headings)
