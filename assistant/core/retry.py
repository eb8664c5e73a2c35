"""Retries for the HTTP clients (the embedding server, the LLM server), with tenacity.

What is retried: a connection that could not be made or broke before an answer (connection refused or reset,
connect timeout, the server closing the connection without answering) and the answers that mean "try again"
(HTTP 429 and 5xx). Never another 4xx (a wrong key or route stays wrong), never a read timeout (the server got
the request and is still working on it: asking again only adds work), never a bad body.

How: exponential backoff with jitter (0.25 s, 0.5 s, 1 s, ...), a server's `Retry-After` honoured up to
`max_wait_s`, at most `attempts` tries, and no try started after `max_total_s`: a server that is down costs a
user about 2 s before the error that says so (issue #19: tenacity replaces nothing hand-written here; neither
client retried before).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_before_delay

T = TypeVar("T")

# Failures of the connection, not of the request: the same request may well succeed a moment later.
_TRANSIENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to try. `attempts=1` turns retries off."""

    attempts: int = 4
    first_wait_s: float = 0.25
    max_wait_s: float = 10.0
    max_total_s: float = 20.0


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)


def is_retryable(exc: BaseException) -> bool:
    """A failure worth another try: see the module docstring."""
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        return status == 429 or status >= 500
    return isinstance(exc, _TRANSIENT)


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds a 429/503 answer asks to wait (`Retry-After: 3`); an HTTP date is not followed."""
    if not isinstance(exc, httpx.HTTPStatusError):
        return None
    value = exc.response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _waiter(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        backoff = policy.first_wait_s * 2.0 ** (state.attempt_number - 1)
        backoff += random.uniform(0, policy.first_wait_s)  # jitter: clients that failed together retry apart
        asked = _retry_after(state.outcome.exception() if state.outcome else None)
        return min(policy.max_wait_s, max(backoff, asked or 0.0))

    return wait


def call_with_retries(call: Callable[[], T], policy: RetryPolicy = DEFAULT_RETRY) -> T:
    """`call()`, tried again on a retryable failure (`is_retryable`); the last failure is raised as it was."""
    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts) | stop_before_delay(policy.max_total_s),
        wait=_waiter(policy),
        retry=retry_if_exception(is_retryable),
        reraise=True,
    )
    return retrying(call)


__all__ = ["DEFAULT_RETRY", "NO_RETRY", "RetryPolicy", "call_with_retries", "is_retryable"]
