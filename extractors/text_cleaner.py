"""Line-level cleaner: turns a plain-text page capture (or an extracted body) into article text.

Two layers. Rules (extractors.rules) name page furniture and metadata cues line by line. Then, for whole
captures, line features (length, stopword density, sentence punctuation, neighbours) score each line and
the best-scoring contiguous run of lines is taken as the article — so pages and languages no rule has
seen are still cut to their text.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

from extractors.article import Removal
from extractors.cues import CueReader, TextCues, dateline_credits
from extractors.language import detect_language
from extractors.rules import lines as line_rules
from extractors.rules.lines import LineRule
from extractors.text import (CJK_SCRIPT, comparable_text, comparable_words, normalize_line, screenable, stopwords_for,
                             word_tokens)

# Line kinds assigned before scoring.
BODY, NOISE = "body", "noise"

# --- line features: what makes a line article text ---
# A "good" line (a paragraph): this long with this share of stopwords, or longer and a sentence (or with
# fewer stopwords).
GOOD_LINE_CHARS, GOOD_LINE_STOPWORDS = 80, 0.18
LONG_LINE_CHARS, LONG_LINE_STOPWORDS = 150, 0.1
# A "medium" line: a sentence at least this long with this share of stopwords.
MEDIUM_LINE_CHARS, MEDIUM_LINE_STOPWORDS = 15, 0.12
# A sentence has at least this many words.
MIN_SENTENCE_WORDS = 4
# A headline has from MIN to MAX words, and this many characters at most.
MIN_HEADLINE_WORDS, MAX_HEADLINE_WORDS, MAX_HEADLINE_CHARS = 2, 30, 200
# A line whose characters are this share Chinese, Japanese or Korean is judged by length and punctuation
# (no spaces, no stopwords we count): a "good" one is this long and punctuated.
CJK_LINE_SHARE, GOOD_CJK_LINE_CHARS = 0.3, 40
# Characters per word in scripts written without spaces: what a CJK line's character count is divided by.
CJK_CHARS_PER_WORD = 2

# --- line scores: the article is the run of lines with the highest sum ---
# A good line scores its length in characters, up to this: one huge paragraph does not outweigh the rest.
MAX_LINE_SCORE = 1000
# A good line shorter than this between two short lines is the shape of a teaser (headline, summary,
# section), and scores only this share of its length.
TEASER_SHAPE_CHARS, TEASER_SHAPE_SHARE = 250, 0.4
# A medium line scores this share of its length.
MEDIUM_LINE_SHARE = 0.5
# A short line (a label, a menu item, a fragment) costs this much. Removed lines score their rule's weight.
SHORT_LINE_SCORE = -20.0
# The headline is looked for this many lines above the article at most.
TITLE_WINDOW_LINES = 12
# A line ending in the headline is a breadcrumb trail when this much at most stands in front of it.
MAX_BREADCRUMB_TRAIL_CHARS = 60
# After a line that ends a story (extractors.rules.lines.LineRule.ends_story), the rest of an extracted body
# is cut unless this many paragraphs of this length follow, or more prose follows than was kept above it (a
# "Related Articles" box or an agency's credit above the story). Prose: lines of PROSE_LINE_CHARS or more
# that end as a sentence ends.
LONG_PARAGRAPH_CHARS, LONG_PARAGRAPHS_AFTER_END = 200, 2
PROSE_LINE_CHARS = 80
# A credit line this many lines at most below a photo caption, video player or embed credits that item.
MEDIA_CREDIT_LINES = 2


@dataclass
class Line:
    index: int
    text: str
    rule: LineRule | None = None  # how the line was marked as not article text; None for a text line
    score: float = 0.0
    features: "LineFeatures | None" = None

    @property
    def kind(self) -> str:
        return NOISE if self.rule else BODY

    @property
    def reason(self) -> str:
        return self.rule.reason if self.rule else ""


@dataclass
class LineFeatures:
    chars: int
    words: int
    stopword_density: float
    sentence_like: bool
    headline_like: bool
    quality: str  # 'good' | 'medium' | 'short'


@dataclass
class TextExtraction:
    title: str | None
    body: str
    cues: TextCues
    removed: list[Removal]
    language: str | None


# --- line features -------------------------------------------------------------------------------

def line_features(text: str, stopwords: frozenset[str]) -> LineFeatures:
    chars = len(text)
    tokens = word_tokens(text.lower())
    cjk = len(CJK_SCRIPT.findall(text))
    words = len(tokens) + cjk // CJK_CHARS_PER_WORD
    density = (sum(token in stopwords for token in tokens) / len(tokens)) if tokens else 0.0
    sentence_like = bool(line_rules.SENTENCE_END.search(text)) and words >= MIN_SENTENCE_WORDS
    first = text[:1]
    headline_like = (MIN_HEADLINE_WORDS <= words <= MAX_HEADLINE_WORDS and chars <= MAX_HEADLINE_CHARS
                     and not text.endswith((".", ":", ",", ";")) and (first.isupper() or first.isdigit() or not first.isalpha()))
    if cjk > chars * CJK_LINE_SHARE:
        # CJK scripts have no spaces and no stopwords we can count: length and punctuation decide.
        good = chars >= GOOD_CJK_LINE_CHARS and bool(line_rules.SENTENCE_PUNCTUATION.search(text))
        medium = chars >= MEDIUM_LINE_CHARS and sentence_like
    else:
        good = ((chars >= GOOD_LINE_CHARS and density >= GOOD_LINE_STOPWORDS)
                or (chars >= LONG_LINE_CHARS and (sentence_like or density >= LONG_LINE_STOPWORDS)))
        medium = chars >= MEDIUM_LINE_CHARS and sentence_like and density >= MEDIUM_LINE_STOPWORDS
    quality = "good" if good else "medium" if medium else "short"
    return LineFeatures(chars, words, density, sentence_like, headline_like, quality)


# --- the cleaner ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoiseRules:
    """Furniture rules in their order, with their screens (LineRule.screen_words, screen_marks): a line is
    tried only against the rules its words and marks leave open, and matches the same first rule as when
    tried against all of them. Rule sets are bit masks of positions in `rules`."""

    rules: tuple[LineRule, ...]
    unscreened: int  # the rules without a screen, tried on every line
    by_word: dict[str, int]  # screen word -> the rules it opens
    words: frozenset[str]  # the screen words
    by_mark: tuple[tuple[str, int], ...]  # screen mark -> the rules it opens
    unscreened_rules: tuple[LineRule, ...]  # the rules of `unscreened`, for the lines that open no other

    def match(self, text: str, words: list[str] | None) -> LineRule | None:
        """The first rule the line matches, or None. `words`: the line's comparable_words when it is screenable
        (extractors.text.screenable), else None, and the line is tried against every rule."""
        if len(text) > line_rules.MAX_RULE_LINE_CHARS:
            return None
        for rule in self.tried(text, words):
            if rule.pattern.match(text):
                return rule
        return None

    def tried(self, text: str, words: list[str] | None) -> Sequence[LineRule]:
        """The rules the line is tried against, in order: those without a screen and those it opens (all of
        them when `words` is None)."""
        if words is None:
            return self.rules
        opened = self.opened(text, words)
        if not opened:
            return self.unscreened_rules
        tried = self.unscreened | opened
        return [rule for position, rule in enumerate(self.rules) if tried >> position & 1]

    def opened(self, text: str, words: list[str]) -> int:
        """The screened rules the line holds a screen word or mark of."""
        opened = 0
        for word in self.words.intersection(words):
            opened |= self.by_word[word]
        lowered = text.lower()
        for mark, rules in self.by_mark:
            if mark in lowered:
                opened |= rules
        return opened


def noise_rules(rules: tuple[LineRule, ...]) -> NoiseRules:
    """The furniture rules `rules` (extractors.rules.lines.NOISE_LINE_RULES) with their screens indexed."""
    by_word: dict[str, int] = {}
    by_mark: dict[str, int] = {}
    unscreened = 0
    for position, rule in enumerate(rules):
        if not (rule.screen_words or rule.screen_marks):
            unscreened |= 1 << position
        for word in rule.screen_words:
            by_word[word] = by_word.get(word, 0) | 1 << position
        for mark in rule.screen_marks:
            by_mark[mark] = by_mark.get(mark, 0) | 1 << position
    unscreened_rules = tuple(rule for position, rule in enumerate(rules) if unscreened >> position & 1)
    return NoiseRules(rules, unscreened, by_word, frozenset(by_word), tuple(by_mark.items()), unscreened_rules)


# The last NoiseRules made, kept while NOISE_LINE_RULES holds the same rules.
_indexed: list[NoiseRules] = []


def current_noise_rules() -> NoiseRules:
    """NoiseRules of extractors.rules.lines.NOISE_LINE_RULES as it stands."""
    rules = line_rules.NOISE_LINE_RULES
    if not (_indexed and len(_indexed[0].rules) == len(rules) and all(map(operator.is_, _indexed[0].rules, rules))):
        _indexed[:] = [noise_rules(tuple(rules))]
    return _indexed[0]


def match_noise_rule(text: str) -> LineRule | None:
    """The first furniture rule (extractors.rules.lines.NOISE_LINE_RULES) the line matches, or None."""
    return current_noise_rules().match(text, comparable_words(text) if screenable(text) else None)


def mark_lines(lines: list[Line], cues: TextCues) -> None:
    """Mark metadata lines (dates, bylines, credits, outlet cues) and furniture lines as not article text,
    filling `cues`."""
    seen: set[str] = set()
    reader = CueReader(cues)
    noise = current_noise_rules()
    for line in lines:
        words = comparable_words(line.text)
        key = " ".join(words)  # comparable_text
        if key and key in seen:
            line.rule = line_rules.REPEATED_LINE
            continue
        if key:
            seen.add(key)
        screened = words if screenable(line.text) else None
        line.rule = reader.read(line.text, screened) or noise.match(line.text, screened)


def score_lines(lines: list[Line], stopwords: frozenset[str]) -> None:
    """Give each line a score: long, stopword-rich sentences are positive, short furniture negative."""
    for line in lines:
        line.features = line_features(line.text, stopwords)
    scored = [line for line in lines if line.kind == BODY]
    for position, line in enumerate(scored):
        features = line.features
        assert features is not None
        if features.quality == "good":
            line.score = min(features.chars, MAX_LINE_SCORE)
            neighbours = [scored[i].features for i in (position - 1, position + 1) if 0 <= i < len(scored)]
            if (features.chars < TEASER_SHAPE_CHARS and neighbours
                    and all(n is not None and n.quality == "short" for n in neighbours)):
                # A lone paragraph between short lines is the shape of a teaser (headline, summary, section).
                line.score *= TEASER_SHAPE_SHARE
        elif features.quality == "medium":
            line.score = features.chars * MEDIUM_LINE_SHARE
        else:
            line.score = SHORT_LINE_SCORE
    for line in lines:
        if line.rule:
            line.score = line.rule.weight


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
    """Stop the region at the first line that ends a story (a teaser-list header, a credit, source or
    syndication line) and follows some article text. One with more article text after it than before it
    sits inside the story (a "Read more" box between paragraphs, "dpa" under the standfirst) and does not
    end it; a line that opens reader comments ends it whatever follows."""
    # text_before[i]: characters of article text in lines start .. start + i - 1
    text_before = [0]
    for position in range(start, end + 1):
        line = lines[position]
        text = line.features.chars if line.kind == BODY and line.features and line.features.quality != "short" else 0
        text_before.append(text_before[-1] + text)
    total = text_before[-1]
    for position in range(start, end + 1):
        rule = lines[position].rule
        before = text_before[position - start]
        if not before or rule is None:
            continue
        if rule.opens_comments:
            return position - 1  # reader comments come after the story, however long they run
        if rule.ends_story and total - text_before[position - start + 1] <= before and not _credits_media(lines, position):
            return position - 1
    return end


def _credits_media(lines: list[Line], position: int) -> bool:
    """Whether the line at `position` follows a photo caption, a video player or an embed within
    MEDIA_CREDIT_LINES lines ("Video | ...", "Player wird geladen", "Quelle: t-online"): it credits that."""
    return any(lines[earlier].rule is not None and lines[earlier].rule.labels_media
               for earlier in range(max(0, position - MEDIA_CREDIT_LINES), position))


def _extend_backwards(lines: list[Line], start: int) -> int:
    """Take in a standfirst or lead sentence just above the dense block, stopping at the headline."""
    position = start - 1
    fragments = 0
    while position >= 0:
        line = lines[position]
        features = line.features
        if line.rule:
            if line.rule.heads_section:
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
    window = [line for line in candidates if body_start - line.index <= TITLE_WINDOW_LINES]
    if window:
        return window[-1]
    prefixed = [line for line in lines[:body_start]
                if line.rule and line.rule.may_hold_title and line_rules.TITLE_PREFIX.match(line.text)]
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
    mark_lines(lines, cues)
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
        title_line.rule = line_rules.HEADLINE
    if title:
        _mark_title_echoes(lines, title, title_line)

    paragraphs: list[str] = []
    removed: list[Removal] = []
    for position, line in enumerate(lines):
        if line is title_line:
            continue
        if line.rule:
            removed.append(Removal(line.text, line.rule.reason))
        elif not start <= position <= end:
            removed.append(Removal(line.text, "outside the article text (navigation, teasers, footer)"))
        elif line.features and line.features.quality == "short" and not _is_subheading(lines, position):
            removed.append(Removal(line.text, "stray fragment"))
        else:
            paragraphs.append(line.text)
    if paragraphs:
        cues.add_credits(dateline_credits(paragraphs[0]))
    return TextExtraction(title=title, body="\n\n".join(paragraphs), cues=cues, removed=removed, language=language)


def _mark_title_echoes(lines: list[Line], title: str, title_line: Line | None) -> None:
    """Breadcrumbs ending in the headline, and page-title lines ("Headline - Site"), are not article text."""
    key = comparable_text(title)
    if not key:
        return
    for line in lines:
        if line is title_line or line.rule:
            continue
        other = comparable_text(line.text)
        if other == key:
            line.rule = line_rules.REPEATED_HEADLINE
        elif other.endswith(key) and len(other) - len(key) < MAX_BREADCRUMB_TRAIL_CHARS:
            line.rule = line_rules.TITLE_BREADCRUMB
        elif other.startswith(key) and line_rules.TITLE_SITE_SEPARATORS.search(
                line.text[len(title) - 2:] if len(line.text) > len(title) else ""):
            line.rule = line_rules.PAGE_TITLE


def _is_subheading(lines: list[Line], position: int) -> bool:
    """A short headline-like line between two paragraphs of the body is a subheading worth keeping."""
    features = lines[position].features
    if not features or not features.headline_like or features.words < MIN_HEADLINE_WORDS:
        return False
    before = next((lines[i] for i in range(position - 1, -1, -1) if lines[i].kind == BODY), None)
    after = next((lines[i] for i in range(position + 1, len(lines)) if lines[i].kind == BODY), None)
    return bool(before and after and before.features and after.features
                and before.features.quality != "short" and after.features.quality == "good")


def _prose(text: str) -> bool:
    return len(text) >= PROSE_LINE_CHARS and line_rules.SENTENCE_END.search(text) is not None


def strip_boilerplate_lines(paragraphs: list[str]) -> tuple[list[str], list[Removal], TextCues]:
    """Rules only (no scoring): drop furniture lines from an already-extracted body, reading cues on the way.

    Used on bodies that an HTML extractor already cut to the article, where dropping whole regions would
    be wrong but leftover newsletter boxes, captions, credit lines and teaser headers still need to go.
    """
    normalized = (normalize_line(text) for text in paragraphs)
    lines = [Line(index=i, text=text) for i, text in enumerate(normalized) if text]
    cues = TextCues()
    mark_lines(lines, cues)
    # long_after[i], prose_after[i]: long paragraphs, and characters of prose, from the i-th line on
    long_after = [0] * (len(lines) + 1)
    prose_after = [0] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        body = lines[i].kind == BODY
        long_after[i] = long_after[i + 1] + (body and len(lines[i].text) >= LONG_PARAGRAPH_CHARS)
        prose_after[i] = prose_after[i + 1] + (len(lines[i].text) if body and _prose(lines[i].text) else 0)
    kept: list[str] = []
    removed: list[Removal] = []
    ended = heading_list = False
    for position, line in enumerate(lines):
        if ended:
            removed.append(Removal(line.text, "after the end of the article"))
        elif line.rule:
            removed.append(Removal(line.text, line.rule.reason))
            if kept and line.rule.opens_comments:
                ended = True
            elif line.rule.ends_story:
                # After a closing line, only cut the rest when it holds no run of real paragraphs and no more
                # prose than was kept above it: otherwise the line stands inside the story or above it. Above
                # it, before any prose, a section header's teaser headlines go with it.
                ended = bool(kept) and long_after[position + 1] < LONG_PARAGRAPHS_AFTER_END \
                    and prose_after[position + 1] <= sum(map(len, kept))
                heading_list = not ended and line.rule.heads_section and not any(map(_prose, kept))
        elif heading_list and not _prose(line.text):
            removed.append(Removal(line.text, "teaser list"))
        else:
            heading_list = False
            kept.append(line.text)
    if kept:
        cues.add_credits(dateline_credits(kept[0]))
    return kept, removed, cues
