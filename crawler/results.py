"""The results stream: how frontier workers hand what they fetched and extracted to the one writer.

A worker extracts in its own pool, then pushes one stream entry per outcome — an extracted page (article,
compressed raw page, the URLs it was fetched under), a not-modified revalidation, or a failure — and the writer
(`newsdesk ingest --from redis://...`, newsdesk/ops/scaleout.py) stores them. Entries are JSON plus the
compressed raw bytes: typed on both ends by ResultMessage, never pickled."""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from extractors import Article, Document
from extractors.article import Removal
from crawler.frontier import KEYS, RECONNECT_WAIT_SECONDS, REDIS_ERRORS, frontier_link
from crawler.items import FailedUrl, FetchedPage
from crawler.pipelines import IngestPipeline
from newsdesk.corpus.ingest import Extraction

WRITER_GROUP = "writer"

PAGE, NOT_MODIFIED, FAILURE = "page", "not_modified", "failure"


def article_from_dict(data: dict[str, Any]) -> Article:
    values = {key: data[key] for key in Article.__dataclass_fields__ if key in data}
    values["removed"] = [Removal(**removal) for removal in data.get("removed", [])]
    return Article(**values)


@dataclass
class ResultMessage:
    """One stream entry. kind: PAGE (an extraction outcome), NOT_MODIFIED (a 304) or FAILURE (a fetch or
    discovery failure the spider recorded)."""

    kind: str
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fetched_urls: list[str] = field(default_factory=list)
    article: Article | None = None
    stage: str | None = None
    reason: str | None = None
    skipped: bool = False
    origin: str | None = None
    compressed_raw: bytes | None = None  # the raw page as the store keeps it, when an article came out of it

    @classmethod
    def from_extraction(cls, document: Document, extraction: Extraction) -> "ResultMessage":
        keep_raw = extraction.article is not None and not extraction.skipped
        return cls(PAGE, url=document.url, headers=document.headers, fetched_urls=list(document.fetched_urls),
                   article=extraction.article, stage=extraction.stage, reason=extraction.reason,
                   skipped=extraction.skipped, origin=document.origin,
                   compressed_raw=extraction.compressed_raw if keep_raw else None)

    def document(self) -> Document:
        content = zlib.decompress(self.compressed_raw) if self.compressed_raw else b""
        return Document(content=content, url=self.url, headers=self.headers, origin=self.origin or self.url or "",
                        source="crawl", fetched_urls=self.fetched_urls)

    def extraction(self) -> Extraction:
        return Extraction(article=self.article, stage=self.stage, reason=self.reason, skipped=self.skipped,
                          compressed_raw=self.compressed_raw)

    def to_fields(self) -> dict[str, bytes | str]:
        data = asdict(self)
        data.pop("compressed_raw")
        if self.article is not None:
            data["article"] = self.article.to_dict()
            data["article"].pop("word_count", None)
        fields: dict[str, bytes | str] = {"message": json.dumps(data, ensure_ascii=False)}
        if self.compressed_raw is not None:
            fields["raw"] = self.compressed_raw
        return fields

    @classmethod
    def from_fields(cls, fields: dict[bytes, bytes]) -> "ResultMessage":
        data = json.loads(fields[b"message"])
        if data.get("article") is not None:
            data["article"] = article_from_dict(data["article"])
        return cls(**data, compressed_raw=fields.get(b"raw"))


class ResultsStreamPipeline(IngestPipeline):
    """The frontier worker's pipeline: extract in this worker's pool (as a local crawl does), then push the
    outcome to the results stream instead of storing it. The push is awaited until Redis takes it, so the
    page's lease is released only once its result is safe."""

    async def process_item(self, item, spider=None):
        if isinstance(item, FailedUrl):
            await self._push(ResultMessage(FAILURE, url=item.url, origin=item.url, stage=item.stage, reason=item.reason))
            self.stats.inc_value(f"newsdesk/{item.stage}_failed")
            return item
        if not isinstance(item, FetchedPage):
            return item
        if item.status == 304:
            message = ResultMessage(NOT_MODIFIED, url=item.url, headers=item.headers, fetched_urls=item.fetched_urls)
        else:
            document = Document(content=item.body, url=item.url, headers=item.headers, origin=item.url, source="crawl",
                                fetched_urls=item.fetched_urls)
            message = ResultMessage.from_extraction(document, await self._extract(document))
        await self._push(message)
        self.stats.inc_value("newsdesk/sent")
        if message.kind == PAGE and message.article is not None and not message.skipped:
            now = datetime.now(timezone.utc)
            if self.stats.get_value("newsdesk/first_stored_at") is None:
                self.stats.set_value("newsdesk/first_stored_at", now)
            self.stats.set_value("newsdesk/last_stored_at", now)
        return item

    async def _push(self, message: ResultMessage) -> None:
        link = frontier_link(self.crawler)
        fields = message.to_fields()
        while True:
            if link.outbox.flush():
                try:
                    link.client.xadd(KEYS.results, fields)
                    return
                except REDIS_ERRORS:
                    pass
            await asyncio.sleep(RECONNECT_WAIT_SECONDS)
