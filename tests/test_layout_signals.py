"""The body voter's general layout signals (issue 15): reader-comment sections, runs of short link items,
tables and long lists inside the story. Each is checked twice: the feature the voter reads, on a small
synthetic page, and what extraction keeps and drops on a page built around it."""

from __future__ import annotations

import lxml.html

from extractors import extract
from extractors.blocks import segment
from extractors.body import LAYOUT_FEATURES, BodyChoice, keep_standfirst, layout_features, without_stray_furniture

STORY = [
    "The regional transport authority confirmed on Tuesday that the northern rail line will close for six weeks "
    "this summer, while engineers replace two bridges and the signalling between the two largest stations.",
    "Replacement buses will run every fifteen minutes during the day, the authority said, and the journey is "
    "expected to take about twenty minutes longer than the train, depending on traffic in the town centres.",
    "Commuter groups had asked for the work to be split over several weekends instead, arguing that a long "
    "closure would push many regular passengers back into their cars for good, but the plan was rejected.",
    "The authority said that weekend closures would have stretched the work over more than a year and cost "
    "almost twice as much, and that the bridges could not safely carry trains for much longer as they are.",
]
NAV = "<nav><ul>" + "".join(f"<li><a href='/{name.lower()}'>{name}</a></li>" for name in
                            ("Home", "News", "Politics", "Business", "Sport", "Culture", "Travel", "Weather")) + "</ul></nav>"


def page(story_html: str, after: str = "", title: str = "Northern rail line to close for six weeks") -> str:
    return (f"<html><head><title>{title}</title></head><body>{NAV}<main><article><h1>{title}</h1>{story_html}</article>"
            f"{after}</main><footer><p>© 2025 The Valley Gazette. All rights reserved.</p></footer></body></html>")


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def features_of(html: str) -> tuple[list, list[dict[str, float]]]:
    blocks = segment(lxml.html.document_fromstring(html))
    return blocks, [dict(zip(LAYOUT_FEATURES, row)) for row in layout_features(blocks, [])]


COMMENTS = [
    ("railfan88", "This is a disgrace, they always close the line right when people need it most in the summer."),
    ("Margaret T.", "Six weeks of buses will be chaos on the bypass, has anyone at the authority actually driven it?"),
    ("jk_walker", "Honestly the bridges have needed work for years, better to get it over with in one go I think."),
    ("Ollie", "Will the replacement buses take bikes? Nothing in the article about that, which is typical really."),
    ("Sandra Whitfield", "We were never asked about any of this, the consultation was a joke from start to finish."),
    ("commuter_22", "Last time they said six weeks it took ten, so I will believe it when I see the trains running."),
    ("D. Price", "Good to see money spent on the north for once instead of everything going to the city again."),
    ("harbourview", "Could they not have done this in winter when fewer tourists are trying to get to the coast?"),
]


def comment_section(header: str = "8 comments") -> str:
    entries = "".join(f"<div class='entry entry-{i}'><div class='who'><b>{name}</b> <span>2 days ago</span></div>"
                      f"<div class='said'><p>{text}</p></div><div><a href='#r{i}'>Reply</a></div></div>"
                      for i, (name, text) in enumerate(COMMENTS))
    return f"<section class='talk'><h3>{header}</h3>{entries}</section>"


def test_comment_entries_are_a_repeated_structure_after_the_comment_header():
    blocks, rows = features_of(page(paragraphs(STORY), comment_section()))
    by_text = {block.text: row for block, row in zip(blocks, rows)}
    comment, story = by_text[COMMENTS[0][1]], by_text[STORY[1]]
    assert comment["after_comment_header"] == 1.0 and story["after_comment_header"] == 0.0
    # each comment sits in a container of its own, built alike; the story's paragraphs share one container
    assert comment["log_path_containers"] > story["log_path_containers"] == 0.6931471805599453  # log1p(1)
    assert by_text["8 comments"]["after_comment_header"] == 0.0, "the header itself opens the section"


def test_a_link_to_the_comments_at_the_top_is_not_the_comment_header():
    html = page("<p><a href='#comments'>8 comments</a></p>" + paragraphs(STORY))
    blocks, rows = features_of(html)
    assert all(row["after_comment_header"] == 0.0 for row in rows)


def test_comments_after_a_short_story_are_not_body():
    article = extract(page(paragraphs(STORY), comment_section()).encode(), "https://gazette.example/news/rail-closure")
    for text in STORY:
        assert text in article.body
    for _name, text in COMMENTS:
        assert text not in article.body, text
    assert "Margaret T." not in article.body and "8 comments" not in article.body


def test_comments_the_vote_let_through_go_unless_they_are_most_of_the_page():
    # A comment platform's container ("comments") holds the readers' posts; the vote kept two of them.
    entries = "".join(f"<div class='post'><p>{text}</p></div>" for _name, text in COMMENTS)
    blocks = segment(lxml.html.document_fromstring(page(paragraphs(STORY), f"<section id='comments'>{entries}</section>")))
    story = [block for block in blocks if block.text in STORY]
    comments = [block for block in blocks if block.text in {text for _name, text in COMMENTS}]
    assert len(story) == len(STORY) and len(comments) == len(COMMENTS)
    choice = without_stray_furniture(BodyChoice(kept=story + comments[:2], dropped=comments[2:]))
    assert choice.kept == story
    assert [block.index for block in choice.dropped] == sorted(block.index for block in comments)
    # A forum thread: the posts are most of what is kept, and they are the page's content.
    choice = without_stray_furniture(BodyChoice(kept=story[:1] + comments))
    assert choice.kept == story[:1] + comments
    # A short story under which the vote kept three of eight comments: most of what is kept, but picked one by
    # one from a thread that is not the content.
    kept_comments = sum(len(block.text) for block in comments[:3])
    assert kept_comments > len(story[0].text) and kept_comments < sum(len(block.text) for block in comments[3:])
    choice = without_stray_furniture(BodyChoice(kept=story[:1] + comments[:3], dropped=story[1:] + comments[3:]))
    assert choice.kept == story[:1]


def test_menu_links_the_vote_let_through_go_but_not_a_story_set_in_a_navigation_region():
    menu = ["Bus timetables for the summer", "Station car parks and their prices", "Fares and tickets"]
    nav = "<nav class='site-nav'>" + "".join(f"<p><a href='/m{i}'>{text}</a></p>" for i, text in enumerate(menu)) + "</nav>"
    blocks = segment(lxml.html.document_fromstring(page(paragraphs(STORY), nav)))
    story = [block for block in blocks if block.text in STORY]
    entries = [block for block in blocks if block.text in menu]
    assert len(entries) == len(menu) and all(block.link_density == 1.0 for block in entries)
    assert without_stray_furniture(BodyChoice(kept=story + entries)).kept == story
    # Unlinked text in a navigation region stays: a summary box, a table of contents' explanation.
    note = "<nav class='toc'><p>This guide explains the closure, the replacement buses and the refunds.</p></nav>"
    blocks = segment(lxml.html.document_fromstring(page(paragraphs(STORY) + note)))
    kept = [block for block in blocks if block.text in STORY or "This guide" in block.text]
    assert len(kept) == len(STORY) + 1 and without_stray_furniture(BodyChoice(kept=list(kept))).kept == kept


STANDFIRST = ("Six weeks without trains on the northern line: what the closure means for the region's commuters, "
              "and why the authority turned down weekend work.")


def test_the_standfirst_above_the_story_is_kept_but_not_furniture_or_what_sits_above_the_headline():
    promo = "<div class='newsletter-box'><p>Get the Valley Gazette's morning briefing in your inbox, free of charge.</p></div>"
    above = "<p>The Valley Gazette is the region's independent newspaper, published every day since 1887.</p>"
    html = (f"<html><body>{NAV}{above}<main><article><header><h1>Northern rail line to close for six weeks</h1>"
            f"<p class='standfirst'>{STANDFIRST}</p><p>By Jane Doe</p></header>{promo}{paragraphs(STORY)}</article>"
            "</main></body></html>")
    blocks = segment(lxml.html.document_fromstring(html))
    story = [block for block in blocks if block.text in STORY]
    choice = keep_standfirst(blocks, BodyChoice(kept=story, dropped=[b for b in blocks if b not in story]))
    assert [block.text for block in choice.kept] == [STANDFIRST, *STORY]
    assert all(block.text != STANDFIRST for block in choice.dropped)
    # The same paragraph in a promotion box is not a standfirst; nor is the line above the headline.
    html = html.replace(f"<p class='standfirst'>{STANDFIRST}</p>", f"<div class='newsletter'><p>{STANDFIRST}</p></div>")
    blocks = segment(lxml.html.document_fromstring(html))
    story = [block for block in blocks if block.text in STORY]
    assert keep_standfirst(blocks, BodyChoice(kept=story)).kept == story
    # A headline set as <h2> bounds the search as the <h1> does (the site's motto above it is no standfirst);
    # a box's short label heading does not.
    motto = "News, sport, weather and culture from the whole valley, written by the people who live in it."
    html = (f"<html><body><div><p>{motto}</p></div><div><h2>Northern rail line to close for six weeks</h2>"
            f"<p>{STANDFIRST}</p><h3>More videos</h3>{paragraphs(STORY)}</div></body></html>")
    blocks = segment(lxml.html.document_fromstring(html))
    story = [block for block in blocks if block.text in STORY]
    assert [block.text for block in keep_standfirst(blocks, BodyChoice(kept=story)).kept] == [STANDFIRST, *STORY]
    html = html.replace(f"<p>{STANDFIRST}</p>", "")
    blocks = segment(lxml.html.document_fromstring(html))
    story = [block for block in blocks if block.text in STORY]
    assert keep_standfirst(blocks, BodyChoice(kept=story)).kept == story


def test_the_standfirst_search_goes_past_the_lead_photos_caption_and_a_date_line_but_not_a_paragraph():
    caption = ("<figure><img src='/bridge.jpg'><figcaption>Engineers inspect one of the two bridges north of the central "
               "station, which are to be replaced this summer.</figcaption></figure>")
    dated = "<p>Published 14 May 2025, 09:12, updated 14 May 2025, 17:45 · 4 min read · The Valley Gazette</p>"
    promo = ("<div class='newsletter'><p>Get the Valley Gazette's morning briefing in your inbox every day, free of "
             "charge, with the news from every town.</p></div>")
    for between, found in ((caption, True), (dated, True), (caption + dated, True), (promo, False)):
        html = (f"<html><body><main><article><h1>Northern rail line to close for six weeks</h1><p>{STANDFIRST}</p>"
                f"{between}{paragraphs(STORY)}</article></main></body></html>")
        blocks = segment(lxml.html.document_fromstring(html))
        story = [block for block in blocks if block.text in STORY]
        kept = [block.text for block in keep_standfirst(blocks, BodyChoice(kept=story)).kept]
        assert kept == ([STANDFIRST] if found else []) + STORY, between


LINKS = ["Bus timetables for the summer", "Station car parks", "Fares and tickets", "Accessibility",
         "Service updates", "Plan a journey", "Lost property", "Contact us"]


def link_run() -> str:
    return "<ul class='list'>" + "".join(f"<li><a href='/l{i}'>{text}</a></li>" for i, text in enumerate(LINKS)) + "</ul>"


def test_a_run_of_short_link_items_is_measured_wherever_it_sits():
    blocks, rows = features_of(page(paragraphs(STORY[:2]) + link_run() + paragraphs(STORY[2:])))
    by_text = {block.text: row for block, row in zip(blocks, rows)}
    assert {by_text[text]["log_link_run"] for text in LINKS} == {math_log1p(len(LINKS))}
    assert by_text[STORY[2]]["log_link_run"] == 0.0


def math_log1p(value: float) -> float:
    import math

    return math.log1p(value)


def test_a_run_of_short_links_inside_the_story_is_dropped_and_the_story_around_it_kept():
    html = page(paragraphs(STORY[:2]) + link_run() + paragraphs(STORY[2:]))
    article = extract(html.encode(), "https://gazette.example/news/rail-closure")
    for text in STORY:
        assert text in article.body
    for text in LINKS:
        assert text not in article.body, text
    assert "Politics" not in article.body and "All rights reserved" not in article.body


RESULTS = [("Team", "Played", "Points"), ("Northbridge United", "30", "64"), ("Valley Rovers", "30", "61"),
           ("Harbour Athletic", "30", "55"), ("Castle Town", "30", "49"), ("St. Anne's", "30", "41")]


def results_table() -> str:
    head = "".join(f"<th>{cell}</th>" for cell in RESULTS[0])
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in RESULTS[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def test_a_data_table_is_segmented_row_by_row_with_its_cells_joined():
    blocks = segment(lxml.html.document_fromstring(page(paragraphs(STORY[:2]) + results_table())))
    rows = [block for block in blocks if block.in_table]
    assert [block.text for block in rows] == [" | ".join(row) for row in RESULTS]
    assert {block.tag for block in rows} == {"tr"}


def test_a_layout_table_keeps_its_cells_apart():
    layout = (f"<table><tr><td><p>{STORY[0]}</p></td><td>{NAV}</td></tr>"
              f"<tr><td><p>{STORY[1]}</p></td><td>Sidebar</td></tr></table>")
    blocks = segment(lxml.html.document_fromstring(f"<html><body>{layout}</body></html>"))
    texts = [block.text for block in blocks]
    assert STORY[0] in texts and STORY[1] in texts and "Sidebar" in texts
    assert not any("|" in text for text in texts)


def test_a_results_table_inside_the_story_is_kept_as_rows_of_text():
    story = paragraphs(STORY[:2]) + "<p>The final table of the season:</p>" + results_table() + paragraphs(STORY[2:])
    article = extract(page(story, title="Northbridge United win the league").encode(), "https://gazette.example/sport/league")
    for row in RESULTS[1:]:
        assert " | ".join(row) in article.body, row
    assert article.body.index("Northbridge United | 30 | 64") < article.body.index(STORY[2])


STEPS = [
    "Check the authority's website for the replacement bus stop nearest to your usual station before you travel.",
    "Allow at least twenty minutes more than usual for the journey, and more at the start and end of the day.",
    "Buy your ticket before boarding, as the replacement buses do not take cash and cannot sell day returns.",
    "Fold bicycles may be carried on the buses, but full-size bicycles will not be allowed on board at all.",
    "Passengers who need step-free access should book assistance at least a day ahead through the help line.",
    "Season ticket holders can claim a refund for the weeks of the closure through the usual online form.",
    "Parking at the two largest stations stays free of charge for the whole of the closure, the authority said.",
    "Services return to the normal timetable on the Monday after the work ends, with extra trains that week.",
]


def test_a_long_list_of_steps_inside_the_story_is_kept():
    story = paragraphs(STORY[:2]) + "<p>What passengers need to know:</p><ol>" + "".join(
        f"<li>{step}</li>" for step in STEPS) + "</ol>" + paragraphs(STORY[2:])
    article = extract(page(story).encode(), "https://gazette.example/news/rail-closure")
    for step in STEPS:
        assert step in article.body, step
    for text in STORY:
        assert text in article.body
    assert "Politics" not in article.body


# --- the fallback: the voter and trafilatura disagree a lot --------------------------------------------

def test_fallback_features_are_given_only_where_the_voter_and_trafilatura_disagree_a_lot():
    import numpy as np

    from extractors.body import DISAGREEMENT, FALLBACK_FEATURES, TRAFILATURA_FEATURES, fallback_features

    lengths = np.array([100.0, 100.0, 100.0, 100.0])
    layout = np.zeros((4, len(LAYOUT_FEATURES)))
    votes = np.zeros((4, len(TRAFILATURA_FEATURES)))
    votes[:2, 0] = 1.0  # trafilatura kept the first two blocks
    agreeing = np.array([0.9, 0.9, 0.1, 0.1])
    assert fallback_features(lengths, layout, votes, agreeing, 0.5, (0.15, 0.85)) is None
    keeps_everything = np.array([0.9, 0.9, 0.9, 0.9])  # 400 characters against 200: within DISAGREEMENT
    assert DISAGREEMENT * 200 >= 400 and fallback_features(lengths, layout, votes, keeps_everything, 0.5, (0.15, 0.85)) is None
    votes[1, 0] = 0.0  # now 100 against 400
    row = fallback_features(lengths, layout, votes, keeps_everything, 0.5, (0.15, 0.85))
    features = dict(zip(FALLBACK_FEATURES, row))
    assert features["log_length_ratio"] > 1.0 and features["overlap_of_trafilatura"] == 1.0
    assert features["overlap_of_voter"] == 0.25


def test_when_the_fallback_bets_on_trafilatura_its_body_is_kept(monkeypatch):
    import dataclasses

    import numpy as np

    from extractors import body, html_extractor
    from extractors.body import FALLBACK_FEATURES, FallbackModel, body_models

    story = paragraphs(STORY[:2])
    aside = "Travel updates on the closure are published every morning at seven on the authority's own website."
    html = page(story, f"<aside><p>{aside}</p></aside>" + comment_section())
    trafilatura_text = "\n".join(STORY[:2])
    width = len(FALLBACK_FEATURES)
    always = FallbackModel(np.zeros(width), np.ones(width), np.zeros(width), 1.0)  # prefers trafilatura on any page
    never = dataclasses.replace(always, intercept=-1.0)
    monkeypatch.setattr(html_extractor, "trafilatura_body", lambda tree, url: trafilatura_text)
    models = body_models()
    keeps_all = dataclasses.replace(models, threshold=0.0, doubt_share=0.0, fallback=always)  # the voter keeps everything
    monkeypatch.setattr(body, "body_models", lambda: keeps_all)
    article = extract(html.encode(), "https://gazette.example/news/rail-closure")
    assert article.body == "\n\n".join(STORY[:2])
    assert any("not in trafilatura's body" in removal.reason and "Politics" not in removal.text
               and COMMENTS[0][1] in removal.text for removal in article.removed)
    monkeypatch.setattr(body, "body_models", lambda: dataclasses.replace(keeps_all, fallback=never))
    kept_by_the_voter = extract(html.encode(), "https://gazette.example/news/rail-closure").body
    assert aside in kept_by_the_voter and STORY[1] in kept_by_the_voter


def test_a_figure_caption_is_never_body_however_long_and_story_like():
    # A caption written like a story sentence, with no credit to give it away, sits between two paragraphs.
    caption = ("Engineers inspected the older of the two bridges last spring and found that its steel girders had "
               "corroded far faster than the authority expected when the line was last renewed.")
    figure = f"<figure><img src='/bridge.jpg' alt=''><figcaption><span>{caption}</span></figcaption></figure>"
    html = page(paragraphs(STORY[:2]) + figure + paragraphs(STORY[2:]))
    blocks, _ = features_of(html)
    assert [block.in_caption for block in blocks if caption in block.text] == [True]
    assert not any(block.in_caption for block in blocks if block.text in STORY)
    article = extract(html, "https://gazette.example/news/rail-closure", content_type="text/html")
    assert caption not in article.body
    assert all(text in article.body for text in STORY)
    assert any(caption in removal.text for removal in article.removed)
