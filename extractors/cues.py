"""Metadata cue readers: what a line of text says about the article — its date, byline and authors, credits
and outlet — read with the patterns of extractors.rules.metadata.

Used on the lines of text captures and extracted bodies (extractors.text_cleaner), on the blocks the body
voter dropped near the story (extractors.html_extractor), and on declared names (extractors.metadata).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.rules import lines as line_rules
from extractors.rules import metadata as cue_rules
from extractors.rules.lines import LineRule
from extractors.rules.metadata import OutletCue
from extractors.text import UNSPACED_SCRIPT, comparable_text, normalize_line

# A line longer than this is a date banner no more: "Monday, 16 September 2024, 09:20 Uhr | Updated ...".
MAX_DATE_BANNER_CHARS = 90
# Besides its date, a date banner may hold labels, a byline, a section or an outlet ("Posted by Jane Doe on
# ..."), but at most this many runs of a script written without spaces (Chinese, Japanese) longer than
# MAX_UNSPACED_FILLER_CHARS ("发表于", "京港台时间" are shorter), none longer than MAX_UNSPACED_RUN_CHARS:
# a longer run is a sentence.
MAX_UNSPACED_RUNS, MAX_UNSPACED_RUN_CHARS, MAX_UNSPACED_FILLER_CHARS = 4, 15, 8
# A person's name has one to this many words.
MAX_NAME_WORDS = 5
# A credit names an agency or a publisher: a longer "name" is a sentence.
MAX_CREDIT_CHARS = 60


@dataclass
class TextCues:
    """Metadata read from the lines themselves."""

    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None  # a date banner that dates an update ("Updated: Dec 17, 2025"), not the story
    outlet: str | None = None
    credits: list[str] = field(default_factory=list)

    def fill_from(self, other: "TextCues") -> None:
        """Take what `other` read for the fields still open here; credits are added to."""
        if self.byline is None and other.byline:
            self.byline = other.byline
            self.authors = self.authors or other.authors
        self.published = self.published or other.published
        self.updated = self.updated or other.updated
        self.outlet = self.outlet or other.outlet
        self.add_credits(other.credits)

    def add_credits(self, credits: list[str]) -> None:
        self.credits.extend(credit for credit in credits if credit not in self.credits)


# --- dates ---------------------------------------------------------------------------------------

def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO 8601 ('2024-02-20' or '2024-02-20T09:20'), or None."""
    found = find_date_in(text)
    return found[0] if found else None


def find_date_in(text: str) -> tuple[str, int] | None:
    """(the first date in `text` as ISO 8601, where it starts), or None."""
    for _name, pattern in cue_rules.DATE_PATTERNS:
        for match in pattern.finditer(text):
            iso = _iso_from_match(match)
            if iso:
                return iso, match.start()
    return None


def _iso_from_match(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    month_text = groups["month"]
    month = int(month_text) if month_text.isdigit() else cue_rules.MONTHS.get(month_text.lower().rstrip("."))
    try:
        year, day = int(groups["year"]), int(groups["day"])
    except (TypeError, ValueError):
        return None
    if not month or not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    hour, minute = groups.get("hour"), groups.get("minute")
    if hour is not None and minute is not None:
        hour_number, minute_number = int(hour), int(minute)
        ampm = (groups.get("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour_number < 12:
            hour_number += 12
        elif ampm == "am" and hour_number == 12:
            hour_number = 0
        if hour_number < 24 and minute_number < 60:
            iso += f"T{hour_number:02d}:{minute_number:02d}"
    return iso


def date_banner(text: str) -> str | None:
    """The date of a line that is only a date banner ("Monday, September 16, 2024"), else None."""
    if len(text) > MAX_DATE_BANNER_CHARS or not cue_rules.DATE_YEAR.search(text):
        return None
    for _name, pattern in cue_rules.DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        iso = _iso_from_match(match)
        if not iso:
            continue
        if cue_rules.PROSE_AFTER_DATE.search(text, match.end()):
            return None
        rest = (text[: match.start()] + " " + text[match.end():]).strip()
        runs = [token for token in cue_rules.DATE_BANNER_SEPARATORS.split(rest)
                if len(token) > MAX_UNSPACED_FILLER_CHARS and UNSPACED_SCRIPT.search(token)]
        if len(runs) <= MAX_UNSPACED_RUNS and all(len(token) <= MAX_UNSPACED_RUN_CHARS for token in runs):
            return iso
    return None


# --- bylines and authors -------------------------------------------------------------------------

def split_author_names(names: str) -> list[str]:
    """Split "Jane Doe and John Roe, Senior Editors" into ["Jane Doe", "John Roe"]; drop roles and non-names."""
    authors = []
    names = cue_rules.AUTHOR_LABEL_INSIDE.sub("", cue_rules.AUTHOR_LABEL.sub("", names))
    names = cue_rules.AUTHOR_INITIALS.sub("", names)
    for part in cue_rules.AUTHOR_SEPARATORS.split(names):
        part = part.strip(" .:-–—|()")
        if not part or cue_rules.AUTHOR_ROLE_WORDS.search(part):
            continue
        if looks_like_person_name(part):
            authors.append(part)
    return authors


def looks_like_person_name(text: str) -> bool:
    tokens = text.split()
    if not 1 <= len(tokens) <= MAX_NAME_WORDS or any(ch.isdigit() for ch in text):
        return False
    if len(tokens) == 1 and not text[:1].isupper():
        return False
    return all(token[:1].isupper() or token.lower() in cue_rules.NAME_PARTICLES for token in tokens)


def read_byline(text: str) -> tuple[str, list[str]] | None:
    """(the byline's names as written, the authors) of a byline line ("By Jane Doe and John Roe")."""
    match = cue_rules.BYLINE_LINE.match(text)
    if not match:
        return None
    names = match.group("names")
    authors = split_author_names(names)
    if not authors:
        return None
    return names.strip(), authors


# --- credits and outlets -------------------------------------------------------------------------

def canonical_credit(name: str) -> str:
    cleaned = name.strip(" .,:;()[]—–-")
    return cue_rules.WIRE_SERVICES.get(cleaned.lower(), cleaned)


def read_credit_line(text: str, words: list[str] | None = None) -> list[str] | None:
    """Credits named by a stand-alone credit line ("Reuters", "Reuters and The AP contributed to this story").
    `words`, the line's comparable_words if it is screenable, let a pattern's screen skip it."""
    for _name, pattern, screen in cue_rules.CREDIT_LINES:
        if screen and words is not None and screen.isdisjoint(words):
            continue
        match = pattern.match(text)
        if not match:
            continue
        named = match.groupdict().get("credits") or match.groupdict().get("credits2") or ""
        parts = [part for part in cue_rules.CREDIT_SEPARATORS.split(named) if part.strip()]
        credits = [canonical_credit(part) for part in parts]
        if credits and all(len(credit) <= MAX_CREDIT_CHARS for credit in credits):
            return credits
    return None


def read_outlet_cue(text: str) -> tuple[str, OutletCue] | None:
    """(outlet, the cue that named it) when the line names the page's publisher."""
    for cue in cue_rules.OUTLET_CUES:
        match = cue.pattern.match(text)
        if not match:
            continue
        outlet = normalize_outlet_name(match.group("outlet"))
        if outlet and outlet.lower() not in cue_rules.NOT_AN_OUTLET:
            return outlet, cue
    return None


def normalize_outlet_name(name: str) -> str:
    """'FOX NEWS' -> 'Fox News': a shouted name is title-cased, known acronyms kept ('BBC NEWS' -> 'BBC News')."""
    name = name.strip(" .,:;|")
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) <= 5 or not all(ch.isupper() for ch in letters):
        return name
    return " ".join(word if word in cue_rules.OUTLET_ACRONYMS else word.capitalize() for word in name.split())


def about_blurb(text: str, outlet: str) -> bool:
    """Whether the line is the publisher's blurb under its "About X" heading: "ANI is a leading news agency"."""
    match = cue_rules.ABOUT_BLURB.match(text)
    return bool(match and comparable_text(match.group("outlet")).endswith(comparable_text(outlet)))


def dateline_credits(text: str) -> list[str]:
    """The agencies a body's opening dateline credits: "Berlin (dpa/AFP) - ..." -> ["dpa", "AFP"]."""
    match = cue_rules.DATELINE_CREDIT.match(text)
    if not match:
        return []
    return [canonical_credit(part) for part in cue_rules.DATELINE_CREDIT_SEPARATOR.split(match.group("credits")) if part.strip()]


# --- lines ---------------------------------------------------------------------------------------

class CueReader:
    """Reads the cues of a page's lines in order into `cues`, remembering what earlier lines said (the
    outlet of an "About X" heading, whose blurb may follow)."""

    def __init__(self, cues: TextCues | None = None) -> None:
        self.cues = cues if cues is not None else TextCues()
        self._about_outlet: str | None = None
        self._update_label = False  # the line before was an update's label alone ("Last updated:")

    def read(self, text: str, words: list[str] | None = None) -> LineRule | None:
        """Read one (normalized) line: the mark of a metadata line (date banner, byline, credit, outlet cue,
        about blurb), its cue taken into `cues`; None for any other line (and any line too long to be one,
        see extractors.rules.lines.MAX_RULE_LINE_CHARS). A date banner labelled as an update's, on its own
        line or on the line before it ("Last update:" / "July 16, 2025"), dates the update, not the story.
        `words`, the line's comparable_words when the caller has them and the line is screenable
        (extractors.text.screenable), let patterns' screens skip it."""
        labelled_before, self._update_label = self._update_label, False
        if len(text) > line_rules.MAX_RULE_LINE_CHARS:
            return None
        cues = self.cues
        banner = date_banner(text)
        if banner:
            year = cue_rules.DATE_YEAR.search(text)
            if labelled_before or cue_rules.UPDATE_LABEL.search(text, 0, year.start() if year else len(text)):
                cues.updated = cues.updated or banner
            elif cues.published is None or (banner.startswith(cues.published) and len(banner) > len(cues.published)):
                cues.published = banner
            return line_rules.DATE_BANNER
        byline = read_byline(text)
        if byline:
            if cues.byline is None:
                cues.byline, cues.authors = byline
            return line_rules.BYLINE
        credits = read_credit_line(text, words)
        if credits:
            cues.add_credits(credits)
            return line_rules.CREDIT_LINE
        named = read_outlet_cue(text)
        if named:
            outlet, cue = named
            if cue.may_name_wire and outlet.lower() in cue_rules.WIRE_SERVICES:
                # "Source: Reuters" credits a wire service; it does not name the page's publisher.
                cues.add_credits([canonical_credit(outlet)])
                return line_rules.CREDIT_LINE
            if cues.outlet is None:
                cues.outlet = outlet
            if cue.credits_original:
                # "This post appeared first on FOX NEWS": the original publisher is credited, so that a re-post
                # can be told from the original it republishes.
                cues.add_credits([outlet])
            if cue.opens_about:
                self._about_outlet = outlet
            return cue.line
        if self._about_outlet and about_blurb(text, self._about_outlet):
            return line_rules.ABOUT_BLURB
        self._update_label = bool(cue_rules.UPDATE_LABEL_LINE.fullmatch(text))
        return None


def read_text_cues(texts: list[str]) -> TextCues:
    """The metadata cues (byline, date banner, credit and outlet lines) in lines that are not body text.
    A line repeating an earlier one (by its words) is read once."""
    reader = CueReader()
    seen: set[str] = set()
    for text in texts:
        line = normalize_line(text)
        key = comparable_text(line)
        if not line or (key and key in seen):
            continue
        seen.add(key)
        reader.read(line)
    return reader.cues
