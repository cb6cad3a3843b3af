"""Drive the telegram-test-api emulator (npm, pinned in package.json) from Python tests.

Three parts:

- `EmulatorRequest`: a PTB request class that repairs the emulator's answers so that stock
  telegram-test-api 4.2.1 works with python-telegram-bot 22: getMe without ``is_bot``, dates
  in milliseconds, ``null`` edit results, callback queries without ``chat_instance``, and
  sendMessage results that echo JSON-encoded request fields (``link_preview_options`` from
  ``Defaults`` broke ``Message.de_json``).
- `Emulator`: starts ``node server.js`` on a free 127.0.0.1 port and stops it by its PID.
- `EmulatorClient`: the test user's side, over the emulator's client routes.

The emulator implements getMe, getUpdates, sendMessage, editMessageText,
editMessageReplyMarkup, deleteMessage, answerCallbackQuery, setWebhook and deleteWebhook; the
test launcher (server.js) extends it at start-up with `extensions.js`: answerInlineQuery,
inline-message edits, sendPhoto and sendDocument uploads, and client routes to send inline
queries, pick a result into a chat, press its buttons and read the uploaded files back.
setMyCommands and length limits are covered by the offline layer (`tests/telegram_fakes.py`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
from telegram import InlineKeyboardMarkup, User
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

JSONDict = dict[str, Any]

E2E_DIR = Path(__file__).resolve().parent
HOST = "127.0.0.1"

# What the emulator's getMe answers (hard-coded in telegram-test-api 4.2.1).
EMULATOR_BOT_ID = 666
EMULATOR_BOT_USERNAME = "TestNameBot"
EMULATOR_BOT_FIRST_NAME = "Test First name"

# Unix time in seconds stays below this until the year 5138; larger values are milliseconds.
_MILLISECONDS_THRESHOLD = 10**11
_DATE_KEYS = frozenset({"date", "edit_date", "forward_date"})
# sendMessage results echo the request body, where PTB sent these objects as JSON strings.
_JSON_STRING_KEYS = frozenset(
    {"reply_markup", "entities", "caption_entities", "link_preview_options", "reply_parameters"}
)


def repair_payload(data: JSONDict) -> JSONDict:
    """Repair an emulator answer in place so that PTB 22 can parse it, and return it."""
    if data.get("ok") is not True:
        return data
    result = data.get("result")
    if result is None:
        # (3) edit*, answerCallbackQuery, setWebhook and deleteMessage answer null. No Bot API
        # method returns null; `True` is a valid answer for all of them.
        data["result"] = True
    elif isinstance(result, list):
        # getUpdates
        for update in result:
            if isinstance(update, dict):
                _repair_update(update)
    elif isinstance(result, dict):
        if _looks_like_get_me(result):
            # (1) getMe has no is_bot.
            result["is_bot"] = True
        else:
            _repair_message(result)
    return data


def _looks_like_get_me(result: JSONDict) -> bool:
    return (
        "id" in result
        and "first_name" in result
        and "is_bot" not in result
        and not {"message_id", "chat", "type", "update_id"} & result.keys()
    )


def _repair_message(message: JSONDict) -> None:
    for key in _JSON_STRING_KEYS & message.keys():
        value = message[key]
        if isinstance(value, str) and value[:1] in ("{", "["):
            message[key] = json.loads(value)
    message.pop("botToken", None)
    sender = message.get("from")
    if isinstance(sender, dict):
        sender.setdefault("is_bot", False)
    _repair_dates(message)


def _repair_update(update: JSONDict) -> None:
    message = update.get("message")
    if isinstance(message, dict):
        _repair_message(message)
    query = update.get("callback_query")
    if isinstance(query, dict):
        query_message = query.get("message")
        chat_id: object = 0
        if isinstance(query_message, dict):
            _repair_message(query_message)
            chat = query_message.get("chat")
            if isinstance(chat, dict):
                chat_id = chat.get("id", 0)
        # (4) Without chat_instance PTB drops the whole batch of updates.
        query.setdefault("chat_instance", f"emulator-{chat_id}")
        sender = query.get("from")
        if isinstance(sender, dict):
            sender.setdefault("is_bot", False)


def _repair_dates(value: object) -> None:
    # (2) Messages stored by the bot carry `date` in milliseconds.
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _DATE_KEYS and isinstance(item, int) and item > _MILLISECONDS_THRESHOLD:
                value[key] = item // 1000
            else:
                _repair_dates(item)
    elif isinstance(value, list):
        for item in value:
            _repair_dates(item)


class EmulatorRequest(HTTPXRequest):
    """PTB request class for the emulator; use it for `.request()` and `.get_updates_request()`.

    It overrides the documented `parse_json_payload` hook to repair the emulator's answers.
    Edits answer `True` rather than the edited `Message` (the emulator does not return it).
    """

    def __init__(self, **kwargs: Any) -> None:
        # Never route 127.0.0.1 through a proxy from the environment.
        httpx_kwargs: dict[str, Any] = {"trust_env": False, **kwargs.pop("httpx_kwargs", {})}
        super().__init__(httpx_kwargs=httpx_kwargs, **kwargs)

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Parse the emulator's JSON and repair what PTB 22 cannot read."""
        data = HTTPXRequest.parse_json_payload(payload)
        if not isinstance(data, dict):  # pragma: no cover - the emulator always answers objects
            raise TelegramError("Invalid server response")
        return repair_payload(data)


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, as the emulator stored it."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: JSONDict | None
    raw: JSONDict = field(repr=False)

    @classmethod
    def from_record(cls, record: JSONDict) -> Self:
        """Build from one item of the emulator's client-side ``/getUpdates`` answer."""
        message: JSONDict = record["message"]
        markup = message.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return cls(
            message_id=int(record["messageId"]),
            chat_id=int(message["chat_id"]),
            text=str(message.get("text", "")),
            reply_markup=markup if isinstance(markup, dict) else None,
            raw=record,
        )

    @property
    def keyboard(self) -> InlineKeyboardMarkup | None:
        """The inline keyboard, if the message has one."""
        if self.reply_markup is None or "inline_keyboard" not in self.reply_markup:
            return None
        return InlineKeyboardMarkup.de_json(self.reply_markup, None)

    @property
    def callback_data(self) -> list[str]:
        """The callback data of every inline button, row by row."""
        keyboard = self.keyboard
        if keyboard is None:
            return []
        return [
            str(button.callback_data)
            for row in keyboard.inline_keyboard
            for button in row
            if button.callback_data is not None
        ]


def _user_dict(user: User) -> JSONDict:
    return user.to_dict()


def _chat_dict(chat_id: int, user: User, chat_type: str) -> JSONDict:
    chat: JSONDict = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = user.first_name
        if user.username:
            chat["username"] = user.username
    else:
        chat["title"] = f"Test chat {chat_id}"
    return chat


class EmulatorClient:
    """The test user's side of the emulator (its client routes), over one HTTP connection pool.

    Use as ``async with emulator.client() as user: ...``; one client per event loop.
    """

    def __init__(self, base_url: str) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=10.0, trust_env=False)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    async def _post(self, route: str, body: JSONDict) -> Any:
        response = await self._http.post(route, json=body)
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict) or data.get("ok") is not True:
            raise RuntimeError(f"emulator {route} failed: {data!r}")
        return data.get("result")

    @staticmethod
    def _message(token: str, chat_id: int, user: User, text: str, chat_type: str) -> JSONDict:
        return {
            "botToken": token,
            "from": _user_dict(user),
            "chat": _chat_dict(chat_id, user, chat_type),
            "date": int(time.time()),
            "text": text,
        }

    async def send_message(
        self, token: str, chat_id: int, user: User, text: str, *, chat_type: str = "private"
    ) -> None:
        """Send a plain text message from `user` to the bot."""
        await self._post("/sendMessage", self._message(token, chat_id, user, text, chat_type))

    async def send_command(
        self, token: str, chat_id: int, user: User, text: str, *, chat_type: str = "private"
    ) -> None:
        """Send a command such as ``"/start payload"``, with its ``bot_command`` entity."""
        if not text.startswith("/"):
            raise ValueError(f"a command starts with '/': {text!r}")
        message = self._message(token, chat_id, user, text, chat_type)
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._post("/sendCommand", message)

    async def send_callback(
        self,
        token: str,
        chat_id: int,
        user: User,
        message: BotMessage,
        data: str,
        *,
        chat_type: str = "private",
    ) -> None:
        """Press the inline button with callback `data` under the bot's `message`."""
        bot_message: JSONDict = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": _chat_dict(chat_id, user, chat_type),
            "from": {
                "id": EMULATOR_BOT_ID,
                "is_bot": True,
                "first_name": EMULATOR_BOT_FIRST_NAME,
                "username": EMULATOR_BOT_USERNAME,
            },
            "text": message.text,
        }
        if message.reply_markup is not None:
            bot_message["reply_markup"] = message.reply_markup
        await self._post(
            "/sendCallback",
            {"botToken": token, "from": _user_dict(user), "message": bot_message, "data": data},
        )

    async def get_updates(self, token: str, chat_id: int) -> list[BotMessage]:
        """The bot's unread messages in `chat_id`; the emulator marks them read."""
        records = await self._post("/getUpdates", {"token": token, "chatId": chat_id})
        return [BotMessage.from_record(record) for record in records]

    async def get_updates_history(self, token: str) -> list[JSONDict]:
        """Every stored message of this bot, both directions, with in-place edits applied."""
        records = await self._post("/getUpdatesHistory", {"token": token})
        return list(records)

    # -- sharing: routes added at start-up by extensions.js ------------------------------------

    async def send_inline_query(
        self, token: str, user: User, query: str, *, chat_type: str = "supergroup"
    ) -> str:
        """Type ``@bot <query>`` in a chat; returns the inline query's id."""
        result = await self._post(
            "/sendInlineQuery",
            {"botToken": token, "from": _user_dict(user), "query": query, "chat_type": chat_type},
        )
        return str(result["inline_query_id"])

    async def inline_answer(
        self,
        token: str,
        inline_query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - a polling deadline, as below
    ) -> JSONDict:
        """Poll until the bot has answered the inline query; its answerInlineQuery body."""
        deadline = time.monotonic() + timeout
        while True:
            answer = await self._post(
                "/getInlineQueryAnswer", {"token": token, "inlineQueryId": inline_query_id}
            )
            if answer is not None:
                return dict(answer)
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no answer to inline query {inline_query_id} in {timeout} s")
            await asyncio.sleep(0.01)

    async def choose_inline_result(
        self, token: str, inline_query_id: str, result_id: str, chat_id: int, user: User
    ) -> JSONDict:
        """Pick a result: it is posted into `chat_id` as a message sent through inline mode."""
        message = await self._post(
            "/chooseInlineResult",
            {
                "token": token,
                "inlineQueryId": inline_query_id,
                "resultId": result_id,
                "chatId": chat_id,
                "from": _user_dict(user),
            },
        )
        return dict(message)

    async def press_inline(
        self, token: str, user: User, inline_message_id: str, data: str
    ) -> None:
        """Press the button with callback `data` on a message sent through inline mode."""
        await self._post(
            "/sendInlineCallback",
            {
                "botToken": token,
                "from": _user_dict(user),
                "inlineMessageId": inline_message_id,
                "data": data,
            },
        )

    async def inline_message(self, token: str, inline_message_id: str) -> JSONDict:
        """A message sent through inline mode, with the bot's edits applied."""
        message = await self._post(
            "/getInlineMessage", {"token": token, "inlineMessageId": inline_message_id}
        )
        return dict(message)

    async def callback_answers(self, token: str) -> list[JSONDict]:
        """Every answerCallbackQuery of this bot (text, url), in order."""
        return list(await self._post("/getCallbackAnswers", {"token": token}))

    async def get_file(self, token: str, file_id: str) -> bytes:
        """The bytes of a file the bot uploaded (sendPhoto, sendDocument)."""
        result = await self._post("/getFile", {"token": token, "fileId": file_id})
        return base64.b64decode(result["base64"])

    # `timeout` is the polling deadline of this helper (the requested API), not an I/O timeout.
    async def wait_for_bot_messages(
        self,
        token: str,
        chat_id: int,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """Poll until the bot has sent at least `count` new messages to `chat_id`."""
        deadline = time.monotonic() + timeout
        received: list[BotMessage] = []
        while True:
            received += await self.get_updates(token, chat_id)
            if len(received) >= count:
                return received
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"expected {count} bot message(s) in chat {chat_id} within {timeout} s, "
                    f"got {len(received)}: {[m.text for m in received]!r}"
                )
            await asyncio.sleep(0.01)


class EmulatorError(RuntimeError):
    """The emulator could not be installed or started."""


class Emulator:
    """A telegram-test-api process on 127.0.0.1, started with ``node server.js``."""

    def __init__(self, *, node: str = "node", npm: str = "npm", directory: Path = E2E_DIR) -> None:
        self._node = node
        self._npm = npm
        self._directory = directory
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._output: list[str] = []
        self.port: int | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def install(self, timeout: float = 300.0) -> None:
        """Run ``npm ci`` (from the committed lock file) unless the package is installed."""
        if (self._directory / "node_modules" / "telegram-test-api" / "package.json").is_file():
            return
        npm = shutil.which(self._npm)
        if npm is None:
            raise EmulatorError(f"{self._npm!r} not found: cannot install telegram-test-api")
        completed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=self._directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise EmulatorError(
                f"npm ci failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
            )

    def start(self, timeout: float = 15.0) -> Self:
        """Install if needed, start on a free port, and wait for the READY line."""
        if self._process is not None:
            raise EmulatorError("emulator already started")
        self.install()
        node = shutil.which(self._node)
        if node is None:
            raise EmulatorError(f"{self._node!r} not found")
        env = {**os.environ, "E2E_PORT": "0"}
        self._process = subprocess.Popen(
            [node, "server.js"],
            cwd=self._directory,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(
            target=self._read_output, name="emulator-output", daemon=True
        )
        self._reader.start()
        deadline = time.monotonic() + timeout
        while self.port is None:
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0.0))
            except queue.Empty:
                self.stop()
                raise EmulatorError(f"no READY line within {timeout} s:\n{self.output}") from None
            if line is None:
                self.stop()
                raise EmulatorError(f"emulator exited before READY:\n{self.output}")
            if line.startswith("READY "):
                self.port = int(line.split()[1])
        return self

    def _read_output(self) -> None:
        process = self._process
        assert process is not None
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip("\n")
            self._output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the process by its PID: SIGTERM, then SIGKILL after `timeout` seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        if self._reader is not None:
            self._reader.join(timeout=timeout)
            self._reader = None
        if process.stdout is not None:
            process.stdout.close()
        self.port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        """The emulator's process id while it runs."""
        return None if self._process is None else self._process.pid

    @property
    def output(self) -> str:
        """Everything the process printed so far (stdout and stderr)."""
        return "\n".join(self._output)

    # -- addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Root URL of the emulator, e.g. ``http://127.0.0.1:41234``."""
        if self.port is None:
            raise EmulatorError("emulator not started")
        return f"http://{HOST}:{self.port}"

    @property
    def bot_base_url(self) -> str:
        """The `base_url` for PTB's ApplicationBuilder; PTB appends the token."""
        return f"{self.url}/bot"

    # -- the test user's side --------------------------------------------------------------------

    def client(self) -> EmulatorClient:
        """A client for the user's side; close it (``async with``) in the same event loop."""
        return EmulatorClient(self.url)

    @asynccontextmanager
    async def _one_shot(self) -> AsyncIterator[EmulatorClient]:
        async with self.client() as client:
            yield client

    async def send_message(
        self, token: str, chat_id: int, user: User, text: str, *, chat_type: str = "private"
    ) -> None:
        """See `EmulatorClient.send_message`."""
        async with self._one_shot() as client:
            await client.send_message(token, chat_id, user, text, chat_type=chat_type)

    async def send_command(
        self, token: str, chat_id: int, user: User, text: str, *, chat_type: str = "private"
    ) -> None:
        """See `EmulatorClient.send_command`."""
        async with self._one_shot() as client:
            await client.send_command(token, chat_id, user, text, chat_type=chat_type)

    async def send_callback(
        self,
        token: str,
        chat_id: int,
        user: User,
        message: BotMessage,
        data: str,
        *,
        chat_type: str = "private",
    ) -> None:
        """See `EmulatorClient.send_callback`."""
        async with self._one_shot() as client:
            await client.send_callback(token, chat_id, user, message, data, chat_type=chat_type)

    async def get_updates(self, token: str, chat_id: int) -> list[BotMessage]:
        """See `EmulatorClient.get_updates`."""
        async with self._one_shot() as client:
            return await client.get_updates(token, chat_id)

    async def get_updates_history(self, token: str) -> list[JSONDict]:
        """See `EmulatorClient.get_updates_history`."""
        async with self._one_shot() as client:
            return await client.get_updates_history(token)

    # `timeout` is the polling deadline of this helper (the requested API), not an I/O timeout.
    async def wait_for_bot_messages(
        self,
        token: str,
        chat_id: int,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[BotMessage]:
        """See `EmulatorClient.wait_for_bot_messages`."""
        async with self._one_shot() as client:
            return await client.wait_for_bot_messages(token, chat_id, count, timeout)
