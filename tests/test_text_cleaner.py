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
                                     clean_text_capture, current_noise_rules, match_noise_rule, score_lines,
                                     strip_boilerplate_lines)
from extractors.cues import read_credit_line
from extractors.text import comparable_words, normalize_line, screenable, stopwords_for

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
    # Blank lines (dropped before the rules run) do not shift what counts as following the header.
    kept, _removed, _cues = strip_boilerplate_lines(["", " ", "", LONG[0], LONG[1], "Related Articles", LONG[2], LONG[3]])
    assert kept == [LONG[0], LONG[1], LONG[2], LONG[3]]
    kept, removed, _cues = strip_boilerplate_lines([LONG[0], LONG[1], "Related Articles", LONG[2], "Short teaser"])
    assert kept == [LONG[0], LONG[1]]
    assert removed[-1].reason == "after the end of the article"



WIRE_STORY = ["ANCHORAGE, Alaska (AP) - Most of the thirty eagles that dived into a truck of fish scraps are close to recovery.",
              "Two birds have died, but most of the others have perked up and may soon be released, officials said.",
              "Workers washed the birds in dish soap to remove the fish oil, and they spent the night in a warehouse.",
              "Wildlife officers are investigating, and it is still too early to say what penalties the company may face."]


def test_a_closing_line_above_a_story_of_short_paragraphs_does_not_end_it():
    # Wire copy runs in short paragraphs: no run of long ones follows the agency's credit or a "Related
    # Articles" box set above the story, but more prose follows than was kept above them.
    assert all(len(text) < 200 for text in WIRE_STORY)
    kept, removed, _cues = strip_boilerplate_lines(["Eagles recover", "The Associated Press", *WIRE_STORY])
    assert kept == ["Eagles recover", *WIRE_STORY] and [removal.reason for removal in removed] == ["credit line"]
    # Above the story, before any prose, the teaser headlines under the box's header go with it.
    teasers = ["Murray in Oz zone", "Murray sets muscle goal", "More live copy"]
    kept, removed, _cues = strip_boilerplate_lines(["By Chris Wilson", "Related Articles", *teasers, *WIRE_STORY])
    assert kept == WIRE_STORY
    assert [removal.reason for removal in removed][-3:] == ["teaser list"] * 3
    # Under the story, the same box ends it: what follows is no more prose than the story above.
    kept, _removed, _cues = strip_boilerplate_lines([*WIRE_STORY, "Related Articles", *teasers, WIRE_STORY[0]])
    assert kept == WIRE_STORY


def test_a_read_more_sentence_is_a_cross_reference_not_a_teaser_header():
    # "Read more about X" heads a teaser list; "Read more about X." is a sentence pointing elsewhere, and a
    # table of short cells after it is still the story's.
    table = ["Onions", "1 and a half", "3", "6", "Carrots", "4", "8", "16"]
    lines = [LONG[0], LONG[1], "Read more about how many calories you should eat a day.", *table, LONG[2]]
    kept, _removed, _cues = strip_boilerplate_lines(lines)
    assert "Onions" in kept and LONG[2] in kept
    kept, removed, _cues = strip_boilerplate_lines([LONG[0], LONG[1], "Read more about the harbour", *table])
    assert kept == [LONG[0], LONG[1]] and removed[0].reason == "teaser list header"


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
        "Die Abbildung zeigt: Der Gletscher ist seit 1990 um ein Drittel geschrumpft, schreiben die Forscher.",
        "Der Minister sprach am Montag in Berlin vor Journalisten über die Pläne der Regierung (dpa/AFP)",
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


def test_newsletter_pitches_affiliate_disclosures_and_share_questions_are_dropped_and_story_lines_kept():
    furniture = [
        "Keine Neuigkeiten mehr verpassen: Abonnieren Sie kostenlos den Branchen-Newsletter und bleiben Sie über "
        "alle aktuellen Entwicklungen auf dem Laufenden.",
        "Subscribe to Travel Weekly, a free daily newsletter that features the best destinations and guides to the cities.",
        "We may earn commission from links on this page, but we only recommend products we back.",
        "Möchten Sie den Artikel teilen?",
    ]
    story = [
        "In a statement on Tuesday, the union spokesperson told members to subscribe to the weekly newsletter for "
        "further updates on the strike.",
        "The company said it would earn a commission of five percent on every ticket sold through the new platform.",
    ]
    paragraphs, removed, _ = strip_boilerplate_lines([LONG[0], *furniture, *story, LONG[1]])
    assert paragraphs == [LONG[0], *story, LONG[1]], [removal.text for removal in removed]
    assert sorted(removal.text for removal in removed) == sorted(furniture)


def test_a_credit_under_a_video_player_does_not_end_the_story():
    capture = ["Harbour bridge approved after decade of debate", LONG[0], LONG[1],
               "Video | The new bridge seen from the air", "Player wird geladen", "Quelle: t-online", LONG[2], LONG[3]]
    article = extract(Document(content="\n".join(capture).encode(), url=None))
    assert LONG[2] in article.body and LONG[3] in article.body
    # the same credit line with no player above it closes the story when less text follows than precedes
    capture = ["Harbour bridge approved after decade of debate", LONG[0], LONG[1], LONG[2], "Quelle: t-online", LONG[3]]
    article = extract(Document(content="\n".join(capture).encode(), url=None))
    assert LONG[2] in article.body and LONG[3] not in article.body


# --- rule screens ----------------------------------------------------------------------------------

# Lines of each kind every screened rule names, one or more for each alternative of its pattern: the screen
# (LineRule.screen_words, screen_marks) must let each be tried against its rule.
SCREENED_EXAMPLES: dict[str, list[str]] = {
    "newsletter-call": ["Subscribe to our Newsletter", "Sign up for our daily briefing", "Register now",
                        "Get the Morning Briefing newsletter in your inbox", "Newsletter abonnieren", "Jetzt abonnieren!",
                        "Abonniert.", "Jetzt anmelden", "S'abonner gratuitement", "Abonnez-vous", "Suscríbete ahora",
                        "SUSCRIBETE", "Iscriviti ora",
                        "Keine Neuigkeiten mehr verpassen: Abonnieren Sie kostenlos den Branchen-Newsletter und bleiben "
                        "Sie über alle aktuellen Entwicklungen auf dem Laufenden.",
                        "Abonniere jetzt unseren wöchentlichen Newsletter mit den besten Rezepten und Tipps der Redaktion.",
                        "Sign up to our fortnightly health newsletter to receive healthy recipes, new activity ideas and tips.",
                        "Missing out on the latest developments? Enter your email below to receive future announcements."],
    "paywall-offer": ["Support our award-winning journalism. The Premium package (digital only) R129 p/m",
                      "Subscribe now: support independent journalism", "Already a subscriber? Log in",
                      "Subscribe now, youalready have an account", "Read the full story with a digital subscription",
                      "Jetzt digitales Abo abschließen", "Premium access for R99", "This article is for subscribers only",
                      "Nur für Abonnenten", "Weiterlesen mit Plus", "Jetzt weiterlesen", "Read more", "Continue reading.",
                      "Unlock unlimited access to all articles", "Subscribe todayweiterlesen"],
    "comment-prompt": ["Please enter your comment!", "Would you like to comment on this article?", "Leave a reply",
                       "Our commenting policy explains the rules", "Sign up (it's quick and free) or sign in now.",
                       "12 Comments", "Kommentare (3)", "Jetzt kommentieren", "Commentaires", "Speech bubble",
                       "Join the conversation.", "Log in to comment", "Login", "Signin now", "Einloggen und kommentieren"],
    "cookie-notice": ["We use cookies to improve your experience", "This site uses cookies.", "Read our cookie policy",
                      "Cookies akzeptieren", "Datenschutzeinstellungen", "Accept all cookies", "Ich erteile meine Einwilligung"],
    "footer": ["© 2024 Coastal Herald", "(C) Coastal Herald 2024", "Copyright 2024 Coastal Herald", "Copyrighted material",
               "Coastal Herald. All rights reserved.", "Alle Rechte vorbehalten.", "Impressum | Datenschutz | AGB",
               "Privacy Policy", "Terms of Use", "Datenschutzerklärung", "Kontakt", "Contact us", "Imprint"],
    "photo-caption": ["The bridge at dusk. Picture: JANE DOE/POOL via REUTERS", "Foto: dpa", "Bildquelle: Keystone",
                      "Quelle Bild: Archiv", "Fotos: Jane Doe", "Credit: AP", "Image : NASA", "The bridge (Photo by Jane Doe)",
                      "The bridge at dusk [Jane Doe/ Agency via AP]", "Getty Images", "imago/Sven Simon", "Shutterstock",
                      "iStock", "Keystone", "Photo", "Bild | dpa", "Legende: Der Präsident traf seine Berater.",
                      "Bildlegende: Der Hafen", "Bildunterschrift: Der Hafen", "Caption: The harbour at dusk",
                      "Grauer Blazer.Foto: Jane Doe. Styling: John Roe. Make-up: Ann Poe",
                      "Abbildung: Vergleich auf dem Gletscher", "Abb. 2: Der Hafen", "Fig. 3: The harbour",
                      "Figure 1: The harbour at dusk", "Das Hermelin im Winter. (Jane Doe / iStock.com)",
                      "The harbour at dusk (Jane Doe/Getty Images)", "The pier (Jane Doe / Unsplash)"],
    "caption-copyright-credit": ["Rauch über der Halle. © DPA Images | Christoph Soeder", "The stage at dusk. © Jane Doe/Agency",
                                 "The council meets. Jane Doe/Copyright 2026 The AP. All rights reserved."],
    "new-window-link": ["Jobs (öffnet im neuen Fenster)", "Jobs (Öffnet in einem neuen Tab)", "Facebook (opens in a new tab)",
                        "Twitter (open in new window)", "Partager (s'ouvre dans un nouvel onglet)",
                        "Compartir (se abre en una nueva pestaña)", "Condividi (si apre in una nuova finestra)"],
    "embed-placeholder": ["Empfohlener redaktioneller Inhalt", "Externer Inhalt", "Externe Inhalte aktivieren",
                          "Bitte aktivieren Sie JavaScript", "Please enable JavaScript to view this content",
                          "JavaScript is disabled", "Third-party content", "External content", "Contenu externe",
                          "Contenido externo", "Contenuto esterno"],
    "logo-alt-text": ["ANI News Logo", "Site logo"],
    "post-filing-note": ["This entry was posted on Monday, May 4th, 2020 at 3:21 pm and is filed under News. You can "
                         "follow any responses to this entry through the RSS 2.0 feed.",
                         "Der Beitrag wurde am Mittwoch, den 27. November 2019 um 15:21 Uhr veröffentlicht und wurde unter "
                         "Allgemein, Termine abgelegt. Du kannst die Kommentare zu diesem Beitrag verfolgen.",
                         "This post was written by Jane Doe and categorized under Travel."],
    "embed-consent": ["Für die Darstellung unserer Infografiken nutzen wir einen Anbieter. Erst wenn Sie hier klicken, werden "
                      "die Grafiken geladen. Ihre IP-Adresse wird dabei an externe Server übertragen. Ihre Zustimmung "
                      "können Sie jederzeit widerrufen.",
                      "Click to load: this embed shares personal data with a third party, so we ask for your consent.",
                      "Mit Ihrer Einwilligung (Schalter) laden wir Inhalte von Drittanbietern."],
    "advertisement-label": ["Advertisement", "Advertising", "Sponsored content", "Ad", "Anzeige", "Werbung", "Publicité",
                            "Publicidad", "Pubblicità", "Scroll to continue with content", "Weiter lesen nach der Anzeige",
                            "Scroll down for video", "Scroll down to read more:",
                            "Story continues below advertisement",
                            "Advertising disclosure: We may receive compensation for some of the links in our stories.",
                            "Every item on this page was chosen by an editor. We may earn commission on some of the items "
                            "you choose to buy."],
    "media-player": ["Video | Troops board the tanker", "Audio: Interview", "Podcast|Folge 3", "Player wird geladen",
                     "Das Video wird geladen…", "Loading...", "Content is loading"],
    "agency-photo-credit": ["APA/AFP/Mandel Ngan", "ALEXANDER ZEMLIANICHENKO/POOL/AFP"],
    "breadcrumb": ["Home > World > Asia", "Startseite / Politik", "Accueil | Monde", "World » Asia", "News › Local",
                   "World / Asia", "Companies / Mining / Gold"],
    "relative-date": ["1 month ago", "about 2 hours ago", "an hour ago", "one day ago", "Yesterday", "vor 3 Stunden",
                      "Gestern", "il y a 2 jours"],
    "navigation-label": ["Back to top", "Nach oben", "Zum Seitenanfang", "Skip to main content", "Zum Inhalt springen",
                         "Menu", "Menü", "Suche", "Search", "Navigation", "Close", "Schließen", "SCHLIE\u1e9eEN", "Next",
                         "Previous", "Zurück", "Weiter", "More", "Mehr", "Show more", "Load more", "Mehr laden",
                         "Alle anzeigen", "Menu [+]"],
}
# The same for credit lines (extractors.rules.metadata.CREDIT_LINES).
SCREENED_CREDIT_EXAMPLES: dict[str, list[str]] = {
    "contribution line": ["Reuters and The Associated Press contributed to this story.", "Additional reporting by Reuters",
                          "Jane Doe contributed to this report"],
}


def _lines_of_inputs() -> list[str]:
    """Lines to try with and without screens: every line of the seeds and the text captures, every line the
    fixture pages' extraction kept or removed, and every example above, in capitals too."""
    texts = [text for path in sorted(SEEDS.glob("*.txt")) + sorted((FIXTURES / "eval" / "text-captures-de").glob("*.txt"))
             for text in path.read_text(encoding="utf-8").splitlines()]
    for path in sorted((FIXTURES / "pages").glob("*.html")):
        article = extract(path.read_bytes())
        texts += article.body.split("\n\n") + [removal.text for removal in article.removed]
    examples = [text for lines in [*SCREENED_EXAMPLES.values(), *SCREENED_CREDIT_EXAMPLES.values()] for text in lines]
    texts += examples + [text.upper() for text in examples]
    return [normalize_line(text) for text in texts if text.strip()]


def _first_rule_unscreened(text: str) -> LineRule | None:
    if len(text) > line_rules.MAX_RULE_LINE_CHARS:
        return None
    return next((rule for rule in line_rules.NOISE_LINE_RULES if rule.pattern.match(text)), None)


def test_every_screened_rule_lets_each_of_its_examples_be_tried():
    screened = {rule.name for rule in line_rules.NOISE_LINE_RULES if rule.screen_words or rule.screen_marks}
    # A rule given a screen needs examples here, one for each way its pattern matches.
    assert screened == set(SCREENED_EXAMPLES)
    noise = current_noise_rules()
    for rule in line_rules.NOISE_LINE_RULES:
        for text in SCREENED_EXAMPLES.get(rule.name, []):
            assert rule.pattern.match(text), (rule.name, text)
            assert rule in noise.tried(text, comparable_words(text)), (rule.name, text)


def test_every_screened_credit_line_lets_each_of_its_examples_be_tried():
    assert {name for name, _pattern, screen in cue_rules.CREDIT_LINES if screen} == set(SCREENED_CREDIT_EXAMPLES)
    for name, pattern, screen in cue_rules.CREDIT_LINES:
        for text in SCREENED_CREDIT_EXAMPLES.get(name, []):
            assert pattern.match(text) and not screen.isdisjoint(comparable_words(text)), (name, text)


def _screens() -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
    return ([(rule.name, rule.screen_words, rule.screen_marks) for rule in line_rules.NOISE_LINE_RULES]
            + [(name, screen, ()) for name, _pattern, screen in cue_rules.CREDIT_LINES])


def test_screens_are_whole_lower_case_words_and_marks():
    for name, words, marks in _screens():
        assert all(re.fullmatch(r"\w+", word) and word == word.lower() for word in words), name
        assert all(mark and mark == mark.lower() for mark in marks), name


def test_screened_lines_match_the_same_rule_as_unscreened_ones():
    texts = _lines_of_inputs() + ["BİLD: dpa", "Sıgn up", "ſubscribe now", "\u212aEYSTONE"]  # İ, ı, ſ, Kelvin sign
    assert len(texts) > 1000
    for text in texts:
        assert match_noise_rule(text) == _first_rule_unscreened(text), text
        words = comparable_words(text) if screenable(text) else None
        assert read_credit_line(text, words) == read_credit_line(text), text
    assert match_noise_rule("BİLD: dpa").name == "photo-caption"


def test_lower_casing_keeps_what_screens_rely_on():
    """A screen reads the lower-cased line, a pattern the line with re.IGNORECASE: every character that a
    screen character matches with re.IGNORECASE lowers to it, and lowering keeps word characters word
    characters, but for the letters a screened line is tried against every rule for."""
    every_character = "".join(map(chr, range(0x110000)))
    unlowered = {"\u0130", "\u0131", "\u017f"}
    screen_characters = {character for _name, words, marks in _screens() for character in "".join([*words, *marks])}
    for character in screen_characters:
        for found in re.finditer(re.escape(character), every_character, re.IGNORECASE):
            assert found.group() in unlowered or found.group().lower() == character, (character, found.group())
    word_flags = re.sub(r"\W", "0", re.sub(r"\w", "1", every_character))
    lowered = [character.lower() for character in every_character]
    assert {character for character, lower in zip(every_character, lowered) if len(lower) != 1} <= unlowered
    lowered_flags = re.sub(r"\W", "0", re.sub(r"\w", "1", "".join(lower[0] for lower in lowered)))
    assert [c for c, a, b in zip(every_character, word_flags, lowered_flags) if a != b and c not in unlowered] == []
