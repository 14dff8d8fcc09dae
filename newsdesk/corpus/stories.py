"""Stories: which stored articles tell the same story.

Near-copies (a wire story on many sites, a blog re-post) are found by MinHash over body shingles with LSH
bands; coverage of the same event in other words by title-and-lead similarity (TF-IDF over a vocabulary
that grows with the corpus), shared names and numbers, within a window around the publication date.
This module holds the features and the decisions and runs no SQL: the Store keeps the band index, the
name index and the vocabulary, and answers the lookups of `StoryIndex`.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Callable, ContextManager, Iterable, Iterator, Protocol, Sequence
from urllib.parse import urlsplit

import numpy as np

from extractors import Article
from extractors.rules import stories as rules
from extractors.text import WORD, comparable_text, stopwords_for

# --- near-copies -----------------------------------------------------------------------------------
# Syndicated copies share their beginning and lose their ending, so only the first words of a body are
# shingled: the cost per article is bounded and a trimmed ending costs little overlap.
SHINGLE_TEXT_WORDS = 250
SHINGLE_WORDS = 5
MINHASH_PERMUTATIONS = 48
MINHASH_SEED = 1
# 16 bands of 3 rows: a pair with Jaccard 0.5 shares a band with probability 0.88, 0.6 -> 0.98, 0.7 -> 0.998
# (on the benchmark 98% of copies are above 0.6); unrelated articles (Jaccard 0.01) almost never (0.00002).
# Each band is one index row per article.
LSH_BANDS = 16
LSH_ROWS = MINHASH_PERMUTATIONS // LSH_BANDS
# A near-copy: most of the shorter text is inside the longer one (another template's leftovers, a dateline
# or a trimmed ending change little of it), and the two overlap enough that it is not one quoted passage.
COPY_MIN_CONTAINMENT = 0.6
COPY_MIN_JACCARD = 0.25

# --- same event ------------------------------------------------------------------------------------
# The lead: the first words of the body, where a news story says what happened.
LEAD_WORDS = 80
# Names are read from this much of the body (and the title); the lead's names are the lookup keys.
NAME_TEXT_WORDS = 250
# Until the corpus is this large, terms are weighed as if it were (a term seen in 3 of 5 articles is not
# common yet): a small corpus gives no usable document frequencies.
IDF_PRIOR_DOCUMENTS = 1000
# Coverage of one event is published within a few days; articles without a date are compared regardless.
EVENT_WINDOW_DAYS = 4
# The decision. Names (people, places, organisations, products) say who and where; the other words of the
# title and lead say what happened. Coverage of one event shares most of the smaller side's weighted names,
# or shares many names and also what happened: two stories about one company or one pair of leaders share
# the names but not the event's words.
# At least this many names shared: "most of the smaller side's names" says little of an article naming three.
EVENT_MIN_SHARED_NAMES = 5
EVENT_STRONG_NAME_OVERLAP = 0.75
EVENT_MIN_NAME_OVERLAP = 0.40
EVENT_MIN_ACTION_COSINE = 0.13
# A name in one headline that recurs in its text ("Hurricane Milton", "Vision Pro") but is nowhere in the
# other article's opening names another protagonist: another storm, another product.
KEY_NAME_MIN_OCCURRENCES = 2
# An article is indexed under at most this many names of its title and lead (the title's first, then in
# order of appearance): each is an index row.
INDEXED_NAMES = 8
# Candidates are looked up by the rarest names of the title and lead; names in more than this share of
# the corpus (and in more than LOOKUP_MIN_NAME_DOCUMENTS articles) find too many to be worth a lookup.
LOOKUP_NAMES = 12
LOOKUP_MAX_NAME_SHARE = 0.02
LOOKUP_MIN_NAME_DOCUMENTS = 200
EVENT_CANDIDATES = 12
# A candidate must share at least this many of the lookup names: one shared name is a topic, not an event.
EVENT_MIN_LOOKUP_MATCHES = 2


@dataclass(frozen=True)
class StoryFeatures:
    """What the grouper compares of one article; kept by the Store beside the article."""

    signature: bytes  # MINHASH_PERMUTATIONS minimum hashes, uint32 little-endian
    shingle_count: int
    terms: dict[str, int]  # title and lead words that are not names (stemmed), with their counts
    names: frozenset[str]  # lower-cased name words and acronyms of the title and the body's first words
    key_names: frozenset[str]  # names of the headline that recur in the text: the story's protagonists
    numbers: frozenset[str]
    lookup_names: frozenset[str]  # the title's and lead's names: the keys this article is found by
    day: str | None  # publication day, YYYY-MM-DD

    @cached_property
    def band_keys(self) -> tuple[int, ...]:
        return band_keys(self.signature)

    @cached_property
    def vocabulary_terms(self) -> frozenset[str]:
        """The vocabulary entries the article counts in: its terms, its names and numbers (prefixed), and the
        document count ('')."""
        return frozenset(self.terms).union(map(name_key, self.names), map(number_key, self.numbers), ("",))


@dataclass(frozen=True)
class StoryCandidate:
    """A stored article the index found for a new one, with what deciding needs to know of it."""

    article_id: int
    story_id: int
    copy_of: int | None
    published: str | None
    outlet: str | None
    url: str | None
    credits: tuple[str, ...]
    features: StoryFeatures


@dataclass(frozen=True)
class CopyGroupMember:
    """An article of a group of near-copies, for choosing what each one is a copy of."""

    article_id: int
    published: str | None
    outlet: str | None
    url: str | None
    credits: tuple[str, ...]


@dataclass(frozen=True)
class StoryMember:
    """An article of a story as listings show it."""

    article_id: int
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    copy_of: int | None


@dataclass(frozen=True)
class StoryOverview:
    """A row of the stories table."""

    story_id: int
    title: str | None
    first_published: str | None
    last_published: str | None
    article_count: int
    outlet_count: int
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class StoryTotals:
    stories: int
    copies: int  # articles with a copy_of
    articles_without_story: int


@dataclass(frozen=True)
class PairScore:
    jaccard: float
    containment: float
    action_cosine: float  # TF-IDF cosine of the title and lead words that are not names
    name_overlap: float  # IDF-weighted share of the smaller side's names (and numbers) found in the other
    shared_names: int
    key_name_missing: bool  # a protagonist of one side is absent from the other
    days_apart: int | None

    @property
    def is_copy(self) -> bool:
        return self.containment >= COPY_MIN_CONTAINMENT and self.jaccard >= COPY_MIN_JACCARD

    @property
    def in_window(self) -> bool:
        return self.days_apart is None or self.days_apart <= EVENT_WINDOW_DAYS

    @property
    def same_event(self) -> bool:
        if not self.in_window or self.key_name_missing or self.shared_names < EVENT_MIN_SHARED_NAMES:
            return False
        if self.name_overlap >= EVENT_STRONG_NAME_OVERLAP:
            return True
        return self.name_overlap >= EVENT_MIN_NAME_OVERLAP and self.action_cosine >= EVENT_MIN_ACTION_COSINE

    @property
    def strength(self) -> float:
        """Orders matches: a near-copy above any same-event match, then by how alike the two are."""
        return (2.0 + self.containment) if self.is_copy else self.name_overlap + self.action_cosine


@dataclass(frozen=True)
class StoryDecision:
    story_id: int | None  # the story the article joins; None: it starts one
    copies: tuple[int, ...]  # stored articles it is a near-copy of
    merged_story_ids: tuple[int, ...] = ()  # other stories its near-copies belong to: joined into story_id


@dataclass
class Vocabulary:
    """Document frequencies of terms and names, for TF-IDF weights."""

    document_count: int
    frequencies: dict[str, int] = field(default_factory=dict)

    def idf(self, term: str) -> float:
        weight = self._weights.get(term)
        if weight is None:
            documents = max(self.document_count, IDF_PRIOR_DOCUMENTS)
            weight = self._weights[term] = math.log((documents + 1) / (self.frequencies.get(term, 0) + 1)) + 1.0
        return weight

    @cached_property
    def _weights(self) -> dict[str, float]:
        return {}


class StoryIndex(Protocol):
    """What the grouper asks of the corpus (implemented by Store)."""

    def story_copy_candidates(self, band_keys: Sequence[int]) -> list[int]: ...
    def story_event_candidates(self, names: Sequence[str], day: str | None, window_days: int, limit: int,
                               min_matches: int) -> list[int]: ...
    def story_candidates(self, article_ids: Sequence[int]) -> list[StoryCandidate]: ...
    def story_vocabulary(self, terms: Iterable[str]) -> Vocabulary: ...
    def add_story_member(self, article_id: int, features: StoryFeatures, decision: StoryDecision) -> int: ...
    def leave_story(self, article_id: int) -> None: ...
    def copy_group(self, article_ids: Sequence[int]) -> list[CopyGroupMember]: ...
    def set_copy_links(self, links: dict[int, int | None]) -> None: ...


# --- features --------------------------------------------------------------------------------------

_WORD_HASHES: dict[str, int] = {}
_WORD_HASH_CACHE_LIMIT = 500_000
# datasketch's MinHash (scheme affine32) defines the signature: its permutations h -> a·h + b (mod 2^32) of
# the MurmurHash3-finalised shingle hashes. minhash_signature applies them to all shingles at once, which is
# the same computation without a Python call per shingle; the permutations are drawn as datasketch draws them
# (odd a, any b, from numpy's RandomState with the seed), without importing it and the scipy it loads into
# every extraction worker (a test checks that signatures agree with datasketch's).
def _affine32_permutations(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, count, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, count, dtype=np.uint32)
    return a, b


_PERMUTATION_A, _PERMUTATION_B = _affine32_permutations(MINHASH_PERMUTATIONS, MINHASH_SEED)
_FMIX_SHIFT_1, _FMIX_MULTIPLIER_1, _FMIX_SHIFT_2, _FMIX_MULTIPLIER_2, _FMIX_SHIFT_3 = (
    np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_EMPTY_SIGNATURE = np.full(MINHASH_PERMUTATIONS, 0xFFFFFFFF, dtype="<u4").tobytes()
_SHINGLE_MULTIPLIER = np.uint64(1_000_003)
_LOW_32_BITS = np.uint64(0xFFFFFFFF)
_BAND_MULTIPLIER = np.uint64(0x100000001B3)


def shingle_hashes(words: Sequence[str]) -> np.ndarray:
    """32-bit hashes of the distinct SHINGLE_WORDS-word shingles of `words` (fewer words: one shingle)."""
    if not words:
        return np.zeros(0, dtype=np.uint32)
    cache = _WORD_HASHES
    unseen = set(words).difference(cache)
    if unseen:
        if len(cache) + len(unseen) > _WORD_HASH_CACHE_LIMIT:
            cache.clear()
            unseen = set(words)
        for word in unseen:
            cache[word] = zlib.crc32(word.encode("utf-8"))  # stable across processes, unlike hash()
    hashes = np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE_WORDS, len(hashes))
    count = len(hashes) - width + 1
    combined = hashes[:count].copy()
    for offset in range(1, width):
        combined = (combined * _SHINGLE_MULTIPLIER + hashes[offset:offset + count]) & _LOW_32_BITS
    return np.unique(combined.astype(np.uint32))


def minhash_signature(shingles: np.ndarray) -> bytes:
    """datasketch's MinHash signature of the shingle hashes, as MINHASH_PERMUTATIONS uint32 (little-endian)."""
    if not len(shingles):
        return _EMPTY_SIGNATURE
    mixed = shingles.astype(np.uint32)
    mixed = mixed ^ (mixed >> _FMIX_SHIFT_1)
    mixed = mixed * _FMIX_MULTIPLIER_1
    mixed = mixed ^ (mixed >> _FMIX_SHIFT_2)
    mixed = mixed * _FMIX_MULTIPLIER_2
    mixed = mixed ^ (mixed >> _FMIX_SHIFT_3)
    permuted = mixed[:, None] * _PERMUTATION_A + _PERMUTATION_B  # wraps modulo 2**32, as datasketch's does
    return permuted.min(axis=0).astype("<u4").tobytes()


def band_keys(signature: bytes) -> tuple[int, ...]:
    """One key per LSH band (band number mixed in): articles sharing a key are near-copy candidates."""
    rows = np.frombuffer(signature, dtype="<u4").astype(np.uint64).reshape(LSH_BANDS, LSH_ROWS)
    keys = np.arange(LSH_BANDS, dtype=np.uint64)
    for column in range(LSH_ROWS):
        keys = keys * _BAND_MULTIPLIER + rows[:, column]  # wraps modulo 2**64, as intended
    return tuple(int(key) for key in keys.view(np.int64))  # SQLite integers are signed


def signature_jaccard(first: bytes, second: bytes) -> float:
    return float(np.mean(np.frombuffer(first, dtype="<u4") == np.frombuffer(second, dtype="<u4")))


def _name_words(text: str) -> list[tuple[int, str]]:
    """Name words of `text` with their offsets: capitalised words not merely opening a sentence (unless a
    capitalised word follows: "North Korean leader"), and acronyms; lower-cased, possessives and hyphens
    split off."""
    names: list[tuple[int, str]] = []
    for match in rules.NAME_WORD.finditer(text):
        word = match.group()
        if not rules.ACRONYM.match(word) and _opens_sentence(text, match.start()) \
                and not rules.NEXT_NAME_WORD.match(text, match.end()):
            continue
        if "-" not in word and "'" not in word and "’" not in word:
            if len(word) >= 2:
                names.append((match.start(), word.lower()))
            continue
        for part in rules.POSSESSIVE.sub("", word).replace("’", "-").replace("'", "-").split("-"):
            if len(part) >= 2 and not part.isdigit():
                names.append((match.start(), part.lower()))
    return names


def _opens_sentence(text: str, position: int) -> bool:
    position -= 1
    while position >= 0 and text[position] in " \t\r\xa0":
        position -= 1
    return position < 0 or text[position] in rules.SENTENCE_OPENERS


def _opening_text(text: str, words: int) -> str:
    """About the first `words` words of `text` (a few more is harmless: callers count words themselves)."""
    return text[:words * 8]


def story_features(article: Article) -> StoryFeatures:
    body = article.body or ""
    title = article.title or ""
    opening = _opening_text(body, max(SHINGLE_TEXT_WORDS, NAME_TEXT_WORDS))
    shingles = shingle_hashes(WORD.findall(opening.lower())[:SHINGLE_TEXT_WORDS])
    stopwords = stopwords_for(article.language)
    not_names = stopwords | rules.NOT_NAMES
    title_names = [name for _, name in _name_words(title) if name not in not_names]
    lead_end = _end_of_words(opening, LEAD_WORDS)
    body_names = [(offset, name) for offset, name in _name_words(opening) if name not in not_names]
    opening_names = [name for _, name in body_names]
    lead_names = [name for offset, name in body_names if offset < lead_end]
    names = frozenset(title_names) | frozenset(opening_names)
    occurrences = Counter(title_names + opening_names)
    key_names = frozenset(name for name in title_names
                          if occurrences[name] >= KEY_NAME_MIN_OCCURRENCES and name in opening_names)
    lead = opening[:lead_end]
    terms: Counter[str] = Counter()
    for word in WORD.findall(f"{title}\n{lead}".lower()):
        if len(word) >= 2 and not word.isdigit() and word not in stopwords and word not in names:
            terms[_stem(word)] += 1
    features = StoryFeatures(
        signature=minhash_signature(shingles), shingle_count=int(len(shingles)), terms=dict(terms), names=names,
        key_names=key_names, numbers=frozenset(_numbers(title + "\n" + lead)),
        lookup_names=frozenset(list(dict.fromkeys(title_names + lead_names))[:INDEXED_NAMES]),
        day=publication_day(article.published))
    # Made here, they travel with the features from an extraction worker: the one storing process only reads them.
    _ = features.band_keys, features.vocabulary_terms
    return features


_WORDS_AHEAD = re.compile(r"\S+")


def _end_of_words(text: str, words: int) -> int:
    """The offset in `text` just after its first `words` words (the end of the text when it is shorter)."""
    end = len(text)
    for count, match in enumerate(_WORDS_AHEAD.finditer(text), start=1):
        if count == words:
            return match.end()
    return end


def _stem(word: str) -> str:
    return rules.TERM_SUFFIX.sub("", word, count=1)


def _numbers(text: str) -> list[str]:
    found = []
    for match in rules.NUMBER.finditer(text):
        digits = match.group().replace(",", "").replace(".", "")
        if len(digits) >= rules.MIN_NUMBER_DIGITS:
            found.append(digits)
    return found


def publication_day(published: str | None) -> str | None:
    if not published or len(published) < 10:
        return None
    try:
        return date.fromisoformat(published[:10]).isoformat()
    except ValueError:
        return None


def vocabulary_terms(features: StoryFeatures) -> frozenset[str]:
    """The vocabulary entries an article counts in: its terms, its names (prefixed) and its numbers."""
    return features.vocabulary_terms


def name_key(name: str) -> str:
    """Names and numbers share the vocabulary with terms, told apart by a prefix no word starts with."""
    return "@" + name


def number_key(number: str) -> str:
    return "#" + number


# --- comparing two articles ------------------------------------------------------------------------

def score_pair(new: StoryFeatures, stored: StoryFeatures, vocabulary: Vocabulary,
               new_weights: Callable[[], WeightedFeatures] | None = None) -> PairScore:
    """How alike two articles are. `new_weights` gives weigh(new, vocabulary) when the caller keeps it
    (decide_story weighs the new article once for all its candidates, and only if one needs it)."""
    jaccard = signature_jaccard(new.signature, stored.signature)
    smaller = min(new.shingle_count, stored.shingle_count)
    if smaller and jaccard > 0:
        # |A ∩ B| = J·(|A| + |B|)/(1 + J); containment = that over the smaller set.
        containment = min(1.0, jaccard * (new.shingle_count + stored.shingle_count) / ((1 + jaccard) * smaller))
    else:
        containment = 0.0
    shared_names = len(new.names & stored.names)
    apart = days_apart(new.day, stored.day)
    if shared_names < EVENT_MIN_SHARED_NAMES:
        # Not the same event whatever the words: only a near-copy is left to tell (most candidates end here).
        return PairScore(jaccard=jaccard, containment=containment, action_cosine=0.0, name_overlap=0.0,
                         shared_names=shared_names, key_name_missing=False, days_apart=apart)
    first = new_weights() if new_weights else weigh(new, vocabulary)
    second = weigh(stored, vocabulary)
    shared = first.names.keys() & second.names.keys()
    smaller_weight = min(first.name_total, second.name_total)
    name_overlap = sum(first.names[key] for key in shared) / smaller_weight if smaller_weight else 0.0
    return PairScore(
        jaccard=jaccard, containment=containment, action_cosine=first.cosine(second),
        name_overlap=name_overlap, shared_names=shared_names,
        key_name_missing=_misses_key_name(new, stored) or _misses_key_name(stored, new), days_apart=apart)


def _misses_key_name(first: StoryFeatures, second: StoryFeatures) -> bool:
    """Whether a protagonist of `first` is absent from `second` (as a name, or as a word of its lead:
    "Hurricane Milton" in one, "a Category 3 hurricane" in the other)."""
    return any(name not in second.names and _stem(name) not in second.terms for name in first.key_names)


@dataclass(frozen=True)
class WeightedFeatures:
    """An article's names and numbers with their IDF weights, and its terms as a TF-IDF vector."""

    names: dict[str, float]
    name_total: float
    vector: dict[str, float]
    norm: float

    def cosine(self, other: "WeightedFeatures") -> float:
        if not self.norm or not other.norm:
            return 0.0
        small, large = (self.vector, other.vector) if len(self.vector) <= len(other.vector) else (other.vector, self.vector)
        return sum(weight * large[term] for term, weight in small.items() if term in large) / (self.norm * other.norm)


def weigh(features: StoryFeatures, vocabulary: Vocabulary) -> WeightedFeatures:
    idf = vocabulary.idf
    names = {key: idf(key) for key in map(name_key, features.names)}
    names.update({key: idf(key) for key in map(number_key, features.numbers)})
    vector = {term: count * idf(term) for term, count in features.terms.items()}
    return WeightedFeatures(names, sum(names.values()), vector, math.sqrt(sum(weight * weight for weight in vector.values())))


def days_apart(first: str | None, second: str | None) -> int | None:
    if not first or not second:
        return None
    return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)


# --- deciding ---------------------------------------------------------------------------------------

def decide_story(features: StoryFeatures, candidates: Sequence[StoryCandidate], vocabulary: Vocabulary) -> StoryDecision:
    """Which story a new article joins: that of its near-copies (the stories they are in become one), else
    that of its best same-event match, else a new one. Ties go to the lower article id: deterministic."""
    new_weights = functools.cache(lambda: weigh(features, vocabulary))  # made by the first candidate that needs it
    scored = [(score_pair(features, candidate.features, vocabulary, new_weights), candidate) for candidate in candidates]
    copies = sorted(((score, candidate) for score, candidate in scored if score.is_copy),
                    key=lambda pair: (-pair[0].strength, pair[1].article_id))
    if copies:
        story_ids = sorted({candidate.story_id for _, candidate in copies})
        # The story of the strongest copy, so a copy group keeps the story its original started.
        story_id = copies[0][1].story_id
        return StoryDecision(story_id, tuple(sorted(candidate.article_id for _, candidate in copies)),
                             tuple(other for other in story_ids if other != story_id))
    events = sorted(((score, candidate) for score, candidate in scored if score.same_event),
                    key=lambda pair: (-pair[0].strength, pair[1].article_id))
    if events:
        return StoryDecision(events[0][1].story_id, ())
    return StoryDecision(None, ())


def choose_copy_links(group: Sequence[CopyGroupMember]) -> dict[int, int | None]:
    """What each article of a group of near-copies republishes: the member it credits ("originally appeared
    on X", a wire credit naming the member's outlet), else the group's original — the earliest published
    of the credited members, else of all (unknown dates last, then lowest id). The original copies nothing."""
    members = sorted(group, key=_publication_order)
    credited_by = {member.article_id: [other for other in members if other.article_id != member.article_id
                                       and credits_outlet(member.credits, other)] for member in members}
    credited_anywhere = [member for member in members if any(member in found for found in credited_by.values())]
    original = (credited_anywhere or members)[0]
    links: dict[int, int | None] = {}
    for member in members:
        if member.article_id == original.article_id:
            links[member.article_id] = None
            continue
        credited = credited_by[member.article_id]
        links[member.article_id] = credited[0].article_id if credited else original.article_id
    return links


def _publication_order(member: CopyGroupMember) -> tuple[int, str, int]:
    return (0, member.published, member.article_id) if member.published else (1, "", member.article_id)


def credits_outlet(credits: Sequence[str], member: CopyGroupMember) -> bool:
    """Whether one of `credits` names the member's outlet or its site ("Fox News" ~ foxnews.com)."""
    if not credits:
        return False
    names = {comparable_text(member.outlet or "")} - {""}
    host = (urlsplit(member.url or "").hostname or "").removeprefix("www.")
    site = host.rsplit(".", 2)[-2] if host.count(".") >= 1 else ""
    for credit in credits:
        credited = comparable_text(credit)
        if not credited:
            continue
        if credited in names or (site and credited.replace(" ", "") == site):
            return True
    return False


# --- summaries ---------------------------------------------------------------------------------------

def story_overview(story_id: int, members: Sequence[StoryMember]) -> StoryOverview:
    """A story's row: the title of its earliest published member with a title (undated last, then the first
    stored), first and last publication, and the outlets covering it (an article without an outlet counts by
    its site)."""
    ordered = sorted(members, key=lambda member: (member.published is None, member.published or "", member.article_id))
    dated = [member.published for member in ordered if member.published]
    outlets = sorted({member.outlet or _site(member.url) for member in members} - {""})
    title = next((member.title for member in ordered if member.title), None)
    return StoryOverview(story_id=story_id, title=title, first_published=dated[0] if dated else None,
                         last_published=max(dated) if dated else None, article_count=len(members),
                         outlet_count=len(outlets), outlets=tuple(outlets))


def _site(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").removeprefix("www.")


# --- the calls the ingest core and the command line make -------------------------------------------

def join_story(index: StoryIndex, article_id: int, article: Article, features: StoryFeatures | None = None) -> int:
    """Put a just-stored article into a story (an existing one or a new one); returns the story id.
    Runs inside the caller's transaction, so the article and its story are stored together. `features` are
    story_features(article) when the extraction stage has made them already."""
    features = features or story_features(article)
    copy_ids = index.story_copy_candidates(features.band_keys)
    lookup = _lookup_names(features, index.story_vocabulary(name_key(name) for name in features.lookup_names))
    event_ids = index.story_event_candidates(lookup, features.day, EVENT_WINDOW_DAYS, EVENT_CANDIDATES,
                                             EVENT_MIN_LOOKUP_MATCHES) if len(lookup) >= EVENT_MIN_LOOKUP_MATCHES else []
    candidate_ids = sorted((set(copy_ids) | set(event_ids)) - {article_id})
    decision = StoryDecision(None, ())
    if candidate_ids:
        candidates = index.story_candidates(candidate_ids)
        # Only a candidate sharing enough names is weighed (score_pair); the others need no document frequencies.
        weighed = [candidate for candidate in candidates
                   if len(features.names & candidate.features.names) >= EVENT_MIN_SHARED_NAMES]
        vocabulary = index.story_vocabulary(vocabulary_terms(features).union(
            *(vocabulary_terms(candidate.features) for candidate in weighed))) if weighed else Vocabulary(0)
        decision = decide_story(features, candidates, vocabulary)
    story_id = index.add_story_member(article_id, features, decision)
    if decision.copies:
        index.set_copy_links(choose_copy_links(index.copy_group([article_id, *decision.copies])))
    return story_id


def regroup_story(index: StoryIndex, article_id: int, article: Article, features: StoryFeatures | None = None) -> int:
    """An article whose text changed leaves its story and joins one again as it now reads."""
    index.leave_story(article_id)
    return join_story(index, article_id, article, features)


def _lookup_names(features: StoryFeatures, vocabulary: Vocabulary) -> list[str]:
    """The rarest names of the title and lead that other articles have, skipping names too common to narrow."""
    ceiling = max(LOOKUP_MIN_NAME_DOCUMENTS, int(vocabulary.document_count * LOOKUP_MAX_NAME_SHARE))
    known = [(vocabulary.frequencies.get(name_key(name), 0), name) for name in features.lookup_names]
    usable = sorted((frequency, name) for frequency, name in known if 0 < frequency <= ceiling)
    return [name for _, name in usable[:LOOKUP_NAMES]]


@dataclass(frozen=True)
class RebuildReport:
    articles: int
    stories: int
    copies: int
    seconds: float


class StoryCorpus(StoryIndex, Protocol):
    """What a rebuild asks of the corpus besides the index (implemented by Store)."""

    def transaction(self) -> ContextManager[object]: ...
    def clear_stories(self) -> None: ...
    def articles_for_stories(self, batch: int = 1000) -> Iterator[tuple[int, Article]]: ...
    def flush_story_index(self) -> None: ...
    def story_totals(self) -> StoryTotals: ...


def rebuild_stories(store: StoryCorpus, *, batch: int = 500) -> RebuildReport:
    """Recompute every story from scratch, the articles in the order they were stored: the same corpus
    always gives the same stories (after a threshold changed, or for a corpus stored before stories)."""
    started = time.perf_counter()
    store.clear_stories()
    articles = store.articles_for_stories(batch=batch)
    count = 0
    while True:
        chunk = list(itertools.islice(articles, batch))
        if not chunk:
            break
        with store.transaction():
            for article_id, article in chunk:
                join_story(store, article_id, article)
        count += len(chunk)
    store.flush_story_index()
    totals = store.story_totals()
    return RebuildReport(articles=count, stories=totals.stories, copies=totals.copies,
                         seconds=time.perf_counter() - started)
