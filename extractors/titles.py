"""The headline the reader sees.

A page declares its headline several times (og:title, twitter:title, the JSON-LD headline, <title>), often
with the site's name, a section label or a date around it, and shows it once, in a heading. The title is:

1. the visible heading (an <h1>, else an <h2>/<h3>) when it matches a declared headline up to the site
   name and section labels around it ("Headline" in "Headline - World - Site"), without a kicker the
   heading sets on a line of its own above the headline;
2. else the text of any visible element that is such a run of a declared title's segments (pages that
   show the headline in a styled <td> or <span>);
3. else the declared headline most sources agree on, site name and section labels cut off;
4. else the visible heading, when the page declares nothing usable.

Site names are recognised from the page itself, never from a list of outlets: its declared site names
(og:site_name, application-name, the JSON-LD publisher), its host, and the part its declared titles
repeat around a shorter one ("Headline" beside "Headline | Politik | Site")."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

import lxml.html

from extractors.cues import find_date_in, parse_date
from extractors.metadata import PageMetadata
from extractors.rules.metadata import BYLINE_LINE
from extractors.rules import html as html_rules
from extractors.rules import titles as rules
from extractors.text import best_stoplist, visible_text, site_key, site_keys

_TOKEN = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_INLINE = frozenset({"a", "b", "i", "em", "strong", "span", "font", "br", "u", "big", "small"})
_SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "option", "select", "textarea"})


def normalized(text: str | None) -> str:
    """Text compared as a reader reads it: case, punctuation and Unicode forms aside."""
    return " ".join(_TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower()))


def _words(text: str) -> int:
    return len(text.split())


def _headline_sized(text: str) -> bool:
    return (_words(text) >= rules.MIN_WORDS or len(text) >= rules.MIN_CHARS) and \
        _words(text) <= rules.MAX_HEADLINE_WORDS and len(text) <= rules.MAX_HEADLINE_CHARS


def _not_too_long(text: str) -> bool:
    return _words(text) <= rules.MAX_HEADLINE_WORDS and len(text) <= rules.MAX_HEADLINE_CHARS


def split_title(title: str) -> tuple[list[str], list[str]]:
    """'Headline | Section | Site' -> (['Headline', 'Section', 'Site'], [' | ', ' | '])."""
    pieces = rules.SEPARATOR.split(rules.DANGLING_SEPARATOR.sub("", title))
    parts, separators = pieces[0::2], pieces[1::2]
    # An empty segment (a title opening or closing with a separator, ":: Site ::") is dropped with it.
    while len(parts) > 1 and not parts[-1].strip():
        parts.pop()
        separators.pop()
    while len(parts) > 1 and not parts[0].strip():
        parts.pop(0)
        separators.pop(0)
    return parts, separators


def _join(parts: list[str], separators: list[str]) -> str:
    return (parts[0] + "".join(separator + part for separator, part in zip(separators, parts[1:]))).strip()


def names_site(segment: str, keys: set[str], labels: frozenset[str] = frozenset()) -> bool:
    """True when a title segment is the site's name or host (or contains it, in a few words), a label the
    page's titles repeat around the headline, or only a date."""
    segment = segment.strip()
    if rules.DATE_SEGMENT.fullmatch(segment):
        return True
    key = site_key(segment)
    if not key or key in keys or key in labels:
        return True
    if _words(segment) > rules.SITE_MAX_WORDS:
        return False
    # 'Tech.co.uk' in 'www.tech.co.uk'; 'Westfalen-Blatt' around 'westfalenblatt', but not 'How we built
    # Example's app' around 'example': the site must be most of a longer segment.
    short = _words(segment) <= rules.SITE_CONTAINED_MAX_WORDS
    return any(len(key) >= 4 and len(site) >= 4 and (key in site or (site in key and (short or 2 * len(site) >= len(key))))
               for site in keys)


def _is_pipe(separator: str) -> bool:
    return any(char in separator for char in "|｜ㅣ")


def _is_section(segment: str, separator: str, site_cut: bool) -> bool:
    """A short segment is a section label after a pipe, or between the headline and a site name already cut
    (not after a colon: 'Kicker: Headline')."""
    if ":" in separator or "：" in separator or _words(segment) > rules.SECTION_MAX_WORDS:
        return False
    return _is_pipe(separator) or site_cut


def clean_title(title: str | None, site_names: list[str | None], labels: frozenset[str] = frozenset()) -> str | None:
    """'Headline | Section | Site | 28.04.2023' -> 'Headline': drop leading and trailing segments that name
    the site, a section or a date, keep every separator that is part of the headline ('Rückschlag - Liverpool
    verliert')."""
    title = visible_text(html.unescape(title or ""))
    if not title:
        return None
    keys = site_keys(site_names)
    parenthesis = rules.TRAILING_PARENTHESIS.search(title)
    if parenthesis and parenthesis.start() > 0:
        words = parenthesis.group(1).split(None, 1)
        if any(names_site(name, keys, labels) for name in (parenthesis.group(1), words[-1])):
            title = title[:parenthesis.start()]
    parts, separators = split_title(title)
    for end in (-1, 0):  # the trailing segments, then the leading ones
        site_cut = False
        while len(parts) > 1:
            named = _site_run(parts, separators, keys, labels, end)
            if named:
                site_cut = True
            elif _is_section(parts[end], separators[end], site_cut) and _shorter_than_rest(parts, end):
                named = 1
            else:
                break
            for _ in range(named):
                parts.pop(end)
                separators.pop(end)
    return _join(parts, separators) or None


def _site_run(parts: list[str], separators: list[str], keys: set[str], labels: frozenset[str], end: int) -> int:
    """How many segments at the title's end (-1) or start (0) spell the site's name together, if any:
    'Home_Garden' is one site name cut in two by the underscore separator."""
    for count in range(1, min(rules.SITE_MAX_SEGMENTS, len(parts) - 1) + 1):
        if end == -1:
            run = _join(parts[-count:], separators[len(separators) - count + 1:])
        else:
            run = _join(parts[:count], separators[:count - 1])
        if names_site(run, keys, labels) and (count == 1 or site_key(run) in keys):
            return count
    return 0


def _shorter_than_rest(parts: list[str], end: int) -> bool:
    """A section label is shorter than the headline it leaves."""
    rest = parts[:-1] if end == -1 else parts[1:]
    return len(normalized(parts[end])) <= len(normalized(" ".join(rest)))


def repeated_labels(declared: list[str]) -> frozenset[str]:
    """The segments a page's declared titles add around a shorter one: 'Politik' and 'Site' from
    'Headline | Politik | Site' beside 'Headline'."""
    labels: set[str] = set()
    texts = [visible_text(html.unescape(text)) for text in declared]
    wholes = {normalized(text) for text in texts}
    for text in texts:
        parts, separators = split_title(text)
        for cut in range(1, len(parts)):
            head, tail = _join(parts[:cut], separators[:cut - 1]), _join(parts[cut:], separators[cut:])
            if normalized(head) in wholes and normalized(head):
                labels.update(site_key(part) for part in parts[cut:] if _words(part) <= rules.SITE_MAX_WORDS)
            if normalized(tail) in wholes and normalized(tail):
                labels.update(site_key(part) for part in parts[:cut] if _words(part) <= rules.SITE_MAX_WORDS)
    return frozenset(labels - {""})


def headline_runs(title: str, weak: bool = True) -> dict[str, str]:
    """The runs of a title's segments that could be its headline, by normalized text: every contiguous run
    at least as long (in words) as each segment it leaves out. `weak=False` splits at strong separators only
    (a kicker joined by a colon stays with its headline)."""
    title = visible_text(html.unescape(title))
    parts, separators = split_title(title)
    if not weak:
        parts, separators = _merge_weak(parts, separators)
    runs: dict[str, str] = {}
    for start in range(len(parts)):
        for end in range(start + 1, len(parts) + 1):
            text = _join(parts[start:end], separators[start:end - 1])
            left_out = parts[:start] + parts[end:]
            longest = all(_words(text) >= _words(part) or len(normalized(text)) >= len(normalized(part)) for part in left_out)
            at_end = start == 0 or end == len(parts)
            if _headline_sized(text) and (longest or (at_end and _words(text) >= rules.END_RUN_WORDS)):
                runs.setdefault(normalized(text), text)
    runs.pop("", None)
    return runs


def _merge_weak(parts: list[str], separators: list[str]) -> tuple[list[str], list[str]]:
    merged, kept = [parts[0]], []
    for separator, part in zip(separators, parts[1:]):
        if rules.WEAK.fullmatch(separator):
            merged[-1] += separator + part
        else:
            merged.append(part)
            kept.append(separator)
    return merged, kept


def visible_headings(tree: lxml.html.HtmlElement) -> tuple[list[str], dict[str, str]]:
    """Headline-sized heading texts: the <h1>s inside an article or main element first, then the other
    <h1>s, the itemprop=headline elements, the <h2>s and the <h3>s, each in reading order; and, by a
    heading's text, its headline under a kicker line (see rules.KICKER_LINE_BREAKS)."""
    found: dict[str, list[str]] = {key: [] for key in ("story", *rules.HEADING_TAGS, "itemprop")}
    kickers: dict[str, str] = {}
    for element in tree.iter(*rules.HEADING_TAGS):
        text = _heading_text(element)
        if text and _not_too_long(text):
            in_story = element.tag == "h1" and any(ancestor.tag in html_rules.HEADLINE_CONTAINERS
                                                   for ancestor in element.iterancestors())
            found["story" if in_story else element.tag].append(text)
            headline = _under_kicker_line(element, text)
            if headline:
                kickers.setdefault(text, headline)
    for element in tree.xpath("//*[@itemprop='headline']"):
        text = _heading_text(element)
        if text and _not_too_long(text):
            found["itemprop"].append(text)
    return [text for key in ("story", "h1", "itemprop", "h2", "h3") for text in found[key]], kickers


def _heading_text(heading: lxml.html.HtmlElement) -> str:
    """A heading's visible text, its lines (set apart by a block-level element or a <br>) joined by a space:
    "Kicker<br>Headline" reads "Kicker Headline", as text_content() would not."""
    if not any(isinstance(child.tag, str) and child.tag in rules.KICKER_LINE_BREAKS for child in heading.iterdescendants()):
        return visible_text(heading.text_content())
    parts: list[str] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if isinstance(child.tag, str):
                line = child.tag in rules.KICKER_LINE_BREAKS
                parts.append(_LINE if line else "")
                walk(child)
                parts.append(_LINE if line else "")
            if child.tail:
                parts.append(child.tail)

    walk(heading)
    return visible_text(_CONTINUED_LINE.sub("", "".join(parts)).replace(_LINE, " "))


# Where a heading's lines meet. A line that opens with a punctuation mark continues the one before it
# ("Kicker<span>: </span>Headline"), with no space put before the mark.
_LINE = "\x00"
_CONTINUED_LINE = re.compile(r"\x00+(?=\s*[:;,.!?：])")


def _under_kicker_line(heading: lxml.html.HtmlElement, text: str) -> str | None:
    """The headline of a heading that opens with a kicker on a line of its own, else None (the heading's
    lines may sit in a single element inside it: <h1><span><small>Kicker</small><br>Headline</span></h1>)."""
    children = [child for child in heading if isinstance(child.tag, str)]
    while len(children) == 1 and not (heading.text or "").strip() and not (children[0].tail or "").strip():
        heading = children[0]
        children = [child for child in heading if isinstance(child.tag, str)]
    if heading.text and heading.text.strip():
        return None
    if len(children) < 2 or not (children[0].tag in rules.KICKER_LINE_BREAKS or children[1].tag in rules.KICKER_LINE_BREAKS):
        return None
    kicker = visible_text(children[0].text_content())
    if not kicker or _words(kicker) > rules.SITE_MAX_WORDS or not text.startswith(kicker):
        return None
    headline = text[len(kicker):].strip()
    opens = bool(headline) and (headline[0].isalnum() or headline[0] in rules.OPENING_QUOTES)
    if kicker[-1] in rules.KICKER_SEPARATORS or not opens:
        return None  # 'Kicker: Headline' written with its separator reads as one headline
    return headline if _headline_sized(headline) else None


def _visible_run(tree: lxml.html.HtmlElement, runs: dict[str, str]) -> str | None:
    """The longest of `runs` that some element of the page shows as its whole text."""
    best: str | None = None
    body = tree.find("body")
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str) or element.tag in _SKIPPED:
            continue
        texts = [element.text] if element.text else []
        if len(element) and all(isinstance(child.tag, str) and child.tag in _INLINE for child in element):
            texts.append(element.text_content())
        for text in texts:
            match = runs.get(normalized(text))
            if match and (best is None or _words(match) > _words(best)):
                best = match
    return best


def _declared(metadata: PageMetadata) -> list[tuple[str, str]]:
    """(source, raw title) for the declared titles that read as headlines (not a script pasted in <title>)."""
    found = []
    for source in rules.DECLARED_SOURCES:
        text = metadata.titles.get(source)
        if text and text.strip() and len(text) <= rules.MAX_HEADLINE_CHARS * 2 and not rules.CODE_IN_TITLE.search(text):
            found.append((source, text))
    return found


@dataclass
class Visible:
    """What the page shows of its declared titles, read before the body extraction prunes the tree."""
    headings: list[str] = field(default_factory=list)  # headline-sized headings, <h1> first
    kickers: dict[str, str] = field(default_factory=dict)  # a heading's headline under its kicker line, by its text
    shown: str | None = None  # the longest run of a declared title that an element shows as its whole text


def _title_only(declared: list[tuple[str, str]]) -> bool:
    """True when the page declares its title only in <title>: weak separators may cut a site name there."""
    return [source for source, _ in declared] == ["title"]


def _runs(declared: list[tuple[str, str]], weak: bool = True) -> dict[str, str]:
    runs: dict[str, str] = {}
    for _, text in declared:
        for key, run in headline_runs(text, weak).items():
            runs.setdefault(key, run)
    return runs


def _heading_match(headings: list[str], runs: dict[str, str], wholes: frozenset[str] = frozenset(),
                   loose: dict[str, str] | None = None) -> str | None:
    """The first heading that is one of `runs`; else a whole declared title (one of `wholes`) that a heading
    shows after a kicker of a few words set apart only by type ('<span>US-Wahl</span> Headline'); else the
    longest run of a heading's own segments that is one of `runs`, or of `loose` (the declared title's runs
    at any separator): 'Kicker – Headline' beside 'Other kicker: Headline' shows 'Headline'."""
    for heading in headings:
        if normalized(heading) in runs:
            return heading
    for heading in headings:
        first = normalized(split_title(heading)[0][0])
        words = normalized(heading).split()
        for cut in range(1, min(rules.SITE_MAX_WORDS, len(words) - rules.MIN_WORDS) + 1):
            key = " ".join(words[cut:])
            separated = " ".join(words[:cut]) == first  # a kicker set off by a separator: matched by runs below
            if key in wholes and key in runs and _words(runs[key]) >= 3 and not separated:
                return runs[key]
    shared = []
    for heading in headings:
        whole = normalized(heading)
        for key, run in headline_runs(heading, weak=False).items():
            if key in runs or (loose and key != whole and key in loose):
                shared.append(run)
    return max(shared, key=_words) if shared else None


def _strong_runs(declared: list[tuple[str, str]], site_names: list[str | None], labels: frozenset[str]) -> dict[str, str]:
    """Runs split at strong separators, and each title with its site name and section labels cut off."""
    runs = _runs(declared, weak=_title_only(declared))
    for _, text in declared:  # a whole title of several segments shown on the page is a breadcrumb, not the headline
        if len(split_title(visible_text(html.unescape(text)))[0]) > 1:
            runs.pop(normalized(text), None)
    for _, text in declared:
        cleaned = clean_title(text, site_names, labels)
        if cleaned and _headline_sized(cleaned):
            runs.setdefault(normalized(cleaned), cleaned)
    return runs


def read_visible(tree: lxml.html.HtmlElement, metadata: PageMetadata, site_names: list[str | None]) -> Visible:
    """The page's headings, and, when none of them is a declared headline, the element that shows one.
    (`site_names`: those known before the body is read.)"""
    headings, kickers = visible_headings(tree)
    visible = Visible(headings=headings, kickers=kickers)
    declared = _declared(metadata)
    if declared:
        runs = _strong_runs(declared, site_names, repeated_labels([text for _, text in declared]))
        if not _heading_match(visible.headings, runs, frozenset(runs)):
            visible.shown = _visible_run(tree, runs)
    return visible


def choose_title(metadata: PageMetadata, site_names: list[str | None], visible: Visible | None = None) -> str | None:
    """The headline the reader sees (see the module's docstring)."""
    if visible is None:
        visible = Visible(headings=[metadata.headline] if metadata.headline else [])
    declared = _declared(metadata)
    labels = repeated_labels([text for _, text in declared])
    every = {source: clean_title(text, site_names, labels) for source, text in declared}
    cleaned = {source: text for source, text in every.items() if text and _headline_sized(text)}
    short = next((text for text in every.values() if text and _not_too_long(text)), None)

    # A visible heading that is a declared headline, the declared sources taken in priority order.
    for source, text in declared:
        runs = headline_runs(text, weak=_title_only(declared))
        wholes = {normalized(text)}
        if every.get(source) and _headline_sized(every[source]):
            runs[normalized(every[source])] = every[source]
            wholes.add(normalized(every[source]))
        elif every.get(source) and visible.headings and normalized(visible.headings[0]) == normalized(every[source]):
            return visible.headings[0]  # a one-word headline, 'Mozilla' from 'Mozilla - Wikipedia', shown first
        match = _heading_match(visible.headings, runs, frozenset(wholes), headline_runs(text))
        if match:
            return visible.kickers.get(match, match)  # a kicker on its own line is not the headline
    headline = metadata.headline or next((text for text in visible.headings if _headline_sized(text)), None)
    if headline and _title_only(declared) and every.get("title"):
        words = _words(every["title"])
        if words <= rules.SHORT_TITLE_WORDS and words < _words(headline):
            return headline
    if visible.shown:
        return visible.shown
    if cleaned:
        votes: dict[str, int] = {}
        for text in cleaned.values():
            votes[normalized(text)] = votes.get(normalized(text), 0) + 1
        best = max(votes.values())
        return next(text for text in cleaned.values() if votes[normalized(text)] == best)
    return headline or short


def headline_above_story(candidates: list[tuple[str, bool, float]], story: str, title: str | None = None) -> str | None:
    """For a page that declares no usable title and shows no headline heading, or whose <title> does not
    speak of its story: the headline set just above the story. `candidates` are the text blocks from a few
    before the story's first block up to it, each with whether it is a heading and its link density. The
    nearest heading wins, else the nearest short line that reads as a headline (no closing full stop, few
    links, not a date or a byline); either must speak of the story more than `title` does."""
    usable = []
    for text, heading, links in candidates:
        text = _before_date(text.strip())
        words = _letter_words(text)
        if links >= rules.MAX_HEADLINE_LINK_DENSITY or not rules.MIN_BLOCK_HEADLINE_WORDS <= words <= rules.MAX_BLOCK_WORDS:
            continue
        if title and (normalized(title) in normalized(text) or normalized(text) in normalized(title)):
            continue  # the title itself, or it with a section label: the title stands
        if rules.DATE_SEGMENT.search(text) or parse_date(text) or BYLINE_LINE.match(text):
            continue
        rest = story.replace(text, " ", 1)
        if about_the_story(text, rest) and (title is None or _story_share(text, rest) > _story_share(title, rest)):
            usable.append((text, heading))
    for text, heading in reversed(usable):
        if heading:
            return text
    for text, _ in usable:
        if not text.endswith((".", ",", ";", ":")):
            return text
    return None


def _before_date(text: str) -> str:
    """A headline run on into its date stamp ("Headline Sat, 29 Dec 2007 17:50:54") without the stamp."""
    found = find_date_in(text)
    if not found or not found[1]:
        return text
    head = text[:found[1]].rstrip(rules.STAMP_SEPARATORS)
    weekday = rules.STAMP_WEEKDAY.search(head)
    if weekday:
        head = head[:weekday.start()].rstrip(rules.STAMP_SEPARATORS)
    return head if _letter_words(head) >= rules.MIN_BLOCK_HEADLINE_WORDS else text


def _letter_words(text: str) -> int:
    """How many of the text's words hold a letter: '08/01 13:27 CET' has one."""
    return sum(1 for word in text.split() if _LETTER.search(word))


def doubtful(title: str | None, metadata: PageMetadata, visible: Visible, story: str, site_only: bool = False) -> bool:
    """True when there is no title, or when it comes from a <title> declared nowhere else (often the site's
    or section's name, the same on every page) and names only the site (`site_only`: 'Bangkok Post' on
    bangkokpost.com) or does not speak of the story, unless a heading shows it and it is longer than a
    section's name."""
    if not title:
        return True
    if [source for source, _ in _declared(metadata)] not in (["title"], []):
        return False
    if site_only:
        return True
    shown = normalized(title) in {normalized(heading) for heading in visible.headings}
    return not about_the_story(title, story) and not (shown and _words(title) > rules.SHORT_TITLE_WORDS)


def _story_share(title: str, story: str) -> float:
    """The share of the title's content words (longer words, not stopwords of the story's language) that
    occur in the story (1.0 for a title without any): 'Bookmark with:' does not speak of a story for its
    'with'."""
    text = normalized(story)
    stopwords = best_stoplist(text.split()[:rules.STOPLIST_SAMPLE_WORDS])
    words = {word for word in normalized(title).split() if len(word) >= rules.CONTENT_WORD_CHARS and word not in stopwords}
    if not words:
        return 1.0
    return sum(word in text for word in words) / len(words)


def about_the_story(title: str, story: str) -> bool:
    """True when most of the title's longer words occur in the story: a headline speaks of its story, a
    site or section name ("Local Sports Wire") does not."""
    return _story_share(title, story) >= rules.ABOUT_THE_STORY_SHARE
