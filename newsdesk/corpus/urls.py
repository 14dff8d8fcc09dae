"""URL identity and shape: canonical forms without tracking parameters, and list-page URL patterns."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track where a click came from; an article's identity never depends on them.
TRACKING_PARAMETERS = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|ref_src|ref_url|referrer|source|"
    r"cmpid|icid|ito|wt_mc|wt\.mc_id|ns_mchannel|ns_source|ns_campaign|ns_linkname|ns_fee|at_medium|at_campaign|"
    r"xtor|xtref|share|utm|oly_enc_id|oly_anon_id|vero_id|__twitter_impression|s_cid|sr_share|ocid|smid|partner)$",
    re.IGNORECASE)

# URL paths of pages that list or navigate rather than tell one story (section fronts, tags, authors,
# search, archives, pagination). Seen across CMSs: WordPress, Drupal, Arc, custom newsroom sites.
LISTING_PATH = re.compile(
    r"(?:^/?$|/(?:tag|tags|topic|topics|thema|themen|schlagwort|author|authors|autor|autoren|category|categories|"
    r"kategorie|rubrik|ressort|section|sections|search|suche|archive|archiv|page|seite|feed|rss|newsletter|"
    r"login|register|account|abo|subscribe|about|impressum|kontakt|contact|privacy|datenschutz)(?:/|$))",
    re.IGNORECASE)
PAGINATION_QUERY = re.compile(r"(?:^|&)(?:page|p|seite|pg|offset|start)=\d+", re.IGNORECASE)


def is_http_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no default port, tracking parameters removed, query sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode(sorted((key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING_PARAMETERS.match(key)))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def looks_like_listing_url(url: str) -> bool:
    parts = urlsplit(url)
    path = parts.path
    if LISTING_PATH.search(path) or PAGINATION_QUERY.search(parts.query):
        return True
    # Section fronts are short directory paths: "/news/politik/".
    return path.endswith("/") and path.count("/") <= 3
