"""Line-level boilerplate rules for plain-text captures and for extracted bodies.

Each rule is a LineRule: a name, the reason its removals are recorded with, a pattern, and the properties
the cleaner (extractors.text_cleaner) reads — how much the line weighs against the article text around it,
and whether it ends the story. A line matching a pattern is removed with that rule's reason. Patterns match
whole (stripped) lines unless they say otherwise, and are case-insensitive. They name kinds of page
furniture seen across news sites, not the wording of any one site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE

# Scores of removed lines in the article cut (extractors.text_cleaner.best_region), where article text
# scores its length in characters and a short line -20.
# Furniture inside or beside the story costs the run a little: the cut passes over a caption or a share bar.
FURNITURE_WEIGHT = -8.0
# A header that opens a section which is not the story (teaser lists, reader comments) costs as much as a
# paragraph of text: the cut does not run on into the list or the comments.
SECTION_HEADER_WEIGHT = -150.0

# Lines longer than this are matched against no line rule (furniture or metadata cue): the longest furniture
# the rules describe, a caption with its credit, runs to about 500 characters, and a longer line is no page
# furniture. It is left to the line scores, which keep it when it reads as text and cut it when it does not.
# (This also bounds the work any rule does on one line of a hostile input.)
MAX_RULE_LINE_CHARS = 1000


@dataclass(frozen=True)
class LineRule:
    """A kind of line the cleaner removes, and how the article cut treats it."""

    name: str  # stable and unique: what tests and tools call the rule
    reason: str  # what the removal record says (free to reword: no result depends on it)
    pattern: re.Pattern[str] | None = None  # None: the line is recognised by other means (see MARKS below)
    weight: float = FURNITURE_WEIGHT  # the line's score in the article cut
    ends_story: bool = False  # the story ends before it, unless more article text follows than precedes it
    opens_comments: bool = False  # the story ends before it whatever follows: reader comments run on after it
    heads_section: bool = False  # heads a list or section that is not the story: no lead is looked for above it
    may_hold_title: bool = False  # a headline may stand in it behind a prefix ("ANI Photo | Headline")
    labels_media: bool = False  # belongs to a photo, video or embed: a credit line just after it credits that, not the story
    # The pattern's screen: every line it matches holds one of these words (lower-cased; a whole run of word
    # characters, as extractors.text.comparable_words splits a line) or one of these marks (lower-cased,
    # anywhere in the line). A line with none of them is not tried against the pattern (unless it holds a
    # letter that re.IGNORECASE and str.lower() read differently: extractors.text.screenable). Both empty:
    # every line is. (Each pattern is tried on nearly every line of every page; most hold no screen word.)
    screen_words: frozenset[str] = frozenset()
    screen_marks: tuple[str, ...] = ()


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _line(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*+(?:{pattern})\s*$", _I)


# The accessibility label of a link that opens a new window or tab, as pages print it after the link text.
NEW_WINDOW_LABEL = (r"\((?:öffnet (?:sich )?in (?:einem )?neuen (?:fenster|tab)|öffnet im neuen (?:fenster|tab)"
                    r"|opens? in (?:a )?new (?:window|tab)|s'ouvre dans (?:un )?nou(?:vel|veau) (?:onglet|fenêtre)"
                    r"|se abre en (?:una )?nueva (?:ventana|pestaña)|si apre in una nuova (?:finestra|scheda))\)")

# Lines that are furniture wherever they appear.
NOISE_LINE_RULES: list[LineRule] = [
    # Newsletter and subscription calls: "Subscribe to our Newsletter", "Sign up for our daily briefing",
    # "Newsletter abonnieren", "Jetzt abonnieren" — boxes placed under or inside articles — and the longer
    # pitch, a sentence that bids the reader subscribe to a newsletter ("Keine Neuigkeiten mehr verpassen:
    # Abonnieren Sie kostenlos den X-Newsletter und bleiben Sie ...", "Sign up to our fortnightly X newsletter
    # to receive ...") or enter an e-mail address to receive one.
    LineRule("newsletter-call", "newsletter or subscription call", pattern=_line(
        r"(?:subscribe|sign up|register)(?: now| today| here)?(?: (?:to|for) .{0,60})?[.!]?"
        r"|.{0,40}\bnewsletter\b.{0,60}"
        r"|(?:jetzt )?(?:newsletter )?(?:abonnieren|abonnier(?:en|t)|anmelden)[.!]?"
        r"|(?:s'abonner|abonnez-vous|suscr[ií]bete|iscriviti)\b.{0,60}"
        # (the bid opens the line or a sentence in it: "She urged readers to subscribe to ..." is no call)
        r"|(?:.{0,120}[.!?:]\s+)?(?:(?:abonnieren sie|abonniere|subscribe to|sign up (?:for|to))\b.{0,60}\bnewsletter\b.{0,160}"
        r"|enter your e-?mail(?: address)? (?:below |here )?(?:to|and) (?:receive|get|subscribe)\b.{0,200})"
    ), screen_words=_words("subscribe sign register newsletter abonnieren abonniert anmelden abonner abonnez suscribete"
                           " suscríbete iscriviti abonniere enter")),
    # Paywall and premium offers: "Support our award-winning journalism. The Premium package ... R129 p/m",
    # "Already a subscriber? Log in", "Read the full story with a subscription", "Plus-Artikel".
    LineRule("paywall-offer", "paywall or subscription offer", pattern=re.compile(
        r"^\s*+(?:subscribe\b.{0,20})?(?:support (?:our|independent) .{0,40}journalism\b.{0,300}"
        r"|already (?:a )?(?:subscriber|registered|have an account)\b.{0,60}"
        r"|.{0,80}\b(?:premium|digital(?:es|en)?) (?:package|subscription|access|abo)\b.{0,200}"
        r"|.{0,40}\b(?:for (?:all )?subscribers|subscribers only|nur für abonnenten|exklusiv für abonnenten)\b.{0,80}"
        r"|(?:jetzt )?(?:weiterlesen|read more|continue reading)(?: mit .{0,40})?[.:!]?"
        r"|(?:unlock|get) (?:unlimited|full) access\b.{0,80})\s*$", _I),
        # (A line that opens with "subscribe" holds it as a word; the words after it may be glued to it.)
        screen_words=_words("subscribe support already premium digital digitales digitalen subscribers abonnenten"
                            " weiterlesen read continue access")),
    # Headers that open the reader-comment section, which always follows the article: "3 Kommentare",
    # "Comments (12)", "Leserkommentare", "Die Kommentarfunktion ist geschlossen", "Show all 40 comments".
    LineRule("comment-section-header", "comment section header", weight=SECTION_HEADER_WEIGHT, opens_comments=True,
             heads_section=True, pattern=_line(
        r"\d+\s+(?:comments?|kommentare?|leserkommentare|commentaires?|comentarios?|commenti|reacties|reacciones|komentarzy?)"
        r"|(?:comments?|kommentare|leserkommentare|commentaires|comentarios|commenti|reacties)\s*\(\d+\)"
        r"|(?:leser|user)kommentare|reader comments|(?:die )?kommentarfunktion\b.{0,80}|comments? (?:are|is) closed\.?"
        r"|(?:show|view|load|read|see) (?:all )?(?:\d+ )?comments?|alle (?:\d+ )?kommentare(?: anzeigen| lesen)?"
        # the same in other scripts: "12条评论", "网友评论", "コメント(3)", "댓글 5", "Комментарии (4)"
        r"|\d+\s*条?评论|(?:网友|读者|最新|全部)评论|评论\s*[(（]\d+[)）]|コメント\s*[(（]\d+[)）]|\d+\s*件のコメント"
        r"|댓글\s*\d+|\d+\s*개의 댓글|комментари[иейя]\s*[(（]?\d*[)）]?|\d+\s+комментари\w*"
    )),
    # Comment prompts and comment-section furniture: "Please enter your comment!", "Would you like to
    # comment on this article?", "Sign up (it's quick and free) or sign in now.", "Comment Policy".
    LineRule("comment-prompt", "comment prompt", pattern=_line(
        r"please enter your (?:comment|name|email)(?: (?:here|address))?[.!]?"
        r"|(?:would you like to |want to |click here to )?(?:leave a |post a |add a )?comment(?:s)? on this (?:article|story|post)\??"
        r"|(?:leave|post|add|write) a (?:comment|reply)[.!:]?"
        r"|.{0,40}\bcomment(?:ing)? policy\b.{0,60}"
        r"|sign up \(it'?s quick and free\).{0,40}"
        r"|(?:\d+ )?comments?|kommentare?(?: \(\d+\))?|(?:jetzt )?kommentieren|commentaires?"
        r"|speech bubbles?|join the (?:conversation|discussion)[.!]?"
        r"|(?:log|sign) ?in(?: to comment| now)?[.!]?|(?:einloggen|anmelden) (?:und|zum) kommentieren"
    ), screen_words=_words("please comment comments reply policy sign kommentar kommentare kommentieren commentaire"
                           " commentaires speech join log login signin")),
    # Section headers that open teaser lists: "Most Read", "Related Articles", "Related Posts",
    # "More from World", "You may also like", "Mehr zum Thema", "Das könnte Sie auch interessieren". Not "Read
    # more about X.": ending in a full stop, it is a sentence of the story pointing elsewhere.
    LineRule("teaser-list-header", "teaser list header", weight=SECTION_HEADER_WEIGHT, ends_story=True, heads_section=True,
             pattern=_line(
        r"(?:the )?most (?:read|popular|viewed|shared|commented)(?: (?:articles|stories|news))?"
        r"|related(?: articles| posts| stories| news| content| coverage| topics| links)?"
        r"|(?:more|read more|also read|see also|latest|top) (?:from|on|in|about) .{0,39}[^.!?]"
        r"|(?:more|other|latest|top|trending|recommended|popular) (?:stories|articles|news|headlines|posts|videos)"
        r"|you (?:may|might) (?:also )?(?:like|be interested in|have missed).{0,20}"
        r"|recommended(?: for you)?|editor'?s picks|trending(?: now)?|what to read next|read next|up next"
        r"|mehr zum thema.{0,40}|(?:das )?könnte (?:sie|dich) auch interessieren|meistgelesen(?:e)?(?: artikel)?"
        r"|(?:weitere|ähnliche) (?:artikel|beiträge|themen|nachrichten)|lesen sie (?:auch|mehr)[:.]?|auch interessant"
        r"|zum thema|top[- ]themen|beliebte artikel|empfehlungen(?: der redaktion)?"
        r"|(?:à|a) lire aussi|sur le même sujet|les plus lus|articles? (?:similaires|liés)"
        r"|noticias relacionadas|lo más leído|te puede interesar|leggi anche|i più letti"
    )),
    # Advertising slots that leave a label behind: "Advertisement", "Anzeige", "Sponsored", "Scroll down for
    # video"; and the affiliate disclosure: "Advertising disclosure: ...", "We may earn commission from links on
    # this page".
    LineRule("advertisement-label", "advertisement", pattern=_line(
        r"advertisement|advertising|sponsored(?: content| links?)?|ad|anzeige|werbung|publicité|publicidad|pubblicità"
        r"|(?:scroll|weiter) (?:to continue|lesen) .{0,30}|story continues below(?: advertisement)?"
        r"|scroll down (?:to|for) (?:read |see |watch )?(?:more|(?:the )?videos?)[.:!]?"
        r"|(?:advertising|affiliate) disclosure\b.{0,300}"
        r"|.{0,60}\bwe (?:may )?(?:receive|earn) (?:a )?(?:small )?(?:affiliate )?(?:compensation|commission)\b.{0,250}"
    ), screen_words=_words("advertisement advertising sponsored ad anzeige werbung publicité publicidad pubblicità scroll"
                           " weiter story disclosure receive earn")),
    # Share bars: "Share", "Share this article", "Facebook Twitter WhatsApp Email", "Teilen", and the
    # question over one: "Möchten Sie den Artikel teilen?", "Want to share this story?".
    LineRule("share-bar", "share bar", pattern=_line(
        r"(?:share|teilen|partager|compartir|condividi)(?: (?:this|the|on|via|article|story|artikel|mit).{0,30})?[:]?"
        r"|(?:möchten sie|möchtest du|wollen sie|willst du) (?:den|diesen|das) (?:artikel|beitrag|video) teilen\?"
        r"|(?:want|would you like) to share (?:this|the) (?:article|story|post|video)\?"
        r"|(?:(?:facebook|twitter|x|whatsapp|e-?mail|linkedin|pinterest|telegram|reddit|xing|flipboard|messenger|print|drucken|copy link|link kopieren)[\s|,/·•]*+){2,}"
        r"|(?:tweet|pin it|copy link|link kopieren|print|drucken|e-?mail)"
    )),
    # Cookie and consent notices.
    LineRule("cookie-notice", "cookie notice", pattern=re.compile(
        r"^\s*+.{0,120}\b(?:we use cookies|uses cookies|cookie (?:policy|settings|consent)|cookies? akzeptieren|"
        r"datenschutzeinstellungen|accept (?:all )?cookies|einwilligung)\b.{0,200}$", _I),
        screen_words=_words("cookie cookies datenschutzeinstellungen einwilligung")),
    # Footer lines: copyright, "All rights reserved", legal links.
    LineRule("footer", "footer", pattern=_line(
        r"(?:©|\(c\)|copyright)\s*.{0,120}|.{0,80}\ball rights reserved\b.{0,40}|alle rechte vorbehalten.{0,40}"
        r"|(?:imprint|impressum|privacy policy|datenschutz(?:erklärung)?|terms of (?:use|service)|agb|kontakt|contact us)"
        r"(?:\s*+[|·•][^|·•]{0,40}+)*"
    ), screen_words=_words("reserved rechte imprint impressum privacy datenschutz datenschutzerklärung terms agb kontakt"
                           " contact"),
       screen_marks=("©", "(c)", "copyright")),  # ("copyright" may run on into the next word: "Copyright2024")
    # The post's filing note a blog template prints under it: "This entry was posted on Monday, May 4th, 2020 at
    # 3:21 pm and is filed under News. You can follow any responses to this entry through the RSS 2.0 feed.",
    # "Der Beitrag wurde am Mittwoch, den 27. November 2019 um 15:21 Uhr veröffentlicht und wurde unter ... abgelegt."
    LineRule("post-filing-note", "post metadata", pattern=_line(
        r"(?:this (?:entry|post) was (?:posted|published|written)|(?:der|dieser) (?:beitrag|eintrag) wurde am)\b.{0,300}"
        r"\b(?:filed under|categori[sz]ed (?:in|under|as)|abgelegt|kategorisiert)\b.{0,400}"
    ), screen_words=_words("entry post beitrag eintrag")),
    # Photo captions and credits: "... Picture: NAME/POOL via REUTERS", "Photo: AP", "Foto: dpa",
    # "Bild: Keystone", "(Photo by ...)", and captions ending in a bracketed credit "[Name/ Agency via AP]".
    # A photo shoot's credit goes on with the crew: "...Foto: Jane Doe. Styling: John Roe. Make-up: Ann Poe".
    # Captions labelled as such: "Legende: ...", "Bildunterschrift: ...", "Caption: ...".
    LineRule("photo-caption", "photo caption or credit", may_hold_title=True, labels_media=True, pattern=re.compile(
        r"^\s*+(?:(?:bild)?legende|bildunterschrift|caption|abbildung(?:\s*+\d+)?|(?:abb|fig)\.\s*+\d+|figure\s*+\d+)\s*:.{0,400}$"
        r"|^\s*+(?:.{0,400}(?:\b(?:picture|photo|image|foto|bild|credit|fotos?|bildquelle|quelle bild)\s*:\s*[^.!?]{2,80}"
        r"(?:\.\s*+[\w-]{2,20}(?: [\w-]{2,20})?\s*:\s*[^.!?:]{2,80})*\.?"
        r"|\((?:photo|picture|image|foto|bild) (?:by|von|:)[^)]{2,80}\)"
        r"|\[[^\]]{2,80}\b(?:via|/)\s*[^\]]{1,40}\]"
        # a photographer's name and the stock photo library: "(mlharing / iStock.com)", "(Jane Doe/Getty Images)"
        r"|\([^()/]{1,60}/\s*+(?:istock(?:photo)?|getty ?images|shutterstock|adobe ?stock|imago(?: images)?|picture[- ]alliance"
        r"|unsplash|pixabay|pexels|alamy)(?:\.com)?\))"
        r"|(?:photo|picture|image|foto|bild|getty images|imago|keystone|shutterstock|istock)(?:\s*[:/|]\s*.{0,60})?)\s*$", _I),
        screen_words=_words("legende bildlegende bildunterschrift caption picture photo image foto fotos bild credit bildquelle"
                            " getty imago keystone shutterstock istock abbildung abb fig figure istockphoto gettyimages"
                            " adobe adobestock unsplash pixabay pexels alamy"),
        screen_marks=("[",)),
    # Captions that end in a copyright credit: "Rauch über der Halle. © DPA Images | Christoph Soeder",
    # "The stage at dusk. © Jane Doe/Agency", "... Jane Doe/Copyright 2026 The AP. All rights reserved."
    LineRule("caption-copyright-credit", "photo caption or credit", labels_media=True, pattern=re.compile(
        r"^\s*+.{0,400}?(?:\s©|/\s*+copyright\b)\s*+[^©.!?]{2,80}(?:\.\s*+all rights reserved\.?)?$", _I),
        screen_marks=("©", "copyright")),
    # Link lists whose items carry the accessibility label for links that open a new window, left as text:
    # "Jobs (öffnet im neuen Fenster)", "Facebook (opens in a new tab)".
    LineRule("new-window-link", "link list", pattern=re.compile(
        r"^\s*+(?:\S++\s++){0,14}\S*+\s*+" + NEW_WINDOW_LABEL + r"\s*$", _I),
        screen_words=_words("öffnet open opens ouvre abre apre")),
    # Placeholders of embedded content that waits for consent or JavaScript: "Empfohlener redaktioneller
    # Inhalt", "Externer Inhalt", "Please enable JavaScript to view this content".
    LineRule("embed-placeholder", "embedded content placeholder", labels_media=True, pattern=re.compile(
        r"^\s*+.{0,200}?\b(?:(?:empfohlener )?redaktioneller inhalt|externe[nr]? inhalte?\b|(?:bitte )?aktivieren sie javascript"
        r"|(?:please )?enable javascript|javascript (?:is )?(?:disabled|required)|(?:external|third[- ]party) content\b"
        r"|contenu externe|contenido externo|contenuto esterno)\b.{0,300}$", _I),
        screen_words=_words("redaktioneller externe externen externer javascript content contenu contenido contenuto")),
    # Consent boxes of embedded content (a chart, a video, a social network's post) that ask the reader to
    # click or flip a switch before a third party's content loads: longer than the cookie rule reaches.
    LineRule("embed-consent", "embedded content placeholder", pattern=re.compile(
        r"^(?=.{0,1000}$)(?=.*?\b(?:einwilligung|zustimmung|consent)\b)"
        r"(?=.*?\b(?:drittanbieter\w*|externe[nr]? server\w*|ip-adresse|third[- ]part(?:y|ies)|ip address"
        r"|personenbezogene[nr]? daten|personal data)\b)"
        r"(?=.*?\b(?:klicken|klickst|schalter|click|switch|toggle)\b)", _I),
        screen_words=_words("einwilligung zustimmung consent")),
    # Video and audio players left as text: "Video | Troops board the tanker", "Player wird geladen", "Loading...".
    LineRule("media-player", "video or audio player", labels_media=True, pattern=_line(
        r"(?:video|audio|podcast)\s*+[|:]\s*+.{1,150}"
        r"|(?:(?:das |the )?(?:video|player|audio|podcast|inhalt|content)\s++)?(?:wird geladen|is loading|loading)(?:\.{3}|…)?"
    ), screen_words=_words("video audio podcast geladen loading")),
    # Agency-style photo credits on their own line: "APA/AFP/Mandel Ngan", "ALEXANDER ZEMLIANICHENKO/POOL".
    LineRule("agency-photo-credit", "photo caption or credit", may_hold_title=True, pattern=re.compile(
        r"^\s*+(?:[A-ZÄÖÜ][\w.-]*+\s?){1,3}/\s?(?:[A-ZÄÖÜ][\w.-]*+\s?){1,3}/(?:\s?[A-ZÄÖÜ][\w.-]*+){1,3}\s*$"),
        screen_marks=("/",)),
    # Breadcrumb trails: "Home > World > Asia", "World / Asia", "Startseite Politik Ausland".
    LineRule("breadcrumb", "breadcrumb", pattern=re.compile(
        r"^\s*+(?:(?:home|start(?:seite)?|accueil|inicio)\b(?:\s*+[>»/|›]\s*+[^>»/|›]{1,30}+){1,6}"
        r"|[\w&'-]++(?: [\w&'-]++)?(?:\s*+[>»›]\s*+[\w&' -]{1,30}+){1,6}"
        # Section labels under teasers and over articles: "World / Asia", "Companies / Mining".
        r"|[\w&'-]++(?: [\w&'-]++)?(?:\s++/\s++[\w&'-]++(?: [\w&'-]++)?){1,3})\s*$", _I),
        screen_marks=(">", "»", "/", "|", "›")),
    # Logo alt texts left behind as text: "ANI News Logo", "Site logo".
    LineRule("logo-alt-text", "logo", pattern=_line(r".{1,40}\blogo"), screen_words=_words("logo")),
    # Relative times under teasers: "1 month ago", "2 hours ago", "vor 3 Stunden", "il y a 2 jours".
    LineRule("relative-date", "relative date", pattern=_line(
        r"(?:about |an? )?\d+ (?:second|minute|hour|day|week|month|year)s? ago|(?:an? |one )(?:hour|day|week|month|year) ago"
        r"|yesterday|vor \d+ (?:sekunden|minuten?|stunden?|tagen?|wochen?|monaten?|jahren?)|gestern|il y a \d+ \w+"
    ), screen_words=_words("ago yesterday vor gestern il")),
    # Back-to-top, skip links and other navigation verbs left as text.
    LineRule("navigation-label", "navigation", pattern=_line(
        r"(?:back to top|nach oben|zum seitenanfang|skip to (?:main )?content|zum inhalt(?: springen)?|menu|menü|suche|search"
        r"|navigation|close|schließen|next|previous|zurück|weiter|more|mehr|show more|load more|mehr laden|alle anzeigen)"
        r"(?:\s*+\[[^\]]*+\])?"
    ), screen_words=_words("back nach zum skip menu menü suche search navigation close schließen next previous zurück"
                           " weiter more mehr show load alle")),
]

# Lines the cleaner marks without a pattern of its own: metadata cue lines, which extractors.cues reads
# with the patterns of rules.metadata (outlet cue lines: see rules.metadata.OUTLET_CUES), and echoes of
# the headline.
REPEATED_LINE = LineRule("repeated-line", "repeated line")  # the same words as a line above it
DATE_BANNER = LineRule("date-banner", "date banner")  # a line that is only a date: "Monday, September 16, 2024"
BYLINE = LineRule("byline", "byline")  # "By Jane Doe", "Von Anna Muster"
# "Reuters", "Reuters and The AP contributed to this story": credits close a story.
CREDIT_LINE = LineRule("credit-line", "credit line", ends_story=True)
ABOUT_BLURB = LineRule("about-blurb", "about blurb")  # "ANI is a leading multimedia news agency." under "About ANI"
HEADLINE = LineRule("headline", "headline")  # the line taken as the title
REPEATED_HEADLINE = LineRule("repeated-headline", "repeated headline")  # the headline again, word for word
TITLE_BREADCRUMB = LineRule("title-breadcrumb", "breadcrumb")  # a trail ending in the headline: "World Asia Headline"
PAGE_TITLE = LineRule("page-title", "page title")  # the headline with the site's name: "Headline - Site"

# A line that is only a headline prefix such as "ANI Photo |" or "WATCH:" in front of the title.
TITLE_PREFIX = re.compile(
    r"^\s*+(?:(?:[\w.&-]++\s){0,3}(?:photo|video|pictures?|foto|bild|watch|live|breaking|exclusive|update|opinion)s?\s*+[|:–—-]\s*)",
    _I)

# Separators between a headline and the site name in <title>-like lines: "Headline - news.ORF.at".
TITLE_SITE_SEPARATORS = re.compile(r"(?<!\s)\s+(?:[|–—-]|::|»)\s+")

# Sentence-final punctuation in the scripts we meet (Latin, CJK, Arabic, Devanagari...).
SENTENCE_END = re.compile(r"[.!?…。！？؟।\"“”»«'’)]\s*$")
SENTENCE_PUNCTUATION = re.compile(r"[.!?…。！？؟।,;:，、]")

# Pages served with status 200 that are not articles, told by their title or their little text.
# Used only when a page has too little text to be an article, to say which kind of page it is.
NON_ARTICLE_PAGES: list[tuple[str, re.Pattern[str]]] = [
    # "Page not found", "404", "Seite nicht gefunden", "We can't find that page" on a 200 response.
    ("a 'page not found' page (soft 404)", re.compile(
        r"\b(?:404|page not found|not be found|can'?t find (?:that|this|the) page|seite nicht gefunden|"
        r"seite (?:existiert|gibt es) nicht|page (?:introuvable|non trouvée)|página no encontrada)\b", _I)),
    # Sign-in and subscription walls: "Sign in to continue reading", "Log in", "Anmelden um weiterzulesen".
    ("a login or paywall page", re.compile(
        r"\b(?:sign in|log ?in|anmelden|einloggen|se connecter|iniciar sesión)\b.{0,60}\b(?:continue|read|weiterlesen|lesen|lire|leer)\b"
        r"|\bsubscribers? only\b|\bnur für abonnenten\b", _I)),
    # Consent walls that hide the page until cookies are accepted.
    ("a cookie consent wall", re.compile(
        r"\b(?:cookies?|datenschutzeinstellungen|privacy settings|privatsphäre|consent)\b", _I)),
]

# The header that opens a reader-comment section, as the body voter reads it (extractors.body): the blocks
# after the last such header on a page are a layout feature.
COMMENT_HEADER = next(rule.pattern for rule in NOISE_LINE_RULES if rule.name == "comment-section-header")
