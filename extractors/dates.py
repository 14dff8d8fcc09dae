"""The publication date of a page, and the one form every date leaves the extractor in.

`normalize_published` is that form: ISO 8601 that SQLite's date functions read, `YYYY-MM-DD`, or
`YYYY-MM-DDTHH:MM[:SS]` followed by `+HH:MM` or `Z` when the source gives an offset. The date is kept as the
page states it: a time with an offset is never converted to UTC (that would move an evening story to the
next or previous day).

`declared_dates` reads the dates a page declares in its markup (JSON-LD, <meta>, <time>);
`choose_published` weighs them against the date in the title, htmldate's markup search and the date read
in the text: the publication date, not the modification date, and not a date of a teaser in a list of
related links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from extractors.cues import parse_date
from extractors.rules import dates as date_rules
from extractors.rules import metadata as cue_rules
from extractors.rules import html as html_rules

# A date with its time, as sources write it: "2024-02-20T09:20:00.000+0200", "2024-02-20 09:20:05Z",
# "2024-02-20T09:20+02", "2024-2-5". The basic format ("20240220T0920") is not read.
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
    calendar_day = f"{year:04d}-{month:02d}-{day:02d}"
    if match["hour"] is None:
        return calendar_day
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"]) if match["second"] is not None else None
    if hour > 23 or minute > 59 or (second is not None and second > 59):
        return calendar_day  # the day is good, the time is not: keep the day
    time = f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second is not None else "")
    return f"{calendar_day}T{time}{_offset(match['zone'])}"


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
    source: str  # where it was read: "json-ld", "meta" or "time"
    published: bool = True  # False: declared as the modification date (dateModified, article:modified_time)
    lead: bool = False  # the first <time> of the page that may date the story: the date shown with it
    written: bool = False  # declared as people write dates ("Tue, Sep 15 2020"), not in ISO 8601: trusted less


def json_ld_dates(article_nodes: list[dict]) -> list[DateCandidate]:
    """datePublished (else dateCreated) of the page's article nodes, in their order; then dateModified. A
    publication date written as people write it ("Tue, Sep 15 2020 10:01:41 EDT") is read too, marked
    `written`."""
    found: list[DateCandidate] = []
    for node in article_nodes:
        for key in date_rules.JSON_LD_PUBLISHED_KEYS:
            value = node.get(key)
            value = value if isinstance(value, str) else None
            if normalize_published(value):
                found.append(DateCandidate(normalize_published(value), "json-ld"))
                break
            if value and len(value) <= date_rules.MAX_WRITTEN_DATE_CHARS and normalize_published(parse_date(value)):
                found.append(DateCandidate(normalize_published(parse_date(value)), "json-ld", written=True))
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
    """The dates of the page's <time datetime> elements that may date the story itself: none inside a link,
    a figure or a list of teasers (related stories, a sidebar, a footer). Those marked as the publication
    date (itemprop, class) come first, then those inside an <article>, then the rest; those marked or
    labelled as updates ("Updated on June 18") are modification dates. The first eligible one in page
    order is the `lead`: the date shown with the story."""
    ranked: list[tuple[int, int, DateCandidate]] = []
    for order, element in enumerate(times):
        value = normalize_published(element.get("datetime"))
        if not value:
            continue
        marks = _marks(element)
        ancestors = list(element.iterancestors())
        if any(ancestor.tag in date_rules.OTHER_DATE_TAGS or (
                ancestor.tag not in date_rules.PAGE_TAGS and date_rules.TEASER_MARK.search(_marks(ancestor)))
               for ancestor in ancestors):
            continue
        if date_rules.MODIFIED_MARK.search(marks) or cue_rules.UPDATE_LABEL.search(_label(element)):
            ranked.append((3, order, DateCandidate(value, "time", published=False)))
            continue
        lead = not any(candidate.published for _rank, _order, candidate in ranked)
        if date_rules.PUBLISHED_MARK.search(marks) or element.get("pubdate") is not None:
            ranked.append((0, order, DateCandidate(value, "time", lead=lead)))
        elif any(ancestor.tag == "article" for ancestor in ancestors):
            ranked.append((1, order, DateCandidate(value, "time", lead=lead)))
        else:
            ranked.append((2, order, DateCandidate(value, "time", lead=lead)))
    return [candidate for _rank, _order, candidate in sorted(ranked, key=lambda item: item[:2])]


def _label(element) -> str:
    """What a reader sees of a <time> and just before it: its text, and the text that leads up to it in its
    parent ("<span>Updated</span> <time>")."""
    parent = element.getparent()
    before: list[str] = []
    if parent is not None:
        before.append(parent.text or "")
        for sibling in parent:
            if sibling is element:
                break
            if isinstance(sibling.tag, str):
                before.append(sibling.text_content())
            before.append(sibling.tail or "")
    return ("".join(before)[-date_rules.LABEL_CHARS:] + " " + element.text_content()[:date_rules.LABEL_CHARS]).strip()


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


def choose_published(declared: list[DateCandidate], titles: dict[str, str], markup_search: Callable[[bool], str | None],
                     text_date: str | None = None, text_updated: str | None = None,
                     shown_date: str | None = None) -> str | None:
    """The publication date as the page states it.

    The first declared publication date (JSON-LD, <meta>, <time>; see declared_dates) wins, with two
    corrections: a time declared in UTC is given as the page states it in its own time zone (`_local_form`),
    and when the date the reader sees by the story (`text_date`, read from the text near it) disagrees with
    it but agrees with the page's lead <time>, that one is the date the page states. Without a declaration:
    a date in the title, then the date shown with the story (`shown_date`: beside its headline, or just above
    it), then htmldate's search of the markup and URL (`markup_search`, asked only then: it also finds the
    dates of comments and of a header's "today"), then the date read in the text, then a JSON-LD date not
    written in ISO 8601, and last a date the text gives as an update's (`text_updated`)."""
    visible = normalize_published(text_date)
    published = [candidate for candidate in declared if candidate.published and not candidate.written]
    if not published:
        written = next((candidate.value for candidate in declared if candidate.published and candidate.written), None)
        return (title_date(titles) or normalize_published(shown_date) or normalize_published(markup_search(False)) or visible
                or written or normalize_published(text_updated) or _full_date(markup_search(True)))
    chosen = _local_form(published[0], declared, visible)
    if visible and day_of(visible) != day_of(chosen):
        lead = next((candidate.value for candidate in published if candidate.lead), None)
        if lead and day_of(lead) == day_of(visible):
            return lead
    return chosen


def _full_date(found: str | None) -> str | None:
    """A date from htmldate's extensive search, unless it is on the first of a month: that is how it gives a
    month or a year it found without a day ("© 2020", "March 2024"), which is no publication date."""
    found = normalize_published(found)
    return found if found and not found[:10].endswith("-01") else None


def _wall_time(value: str) -> tuple[datetime, int | None] | None:
    """A normalised date-time as (its wall-clock time, its offset in minutes or None when it gives none);
    None for a date without a time."""
    if len(value) < 16:
        return None
    wall = datetime.fromisoformat(value[:19] if len(value) >= 19 and value[16] == ":" else value[:16])
    zone = value[19:] if len(value) >= 19 and value[16] == ":" else value[16:]
    if not zone:
        return wall, None
    if zone == "Z":
        return wall, 0
    sign = -1 if zone[0] == "-" else 1
    return wall, sign * (int(zone[1:3]) * 60 + int(zone[4:6]))


# Clocks run from UTC-12:00 to UTC+14:00, in steps of a quarter of an hour.
_OFFSETS = range(-12 * 60, 14 * 60 + 1, 15)
# A visible date without a time to confirm the offset is trusted for a day's shift this far from UTC only.
_NEAR_OFFSETS = range(-date_rules.MAX_UNCONFIRMED_SHIFT_HOURS * 60, date_rules.MAX_UNCONFIRMED_SHIFT_HOURS * 60 + 1, 15)


def _local_form(chosen: DateCandidate, declared: list[DateCandidate], visible: str | None) -> str:
    """The chosen date as the page states it. A time declared in UTC ('…T01:09:55Z', '+00:00') is the same
    moment as a local time the page also declares ('2023-11-08T18:09:55-07:00', or '2023-11-08T18:09:55'
    without an offset: same minutes and seconds, a whole clock offset apart): that one is the page's date. A
    UTC time with nothing to compare, or a time declared without an offset (whose clock is unknown: often UTC
    written without its 'Z'), is checked against the visible date: when that is the day before or after, and
    a clock offset gets there, the visible day is the page's."""
    moment = _wall_time(chosen.value)
    if moment is None or moment[1] not in (0, None):
        return chosen.value
    wall = moment[0]
    for candidate in declared if moment[1] == 0 else ():
        other = _wall_time(candidate.value)
        if other is None or candidate.value == chosen.value:
            continue
        other_wall, offset = other
        if offset is not None and offset != 0 and other_wall - timedelta(minutes=offset) == wall:
            return candidate.value
        if offset is None and other_wall != wall and _a_clock_apart(other_wall, wall, seconds=len(candidate.value) >= 19):
            return candidate.value
    if visible and day_of(visible) != day_of(chosen.value):
        seen = _wall_time(visible)
        if seen is not None and seen[1] is None:
            if _a_clock_apart(seen[0], wall, seconds=False):
                return visible
        elif seen is None:
            day = date.fromisoformat(visible)
            if any((wall + timedelta(minutes=offset)).date() == day for offset in _NEAR_OFFSETS):
                return visible
    return chosen.value


def _a_clock_apart(local: datetime, utc: datetime, *, seconds: bool) -> bool:
    """Whether `local` reads `utc` on some clock (minutes, and seconds when both give them, agree)."""
    difference = local - utc if seconds else local.replace(second=0) - utc.replace(second=0)
    minutes, remainder = divmod(difference.total_seconds(), 60)
    return remainder == 0 and int(minutes) in _OFFSETS
