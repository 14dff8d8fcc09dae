"""Layout rules as data for page segmentation (extractors.blocks): which elements bound a block, which are
never text, and which class/id names mark page furniture or article text.
"""

from __future__ import annotations

import re

# Elements that start and end a block of text (HTML's block-level and table elements).
BLOCK_TAGS = frozenset({
    "html", "body", "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "h1", "h2", "h3",
    "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
    "caption", "blockquote", "pre", "figure", "figcaption", "form", "fieldset", "legend", "address", "center",
    "hr", "details", "summary", "menu", "dialog", "hgroup", "picture", "video", "audio",
})

# Block-level elements a data table's cells may hold (extractors.blocks.data_tables): its own parts.
DATA_TABLE_TAGS = frozenset({"thead", "tbody", "tfoot", "tr", "td", "th", "caption"})
# A data table's cells are short: a cell longer than this is a layout table's column of text.
MAX_DATA_CELL_CHARS = 200

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# HTML's own element for a figure's caption: its text (caption, photo credit, a quote's attribution) is never
# the article's, whatever the vote (extractors.body.choose_blocks).
CAPTION_TAGS = frozenset({"figcaption"})

# Elements whose content is never article text: code, styles, embedded objects, form controls, SVG, and ruby
# annotations (<rt>, <rp>: the reading set in small type above a Chinese or Japanese word, not part of the
# sentence).
SKIPPED_TAGS = frozenset({
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "select", "option", "button", "input", "textarea", "label", "map", "area", "source", "track", "rt", "rp",
})

# A <button> or <label> left open swallows what follows it when the parser nests the rest of the page into it
# ("<button>Menu<main><article><p>..."). One that holds these elements is such a swallow, and its content is
# read; any other is a control, and skipped.
OPEN_CONTROL_TAGS = frozenset({"button", "label"})
SWALLOWED_TAGS = ("p", "article", "main", "section", "h1", "h2", "h3", "table", "ul", "ol", "blockquote")

# Inline style that hides an element from readers.
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# HTML5 elements and the region they open.
REGION_TAGS = {"nav": "navigation", "menu": "navigation", "header": "header", "footer": "footer", "aside": "sidebar",
               "form": "form", "dialog": "overlay", "article": "story", "main": "story", "figure": "caption",
               "figcaption": "caption"}

# Elements whose names describe the whole page, not a region of it: a template ("single-post",
# "has-sidebar"), a state ("modal-open", "cookies-not-set", "menu-toggled"). They open no region.
PAGE_TAGS = frozenset({"html", "body"})

# Regions named by class, id, role or itemprop words, across CMSs and languages. Matched against each
# word of a name split at "-", "_" and camelCase, and against each pair of adjacent words joined
# ("most-read" -> "mostread"); one named group per region; a name may open several ("article-footer").
REGION_NAMES = re.compile(
    # menus, navigation, breadcrumbs, pagination, skip links
    r"(?P<navigation>nav(?:bar|igation)?|menu\w*|breadcrumb\w*|crumbs|pagination|pager|skiplink\w*|toc)"
    # page header and masthead
    r"|(?P<header>header|masthead|topbar)"
    # page footer, copyright, imprint, legal
    r"|(?P<footer>footer|foot|copyright|impressum|imprint|legal|disclaimer)"
    # sidebars and widgets
    r"|(?P<sidebar>sidebar|aside|widget\w*|rail|marginal\w*)"
    # teaser and related lists: "related", "recommended", "more stories", "most read", "trending"
    r"|(?P<teasers>related\w*|recommend\w*|teaser\w*|more(?:stories|articles|news)|most(?:read|popular|viewed)"
    r"|meistgelesen\w*|trending|popular|outbrain|taboola|alsoread|readmore|weiterlesen|mehrzumthema)"
    # share and social bars
    r"|(?P<share>share\w*|sharing|social\w*|follow\w*|shariff)"
    # reader comments
    r"|(?P<comments>comment\w*|kommentar\w*|respond|reply|replies|discussion|disqus|leserbrief\w*"
    # comment platforms embedded in pages
    r"|livefyre|viafoura|spotim|openweb|commento|giscus|utterances|hyvor|remark\d*|isso|talkyard|coral\w*)"
    # newsletter, subscription, paywall, promotion, advertising
    r"|(?P<promotion>newsletter\w*|subscri\w*|signup|paywall|premium|promo\w*|advert\w*|ads?|adslot\w*"
    r"|anzeige\w*|banner\w*|sponsor\w*|affiliate|commercial|marketing)"
    # cookie and consent banners, pop-ups, modals
    r"|(?P<overlay>cookie\w*|consent\w*|gdpr|popup|modal\w*|overlay|lightbox)"
    # captions, image credits, galleries, media
    r"|(?P<caption>caption\w*|credit\w*|figure|gallery|slideshow|slider|carousel|media|photo\w*|image\w*|img|video\w*)"
    # bylines, author boxes and bios, dates, article meta
    r"|(?P<byline>byline\w*|author\w*|bio|biography|dateline|date|time|timestamp|meta|published|posted)"
    # tags and topics
    r"|(?P<tags>tags?|tagcloud|taglist|keywords?|topics?|categor\w*|themen)"
    # the story's own container
    r"|(?P<story>article\w*|story\w*|content\w*|entry\w*|post\w*|text|body\w*|main|richtext|rte|paragraph\w*"
    r"|artikel\w*|beitrag\w*|inhalt\w*|cuerpo|corpo|contenu\w*|texte)",
    re.IGNORECASE,
)

# The regions, in a fixed order (feature columns of the body voter).
REGIONS = ("navigation", "header", "footer", "sidebar", "teasers", "share", "comments", "promotion", "overlay",
           "caption", "byline", "tags", "story", "form")

# Furniture the vote let through block by block: blocks kept inside one of these regions are dropped, those whose
# links are at least the given share of their text, unless they hold STRAY_FURNITURE_SHARE of the text kept or
# more and the vote kept STRAY_FURNITURE_REGION_SHARE of the region's text or more. Reader comments under a story,
# whatever their links (on a forum thread or a comment page they are most of what is kept, and the vote keeps
# most of them: the page's content; under a short story it keeps a few of many); menu entries of a navigation
# region, and linked headlines of a teaser list.
STRAY_FURNITURE_LINKS = {"comments": 0.0, "navigation": 0.5, "teasers": 0.5}
STRAY_FURNITURE_SHARE = 0.5
STRAY_FURNITURE_REGION_SHARE = 0.5

# A standfirst is the lead paragraph set between the headline and the story, often in the article's <header>,
# where the vote may take it for the page's header. It is kept (extractors.body.keep_standfirst) when it is a
# dropped block among the STANDFIRST_LOOKBACK_BLOCKS above the first kept one and below the headline (the <h1>,
# or the nearest heading of at least STANDFIRST_HEADLINE_CHARS): at least STANDFIRST_MIN_CHARS long, few links,
# ending as a sentence ends, outside the STANDFIRST_NOT_IN regions, and inside the story's container (its common
# ancestor with the first kept block at most STANDFIRST_MAX_LEVELS_UP above that block). Shorter blocks between
# them (a byline, a date, a share bar) are passed over, and so are captions and date lines however long (the
# lead photo's caption; "19. Oktober 2019, 19:08 Uhr Editiert am ..."); a longer block of any other kind
# stops the search.
STANDFIRST_LOOKBACK_BLOCKS = 8
STANDFIRST_MIN_CHARS = 80
STANDFIRST_HEADLINE_CHARS = 25
STANDFIRST_MAX_LINK_DENSITY = 0.2
STANDFIRST_MAX_LEVELS_UP = 4
STANDFIRST_ENDINGS = tuple('.!?…"“”»«。！？')
STANDFIRST_NOT_IN = ("navigation", "footer", "sidebar", "teasers", "share", "comments", "promotion", "overlay", "caption",
                     "tags", "form", "byline")

# Subheadings and list items the vote dropped between two kept blocks are kept (extractors.body.fill_story_gaps)
# when they are a run of at most this many blocks, with links under this share of their text.
MAX_STORY_GAP_BLOCKS = 30
MAX_STORY_GAP_LINK_DENSITY = 0.5
# A list the story announces ("Here is what changed:") is kept between two kept blocks whatever its links: the
# announcing sentence ends in one of these, and has at least this many words (characters, in an unspaced script).
LIST_ANNOUNCEMENT_ENDINGS = (":", "：")
LIST_ANNOUNCEMENT_MIN_WORDS = 4
LIST_ANNOUNCEMENT_MIN_CHARS = 8
