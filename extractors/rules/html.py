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

# Where the page's own headline sits: the first <h1> inside the article, else the first <h1> on the page.
HEADLINE_XPATHS = ["//article//h1", "//main//h1", "//*[@itemprop='headline']", "//h1"]

# Author strings that name an organisation, a desk or a role rather than a person.
NOT_A_PERSON = re.compile(
    r"(?:\b(?:gmbh|ag|kg|ltd|inc|llc|verlag|redaktion|newsroom|editorial|staff|team|desk|agentur|agenturen|nachrichten|"
    r"news|online|zeitung|magazin|media|medien|presse|press|radio|tv|rundfunk|deutsche welle)\b|\.(?:de|com|at|ch|org|net)\b)",
    re.IGNORECASE)
