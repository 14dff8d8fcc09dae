"""Who a page credits: its authors, from the page's declarations (JSON-LD, <meta>), its byline elements and
bylines in its text, in every script.

`authors` lists people. When a byline names only an organisation (an agency, the outlet, "Staff",
"Redaktion"), that organisation is listed as written; an agency named beside people in a byline is listed
with them (and is also a credit, see extractors.cues). Photo credits, share buttons, roles and desk
initials are never authors. The patterns are data: extractors.rules.authors, extractors.rules.html
(byline elements) and extractors.rules.metadata (labels, separators, wire services).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html
from trafilatura.json_metadata import normalize_authors

from extractors.jsonld import article_nodes, json_ld_nodes, node_types
from extractors.cues import canonical_credit, date_banner, looks_like_person_name
from extractors.rules import authors as author_rules
from extractors.rules import html as html_rules
from extractors.rules import metadata as cue_rules
from extractors.text import normalize_whitespace, visible_text, site_key, site_keys

# The author sources read for people, in priority order (see html_rules.AUTHOR_SOURCES), and after them
# the bylines in the text in scripts without capitals: the writer's, then the editor's credit.
# A bare signature ("（常书香 马丹阳）") is read in the story's own text only: elsewhere on the page brackets
# hold "（组图）" ("photos") and the like.
SCRIPT_SOURCES = {"writer": "script byline", "editor": "script byline (editor)"}
# ...those read in the story's own text come before the byline elements' looser tiers.
STORY_SOURCES = {"writer": "script byline (story)", "signature": "script signature (story)",
                 "editor": "script byline (editor, story)"}
PEOPLE_SOURCES = [*html_rules.AUTHOR_SOURCES[:html_rules.AUTHOR_SOURCES.index("byline label") + 1], *STORY_SOURCES.values(),
                  *html_rules.AUTHOR_SOURCES[html_rules.AUTHOR_SOURCES.index("byline label") + 1:], *SCRIPT_SOURCES.values()]
# JSON-LD author nodes typed as organisations are read with the "json-ld" source.
JSON_LD_ORGANISATIONS = "json-ld organisation"
# Sources deliberate enough that a login name in them is the author's handle ("jsteinhardt"): the
# declarations and the surest byline markup.
HANDLE_SOURCES = frozenset({"json-ld", "meta", "byline markup", "byline class"})
# At most this many texts of one source are read (a long list of authors is still read whole).
MAX_BYLINE_TEXTS = 30
# A byline part longer than this is a sentence, not an organisation's name.
MAX_ORGANISATION_CHARS, MAX_ORGANISATION_WORDS = 60, 8

_UNCASED = re.compile(f"[{author_rules.UNCASED_LETTERS}]")
# Names in scripts without capitals are told apart by spaces too: "宋怡 杨志华".
_UNCASED_SPLIT = re.compile(r"[\s\u3000、，,;；/|｜]+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)  # a profile link is no name
_DESK_INITIALS = re.compile(r"^[^\W\d_]{1,3}$")
_SPLIT = re.compile(rf"{cue_rules.AUTHOR_SEPARATORS.pattern}|(?:(?<!\s)\s+)?(?:\||/|•|·)\s*"
                    r"|(?:(?<!\s)\s+)?\(?\b(?:avec|with|mit|con|com)\s+", re.IGNORECASE)
_MONTH_TAIL = re.compile(
    r"(?<!\s)\s+(?:" + "|".join(sorted((re.escape(name) for name in cue_rules.MONTHS), key=len, reverse=True))
    + r")\.?\s+\d.*$", re.IGNORECASE)


# A CDATA section or an HTML comment around a JSON-LD script's JSON, as XHTML templates write it.
_JSON_LD_WRAPPER = re.compile(r"^\s*+(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*+$")


# --- declared authors ----------------------------------------------------------------------------

def _is_organisation(node: dict) -> bool:
    return bool(node_types(node) & {"organization", "newsmediaorganization", "corporation", "educationalorganization",
                                "governmentorganization", "ngo", "localbusiness", "website"})


def _plain_name(text: str) -> str:
    """A JSON-LD name as a byline: markup taken off ('<a href=...>Jane Doe</a>'), a login name spelled
    out ('jane.doe' -> 'Jane Doe')."""
    text = html_rules.MARKUP_TAG.sub("", html.unescape(text)) if "<" in text or "&" in text else text
    if html_rules.LOGIN_NAME.fullmatch(text.strip()) and not author_rules.ORGANISATION_WORDS.search(text):
        return " ".join(part.capitalize() for part in re.split(r"[._]", text.strip()))
    return text


def json_ld_names(value, nodes_by_id: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(names of people or plain strings, names of organisations) from a JSON-LD author value. A node that
    is only a reference ({"@id": ".../#/schema/person/..."}, as Yoast SEO writes them) is looked up among
    the page's other nodes."""
    items = value if isinstance(value, list) else [value]
    people: list[str] = []
    organisations: list[str] = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = nodes_by_id.get(item["@id"], item)
        if isinstance(item, dict):
            name = item.get("name")
            if not isinstance(name, (str, list)) and isinstance(item.get("familyName"), str):
                name = f"{item.get('givenName') or ''} {item['familyName']}".strip()
            texts = [text for text in (name if isinstance(name, list) else [name]) if isinstance(text, str)]
            (organisations if _is_organisation(item) else people).extend(_plain_name(text) for text in texts)
        elif isinstance(item, str):
            people.append(_plain_name(item))
    return [name for name in people if name.strip()], [name for name in organisations if name.strip()]


def declared_authors(articles: list[dict], nodes_by_id: dict[str, dict], meta: dict[str, list[str]],
                     scripts: list[str] = ()) -> dict[str, list[str]]:
    """Author strings the page declares, by source: the first article node's JSON-LD authors (people, and
    organisations apart), and the first <meta> author name whose values name a person (else the first
    that names anyone). JSON-LD `scripts` wrapped in CDATA or a comment are read for authors when no
    article node was found in them."""
    found: dict[str, list[str]] = {}
    wrapped = [_JSON_LD_WRAPPER.sub("", script) for script in scripts if _JSON_LD_WRAPPER.search(script)]
    if not articles and wrapped:
        nodes = json_ld_nodes(wrapped)
        articles = article_nodes(nodes)
        nodes_by_id = {**{node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}, **nodes_by_id}
    for node in articles:
        people, organisations = json_ld_names(node["author"], nodes_by_id) if node.get("author") else ([], [])
        if people:
            found["json-ld"] = people
        if organisations:
            found[JSON_LD_ORGANISATIONS] = organisations
        if people or organisations:
            break
    named = [values for values in (meta.get(name, []) for name in html_rules.AUTHOR_META_NAMES) if read_bylines(values).names]
    chosen = next((values for values in named if read_bylines(values).people), named[0] if named else None)
    if chosen:
        found["meta"] = chosen
    return found


# --- reading a byline ----------------------------------------------------------------------------

# A name this long that is part of the site's host names the site: 'Luxury Travel Expert' ~
# theluxurytravelexpert.com.
MIN_SITE_KEY_CHARS = 8


def names_a_site(name: str, keys: set[str]) -> bool:
    """'LTO', 'Condé Nast', 'MDR THÜRINGEN' name the site or its publisher; 'Zeitler' doesn't name zeit.de."""
    key = site_key(name)
    return bool(keys) and bool(key) and (key in keys or site_key(name.split()[0]) in keys or (
        len(key) >= MIN_SITE_KEY_CHARS and any(key in site for site in keys)))


@dataclass
class Byline:
    """The names of one author source, sorted by kind, each as written and once."""

    people: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)  # the outlet, a desk, a company (agencies too)

    @property
    def names(self) -> list[str]:
        return self.people + self.organisations

    def add(self, kind: str, name: str) -> None:
        for kind_name in ((kind,) if kind != "agency" else ("agencies", "organisations")):
            names = getattr(self, {"person": "people", "organisation": "organisations"}.get(kind_name, kind_name))
            if name not in names:
                names.append(name)


def script_byline_names(text: str) -> tuple[str, list[str]] | None:
    """(the credit's kind, "writer" or "editor"; the names) of the first byline written in a script
    without capitals in `text`: "（记者 胡晓蓉）" -> ("writer", ["胡晓蓉"]), "홍길동 기자" -> ("writer", ["홍길동"])."""
    if not _UNCASED.search(text):
        return None
    for kind, pattern in author_rules.SCRIPT_BYLINES:
        for match in pattern.finditer(text):
            names = [name for name in re.split(r"(?:[\s\u3000、，,]|&nbsp;)+", match.group("names")) if is_uncased_name(name)]
            if names:
                return kind, names
    return None


def is_uncased_name(text: str) -> bool:
    """A name in a script without capitals: one short run of its letters that is no role word."""
    if not author_rules.UNCASED_NAME.fullmatch(text) or author_rules.UNCASED_NOT_NAMES.search(text):
        return False
    han = sum(1 for char in text if "\u3400" <= char <= "\u9fff")
    return han <= author_rules.MAX_HAN_NAME_CHARS


def byline_parts(text: str) -> list[str]:
    """The names of one byline text, labels, desk initials and dates taken off: "Von Jane Doe und John Roe
    (jr)" -> ["Jane Doe", "John Roe"]; "记者 王建宏 张文攀" -> ["王建宏", "张文攀"]."""
    text = normalize_whitespace(_URL.sub(" ", html.unescape(text).replace("\u00ad", "")))
    if not text or author_rules.PHOTO_CREDIT.match(text):
        return []
    script = script_byline_names(text)
    if script:
        return script[1]
    text = cue_rules.AUTHOR_LABEL_INSIDE.sub("", cue_rules.AUTHOR_LABEL.sub("", text))
    text = author_rules.SCRIPT_AUTHOR_LABEL.sub("", text)
    text = cue_rules.AUTHOR_INITIALS.sub("", text)
    parts = []
    for part in (_UNCASED_SPLIT if _UNCASED.search(text) else _SPLIT).split(text):
        part = _MONTH_TAIL.sub("", author_rules.NAME_TAIL.sub("", (part or "").strip(" .:-–—|()[]\"'")))
        part = author_rules.SPONSORED_TAIL.sub("", part)
        tokens = part.split()
        if len(tokens) >= 3 and tokens[-1].lower().rstrip(".") in cue_rules.MONTHS:
            part = " ".join(tokens[:-1])  # "Gary Marcus Dec" (its day on the next line)
        if part:
            parts.append(part)
    return parts


def _name_only(part: str) -> str:
    """A cased name without what a byline writes after it: "Aleš Vávra před 2 hodinami" -> "Aleš Vávra" (the
    name ends at a lower-case word that is no particle, or a number), "Ben Silverman Games Editor" -> "Ben
    Silverman" (a role after a name of two or three words)."""
    tokens = part.split()
    if len(tokens) < 3 or _UNCASED.search(part):
        return part
    kept = 0
    for token in tokens:
        if not (token[:1].isupper() or token.lower() in cue_rules.NAME_PARTICLES) or any(char.isdigit() for char in token):
            break
        kept += 1
    if 2 <= kept < len(tokens):
        return " ".join(tokens[:kept])
    if author_rules.ROLE_PART.search(part) and not author_rules.ROLE_PART.fullmatch(part):
        initial = len(tokens) > 3 and re.fullmatch(r"[A-Z]\.?", tokens[1])
        particle = tokens[1].lower() in cue_rules.NAME_PARTICLES
        return " ".join(tokens[:3 if initial or particle else 2])
    return part


def name_kind(name: str, keys: set[str], handles: bool = False) -> str | None:
    """What a byline part names: "person", "agency", "organisation", or None (a role, a button, initials).
    With `handles`, a login name ("jsteinhardt", "q_admin") is a person's."""
    if author_rules.NOT_A_NAME.match(name) or author_rules.IMAGE_AGENCIES.search(name):
        return None
    if name.lower().rstrip(".") in cue_rules.MONTHS or date_banner(name):  # "Dec", "Dec. 19, 2025"
        return None
    if is_agency(name):
        return "agency"
    if _UNCASED.search(name):
        if is_uncased_name(name):
            return "person"
        return "organisation" if author_rules.ORGANISATION_WORDS.search(name) and len(name) <= 20 else None
    sized = len(name) <= MAX_ORGANISATION_CHARS and len(name.split()) <= MAX_ORGANISATION_WORDS and not name.endswith(".")
    if names_a_site(name, keys) and not _DESK_INITIALS.match(name):  # "SFist Contributor", "Luxury Travel Expert"
        return "organisation" if sized else None
    if author_rules.ROLE_PART.search(name) or html_rules.NOT_A_PERSON.search(name) and _DESK_INITIALS.match(name):
        return None
    if author_rules.ORGANISATION_WORDS.search(name) or html_rules.NOT_A_PERSON.search(name):
        return "organisation" if sized else None
    if cue_rules.AUTHOR_ROLE_WORDS.search(name):
        return None
    if handles and author_rules.LOGIN_HANDLE.fullmatch(name):
        return "person"
    return "person" if looks_like_person_name(name) else None


def read_bylines(texts: list[str], keys: set[str] = frozenset(), *, organisations: bool = False,
                 handles: bool = False) -> Byline:
    """The people, agencies and organisations that the byline texts of one source name. With
    `organisations`, every name is one (JSON-LD organisation nodes); with `handles`, login names are people
    (see HANDLE_SOURCES)."""
    byline = Byline()
    for text in texts[:MAX_BYLINE_TEXTS]:
        if not isinstance(text, str) or not text.strip():
            continue
        if organisations:
            name = normalize_whitespace(html.unescape(text))
            kind = "agency" if is_agency(name) else "organisation"
            if not author_rules.IMAGE_AGENCIES.search(name) and len(name) <= MAX_ORGANISATION_CHARS:
                byline.add(kind, name)
            continue
        parts = byline_parts(text)
        kinds = [name_kind(part, keys, handles) for part in parts]
        if len(parts) > 1 and kinds[0] == "organisation":
            # "hessenschau.de, Frankfurt, Germany": an organisation's credit with its place, no one else.
            byline.add("organisation", parts[0])
            continue
        for part, kind in zip(parts, kinds):
            if kind in (None, "person"):
                name = _name_only(part)
                if name != part and name_kind(name, keys) == "person":
                    part, kind = name, "person"
            if kind:
                byline.add(kind, part)
    return byline


def page_authors(declared: dict[str, list[str]], site_names: list[str | None],
                 bylines: Callable[[], dict[str, list[str]]]) -> list[str]:
    """The page's authors: the people its declarations name; else, from its declarations and its `bylines`
    (looked for only then), the people of the surest byline, else its organisations (see choose_authors)."""
    keys = site_keys(site_names)
    for source in ("json-ld", "meta"):
        people = read_bylines(declared.get(source) or [], keys).people
        if people:
            return choose_authors(declared, site_names)
    return choose_authors({**bylines(), **declared}, site_names)


def choose_authors(candidates: dict[str, list[str]], site_names: list[str | None]) -> list[str]:
    """The people of the first author source (in PEOPLE_SOURCES order) that names a person, with the agencies
    its byline names beside them; when no source names a person, the organisations of the first source that
    names one, as written."""
    keys = site_keys(site_names)
    bylines: list[Byline] = []
    for source in PEOPLE_SOURCES:
        texts = candidates.get(source) or []
        byline = read_bylines(texts, keys, handles=source in HANDLE_SOURCES)
        if source == "json-ld":
            for kind_name in read_bylines(candidates.get(JSON_LD_ORGANISATIONS) or [], keys, organisations=True).organisations:
                byline.add("agency" if is_agency(kind_name) else "organisation", kind_name)
        if byline.people:
            return byline.people + [agency for agency in byline.agencies if agency not in byline.people]
        bylines.append(byline)
    return next((byline.organisations for byline in bylines if byline.organisations), [])


def is_agency(name: str) -> bool:
    """A wire service or news agency, as a credit line or a byline names it: "dpa", "AFP Deutschland"."""
    lowered = name.lower()
    return lowered in cue_rules.WIRE_SERVICES or (len(name.split()) <= 2 and lowered.split()[0] in cue_rules.WIRE_SERVICES)


def credited_agencies(authors: list[str]) -> list[str]:
    """The agencies among the authors, by their canonical names: they are the story's credits too."""
    return [canonical_credit(name) for name in authors if is_agency(name)]


# --- byline elements -------------------------------------------------------------------------------

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
    """Byline texts by author source (see BYLINE_RULES, BYLINE_LABEL and SCRIPT_BYLINES), from one walk over
    the page. Elements in or inside a discarded region (comments, sidebars, figures, ...) are not read, and
    discarded regions inside a byline (its <time>, say) are left out of its text."""
    candidates: list = []  # elements with an attribute a BYLINE_RULE may match
    labelled: list = []
    texts: list[str] = []  # the page's visible text, for bylines in scripts without capitals
    hinted, hint = html_rules.BYLINE_HINTED_ATTRIBUTES, html_rules.BYLINE_HINT.search
    unhinted = html_rules.BYLINE_UNHINTED_ATTRIBUTES
    hinted_values: dict[str, bool] = {}  # whether a class or id value holds a BYLINE_HINT: asked once per value
    body = tree.find("body")  # a byline is something the reader sees
    for element in (body if body is not None else tree).iter():
        tag, lead, tail = element.tag, element.text, element.tail
        if tail:
            texts.append(tail)
        if not isinstance(tag, str):  # a comment: only its tail is seen ("作者：<!--author-->赵婕")
            continue
        if lead and tag not in ("script", "style", "noscript", "template"):
            texts.append(lead)
        if (lead and len(lead) <= 200 and tag not in html_rules.BYLINE_LABEL_EXCLUDED_TAGS
                and html_rules.BYLINE_LABEL.fullmatch(lead.strip())):
            labelled.append(element)
        if tag in _BYLINE_ELEMENTS:
            candidates.append(element)
            continue
        for name, value in element.items():
            if name in hinted:
                verdict = hinted_values.get(value)
                if verdict is None:
                    verdict = hinted_values[value] = hint(value) is not None
                if verdict:
                    candidates.append(element)
                    break
            elif name in unhinted:
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
        rule_texts = [text for text in (_text_outside(element, discarded) for element in matched[rule.source])
                      if 2 < len(text) < html_rules.BYLINE_MAX_CHARS]
        if rule_texts and rule.first_only:
            # trafilatura's clean-up title-cases names; each word stays as the page writes it ("dpa").
            written = {word.lower(): word for word in re.findall(r"\w+", rule_texts[0])}
            normalized = normalize_authors(None, rule_texts[0]) or ""
            rule_texts = [re.sub(r"\w+", lambda word, words=written: words.get(word.group().lower(), word.group()), normalized)]
        if rule_texts:
            found[rule.source] = rule_texts[:5]
    label_texts = [text for text in (_labelled_byline(element, discarded) for element in labelled if kept(element)) if text]
    if label_texts:
        found["byline label"] = label_texts[:5]
    found.update(script_bylines("\n".join(texts)))
    return found


def script_bylines(text: str, sources: dict[str, str] = SCRIPT_SOURCES) -> dict[str, list[str]]:
    """The first writer's byline, signature and editor's credit in a script without capitals in `text` (the
    page's, or with STORY_SOURCES the story's), by source (of `sources`, those it names)."""
    found: dict[str, list[str]] = {}
    if not _UNCASED.search(text):
        return found
    for kind, pattern in author_rules.SCRIPT_BYLINES:
        source = sources.get(kind)
        if source is None or source in found:
            continue
        for match in pattern.finditer(text):
            names = [name for name in re.split(r"(?:[\s\u3000、，,]|&nbsp;)+", match.group("names")) if is_uncased_name(name)]
            if names:
                found[source] = names
                break
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
    return visible_text(" ".join(pieces))


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
