"""Stories: near-copies (other templates, headlines, trimmed endings, datelines) and credited copies join the
original's story with the right copy_of; coverage of one event in other words joins too; same-topic stories
about other events (two Apple products, two storms, another Putin-Kim meeting) stay apart; the five seeds
are one story; an edited article is grouped again; a rebuild gives the same stories every time."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from conftest import FIXTURES
from extractors import Article, Document
from newsdesk.corpus.ingest import Extraction, Ingestor
from newsdesk.corpus.replay import replay_inputs
from newsdesk.corpus.store import Store
from newsdesk.corpus.stories import (
    CopyGroupMember, Vocabulary, band_keys, choose_copy_links, rebuild_stories, score_pair, story_features,
)

STORIES = FIXTURES / "stories"

WIRE_BODY = [
    "The European Central Bank left interest rates unchanged on Thursday, keeping its deposit rate at 4% for a fifth "
    "consecutive meeting, as policymakers in Frankfurt waited for clearer evidence that inflation in the euro zone is "
    "heading back to their 2% target.",
    "ECB President Christine Lagarde told reporters that the Governing Council had not discussed cutting rates, but "
    "said it would be wrong to rule out a move in June, when new staff projections will be available.",
    "Inflation in the 20 countries that share the euro eased to 2.6% in February from 2.8% in January, while wage "
    "growth remained strong, according to figures published by Eurostat last week.",
    "Economists polled before the meeting expected the first cut in June, and markets were pricing in about four "
    "quarter-point reductions by the end of the year, slightly fewer than a month ago.",
    "The bank also lowered its growth forecast for this year to 0.6% from 0.8%, citing weak demand and the lagged "
    "effect of its past rate increases on lending to households and companies across the bloc.",
    "Lagarde said the labour market remained resilient, with unemployment at a record low of 6.4%, but that "
    "manufacturing output continued to shrink in Germany, the region's largest economy.",
]


def stored(store: Store, article: Article, *, source: str = "crawl") -> int:
    """Store one article through the ingest core's store step, as a crawl or replay does after extraction."""
    document = Document(content=(article.title or "").encode() + article.body.encode(), url=article.url,
                        origin=article.url or article.title or "", source=source)
    result = Ingestor(store).store_extraction(document, Extraction(article=article))
    assert result.stored, result.reason
    return result.article_id


def wire(**overrides) -> Article:
    fields = dict(url="https://wire.example/markets/ecb-holds-rates",
                  title="ECB holds rates at record high, Lagarde keeps June open", body="\n\n".join(WIRE_BODY),
                  published="2024-03-07T13:45", outlet="Reuters", language="en")
    fields.update(overrides)
    return Article(**fields)


def copy_of_wire(site: str, *, title: str, paragraphs: int = len(WIRE_BODY), dateline: str = "", template: tuple[str, ...] = (),
                 credit: str | None = None, published: str = "2024-03-07T15:00", outlet: str | None = None) -> Article:
    """The wire story as another site runs it: its own headline and leftovers of its template, a dateline,
    a credit line, the ending trimmed."""
    body = [dateline + WIRE_BODY[0], *WIRE_BODY[1:paragraphs]]
    body = [*template[:1], *body, *template[1:]]
    return Article(url=f"https://{site}/news/ecb-rates", title=title, body="\n\n".join(body), published=published,
                   outlet=outlet or site, language="en", credits=[credit] if credit else [])


def row(store: Store, article_id: int) -> dict:
    return store.article(article_id)


def story_partition(store: Store) -> set[frozenset[str]]:
    """The stories as sets of article URLs (or titles): comparable across corpora and rebuilds."""
    groups: dict[int, set[str]] = {}
    for article in store.articles():
        groups.setdefault(article["story_id"], set()).add(article["url"] or article["title"])
    return {frozenset(group) for group in groups.values()}


def replay_paths(store: Store, paths: list[Path]) -> dict[str, int]:
    ingestor = Ingestor(store)
    ids = {}
    for item in replay_inputs([str(path) for path in paths], store):
        result = ingestor.ingest(item.document)
        assert result.stored, result.reason
        ids[Path(item.origin).stem] = result.article_id
    return ids


# --- near-copies ---------------------------------------------------------------------------------------

def test_a_copy_with_another_template_headline_dateline_and_trimmed_ending_is_a_near_copy():
    original = story_features(wire())
    copy = story_features(copy_of_wire(
        "daily.example", title="Eurozone rates on hold as inflation cools", paragraphs=4,
        dateline="FRANKFURT, March 7 (Reuters) - ",
        template=("Sign up for our morning briefing", "Most read: Ten things to know today", "Share this article")))
    score = score_pair(copy, original, Vocabulary(2))
    assert score.is_copy, score
    assert score.containment > 0.8


def test_an_article_on_the_same_subject_in_other_words_is_no_near_copy():
    other = Article(url=None, title="ECB keeps rates on hold", language="en", body=(
        "Policymakers at the European Central Bank kept borrowing costs steady on Thursday. Christine Lagarde said a "
        "cut in June was possible, while inflation fell to 2.6% in February and the growth forecast was lowered."))
    score = score_pair(story_features(other), story_features(wire()), Vocabulary(2))
    assert not score.is_copy


def test_copies_join_the_original_story_and_name_it_as_copy_of(store: Store):
    original = stored(store, wire())
    trimmed = stored(store, copy_of_wire("daily.example", title="Eurozone rates on hold as inflation cools", paragraphs=3))
    templated = stored(store, copy_of_wire("morning.example", title="ECB: no cut yet", dateline="FRANKFURT (Reuters) - ",
                                           template=("Advertisement", "Read more: markets live blog")))
    stories = {row(store, article_id)["story_id"] for article_id in (original, trimmed, templated)}
    assert len(stories) == 1
    assert row(store, original)["copy_of"] is None
    assert row(store, trimmed)["copy_of"] == original
    assert row(store, templated)["copy_of"] == original
    overview, members = store.story(stories.pop())
    assert overview.article_count == 3 and overview.outlet_count == 3
    assert overview.title == wire().title, "the earliest published member names the story"
    assert overview.first_published == "2024-03-07T13:45" and overview.last_published == "2024-03-07T15:00"
    assert [member.article_id for member in members] == [original, trimmed, templated]


def test_an_original_stored_after_its_copy_becomes_what_the_copy_copies(store: Store):
    copy = stored(store, copy_of_wire("daily.example", title="Rates on hold", paragraphs=4))
    assert row(store, copy)["copy_of"] is None, "alone, the copy is nobody's copy yet"
    original = stored(store, wire())
    assert row(store, copy)["copy_of"] == original
    assert row(store, original)["copy_of"] is None
    assert row(store, copy)["story_id"] == row(store, original)["story_id"]


def test_a_credited_copy_names_the_outlet_it_credits_not_the_earliest(store: Store):
    # The earliest copy is a blog's; a later paper credits the wire service, which is stored last.
    blog = stored(store, copy_of_wire("blog.example", title="ECB sits tight", published="2024-03-07T12:00", outlet="Rates Blog"))
    paper = stored(store, copy_of_wire("paper.example", title="ECB holds", credit="Reuters", published="2024-03-07T16:00"))
    reuters = stored(store, wire(published="2024-03-07T13:45"))
    assert row(store, paper)["copy_of"] == reuters, "the credited original"
    assert row(store, blog)["copy_of"] == reuters, "the credited original is the group's original"
    assert row(store, reuters)["copy_of"] is None


def test_a_repost_that_appeared_first_elsewhere_is_a_copy_of_that_outlet(store: Store):
    original = stored(store, wire(url="https://foxnews.example/world/ecb", outlet="Fox News", published=None))
    repost = stored(store, copy_of_wire("aggregator.example", title="ECB holds rates", published=None,
                                        outlet="Fox News", credit="Fox News"))
    unrelated_copy = stored(store, copy_of_wire("mirror.example", title="ECB holds rates again", published=None,
                                                outlet="Mirror"))
    assert row(store, repost)["copy_of"] == original
    assert row(store, unrelated_copy)["copy_of"] == original, "undated: the first stored is the original"


def test_copy_links_credits_match_outlet_names_and_sites():
    members = [
        CopyGroupMember(1, "2024-03-07", "Daily", "https://daily.example/a", ()),
        CopyGroupMember(2, "2024-03-08", "Fox News", "https://www.foxnews.com/world/a", ()),
        CopyGroupMember(3, "2024-03-09", "Blog", "https://blog.example/a", ("FOX NEWS",)),
        CopyGroupMember(4, "2024-03-10", "Other", "https://other.example/a", ("foxnews",)),
    ]
    assert choose_copy_links(members) == {2: None, 1: 2, 3: 2, 4: 2}
    assert choose_copy_links(members[:1] + members[2:3]) == {1: None, 3: 1}, "no credited member: the earliest"


# --- same event, other words; same topic, other events ---------------------------------------------------

def test_the_five_seeds_are_one_story_of_their_own(store: Store, seed_paths):
    distractors = replay_paths(store, [STORIES / "putin-kim-pact.txt", STORIES / "apple-iphone-wire.txt"])
    seeds = replay_paths(store, seed_paths)
    seed_stories = {row(store, article_id)["story_id"] for article_id in seeds.values()}
    assert len(seed_stories) == 1
    (story_id,) = seed_stories
    assert {row(store, article_id)["story_id"] for article_id in distractors.values()}.isdisjoint(seed_stories), \
        "another Putin-Kim meeting is another story"
    overview, members = store.story(story_id)
    assert overview.article_count == 5
    assert set(overview.outlets) == {"ANI", "Al Jazeera", "Fox News", "Arena Holdings"}
    assert all(member.copy_of is None for member in members), "five outlets in their own words: no copies"


def test_two_apple_product_stories_stay_apart_while_coverage_of_one_joins(store: Store):
    ids = replay_paths(store, [STORIES / "apple-iphone-wire.txt", STORIES / "apple-vision-pro.txt",
                               STORIES / "apple-iphone-rewrite.txt"])
    assert row(store, ids["apple-iphone-wire"])["story_id"] == row(store, ids["apple-iphone-rewrite"])["story_id"]
    assert row(store, ids["apple-vision-pro"])["story_id"] != row(store, ids["apple-iphone-wire"])["story_id"]


def test_two_storms_stay_apart_while_coverage_of_one_joins(store: Store):
    ids = replay_paths(store, [STORIES / "storm-helene.txt", STORIES / "storm-milton.txt", STORIES / "storm-milton-rewrite.txt"])
    assert row(store, ids["storm-milton"])["story_id"] == row(store, ids["storm-milton-rewrite"])["story_id"]
    assert row(store, ids["storm-helene"])["story_id"] != row(store, ids["storm-milton"])["story_id"]


def test_coverage_outside_the_date_window_is_another_story(store: Store):
    first = stored(store, Article(url="https://a.example/1", title="Hurricane Milton makes landfall in Florida",
                                  body=(STORIES / "storm-milton.txt").read_text().split("\n", 2)[2], published="2024-10-09",
                                  language="en"))
    later = stored(store, Article(url="https://b.example/1", title="Milton slams Florida's Gulf Coast",
                                  body=(STORIES / "storm-milton-rewrite.txt").read_text().split("\n", 2)[2],
                                  published="2024-11-20", language="en"))
    assert row(store, first)["story_id"] != row(store, later)["story_id"]


# --- changes and rebuilds ---------------------------------------------------------------------------------

def test_an_edited_article_is_grouped_again(store: Store):
    original = stored(store, wire())
    copy = stored(store, copy_of_wire("daily.example", title="Rates on hold"))
    assert row(store, copy)["story_id"] == row(store, original)["story_id"]
    storm = (STORIES / "storm-helene.txt").read_text().split("\n", 2)[2]
    stored(store, Article(url="https://daily.example/news/ecb-rates", title="Helene hits Florida", body=storm,
                          published="2024-09-26", outlet="daily.example", language="en"))
    edited = row(store, copy)
    assert edited["story_id"] != row(store, original)["story_id"] and edited["copy_of"] is None
    assert store.story(row(store, original)["story_id"])[0].article_count == 1, "the old story counts one member fewer"


def test_rebuild_gives_the_same_stories_as_ingest_and_the_same_every_time(store: Store, seed_paths):
    replay_paths(store, sorted(STORIES.glob("*.txt")) + seed_paths)
    stored(store, wire())
    stored(store, copy_of_wire("daily.example", title="Rates on hold", paragraphs=4))
    stored(store, copy_of_wire("paper.example", title="ECB holds", credit="Reuters"))
    ingested = story_partition(store)
    copies = {article["id"]: article["copy_of"] for article in store.articles()}
    first = rebuild_stories(store)
    assert story_partition(store) == ingested
    assert {article["id"]: article["copy_of"] for article in store.articles()} == copies
    rows_after_first = list(store.db.query("select * from stories order by id"))
    second = rebuild_stories(store)
    assert list(store.db.query("select * from stories order by id")) == rows_after_first
    assert (first.articles, first.stories, first.copies) == (second.articles, second.stories, second.copies) == (
        len(copies), len(ingested), 2)


def test_articles_stored_before_stories_get_one_when_seen_again_or_rebuilt(tmp_path: Path, seed_paths):
    corpus = Store(tmp_path / "old.db")
    replay_paths(corpus, seed_paths)
    corpus.clear_stories()  # as a corpus written before stories existed
    assert corpus.story_totals().articles_without_story == 5
    replay_paths(corpus, seed_paths[:1])  # unchanged input: it now gets its story
    assert corpus.story_totals().articles_without_story == 4
    rebuild_stories(corpus)
    assert corpus.story_totals().articles_without_story == 0 and corpus.story_totals().stories == 1
    corpus.close()


@pytest.mark.parametrize("published", ["2024-03-07", None])
def test_a_story_in_the_index_is_found_by_lookup_not_by_scanning(store: Store, published):
    """Candidates come from the band and name indexes: an unrelated corpus adds no candidates."""
    stored(store, wire(published=published))
    features = story_features(copy_of_wire("daily.example", title="Rates on hold", published=published or ""))
    assert store.story_copy_candidates(features.band_keys) == [1]
    plan = " ".join(row[3] for row in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT DISTINCT article_id FROM story_bands WHERE key IN (1, 2)").fetchall())
    assert "SEARCH" in plan and "SCAN story_bands" not in plan


# --- the index: lookups, batches, other processes, crashes ---------------------------------------------------

def test_minhash_signatures_are_datasketchs():
    from datasketch import MinHash

    from newsdesk.corpus.stories import MINHASH_PERMUTATIONS, MINHASH_SEED, minhash_signature, shingle_hashes

    shingles = shingle_hashes("the central bank left interest rates unchanged on thursday in frankfurt".split())
    reference = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=MINHASH_SEED, scheme="affine32", hashfunc=int)
    reference.update_batch(shingles.tolist())
    assert minhash_signature(shingles) == reference.hashvalues.astype("<u4").tobytes()


def test_index_rows_are_written_in_batches_and_recent_articles_are_found_meanwhile(store: Store):
    original = stored(store, wire())
    assert store.db.execute("SELECT count(*) FROM story_bands").fetchone()[0] == 0, "not written yet"
    copy = stored(store, copy_of_wire("daily.example", title="Rates on hold"))
    assert row(store, copy)["copy_of"] == original, "found among the recent articles"
    store.flush_story_index()
    assert store.db.execute("SELECT count(DISTINCT article_id) FROM story_bands").fetchone()[0] == 2
    assert store.db.execute("SELECT count(*) FROM story_features WHERE indexed = 0").fetchone()[0] == 0
    later = stored(store, copy_of_wire("paper.example", title="ECB holds"))
    assert row(store, later)["copy_of"] == original, "found in the written index"


def test_another_process_finds_articles_whose_index_rows_are_not_written_yet(tmp_path: Path):
    first, second = Store(tmp_path / "shared.db"), Store(tmp_path / "shared.db")
    original = stored(first, wire())
    copy = stored(second, copy_of_wire("daily.example", title="Rates on hold"))
    assert row(second, copy)["story_id"] == row(second, original)["story_id"]
    assert row(second, copy)["copy_of"] == original
    first.close()
    second.close()


def test_a_store_that_looked_up_already_finds_what_another_process_stored_since(tmp_path: Path):
    first, second = Store(tmp_path / "shared.db"), Store(tmp_path / "shared.db")
    unrelated = stored(second, Article(url="https://other.example/a", title="Harvest festival opens",
                                       body=" ".join(["The village harvest festival opened with music and food."] * 12)))
    vocabulary_before = second.story_vocabulary(["@ecb"]).frequencies["@ecb"]
    original = stored(first, wire())
    first.flush_story_index()  # its vocabulary counts written: the ECB is named once more
    copy = stored(second, copy_of_wire("daily.example", title="Rates on hold"))
    assert row(second, copy)["copy_of"] == original, "the other process's article is found"
    assert row(second, unrelated)["story_id"] != row(second, copy)["story_id"]
    assert second.story_vocabulary(["@ecb"]).frequencies["@ecb"] == vocabulary_before + 2, "its counts read again"
    first.close()
    second.close()


def test_story_features_bring_their_index_keys_from_the_extraction_process():
    features = pickle.loads(pickle.dumps(story_features(wire())))  # as from an extraction worker
    assert "band_keys" in vars(features) and "vocabulary_terms" in vars(features)
    assert features.band_keys == band_keys(features.signature)


def test_after_a_crash_articles_not_yet_indexed_are_still_found(tmp_path: Path):
    crashed = Store(tmp_path / "corpus.db")
    original = stored(crashed, wire())
    crashed.db.conn.close()  # killed: nothing flushed
    reopened = Store(tmp_path / "corpus.db")
    copy = stored(reopened, copy_of_wire("daily.example", title="Rates on hold"))
    assert row(reopened, copy)["copy_of"] == original
    reopened.close()
    assert Store(tmp_path / "corpus.db").db.execute("SELECT count(*) FROM story_features WHERE indexed = 0").fetchone()[0] == 0


def test_story_ids_and_copy_links_do_not_reindex_the_article_text(store: Store):
    """Writing story_id/copy_of must leave the full-text index alone (it follows title and body only)."""
    trigger = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_au'").fetchone()[0]
    assert "UPDATE OF title, body" in trigger
    article_id = stored(store, wire())
    store.db.conn.execute("UPDATE articles SET body = 'Completely different words about gardening' WHERE id = ?", [article_id])
    assert store.search("gardening")[0]["id"] == article_id


def test_closing_a_locked_corpus_leaves_the_index_rows_to_the_next_store(tmp_path: Path):
    import sqlite3

    corpus = Store(tmp_path / "corpus.db", busy_timeout=0.2)
    original = stored(corpus, wire())
    holder = sqlite3.connect(tmp_path / "corpus.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    corpus.close()  # cannot write its recent index rows: no error, nothing lost
    holder.execute("ROLLBACK")
    holder.close()
    with Store(tmp_path / "corpus.db") as reopened:
        copy = stored(reopened, copy_of_wire("daily.example", title="Rates on hold"))
        assert row(reopened, copy)["copy_of"] == original


def test_re_extracted_articles_keep_their_story(store: Store, seed_paths):
    from newsdesk.corpus.reextract import reextract

    replay_paths(store, seed_paths)
    before = story_partition(store)
    store.db.conn.execute("UPDATE articles SET extractor_version = '0.0.1', title = title || ' (old extraction)'")
    summary = reextract(store, workers=0)
    assert summary.counts["updated"] == 5
    assert story_partition(store) == before and store.story_totals().stories == 1
