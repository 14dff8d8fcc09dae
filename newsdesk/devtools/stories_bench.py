"""The synthetic syndication benchmark for stories (`newsdesk bench-stories`).

Real article bodies of the dev sets (fundus-de, web-2026, readability: read at run time from the datasets
folder, never copied into the project; l3s-gn1 is research-use only and never read) become a corpus whose
stories are known. Each article is published by a wire outlet and run again by other outlets with the
leftovers of their own template, their own headline, a dateline, a trimmed ending, sometimes a credit line;
the articles arrive in shuffled order, so a copy is often stored before its original. Same-topic
distractors are pairs of distinct real articles sharing the most names and topic words, dated the same day
so that only what they say keeps them apart.

Quality: pair precision, recall and F1 of story_id (two articles are a pair when they tell the same story),
and copy_of accuracy for credited copies. Scale: the time the ingest core's store step takes with and
without stories at N articles (sentences of the dev-set bodies recombined into distinct articles, a share
of them syndicated), in the same run, chunk by chunk in turn; and the time of a full rebuild.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterator, Sequence

from extractors import Article, Document
from extractors.language import language_by_stopwords
from newsdesk.corpus.ingest import Extraction, Ingestor, extract_stage
from newsdesk.corpus.store import Store, compress_raw
from newsdesk.corpus.stories import (
    Vocabulary, rebuild_stories, score_pair, story_features, vocabulary_terms,
)

DATASETS = ("fundus-de", "web-2026", "readability")
MIN_BASE_WORDS = 80
# Two dev-set pages this alike (exact 5-word shingles, Jaccard) are one text met twice: the second is dropped.
DUPLICATE_BASE_JACCARD = 0.5
SEED = 20240220

# How other outlets run a story.
COPIES_PER_STORY = (0, 1, 1, 2, 2, 3, 4)  # drawn per story
HEADLINE_CHANGED = 0.8
TRIMMED = 0.6
TRIM_KEEP = (0.4, 0.9)  # share of paragraphs kept
DATELINE_ADDED = 0.5
CREDITED = 0.5
DATED_BEFORE_ORIGINAL = 0.1  # a copy whose date is earlier than its original's (time zones, wrong clocks)
DISTRACTOR_PAIRS = 60
OUTLETS = 200
WIRES = 10

# What other templates leave in an extracted body: the lines the extractor did not recognise as furniture.
TEMPLATE_LEFTOVERS = {
    "en": ["Sign up for our daily newsletter", "Read more: the day's top stories", "Share this article",
           "Advertisement", "Follow us on Facebook and X", "Related coverage", "Listen to this article",
           "Comments are closed for this story", "Most popular", "Subscribe for unlimited access"],
    "de": ["Jetzt den Newsletter abonnieren", "Lesen Sie auch: Die wichtigsten Nachrichten des Tages", "Anzeige",
           "Artikel teilen", "Folgen Sie uns auf Facebook und X", "Mehr zum Thema", "Artikel anhören",
           "Die Kommentarfunktion ist geschlossen", "Meistgelesen", "Jetzt weiterlesen mit Abo"],
}
HEADLINE_PREFIXES = {"en": ["Update:", "Breaking:", "Explainer:", "Watch:"],
                     "de": ["Update:", "Eilmeldung:", "Analyse:", "Kommentar:"]}
CITIES = ["BERLIN", "LONDON", "NEW YORK", "PARIS", "VIENNA", "ZURICH", "WASHINGTON", "BRUSSELS", "TOKYO", "MADRID"]
CREDIT_LINES = ["This article originally appeared on {wire}.", "This post appeared first on {wire}", "({wire})"]


@dataclass(frozen=True)
class BaseArticle:
    key: str
    title: str
    paragraphs: tuple[str, ...]
    language: str
    published: str | None


@dataclass
class BenchArticle:
    article: Article
    story: int  # the base article it tells
    original: bool
    credited: bool


@dataclass
class QualityResult:
    articles: int
    stories: int
    copies: int
    credited_copies: int
    pair_precision: float
    pair_recall: float
    pair_f1: float
    copy_of_credited_accuracy: float
    copy_of_in_story_accuracy: float  # every copy: copy_of names an article of its own story
    distractor_pairs: int
    distractor_pairs_merged: int
    seconds: float


@dataclass
class ExtractionSample:
    """The extraction stage on real dev-set pages: what every article costs before the store step, the same
    with and without stories, and what stories add to it (their features, made where extraction runs)."""

    pages: int
    articles: int  # pages extracted into an article that passed validation
    seconds_extract: float  # extract_stage without the story features, every page
    seconds_story_features: float  # story_features of the articles
    seconds_store_without: float  # the store step of these articles into an empty corpus, without stories
    seconds_store_with: float  # ... with stories

    @property
    def ingest_seconds_without(self) -> float:
        return self.seconds_extract + self.seconds_store_without

    @property
    def ingest_seconds_with(self) -> float:
        return self.seconds_extract + self.seconds_story_features + self.seconds_store_with


@dataclass
class ScaleResult:
    """Times are CPU seconds of this process (user + system: its writes included), which other load on the
    machine inflates less than wall-clock time; wall-clock seconds of the store step are reported beside them.

    Ingest is extract -> validate -> store, as replay does it. Extraction does not change with the size of the
    corpus; the store step does. So extraction is measured on real dev-set pages (`sample`) and the store step
    at `articles` articles (synthetic: the dev sets hold far fewer pages), and the ingest time per article at
    that size is their sum: extraction per page of the sample + the store step per article at `articles`
    (+ the story features per article of the sample, with stories)."""

    articles: int
    seconds_without_stories: float  # the store step without stories
    seconds_with_stories: float  # the store step with stories, the features made beforehand (in the extraction
    # stage: in a crawl's or replay's worker processes)
    seconds_story_features: float  # making the features of the synthetic articles (story_features), on its own
    added_share: float  # what stories add to the store step
    added_share_last_fifth: float  # the store step once the corpus is large: the last fifth of the articles
    rebuild_seconds: float
    stories: int
    copies: int
    sample: ExtractionSample | None = None
    rebuild_cpu_seconds: float = 0.0
    wall_seconds_without_stories: float = 0.0
    wall_seconds_with_stories: float = 0.0
    chunk_seconds: list[tuple[float, float, float]] = field(default_factory=list)

    @property
    def extract_ms(self) -> float:
        """The extraction stage per page (without the story features), from the sample."""
        return self.sample.seconds_extract / self.sample.pages * 1000 if self.sample and self.sample.pages else 0.0

    @property
    def features_ms(self) -> float:
        """The story features per article: of the sample's real articles when there is a sample."""
        if self.sample and self.sample.articles:
            return self.sample.seconds_story_features / self.sample.articles * 1000
        return self.seconds_story_features / self.articles * 1000

    @property
    def ingest_ms_without(self) -> float:
        return self.extract_ms + self.seconds_without_stories / self.articles * 1000

    @property
    def ingest_ms_with(self) -> float:
        return self.extract_ms + self.features_ms + self.seconds_with_stories / self.articles * 1000

    @property
    def ingest_added_share(self) -> float:
        """What stories add to ingest time at `articles` articles."""
        return self.ingest_ms_with / self.ingest_ms_without - 1


# --- the dev-set articles ----------------------------------------------------------------------------

def load_bases(datasets_dir: Path) -> list[BaseArticle]:
    bases: list[BaseArticle] = []
    seen: list[set[tuple[str, ...]]] = []
    for name in DATASETS:
        gold_path = datasets_dir / name / "gold.json"
        if not gold_path.exists():
            continue
        for key, record in sorted(json.loads(gold_path.read_text(encoding="utf-8")).items()):
            body, title = record.get("body"), record.get("title")
            if not body or not title or str(record.get("synthetic")) == "True" or len(body.split()) < MIN_BASE_WORDS:
                continue
            shingles = _exact_shingles(body)
            if any(_jaccard(shingles, other) >= DUPLICATE_BASE_JACCARD for other in seen):
                continue
            language = "de" if name == "fundus-de" else (language_by_stopwords(body) or record.get("lang") or "en")
            paragraphs = tuple(paragraph.strip() for paragraph in body.split("\n") if paragraph.strip())
            bases.append(BaseArticle(f"{name}/{key}", title.strip(), paragraphs, language, _day(record.get("date"))))
            seen.append(shingles)
    return bases


def _exact_shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 5]) for i in range(max(1, len(words) - 4))}


def _jaccard(first: set, second: set) -> float:
    return len(first & second) / len(first | second) if first and second else 0.0


def _day(value: object) -> str | None:
    text = str(value or "")
    try:
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


# --- how other outlets run a story ------------------------------------------------------------------------

def wire_name(number: int) -> str:
    return f"Wire {number:02d}"


def outlet_name(number: int) -> str:
    return f"Outlet {number:03d}"


def _site(name: str) -> str:
    return name.lower().replace(" ", "") + ".example"


def syndicated_copy(rng: random.Random, title: str, paragraphs: Sequence[str], language: str, wire: str,
                    published: str | None, slug: str) -> tuple[Article, bool]:
    """Another outlet's run of a story: template leftovers, maybe another headline, a dateline, a trimmed
    ending, a credit (read by the extractor into `credits`). Returns the article and whether it credits."""
    outlet = outlet_name(rng.randrange(OUTLETS))
    leftovers = TEMPLATE_LEFTOVERS.get(language, TEMPLATE_LEFTOVERS["en"])
    prefixes = HEADLINE_PREFIXES.get(language, HEADLINE_PREFIXES["en"])
    body = list(paragraphs)
    if rng.random() < TRIMMED and len(body) > 2:
        kept = max(2, math.ceil(len(body) * rng.uniform(*TRIM_KEEP)))
        while kept < len(body) and sum(len(paragraph.split()) for paragraph in body[:kept]) < MIN_BASE_WORDS:
            kept += 1  # a trimmed copy is still an article
        body = body[:kept]
    if rng.random() < DATELINE_ADDED:
        body[0] = f"{rng.choice(CITIES)} ({wire}) - {body[0]}"
    top, bottom = rng.sample(leftovers, 2)
    body = [top, *body, bottom]
    if rng.random() < HEADLINE_CHANGED:
        lead_words = paragraphs[0].split()
        title = rng.choice([
            f"{rng.choice(prefixes)} {title}",
            " ".join(lead_words[:rng.randint(8, 12)]).rstrip(",;:"),
            " ".join(title.split()[:-2]) if len(title.split()) > 5 else f"{title} | {outlet}",
        ])
    credited = rng.random() < CREDITED
    if published and rng.random() < DATED_BEFORE_ORIGINAL and credited:
        moved = datetime.fromisoformat(published) - timedelta(hours=rng.randint(1, 10))
    elif published:
        moved = datetime.fromisoformat(published) + timedelta(minutes=rng.randint(5, 30 * 60))
    else:
        moved = None
    article = Article(url=f"https://{_site(outlet)}/{slug}", title=title, body="\n\n".join(body),
                      published=moved.isoformat(timespec="minutes") if moved else None, outlet=outlet, language=language,
                      credits=[wire] if credited else [])
    return article, credited


def quality_corpus(bases: Sequence[BaseArticle], seed: int = SEED) -> tuple[list[BenchArticle], list[tuple[int, int]]]:
    """The articles (shuffled) and the distractor pairs (indices of bases dated alike)."""
    rng = random.Random(seed)
    published = [base.published for base in bases]
    distractors = same_topic_pairs(bases, DISTRACTOR_PAIRS)
    for first, second in distractors:
        published[second] = published[first] = published[first] or published[second] or "2025-01-15"
    articles: list[BenchArticle] = []
    for number, base in enumerate(bases):
        wire = wire_name(rng.randrange(WIRES))
        when = f"{published[number]}T{rng.randint(6, 20):02d}:{rng.randint(0, 59):02d}" if published[number] else None
        slug = f"story-{number}"
        original = Article(url=f"https://{_site(wire)}/{slug}", title=base.title, body="\n\n".join(base.paragraphs),
                           published=when, outlet=wire, language=base.language)
        articles.append(BenchArticle(original, number, original=True, credited=False))
        for _ in range(rng.choice(COPIES_PER_STORY)):
            copy, credited = syndicated_copy(rng, base.title, base.paragraphs, base.language, wire, when, slug)
            articles.append(BenchArticle(copy, number, original=False, credited=credited))
    rng.shuffle(articles)
    return articles, distractors


def same_topic_pairs(bases: Sequence[BaseArticle], count: int) -> list[tuple[int, int]]:
    """The `count` disjoint pairs of distinct bases (same language) that share the most weighted names and
    title-and-lead words: different events on one topic, as alike as the dev sets have them."""
    features = [story_features(Article(url=None, title=base.title, body="\n\n".join(base.paragraphs), language=base.language))
                for base in bases]
    vocabulary = Vocabulary(len(features))
    for feature in features:
        for term in vocabulary_terms(feature):
            vocabulary.frequencies[term] = vocabulary.frequencies.get(term, 0) + 1
    scored = []
    for first in range(len(bases)):
        for second in range(first + 1, len(bases)):
            if bases[first].language != bases[second].language or not features[first].names & features[second].names:
                continue
            score = score_pair(features[first], features[second], vocabulary)
            scored.append((-(score.name_overlap + score.action_cosine), first, second))
    scored.sort()
    used: set[int] = set()
    pairs = []
    for _, first, second in scored:
        if first in used or second in used:
            continue
        pairs.append((first, second))
        used |= {first, second}
        if len(pairs) == count:
            break
    return pairs


def bench_quality(datasets_dir: Path, seed: int = SEED) -> QualityResult:
    bases = load_bases(datasets_dir)
    if not bases:
        raise FileNotFoundError(f"no dev-set articles under {datasets_dir} (expected {', '.join(DATASETS)})")
    articles, distractors = quality_corpus(bases, seed)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        ingestor = Ingestor(store)
        started = time.perf_counter()
        ids = [_store(ingestor, item.article) for item in articles]
        seconds = time.perf_counter() - started
        rows = {row["id"]: row for row in store.db.query("SELECT id, story_id, copy_of FROM articles")}
        store.close()
    story_of_article = {article_id: item.story for article_id, item in zip(ids, articles)}
    truth = [item.story for item in articles]
    predicted = [rows[article_id]["story_id"] for article_id in ids]
    precision, recall, f1 = pair_scores(truth, predicted)
    original_id = {item.story: article_id for article_id, item in zip(ids, articles) if item.original}
    credited = [(article_id, item) for article_id, item in zip(ids, articles) if item.credited]
    credited_right = sum(1 for article_id, item in credited if rows[article_id]["copy_of"] == original_id[item.story])
    copies = [(article_id, item) for article_id, item in zip(ids, articles) if not item.original]
    in_story = sum(1 for article_id, item in copies
                   if story_of_article.get(rows[article_id]["copy_of"]) == item.story)
    merged = sum(1 for first, second in distractors
                 if rows[original_id[first]]["story_id"] == rows[original_id[second]]["story_id"])
    return QualityResult(
        articles=len(articles), stories=len(bases), copies=len(copies), credited_copies=len(credited),
        pair_precision=precision, pair_recall=recall, pair_f1=f1,
        copy_of_credited_accuracy=credited_right / len(credited) if credited else 1.0,
        copy_of_in_story_accuracy=in_story / len(copies) if copies else 1.0,
        distractor_pairs=len(distractors), distractor_pairs_merged=merged, seconds=seconds)


def pair_scores(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float, float]:
    """Pair precision, recall and F1: over all pairs of articles, is 'same story' predicted and true."""
    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    true_pairs = pairs(Counter(truth))
    predicted_pairs = pairs(Counter(predicted))
    both = pairs(Counter(zip(truth, predicted)))
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _store(ingestor: Ingestor, article: Article) -> int:
    document = Document(content=article.body.encode("utf-8"), url=article.url, origin=article.url or "", source="crawl")
    result = ingestor.store_extraction(document, Extraction(article=article, compressed_raw=compress_raw(document.content)))
    if not result.stored:
        raise RuntimeError(f"benchmark article not stored: {result.reason}")
    return result.article_id


# --- scale ---------------------------------------------------------------------------------------------------

SYNDICATED_SHARE = 0.25  # of the scale corpus: copies of an earlier article
RECENT_ARTICLES = 2000  # copies are made of articles this recent
SCALE_DAYS = 365
SCALE_CHUNK = 250
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ\"“„])")


def scale_articles(bases: Sequence[BaseArticle], count: int, seed: int = SEED) -> Iterator[Article]:
    """`count` articles: each new one made of sentences of several dev-set bodies of one language (as long as a
    real body), titled by a real headline; a share of them syndicated copies of a recent one."""
    rng = random.Random(seed)
    sentences: dict[str, list[str]] = {}
    for base in bases:
        for paragraph in base.paragraphs:
            sentences.setdefault(base.language, []).extend(s for s in _SENTENCE_END.split(paragraph) if s.strip())
    recent: list[tuple[str, list[str], str, str, str]] = []
    start = date(2024, 1, 1)
    for number in range(count):
        if recent and rng.random() < SYNDICATED_SHARE:
            title, paragraphs, language, wire, published = rng.choice(recent)
            copy, _ = syndicated_copy(rng, title, paragraphs, language, wire, published, f"scale-{number}")
            yield copy
            continue
        base = rng.choice(bases)
        pool = sentences[base.language]
        target = sum(len(paragraph.split()) for paragraph in rng.choice(bases).paragraphs)
        paragraphs, words = [], 0
        while words < target:
            paragraph = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        wire = wire_name(rng.randrange(WIRES))
        published = f"{(start + timedelta(days=rng.randrange(SCALE_DAYS))).isoformat()}T{rng.randint(0, 23):02d}:00"
        article = Article(url=f"https://{_site(wire)}/scale-{number}", title=base.title, body="\n\n".join(paragraphs),
                          published=published, outlet=wire, language=base.language)
        recent.append((base.title, paragraphs, base.language, wire, published))
        if len(recent) > RECENT_ARTICLES:
            recent.pop(0)
        yield article


def real_pages(datasets_dir: Path, limit: int | None = None, seed: int = SEED) -> list[Document]:
    """The real pages of the dev sets (html/ID.html.gz beside a gold entry that is not synthetic), as replay
    reads them; `limit` of them drawn at random (in a fixed order) when given."""
    documents = []
    for name in DATASETS:
        gold_path = datasets_dir / name / "gold.json"
        if not gold_path.exists():
            continue
        for key, record in sorted(json.loads(gold_path.read_text(encoding="utf-8")).items()):
            path = datasets_dir / name / "html" / f"{key}.html.gz"
            if str(record.get("synthetic")) == "True" or not path.is_file():
                continue
            documents.append(Document(content=gzip.decompress(path.read_bytes()), url=record.get("url") or None,
                                      origin=str(path), source="replay", content_type="text/html"))
    if limit is not None and limit < len(documents):
        documents = random.Random(seed).sample(documents, limit)
    return documents


def bench_extraction(datasets_dir: Path, limit: int | None = None, seed: int = SEED) -> ExtractionSample:
    """Ingest real dev-set pages as replay does (extract_stage, then the store step), timing the extraction
    without the story features, the features, and the store step into two empty corpora, without and with
    stories (the extraction is the same work for both, so it is done once)."""
    documents = real_pages(datasets_dir, limit, seed)
    if not documents:
        raise FileNotFoundError(f"no dev-set pages under {datasets_dir} (expected {', '.join(DATASETS)} with html/)")
    prepared: list[tuple[Document, Extraction]] = []
    extract_seconds = features_seconds = 0.0
    articles = 0
    for document in documents:
        started = time.process_time()
        extraction = extract_stage(document, with_story_features=False)
        extract_seconds += time.process_time() - started
        if extraction.article is not None:
            started = time.process_time()
            extraction.story_features = story_features(extraction.article)
            features_seconds += time.process_time() - started
            articles += 1
        prepared.append((document, extraction))
    with tempfile.TemporaryDirectory() as folder:
        stores = {"without": Store(Path(folder) / "without.db"), "with": Store(Path(folder) / "with.db")}
        ingestors = {"without": Ingestor(stores["without"], group_stories=False), "with": Ingestor(stores["with"])}
        seconds = {"without": 0.0, "with": 0.0}
        for start in range(0, len(prepared), SCALE_CHUNK):
            order = ["without", "with"] if (start // SCALE_CHUNK) % 2 == 0 else ["with", "without"]
            for name in order:
                started = time.process_time()
                for document, extraction in prepared[start:start + SCALE_CHUNK]:
                    ingestors[name].store_extraction(document, extraction)
                seconds[name] += time.process_time() - started
        for store in stores.values():
            store.close()
    return ExtractionSample(pages=len(documents), articles=articles, seconds_extract=extract_seconds,
                            seconds_story_features=features_seconds, seconds_store_without=seconds["without"],
                            seconds_store_with=seconds["with"])


def bench_scale(datasets_dir: Path, count: int, seed: int = SEED, progress=None,
                extract_pages: int | None = None) -> ScaleResult:
    """Store the same `count` articles into two corpora, without and with stories, a chunk at a time in turn
    (the order swapped every chunk, so a burst of other load falls on both); then rebuild the stories. The
    extraction stage is timed on `extract_pages` real dev-set pages first (None: all of them; 0: not timed)."""
    bases = load_bases(datasets_dir)
    if not bases:
        raise FileNotFoundError(f"no dev-set articles under {datasets_dir} (expected {', '.join(DATASETS)})")
    sample = bench_extraction(datasets_dir, extract_pages, seed) if extract_pages != 0 else None
    if progress and sample:
        progress(0, sample.seconds_store_without, sample.seconds_store_with, sample.seconds_story_features,
                 sample=sample)
    generated = scale_articles(bases, count, seed)
    with tempfile.TemporaryDirectory() as folder:
        without = Store(Path(folder) / "without.db")
        with_stories = Store(Path(folder) / "with.db")
        ingestors = {"without": Ingestor(without, group_stories=False), "with": Ingestor(with_stories)}
        chunks: list[tuple[float, float, float]] = []
        wall = {"without": 0.0, "with": 0.0}
        done = 0
        while done < count:
            prepared = []
            articles = _take(generated, min(SCALE_CHUNK, count - done))
            started = time.process_time()
            features = [story_features(article) for article in articles]
            features_seconds = time.process_time() - started
            for article, article_features in zip(articles, features):
                document = Document(content=article.body.encode("utf-8"), url=article.url, origin=article.url or "",
                                    source="crawl")
                prepared.append((document, Extraction(article=article, compressed_raw=compress_raw(document.content),
                                                      story_features=article_features)))
            order = ["without", "with"] if (done // SCALE_CHUNK) % 2 == 0 else ["with", "without"]
            seconds = {}
            for name in order:
                ingestor = ingestors[name]
                started, wall_started = time.process_time(), time.perf_counter()
                for document, extraction in prepared:
                    ingestor.store_extraction(document, extraction)
                seconds[name] = time.process_time() - started
                wall[name] += time.perf_counter() - wall_started
            chunks.append((seconds["without"], seconds["with"], features_seconds))
            done += len(prepared)
            if progress:
                progress(done, seconds["without"], seconds["with"], features_seconds)
        started = time.process_time()
        rebuild = rebuild_stories(with_stories)
        rebuild_cpu = time.process_time() - started
        without.close()
        with_stories.close()
    total_without = sum(chunk[0] for chunk in chunks)
    total_with = sum(chunk[1] for chunk in chunks)
    total_features = sum(chunk[2] for chunk in chunks)
    last = chunks[-max(1, len(chunks) // 5):]
    last_without, last_with = sum(chunk[0] for chunk in last), sum(chunk[1] for chunk in last)
    return ScaleResult(articles=count, seconds_without_stories=total_without, seconds_with_stories=total_with,
                       seconds_story_features=total_features, added_share=total_with / total_without - 1,
                       added_share_last_fifth=last_with / last_without - 1, rebuild_seconds=rebuild.seconds,
                       stories=rebuild.stories, copies=rebuild.copies, sample=sample, rebuild_cpu_seconds=rebuild_cpu,
                       wall_seconds_without_stories=wall["without"], wall_seconds_with_stories=wall["with"],
                       chunk_seconds=chunks)


def _take(iterator: Iterator[Article], count: int) -> list[Article]:
    return [article for _, article in zip(range(count), iterator)]


def report_lines(quality: QualityResult | None, scale: ScaleResult | None) -> list[str]:
    lines = ["| measure | value |", "| --- | --- |"]
    if quality:
        lines += [
            f"| quality corpus | {quality.articles} articles: {quality.stories} stories, {quality.copies} copies "
            f"({quality.credited_copies} credited), {quality.distractor_pairs} same-topic distractor pairs |",
            f"| story_id pair precision / recall / F1 | {quality.pair_precision:.3f} / {quality.pair_recall:.3f} / "
            f"{quality.pair_f1:.3f} |",
            f"| copy_of right, credited copies | {quality.copy_of_credited_accuracy:.3f} |",
            f"| copy_of within its story, all copies | {quality.copy_of_in_story_accuracy:.3f} |",
            f"| distractor pairs merged | {quality.distractor_pairs_merged} of {quality.distractor_pairs} |",
        ]
    if scale:
        sample = scale.sample
        if sample:
            lines += [
                f"| ingest of {sample.pages} real dev-set pages (extract, validate, store into an empty corpus), "
                f"without stories | {_docs_per_second(sample.pages, sample.ingest_seconds_without)} |",
                f"| ... with stories | {_docs_per_second(sample.pages, sample.ingest_seconds_with)}: "
                f"**{sample.ingest_seconds_with / sample.ingest_seconds_without - 1:+.1%}** |",
                f"| extraction stage per real page (without story features) | {scale.extract_ms:.2f} ms CPU |",
                f"| story features per real article (made in the extraction stage) | {scale.features_ms:.2f} ms CPU |",
            ]
        store_without = scale.seconds_without_stories / scale.articles * 1000
        store_with = scale.seconds_with_stories / scale.articles * 1000
        lines += [
            f"| store step, {scale.articles:,} articles, without stories | {scale.seconds_without_stories:.1f} s CPU "
            f"({store_without:.2f} ms/article; wall {scale.wall_seconds_without_stories:.1f} s) |",
            f"| store step, {scale.articles:,} articles, with stories (features made beforehand) | "
            f"{scale.seconds_with_stories:.1f} s CPU ({store_with:.2f} ms/article; wall "
            f"{scale.wall_seconds_with_stories:.1f} s): {scale.added_share:+.1%} overall, "
            f"{scale.added_share_last_fifth:+.1%} over the last fifth |",
        ]
        if sample:
            lines += [
                f"| **ingest at {scale.articles:,} articles**, without stories (extraction per page of the sample "
                f"+ store step per article at {scale.articles:,}) | {scale.extract_ms:.2f} + {store_without:.2f} = "
                f"{scale.ingest_ms_without:.2f} ms/article: {1000 / scale.ingest_ms_without:.1f} docs/s per CPU |",
                f"| **ingest at {scale.articles:,} articles**, with stories (+ story features per article) | "
                f"{scale.extract_ms:.2f} + {scale.features_ms:.2f} + {store_with:.2f} = {scale.ingest_ms_with:.2f} "
                f"ms/article: {1000 / scale.ingest_ms_with:.1f} docs/s per CPU |",
                f"| **what stories add to ingest time at {scale.articles:,} articles** | "
                f"**{scale.ingest_added_share:+.1%}** |",
            ]
        lines.append(f"| `stories --rebuild` of {scale.articles:,} articles | {scale.rebuild_seconds:.1f} s wall-clock, "
                     f"{scale.rebuild_cpu_seconds:.1f} s CPU "
                     f"({scale.stories:,} stories, {scale.copies:,} copies) |")
    return lines


def _docs_per_second(documents: int, seconds: float) -> str:
    return f"{documents / seconds:.1f} docs/s per CPU ({seconds:.1f} s CPU)" if seconds else "-"


def results_json(quality: QualityResult | None, scale: ScaleResult | None) -> str:
    data = {"quality": asdict(quality) if quality else None, "scale": asdict(scale) if scale else None}
    if scale:
        data["scale"].pop("chunk_seconds")
        data["scale"].update(extract_ms=scale.extract_ms, features_ms=scale.features_ms,
                             ingest_ms_without=scale.ingest_ms_without if scale.sample else None,
                             ingest_ms_with=scale.ingest_ms_with if scale.sample else None,
                             ingest_added_share=scale.ingest_added_share if scale.sample else None)
    return json.dumps(data, indent=2)
