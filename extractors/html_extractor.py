"""HTML pages to article text and metadata: the body voter over one parsed tree, trafilatura's whole cascade
where it keeps too little, the article body the page declares (JSON-LD) where that is far longer, boilerpy3
last."""

from __future__ import annotations

import html as html_module
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from htmldate import find_date
from trafilatura.metadata import extract_sitename, extract_title
from trafilatura.settings import set_date_params
from boilerpy3 import extractors as boilerpy_extractors
from lxml import etree

from extractors.article import Removal
from extractors.errors import ExtractionError
from extractors.blocks import Block, segment
from extractors.body import BodyChoice, choose_blocks, fill_story_gaps, furniture_name, keep_standfirst
from extractors.cues import TextCues, read_text_cues
from extractors import titles
from extractors.authors import STORY_SOURCES, credited_agencies, find_bylines, page_authors, script_bylines
from extractors.dates import choose_published
from extractors.metadata import PageMetadata, clean_outlet, read_metadata
from extractors.limits import LIMITS
from extractors.rules import page_types
from extractors.rules import titles as title_rules
from extractors.text import comparable_text, site_keys, visible_text, word_tokens
from extractors.text_cleaner import strip_boilerplate_lines

# Below this many characters the voter's body is treated as a miss, and trafilatura's whole cascade is asked.
MIN_BODY_CHARS = 250
# Below this many characters even that is no body (a slogan, a label), and boilerpy3 is asked too. A short
# post (a few lines of verse, a brief note) is a body: asked then, boilerpy3's longest text block is more
# often the comment form or the cookie notice under it than the post.
MIN_TEXT_CHARS = 100
# A fallback's body replaces the voter's only if more than this share of its words are new.
NEW_WORDS_SHARE = 0.1
# The article body a page declares (JSON-LD articleBody) replaces the voter's when it is this many times as
# long and at least DECLARED_BODY_MIN_CHARS long: the page renders its story by script, or shows a teaser
# above a paywall, and the voter found little else than furniture (an author's bio, a sign-up form).
DECLARED_BODY_TIMES = 3
DECLARED_BODY_MIN_CHARS = 500
_MARKUP_BREAK = re.compile(r"<\s*(?:br|/p|/div|/h[1-6]|/li)\b[^>]*>", re.IGNORECASE)
_MARKUP_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


@dataclass
class HtmlExtraction:
    title: str | None
    paragraphs: list[str]
    removed: list[Removal]
    cues: TextCues
    canonical_url: str | None = None
    page_type: str | None = None
    link_density: float = 0.0
    authors: list[str] = field(default_factory=list)
    declared_language: str | None = None  # <html lang>, Content-Language or og:locale, unverified


# Up to the first ">": a declaration whose quote is never closed (a template pasted a page's keywords into
# it) ends there too.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
# lxml drops everything after an </html> end tag; a browser reads on (pages are pasted together from
# templates, and some close the document before the story). The end tags go; the parser closes at the end.
_HTML_END_TAG = re.compile(r"</html\s*>", re.IGNORECASE)


# lxml.html's parser asks a Python method which class each element of the tree gets (forms and inputs get
# their own), every time an element is handed to Python, and the extraction walks the tree many times.
# Every element is an HtmlElement here, chosen in C.
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


def parse_html(html: str) -> lxml.html.HtmlElement:
    # XHTML pages open with <?xml ... encoding="..."?>; the text is already decoded, and lxml refuses a
    # str that still declares an encoding.
    html = _HTML_END_TAG.sub("", _XML_DECLARATION.sub("", html, count=1))
    try:
        tree = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as error:
        raise ExtractionError(f"unparseable HTML ({error})") from None
    if tree is None:
        raise ExtractionError("unparseable HTML (no document element)")
    _untail_comments(tree)
    return tree


# A phrase that looks enough like a date for htmldate's extensive search to hand it to dateparser, and that
# no language's tables parse as a day: dateparser then compiles its tables for every language.
_DATE_SEARCH_SAMPLE = "<html><body><p>12 tools for 2026</p></body></html>"


def warm_up_date_search() -> None:
    """Load what htmldate's extensive date search loads the first time a page needs it: dateparser's tables for
    every language (about a second and 40 MB, once per process)."""
    find_date(_DATE_SEARCH_SAMPLE, **set_date_params(True))


def _untail_comments(tree: lxml.html.HtmlElement) -> None:
    """Give the text after each comment and processing instruction to what precedes it: the tree walk passes
    over them and their tails ("<p><!-- HTML_TAG_START -->The story's text...", as some frameworks render a
    page). The comments themselves stay: htmldate reads dates in them (a trackback's RDF, "dc:date=...")."""
    for node in tree.iter(etree.Comment, etree.ProcessingInstruction):
        if not node.tail:
            continue
        previous = node.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        elif node.getparent() is not None:
            parent = node.getparent()
            parent.text = (parent.text or "") + node.tail
        node.tail = None


def link_density(blocks: list[Block]) -> float:
    """Share of the page's visible text that sits inside links (list pages are mostly links, articles are not)."""
    total = sum(len(block.text) for block in blocks)
    return min(1.0, sum(block.link_chars for block in blocks) / total) if total else 0.0


def outlet_from_host(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if not host or host.replace(".", "").isdigit() or host == "localhost":
        return None
    parts = [part for part in host.split(".") if part not in ("www", "m", "amp", "news", "edition")]
    if len(parts) >= 2:
        return parts[-2]
    return parts[0] if parts else None


def page_titles(declared: PageMetadata) -> list[str]:
    """The titles a page declares for itself (<title>, og:title): the headline block repeats them."""
    return [title for title in (declared.titles.get("title"), declared.titles.get("og")) if title]


def declared_body(article_body: str | None) -> str:
    """A JSON-LD articleBody as lines of text: markup, where a page declares it with some, read as text."""
    if not article_body:
        return ""
    text = _MARKUP_TAG.sub("", _MARKUP_BREAK.sub("\n", article_body))
    return "\n".join(line for line in (visible_text(html_module.unescape(line)) for line in text.split("\n")) if line)


def adds_text(candidate: str, text: str) -> bool:
    """Whether a fallback's body `candidate` says more than the voter's `text`: more than NEW_WORDS_SHARE of its
    words are not in it. A fallback that only runs the headline into the voter's lines says nothing more, and
    has lost their paragraphs."""
    known = Counter(word_tokens(text.lower()))
    words = word_tokens(candidate.lower())
    return sum((Counter(words) - known).values()) > NEW_WORDS_SHARE * len(words)


def trafilatura_body(page: lxml.html.HtmlElement | str, url: str | None, fast: bool = True) -> str:
    """trafilatura's body text for the page: its fast cascade on the parsed tree (the body voter is the
    fallback; it prunes the tree it is given, so it runs after segmentation), or with fast=False its whole
    cascade on the HTML, which weighs its own text against readability's and jusText's as `extract()` does."""
    result = trafilatura.bare_extraction(page, url=url, fast=fast, with_metadata=False, include_comments=False,
                                         include_tables=True)
    return (result.text if result else "") or ""


# Dropped blocks shorter than this are counted, not listed: menus and link lists would swamp the record.
MIN_LISTED_WORDS = 6


def dropped_blocks(choice: BodyChoice) -> list[Removal]:
    """The record of what the body voter left out: each sizeable block with what it was, short ones counted."""
    overruled = {block.index for block in choice.overruled}
    removals, short = [], 0
    for block in choice.dropped:
        if block.index in overruled:
            removals.append(Removal(block.text, f"page furniture: {furniture_name(block)} (trafilatura kept it)"))
        elif len(block.text.split()) >= MIN_LISTED_WORDS:
            removals.append(Removal(block.text, f"page furniture: {furniture_name(block)}"))
        else:
            short += 1
    if short:
        removals.append(Removal(f"{short} short blocks (menu items, links, labels)", "page furniture: short blocks"))
    return removals


# Bylines and dates sit just above a story, credit lines just below it: the body voter drops them as
# furniture, but their metadata is read from the dropped blocks this close to the story's first and last
# kept blocks (short ones only: a byline is not a paragraph).
CUES_BEFORE_STORY, CUES_AFTER_STORY, MAX_CUE_CHARS = 6, 4, 300


def cue_candidates(choice: BodyChoice) -> list[str]:
    """Dropped blocks near and inside the story, in page order, whose lines may carry bylines or credits."""
    if not choice.kept:
        return []
    first, last = choice.kept[0].index - CUES_BEFORE_STORY, choice.kept[-1].index + CUES_AFTER_STORY
    return [block.text for block in choice.dropped if first <= block.index <= last and len(block.text) <= MAX_CUE_CHARS]


# The date a page shows with its story: beside its headline ("February 4, 2025 - 11 minutes" above or below
# the <h1>, read this many blocks around it: a hero section may stand between it and the story), or, without
# a headline above the story, just above the story's first kept block.
CUES_BEFORE_HEADLINE, CUES_AFTER_HEADLINE = 3, 4


def shown_date_lines(blocks: list[Block], choice: BodyChoice) -> list[str]:
    """Dropped blocks around the story's headline (the last <h1> above or at the story's first kept block),
    else just above the story, in page order: where a page shows the story's date."""
    if not choice.kept:
        return []
    first = choice.kept[0].index
    headline = next((block for block in reversed(blocks[:first + 1]) if block.tag == "h1"), None)
    if headline is None:
        low, high = first - CUES_BEFORE_STORY, first - 1
    else:
        low, high = headline.index - CUES_BEFORE_HEADLINE, headline.index + CUES_AFTER_HEADLINE
    return [block.text for block in choice.dropped if low <= block.index <= high and len(block.text) <= MAX_CUE_CHARS]


def headline_above_story(blocks: list[Block], choice: BodyChoice, story: str, title: str | None) -> str | None:
    """The headline set just above the story, for pages that neither declare nor mark one, or whose <title>
    does not speak of the story."""
    if not choice.kept:
        return None
    first = choice.kept[0].index
    nearby = blocks[max(0, first - title_rules.BLOCKS_ABOVE_STORY):first + 1]
    # A list entry is no headline: an ingredient, a step, a menu item.
    return titles.headline_above_story([(block.text, block.in_heading, block.link_density) for block in nearby
                                        if block.in_heading or not block.in_list], story, title)


def extract_html(html: str, url: str | None) -> HtmlExtraction:
    tree = parse_html(html)
    declared = read_metadata(tree)  # before trafilatura, which may prune the tree it is given
    canonical = declared.canonical_url or declared.first_meta("og:url")
    site_name = clean_outlet(declared.first_meta("og:site_name", "application-name"))
    publisher = clean_outlet(declared.publisher)
    article_type = next((kind for kind in declared.types if page_types.type_name(kind) in page_types.ARTICLE_TYPES), None)
    host = (urlsplit(url).hostname or "") if url else ""
    # The page's headings, read before trafilatura prunes the tree; the title is chosen once all site names are known.
    visible = titles.read_visible(tree, declared, [site_name, publisher, host, outlet_from_host(url)])
    page_type = article_type or declared.first_meta("og:type") or (declared.types[0] if declared.types else None)

    blocks = segment(tree)
    density = link_density(blocks)
    choice = choose_blocks(blocks, page_titles(declared), lambda: trafilatura_body(tree, url))
    choice = fill_story_gaps(blocks, keep_standfirst(blocks, choice))
    text = "\n".join(block.text for block in choice.kept)
    dropped = dropped_blocks(choice)
    if choice.fallback:  # the voter and trafilatura disagreed a lot, and the fallback model bets on trafilatura
        text = choice.trafilatura_text
        kept_by_trafilatura = " ".join(text.split())
        dropped = [Removal(block.text, "page furniture: not in trafilatura's body (kept instead of the voter's, "
                                       "with which it disagreed)")
                   for block in choice.kept if len(block.text.split()) >= MIN_LISTED_WORDS
                   and " ".join(block.text.split()) not in kept_by_trafilatura]
    declared_text = declared_body(declared.article_body)
    if len(declared_text) >= max(DECLARED_BODY_MIN_CHARS, DECLARED_BODY_TIMES * len(text)) and adds_text(declared_text, text):
        text, dropped = declared_text, []
    if len(text) < MIN_BODY_CHARS:
        # trafilatura's whole cascade, on the page as it came (the tree is pruned by now): where its fast
        # cascade found little too, readability's or jusText's text may be the story.
        trafilatura_text = trafilatura_body(html, url, fast=False)
        if adds_text(trafilatura_text, text):
            text, dropped = trafilatura_text, []
    if len(text) < MIN_TEXT_CHARS:
        fallback = boilerpy_extractors.ArticleExtractor(raise_on_failure=False).get_content(html) or ""
        if adds_text(fallback, text):
            text = fallback
    # The voter's blocks are already visible text; trafilatura's and boilerpy3's bodies are made so too.
    paragraphs, removed, cues = strip_boilerplate_lines([visible_text(line) for line in text.split("\n")])
    removed = dropped + removed
    cues.fill_from(read_text_cues(cue_candidates(choice)))

    # Metadata heuristics (byline elements, htmldate, trafilatura's site-name guess) run only for a field
    # the page's own declarations leave open.
    sitename = None if (site_name or publisher) else extract_sitename(tree)
    if sitename and re.fullmatch(r"[\d.:]+|localhost(?::\d+)?", sitename):
        sitename = None  # a bare host or IP address is not an outlet's name
    outlet = site_name or publisher or sitename or cues.outlet or outlet_from_host(url)
    site_names = [site_name, publisher, sitename, cues.outlet, host, outlet_from_host(url)]
    title = titles.choose_title(declared, site_names, visible)
    site_only = bool(title) and titles.names_site(title, site_keys(site_names))
    if titles.doubtful(title, declared, visible, text, site_only):
        title = headline_above_story(blocks, choice, text, None if site_only else title) or title
    if not title:
        fallback = extract_title(tree)
        title = None if not fallback or title_rules.CODE_IN_TITLE.search(fallback) else titles.clean_title(fallback, site_names)
    story_text = "\n".join(paragraphs + cue_candidates(choice))
    authors = page_authors(declared.authors, site_names,
                           lambda: {**find_bylines(tree), **script_bylines(story_text, STORY_SOURCES), "text": cues.authors})
    cues.add_credits(credited_agencies(authors))
    # The date: the page's declarations weighed against the date shown by the story (extractors.dates);
    # htmldate's quick search (markup, URL) only for a page that declares none, and its extensive search of
    # the page text (slow) only when nothing else, not even the text cues, dates the page.
    # On a very large page htmldate reads its start only: a date sits near the top, and its search of the
    # whole text would take longer than the rest of the extraction.
    date_source = tree if len(html) <= LIMITS.max_date_search_chars else html[:LIMITS.max_date_search_chars]
    cues.published = choose_published(declared.dates, declared.titles, lambda extensive: find_date(
        date_source, url=url, **set_date_params(extensive)), text_date=cues.published, text_updated=cues.updated,
        shown_date=read_text_cues(shown_date_lines(blocks, choice)).published)
    cues.outlet = outlet
    if paragraphs and title and comparable_text(paragraphs[0]) == comparable_text(title):
        removed.insert(0, Removal(paragraphs.pop(0), "headline (it is the article's title)"))
    return HtmlExtraction(
        title=title, paragraphs=paragraphs, removed=removed, cues=cues, canonical_url=canonical,
        page_type=page_type, link_density=density, authors=authors,
        declared_language=tree.get("lang") or tree.get("xml:lang") or declared.first_meta("og:locale", "content-language"),
    )
