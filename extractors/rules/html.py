"""HTML metadata rules as data: where pages declare their headline, date, authors and publisher.

Read by extractors.metadata. Order within each list is priority: the first source that answers wins.
"""

from __future__ import annotations

import re

# JSON-LD node types that describe the article itself (schema.org), lower-cased.
ARTICLE_NODE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                      "reviewnewsarticle", "backgroundnewsarticle", "blogposting", "liveblogposting", "report",
                      "webpage", "scholarlyarticle", "techarticle", "medicalwebpage"}

# <meta> names/properties carrying the publication date: Open Graph article tags, Dublin Core, parse.ly,
# Sailthru and newsroom CMS conventions.
DATE_META_NAMES = ["article:published_time", "og:article:published_time", "datePublished", "publish-date", "publishdate",
                   "pubdate", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.created", "dc.date",
                   "date", "article.published", "published_time", "og:published_time", "cxenseparse:recs:publishtime"]

# <meta> names carrying author names.
AUTHOR_META_NAMES = ["author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl", "cXenseParse:author"]

# Elements that hold the byline on article pages (rel=author links, itemprop, common class names).
BYLINE_XPATHS = [
    '//*[@itemprop="author"]//*[@itemprop="name"]',
    '//a[@rel="author"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " author ") or contains(@class, "author-name") or contains(@class, "byline__author")]',
]

# Author sources, in priority order: JSON-LD Person nodes are the most deliberate declaration; then
# <meta name=author> and byline elements; then (in html_extractor) trafilatura's reading of the same
# declarations, its byline heuristics (the costliest, asked last) and byline lines in the text.
AUTHOR_SOURCES = ["json-ld", "meta", "byline", "trafilatura", "text"]

# Where the page's own headline sits: the first <h1> inside the article, else the first <h1> on the page.
HEADLINE_XPATHS = ["//article//h1", "//main//h1", "//*[@itemprop='headline']", "//h1"]

# Title sources, in priority order. og:title is written for sharing and is the headline on most news
# sites; the JSON-LD headline, the visible <h1>, twitter:title and <title> fill in when it is missing.
# (Measured on the fundus-de dev set: og:title cleaned of site names matches the gold headline on 79 of
# 99 pages, the next best source on 68.)
TITLE_SOURCES = ["og", "json-ld", "h1", "twitter", "title"]

# Separators between a headline and the site name, section or date that pages append or prepend:
# "Headline | Site", "Headline - Site", "Site :: Headline", "Headline » Section", "Headline · Site".
TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—-]|::|»|·)\s+")

# A title segment that is only a date ("28.04.2023", "2024-02-20") is page furniture, not headline.
TITLE_DATE_SEGMENT = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}")

# Short segments after a "|" are site and section names ("Headline | Politik | Site") even when they
# don't spell the site's name (or the host is unknown); headlines themselves rarely contain a pipe.
TITLE_PIPE_SEGMENT_MAX_WORDS = 4

# Author strings that name an organisation, a desk or a role rather than a person.
NOT_A_PERSON = re.compile(
    r"(?:\b(?:gmbh|ag|kg|ltd|inc|llc|verlag|redaktion|newsroom|editorial|staff|team|desk|agentur|agenturen|nachrichten|"
    r"news|online|zeitung|magazin|media|medien|presse|press|radio|tv|rundfunk|deutsche welle)\b|\.(?:de|com|at|ch|org|net)\b"
    r"|^red\.?$"  # "Red." = Redaktion, the desk
    r"|^(?:folgen|follow|abonnieren|subscribe|teilen|share|mehr|more|profil|profile)$)",  # buttons beside a byline
    re.IGNORECASE)
