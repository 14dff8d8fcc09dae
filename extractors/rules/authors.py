"""Author patterns as data: what a byline looks like in every script, and what in a byline is no author
(organisations, roles, photo credits, buttons). Read by extractors.authors.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Letters of the scripts that have no capital letters (Han, kana, Hangul, Thai, Arabic, Hebrew,
# Devanagari...): a name in them cannot be told by its capitals.
UNCASED_LETTERS = (r"\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                   r"\uac00-\ud7af\uf900-\ufaff")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = r"\uac00-\ud7af"
_KANA = r"\u3040-\u30ff"

# A name written in an uncased script: one run of its letters (a middle dot or "&" may join the parts of
# a transcribed or pen name, "阿卜杜勒·拉希德"), MIN to MAX characters.
UNCASED_NAME = re.compile(rf"[{UNCASED_LETTERS}](?:[{UNCASED_LETTERS}·・&]){{1,11}}")
MAX_HAN_NAME_CHARS = 6

# Bylines inside the text in scripts without capitals, where a role word stands before or after the
# names: "记者 王建宏 张文攀", "（记者 胡晓蓉）", "本报记者罗科苏盈发自北京", "作者：宋怡 杨志华", "文/马俊峰",
# "撰文｜李楠", "홍길동 기자", "山田太郎記者". Group "names" holds the names; the caller checks their shape.
# The roles of the writer come first ("writer"), the editor's credit ("责任编辑：魏喆") counts only where no
# writer is named ("editor"): it is who the page credits then.
_NAME_RUN = rf"[{_HAN}{_KANA}·・&]{{2,{MAX_HAN_NAME_CHARS}}}"
_NAMES = rf"(?P<names>{_NAME_RUN}(?:(?:[ \t\u3000、]|&nbsp;)+{_NAME_RUN}){{0,5}})"
# After the names: the end of the line, a space, a closing bracket, a slash, "reporting from", "reports",
# "photographed". Not a comma: "记者了解到，" is prose ("the reporter learnt, ...").
_END = r"(?=[ \t\u3000]*(?:$|\n|[）)\]】/／|｜]|发自|發自|报道|報道|摄|攝|撰))"
# Between a label and the names: a colon or slash (a line break may follow it), or spaces.
_GAP = r"(?:[ \t\u3000]*[：:/／|｜]\s*|[ \t\u3000]+)"
_WRITER = r"(?:作者|撰文|撰稿|执笔人|執筆人|执笔|執筆|記者|记者|通讯员|通訊員)"
SCRIPT_BYLINES: list[tuple[str, re.Pattern[str]]] = [
    ("writer", re.compile(rf"{_WRITER}{_GAP}{_NAMES}{_END}", re.MULTILINE)),
    # Without a gap, one name and a firm end: "本报记者罗科苏盈发自北京", "记者马俊峰/文".
    ("writer", re.compile(rf"(?:記者|记者)(?P<names>{_NAME_RUN}?)(?=发自|發自|报道|報道|[/／）)])")),
    # A reporter's sign-off with the place: "（姚峰 上海报道）".
    ("writer", re.compile(rf"[（(](?P<names>{_NAME_RUN}?)[ \t\u3000]+[{_HAN}]{{0,6}}?(?:报道|報道)[）)]")),
    ("writer", re.compile(rf"(?<![{_HAN}])文[ \t\u3000]*[：:/／|｜][ \t\u3000]*{_NAMES}{_END}", re.MULTILINE)),
    ("writer", re.compile(rf"(?P<names>[{_HANGUL}]{{2,4}}(?:[ ,·][{_HANGUL}]{{2,4}}){{0,3}})\s*(?:기자|특파원|객원기자)(?![{_HANGUL}])")),
    ("writer", re.compile(rf"(?:글|기자)\s*[:：]\s*(?P<names>[{_HANGUL}]{{2,4}})(?![{_HANGUL}])")),
    # A story signed off with its authors' names in brackets at the end of a paragraph: "（常书香 马丹阳）".
    ("signature", re.compile(rf"[（(][ \t\u3000]*(?P<names>[{_HAN}]{{2,4}}(?:[ \t\u3000、]+[{_HAN}]{{2,4}}){{0,4}})[ \t\u3000]*[）)][ \t\u3000]*$",
                             re.MULTILINE)),
    ("editor", re.compile(rf"(?:责任编辑|責任編輯|编辑|編輯|责编|責編)[ \t\u3000]*[：:/／|｜]\s*{_NAMES}{_END}", re.MULTILINE)),
]

# Words in those scripts that stand where a name would and are none: the roles themselves, "source",
# "anonymous", "net friend", "the editor", "reporter's station".
UNCASED_NOT_NAMES = re.compile(
    r"(?:作者|记者|記者|编辑|編輯|责任编辑|本报|本報|来源|來源|匿名|网友|網友|佚名|小编|小編|本文|原创|原創|转载|轉載|"
    r"简介|簡介|首页|首頁|博客|更多|发表|發表|时间|時間|评论|評論|摄影|攝影|图片|圖片|视频|視頻|"
    r"文章|报道|報道|图|圖|代码|新闻|新聞|发自|發自|告诉|告訴|表示|记者|網絡|网络|出版|公司|"
    r"기자|사진|편집|관리자)")

# Roles and titles after or before a name inside a byline: "Jane Doe, Senior Reporter", "Trial Attorney",
# "MD", "PhD". A part that ends with one is left out; it is neither a person nor an organisation.
ROLE_PART = re.compile(
    r"(?:^|\s)(?:reporter|correspondent|editor|writer|contributor|columnist|journalist(?:in)?|redakteur(?:in)?"
    r"|korrespondent(?:in)?|autor(?:in)?|autoren|autorinnen|authors?|auteurs?|autora|autores|autore|autori"
    r"|photographer|fotograf(?:in)?|attorney|lawyer|consultant|founder|co-founder|ceo|cto|cfo|director|manager|executive"
    r"|officer|president|professor|analyst|strategist|specialist|expert|researcher|scientist|engineer|developer|designer"
    r"|dietitian|nutritionist|therapist|physician|nurse|coach|instructor|student|intern|producer|host|anchor|presenter"
    r"|md|phd|ph\.?d\.?|m\.?d\.?|rd|ms|msc|mba|cpa|esq|jr|sr|dr|prof)\.?$", _I)

# What follows a name in a byline and is no part of it: "Niko Matsakis on behalf of the Vision Doc group",
# "Alyssa Maio on", "FlowGuard EMEA on 04-ago-2021", "Jane Doe at Reuters", "Jane Doe via Getty".
NAME_TAIL = re.compile(r"(?<!\s)\s+(?:on behalf of|on|at|via|in|is|was)(?:\s.*)?$")

# Parts of a byline that are no one's name: share and follow buttons, links to a profile, form labels,
# counters. A text that is only these names nobody.
NOT_A_NAME = re.compile(
    r"^(?:follow|folgen|abonnieren|subscribe|share|teilen|tweet|email|e-mail|mail|print|drucken|facebook|twitter|x|"
    r"linkedin|instagram|whatsapp|telegram|pinterest|reddit|threads|bluesky|youtube|tiktok|rss|"
    r"full bio|bio|view (?:all )?(?:posts|articles|profile)|all posts|read more|more|mehr|profile|profil|"
    r"(?:more )?about(?: the author| \S+(?: \S+)?)?|contact|kontakt|name|administrator|admin|anonymous|guest|unknown|"
    r"follow author|author|autor|updated|published|share this article|copy link|link kopieren|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|today|heute)$", _I)

# A text that is a photo or image credit, not a byline: "Image: Getty Images", "Foto: dpa", "Photo by
# Jane Doe/Reuters", "Bild: Keystone", "图片：新华社", "사진=연합뉴스", "Фото: ТАСС", "Ảnh: Minh Anh".
PHOTO_CREDIT = re.compile(
    r"^\s*(?:(?:image|images|photo|photos|photograph|picture|pictures|illustration|credit|foto|fotos|bild|bilder"
    r"|quelle|source|video|grafik|graphic|karikatur|cover)\s*(?:credit)?\s*(?:[:©|/]|by\b)"
    r"|©|\(c\)|copyright|(?:图片|圖片|图|圖|摄影|攝影|撮影|写真|寫真|사진|фото|ảnh)\s*[:：/=]"
    r"|.{0,40}(?:/摄|/攝|摄$|撮影$))", _I)

# Image agencies and stock libraries: named in photo credits, never as a story's byline.
IMAGE_AGENCIES = re.compile(
    r"\b(?:getty images|getty|shutterstock|imago|picture[ -]alliance|istock(?:photo)?|alamy|unsplash|pexels|pixabay"
    r"|adobe stock|stock\.adobe\.com|wikimedia commons|depositphotos|dreamstime)\b", _I)

# Words that make a byline part an organisation rather than a person: desks and newsrooms, companies,
# outlets. An organisation is listed as an author only when the byline names nobody else (see
# extractors.authors.choose_authors).
ORGANISATION_WORDS = re.compile(
    r"\b(?:gmbh|ag|kg|ltd|inc|llc|corp|co|plc|verlag|redaktion|newsroom|editorial|editors|staff|team|desk|agentur|agenturen"
    r"|nachrichten|news|online|zeitung|magazin|magazine|media|medien|presse|press|radio|tv|rundfunk|deutsche welle"
    r"|noticias|notizie|nouvelles|nieuws|redacci[oó]n|r[ée]daction|redazione|redactie|diario|peri[oó]dico"
    r"|blog|group|company|institute|university|college|center|centre|council|association|foundation|society"
    r"|services|solutions|studio|labs?|agency|contributors|projects|official|admin|network|publishers?)\b"
    r"|\.(?:de|com|at|ch|org|net|fr|es|it|nl|uk|eu|pl|info|io|co|ai|dev)\b"
    r"|(?:编辑部|編輯部|新闻|新聞|日报|日報|晚报|晚報|网站|網站|政府|报社|報社|电视台|電視台|通讯社|通訊社)", _I)

# Labels in front of the names, in the scripts and languages that write them that way, taken off before
# the names are split: "Автор: Иван Петров", "Текст: ...", "Tác giả: Nguyễn Văn An", "Phóng viên ...".
SCRIPT_AUTHOR_LABEL = re.compile(
    r"^\s*(?:автор(?:ы)?|текст|корреспондент|tác giả|phóng viên|bài|nhóm phóng viên|yazar|autorzy|szerző|συντάκτης)"
    r"\s*[:：]?\s*(?=\S)", _I)

# A login name given as the author: one lower-case word, digits, dots, dashes or underscores allowed
# ("jsteinhardt", "q_admin", "aawoods"). Read only from the surest author sources.
LOGIN_HANDLE = re.compile(r"[a-z][a-z0-9_.-]{2,29}")

# What a byline may add after the name and is no part of it: "Help Net Security Sponsored".
SPONSORED_TAIL = re.compile(r"(?<!\s)\s+(?:sponsored(?: content| post)?|advertorial|anzeige|paid post|partner content)$", _I)
