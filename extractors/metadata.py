"""Article metadata from HTML: headline, publication date and authors, from the page's own declarations
(JSON-LD, <meta>, <time>, byline elements) before heuristics (trafilatura/htmldate) and text cues."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import lxml.html

from extractors.rules import html as html_rules
from extractors.rules.metadata import WIRE_SERVICES
from extractors.text_cleaner import looks_like_person_name, split_author_names

_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?")
_SPACES = re.compile(r"\s+")


@dataclass
class PageMetadata:
    headline: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    types: list[str] = field(default_factory=list)  # every JSON-LD @type on the page, in order


def _text(element) -> str:
    return _SPACES.sub(" ", element.text_content()).replace("\u00ad", "").strip()


def json_ld_nodes(tree: lxml.html.HtmlElement) -> list[dict]:
    nodes: list[dict] = []

    def collect(node) -> None:
        if isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            nodes.append(node)
            collect(node.get("@graph"))
            collect(node.get("mainEntity"))

    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            collect(json.loads(script, strict=False))
        except ValueError:
            continue
    return nodes


def _types(node: dict) -> set[str]:
    declared = node.get("@type")
    values = declared if isinstance(declared, list) else [declared]
    return {value.lower() for value in values if isinstance(value, str)}


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


def _person_names(value) -> list[str]:
    """Names from a JSON-LD author value: Person nodes or strings; organisations are not people."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            if "organization" in _types(item) or "newsmediaorganization" in _types(item):
                continue
            name = item.get("name")
            if isinstance(name, str):
                names.extend(split_author_names(name))
        elif isinstance(item, str):
            names.extend(split_author_names(item))
    return names


def clean_authors(names: list[str], outlet: str | None) -> list[str]:
    outlet_key = (outlet or "").lower()
    cleaned: list[str] = []
    for name in names:
        name = _SPACES.sub(" ", name).strip(" ,;|")
        lowered = name.lower()
        if not name or lowered in WIRE_SERVICES or (outlet_key and (lowered in outlet_key or outlet_key in lowered)):
            continue
        if html_rules.NOT_A_PERSON.search(name) or not looks_like_person_name(name):
            continue
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def read_metadata(tree: lxml.html.HtmlElement, outlet: str | None = None) -> PageMetadata:
    nodes = json_ld_nodes(tree)
    articles = _article_nodes(nodes)
    metadata = PageMetadata()
    for node in nodes:
        declared = node.get("@type")
        metadata.types.extend(value for value in (declared if isinstance(declared, list) else [declared]) if isinstance(value, str))

    for xpath in html_rules.HEADLINE_XPATHS:
        candidates = [_text(element) for element in tree.xpath(xpath)]
        candidates = [text for text in candidates if 2 <= len(text.split()) <= 40]
        if candidates:
            metadata.headline = candidates[0]
            break
    if not metadata.headline:
        for node in articles:
            if isinstance(node.get("headline"), str) and node["headline"].strip():
                metadata.headline = _SPACES.sub(" ", node["headline"]).strip()
                break

    for node in articles:
        metadata.published = iso_date(node.get("datePublished")) or iso_date(node.get("dateCreated"))
        if metadata.published:
            break
    if not metadata.published:
        for name in html_rules.DATE_META_NAMES:
            values = tree.xpath(f'//meta[@property="{name}" or @name="{name}" or @itemprop="{name}"]/@content')
            metadata.published = next((iso_date(value) for value in values if iso_date(value)), None)
            if metadata.published:
                break
    if not metadata.published:
        times = tree.xpath("//article//time/@datetime") or tree.xpath("//time/@datetime")
        metadata.published = next((iso_date(value) for value in times if iso_date(value)), None)

    for node in articles:
        if node.get("author"):
            metadata.authors = clean_authors(_person_names(node["author"]), outlet)
            if metadata.authors:
                break
    if not metadata.authors:
        for name in html_rules.AUTHOR_META_NAMES:
            values = tree.xpath(f'//meta[@name="{name}" or @property="{name}"]/@content')
            found = clean_authors([author for value in values for author in split_author_names(value.replace(";", ","))], outlet)
            if found:
                metadata.authors = found
                break
    if not metadata.authors:
        for xpath in html_rules.BYLINE_XPATHS:
            texts = [_text(element) for element in tree.xpath(xpath)][:5]
            found = clean_authors([author for text in texts for author in split_author_names(re.sub(r"^(?i:by|von)\s+", "", text))], outlet)
            if found:
                metadata.authors = found
                break

    for node in articles:
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            metadata.publisher = publisher["name"].strip()
            break
    return metadata
