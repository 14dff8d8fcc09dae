"""Line-level cleaner: turns a plain-text page capture (or an extracted body) into article text.

Two layers. Rules (extractors.rules) name page furniture and metadata cues line by line. Then, for whole
captures, line features (length, stopword density, sentence punctuation, neighbours) score each line and
the best-scoring contiguous run of lines is taken as the article — so pages and languages no rule has
seen are still cut to their text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extractors.article import Removal
from extractors.language import detect_language, stopwords_for
from extractors.rules import lines as line_rules
from extractors.rules import metadata as cue_rules

# Line kinds assigned before scoring.
BODY, NOISE = "body", "noise"

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Generic words that follow "About" in footers without naming the publisher ("About us", "About the author").
_NOT_AN_OUTLET = {"us", "me", "the author", "this article", "this story", "the site", "uns", "mich", "nous", "cookies"}
_NAME_PARTICLES = {"von", "van", "de", "der", "den", "du", "da", "di", "del", "la", "le", "bin", "ibn", "al", "el", "zu", "ten",
                   "ter", "y"}


@dataclass
class Line:
    index: int
    text: str
    kind: str = BODY
    reason: str = ""
    score: float = 0.0
    features: "LineFeatures | None" = None


@dataclass
class LineFeatures:
    chars: int
    words: int
    stopword_density: float
    sentence_like: bool
    headline_like: bool
    quality: str  # 'good' | 'medium' | 'short'


@dataclass
class TextCues:
    """Metadata read from the lines themselves."""

    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    outlet: str | None = None
    credits: list[str] = field(default_factory=list)

    def fill_from(self, other: "TextCues") -> None:
        """Take what `other` read for the fields still open here; credits are added to."""
        if self.byline is None and other.byline:
            self.byline = other.byline
            self.authors = self.authors or other.authors
        self.published = self.published or other.published
        self.outlet = self.outlet or other.outlet
        self.credits.extend(credit for credit in other.credits if credit not in self.credits)


@dataclass
class TextExtraction:
    title: str | None
    body: str
    cues: TextCues
    removed: list[Removal]
    language: str | None


def normalize_line(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def comparable_text(text: str) -> str:
    """`text` as compared for sameness: lower-cased words only ("Bridge, approved!" ~ "bridge approved")."""
    return " ".join(_WORD.findall(text.lower()))


# --- metadata cues -------------------------------------------------------------------------------

def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO 8601 ('2024-02-20' or '2024-02-20T09:20'), or None."""
    for _name, pattern in cue_rules.DATE_PATTERNS:
        for match in pattern.finditer(text):
            iso = _iso_from_match(match)
            if iso:
                return iso
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
    if len(text) > 90 or not cue_rules.DATE_YEAR.search(text):
        return None
    for _name, pattern in cue_rules.DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        iso = _iso_from_match(match)
        if not iso:
            continue
        rest = (text[: match.start()] + " " + text[match.end():]).strip()
        leftover = [token for token in re.split(r"[\s/|,·•]+", rest) if token and not cue_rules.DATE_BANNER_FILLER.match(token)]
        if len(leftover) <= 4 and all(len(token) <= 15 for token in leftover):
            return iso
    return None


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
    if not 1 <= len(tokens) <= 5 or any(ch.isdigit() for ch in text):
        return False
    if len(tokens) == 1 and not text[:1].isupper():
        return False
    return all(token[:1].isupper() or token.lower() in _NAME_PARTICLES for token in tokens)


def read_byline(text: str) -> tuple[str, list[str]] | None:
    match = cue_rules.BYLINE_LINE.match(text)
    if not match:
        return None
    names = match.group("names")
    authors = split_author_names(names)
    if not authors:
        return None
    return names.strip(), authors


def canonical_credit(name: str) -> str:
    cleaned = name.strip(" .,:;()[]—–-")
    return cue_rules.WIRE_SERVICES.get(cleaned.lower(), cleaned)


def read_credit_line(text: str) -> list[str] | None:
    """Credits named by a stand-alone credit line ("Reuters", "Reuters and The AP contributed to this story")."""
    for _reason, pattern in cue_rules.CREDIT_LINES:
        match = pattern.match(text)
        if not match:
            continue
        named = match.groupdict().get("credits") or match.groupdict().get("credits2") or ""
        parts = [part for part in re.split(r"\s*(?:/|,|&|\band\b|\bund\b|\bet\b)\s*", named, flags=re.IGNORECASE) if part.strip()]
        credits = [canonical_credit(part) for part in parts]
        if credits and all(len(credit) <= 60 for credit in credits):
            return credits
    return None


def read_outlet_cue(text: str) -> tuple[str, str] | None:
    """(outlet, rule name) when the line names the page's publisher."""
    for name, pattern in cue_rules.OUTLET_CUES:
        match = pattern.match(text)
        if not match:
            continue
        outlet = normalize_outlet_name(match.group("outlet"))
        if outlet and outlet.lower() not in _NOT_AN_OUTLET:
            return outlet, name
    return None


def normalize_outlet_name(name: str) -> str:
    """'FOX NEWS' -> 'Fox News': a shouted name is title-cased, known acronyms kept ('BBC NEWS' -> 'BBC News')."""
    name = name.strip(" .,:;|")
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) <= 5 or not all(ch.isupper() for ch in letters):
        return name
    return " ".join(word if word in cue_rules.OUTLET_ACRONYMS else word.capitalize() for word in name.split())


def dateline_credits(text: str) -> list[str]:
    match = cue_rules.DATELINE_CREDIT.match(text)
    if not match:
        return []
    return [canonical_credit(part) for part in re.split(r"\s*/\s*", match.group("credits")) if part.strip()]


# --- line features -------------------------------------------------------------------------------

def line_features(text: str, stopwords: frozenset[str]) -> LineFeatures:
    chars = len(text)
    tokens = _WORD.findall(text.lower())
    cjk = len(_CJK.findall(text))
    words = len(tokens) + cjk // 2
    density = (sum(token in stopwords for token in tokens) / len(tokens)) if tokens else 0.0
    sentence_like = bool(line_rules.SENTENCE_END.search(text)) and words >= 4
    first = text[:1]
    headline_like = (2 <= words <= 30 and chars <= 200 and not text.endswith((".", ":", ",", ";"))
                     and (first.isupper() or first.isdigit() or not first.isalpha()))
    if cjk > chars * 0.3:
        # CJK scripts have no spaces and no stopwords we can count: length and punctuation decide.
        good = chars >= 40 and bool(line_rules.SENTENCE_PUNCTUATION.search(text))
        medium = chars >= 15 and sentence_like
    else:
        good = (chars >= 80 and density >= 0.18) or (chars >= 150 and (sentence_like or density >= 0.1))
        medium = chars >= 15 and sentence_like and density >= 0.12
    quality = "good" if good else "medium" if medium else "short"
    return LineFeatures(chars, words, density, sentence_like, headline_like, quality)


# --- the cleaner ---------------------------------------------------------------------------------

def match_noise_rule(text: str) -> str | None:
    for reason, pattern in line_rules.NOISE_LINE_RULES:
        if pattern.match(text):
            return reason
    return None


def read_cues(lines: list[Line], cues: TextCues) -> None:
    """Mark metadata lines (dates, bylines, credits, outlet cues) and furniture lines as NOISE, filling `cues`."""
    seen: dict[str, int] = {}
    about_outlet: str | None = None
    for line in lines:
        text = line.text
        key = comparable_text(text)
        if key and key in seen:
            _mark(line, "repeated line")
            continue
        if key:
            seen[key] = line.index
        banner = date_banner(text)
        if banner:
            if cues.published is None or (banner.startswith(cues.published) and len(banner) > len(cues.published)):
                cues.published = banner
            _mark(line, "date banner")
            continue
        byline = read_byline(text)
        if byline:
            if cues.byline is None:
                cues.byline, cues.authors = byline
            _mark(line, "byline")
            continue
        credits = read_credit_line(text)
        if credits:
            cues.credits.extend(credit for credit in credits if credit not in cues.credits)
            _mark(line, "credit line")
            continue
        outlet = read_outlet_cue(text)
        if outlet and outlet[1] == "source line" and outlet[0].lower() in cue_rules.WIRE_SERVICES:
            # "Source: Reuters" credits a wire service; it does not name the page's publisher.
            credit = canonical_credit(outlet[0])
            if credit not in cues.credits:
                cues.credits.append(credit)
            _mark(line, "credit line")
            continue
        if outlet:
            if cues.outlet is None:
                cues.outlet = outlet[0]
            if outlet[1] == "about heading":
                about_outlet = outlet[0]
            _mark(line, f"outlet cue ({outlet[1]})")
            continue
        if about_outlet:
            blurb = line_rules_about_blurb(text, about_outlet)
            if blurb:
                _mark(line, "about blurb")
                continue
        reason = match_noise_rule(text)
        if reason:
            _mark(line, reason)


def line_rules_about_blurb(text: str, outlet: str) -> bool:
    match = cue_rules.ABOUT_BLURB.match(text)
    return bool(match and comparable_text(match.group("outlet")).endswith(comparable_text(outlet)))


def _mark(line: Line, reason: str) -> None:
    line.kind = NOISE
    line.reason = reason


def score_lines(lines: list[Line], stopwords: frozenset[str]) -> None:
    """Give each line a score: long, stopword-rich sentences are positive, short furniture negative."""
    for line in lines:
        line.features = line_features(line.text, stopwords)
    scored = [line for line in lines if line.kind == BODY]
    in_teaser_list = False
    for position, line in enumerate(scored):
        features = line.features
        assert features is not None
        if features.quality == "good":
            in_teaser_list = False
            line.score = min(features.chars, 1000)
            neighbours = [scored[i].features for i in (position - 1, position + 1) if 0 <= i < len(scored)]
            if features.chars < 250 and neighbours and all(n is not None and n.quality == "short" for n in neighbours):
                # A lone paragraph between short lines is the shape of a teaser (headline, summary, section).
                line.score *= 0.4
        elif features.quality == "medium":
            line.score = features.chars * 0.5
        else:
            line.score = -45.0 if in_teaser_list else -20.0
    for line in lines:
        if line.kind == NOISE:
            line.score = -150.0 if line.reason in ("teaser list header", "comment section header") else -8.0


def best_region(lines: list[Line]) -> tuple[int, int] | None:
    """Maximum-sum contiguous run of line scores (Kadane): the densest block of article text."""
    best_sum, best = 0.0, None
    current_sum, current_start = 0.0, 0
    for position, line in enumerate(lines):
        if current_sum <= 0:
            current_sum, current_start = 0.0, position
        current_sum += line.score
        if current_sum > best_sum:
            best_sum, best = current_sum, (current_start, position)
    return best


def _cut_at_body_end(lines: list[Line], start: int, end: int) -> int:
    """Stop the region at the first teaser-list header, or credit/source/syndication line, that follows
    some article text. One with more article text after it than before it sits inside the story (a
    "Read more" box between paragraphs, "dpa" under the standfirst) and does not end it."""
    def text_chars(positions: range) -> int:
        return sum(lines[i].features.chars for i in positions
                   if lines[i].kind == BODY and lines[i].features and lines[i].features.quality != "short")

    for position in range(start, end + 1):
        line = lines[position]
        before = text_chars(range(start, position))
        if not before:
            continue
        if line.reason == "comment section header":
            return position - 1  # reader comments come after the story, however long they run
        if line.reason in ("teaser list header", "credit line") or line.reason.startswith("outlet cue"):
            if text_chars(range(position + 1, end + 1)) <= before:
                return position - 1
    return end


def _extend_backwards(lines: list[Line], start: int) -> int:
    """Take in a standfirst or lead sentence just above the dense block, stopping at the headline."""
    position = start - 1
    fragments = 0
    while position >= 0:
        line = lines[position]
        features = line.features
        if line.kind == NOISE:
            if line.reason in ("teaser list header", "comment section header"):
                break
            position -= 1
            continue
        assert features is not None
        if features.quality in ("good", "medium") and (features.sentence_like or features.quality == "good"):
            start = position
            fragments = 0
        elif not features.headline_like and features.words <= 2 and fragments < 2:
            fragments += 1
        else:
            break
        position -= 1
    return start


def choose_title(lines: list[Line], body_start: int) -> Line | None:
    """The headline: the nearest headline-like line above the body, else the first headline-like line."""
    candidates = [line for line in lines[:body_start] if line.kind == BODY and line.features and line.features.headline_like]
    window = [line for line in candidates if body_start - lines.index(line) <= 12]
    if window:
        return window[-1]
    prefixed = [line for line in lines[:body_start]
                if line.reason in ("photo caption or credit",) and line_rules.TITLE_PREFIX.match(line.text)]
    if prefixed:
        return prefixed[0]
    return candidates[0] if candidates else None


def clean_title(text: str) -> str:
    text = line_rules.TITLE_PREFIX.sub("", text).strip()
    return text


def clean_text_capture(text: str) -> TextExtraction:
    """Clean a plain-text capture: returns title, body paragraphs, metadata cues and what was removed."""
    raw_lines = [normalize_line(raw) for raw in text.splitlines()]
    lines = [Line(index=i, text=raw) for i, raw in enumerate(line for line in raw_lines if line)]
    language = detect_language(" ".join(sorted((line.text for line in lines), key=len, reverse=True)[:20]))
    stopwords = stopwords_for(language)
    cues = TextCues()
    read_cues(lines, cues)
    score_lines(lines, stopwords)

    region = best_region(lines)
    if region is None:
        start, end = len(lines), len(lines) - 1
    else:
        start, end = region
        end = _cut_at_body_end(lines, start, end)
        start = _extend_backwards(lines, start)

    title_line = choose_title(lines, start)
    title = clean_title(title_line.text) if title_line else None
    if title_line is not None and title_line.kind == BODY:
        _mark(title_line, "headline")
    if title:
        _mark_title_echoes(lines, title, title_line)

    paragraphs: list[str] = []
    removed: list[Removal] = []
    for position, line in enumerate(lines):
        if line is title_line:
            continue
        if line.kind == NOISE:
            removed.append(Removal(line.text, line.reason))
        elif not start <= position <= end:
            removed.append(Removal(line.text, "outside the article text (navigation, teasers, footer)"))
        elif line.features and line.features.quality == "short" and not _is_subheading(lines, position):
            removed.append(Removal(line.text, "stray fragment"))
        else:
            paragraphs.append(line.text)
    if paragraphs:
        for credit in dateline_credits(paragraphs[0]):
            if credit not in cues.credits:
                cues.credits.append(credit)
    return TextExtraction(title=title, body="\n\n".join(paragraphs), cues=cues, removed=removed, language=language)


def _mark_title_echoes(lines: list[Line], title: str, title_line: Line | None) -> None:
    """Breadcrumbs ending in the headline, and page-title lines ("Headline - Site"), are not article text."""
    key = comparable_text(title)
    if not key:
        return
    for line in lines:
        if line is title_line or line.kind == NOISE:
            continue
        other = comparable_text(line.text)
        if other == key:
            _mark(line, "repeated headline")
        elif other.endswith(key) and len(other) - len(key) < 60:
            _mark(line, "breadcrumb")
        elif other.startswith(key) and line_rules.TITLE_SITE_SEPARATORS.search(
                line.text[len(title) - 2:] if len(line.text) > len(title) else ""):
            _mark(line, "page title")


def _is_subheading(lines: list[Line], position: int) -> bool:
    """A short headline-like line between two paragraphs of the body is a subheading worth keeping."""
    features = lines[position].features
    if not features or not features.headline_like or features.words < 2:
        return False
    before = next((lines[i] for i in range(position - 1, -1, -1) if lines[i].kind == BODY), None)
    after = next((lines[i] for i in range(position + 1, len(lines)) if lines[i].kind == BODY), None)
    return bool(before and after and before.features and after.features
                and before.features.quality != "short" and after.features.quality == "good")


def read_text_cues(texts: list[str]) -> TextCues:
    """The metadata cues (byline, date banner, credit and outlet lines) in lines that are not body text."""
    cues = TextCues()
    read_cues([Line(index=i, text=normalize_line(text)) for i, text in enumerate(texts) if normalize_line(text)], cues)
    return cues


def strip_boilerplate_lines(paragraphs: list[str]) -> tuple[list[str], list[Removal], TextCues]:
    """Rules only (no scoring): drop furniture lines from an already-extracted body, reading cues on the way.

    Used on bodies that an HTML extractor already cut to the article, where dropping whole regions would
    be wrong but leftover newsletter boxes, captions, credit lines and teaser headers still need to go.
    """
    lines = [Line(index=i, text=normalize_line(text)) for i, text in enumerate(paragraphs) if normalize_line(text)]
    cues = TextCues()
    read_cues(lines, cues)
    kept: list[str] = []
    removed: list[Removal] = []
    ended = False
    for line in lines:
        if ended:
            removed.append(Removal(line.text, "after the end of the article"))
        elif line.kind == NOISE:
            removed.append(Removal(line.text, line.reason))
            if kept and line.reason == "comment section header":
                ended = True
            elif kept and (line.reason in ("teaser list header",) or line.reason.startswith("outlet cue")
                           or line.reason == "credit line"):
                ended = _nothing_long_follows(lines, line.index)
        else:
            kept.append(line.text)
    if kept:
        for credit in dateline_credits(kept[0]):
            if credit not in cues.credits:
                cues.credits.append(credit)
    return kept, removed, cues


def _nothing_long_follows(lines: list[Line], index: int) -> bool:
    """After a closing line, only cut the rest when it holds no run of real paragraphs."""
    long_after = [line for line in lines[index + 1:] if line.kind == BODY and len(line.text) >= 200]
    return len(long_after) < 2
