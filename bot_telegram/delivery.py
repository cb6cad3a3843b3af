"""No reply lost: every Bot API call is retried on network errors, timeouts and HTTP 5xx.

`RetryingRequest` wraps the transport (`HTTPXRequest` in production) that `build_application`
gives the bot for every method except getUpdates (PTB's updater retries that itself). Each
call gets a bounded time (`RetryPolicy.budget`, 30 s by default) with exponential backoff
between attempts; a flood wait (HTTP 429) is not retried here but passed on untouched, so
`AIORateLimiter` honours its RetryAfter as before.

Why a `BaseRequest` decorator rather than a loop in `handlers.send`: only here is the outcome
of one HTTP attempt still visible as it happened. Above this layer PTB has folded everything
into exceptions: HTTP 500, 502 and a dropped connection are all a bare `NetworkError`, and
`BadRequest` (never worth retrying) is a subclass of it. Here the status code and the httpx
exception that caused a `NetworkError` can tell "certainly not sent" from "maybe sent". It
also covers every call (replies, the apology of the error handler, answerCallbackQuery,
start-up) without each call site knowing, and sits under the rate limiter instead of
fighting it.

Duplicates. Telegram has no idempotency key, so a retry after an attempt that *may* have
been delivered can duplicate the message. Every failed attempt is classified:

- **not sent** - the connection was never made (connect error or connect timeout, pool
  timeout), or the Bot API answered 5xx itself (500, 502, 503): retried freely within the
  budget;
- **maybe sent** - the request went out and no answer came: read timeout, connection
  dropped mid-request, or 504 (a gateway gave up waiting on an API that may have done it).

At most `max_maybe_sent` (2) attempts of one call may end *maybe sent* or succeed, so a
message reaches the user **at most twice**, and twice only after a timeout or a drop. After
the second uncertain attempt the call is given up even if budget is left: `SendFailed` with
``possibly_delivered=True``, which tells the handlers not to apologise with "er ging iets mis"
for a reply that may well be on the user's screen. A reply is lost only when both uncertain
attempts were in fact not delivered, or when the API stays unreachable for the whole budget
(then the error handler's apology is tried, and logged if that fails too).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

SEND_READ_TIMEOUT = 15.0
"""Seconds to wait for the answer to one Bot API call. PTB's default of 5 s turned a slow but
working API (answers in 5 s under load) into a failure; 15 s leaves room for two tries in the
budget."""
RETRY_BUDGET = 30.0
"""Seconds one call may take, all attempts and waits included; no attempt starts (or lasts)
beyond it."""
FIRST_DELAY = 0.5
"""Wait before the first retry; it doubles after each attempt."""
MAX_DELAY = 8.0
"""Longest wait between two attempts."""
MAX_MAYBE_SENT = 2
"""Attempts of one call that may have reached the user: a message is delivered at most this
many times."""
JITTER = 0.25
"""Each wait is shortened by up to this fraction at random, so that many chats retrying after
one outage do not hit the API in lockstep."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one Bot API call (the tests shrink these, production uses the defaults)."""

    budget: float = RETRY_BUDGET
    first_delay: float = FIRST_DELAY
    max_delay: float = MAX_DELAY
    max_maybe_sent: int = MAX_MAYBE_SENT
    jitter: float = JITTER


class Attempt(Enum):
    """What one failed attempt means for the message it carried."""

    NOT_SENT = "not sent"
    MAYBE_SENT = "maybe sent"


class SendFailed(NetworkError):
    """A Bot API call given up after its retries; `possibly_delivered` if an attempt may have
    reached the user (then no apology should follow)."""

    def __init__(self, method: str, attempts: int, seconds: float, *, possibly_delivered: bool):
        maybe = "; it may have been delivered" if possibly_delivered else ""
        super().__init__(f"{method} given up after {attempts} attempt(s), {seconds:.1f} s{maybe}")
        self.possibly_delivered = possibly_delivered


_NOT_CONNECTED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""httpx errors raised before any byte of the request left: nothing can have been delivered."""


def classify_status(code: int) -> Attempt | None:
    """An HTTP answer: None when it is final (2xx, 4xx incl. 429), else what it means."""
    if code < HTTPStatus.INTERNAL_SERVER_ERROR:
        return None
    if code == HTTPStatus.GATEWAY_TIMEOUT:
        return Attempt.MAYBE_SENT
    return Attempt.NOT_SENT


def classify_error(error: TelegramError) -> Attempt | None:
    """A transport exception: None when retrying cannot help, else what it means."""
    if isinstance(error, BadRequest) or not isinstance(error, NetworkError):
        return None  # Forbidden, InvalidToken, BadRequest, RetryAfter, ...: final answers
    if isinstance(error.__cause__, _NOT_CONNECTED):
        return Attempt.NOT_SENT
    # TimedOut (read or write timeout) or a connection dropped after the request went out;
    # also any NetworkError whose cause we cannot see.
    return Attempt.MAYBE_SENT


def _retry_after(payload: bytes) -> float | None:
    """The flood wait of a 429 answer, in seconds, if it says one."""
    try:
        data = json.loads(payload)
        seconds = data["parameters"]["retry_after"]
    except (ValueError, TypeError, KeyError):
        return None
    return float(seconds) if isinstance(seconds, int | float) else None


def _method(url: str) -> str:
    """The Bot API method of a request URL; the URL itself contains the token, never log it."""
    return url.rsplit("/", 1)[-1]


class RetryingRequest(BaseRequest):
    """A `BaseRequest` that retries its inner transport as the module docstring describes."""

    def __init__(
        self,
        inner: BaseRequest | None = None,
        policy: RetryPolicy | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.inner = inner if inner is not None else default_transport()
        self.policy = policy or RetryPolicy()
        self._random = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    @property
    def read_timeout(self) -> float | None:
        """The inner transport's read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Initialize the inner transport."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the inner transport down."""
        await self.inner.shutdown()

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """The inner transport's parsing (PTB calls this on the outer request)."""
        return self.inner.parse_json_payload(payload)

    async def do_request(  # noqa: PLR0917 - the signature is BaseRequest.do_request's
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One Bot API call: attempts until an answer is final or the policy says stop."""
        policy = self.policy
        started = time.monotonic()
        deadline = started + policy.budget
        delay = policy.first_delay
        attempts = maybe_sent = 0
        while True:
            attempts += 1
            wait: float | None = None
            try:
                async with asyncio.timeout(max(deadline - time.monotonic(), 0.0)):
                    code, payload = await self.inner.do_request(
                        url,
                        method,
                        request_data,
                        read_timeout,
                        write_timeout,
                        connect_timeout,
                        pool_timeout,
                    )
            except TimeoutError:
                outcome, cause = Attempt.MAYBE_SENT, "budget exhausted mid-request"
                error: Exception = TimedOut("retry budget exhausted")
            except TelegramError as exc:
                classified = classify_error(exc)
                if classified is None:
                    if maybe_sent:  # a final refusal now, but an earlier attempt may have landed
                        raise self._give_up(url, attempts, started, maybe_sent) from exc
                    raise
                outcome, cause, error = classified, _describe(exc), exc
            else:
                classified = classify_status(code)
                if classified is None:
                    if code < HTTPStatus.MULTIPLE_CHOICES or not maybe_sent:
                        return code, payload  # success, or a refusal PTB turns into its error
                    if code != HTTPStatus.TOO_MANY_REQUESTS:
                        # A final refusal now, but an earlier attempt may have landed.
                        raise self._give_up(url, attempts, started, maybe_sent)
                    # A flood wait is normally the rate limiter's to retry; but its retry would
                    # start a fresh call with a fresh count, and an earlier attempt may have
                    # landed: wait here instead.
                    wait = _retry_after(payload)
                    if wait is None:
                        raise self._give_up(url, attempts, started, maybe_sent)
                    classified = Attempt.NOT_SENT
                outcome, cause, error = classified, f"HTTP {code}", NetworkError(f"HTTP {code}")
            if outcome is Attempt.MAYBE_SENT:
                maybe_sent += 1
            if wait is None:
                wait = min(delay, policy.max_delay) * (1 - policy.jitter * self._random.random())
                delay *= 2
            if maybe_sent >= policy.max_maybe_sent or time.monotonic() + wait >= deadline:
                raise self._give_up(url, attempts, started, maybe_sent) from error
            log.warning(
                "Bot API %s failed (%s, %s), attempt %d; retrying in %.2f s",
                _method(url),
                cause,
                outcome.value,
                attempts,
                wait,
            )
            await asyncio.sleep(wait)

    @staticmethod
    def _give_up(url: str, attempts: int, started: float, maybe_sent: int) -> SendFailed:
        seconds = time.monotonic() - started
        return SendFailed(_method(url), attempts, seconds, possibly_delivered=maybe_sent > 0)


def _describe(error: TelegramError) -> str:
    """An exception's type (and its httpx cause), never its message: that may quote a URL."""
    cause = error.__cause__
    return f"{type(error).__name__}/{type(cause).__name__}" if cause else type(error).__name__


def default_transport() -> BaseRequest:
    """The production transport: PTB's HTTPXRequest with the longer read timeout."""
    return HTTPXRequest(read_timeout=SEND_READ_TIMEOUT)
