"""The timings and limits of the Lever client, with production defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LeverSettings:
    """How patient the client is, and the names it writes into Lever."""

    timeout: float = 20.0  # seconds, every call
    connect_timeout: float = 5.0
    deadline: float = 30.0  # seconds for a whole call, first byte sent to last byte read
    max_answer_bytes: int = 16 * 1024 * 1024  # an answer over this is an error, not a memory hog
    page_size: int = 100  # Lever accepts 1-100
    max_pages: int = 10_000  # a runaway `next` chain stops here
    read_attempts: int = 4  # a read is tried this often on 5xx and timeouts
    write_attempts: int = 2  # a write is sent at most this often, with a re-read in between
    reread_delay: float = 1.0  # seconds before a write of unknown outcome is re-read
    backoff_base: float = 0.5  # seconds before the first retry of a read, doubled for each next
    backoff_cap: float = 8.0
    backoff_jitter: float = 0.5  # up to this much added at random, so workers do not retry in step
    rate_limit_attempts: int = 5  # 429s waited out before AtsRateLimitedError
    default_retry_after: float = 1.0  # Lever names no wait: its bucket refills 10 a second
    retry_after_cap: float = 60.0
    min_interval: float = 0.1  # seconds between calls of one key: Lever's steady 10 per second
    catalogue_ttl: float = 300.0  # seconds the stages and archive reasons of an account are kept
    app_base_url: str = "https://hire.lever.co"
    origin: str = "referred"
    source_name: str = "Intrro"
    tag_name: str = "Intrro"
