"""Article metadata from HTML: headline, publication date and authors, from the page's own declarations
(JSON-LD, <meta>, <time>, byline elements) before heuristics (htmldate) and text cues.

The page is read in two passes at most: `read_metadata` walks only the declaring elements (meta, script,
title, h1, time, link); `find_bylines` walks every element once, and only for pages whose declarations
name no author."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit
import unicodedata
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from trafilatura.json_metadata import normalize_authors

from extractors.cues import looks_like_person_name, split_author_names
from extractors.dates import DateCandidate, declared_dates
from extractors.rules import html as html_rules
from extractors.rules import page_types
from extractors.rules.metadata import WIRE_SERVICES
from extractors.text import normalize_whitespace


@dataclass
class PageMetadata:
    headline: str | None = None  # the visible <h1> headline
    titles: dict[str, str] = field(default_factory=dict)  # title candidates by source (see TITLE_SOURCES)
    published: str | None = None  # the first declared publication date (see extractors.dates)
    dates: list[DateCandidate] = field(default_factory=list)  # every declared date (see extractors.dates.declared_dates)
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


def _person_names(value, nodes_by_id: dict[str, dict]) -> list[str]:
    """Names from a JSON-LD author value: Person nodes or strings; organisations are not people. A node
    that is only a reference ({"@id": ".../#/schema/person/..."}, as Yoast SEO writes them) is looked up
    among the page's other nodes."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = nodes_by_id.get(item["@id"], item)
        if isinstance(item, dict):
            if "organization" in _types(item) or "newsmediaorganization" in _types(item):
                continue
            name = item.get("name")
            if not isinstance(name, (str, list)) and isinstance(item.get("familyName"), str):
                name = f"{item.get('givenName') or ''} {item['familyName']}".strip()
            for text in name if isinstance(name, list) else [name]:
                if isinstance(text, str):
                    names.extend(split_author_names(_plain_name(text)))
        elif isinstance(item, str):
            names.extend(split_author_names(_plain_name(item)))
    return names


def _plain_name(text: str) -> str:
    """A JSON-LD name as a byline: markup taken off ('<a href=...>Jane Doe</a>'), a login name spelled
    out ('jane.doe' -> 'Jane Doe')."""
    text = html_rules.MARKUP_TAG.sub("", html.unescape(text)) if "<" in text or "&" in text else text
    if html_rules.LOGIN_NAME.fullmatch(text.strip()):
        return " ".join(part.capitalize() for part in re.split(r"[._]", text.strip()))
    return text


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
        name = normalize_whitespace(name).strip(" ,;|")
        if not name or name.lower() in WIRE_SERVICES or _names_a_site(name, site_keys):
            continue
        if html_rules.NOT_A_PERSON.search(name) or not looks_like_person_name(name):
            continue
        if name not in cleaned:
            cleaned.append(name)
    return cleaned


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

    metadata.dates = declared_dates(articles, metadata.meta, times)
    metadata.published = next((candidate.value for candidate in metadata.dates if candidate.published), None)

    nodes_by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    for node in articles:
        names = _person_names(node["author"], nodes_by_id) if node.get("author") else []
        if names:
            metadata.authors["json-ld"] = names
            break
    for name in html_rules.AUTHOR_META_NAMES:
        values = metadata.meta.get(name, [])
        if any(split_author_names(value) for value in values):
            metadata.authors["meta"] = values
            break

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


# --- byline elements ---------------------------------------------------------------------------------

_BYLINE_ELEMENTS = frozenset().union(*(rule.elements for rule in html_rules.BYLINE_RULES))


def _attributes(element) -> dict[str, str]:
    return {name: value for name, value in element.items() if name in html_rules.BYLINE_ATTRIBUTES}


def _matches(rule_tags: frozenset[str] | None, rule_attributes: dict[str, re.Pattern[str]], tag: str,
             attributes: dict[str, str]) -> bool:
    if rule_tags is not None and tag not in rule_tags:
        return False
    return any(name in attributes and pattern.search(attributes[name]) for name, pattern in rule_attributes.items())


def _is_discarded(element) -> bool:
    """True for an element whose bylines belong to something else (see BYLINE_DISCARD_ATTRIBUTES)."""
    tag = element.tag
    if tag in html_rules.BYLINE_DISCARD_TAGS:
        return True
    return tag in html_rules.BYLINE_DISCARD_CONTAINER_TAGS and _matches(
        None, html_rules.BYLINE_DISCARD_ATTRIBUTES, tag, _attributes(element))


def find_bylines(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Byline texts by author source (see BYLINE_RULES and BYLINE_LABEL), from one walk over the page.
    Elements in or inside a discarded region (comments, sidebars, figures, ...) are not read, and
    discarded regions inside a byline (its <time>, say) are left out of its text."""
    candidates: list = []  # elements with an attribute a BYLINE_RULE may match
    labelled: list = []
    hinted, hint = html_rules.BYLINE_HINTED_ATTRIBUTES, html_rules.BYLINE_HINT.search
    body = tree.find("body")  # a byline is something the reader sees
    for element in (body if body is not None else tree).iter(etree.Element):
        tag, lead = element.tag, element.text
        if (lead and len(lead) <= 200 and tag not in html_rules.BYLINE_LABEL_EXCLUDED_TAGS
                and html_rules.BYLINE_LABEL.fullmatch(lead.strip())):
            labelled.append(element)
        if tag in _BYLINE_ELEMENTS:
            candidates.append(element)
            continue
        for name, value in element.items():
            if (name in hinted and hint(value)) or name in html_rules.BYLINE_UNHINTED_ATTRIBUTES:
                candidates.append(element)
                break

    verdicts: dict = {}  # discarded region or not, per element, asked once

    def discarded(element) -> bool:
        if element not in verdicts:
            verdicts[element] = _is_discarded(element)
        return verdicts[element]

    def kept(element) -> bool:
        return not discarded(element) and not any(discarded(ancestor) for ancestor in element.iterancestors())

    matched: dict[str, list] = {rule.source: [] for rule in html_rules.BYLINE_RULES}
    for element in candidates:
        if not kept(element):
            continue
        tag, attributes = element.tag, _attributes(element)
        if attributes.get("itemprop") == html_rules.MICRODATA_NAME and any(
                ancestor.get("itemprop") == html_rules.MICRODATA_AUTHOR for ancestor in element.iterancestors()):
            matched[html_rules.MICRODATA_SOURCE].append(element)
        for rule in html_rules.BYLINE_RULES:
            if tag in rule.elements or _matches(rule.tags, rule.attributes, tag, attributes):
                matched[rule.source].append(element)

    found: dict[str, list[str]] = {}
    for rule in html_rules.BYLINE_RULES:
        texts = [text for text in (_text_outside(element, discarded) for element in matched[rule.source])
                 if 2 < len(text) < html_rules.BYLINE_MAX_CHARS]
        if texts and rule.first_only:
            texts = [normalize_authors(None, texts[0]) or ""]
        if texts:
            found[rule.source] = texts[:5]
    label_texts = [text for text in (_labelled_byline(element, discarded) for element in labelled if kept(element)) if text]
    if label_texts:
        found["byline label"] = label_texts[:5]
    return found


def _text_outside(element, discarded) -> str:
    """The element's text without the text of discarded elements inside it (their tails stay)."""
    pieces: list[str] = []

    def collect(node) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and not discarded(child):
                collect(child)
            if child.tail:
                pieces.append(child.tail)

    collect(element)
    return _reader_text(" ".join(pieces))


def _labelled_byline(element, discarded) -> str | None:
    """The names after a byline label: the rest of the element ("Von: <a>Bill McCarthy</a>"), or of its
    parent when the label stands in an element of its own ("<strong>Autor</strong> Roman Goncharenko")."""
    for holder in (element, element.getparent()):
        if holder is None:
            return None
        text = _text_outside(holder, discarded)
        if len(text) >= html_rules.BYLINE_MAX_CHARS:
            return None
        label = html_rules.BYLINE_LABEL.match(text)
        rest = text[label.end():].strip() if label else ""
        if rest:
            return rest
    return None
