"""The publication date of a page, and the one form every date leaves the extractor in.

`normalize_published` is that form: ISO 8601 that SQLite's date functions read, `YYYY-MM-DD`, or
`YYYY-MM-DDTHH:MM[:SS]` followed by `+HH:MM` or `Z` when the source gives an offset. The date is kept as the
page states it: a time with an offset is never converted to UTC (that would move an evening story to the
next or previous day).

`declared_published` reads the dates a page declares in its markup (JSON-LD, <meta>, <time>);
`choose_published` weighs them against the date in the title, htmldate's markup search and the date read
in the text: the publication date, not the modification date, and not a date of a teaser in a list of
related links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from extractors.cues import parse_date
from extractors.rules import dates as date_rules
from extractors.rules import html as html_rules

# A date with its time, as sources write it: "2024-02-20T09:20:00.000+0200", "2024-02-20 09:20:05Z",
# "2024-02-20T09:20+02", "20240220T0920" is not read (no CMS writes it for a publication date).
_ISO_DATETIME = re.compile(
    r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:(?:T|\s+|T\s*)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?(?!\d)", re.IGNORECASE)

# Years outside this range are typos or placeholders ("0001-01-01", "2999-12-31"), not publication dates.
MIN_YEAR, MAX_YEAR = 1900, 2100


def normalize_published(value: str | None) -> str | None:
    """`value` as the one ISO 8601 form a published date leaves the extractor in, or None when it holds no
    valid date. '2024-04-26T20:44:00+0200' -> '2024-04-26T20:44:00+02:00'; '2024-02-20 09:20:05.123Z' ->
    '2024-02-20T09:20:05Z'; '2024-02-20T09:20' stays; '2024-2-5' -> '2024-02-05'. An offset of +00:00 is
    kept as written ('+00:00'), UTC and GMT are written 'Z'. The first date in the text counts."""
    if not value or not isinstance(value, str):
        return None
    match = _ISO_DATETIME.search(value)
    if not match:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not (MIN_YEAR <= year <= MAX_YEAR and _valid_day(year, month, day)):
        return None
    date = f"{year:04d}-{month:02d}-{day:02d}"
    if match["hour"] is None:
        return date
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"]) if match["second"] is not None else None
    if hour > 23 or minute > 59 or (second is not None and second > 59):
        return date  # the day is good, the time is not: keep the day
    time = f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second is not None else "")
    return f"{date}T{time}{_offset(match['zone'])}"


def _valid_day(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    return day <= days


def _offset(zone: str | None) -> str:
    """'+0200' -> '+02:00', '+02' -> '+02:00', 'Z'/'UTC'/'GMT' -> 'Z', none -> ''. An offset beyond ±14:00
    is no offset a clock uses: dropped, the local time kept."""
    if not zone:
        return ""
    if zone.upper() in ("Z", "UTC", "GMT"):
        return "Z"
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return ""
    return f"{zone[0]}{hours:02d}:{minutes:02d}"


def day_of(value: str | None) -> str | None:
    """The calendar day of a normalised date ('2024-02-20T23:30:00-05:00' -> '2024-02-20')."""
    return value[:10] if value else None


# --- the date a page declares ----------------------------------------------------------------------


@dataclass
class DateCandidate:
    """A date the page states, where it states it, and whether it says it is the publication date."""

    value: str  # normalised (see normalize_published)
    source: str  # where it was read: "json-ld", "meta", "time", "title", "htmldate", "text"
    published: bool = True  # False: declared as the modification date (dateModified, article:modified_time)


def json_ld_dates(article_nodes: list[dict]) -> list[DateCandidate]:
    """datePublished (else dateCreated) of the page's article nodes, in their order; then dateModified."""
    found: list[DateCandidate] = []
    for node in article_nodes:
        for key in date_rules.JSON_LD_PUBLISHED_KEYS:
            value = node.get(key)
            value = normalize_published(value if isinstance(value, str) else None)
            if value:
                found.append(DateCandidate(value, "json-ld"))
                break
    for node in article_nodes:
        value = node.get("dateModified")
        value = normalize_published(value if isinstance(value, str) else None)
        if value:
            found.append(DateCandidate(value, "json-ld", published=False))
    return found


def meta_dates(meta: dict[str, list[str]]) -> list[DateCandidate]:
    """The <meta> publication dates, in the priority of rules.html.DATE_META_NAMES."""
    found: list[DateCandidate] = []
    for name in html_rules.DATE_META_NAMES:
        value = next((normalize_published(content) for content in meta.get(name, []) if normalize_published(content)), None)
        if value:
            found.append(DateCandidate(value, "meta"))
    for name in date_rules.MODIFIED_META_NAMES:
        value = next((normalize_published(content) for content in meta.get(name, []) if normalize_published(content)), None)
        if value:
            found.append(DateCandidate(value, "meta", published=False))
    return found


def time_dates(times: list) -> list[DateCandidate]:
    """The dates of the page's <time datetime> elements that may date the story itself: none inside a link
    or a list of teasers (related stories, a sidebar, a footer). Those marked as the publication date
    (itemprop, class) come first, then those inside an <article>, then the rest; those marked as updates
    are kept as modification dates."""
    ranked: list[tuple[int, int, DateCandidate]] = []
    for order, element in enumerate(times):
        value = normalize_published(element.get("datetime"))
        if not value:
            continue
        marks = _marks(element)
        ancestors = list(element.iterancestors())
        if any(ancestor.tag in date_rules.TEASER_TAGS or date_rules.TEASER_MARK.search(_marks(ancestor))
               for ancestor in ancestors):
            continue
        if date_rules.MODIFIED_MARK.search(marks):
            ranked.append((3, order, DateCandidate(value, "time", published=False)))
        elif date_rules.PUBLISHED_MARK.search(marks) or element.get("pubdate") is not None:
            ranked.append((0, order, DateCandidate(value, "time")))
        elif any(ancestor.tag == "article" for ancestor in ancestors):
            ranked.append((1, order, DateCandidate(value, "time")))
        else:
            ranked.append((2, order, DateCandidate(value, "time")))
    return [candidate for _rank, _order, candidate in sorted(ranked, key=lambda item: item[:2])]


def _marks(element) -> str:
    """The attributes that say what an element is: class, id, itemprop."""
    return " ".join(element.get(name) or "" for name in ("class", "id", "itemprop"))


def title_date(titles: dict[str, str]) -> str | None:
    """The date a page puts in its title ("Headline | DW | 28.04.2023"), when it is unambiguous."""
    for source in ("og", "title", "twitter"):
        for segment in html_rules.TITLE_SEPARATOR.split(titles.get(source) or ""):
            if html_rules.TITLE_DATE.fullmatch(segment.strip()):
                return normalize_published(parse_date(segment))
    return None


def declared_dates(article_nodes: list[dict], meta: dict[str, list[str]], times: list) -> list[DateCandidate]:
    """Every date the page declares in its markup, publication dates first in source priority (JSON-LD,
    <meta>, <time>), modification dates after them."""
    found = json_ld_dates(article_nodes) + meta_dates(meta) + time_dates(times)
    return [candidate for candidate in found if candidate.published] + [
        candidate for candidate in found if not candidate.published]


def choose_published(declared: list[DateCandidate], titles: dict[str, str], markup_search: Callable[[], str | None],
                     text_date: str | None = None) -> str | None:
    """The publication date: the first declared one, then a date in the title, then htmldate's search of the
    markup and URL (`markup_search`, asked only when needed), then a date read in the text."""
    published = [candidate.value for candidate in declared if candidate.published]
    if published:
        return published[0]
    return title_date(titles) or normalize_published(markup_search()) or normalize_published(text_date)
