"""A small fake Bot API over real HTTP on 127.0.0.1, for tests that need the network layer.

Plain asyncio streams (no web framework): HTTP/1.1 with keep-alive, just enough for
python-telegram-bot's httpx transport. Routes are ``/bot<token>/<method>``:

- getMe; getUpdates with long polling and offsets (updates stay until confirmed, so none is
  lost across restarts); sendMessage (recorded in `delivered`); every other method answers
  ``true``;
- `FaultPlan`: a share of the sends answered 500 or 502, dropped (the connection closed
  without an answer, before or after the message was stored) or slow (stored, answered only
  after the client's timeout). The choice per attempt is a seeded function of the attempt
  (chat, text, how many times that text was tried), not of timing, so a run is repeatable;
- `reject_with`: every request answered 401 or 404, as Telegram answers a bad token;
- `kill()` closes the listening socket and aborts every open connection; `restart()` listens
  again on the same port, with the same state (Telegram's servers keep theirs).

What happened is recorded: `delivered` (every stored message, duplicates included) and
`attempts` (every send with the fault it met).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs

from tests.telegram_fakes import JSONDict, bot_user_dict, chat_dict

HOST = "127.0.0.1"
FAULTED_METHODS = frozenset({"sendMessage", "answerCallbackQuery"})


class FaultKind(StrEnum):
    """What a send meets instead of a normal answer."""

    HTTP_500 = "500"
    HTTP_502 = "502"
    DROP_BEFORE = "dropped, not stored"
    DROP_AFTER = "dropped, stored"
    SLOW = "slow, stored"


STORED_ANYWAY = frozenset({FaultKind.DROP_AFTER, FaultKind.SLOW})
"""Faults after which the message reached the user although the bot saw a failure."""


@dataclass(frozen=True)
class FaultPlan:
    """Which share of the sends fails, and how; `slow` seconds before a slow answer."""

    seed: int
    rate: float = 0.30
    slow: float = 1.0
    weights: tuple[tuple[FaultKind, float], ...] = (
        (FaultKind.HTTP_500, 1.0),
        (FaultKind.HTTP_502, 1.0),
        (FaultKind.DROP_BEFORE, 0.5),
        (FaultKind.DROP_AFTER, 0.5),
        (FaultKind.SLOW, 1.0),
    )

    def fault_for(self, method: str, key: str, attempt: int) -> FaultKind | None:
        """The fault for the `attempt`-th try (0-based) of the send identified by `key`."""
        rng = random.Random(f"{self.seed}|{method}|{key}|{attempt}")  # noqa: S311 - a test plan
        if rng.random() >= self.rate:
            return None
        kinds = [kind for kind, _ in self.weights]
        return rng.choices(kinds, weights=[w for _, w in self.weights])[0]


@dataclass(frozen=True)
class Delivered:
    """A message the bot sent that reached the user (stored by the API)."""

    chat_id: int
    text: str
    fault: FaultKind | None


@dataclass
class Attempt:
    """One send as the API saw it."""

    method: str
    key: str
    fault: FaultKind | None
    at: float = field(default_factory=time.monotonic)


class _Drop(Exception):
    """Close the connection without an answer."""


class FakeBotApi:
    """The fake API; use ``async with FakeBotApi(token, ...) as api:``."""

    def __init__(
        self,
        token: str,
        *,
        faults: FaultPlan | None = None,
        reject_with: int | None = None,
        bot_username: str = "FakeApiBot",
    ) -> None:
        self.token = token
        self.faults = faults
        self.reject_with = reject_with
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0]) if token[:1].isdigit() else 1
        self.port: int | None = None
        self.delivered: list[Delivered] = []
        self.attempts: list[Attempt] = []
        self.requests: Counter[str] = Counter()
        self.kills = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._new_update = asyncio.Event()
        self._closing = asyncio.Event()
        self._message_ids: Counter[int] = Counter()
        self._tries: Counter[tuple[str, str]] = Counter()

    # -- lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()
        self._closing.set()  # wakes long polls; slow answers end by themselves
        await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 5.0)

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (a free port unless given)."""
        self._server = await asyncio.start_server(self._accept, HOST, port or self.port or 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def kill(self) -> None:
        """Stop as a crashed server does: no more connections, open ones cut."""
        await self._stop()
        self.kills += 1

    async def _stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()
        self._server = None

    async def restart(self) -> None:
        """Listen again on the same port, with the same messages and updates."""
        assert self.port is not None
        await self.start(self.port)

    @property
    def running(self) -> bool:
        """Whether it accepts connections."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """The `base_url` for PTB (`TELEGRAM_API_BASE_URL`); PTB appends the token."""
        return f"http://{HOST}:{self.port}/bot"

    # -- the user's side -------------------------------------------------------------------------

    def add_update(self, update: JSONDict) -> int:
        """Queue an update for getUpdates (renumbered in arrival order); its update_id."""
        update = {**update, "update_id": self._next_update_id}
        self._next_update_id += 1
        self._updates.append(update)
        self._new_update.set()
        return int(update["update_id"])

    def texts_in(self, chat_id: int) -> list[str]:
        """Every message stored for a chat, in order, duplicates included."""
        return [d.text for d in self.delivered if d.chat_id == chat_id]

    # -- HTTP ------------------------------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                _, target, _ = request_line.split(" ", 2)
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(":") for line in header_lines if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                try:
                    status, content_type, payload = await self._answer(target, body)
                except _Drop:
                    writer.transport.abort()
                    return
                reason = HTTPStatus(status).phrase
                writer.write(
                    f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, RuntimeError):
            return  # the client went away (e.g. after its timeout), or we were killed
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.transport.abort()

    async def _answer(self, target: str, body: bytes) -> tuple[int, str, bytes]:
        path = target.split("?", 1)[0]
        method = path.rsplit("/", 1)[-1]
        self.requests[method] += 1
        if self.reject_with is not None:
            description = HTTPStatus(self.reject_with).phrase
            return self._error(self.reject_with, description)
        if not path.startswith(f"/bot{self.token}/"):
            return self._error(HTTPStatus.NOT_FOUND, "Not Found")
        params = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        if method in FAULTED_METHODS and self.faults is not None:
            return await self._faulty(method, params)
        return self._ok(await self._result(method, params))

    async def _faulty(self, method: str, params: dict[str, str]) -> tuple[int, str, bytes]:
        assert self.faults is not None
        key = f"{params.get('chat_id', '')}|{params.get('text', params.get('callback_query_id'))}"
        attempt = self._tries[(method, key)]
        self._tries[(method, key)] += 1
        fault = self.faults.fault_for(method, key, attempt)
        self.attempts.append(Attempt(method, key, fault))
        if fault is FaultKind.HTTP_500:
            return self._error(500, "Internal Server Error")
        if fault is FaultKind.HTTP_502:
            html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            return HTTPStatus.BAD_GATEWAY, "text/html", html
        if fault is FaultKind.DROP_BEFORE:
            raise _Drop
        result = await self._result(method, params, fault)
        if fault is FaultKind.DROP_AFTER:
            raise _Drop
        if fault is FaultKind.SLOW:
            await asyncio.sleep(self.faults.slow)  # the client has given up by now
        return self._ok(result)

    async def _result(
        self, method: str, params: dict[str, str], fault: FaultKind | None = None
    ) -> Any:
        if method == "getMe":
            return bot_user_dict(self.bot_id, self.bot_username)
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            self.delivered.append(Delivered(chat_id, params["text"], fault))
            self._message_ids[chat_id] += 1
            message: JSONDict = {
                "message_id": self._message_ids[chat_id],
                "date": int(time.time()),
                "chat": chat_dict(chat_id, "private" if chat_id > 0 else "supergroup"),
                "from": bot_user_dict(self.bot_id, self.bot_username),
                "text": params["text"],
            }
            markup = json.loads(params.get("reply_markup", "null"))
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            return message
        return True

    async def _get_updates(self, params: dict[str, str]) -> list[JSONDict]:
        offset = int(params.get("offset", "0") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            timeout = float(params.get("timeout", "0") or 0)
            waits = [asyncio.ensure_future(e.wait()) for e in (self._new_update, self._closing)]
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()
            if not self._updates:
                return []
        limit = int(params.get("limit", "100") or 100)
        return self._updates[:limit]

    @staticmethod
    def _ok(result: Any) -> tuple[int, str, bytes]:
        return (
            HTTPStatus.OK,
            "application/json",
            json.dumps({"ok": True, "result": result}).encode(),
        )

    @staticmethod
    def _error(status: int, description: str) -> tuple[int, str, bytes]:
        body = {"ok": False, "error_code": status, "description": description}
        return status, "application/json", json.dumps(body).encode()
