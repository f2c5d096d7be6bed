"""The timings and limits of the Harvest v3 client, with production defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HarvestSettings:
    """How patient the client is: timeouts, retries, waits and batch sizes."""

    timeout: float = 20.0  # seconds, every call (connect, read, write, pool)
    connect_timeout: float = 5.0
    deadline: float = 30.0  # seconds for a whole call, first byte sent to last byte read
    max_answer_bytes: int = 16 * 1024 * 1024  # an answer over this is an error, not a memory hog
    per_page: int = 500
    max_pages: int = 10_000  # a runaway cursor chain stops here
    read_attempts: int = 4  # a read is tried this often on 5xx and timeouts
    write_attempts: int = 2  # a write is sent at most this often, with a re-read in between
    reread_delay: float = 1.0  # seconds before a write of unknown outcome is re-read
    backoff_base: float = 0.5  # seconds before the first retry of a read, doubled for each next
    backoff_cap: float = 8.0
    backoff_jitter: float = 0.5  # up to this much added at random, so workers do not retry in step
    rate_limit_attempts: int = 4  # 429s waited out before AtsRateLimitedError
    retry_after_cap: float = 120.0  # a Retry-After longer than this is capped
    max_rate_limit_wait: float = 60.0  # longer waits are handed back to the caller as errors
    default_retry_after: float = 30.0  # Greenhouse's window, when a 429 names no time
    token_refresh_margin: float = 60.0  # seconds before expiry a token is replaced
    default_token_lifetime: float = 3600.0  # when the token answer names no expiry
    priority_reserve: float = 0.1  # share of the window background calls leave to priority calls
    ids_chunk: int = 50  # Greenhouse caps `ids` and `<parent>_ids` filters at 50
    small_job_set: int = 150  # up to this many jobs, posts and stages are filtered by `job_ids`
    app_base_url: str = "https://app.greenhouse.io"
    note_visibility: str = "public"
    referral_field_name: str = "Intrro referrer"
    referral_field_key: str = "intrro_referrer"
