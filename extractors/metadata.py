"""Article metadata from HTML: headline, publication date and authors, from the page's own declarations
(JSON-LD, <meta>, <time>, byline elements) before heuristics (htmldate) and text cues.

The page is read in two passes at most: `read_metadata` walks only the declaring elements (meta, script,
title, h1, time, link); extractors.authors.find_bylines walks every element once, and only for pages whose
declarations name no author."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit
import unicodedata
from dataclasses import dataclass, field

import lxml.html

from extractors.authors import declared_authors
from extractors.cues import parse_date
from extractors.rules import html as html_rules
from extractors.rules import page_types
from extractors.text import normalize_whitespace

_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?")


@dataclass
class PageMetadata:
    headline: str | None = None  # the visible <h1> headline
    titles: dict[str, str] = field(default_factory=dict)  # title candidates by source (see TITLE_SOURCES)
    published: str | None = None
    authors: dict[str, list[str]] = field(default_factory=dict)  # byline strings by source (see AUTHOR_SOURCES)
    publisher: str | None = None
    types: list[str] = field(default_factory=list)  # every JSON-LD @type on the page, in order
    meta: dict[str, list[str]] = field(default_factory=dict)  # <meta> contents by lower-cased name/property/itemprop
    canonical_url: str | None = None  # <link rel=canonical>

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


def _reader_text(text: str) -> str:
    """Text as a reader sees it: whitespace normalised, soft hyphens (invisible unless a line breaks) gone."""
    return normalize_whitespace(text.replace("\u00ad", ""))


def _text(element) -> str:
    return _reader_text(element.text_content())


def json_ld_nodes(scripts: list[str]) -> list[dict]:
    """Every JSON object in the page's JSON-LD scripts, @graph and mainEntity members included."""
    nodes: list[dict] = []

    def collect(node) -> None:
        if isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            nodes.append(node)
            collect(node.get("@graph"))
            collect(node.get("mainEntity"))

    for script in scripts:
        try:
            collect(json.loads(script, strict=False))
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to read: the page's other scripts still count
            continue
    return nodes


def _types(node: dict) -> set[str]:
    declared = node.get("@type")
    values = declared if isinstance(declared, list) else [declared]
    return {page_types.type_name(value) for value in values if isinstance(value, str)}


def _article_nodes(nodes: list[dict]) -> list[dict]:
    ranked = [node for node in nodes if _types(node) & html_rules.ARTICLE_NODE_TYPES]
    # A NewsArticle says more about the story than the WebPage wrapping it.
    return sorted(ranked, key=lambda node: "webpage" in _types(node))


def iso_date(value: str | None) -> str | None:
    if not value or not isinstance(value, str):
        return None
    match = _ISO_DATE.search(value)
    if not match:
        return None
    date, time, zone = match.groups()
    if not time:
        return date
    return f"{date}T{time}{(zone or '').replace('Z', '+00:00')}"


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def _key(text: str) -> str:
    """A site name compared as its host spells it: 'Börsen-Zeitung' ~ 'boersen-zeitung.de', 'Le Monde' ~ 'lemonde.fr'."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return re.sub(r"\W+|_", "", "".join(char for char in folded if not unicodedata.combining(char)))


def _names_site(segment: str, site_keys: set[str]) -> bool:
    """True when a title segment is the site's name or its host, or only a date."""
    if html_rules.TITLE_DATE_SEGMENT.fullmatch(segment.strip()):
        return True
    key = _key(segment)
    if not key:
        return True
    if len(segment.split()) > 3:
        return False
    return any(key == site or (len(key) >= 3 and (key in site or site in key)) for site in site_keys)


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


def clean_title(title: str | None, site_names: list[str | None]) -> str | None:
    """'Headline | Section | Site | 28.04.2023' -> 'Headline': drop leading and trailing segments that name
    the site or a date, keep every separator that is part of the headline ('Rückschlag - Liverpool verliert')."""
    title = _reader_text(html.unescape(title or ""))
    if not title:
        return None
    site_keys = {_key(name) for name in site_names if name} - {""}
    parts = html_rules.TITLE_SEPARATOR.split(title)
    separators = html_rules.TITLE_SEPARATOR.findall(title)
    while len(parts) > 1 and (_names_site(parts[-1], site_keys) or (
            "|" in separators[-1] and len(parts[-1].split()) <= html_rules.TITLE_PIPE_SEGMENT_MAX_WORDS)):
        parts.pop()
        separators.pop()
    while len(parts) > 1 and _names_site(parts[0], site_keys):
        parts.pop(0)
        separators.pop(0)
    return parts[0] + "".join(separator + part for separator, part in zip(separators, parts[1:]))


def title_date(metadata: PageMetadata) -> str | None:
    """The date a page puts in its title ("Headline | DW | 28.04.2023"), when it is unambiguous."""
    for source in ("og", "title", "twitter"):
        for segment in html_rules.TITLE_SEPARATOR.split(metadata.titles.get(source) or ""):
            if html_rules.TITLE_DATE.fullmatch(segment.strip()):
                return parse_date(segment)
    return None


def choose_title(metadata: PageMetadata, site_names: list[str | None]) -> str | None:
    """The first title source (in TITLE_SOURCES order) that gives a headline once site names are cleaned off."""
    for source in html_rules.TITLE_SOURCES:
        title = clean_title(metadata.titles.get(source), site_names)
        if title and (len(title.split()) >= 2 or len(title) >= 8):
            return title
    return None


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
    articles = _article_nodes(nodes)
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

    for node in articles:
        metadata.published = iso_date(node.get("datePublished")) or iso_date(node.get("dateCreated"))
        if metadata.published:
            break
    if not metadata.published:
        for name in html_rules.DATE_META_NAMES:
            values = metadata.meta.get(name, [])
            metadata.published = next((iso_date(value) for value in values if iso_date(value)), None)
            if metadata.published:
                break
    if not metadata.published:
        in_article = [element for element in times if any(ancestor.tag == "article" for ancestor in element.iterancestors())]
        metadata.published = next((iso_date(element.get("datetime")) for element in in_article + times
                                   if iso_date(element.get("datetime"))), None)

    nodes_by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    metadata.authors = declared_authors(articles, nodes_by_id, metadata.meta, scripts)

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
