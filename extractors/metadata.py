"""Article metadata from HTML: headline, publication date and authors, from the page's own declarations
(JSON-LD, <meta>, <time>, byline elements) before heuristics (trafilatura/htmldate) and text cues."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field

import lxml.html

from extractors.rules import html as html_rules
from extractors.rules.metadata import WIRE_SERVICES
from extractors.text_cleaner import looks_like_person_name, split_author_names

_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?")
_SPACES = re.compile(r"\s+")


@dataclass
class PageMetadata:
    headline: str | None = None  # the visible <h1> headline
    titles: dict[str, str] = field(default_factory=dict)  # title candidates by source (see TITLE_SOURCES)
    published: str | None = None
    authors: dict[str, list[str]] = field(default_factory=dict)  # byline strings by source (see AUTHOR_SOURCES)
    publisher: str | None = None
    types: list[str] = field(default_factory=list)  # every JSON-LD @type on the page, in order
    meta: dict[str, list[str]] = field(default_factory=dict)  # <meta> contents by name/property/itemprop

    def first_meta(self, *names: str) -> str | None:
        """The first non-empty <meta> content declared under any of `names`, in the order given."""
        for name in names:
            values = self.meta.get(name)
            if values:
                return values[0]
        return None


def meta_index(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Every <meta> content by its name, property, itemprop and (lower-cased) http-equiv: one pass over the tree."""
    index: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = element.get(attribute)
            if key:
                index.setdefault(key.strip(), []).append(content)
        if element.get("http-equiv"):
            index.setdefault(element.get("http-equiv").strip().lower(), []).append(content)
    return index


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
            if not isinstance(name, str) and isinstance(item.get("familyName"), str):
                name = f"{item.get('givenName') or ''} {item['familyName']}".strip()
            if isinstance(name, str):
                names.extend(split_author_names(name))
        elif isinstance(item, str):
            names.extend(split_author_names(item))
    return names


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


def _names_a_site(name: str, site_keys: set[str]) -> bool:
    """'LTO', 'Condé Nast', 'MDR THÜRINGEN' name the site or its publisher; 'Zeitler' doesn't name zeit.de."""
    return _key(name) in site_keys or _key(name.split()[0]) in site_keys


def clean_authors(names: list[str], site_names: list[str | None]) -> list[str]:
    """Person names only: no wire services, no outlet or site names, no desks, no duplicates."""
    site_keys = {_key(name) for name in site_names if name} - {""}
    cleaned: list[str] = []
    for name in names:
        name = _SPACES.sub(" ", name).strip(" ,;|")
        if not name or name.lower() in WIRE_SERVICES or _names_a_site(name, site_keys):
            continue
        if html_rules.NOT_A_PERSON.search(name) or not looks_like_person_name(name):
            continue
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


def clean_title(title: str | None, site_names: list[str | None]) -> str | None:
    """'Headline | Section | Site | 28.04.2023' -> 'Headline': drop leading and trailing segments that name
    the site or a date, keep every separator that is part of the headline ('Rückschlag - Liverpool verliert')."""
    title = _SPACES.sub(" ", html.unescape(title or "")).replace("\u00ad", "").strip()
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


def choose_authors(candidates: dict[str, list[str]], site_names: list[str | None]) -> list[str]:
    """The first author source (in AUTHOR_SOURCES order) that names a person once sites and desks are cleaned off."""
    site_keys = {_key(name) for name in site_names if name} - {""}
    for source in html_rules.AUTHOR_SOURCES:
        declared = [text for text in candidates.get(source) or [] if text.strip()]
        parts = re.split(r"[,;|]", declared[0]) if declared else []
        if len(parts) > 1 and _names_a_site(parts[0].strip(), site_keys):
            continue  # "hessenschau.de, Frankfurt, Germany": an organisation's credit, not a byline
        authors = clean_authors([name for text in declared for name in split_author_names(text.replace(";", ","))], site_names)
        if authors:
            return authors
    return []


def choose_title(metadata: PageMetadata, site_names: list[str | None]) -> str | None:
    """The first title source (in TITLE_SOURCES order) that gives a headline once site names are cleaned off."""
    for source in html_rules.TITLE_SOURCES:
        title = clean_title(metadata.titles.get(source), site_names)
        if title and (len(title.split()) >= 2 or len(title) >= 8):
            return title
    return None


def read_metadata(tree: lxml.html.HtmlElement) -> PageMetadata:
    nodes = json_ld_nodes(tree)
    articles = _article_nodes(nodes)
    metadata = PageMetadata(meta=meta_index(tree))
    for node in nodes:
        declared = node.get("@type")
        metadata.types.extend(value for value in (declared if isinstance(declared, list) else [declared]) if isinstance(value, str))

    for xpath in html_rules.HEADLINE_XPATHS:
        candidates = [_text(element) for element in tree.xpath(xpath)]
        candidates = [text for text in candidates if 2 <= len(text.split()) <= 40]
        if candidates:
            metadata.headline = candidates[0]
            break
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
    document_title = next(iter(tree.xpath("//head/title")), None)
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
        times = tree.xpath("//article//time/@datetime") or tree.xpath("//time/@datetime")
        metadata.published = next((iso_date(value) for value in times if iso_date(value)), None)

    for node in articles:
        if node.get("author") and _person_names(node["author"]):
            metadata.authors["json-ld"] = _person_names(node["author"])
            break
    for name in html_rules.AUTHOR_META_NAMES:
        values = metadata.meta.get(name, [])
        if any(split_author_names(value) for value in values):
            metadata.authors["meta"] = values
            break
    for xpath in html_rules.BYLINE_XPATHS if "json-ld" not in metadata.authors else ():  # only asked when JSON-LD names nobody
        texts = [_text(element) for element in tree.xpath(xpath)[:5]]
        if any(split_author_names(text) for text in texts):
            metadata.authors["byline"] = texts
            break

    for node in articles:
        publisher = node.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            metadata.publisher = publisher["name"].strip()
            break
    return metadata
