"""Publication date rules as data: where pages declare their dates, and what marks a date as the story's own.

Read by extractors.dates.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# JSON-LD keys of an article node that date its first publication, in priority order.
JSON_LD_PUBLISHED_KEYS = ["datePublished", "dateCreated"]

# A JSON-LD date not in ISO 8601 is read as written ("Tue, Sep 15 2020 10:01:41 EDT") when it is this short.
MAX_WRITTEN_DATE_CHARS = 60

# <meta> names of the modification date (lower-cased): never the publication date, but kept as a candidate.
MODIFIED_META_NAMES = ["article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified",
                       "dc.date.modified", "lastmod"]

# Elements whose <time> dates something other than the story: a link (a teaser), navigation, a sidebar, a
# photo (its caption's date). Not <li> or <footer>: bylines are written as lists ("<ul class=meta><li><time>")
# and as an article's own footer ("<footer class=entry-meta>") too; a teaser list is told by its links and marks.
OTHER_DATE_TAGS = frozenset({"a", "nav", "aside", "figure", "figcaption"})

# The text of a <time>, and the text just before it, read for a label ("Updated on"): this many characters.
LABEL_CHARS = 40

# Elements that hold the whole page: their classes describe the page's template ("has-sidebar"), not a part of it.
PAGE_TAGS = frozenset({"html", "body"})

# Class, id or itemprop of a container of other stories' teasers ("related-articles", "teaser", "sidebar").
TEASER_MARK = re.compile(r"related|teaser|recommend|sidebar|more-?stories|also-?read|read-?more|popular|trending"
                         r"|latest|widget|comment", _I)

# ...of a <time> that dates the publication ("datePublished", "published", "pubdate", "entry-date").
PUBLISHED_MARK = re.compile(r"datepublished|publish|pubdate|entry-date|post-date|created", _I)

# ...of a <time> that dates an update ("dateModified", "updated", "modified", "aktualisiert").
MODIFIED_MARK = re.compile(r"modif|update|aktualisiert|edited", _I)

# A publication time declared in UTC whose day differs from the visible date (given without a time) is taken
# to be that visible day only when an offset of at most this many hours gets there: most of the world's
# clocks, and not a story from midday UTC that a far-away clock would date a day off.
MAX_UNCONFIRMED_SHIFT_HOURS = 8
