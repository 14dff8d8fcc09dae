"""A small but realistic news site served on loopback, for the crawler tests and `make demo`.

Articles are real news pages (the package data in newsdesk/devtools/site); around them the server builds what a crawler meets on
a news site: home and section pages with pagination, tag/author/search pages, RSS and Atom feeds, a
sitemap index with a gzipped news sitemap, robots.txt, redirects to another host, a 404 and a flaky 503,
and each story again under an /amp/ alias URL (listed by /feed-amp.rss).
Every request is logged so tests can check what a crawler did and did not fetch.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

# The site's pages ship as package data, read through importlib.resources so that an installed wheel, egg
# or zip serves them as well as a checkout does.
DEFAULT_SITE_DIR = resources.files("newsdesk.devtools") / "site"
TEASERS_PER_PAGE = 5
AMP_PREFIX = "/amp"  # every article is also served under /amp/<path>, as many news sites do
SITE_NAME = "Loopback Zeitung"
# What `newsdesk demo-site` (and so `make demo`) declares as its pages' canonical host: an article's identity is
# its canonical URL, so a demo crawled again on another port finds the articles it stored before.
DEMO_CANONICAL_BASE = "https://loopback-zeitung.example"


@dataclass
class RequestRecord:
    method: str
    path: str
    host: str
    status: int
    headers: dict[str, str]
    time: float = field(default_factory=time.time)


@dataclass
class SiteArticle:
    slug: str
    path: str
    section: str | None
    title: str
    published: str
    first_words: str
    html: str
    modified: float

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.html.encode("utf-8")).hexdigest()[:16] + '"'


def _page(title: str, body: str, *, og_type: str = "website", canonical: str = "") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)} | {SITE_NAME}</title><meta property=\"og:type\" content=\"{og_type}\">"
        f"<meta property=\"og:site_name\" content=\"{SITE_NAME}\">{link}</head><body>"
        "<header><nav><a href=\"/\">Startseite</a> <a href=\"/news/politik/\">Politik</a> "
        "<a href=\"/news/wirtschaft/\">Wirtschaft</a> <a href=\"/news/kultur/\">Kultur</a> "
        "<a href=\"/news/wissen/\">Wissen</a> <a href=\"/about.html\">Über uns</a> "
        "<a href=\"/search?q=nachrichten\">Suche</a></nav></header>"
        f"<main><h1>{html.escape(title)}</h1>{body}</main>"
        f"<footer><p>© {SITE_NAME}</p><a href=\"/about.html\">Impressum</a></footer></body></html>"
    )


class LoopbackNewsSite:
    """Serve the site on 127.0.0.1 in a background thread: `with LoopbackNewsSite() as site: site.base_url`."""

    def __init__(self, site_dir: str | Path | Traversable = DEFAULT_SITE_DIR, host: str = "127.0.0.1", port: int = 0,
                 flaky_failures: int = 1, copies: int = 1, response_delay: float = 0.0, canonical_base: str | None = None,
                 broken_links: int = 0):
        """`copies` > 1 serves each regular article again under further paths with their own canonical URL
        (a bigger site for benchmarks). `response_delay` seconds are spent on every answer, as a slower server
        would, so that concurrent requests overlap and a crawl's concurrency limit can be observed.
        `canonical_base` (e.g. DEMO_CANONICAL_BASE) is the scheme and host the pages name in rel=canonical,
        whatever port they are served on; by default the site's own base URL. `broken_links` > 0 adds that
        many links to missing pages (/gone/N.html, 404) to the home page, and one to the RSS feed."""
        self.broken_links = broken_links
        self.site_dir = Path(site_dir) if isinstance(site_dir, str) else site_dir
        self._canonical_base = canonical_base.rstrip("/") if canonical_base else None
        self.flaky_failures = flaky_failures
        self.response_delay = response_delay
        self.in_flight = 0  # requests being answered right now
        self.peak_concurrency = 0  # the most requests answered at once since the log was last cleared
        self._flaky_served = 0
        self._lock = threading.Lock()
        self.request_log: list[RequestRecord] = []
        self._articles: dict[str, SiteArticle] = {}
        started = time.time() - 86400
        for number, record in enumerate(json.loads((self.site_dir / "site.json").read_text(encoding="utf-8"))):
            markup = gzip.decompress((self.site_dir / "articles" / f"{record['slug']}.html.gz").read_bytes()).decode("utf-8")
            self._articles[record["path"]] = SiteArticle(
                slug=record["slug"], path=record["path"], section=record["section"], title=record["title"],
                published=record["published"], first_words=record["first_words"], html=markup, modified=started + number)
            for copy in range(1, copies if record["section"] else 1):
                path = record["path"].replace(".html", f"-{copy}.html")
                self._articles[path] = SiteArticle(
                    slug=f"{record['slug']}-{copy}", path=path, section=record["section"], title=record["title"],
                    published=record["published"], first_words=record["first_words"],
                    html=markup.replace("{{BASE}}" + record["path"], "{{BASE}}" + path), modified=started + number)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- life cycle ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def canonical_base(self) -> str:
        """What the pages' rel=canonical URLs begin with."""
        return self._canonical_base or self.base_url

    @property
    def other_host_url(self) -> str:
        """The same server under another host name: a crawler of base_url must not go there."""
        return f"http://localhost:{self.port}"

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (Ctrl-C)."""
        try:
            self._server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self._server.server_close()

    def start(self) -> "LoopbackNewsSite":
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LoopbackNewsSite":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- test hooks ------------------------------------------------------------------------------

    @property
    def articles(self) -> list[dict[str, str]]:
        return [{"path": a.path, "url": self.base_url + a.path, "title": a.title, "slug": a.slug,
                 "first_words": a.first_words} for a in self._articles.values()]

    def requests_for(self, path: str) -> list[RequestRecord]:
        with self._lock:
            return [record for record in self.request_log if record.path == path]

    def clear_log(self) -> None:
        with self._lock:
            self.request_log.clear()
            self.peak_concurrency = self.in_flight

    def touch_article(self, path: str, new_sentence: str) -> None:
        """Edit a story: append a sentence to its longest paragraph; ETag and Last-Modified change with it."""
        article = self._articles[path]
        paragraphs = list(re.finditer(r"<p[ >].*?</p>", article.html, flags=re.DOTALL | re.IGNORECASE))
        if not paragraphs:
            raise ValueError(f"no paragraph to edit in {path}")
        end = max(paragraphs, key=lambda match: len(match.group(0))).end() - len("</p>")
        article.html = article.html[:end] + " " + html.escape(new_sentence) + article.html[end:]
        article.modified = time.time()

    # --- pages -----------------------------------------------------------------------------------

    def _newest(self) -> list[SiteArticle]:
        regular = [a for a in self._articles.values() if a.section]
        return sorted(regular, key=lambda a: (a.published, a.slug), reverse=True)

    def _teasers(self, articles: list[SiteArticle]) -> str:
        return "<ul class=\"teasers\">" + "".join(
            f"<li><a href=\"{a.path}\">{html.escape(a.title)}</a></li>" for a in articles) + "</ul>"

    def home(self) -> str:
        teasers = self._teasers(self._newest()[:10])
        extra = (
            "<ul class=\"more\">"
            f"<li><a href=\"/flaky.html\">Eilmeldung</a></li>"
            "<li><a href=\"/private/secret.html\">Intern</a></li>"
            "<li><a href=\"/missing-article.html\">Archiv</a></li>"
            "<li><a href=\"/redirect-away\">Partnerangebot</a></li>"
            f"<li><a href=\"{self.other_host_url}/elsewhere.html\">Anderswo</a></li>"
            "<li><a href=\"http://offsite.invalid/story.html\">Partnerseite</a></li>"
            "<li><a href=\"/tag/politik\">Thema Politik</a></li><li><a href=\"/author/redaktion\">Redaktion</a></li>"
            "<li><a href=\"mailto:redaktion@example.org\">Kontakt</a></li><li><a href=\"javascript:void(0)\">Drucken</a></li>"
            + "".join(f"<li><a href=\"/gone/{number}.html\">Alt {number}</a></li>" for number in range(self.broken_links))
            + "</ul>")
        return _page("Nachrichten", teasers + extra, canonical=self.canonical_base + "/")

    def section(self, name: str, page: int) -> str | None:
        items = [a for a in self._newest() if a.section == name]
        if not items:
            return None
        pages = max(1, -(-len(items) // TEASERS_PER_PAGE))
        if not 1 <= page <= pages:
            return None
        chunk = items[(page - 1) * TEASERS_PER_PAGE: page * TEASERS_PER_PAGE]
        navigation = ""
        if page > 1:
            navigation += f"<a rel=\"prev\" href=\"/news/{name}/?page={page - 1}\">Zurück</a> "
        if page < pages:
            navigation += f"<a rel=\"next\" href=\"/news/{name}/?page={page + 1}\">Weiter</a>"
        teasers = self._teasers(chunk) + f"<nav class=\"pagination\">{navigation}</nav>"
        return _page(f"{name.capitalize()} – Seite {page}", teasers)

    def listing(self, title: str, articles: list[SiteArticle]) -> str:
        return _page(title, self._teasers(articles))

    def robots(self) -> str:
        return f"User-agent: *\nDisallow: /private/\n\nSitemap: {self.base_url}/sitemap_index.xml\n"

    def sitemap_index(self) -> str:
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                f"<sitemap><loc>{self.base_url}/sitemaps/news.xml.gz</loc></sitemap>"
                f"<sitemap><loc>{self.base_url}/sitemaps/pages.xml</loc></sitemap></sitemapindex>\n")

    def news_sitemap(self) -> bytes:
        newest = self._newest()
        entries = "".join(
            f"<url><loc>{self.base_url}{a.path}</loc><lastmod>{a.published}</lastmod><news:news><news:publication>"
            f"<news:name>{SITE_NAME}</news:name><news:language>de</news:language></news:publication>"
            f"<news:publication_date>{a.published}</news:publication_date><news:title>{html.escape(a.title)}</news:title>"
            "</news:news></url>" for a in newest[: len(newest) // 2])
        xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
               f"xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">{entries}</urlset>\n")
        return gzip.compress(xml.encode("utf-8"), mtime=0)

    def pages_sitemap(self) -> str:
        newest = self._newest()
        urls = [self.base_url + a.path for a in newest[len(newest) // 2:]]
        urls += [f"{self.base_url}/news/{name}/" for name in sorted({a.section for a in newest if a.section})]
        entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
        return f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{entries}</urlset>\n"

    def rss(self, link_prefix: str = "", tracking: str = "?utm_source=rss&amp;utm_medium=feed") -> str:
        # Feed links carry tracking parameters, as real feeds do: the canonical URL must still identify the story.
        items = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>{self.base_url}{link_prefix}{a.path}{tracking}</link>"
            f"<guid>{self.base_url}{a.path}</guid><pubDate>{email.utils.formatdate(a.modified, usegmt=True)}</pubDate></item>"
            for a in self._newest()[:15])
        if self.broken_links:
            items += f"<item><title>Entfernt</title><link>{self.base_url}/gone/from-the-feed.html</link></item>"
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"
                f"<title>{SITE_NAME}</title><link>{self.base_url}/</link><description>Nachrichten</description>{items}</channel></rss>\n")

    def atom(self) -> str:
        entries = "".join(
            f"<entry><title>{html.escape(a.title)}</title><link href=\"{self.base_url}{a.path}\"/>"
            f"<id>{self.base_url}{a.path}</id>"
            f"<updated>{a.published}T00:00:00Z</updated></entry>" for a in self._newest()[:15])
        return ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
                f"<title>{SITE_NAME}</title><id>{self.base_url}/</id><updated>2024-01-01T00:00:00Z</updated>{entries}</feed>\n")

    # --- HTTP ------------------------------------------------------------------------------------

    def _handler_class(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # the request log replaces stderr chatter
                pass

            def do_HEAD(self) -> None:
                self.do_GET(head_only=True)

            def do_GET(self, head_only: bool = False) -> None:
                # Counted from the request's arrival until its answer is ready, before it is sent: inside the time
                # the client holds the request open, so the peak never overstates the client's concurrency.
                with site._lock:
                    site.in_flight += 1
                    site.peak_concurrency = max(site.peak_concurrency, site.in_flight)
                try:
                    if site.response_delay:
                        time.sleep(site.response_delay)
                    status, headers, body = site.respond(self.path, self.headers.get("Host", ""), dict(self.headers.items()))
                finally:
                    with site._lock:
                        site.in_flight -= 1
                with site._lock:
                    site.request_log.append(RequestRecord(self.command, self.path, self.headers.get("Host", ""), status,
                                                          dict(self.headers.items())))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head_only:
                    self.wfile.write(body)

        return Handler

    def respond(self, raw_path: str, host: str, request_headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        html_type = {"Content-Type": "text/html; charset=utf-8"}
        if host.startswith("localhost"):
            return 200, html_type, _page("Anderswo", "<p>Another host.</p>").encode("utf-8")
        if path == "/flaky.html":
            with self._lock:
                failing = self._flaky_served < self.flaky_failures
                self._flaky_served += 1
            if failing:
                return 503, {"Retry-After": "1", **html_type}, b"<html><body>Service Unavailable</body></html>"
        if path in self._articles:
            return self._article_response(self._articles[path], request_headers)
        if path.startswith(AMP_PREFIX + "/") and path[len(AMP_PREFIX):] in self._articles:
            # The same story under an alias URL; its rel=canonical names the regular path.
            return self._article_response(self._articles[path[len(AMP_PREFIX):]], request_headers)
        if path == "/":
            return 200, html_type, self.home().encode("utf-8")
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots().encode("utf-8")
        if path == "/sitemap_index.xml":
            return 200, {"Content-Type": "application/xml"}, self.sitemap_index().encode("utf-8")
        if path == "/sitemaps/news.xml.gz":
            return 200, {"Content-Type": "application/x-gzip"}, self.news_sitemap()
        if path == "/sitemaps/pages.xml":
            return 200, {"Content-Type": "application/xml"}, self.pages_sitemap().encode("utf-8")
        if path == "/feed.rss":
            return 200, {"Content-Type": "application/rss+xml"}, self.rss().encode("utf-8")
        if path == "/feed-amp.rss":
            return 200, {"Content-Type": "application/rss+xml"}, self.rss(link_prefix=AMP_PREFIX, tracking="").encode("utf-8")
        if path == "/feed.atom":
            return 200, {"Content-Type": "application/atom+xml"}, self.atom().encode("utf-8")
        if path == "/redirect-away":
            return 302, {"Location": f"{self.other_host_url}/moved.html", **html_type}, b""
        if path.startswith("/news/") and path.count("/") == 3 and path.endswith("/"):
            page = self.section(path.split("/")[2], int((query.get("page") or ["1"])[0] or 1))
            if page:
                return 200, html_type, page.encode("utf-8")
        if path.startswith("/tag/") or path.startswith("/author/"):
            return 200, html_type, self.listing(path.rsplit("/", 1)[-1].capitalize(), self._newest()[:8]).encode("utf-8")
        if path == "/search":
            return 200, html_type, self.listing("Suche", self._newest()[:5]).encode("utf-8")
        if path == "/about.html":
            return 200, html_type, _page("Über uns", f"<p>{SITE_NAME} ist eine Testseite.</p>").encode("utf-8")
        if path.startswith("/private/"):
            private = _page("Intern", "<p>" + "Nur für den internen Gebrauch. " * 40 + "</p>", og_type="article")
            return 200, html_type, private.encode("utf-8")
        return 404, html_type, _page("Seite nicht gefunden", "<p>Diese Seite gibt es nicht.</p>").encode("utf-8")

    def _article_response(self, article: SiteArticle, request_headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        last_modified = email.utils.formatdate(article.modified, usegmt=True)
        headers = {"Content-Type": "text/html; charset=utf-8", "ETag": article.etag, "Last-Modified": last_modified}
        lowered = {key.lower(): value for key, value in request_headers.items()}
        if "if-none-match" in lowered:
            if article.etag in [tag.strip() for tag in lowered["if-none-match"].split(",")]:
                return 304, headers, b""
        elif "if-modified-since" in lowered:
            since = email.utils.parsedate_to_datetime(lowered["if-modified-since"]).timestamp()
            if int(article.modified) <= since:
                return 304, headers, b""
        return 200, headers, article.html.replace("{{BASE}}", self.canonical_base).encode("utf-8")


def main() -> None:
    """`python -m newsdesk.devtools.loopback_site`; the same as `newsdesk demo-site`."""
    parser = argparse.ArgumentParser(description="Serve the bundled news site on loopback.")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    arguments = parser.parse_args()
    site = LoopbackNewsSite(port=arguments.port, canonical_base=DEMO_CANONICAL_BASE)
    print(f"serving {len(site.articles)} articles at {site.base_url}/ (Ctrl-C to stop)", flush=True)
    site.serve_forever()


if __name__ == "__main__":
    main()
