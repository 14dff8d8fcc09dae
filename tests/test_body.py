"""The body voter: what it keeps and drops on a furniture-heavy page, when it asks trafilatura, and the
tree model it runs (checked against scikit-learn's own predictions)."""

from __future__ import annotations

import dataclasses
import json

import lxml.html
import numpy as np

from conftest import FIXTURES
from extractors import body
from extractors import extract
from extractors.blocks import segment
from extractors.body import LAYOUT_FEATURES, TreeModel, body_models, choose_blocks, layout_features

PAGE = (FIXTURES / "pages" / "wind-farm.html").read_bytes()
ARTICLE_PARAGRAPHS = [
    "Plans for a sixty-turbine wind farm twelve miles off the coast",
    "enough electricity to power around 400,000 homes",
    "Fishing organisations had argued that the turbines",
    "The approval comes with conditions.",
    "We have listened carefully to the concerns raised",
    "The chair of the regional fishermen's association",
]
FURNITURE = [
    "We use cookies", "Manage settings", "Business", "Home »", "By Callum Reid", "Facebook", "Photo: Courier archive",
    "Sign up to our daily newsletter", "Get the day's top stories", "Read more:", "Seabird numbers recover", "Tags:",
    "About the author", "environment correspondent", "thoughts on", "Good news for the harbour", "Leave a Reply",
    "Most Read", "Council tax to rise", "ferry timetable", "All rights reserved", "Privacy policy",
]


def test_every_paragraph_of_the_story_is_kept_and_the_furniture_around_it_dropped():
    article = extract(PAGE, "https://courier.example/environment/2025/06/wind-farm")
    for paragraph in ARTICLE_PARAGRAPHS:
        assert paragraph in article.body
    assert "Conditions attached" in article.body, "a subheading inside the story is story text"
    for furniture in FURNITURE:
        assert furniture not in article.body, furniture
    assert article.body.index("Plans for") < article.body.index("Conditions attached") < article.body.index("The chair")


def test_what_was_dropped_is_recorded_with_what_it_was():
    article = extract(PAGE, "https://courier.example/environment/2025/06/wind-farm")
    reasons = {removal.text: removal.reason for removal in article.removed}
    assert reasons["Sign up to our daily newsletter"] == "page furniture: promotion or newsletter box"
    comment = "Good news for the harbour, we need the jobs more than anything else right now."
    assert reasons[comment] == "page furniture: reader comments"
    assert reasons["Council tax to rise by five per cent as budget gap widens"] == "page furniture: teaser list"
    assert any(reason == "page furniture: short blocks" and text.endswith("short blocks (menu items, links, labels)")
               for text, reason in reasons.items()), "menu items are counted, not listed one by one"


def _blocks_and_titles():
    tree = lxml.html.document_fromstring(PAGE.decode("utf-8"))
    return segment(tree), ["Offshore wind farm gets green light despite fishing industry objections"]


def test_trafilatura_is_asked_only_when_the_layout_leaves_the_page_in_doubt(monkeypatch):
    blocks, titles = _blocks_and_titles()
    asked = []

    def ask() -> str:
        asked.append(True)
        return "\n".join(block.text for block in blocks if "turbine" in block.text)

    models = body_models()
    monkeypatch.setattr(body, "body_models", lambda: dataclasses.replace(models, doubt_share=float("inf")))
    settled = choose_blocks(blocks, titles, ask)
    assert not asked and settled.trafilatura_text is None

    monkeypatch.setattr(body, "body_models", lambda: dataclasses.replace(models, doubt_share=0.0))
    doubted = choose_blocks(blocks, titles, ask)
    assert asked == [True] and "turbine" in doubted.trafilatura_text
    assert len(doubted.kept) + len(doubted.dropped) == len(blocks)
    assert {block.index for block in doubted.overruled} <= {block.index for block in doubted.dropped}


def test_doubt_is_the_share_of_kept_text_whose_probability_is_in_the_band():
    blocks, _titles = _blocks_and_titles()
    models = dataclasses.replace(body_models(), doubt_band=(0.2, 0.8), doubt_share=0.5, threshold=0.5)
    chosen = np.zeros(len(blocks))
    chosen[0] = 0.9  # one block kept with confidence
    assert not models.in_doubt(blocks, chosen)
    chosen[1:] = 0.5  # everything else uncertain: far more text in doubt than kept
    assert models.in_doubt(blocks, chosen)


def test_the_headline_block_is_recognised_by_the_page_titles():
    blocks, titles = _blocks_and_titles()
    rows = layout_features(blocks, titles)
    column = LAYOUT_FEATURES.index("is_title")
    flagged = [block.text for block, row in zip(blocks, rows) if row[column]]
    assert flagged == ["Offshore wind farm gets green light despite fishing industry objections"]


def test_readability_container_vote_marks_the_story_container():
    blocks, titles = _blocks_and_titles()
    rows = layout_features(blocks, titles)
    column = LAYOUT_FEATURES.index("in_top_container")
    in_top = {block.text[:30] for block, row in zip(blocks, rows) if row[column]}
    assert any(text.startswith("Plans for a sixty-turbine") for text in in_top)
    assert not any(text.startswith("Council tax") or text.startswith("Good news") for text in in_top)


def test_ascii_text_is_counted_by_translation_exactly_as_the_regular_expressions_count_it():
    every_character = "".join(map(chr, range(128)))
    texts = [every_character, every_character[::-1], "Plans for 60 turbines. Approved?! Yes: A.B. O'Neil, 3rd_party",
             "  \x1c Tabs\tand\x1fodd\x0bspaces  end.  ", "", " ", "x", "ALL CAPS 123", "e.g. 4.5% -- 'quoted' (sic)."]
    for text in texts:
        assert body._ascii_counts(text) == body._scanned_counts(text), text


def test_the_exported_trees_predict_exactly_what_scikit_learn_predicts():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from newsdesk.devtools.body_training import export_trees

    generator = np.random.default_rng(0)
    features = generator.normal(size=(600, 4))
    labels = ((features[:, 0] > 0.2) & (features[:, 1] < 0.5) | (features[:, 3] > 1.5)).astype(int)
    model = HistGradientBoostingClassifier(max_iter=30, max_depth=4, max_leaf_nodes=9, early_stopping=False,
                                                   random_state=0).fit(features, labels)
    trees = TreeModel.from_dict(export_trees(model, ["a", "b", "c", "d"]))
    probe = generator.normal(size=(200, 4))
    assert np.allclose(trees.probabilities(probe.tolist()), model.predict_proba(probe)[:, 1])


def test_the_headline_is_the_title_not_the_first_paragraph_and_the_dropped_byline_still_names_the_author():
    page = (FIXTURES / "pages" / "harbour-bridge.html").read_bytes()
    article = extract(page, "https://coastalherald.example/news/2024/03/harbour-bridge-approved")
    assert article.title == "City council approves new harbour bridge after decade of debate"
    assert article.body.startswith("The city council voted on Wednesday evening")
    assert article.byline == "Maria Lindqvist"
    # the headline is left out either by the voter (a headline block) or after it (the first paragraph is the title)
    assert any("headline" in removal.reason and removal.text == article.title for removal in article.removed)


def test_credit_and_byline_lines_around_the_story_are_read_though_they_are_not_body():
    story = "".join(f"<p>{sentence} The harbour authority said the new schedule would be reviewed in the autumn, "
                    f"after the first full season of the extended service had been assessed by the council.</p>"
                    for sentence in ("Ferries will run every twenty minutes from May.", "Fares stay the same for residents.",
                                     "Operators must publish delays online.", "Two new vessels join the fleet in June."))
    page = ("<html><head><title>Ferry timetable extended for the summer</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Ferry timetable extended for the summer</h1>"
            f"<div class='meta'><p>By Anna Berg</p></div>{story}<p class='credit'>Reuters</p></article>"
            "<aside class='related'><h3>Related</h3><p><a href='/x'>Other story by Jane Roe</a></p></aside></body></html>")
    article = extract(page.encode(), "https://harbour.example/news/ferry")
    assert "Ferries will run every twenty minutes" in article.body and "Reuters" not in article.body
    assert article.byline == "Anna Berg" and article.authors == ["Anna Berg"]
    assert article.credits == ["Reuters"]


COMMENT_NOTES = ("Your email address will not be published. Required fields are marked with a star. We read every "
                 "comment before it appears on the blog, and we remove spam, insults and advertising without notice. By "
                 "posting a comment you agree that your name, your comment and the time of posting are stored and shown "
                 "on this site.")
SHORT_POST = f"""<html><head><title>Night questions | A small blog</title></head><body>
<header><nav><a href="/">Home</a> <a href="/about">About</a> <a href="/archive">Archive</a></nav></header>
<main><article><h1>Night questions</h1>
<div class="entry-content"><p>The night is long, the lamp burns low.</p>
<p>I ask the dark what monsters know.</p><p>It only laughs and answers: not much, not yet.</p></div>
</article>
<div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3>
<form id="commentform" class="comment-form"><p class="comment-notes">{COMMENT_NOTES}</p>
<p><label for="comment">Comment</label><textarea id="comment"></textarea></p>
<p><label for="author">Name</label><input id="author"></p><p><input type="submit" value="Post Comment"></p>
</form></div></main><footer><p>Powered by a blog engine</p></footer></body></html>"""


def test_a_short_post_is_the_body_not_the_longer_comment_form_under_it():
    article = extract(SHORT_POST.encode(), "https://blog.example/2024/05/night-questions/")
    for line in ("The night is long, the lamp burns low.", "I ask the dark what monsters know.",
                 "It only laughs and answers: not much, not yet."):
        assert line in article.body
    assert "email address will not be published" not in article.body


def test_a_fallback_body_replaces_the_voters_only_when_it_says_more():
    from extractors.html_extractor import adds_text

    voter = ("The night is long, the lamp burns low.\nI ask the dark what monsters know.\n"
             "It only laughs and answers: not much, not yet.")
    assert not adds_text("Night questions " + voter.replace("\n", " "), voter), "the headline run into the lines"
    assert adds_text(voter + " The dawn comes late and says no more, it shuts the lamp and locks the door.", voter)
    assert adds_text(voter, "")


def test_subheadings_and_lists_the_vote_dropped_inside_the_story_are_kept():
    paragraph = "The council approved the plan on Monday after a long debate about costs and the timetable. "
    tree = lxml.html.document_fromstring(
        f"<html><body><article><p>{paragraph}</p><h2>What happens next</h2><p>{paragraph}</p>"
        f"<ul><li>First step</li><li>Second step</li></ul><p>{paragraph}</p>"
        f"<h3>Related one</h3><h3>Related two</h3><p>{paragraph}</p>"
        f"<ul><li><a href='/a'>Linked teaser one</a></li></ul><p>{paragraph}</p>"
        f"<h2>After the story</h2></article></body></html>")
    blocks = segment(tree)
    paragraphs = [block for block in blocks if block.tag == "p"]
    others = [block for block in blocks if block.tag != "p"]
    filled = body.fill_story_gaps(blocks, body.BodyChoice(paragraphs, others))
    kept = [block.text for block in filled.kept]
    assert "What happens next" in kept and "First step" in kept and "Second step" in kept
    # Headings in a row are teasers or a table of contents; a list of links is a list of links; nothing
    # after the story's last kept block is between two of them.
    assert not {"Related one", "Related two", "Linked teaser one", "After the story"} & set(kept)
    assert [block.index for block in filled.kept] == sorted(block.index for block in filled.kept)
    assert {block.text for block in filled.dropped} == {"Related one", "Related two", "Linked teaser one", "After the story"}



def test_a_list_the_story_announces_is_kept_whatever_its_links():
    paragraph = "The project made good progress these past months, and several long-standing problems were fixed. "
    tree = lxml.html.document_fromstring(
        f"<html><body><article><p>{paragraph}</p>"
        "<p>Here is what was merged this month:</p>"
        "<ul><li><a href='https://git.example/1'>Fix volatile loads and stores</a></li>"
        "<li><a href='https://git.example/2'>Add support for packed structs</a></li></ul>"
        f"<p>{paragraph}</p>"
        "<p>Many patches were sent for review:</p>"
        "<ul><li>Support more target types</li><li>Allow casts between integers and pointers</li></ul>"
        f"<p>{paragraph}</p>"
        "<p>Many more patches were sent for review:</p>"
        "<ul><li><a href='https://git.example/3'>Do not treat warnings as errors</a></li></ul>"
        f"<p>{paragraph}</p>"
        "<p>Scroll down to read more:</p>"
        "<ul><li><a href='/sport/1'>Striker joins rivals for record fee</a></li></ul>"
        f"<p>{paragraph}</p>"
        "<p>Weitere Informationen:</p>"
        "<ul><li>Ein Nachruf</li></ul>"
        f"<p>{paragraph}</p></article></body></html>")
    blocks = segment(tree)
    kept_by_vote = {paragraph.strip(), "Here is what was merged this month:", "Scroll down to read more:"}
    chosen = [block for block in blocks if block.text in kept_by_vote]
    filled = body.fill_story_gaps(blocks, body.BodyChoice(chosen, [block for block in blocks if block not in chosen]))
    kept = {block.text for block in filled.kept}
    # Announced by a sentence the vote kept, links and all; announced by one it dropped, if few links.
    assert {"Fix volatile loads and stores", "Add support for packed structs", "Many patches were sent for review:",
            "Support more target types", "Allow casts between integers and pointers"} <= kept
    # Linked entries under a sentence the vote dropped; teaser links under a furniture line; a label.
    assert not {"Many more patches were sent for review:", "Do not treat warnings as errors",
                "Striker joins rivals for record fee", "Weitere Informationen:", "Ein Nachruf"} & kept


def _page_declaring(article_body: str, shown: str) -> str:
    node = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Bridge delayed to next year",
            "articleBody": article_body}
    return (f"<html><head><script type='application/ld+json'>{json.dumps(node)}</script></head><body>"
            f"<h1>Bridge delayed to next year</h1>{shown}</body></html>")


STORY_PARAGRAPHS = [f"Paragraph {n}: the council said on Monday that the bridge over the river will be delayed to "
                    f"next year, because the costs have risen and a review of the figures is still under way."
                    for n in range(1, 9)]


def test_the_article_body_a_page_declares_stands_in_for_a_story_rendered_by_script():
    bio = ("<div class='author-bio'><p>Jane Doe has written about the city council for the Herald since 2008. "
           "Her daily needs include notebooks and several coffees.</p></div>")
    # Declared with markup, as some pages do: read as lines of text.
    declared = "".join(f"<p>{paragraph}</p>" for paragraph in STORY_PARAGRAPHS).replace("the river", "the river &amp; road")
    article = extract(_page_declaring(declared, bio), "https://www.herald.example/a/1", content_type="text/html")
    assert article.body.split("\n\n") == [p.replace("the river", "the river & road") for p in STORY_PARAGRAPHS]
    # A page that shows its story keeps the story it shows (the declared body is no longer, or only a summary).
    shown = "".join(f"<p>{paragraph}</p>" for paragraph in STORY_PARAGRAPHS)
    summary = "The bridge over the river will be delayed to next year, the council said. " * 3
    for article_body in ("\n".join(STORY_PARAGRAPHS) + " Extra.", summary):
        article = extract(_page_declaring(article_body, f"<article>{shown}</article>"), "https://www.herald.example/a/2",
                          content_type="text/html")
        assert article.body.split("\n\n") == STORY_PARAGRAPHS
