"""The line cleaner: rules mark lines by their properties, scores pick the article, and no result hangs on
the wording of a removal reason."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import FIXTURES, SEEDS
from extractors import Document, extract
from extractors.rules import lines as line_rules
from extractors.rules import metadata as cue_rules
from extractors.rules.lines import LineRule
from extractors.text_cleaner import (MAX_LINE_SCORE, SHORT_LINE_SCORE, TEASER_SHAPE_SHARE, Line, best_region,
                                     clean_text_capture, score_lines, strip_boilerplate_lines)
from extractors.text import stopwords_for

PARAGRAPH = ("The city council voted on Wednesday evening to approve the new harbour bridge, ending a debate that "
             "has run for more than a decade and divided the town between those who want the crossing and those who fear it.")
LONG = [PARAGRAPH.replace("Wednesday", day) for day in ("Monday", "Tuesday", "Thursday", "Friday")]


def _inputs() -> list[Path]:
    return (sorted(SEEDS.glob("*.txt")) + sorted((FIXTURES / "pages").glob("*.html"))
            + sorted((FIXTURES / "eval" / "text-captures-de").glob("*.txt")))


# Captures and extracted bodies whose cut turns on each property of the rules.
LEAD = "The mayor said that the bridge is a good thing for all of us."
CAPTURES = [
    # reader comments inside the densest run of text end the story however long they run
    ["Harbour bridge approved after decade of debate", LONG[0], LONG[1], "Comments (3)", LONG[2], LONG[3], LONG[0][::-1]],
    # no lead sentence is looked for above a section header
    ["Harbour bridge approved after decade of debate", LEAD, "Most Read", LONG[0], LONG[1]],
    # a credit line under the story ends it
    ["Harbour bridge approved after decade of debate", LONG[0], LONG[1], "Reuters", LONG[2]],
]
BODIES = [
    [LONG[0], "Comments (3)", LONG[1], LONG[2]],
    [LONG[0], "Related Articles", LONG[1]],
    [LONG[0], "Source: Al Jazeera and news agencies", LONG[1]],
    [LONG[0], "Reuters and The Associated Press contributed to this story.", LONG[1]],
]


def _results() -> list[tuple]:
    results = []
    for path in _inputs():
        article = extract(path.read_bytes())
        results.append((article.title, article.body, article.byline, article.authors, article.published, article.outlet,
                        article.credits, [removal.text for removal in article.removed]))
    for capture in CAPTURES:
        result = clean_text_capture("\n".join(capture))
        results.append((result.title, result.body, result.cues, [removal.text for removal in result.removed]))
    for body in BODIES:
        kept, removed, cues = strip_boilerplate_lines(body)
        results.append((kept, cues, [removal.text for removal in removed]))
    return results


def _reasons() -> set[str]:
    reasons = {removal.reason for path in _inputs() for removal in extract(path.read_bytes()).removed}
    reasons |= {removal.reason for capture in CAPTURES for removal in clean_text_capture("\n".join(capture)).removed}
    return reasons | {removal.reason for body in BODIES for removal in strip_boilerplate_lines(body)[1]}


def test_renaming_every_line_reason_changes_no_result(monkeypatch):
    before = _results()
    # The inputs exercise the rules whose properties steer the cut.
    reasons = _reasons()
    assert {"teaser list header", "comment section header", "credit line", "photo caption or credit"} <= reasons
    assert any(reason.startswith("outlet cue") for reason in reasons)

    def renamed(rule: LineRule) -> LineRule:
        return replace(rule, reason=f"renamed {rule.name}")

    monkeypatch.setattr(line_rules, "NOISE_LINE_RULES", [renamed(rule) for rule in line_rules.NOISE_LINE_RULES])
    for name, value in vars(line_rules).copy().items():
        if isinstance(value, LineRule):
            monkeypatch.setattr(line_rules, name, renamed(value))
    monkeypatch.setattr(cue_rules, "OUTLET_CUES", [replace(cue, line=renamed(cue.line)) for cue in cue_rules.OUTLET_CUES])

    assert _results() == before
    reasons = _reasons()
    assert "renamed teaser-list-header" in reasons and "teaser list header" not in reasons


def test_rule_names_are_unique():
    names = [rule.name for rule in line_rules.NOISE_LINE_RULES]
    names += [value.name for value in vars(line_rules).values() if isinstance(value, LineRule)]
    names += [cue.line.name for cue in cue_rules.OUTLET_CUES]
    assert len(names) == len(set(names))


def test_a_line_that_opens_comments_ends_the_story_however_much_follows():
    kept, removed, _cues = strip_boilerplate_lines([LONG[0], "Comments (3)", LONG[1], LONG[2], LONG[3]])
    assert kept == [LONG[0]]
    assert [removal.reason for removal in removed] == ["comment section header"] + ["after the end of the article"] * 3


def test_a_teaser_header_ends_the_story_only_when_no_run_of_paragraphs_follows():
    kept, _removed, _cues = strip_boilerplate_lines([LONG[0], "Related Articles", LONG[1], LONG[2]])
    assert kept == [LONG[0], LONG[1], LONG[2]]  # a "Read more" box inside the story
    kept, removed, _cues = strip_boilerplate_lines([LONG[0], LONG[1], "Related Articles", LONG[2], "Short teaser"])
    assert kept == [LONG[0], LONG[1]]
    assert removed[-1].reason == "after the end of the article"


def test_the_cleaner_reads_a_rule_by_its_properties_not_its_wording(monkeypatch):
    closing = LineRule("test-closing-line", "the comments start here", re.compile(r"^~~~$"), opens_comments=True)
    monkeypatch.setattr(line_rules, "NOISE_LINE_RULES", [closing, *line_rules.NOISE_LINE_RULES])
    kept, removed, _cues = strip_boilerplate_lines([LONG[0], "~~~", LONG[1], LONG[2]])
    assert kept == [LONG[0]] and removed[0].reason == "the comments start here"


def test_a_capture_is_cut_before_a_teaser_list_and_its_headline_is_found():
    capture = "\n".join(["Home > News > Local", "Harbour bridge approved after decade of debate", "By Jane Doe",
                         "Monday, September 16, 2024", *LONG[:3], "Most Read", "Another story about the weather today",
                         "A third story about football results", "© 2024 Coastal Herald. All rights reserved."])
    result = clean_text_capture(capture)
    assert result.title == "Harbour bridge approved after decade of debate"
    assert result.body == "\n\n".join(LONG[:3])
    assert (result.cues.byline, result.cues.published) == ("Jane Doe", "2024-09-16")
    reasons = {removal.text: removal.reason for removal in result.removed}
    assert reasons["Most Read"] == "teaser list header" and reasons["Home > News > Local"] == "breadcrumb"


def test_line_scores_follow_the_named_weights():
    lines = [Line(0, "Menu"), Line(1, LONG[0] * 10), Line(2, "Most Read", rule=line_rules.NOISE_LINE_RULES[4]),
             Line(3, "Share"), Line(4, LONG[1][:200]), Line(5, "Home")]
    assert lines[2].rule.name == "teaser-list-header"
    score_lines(lines, stopwords_for("en"))
    assert lines[0].score == SHORT_LINE_SCORE
    assert lines[1].score == MAX_LINE_SCORE  # a huge paragraph is capped
    assert lines[2].score == line_rules.SECTION_HEADER_WEIGHT
    assert lines[4].score == pytest.approx(200 * TEASER_SHAPE_SHARE)  # a lone paragraph between short lines


def test_the_article_is_the_run_of_lines_with_the_highest_sum():
    lines = [Line(i, str(i), score=score) for i, score in enumerate([-20, 300, -8, 200, -150, 100, -20])]
    assert best_region(lines) == (1, 3)
    assert best_region([Line(0, "x", score=-1.0)]) is None


def test_new_window_link_lists_copyright_captions_and_embed_placeholders_are_dropped():
    furniture = [
        "Jobs (öffnet im neuen Fenster)", "Seminare und Workshops (öffnet im neuen Fenster)",
        "Facebook (opens in a new tab)",
        "Rauch zieht über die Wohnhäuser im Süden der Stadt. © DPA Images | Christoph Soeder",
        "The harbour at dusk, seen from the old pier. © Jane Doe/Agency",
        "The council meets at the town hall on Monday. Jane Doe/Copyright 2026 The AP. All rights reserved.",
        "Grauer Blazer und Minikleid, beides von einem Modehaus.Foto: Jane Doe. Styling: John Roe. Make-up: Ann Poe",
        "Legende: Der Präsident traf sich am Samstagabend mit seinen wichtigsten Beratern.",
        "Für die Darstellung unserer Infografiken nutzen wir die Software eines Anbieters. Erst wenn Sie hier klicken, "
        "werden die Grafiken nachgeladen. Ihre IP-Adresse wird dabei an externe Server übertragen. Ihre Zustimmung "
        "können Sie jederzeit widerrufen.",
        "Empfohlener redaktioneller Inhalt", "Bitte aktivieren Sie JavaScript damit Sie diesen Inhalt anzeigen können.",
        "Please enable JavaScript to view this content.",
        "Melden Sie sich an oder testen Sie unser digitales Abo mit Zugang zu allen Artikeln.",
    ]
    paragraphs, removed, _ = strip_boilerplate_lines([LONG[0], *furniture, LONG[1]])
    assert paragraphs == [LONG[0], LONG[1]]
    assert sorted(removal.text for removal in removed) == sorted(furniture)


def test_story_lines_that_mention_a_new_window_or_a_copyright_are_kept():
    story = [
        "Etwa zur gleichen Zeit nutzte der Hersteller Akkus von Panasonic (öffnet im neuen Fenster) mit 271 Wh/kg, "
        "und chinesische Firmen lieferten neue Zellen mit deutlich höherer Energiedichte an die Werke in Europa.",
        "The court found that the © notice on the photographs did not, by itself, prove who owned them.",
        "Die Legende besagt, dass der Drache hier lebte: Foto: gibt es keines. Das Dorf erzählt sie bis heute gern.",
        "The agency said it held the copyright to the images, and the court agreed with it on Monday afternoon.",
        "Die Behörde kritisierte, dass die App ohne Zustimmung personenbezogene Daten an Drittanbieter übermittelt, "
        "sobald Nutzer ein Werbebanner sehen, das sie nie bestellt haben.",
        "Der Browser öffnet das Formular in einem neuen Fenster, sagte die Sprecherin der Behörde am Montag.",
    ]
    paragraphs, removed, _ = strip_boilerplate_lines([LONG[0], *story, LONG[1]])
    assert paragraphs == [LONG[0], *story, LONG[1]], [removal.text for removal in removed]


def test_a_credit_under_a_video_player_does_not_end_the_story():
    capture = ["Harbour bridge approved after decade of debate", LONG[0], LONG[1],
               "Video | The new bridge seen from the air", "Player wird geladen", "Quelle: t-online", LONG[2], LONG[3]]
    article = extract(Document(content="\n".join(capture).encode(), url=None))
    assert LONG[2] in article.body and LONG[3] in article.body
    # the same credit line with no player above it closes the story when less text follows than precedes
    capture = ["Harbour bridge approved after decade of debate", LONG[0], LONG[1], LONG[2], "Quelle: t-online", LONG[3]]
    article = extract(Document(content="\n".join(capture).encode(), url=None))
    assert LONG[2] in article.body and LONG[3] not in article.body
