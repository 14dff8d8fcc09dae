"""A loopback HTTP server that misbehaves on purpose, for crawl tests: resets, hangs, slow drips, error
statuses with Retry-After, redirect loops and redirects to file:, wrong Content-Types, truncated chunked bodies, a gzip bomb,
"billion laughs" XML and a sitemap of 100,000 URLs. Written on raw sockets so it can break HTTP itself."""

from __future__ import annotations

import gzip
import socket
import socketserver
import struct
import threading
import time

from hostile_inputs import PARAGRAPH

ARTICLE = ("<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><article>"
           "<h1>{title}</h1>" + "".join(f"<p>{PARAGRAPH} ({n})</p>" for n in range(3)) + "</article></body></html>")

LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(2, 10)) + "]>")

# path -> what a crawler must end up with: "stored", "failed" (with this reason fragment) or "refused"
EXPECTED = {
    "/good.html": ("stored", ""),
    "/wrong-type-article": ("stored", ""),
    "/reset": ("failed", "fetch failed"),
    "/hang": ("failed", "fetch failed"),
    "/slow-drip": ("failed", "fetch failed"),
    "/error-500": ("failed", "HTTP 500"),
    "/busy-503": ("failed", "HTTP 503"),
    "/rate-429": ("failed", "HTTP 429"),
    "/loop-a": ("failed", "redirect"),
    "/binary-as-html": ("failed", "binary content"),
    "/truncated-chunked": ("failed", "fetch failed"),
    "/gzip-bomb": ("failed", "too large"),
    "/redirect-to-file": ("refused", ""),
}
# Statuses and faults a crawler retries (RETRY_HTTP_CODES, timeouts, dropped connections): each of these URLs
# must be requested once more per allowed retry.
RETRIED = ["/reset", "/hang", "/error-500", "/busy-503", "/rate-429"]


class FaultServer:
    def __init__(self, hang_seconds: float = 8.0):
        self.hang_seconds = hang_seconds
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server.handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FaultServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # --- responses -------------------------------------------------------------------------------

    @staticmethod
    def _send(connection: socket.socket, status: str, headers: dict[str, str], body: bytes) -> None:
        all_headers = {**headers, "Content-Length": str(len(body)), "Connection": "close"}
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items())
        connection.sendall(head.encode("latin-1") + b"\r\n" + body)

    def handle(self, connection: socket.socket) -> None:
        try:
            request = connection.recv(65536).decode("latin-1")
        except OSError:
            return
        path = request.split(" ", 2)[1] if request.count(" ") >= 2 else "/"
        with self._lock:
            self.requests.append(path)
        html = {"Content-Type": "text/html; charset=utf-8"}
        try:
            if path == "/robots.txt":
                self._send(connection, "200 OK", {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
            elif path == "/":
                links = "".join(f'<li><a href="{target}">{target}</a></li>' for target in EXPECTED)
                page = f"<html><head><title>Fehlerseiten</title></head><body><ul>{links}</ul></body></html>"
                self._send(connection, "200 OK", html, page.encode())
            elif path == "/good.html":
                self._send(connection, "200 OK", html, ARTICLE.format(title="Eine ganz normale Seite über die Brücke").encode())
            elif path == "/wrong-type-article":
                self._send(connection, "200 OK", {"Content-Type": "application/octet-stream"},
                           ARTICLE.format(title="Falscher Inhaltstyp, richtige Seite").encode())
            elif path == "/reset":
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
            elif path == "/hang":
                self._stop.wait(self.hang_seconds)
            elif path == "/slow-drip":
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
                deadline = time.time() + self.hang_seconds
                while time.time() < deadline and not self._stop.is_set():
                    connection.sendall(b"<")
                    time.sleep(0.5)
            elif path == "/error-500":
                self._send(connection, "500 Internal Server Error", html, b"<html><body>error</body></html>")
            elif path == "/busy-503":
                self._send(connection, "503 Service Unavailable", {"Retry-After": "1", **html}, b"busy")
            elif path == "/rate-429":
                self._send(connection, "429 Too Many Requests", {"Retry-After": "1", **html}, b"slow down")
            elif path in ("/loop-a", "/loop-b"):
                target = "/loop-b" if path == "/loop-a" else "/loop-a"
                self._send(connection, "302 Found", {"Location": self.base_url + target}, b"")
            elif path == "/redirect-to-file":
                self._send(connection, "302 Found", {"Location": "file:///etc/passwd"}, b"")
            elif path == "/binary-as-html":
                self._send(connection, "200 OK", html, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
            elif path == "/truncated-chunked":
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   b"400\r\n<html><body><p>Der Anfang eines Artikels, der nie endet")
                connection.shutdown(socket.SHUT_RDWR)
            elif path == "/gzip-bomb":
                self._send(connection, "200 OK", {"Content-Encoding": "gzip", **html}, self._bomb)
            elif path == "/sitemap-laughs.xml":
                self._send(connection, "200 OK", {"Content-Type": "application/xml"},
                           (LAUGHS + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol9;</loc></url></urlset>').encode())
            elif path == "/feed-laughs.xml":
                self._send(connection, "200 OK", {"Content-Type": "application/rss+xml"},
                           (LAUGHS + "<rss><channel><title>&lol9;</title><item><link>&lol9;</link></item>"
                            "</channel></rss>").encode())
            elif path == "/sitemap-100k.xml":
                urls = "".join(f"<url><loc>{self.base_url}/archive/{n}.html</loc></url>" for n in range(100_000))
                self._send(connection, "200 OK", {"Content-Type": "application/xml"},
                           f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode())
            else:
                self._send(connection, "404 Not Found", html, b"<html><body>not found</body></html>")
        except OSError:
            pass
        finally:
            try:
                connection.close()
            except OSError:
                pass
