"""Builds the hostile-input corpus in a folder: every kind of bad or tricky file a crawl or a replay meets.

Small cases live in tests/fixtures/hostile/; the big, binary or unportable ones (20 MB page, deep nesting,
random bytes, names with newlines, symlink loops) are generated here at test time.
Each entry maps a file name to the outcome expected: ("stored", check) or ("failed", reason fragment).
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import zlib
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"

PARAGRAPH = ("Der Stadtrat hat am Mittwochabend nach einer langen Debatte beschlossen, die alte Brücke über den Fluss "
             "zu sanieren und zugleich einen neuen Radweg entlang des Ufers zu bauen. Die Kosten sollen sich Stadt und "
             "Land teilen, die Arbeiten im kommenden Frühjahr beginnen und zwei Jahre dauern.")


def article_html(body: str, title: str = "Der Stadtrat beschließt die Sanierung der Brücke", lang: str = "de", charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<!DOCTYPE html><html lang=\"{lang}\"><head>{meta}<title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{body}</article></body></html>")


def paragraphs(text: str, count: int = 3) -> str:
    """`count` paragraphs from the sentences of `text`, each starting one sentence further on, so no
    paragraph repeats another (a repeated paragraph is dropped as a repeated line)."""
    sentences = [sentence for sentence in re.split(r"(?<=[.!?。])\s*", text) if sentence]
    joiner = "" if any("\u3040" <= ch <= "\u9fff" for ch in text) else " "
    return "".join(f"<p>{joiner.join(sentences[i % len(sentences):] + sentences[:i % len(sentences)])}</p>"
                   for i in range(count))


def _png() -> bytes:
    raw = b"\x00\xff\x00\x00" * 4
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00") + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def build_corpus(folder: Path, *, big: bool = True) -> dict[str, tuple[str, str]]:
    """Write the corpus into `folder`; return {file name: (expected status, reason fragment or text to find)}."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, str]] = {}

    def write(name: str, content: bytes, outcome: tuple[str, str]) -> None:
        (folder / name).write_bytes(content)
        expected[name] = outcome

    write("empty.html", b"", ("failed", "empty input"))
    write("whitespace.txt", b" \n\t\r\n   \n", ("failed", "empty input"))
    write("image.html", _png(), ("failed", "binary content (PNG image)"))
    write("document.txt", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + os.urandom(300), ("failed", "binary content (PDF document)"))
    write("archive.htm", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + os.urandom(400), ("failed", "binary content (ZIP archive"))
    rng = random.Random(7)
    write("noise.html", bytes(rng.randrange(256) for _ in range(4000)), ("failed", "binary"))
    write("gzipped.html", gzip.compress(article_html(paragraphs(PARAGRAPH), title=TITLES[0]).encode("utf-8")), ("stored", "Radweg entlang des Ufers"))
    write("bomb.html", gzip.compress(b" " * 60_000_000, compresslevel=9), ("failed", "expands beyond"))
    write("truncated.html", article_html(paragraphs(PARAGRAPH), title=TITLES[1]).encode("utf-8")[:-60], ("stored", "Radweg entlang des Ufers"))
    write("no-body.html", b"<!DOCTYPE html><html><head><title>Nur ein Kopf</title><meta charset=utf-8></head></html>", ("failed", "article text"))
    write("nul-bytes.html", article_html(paragraphs(PARAGRAPH), title=TITLES[2]).replace("Stadtrat", "Stadt\x00rat", 1).encode("utf-8"), ("stored", "Radweg entlang"))
    write("undeclared-cp1251.html", article_html(paragraphs(RUSSIAN), title="Мост через реку отремонтируют", lang="ru", charset=None).encode("cp1251"), ("stored", RUSSIAN[:60]))
    write("undeclared-shift-jis.html", article_html(paragraphs(JAPANESE), title="川の古い橋を改修へ", lang="ja", charset=None).encode("shift_jis"), ("stored", JAPANESE[:30]))
    write("undeclared-gb18030.html", article_html(paragraphs(CHINESE), title="河上旧桥将被修复", lang="zh", charset=None).encode("gb18030"), ("stored", CHINESE[:30]))
    write("latin1-labelled-utf8.html", article_html(paragraphs(PARAGRAPH), title=TITLES[3], charset="utf-8").encode("latin-1"), ("stored", "Frühjahr beginnen und zwei Jahre dauern"))
    write("utf8-labelled-latin1.html", article_html(paragraphs(PARAGRAPH), title=TITLES[4], charset="iso-8859-1").encode("utf-8"), ("stored", "Frühjahr beginnen und zwei Jahre dauern"))
    write("unknown-charset.html", article_html(paragraphs(PARAGRAPH), title=TITLES[5], charset="x-no-such-charset").encode("utf-8"), ("stored", "Frühjahr beginnen"))
    write("utf16-bom.html", "\ufeff".encode("utf-16-le") + article_html(paragraphs(PARAGRAPH), title=TITLES[6]).encode("utf-16-le"), ("stored", "Radweg entlang des Ufers"))
    for name, kind in (("login-wall.html", "login or paywall"), ("cookie-wall.html", "cookie consent wall"), ("soft-404.html", "page not found")):
        write(name, (FIXTURES / name).read_bytes(), ("failed", kind))
    for source in sorted((FIXTURES / "languages").glob("*.html")):
        write(f"lang-{source.name}", source.read_bytes(), ("stored", f"language:{source.stem}"))

    strange = "zeile\nneu ümlaut ✓.txt"
    (folder / strange).write_text(CAPTURE, encoding="utf-8")
    expected[strange] = ("stored", "Radweg entlang des Ufers")
    os.symlink("loop-b.html", folder / "loop-a.html")
    os.symlink("loop-a.html", folder / "loop-b.html")
    expected["loop-a.html"] = ("failed", "symbolic links")
    expected["loop-b.html"] = ("failed", "symbolic links")
    (folder / "subfolder").mkdir(exist_ok=True)
    os.symlink("..", folder / "subfolder" / "back-up")  # a folder loop: replay must not walk it forever

    if big:
        cell = "<div><p>" + PARAGRAPH + "</p></div>\n"
        write("huge-20mb.html", article_html(cell * (20_000_000 // len(cell)), title="Riesige Seite mit der Brücke").encode("utf-8"), ("stored", "Radweg entlang"))
        depth = 50_000
        write("deep-nesting.html", article_html("<div>" * depth + paragraphs(PARAGRAPH) + "</div>" * depth, title="Tief verschachtelte Seite zur Brücke").encode("utf-8"), ("stored", "Radweg entlang"))
    return expected


TITLES = [f"Stadtrat beschließt Sanierung der Brücke, Fassung {number}" for number in range(1, 20)]
RUSSIAN = ("Городской совет в среду вечером после долгих дебатов решил отремонтировать старый мост через реку и "
           "одновременно построить новую велосипедную дорожку вдоль берега. Расходы разделят город и область, работы "
           "начнутся весной и продлятся два года. Многие жители приветствовали это решение.")
JAPANESE = ("市議会は水曜日の夜、長い議論の末に川に架かる古い橋を改修し、同時に岸沿いに新しい自転車道を建設することを決めた。"
            "費用は市と県が分担し、工事は来年の春に始まり二年間続く予定である。住民の多くはこの決定を歓迎している。")
CHINESE = ("市议会周三晚上经过长时间辩论后决定修复河上的旧桥，同时沿河岸修建一条新的自行车道。"
           "费用将由市和省分担，工程将于明年春天开始，持续两年。许多居民对这一决定表示欢迎。")
CAPTURE = ("Stadtrat beschließt Sanierung der Brücke\n\n" + PARAGRAPH + "\n\n" + PARAGRAPH.replace("Mittwochabend", "Dienstag")
           + "\n\n" + PARAGRAPH.replace("alte", "historische") + "\n")


def copy_fixture_tree(target: Path) -> None:
    shutil.copytree(FIXTURES, target, dirs_exist_ok=True)


GARBAGE_ALPHABETS = ("-.=_*#!?,;: aA1", "aaaaaaaaaaaaaaaaaaaa!", "-.-.-.-.-. ", " \t" * 10 + "x", "<>/\"'=&; ", "ÄöüßéèêñçøåЖщыΩλπ中文字漢")


def build_hostile_folder(folder: Path, total: int = 200, *, seed: int = 12) -> dict[str, str]:
    """The hostile corpus above plus generated files up to `total`: random bytes under .txt and .html names,
    files of garbage lines, and a few files replay does not read. Returns {file name: expected outcome}, the
    outcome being 'stored', 'failed', 'skipped' or 'stored or failed' (random content may read as text)."""
    expected = {name: status for name, (status, _) in build_corpus(folder).items()}
    rng = random.Random(seed)
    for name in ("scan.pdf", "photo.jpg", "notes.json"):  # not replayed from a folder: counted as skipped
        (folder / name).write_bytes(os.urandom(300))
        expected[name] = "skipped"
    number = 0
    while len(expected) < total:
        kind = number % 4
        size = rng.randrange(2_000, 8_000)
        if kind == 0:  # random bytes, any value
            content = bytes(rng.randrange(256) for _ in range(size))
        elif kind == 1:  # random bytes without control characters: these decode as some single-byte text
            content = bytes(rng.randrange(0x20, 0x100) for _ in range(size))
        else:  # garbage lines: long runs of punctuation, one character, spaces, markup debris, mixed scripts
            alphabet = GARBAGE_ALPHABETS[rng.randrange(len(GARBAGE_ALPHABETS))]
            lines = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 400))) for _ in range(size // 200)]
            content = "\n".join(lines).encode("utf-8")
        name = f"generated-{number:03d}{'.txt' if number % 2 else '.html'}"
        (folder / name).write_bytes(content)
        expected[name] = "stored or failed"
        number += 1
    return expected
