"""Declared page types as data: the og:type and JSON-LD @type values (lower-cased) that make a page an
article, and those that name another kind of page.

Read by extractors.html_extractor (which declared type is the page's), extractors.metadata (which JSON-LD
nodes describe the article) and the ingest core (is a crawled page an article, before and after parsing).
"""

from __future__ import annotations

import re

# Types that declare an article: og:type "article" and schema.org's Article with its news, report,
# scholarly, technical and blog subtypes. Not SocialMediaPosting or DiscussionForumPosting (forum and
# social posts) nor AdvertiserContentArticle (advertorials), though schema.org files them under Article.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "analysisnewsarticle", "askpublicnewsarticle", "backgroundnewsarticle",
    "opinionnewsarticle", "reportagenewsarticle", "reviewnewsarticle", "satiricalarticle", "report",
    "scholarlyarticle", "medicalscholarlyarticle", "techarticle", "blogposting", "liveblogposting",
})

# Types that name a page other than an article: home and section pages ("website", CollectionPage), lists,
# search results, profiles, products, media. Sites mislabel articles as "website" often enough that such a
# declaration only decides together with a short body.
NON_ARTICLE_TYPES = frozenset({
    "website", "profile", "collectionpage", "webpage", "searchresultspage", "itemlist", "aboutpage",
    "contactpage", "profilepage", "book", "product", "video.other", "music.song",
})

# JSON-LD nodes that wrap the article on many CMSs (Yoast SEO's WebPage beside its Article) and carry its
# headline, date and authors when no Article node does. Read for metadata; they make no page an article.
ARTICLE_WRAPPER_TYPES = frozenset({"webpage", "medicalwebpage"})

# An article declaration in the raw bytes of a page, found without parsing it: a JSON-LD "@type" (or the
# first of a list of types) that is one of ARTICLE_TYPES, or og:type "article".
ARTICLE_DECLARATION = re.compile(
    rb"""(?:"@type"\s*:\s*(?:\[\s*)?"(?:""" + b"|".join(re.escape(name.encode()) for name in sorted(ARTICLE_TYPES))
    + rb""")"|og:type["']\s+content=["']article)""",
    re.IGNORECASE)

# A type may be declared by its full IRI ("https://schema.org/NewsArticle"): this prefix is not part of its name.
SCHEMA_ORG_PREFIX = re.compile(r"^https?://(?:www\.)?schema\.org/", re.IGNORECASE)

# How much of a raw page is searched for ARTICLE_DECLARATION: declarations sit in the <head>.
DECLARATION_SEARCH_BYTES = 300_000

# Media types of a fetched response that is a page (HTML or XHTML), whatever its parameters.
HTML_MEDIA_TYPES = ("text/html", "application/xhtml")
# The start of an HTML document (an XML declaration and comments may come first): servers mislabel pages,
# so a response whose body starts like this is a page whatever its Content-Type.
# Possessive and atomic: a comment, once closed, is never re-read to end at a later "-->", so a body of
# thousands of comments is scanned once.
HTML_DOCUMENT_START = re.compile(rb"^\s*+(?:<\?xml[^>]*+>\s*+)?+(?:<!--(?>.*?-->)\s*+)*+<(?:!doctype\s+html|html|head|body)\b",
                                 re.IGNORECASE | re.DOTALL)
# How much of a response body is looked at for HTML_DOCUMENT_START.
HTML_START_BYTES = 1024



def type_name(declared: str) -> str:
    """A declared type as the tables name it: lower-cased, without a schema.org IRI prefix."""
    return SCHEMA_ORG_PREFIX.sub("", declared.strip()).lower()
