"""Retries (bot_telegram/delivery.py) and "no apology after a delivered reply", offline.

`RetryingRequest` is driven by `FaultyRequest`, which raises transport errors exactly as PTB's
HTTPXRequest does (a `NetworkError`/`TimedOut` whose cause is the httpx exception) and answers
HTTP errors with Bot API bodies. The end-to-end version over real HTTP, with faults at 30 %
and the API restarted mid-conversation, is tests/test_fault_injection.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

from bot.config import Settings
from bot.engine import Answer, Engine
from bot.matching import Outcome
from bot.replies import Block, Button, Reply, Style
from bot.store import ContentStore
from bot_telegram.app import App, build_application
from bot_telegram.delivery import (
    MAX_MAYBE_SENT,
    RETRY_BUDGET,
    SEND_READ_TIMEOUT,
    Attempt,
    RetryingRequest,
    RetryPolicy,
    SendFailed,
    classify_error,
    classify_status,
)
from tests.conftest import FIXTURE_CONTENT
from tests.telegram_fakes import (
    BOT_ID,
    CHAT_ID,
    Fault,
    FaultyRequest,
    RecordingRequest,
    scripted,
    text_update,
    transport_error,
)

TOKEN = f"{BOT_ID}:TEST"
URL = f"https://api.telegram.org/bot{TOKEN}/sendMessage"
FAST = RetryPolicy(budget=2.0, first_delay=0.001, max_delay=0.01, jitter=0.0)
ANSWER = "<b>Twijfel</b>"

REFUSED = Fault(raises=httpx.ConnectError)  # nothing left: certainly not sent
SERVER_ERROR = Fault(status=500)
BAD_GATEWAY = Fault(status=502)
TIMED_OUT_BUT_SENT = Fault(raises=httpx.ReadTimeout, delivered=True)
DROPPED = Fault(raises=httpx.RemoteProtocolError)  # the request went out, no answer came


def _data() -> RequestData:
    return RequestData()


async def _call(faulty: FaultyRequest, policy: RetryPolicy = FAST) -> tuple[int, bytes]:
    retrying = RetryingRequest(faulty, policy)
    return await retrying.do_request(URL, "POST", _data())


# -- classification -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (200, None),
        (400, None),
        (403, None),
        (429, None),  # the rate limiter's
        (500, Attempt.NOT_SENT),
        (502, Attempt.NOT_SENT),
        (503, Attempt.NOT_SENT),
        (504, Attempt.MAYBE_SENT),  # a gateway gave up waiting; the API may have done it
    ],
)
def test_http_status_classes(code: int, expected: Attempt | None) -> None:
    assert classify_status(code) is expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (transport_error(httpx.ConnectError), Attempt.NOT_SENT),
        (transport_error(httpx.ConnectTimeout), Attempt.NOT_SENT),
        (transport_error(httpx.PoolTimeout), Attempt.NOT_SENT),
        (transport_error(httpx.ReadTimeout), Attempt.MAYBE_SENT),
        (transport_error(httpx.WriteTimeout), Attempt.MAYBE_SENT),
        (transport_error(httpx.ReadError), Attempt.MAYBE_SENT),
        (transport_error(httpx.RemoteProtocolError), Attempt.MAYBE_SENT),
        (NetworkError("no cause known"), Attempt.MAYBE_SENT),
        (TimedOut(), Attempt.MAYBE_SENT),
        (BadRequest("chat not found"), None),  # a NetworkError subclass, but final
        (Forbidden("bot was blocked by the user"), None),
        (InvalidToken("Unauthorized"), None),
        (Conflict("terminated by other getUpdates request"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_transport_errors_classes(error: Exception, expected: Attempt | None) -> None:
    assert isinstance(error, NetworkError | InvalidToken | Forbidden | Conflict)
    assert classify_error(error) is expected


# -- the retry loop -------------------------------------------------------------------------------


async def test_errors_that_sent_nothing_are_retried_until_the_answer() -> None:
    faulty = FaultyRequest(scripted({"sendMessage": [SERVER_ERROR, BAD_GATEWAY, REFUSED] * 2}))
    code, payload = await _call(faulty)

    assert code == 200
    assert json.loads(payload)["ok"] is True
    assert faulty.attempts_at("sendMessage") == [SERVER_ERROR, BAD_GATEWAY, REFUSED] * 2 + [None]
    assert len(faulty.calls) == 1  # delivered once


async def test_a_timeout_is_retried_once_and_may_deliver_twice() -> None:
    faulty = FaultyRequest(scripted({"sendMessage": [TIMED_OUT_BUT_SENT]}))
    code, _ = await _call(faulty)

    assert code == 200
    assert faulty.attempts_at("sendMessage") == [TIMED_OUT_BUT_SENT, None]
    assert len(faulty.calls) == 2  # the price of not losing it: at most twice


@pytest.mark.parametrize(
    "faults",
    [
        [TIMED_OUT_BUT_SENT, TIMED_OUT_BUT_SENT],
        [DROPPED, SERVER_ERROR, REFUSED, DROPPED],  # not-sent errors in between do not count
        [Fault(status=504), DROPPED],
    ],
    ids=["two-timeouts", "drops-around-5xx", "504-then-drop"],
)
async def test_the_second_uncertain_attempt_ends_the_call(faults: list[Fault]) -> None:
    faulty = FaultyRequest(scripted({"sendMessage": [*faults, None]}))
    with pytest.raises(SendFailed) as raised:
        await _call(faulty)

    assert raised.value.possibly_delivered is True
    assert faulty.attempts_at("sendMessage") == faults  # no attempt after the second
    assert len(faulty.calls) <= MAX_MAYBE_SENT


async def test_the_budget_bounds_the_time_and_nothing_may_have_been_delivered() -> None:
    def always_refused(method: str, params: object, count: int) -> Fault:
        return REFUSED

    faulty = FaultyRequest(always_refused)
    policy = RetryPolicy(budget=0.3, first_delay=0.01, max_delay=0.05, jitter=0.0)
    started = time.monotonic()
    with pytest.raises(SendFailed) as raised:
        await _call(faulty, policy)
    elapsed = time.monotonic() - started

    assert raised.value.possibly_delivered is False
    assert elapsed < 0.3 + 0.1
    # Backoff: 0.01, 0.02, 0.04, then 0.05 each; about 8 attempts fit in 0.3 s, not hundreds.
    assert 4 <= len(faulty.attempts) <= 10


async def test_an_attempt_never_outlasts_the_budget() -> None:
    class Hanging(RecordingRequest):
        async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
            await _sleep_forever()
            raise AssertionError("unreachable")

    policy = RetryPolicy(budget=0.2, first_delay=0.01)
    started = time.monotonic()
    with pytest.raises(SendFailed) as raised:
        await RetryingRequest(Hanging(), policy).do_request(URL, "POST", _data())
    assert time.monotonic() - started < 0.5
    assert raised.value.possibly_delivered is True


async def _sleep_forever() -> None:
    await asyncio.Event().wait()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429])
async def test_final_answers_are_passed_on_at_once(status: int) -> None:
    faulty = FaultyRequest(scripted({"sendMessage": [Fault(status=status)]}))
    code, _ = await _call(faulty)
    assert code == status  # PTB turns it into BadRequest, InvalidToken, RetryAfter, ...
    assert len(faulty.attempts) == 1


async def test_a_refusal_after_an_uncertain_attempt_is_reported_as_maybe_delivered() -> None:
    faulty = FaultyRequest(scripted({"sendMessage": [TIMED_OUT_BUT_SENT, Fault(status=403)]}))
    with pytest.raises(SendFailed) as raised:
        await _call(faulty)
    assert raised.value.possibly_delivered is True


async def test_a_flood_wait_after_an_uncertain_attempt_is_waited_out_here() -> None:
    # Passing the 429 on would let the rate limiter start a fresh call with a fresh count of
    # uncertain attempts, and a third copy could land.
    flood = json.dumps(
        {"ok": False, "error_code": 429, "parameters": {"retry_after": 0.01}}
    ).encode()

    class Flooded(FaultyRequest):
        async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
            if len(self.attempts) == 1:
                self.attempts.append(("sendMessage", Fault(status=429)))
                return 429, flood
            return await super().do_request(*args, **kwargs)  # type: ignore[arg-type]

    faulty = Flooded(scripted({"sendMessage": [TIMED_OUT_BUT_SENT]}))
    code, _ = await _call(faulty)
    assert code == 200
    assert [f.status if f else None for f in faulty.attempts_at("sendMessage")] == [
        None,
        429,
        None,
    ]
    assert len(faulty.calls) == 2


async def test_retries_are_logged_without_the_url_or_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    faulty = FaultyRequest(scripted({"sendMessage": [SERVER_ERROR, DROPPED]}))
    await _call(faulty)

    assert "Bot API sendMessage failed (HTTP 500, not sent), attempt 1" in caplog.text
    assert "(NetworkError/RemoteProtocolError, maybe sent), attempt 2" in caplog.text
    assert TOKEN not in caplog.text
    assert "api.telegram.org" not in caplog.text


# -- the composition root uses it -----------------------------------------------------------------


def _settings() -> Settings:
    return Settings(content_dir=FIXTURE_CONTENT, token=TOKEN)


def test_production_sends_retry_with_a_read_timeout_above_a_slow_api() -> None:
    engine = Engine(ContentStore.open(FIXTURE_CONTENT))
    app = build_application(_settings(), engine)
    request = app.bot.request
    assert isinstance(request, RetryingRequest)
    assert isinstance(request.inner, HTTPXRequest)
    # A Bot API that needs 5 s to answer is slow, not broken.
    assert request.read_timeout == SEND_READ_TIMEOUT
    assert SEND_READ_TIMEOUT > 5
    assert request.policy == RetryPolicy()
    assert request.policy.budget == RETRY_BUDGET == 30
    assert request.policy.max_maybe_sent == 2
    # getUpdates is PTB's own business (its updater retries); it is not wrapped.
    assert not isinstance(app.bot._request[0], RetryingRequest)


# -- handlers: delivery per update ----------------------------------------------------------------


@pytest.fixture
def engine() -> Engine:
    return Engine(ContentStore.open(FIXTURE_CONTENT))


@asynccontextmanager
async def running(engine: Engine, rec: RecordingRequest) -> AsyncIterator[App]:
    app = build_application(
        _settings(), engine, request=rec, updates_request=RecordingRequest(), retry=FAST
    )
    async with app:
        rec.clear()
        yield app


async def feed(app: App, payload: dict[str, object]) -> None:
    update = Update.de_json(payload, app.bot)
    assert update is not None
    await app.process_update(update)


def texts(rec: RecordingRequest) -> list[str]:
    return [str(p["text"]) for p in rec.calls_to("sendMessage")]


async def test_a_flaky_api_still_gets_the_answer_to_the_user_once(engine: Engine) -> None:
    faulty = FaultyRequest(scripted({"sendMessage": [SERVER_ERROR, REFUSED, BAD_GATEWAY]}))
    async with running(engine, faulty) as app:
        await feed(app, text_update("twijfel"))

    [answer] = texts(faulty)
    assert answer.startswith(ANSWER)
    assert len(faulty.attempts_at("sendMessage")) == 4


async def test_an_answer_that_may_have_landed_is_never_followed_by_an_apology(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    faulty = FaultyRequest(scripted({"sendMessage": [TIMED_OUT_BUT_SENT, DROPPED]}))
    async with running(engine, faulty) as app:
        await feed(app, text_update("twijfel"))

    assert [t[: len(ANSWER)] for t in texts(faulty)] == [ANSWER]  # the one that landed
    assert len(faulty.attempts_at("sendMessage")) == 2
    assert "Tekst fout" not in texts(faulty)
    assert "SendFailed" in caplog.text
    assert "no apology for update" in caplog.text


def _long_reply() -> Reply:
    paragraphs = tuple(Block(Style.TEXT, (f"deel{n} " + "woord " * 500,)) for n in range(3))
    return Reply(paragraphs, ((Button("Menu", "m"),),))


async def test_a_reply_cut_off_halfway_gets_no_apology(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def ask(text: str) -> Answer:
        return Answer(Outcome.ANSWER, False, (), _long_reply(), 0.0)

    monkeypatch.setattr(engine, "ask", ask)
    caplog.set_level(logging.INFO)
    # The first part arrives; the second is refused for good (the user blocked the bot).
    faulty = FaultyRequest(scripted({"sendMessage": [None, Fault(status=403)]}))
    async with running(engine, faulty) as app:
        await feed(app, text_update("iets"))

    assert [t.split()[0] for t in texts(faulty)] == ["deel0"]
    assert faulty.attempts_at("sendMessage") == [None, Fault(status=403)]
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Forbidden" in error.getMessage()
    assert "no apology" in caplog.text


async def test_a_part_that_may_have_landed_does_not_stop_the_rest(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def ask(text: str) -> Answer:
        return Answer(Outcome.ANSWER, False, (), _long_reply(), 0.0)

    monkeypatch.setattr(engine, "ask", ask)
    # The second part: dropped twice after the request went out (maybe it arrived, maybe not).
    faulty = FaultyRequest(scripted({"sendMessage": [None, DROPPED, DROPPED]}))
    async with running(engine, faulty) as app:
        await feed(app, text_update("iets"))

    assert [t.split()[0] for t in texts(faulty)] == ["deel0", "deel2"]
    assert len(faulty.attempts_at("sendMessage")) == 4
    assert "Tekst fout" not in texts(faulty)
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "SendFailed" in error.getMessage()


async def test_when_nothing_arrived_the_user_gets_the_apology(engine: Engine) -> None:
    def refuse_answers(method: str, params: dict[str, object], count: int) -> Fault | None:
        if method == "sendMessage" and params.get("text") != "Tekst fout":
            return Fault(status=400)  # e.g. a text Telegram cannot parse: never delivered
        return None

    faulty = FaultyRequest(refuse_answers)
    async with running(engine, faulty) as app:
        await feed(app, text_update("twijfel"))

    assert texts(faulty) == ["Tekst fout"]
    assert [p["chat_id"] for p in faulty.calls_to("sendMessage")] == [CHAT_ID]
