"""Line-level boilerplate rules for plain-text captures and for extracted bodies.

Each entry is (reason, compiled pattern). A line matching a pattern is removed with that reason.
Patterns match whole (stripped) lines unless they say otherwise, and are case-insensitive.
They name kinds of page furniture seen across news sites, not the wording of any one site.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE


def _line(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:{pattern})\s*$", _I)


# Lines that are furniture wherever they appear.
NOISE_LINE_RULES: list[tuple[str, re.Pattern[str]]] = [
    # Newsletter and subscription calls: "Subscribe to our Newsletter", "Sign up for our daily briefing",
    # "Newsletter abonnieren", "Jetzt abonnieren" — boxes placed under or inside articles.
    ("newsletter or subscription call", _line(
        r"(?:subscribe|sign up|register)(?: now| today| here)?(?: (?:to|for) .{0,60})?[.!]?"
        r"|.{0,40}\bnewsletter\b.{0,60}"
        r"|(?:jetzt )?(?:newsletter )?(?:abonnieren|abonnier(?:en|t)|anmelden)[.!]?"
        r"|(?:s'abonner|abonnez-vous|suscr[ií]bete|iscriviti)\b.{0,60}"
    )),
    # Paywall and premium offers: "Support our award-winning journalism. The Premium package ... R129 p/m",
    # "Already a subscriber? Log in", "Read the full story with a subscription", "Plus-Artikel".
    ("paywall or subscription offer", re.compile(
        r"^\s*(?:subscribe\b.{0,20})?(?:support (?:our|independent) .{0,40}journalism\b.{0,300}"
        r"|already (?:a )?(?:subscriber|registered|have an account)\b.{0,60}"
        r"|.{0,80}\b(?:premium|digital) (?:package|subscription|access|abo)\b.{0,200}"
        r"|.{0,40}\b(?:for (?:all )?subscribers|subscribers only|nur für abonnenten|exklusiv für abonnenten)\b.{0,80}"
        r"|(?:jetzt )?(?:weiterlesen|read more|continue reading)(?: mit .{0,40})?[.:!]?"
        r"|(?:unlock|get) (?:unlimited|full) access\b.{0,80})\s*$", _I)),
    # Headers that open the reader-comment section, which always follows the article: "3 Kommentare",
    # "Comments (12)", "Leserkommentare", "Die Kommentarfunktion ist geschlossen", "Show all 40 comments".
    ("comment section header", _line(
        r"\d+\s+(?:comments?|kommentare?|leserkommentare|commentaires?|comentarios?|commenti|reacties|reacciones|komentarzy?)"
        r"|(?:comments?|kommentare|leserkommentare|commentaires|comentarios|commenti|reacties)\s*\(\d+\)"
        r"|(?:leser|user)kommentare|reader comments|(?:die )?kommentarfunktion\b.{0,80}|comments? (?:are|is) closed\.?"
        r"|(?:show|view|load|read|see) (?:all )?(?:\d+ )?comments?|alle (?:\d+ )?kommentare(?: anzeigen| lesen)?"
    )),
    # Comment prompts and comment-section furniture: "Please enter your comment!", "Would you like to
    # comment on this article?", "Sign up (it's quick and free) or sign in now.", "Comment Policy".
    ("comment prompt", _line(
        r"please enter your (?:comment|name|email)(?: (?:here|address))?[.!]?"
        r"|(?:would you like to |want to |click here to )?(?:leave a |post a |add a )?comment(?:s)? on this (?:article|story|post)\??"
        r"|(?:leave|post|add|write) a (?:comment|reply)[.!:]?"
        r"|.{0,40}\bcomment(?:ing)? policy\b.{0,60}"
        r"|sign up \(it'?s quick and free\).{0,40}"
        r"|(?:\d+ )?comments?|kommentare?(?: \(\d+\))?|(?:jetzt )?kommentieren|commentaires?"
        r"|speech bubbles?|join the (?:conversation|discussion)[.!]?"
        r"|(?:log|sign) ?in(?: to comment| now)?[.!]?|(?:einloggen|anmelden) (?:und|zum) kommentieren"
    )),
    # Section headers that open teaser lists: "Most Read", "Related Articles", "Related Posts",
    # "More from World", "You may also like", "Mehr zum Thema", "Das könnte Sie auch interessieren".
    ("teaser list header", _line(
        r"(?:the )?most (?:read|popular|viewed|shared|commented)(?: (?:articles|stories|news))?"
        r"|related(?: articles| posts| stories| news| content| coverage| topics| links)?"
        r"|(?:more|read more|also read|see also|latest|top) (?:from|on|in|about) .{1,40}"
        r"|(?:more|other|latest|top|trending|recommended|popular) (?:stories|articles|news|headlines|posts|videos)"
        r"|you (?:may|might) (?:also )?(?:like|be interested in|have missed).{0,20}"
        r"|recommended(?: for you)?|editor'?s picks|trending(?: now)?|what to read next|read next|up next"
        r"|mehr zum thema.{0,40}|(?:das )?könnte (?:sie|dich) auch interessieren|meistgelesen(?:e)?(?: artikel)?"
        r"|(?:weitere|ähnliche) (?:artikel|beiträge|themen|nachrichten)|lesen sie (?:auch|mehr)[:.]?|auch interessant"
        r"|zum thema|top[- ]themen|beliebte artikel|empfehlungen(?: der redaktion)?"
        r"|(?:à|a) lire aussi|sur le même sujet|les plus lus|articles? (?:similaires|liés)"
        r"|noticias relacionadas|lo más leído|te puede interesar|leggi anche|i più letti"
    )),
    # Advertising slots that leave a label behind: "Advertisement", "Anzeige", "Sponsored".
    ("advertisement", _line(
        r"advertisement|advertising|sponsored(?: content| links?)?|ad|anzeige|werbung|publicité|publicidad|pubblicità"
        r"|(?:scroll|weiter) (?:to continue|lesen) .{0,30}|story continues below(?: advertisement)?"
    )),
    # Share bars: "Share", "Share this article", "Facebook Twitter WhatsApp Email", "Teilen".
    ("share bar", _line(
        r"(?:share|teilen|partager|compartir|condividi)(?: (?:this|the|on|via|article|story|artikel|mit).{0,30})?[:]?"
        r"|(?:(?:facebook|twitter|x|whatsapp|e-?mail|linkedin|pinterest|telegram|reddit|xing|flipboard|messenger|print|drucken|copy link|link kopieren)[\s|,/·•]*){2,}"
        r"|(?:tweet|pin it|copy link|link kopieren|print|drucken|e-?mail)"
    )),
    # Cookie and consent notices.
    ("cookie notice", re.compile(
        r"^\s*.{0,120}\b(?:we use cookies|uses cookies|cookie (?:policy|settings|consent)|cookies? akzeptieren|"
        r"datenschutzeinstellungen|accept (?:all )?cookies|einwilligung)\b.{0,200}$", _I)),
    # Footer lines: copyright, "All rights reserved", legal links.
    ("footer", _line(
        r"(?:©|\(c\)|copyright)\s*.{0,120}|.{0,80}\ball rights reserved\b.{0,40}|alle rechte vorbehalten.{0,40}"
        r"|(?:imprint|impressum|privacy policy|datenschutz(?:erklärung)?|terms of (?:use|service)|agb|kontakt|contact us)"
        r"(?:\s*[|·•]\s*.{1,40})*"
    )),
    # Photo captions and credits: "... Picture: NAME/POOL via REUTERS", "Photo: AP", "Foto: dpa",
    # "Bild: Keystone", "(Photo by ...)", and captions ending in a bracketed credit "[Name/ Agency via AP]".
    ("photo caption or credit", re.compile(
        r"^\s*(?:.{0,400}(?:\b(?:picture|photo|image|foto|bild|credit|fotos?|bildquelle|quelle bild)\s*:\s*[^.!?]{2,80}"
        r"|\((?:photo|picture|image|foto|bild) (?:by|von|:)[^)]{2,80}\)"
        r"|\[[^\]]{2,80}\b(?:via|/)\s*[^\]]{1,40}\])"
        r"|(?:photo|picture|image|foto|bild|getty images|imago|keystone|shutterstock|istock)(?:\s*[:/|]\s*.{0,60})?)\s*$", _I)),
    # Agency-style photo credits on their own line: "APA/AFP/Mandel Ngan", "ALEXANDER ZEMLIANICHENKO/POOL".
    ("photo caption or credit", re.compile(r"^\s*(?:[A-ZÄÖÜ][\w.-]*\s?){1,3}/\s?(?:[A-ZÄÖÜ][\w.-]*\s?){1,3}/(?:\s?[A-ZÄÖÜ][\w.-]*){1,3}\s*$")),
    # Breadcrumb trails: "Home > World > Asia", "World / Asia", "Startseite Politik Ausland".
    ("breadcrumb", re.compile(
        r"^\s*(?:(?:home|start(?:seite)?|accueil|inicio)\b(?:\s*[>»/|›]\s*[^>»/|›]{1,30}){1,6}"
        r"|[\w&'-]+(?: [\w&'-]+)?(?:\s*[>»›]\s*[\w&' -]{1,30}){1,6}"
        # Section labels under teasers and over articles: "World / Asia", "Companies / Mining".
        r"|[\w&'-]+(?: [\w&'-]+)?(?:\s+/\s+[\w&'-]+(?: [\w&'-]+)?){1,3})\s*$", _I)),
    # Logo alt texts left behind as text: "ANI News Logo", "Site logo".
    ("logo", _line(r".{1,40}\blogo")),
    # Relative times under teasers: "1 month ago", "2 hours ago", "vor 3 Stunden", "il y a 2 jours".
    ("relative date", _line(
        r"(?:about |an? )?\d+ (?:second|minute|hour|day|week|month|year)s? ago|(?:an? |one )(?:hour|day|week|month|year) ago"
        r"|yesterday|vor \d+ (?:sekunden|minuten?|stunden?|tagen?|wochen?|monaten?|jahren?)|gestern|il y a \d+ \w+"
    )),
    # Back-to-top, skip links and other navigation verbs left as text.
    ("navigation", _line(
        r"(?:back to top|nach oben|zum seitenanfang|skip to (?:main )?content|zum inhalt(?: springen)?|menu|menü|suche|search"
        r"|navigation|close|schließen|next|previous|zurück|weiter|more|mehr|show more|load more|mehr laden|alle anzeigen)"
        r"(?:\s*\[[^\]]*\])?"
    )),
]

# A line that is only a headline prefix such as "ANI Photo |" or "WATCH:" in front of the title.
TITLE_PREFIX = re.compile(
    r"^\s*(?:(?:[\w.&-]+\s){0,3}(?:photo|video|pictures?|foto|bild|watch|live|breaking|exclusive|update|opinion)s?\s*[|:–—-]\s*)",
    _I)

# Separators between a headline and the site name in <title>-like lines: "Headline - news.ORF.at".
TITLE_SITE_SEPARATORS = re.compile(r"\s+(?:[|–—-]|::|»)\s+")

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
