"""HTML metadata rules as data: where pages declare their headline, date, authors and publisher.

Read by extractors.metadata. Order within each list is priority: the first source that answers wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.rules import page_types

# JSON-LD node types that describe the article itself (schema.org), lower-cased: the article types and the
# page nodes that wrap them (see rules.page_types).
ARTICLE_NODE_TYPES = page_types.ARTICLE_TYPES | page_types.ARTICLE_WRAPPER_TYPES

# <meta> names/properties carrying the publication date: Open Graph article tags, Dublin Core, parse.ly,
# Sailthru and newsroom CMS conventions. Lower-cased: meta names are matched case-insensitively.
DATE_META_NAMES = ["article:published_time", "og:article:published_time", "datepublished", "publish-date", "publishdate",
                   "pubdate", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.created", "dc.date",
                   "date", "article.published", "published_time", "og:published_time", "cxenseparse:recs:publishtime"]

# <meta> names carrying author names (lower-cased): the common ones, then Dublin Core (dc.creator on
# government and library sites, dcterms.creator from Drupal), citation_author (academic publishers) and
# the CMS-specific names trafilatura also reads ("atc-metaauthor", "rbauthors", "dcsext.author").
AUTHOR_META_NAMES = ["author", "article:author", "authors", "parsely-author", "sailthru.author", "byl",
                     "cxenseparse:author", "dc.creator", "dc:creator", "dcterms.creator", "dc.creator.aut",
                     "dcterms.creator.aut", "citation_author", "creator", "atc-metaauthor", "rbauthors",
                     "dcsext.author", "shareaholic:article_author_name"]

# Author sources, in priority order. JSON-LD Person nodes are the most deliberate declaration; then
# <meta name=author>; then byline elements, surest markup first (see BYLINE_RULES); then byline lines in
# the article text. Byline elements are only looked for when the declarations name nobody.
AUTHOR_SOURCES = ["json-ld", "meta", "byline markup", "byline class", "byline label", "byline class (loose)",
                  "byline class (any element)", "text"]


@dataclass(frozen=True)
class BylineRule:
    """Elements that hold a byline: an element matches when its tag is in `tags` (any tag when None) and
    one of `attributes` (attribute name -> pattern searched in its value) matches, or when it is named
    in `elements` whatever its attributes."""

    source: str  # the author source it feeds (see AUTHOR_SOURCES)
    tags: frozenset[str] | None
    attributes: dict[str, re.Pattern[str]]
    first_only: bool  # True: the first element with a byline-sized text; False: the texts of the first five
    elements: frozenset[str] = frozenset()


_BYLINE_CONTAINER_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})

# Byline elements, surest first. The "byline class" tiers follow trafilatura's AUTHOR_XPATHS (xpaths.py),
# read in one pass over the tree instead of three XPath walks over a copy of it.
BYLINE_RULES: list[BylineRule] = [
    # rel=author links and class="author"/"author-name"/"byline__author" on news and WordPress templates
    # ("<a rel="author">Jane Doe</a>", "<span class="byline__author">"): every matching element, up to five.
    BylineRule("byline markup", None, {
        "rel": re.compile(r"(?:^|\s)author(?:\s|$)"),
        "class": re.compile(r"(?:^|\s)author(?:\s|$)|author-name|byline__author"),
    }, first_only=False),
    # Specific byline markup: id/class "author", "authorName", data-testid="AuthorCard" (React news
    # sites), itemprop="author name", an <author> element (XHTML templates); the first one with a
    # byline-sized text.
    BylineRule("byline class", _BYLINE_CONTAINER_TAGS, {
        "rel": re.compile(r"^author$"),
        "id": re.compile(r"^author$"),
        "class": re.compile(r"^author$|author-?name|AuthorName|authorName"),
        "itemprop": re.compile(r"^author name$"),
        "data-testid": re.compile(r"^(?:AuthorCard|AuthorURL)$"),
    }, first_only=True, elements=frozenset({"author"})),
    # Looser: "byline", "posted-by", "journalist-name", any itemprop=author, and the Chinese CMS
    # words for author/editor ("zuozhe", "bianji", "xiaobian") on headings, paragraphs, spans and links.
    BylineRule("byline class (loose)", frozenset({"a", "div", "h3", "h4", "p", "span"}), {
        "class": re.compile(r"^(?:byline|username|byl|BBL)$|author|channel-name|zuozhe|bianji|xiaobian"
                            r"|submitted-by|posted-by|journalist-name"),
        "itemprop": re.compile(r"author"),
        "id": re.compile(r"author|zuozhe|bianji|xiaobian"),
    }, first_only=True),
    # Last resort, any element: "writer", "screenname", "Byline" components.
    BylineRule("byline class (any element)", None, {
        "data-component": re.compile(r"Byline"),
        "itemprop": re.compile(r"author"),
        "id": re.compile(r"[Aa]uthor"),
        "class": re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline"),
    }, first_only=True),
]

# The attributes BYLINE_RULES read. Every class or id value a rule can match contains one of the
# BYLINE_HINT fragments, so the page walk runs the rules only on elements that have one (or one of the
# rarer attributes, which are read whatever their value).
BYLINE_ATTRIBUTES = frozenset({"class", "id", "rel", "itemprop", "data-component", "data-testid"})
BYLINE_HINTED_ATTRIBUTES = frozenset({"class", "id"})
BYLINE_UNHINTED_ATTRIBUTES = BYLINE_ATTRIBUTES - BYLINE_HINTED_ATTRIBUTES
BYLINE_HINT = re.compile(r"uthor|yline|byl|BBL|username|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by"
                         r"|journalist-name|screenname|writer")

# Schema.org microdata, <span itemprop="author"><span itemprop="name">Jane Doe</span></span>: the name
# elements feed this source.
MICRODATA_AUTHOR, MICRODATA_NAME, MICRODATA_SOURCE = "author", "name", "byline markup"

# A byline text longer than this is a bio or a teaser, not a byline; shorter than 3 characters, nothing.
BYLINE_MAX_CHARS = 120

# Regions whose bylines belong to something else: reader comments, sidebars, quotes, share bars, figure
# credits, dates and category lists (after trafilatura's AUTHOR_DISCARD_XPATHS). An element inside one
# is not read, and text inside one is left out of a byline. "category" and "print" only as whole words:
# WordPress marks every post's container "category-<slug>", and "blueprint" is no print button.
BYLINE_DISCARD_TAGS = frozenset({"time", "figure"})
BYLINE_DISCARD_CONTAINER_TAGS = frozenset({"a", "div", "section", "span"})
BYLINE_DISCARD_ATTRIBUTES: dict[str, re.Pattern[str]] = {
    "id": re.compile(r"^comments|comment-?list|ProductReviews"),
    "class": re.compile(r"^(?:comments|title|date)$|^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote"
                        r"|embedly-instagram|article-(?:share|support)|(?<![\w-])(?:print|category|categories)(?![\w-])"
                        r"|meta-date|meta-reviewer"),
    "data-component": re.compile(r"Figure"),
}

# A label in front of a byline that has no byline class: "<li><strong>Autorin/Autor</strong> Roman
# Goncharenko</li>" (definition lists on public broadcasters), "<li>Von: <a>Bill McCarthy</a></li>"
# (agency fact-check pages), "<p>By <a>Jane Doe</a></p>". Matched against an element's leading text.
BYLINE_LABEL = re.compile(
    r"(?:autor(?:in)?(?:\s*/\s*autor(?:in)?)?|autoren|autorinnen|author|authors|auteur|auteurs|autora|autores|autore|autori"
    r"|(?:written|article|post|story|words|posted|published|reported|reporting)\s+by|by|von|text|texte|par|por|door|av)\b\s*:?",
    re.IGNORECASE)

# The label is not read in links, buttons and menus ("<a href=/autoren>Autoren</a>" in a site menu). When
# it stands alone in its element ("<strong>Autor</strong>", "<h4>Autor</h4>"), the names are the rest of
# its parent's text; a parent of BYLINE_MAX_CHARS or more is a list of authors, not a byline.
BYLINE_LABEL_EXCLUDED_TAGS = frozenset({"a", "button", "option", "nav"})

# Where the page's own headline sits: the first <h1> inside the first of these containers that has one,
# else the element marked itemprop="headline", else the first <h1> on the page.
HEADLINE_CONTAINERS = ["article", "main"]
HEADLINE_ITEMPROP = "//*[@itemprop='headline']"

# Separators between a headline and the site name, section or date that pages append or prepend:
# "Headline | Site", "Headline - Site", "Site :: Headline", "Headline » Section", "Headline · Site".
TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+(?:[|–—-]|::|»|·)\s+")

# A title segment that dates the page when it is unambiguous: day-first with dots ("Headline | DW |
# 28.04.2023", the European convention) or ISO. Slashed dates ("03/05/2024") are left to other sources,
# as they are read month-first in the US.
TITLE_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}")

# Markup left inside a JSON-LD author name ("<a href=\"/experts/jane-doe\">Jane Doe</a>"), taken off.
MARKUP_TAG = re.compile(r"<[^<>]*+>")

# A CMS login given as the author's name ("christian.stadtfeld", "jane_doe"): lower-case words joined by
# dots or underscores, spelled out as a name.
LOGIN_NAME = re.compile(r"(?<![a-zäöüéèà])[a-zäöüéèà]{2,}+(?:[._][a-zäöüéèà]{2,}+){1,2}")

# Author strings that name an organisation, a desk or a role rather than a person.
NOT_A_PERSON = re.compile(
    r"(?:\b(?:gmbh|ag|kg|ltd|inc|llc|verlag|redaktion|newsroom|editorial|staff|team|desk|agentur|agenturen|nachrichten|"
    r"news|online|zeitung|magazin|media|medien|presse|press|radio|tv|rundfunk|deutsche welle"
    r"|noticias|notizie|nouvelles|nieuws|redacci[oó]n|r[ée]daction|redazione|redactie|diario|peri[oó]dico)\b"
    r"|\.(?:de|com|at|ch|org|net|fr|es|it|nl|uk|eu|pl|info)\b"
    r"|^red\.?$"  # "Red." = Redaktion, the desk
    r"|^[^\W\d_]{1,3}$"  # desk initials alone, as a byline or signing off a story: "amw", "dan", "Kj"
    r"|^(?:folgen|follow|abonnieren|subscribe|teilen|share|mehr|more|profil|profile|name)$)",  # buttons and form labels beside a byline
    re.IGNORECASE)
