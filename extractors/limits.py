"""Named size and depth limits for untrusted input, with their defaults (documented in the README).

Environment variables NEWSDESK_<NAME> override a default, e.g. NEWSDESK_MAX_INPUT_BYTES=50000000.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass
class Limits:
    max_input_bytes: int = 25_000_000  # a replayed file or fetched response larger than this is refused
    max_decompressed_bytes: int = 50_000_000  # gzip data may not expand past this
    max_body_chars: int = 500_000  # an extracted body longer than this is cut at a paragraph break
    max_date_search_chars: int = 2_000_000  # htmldate's search for a date reads only the page's start past this size

    @classmethod
    def from_environment(cls) -> "Limits":
        limits = cls()
        for spec in fields(cls):
            raw = os.environ.get(f"NEWSDESK_{spec.name.upper()}")
            if raw:
                setattr(limits, spec.name, int(raw))
        return limits


LIMITS = Limits.from_environment()
