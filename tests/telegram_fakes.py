"""Offline Telegram layer for handler tests: a recording Bot API transport and update factories.

`RecordingRequest` plugs into `ApplicationBuilder().request(...)`: every Bot API call is
recorded as ``(method, params)`` and answered locally with canned JSON, so a real
`Application` can process real `Update.de_json(payload, app.bot)` objects without a network::

    rec = RecordingRequest()
    app = (ApplicationBuilder().token("123:TEST").request(rec)
           .get_updates_request(RecordingRequest()).updater(None).build())
    async with app:
        await app.process_update(Update.de_json(command_update("/start"), app.bot))
    assert rec.calls_to("sendMessage")[0]["text"] == "..."

This layer covers what the emulator (tests/e2e) lacks: setMyCommands and other methods,
inline queries, photos and documents (`uploads` keeps their bytes), and Telegram's limits,
which tests must check themselves.
`FaultyRequest` adds scripted transport faults (HTTP 5xx, timeouts, dropped connections)
for the retry tests, raised the way PTB's `HTTPXRequest` raises them.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSONDict = dict[str, Any]
Responder = Callable[[JSONDict], object]

BOT_ID = 123  # matches the token "123:TEST"
BOT_USERNAME = "PlaybookTestBot"
BOT_FIRST_NAME = "Playbook Test Bot"
USER_ID = 42
CHAT_ID = USER_ID  # a private chat's id is the user's id
GROUP_CHAT_ID = -1001234567890

_TOKEN_BOT_ID = re.compile(r"/bot(\d+):")
_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def bot_user_dict(bot_id: int = BOT_ID, username: str = BOT_USERNAME) -> JSONDict:
    """The bot as a Bot API `User`."""
    return {"id": bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": username}


def user_dict(user_id: int = USER_ID) -> JSONDict:
    """A human Bot API `User`."""
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Test",
        "username": f"user{user_id}",
        "language_code": "nl",
    }


def chat_dict(chat_id: int, chat_type: str = "private", user_id: int = USER_ID) -> JSONDict:
    """A Bot API `Chat`; private chats carry the user's name, groups a title."""
    if chat_type == "private":
        return {
            "id": chat_id,
            "type": "private",
            "first_name": "Test",
            "username": f"user{user_id}",
        }
    return {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded (sendPhoto, sendDocument): which method, field and bytes."""

    method: str
    field: str
    filename: str
    mimetype: str
    content: bytes


class RecordingRequest(BaseRequest):
    """Answers Bot API calls locally and records them; never touches the network.

    `calls` holds ``(method, params)`` in call order; params are the Python values PTB
    serialises (e.g. ``reply_markup`` as a dict). Unknown methods answer ``True``; pass
    `responses` to add or replace canned answers per method.
    """

    def __init__(
        self,
        *,
        bot_username: str = BOT_USERNAME,
        responses: Mapping[str, Responder] | None = None,
    ) -> None:
        self.calls: list[tuple[str, JSONDict]] = []
        self.uploads: list[Upload] = []
        self.bot_username = bot_username
        self._bot_id = BOT_ID
        self._message_ids = itertools.count(10_000)
        self._responders: dict[str, Responder] = {
            "getMe": lambda _: bot_user_dict(self._bot_id, self.bot_username),
            "getUpdates": lambda _: [],
            "sendMessage": self._sent_message,
            "sendPhoto": self._sent_message,
            "sendDocument": self._sent_message,
            "editMessageText": self._edited_message,
            "editMessageReplyMarkup": self._edited_message,
            **(responses or {}),
        }

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    @property
    def read_timeout(self) -> float | None:
        """No timeouts: nothing waits."""
        return None

    async def do_request(  # noqa: PLR0917 - the signature is BaseRequest.do_request's
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Record the call and answer it with canned JSON."""
        api_method = url.rsplit("/", 1)[-1]
        if match := _TOKEN_BOT_ID.search(url):
            self._bot_id = int(match.group(1))
        params: JSONDict = dict(request_data.parameters) if request_data else {}
        self.calls.append((api_method, params))
        for field, (filename, content, mimetype) in (
            request_data.multipart_data if request_data else {}
        ).items():
            data = content if isinstance(content, bytes) else content.read()
            self.uploads.append(Upload(api_method, field, filename, mimetype, data))
        responder = self._responders.get(api_method)
        result = responder(params) if responder is not None else True
        return HTTPStatus.OK, json.dumps({"ok": True, "result": result}).encode()

    # -- canned answers --------------------------------------------------------------------------

    def _message(self, params: JSONDict, message_id: int) -> JSONDict:
        chat_id = params.get("chat_id")
        chat_id = chat_id if isinstance(chat_id, int) else CHAT_ID
        message: JSONDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat_dict(chat_id, "private" if chat_id > 0 else "supergroup"),
            "from": bot_user_dict(self._bot_id, self.bot_username),
        }
        for key in ("text", "caption"):
            if isinstance(params.get(key), str):
                message[key] = params[key]
        markup = params.get("reply_markup")
        # Telegram only echoes inline keyboards in a Message.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _sent_message(self, params: JSONDict) -> JSONDict:
        return self._message(params, next(self._message_ids))

    def _edited_message(self, params: JSONDict) -> JSONDict | bool:
        if "inline_message_id" in params:
            return True
        message = self._message(params, int(params.get("message_id", 0)))
        message["edit_date"] = message["date"]
        return message

    # -- assertions helpers ----------------------------------------------------------------------

    @property
    def methods(self) -> list[str]:
        """The called Bot API methods, in order."""
        return [method for method, _ in self.calls]

    def calls_to(self, method: str) -> list[JSONDict]:
        """The params of every call to `method`, in order."""
        return [params for name, params in self.calls if name == method]

    def sent_texts(self) -> list[str]:
        """The texts of every sendMessage and editMessageText, in order."""
        return [
            str(params["text"])
            for name, params in self.calls
            if name in ("sendMessage", "editMessageText") and "text" in params
        ]

    def clear(self) -> None:
        """Forget the recorded calls and uploads (e.g. the getMe of `initialize()`)."""
        self.calls.clear()
        self.uploads.clear()


@dataclass(frozen=True)
class Fault:
    """What one Bot API call meets instead of its normal answer (see `FaultyRequest`)."""

    status: int | None = None
    """Answered with this HTTP status (and a Bot API error body)."""
    raises: type[httpx.HTTPError] | None = None
    """Or: the transport raised this httpx error (wrapped as HTTPXRequest wraps it)."""
    delivered: bool = False
    """Whether the message reached the user all the same (then it is in `calls`)."""


FaultScript = Callable[[str, "JSONDict", int], Fault | None]
"""Decides per call: (method, params, number of earlier calls to that method) → a fault or
None for the normal answer."""


def scripted(faults: Mapping[str, Iterable[Fault | None]]) -> FaultScript:
    """A script that gives each method its faults in order (None: a normal answer), then
    normal answers."""
    queues = {method: deque(items) for method, items in faults.items()}

    def script(method: str, params: JSONDict, count: int) -> Fault | None:
        queue = queues.get(method)
        return queue.popleft() if queue else None

    return script


def transport_error(kind: type[httpx.HTTPError]) -> NetworkError:
    """The PTB exception HTTPXRequest raises for an httpx error, with it as the cause."""
    cause = kind("injected")
    error: NetworkError = (
        TimedOut()
        if isinstance(cause, httpx.TimeoutException)
        else NetworkError(f"httpx.{kind.__name__}: injected")
    )
    error.__cause__ = cause
    return error


class FaultyRequest(RecordingRequest):
    """A `RecordingRequest` whose calls first meet the faults a script decides.

    `calls` holds what reached Telegram (normal answers, and faults with ``delivered``);
    `attempts` holds every try as ``(method, fault or None)``.
    """

    def __init__(self, script: FaultScript, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.script = script
        self.attempts: list[tuple[str, Fault | None]] = []

    def attempts_at(self, method: str) -> list[Fault | None]:
        """The faults met by every try of `method`, in order (None: answered normally)."""
        return [fault for name, fault in self.attempts if name == method]

    async def do_request(  # noqa: PLR0917 - the signature is BaseRequest.do_request's
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Meet the scripted fault, or answer as RecordingRequest does."""
        api_method = url.rsplit("/", 1)[-1]
        params: JSONDict = dict(request_data.parameters) if request_data else {}
        fault = self.script(api_method, params, len(self.attempts_at(api_method)))
        self.attempts.append((api_method, fault))
        if fault is None:
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )
        if fault.delivered:
            self.calls.append((api_method, params))
        if fault.raises is not None:
            raise transport_error(fault.raises)
        status = fault.status or HTTPStatus.INTERNAL_SERVER_ERROR
        body = {"ok": False, "error_code": status, "description": HTTPStatus(status).phrase}
        return status, json.dumps(body).encode()


# -- update payloads ------------------------------------------------------------------------------


def message_dict(
    text: str,
    *,
    chat_id: int = CHAT_ID,
    chat_type: str = "private",
    user_id: int = USER_ID,
    entities: list[JSONDict] | None = None,
    reply_to_message: JSONDict | None = None,
) -> JSONDict:
    """A Bot API `Message` from a user."""
    message: JSONDict = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat_dict(chat_id, chat_type, user_id),
        "from": user_dict(user_id),
        "text": text,
    }
    if entities:
        message["entities"] = entities
    if reply_to_message is not None:
        message["reply_to_message"] = reply_to_message
    return message


def _default_chat_id(chat_id: int | None, chat_type: str, user_id: int) -> int:
    if chat_id is not None:
        return chat_id
    return user_id if chat_type == "private" else GROUP_CHAT_ID


def text_update(
    text: str,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    user_id: int = USER_ID,
    reply_to_bot: bool = False,
    entities: list[JSONDict] | None = None,
) -> JSONDict:
    """An `Update` with a text message; `reply_to_bot` makes it a reply to a bot message."""
    chat_id = _default_chat_id(chat_id, chat_type, user_id)
    reply_to: JSONDict | None = None
    if reply_to_bot:
        reply_to = {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat_dict(chat_id, chat_type, user_id),
            "from": bot_user_dict(),
            "text": "…",
        }
    message = message_dict(
        text,
        chat_id=chat_id,
        chat_type=chat_type,
        user_id=user_id,
        entities=entities,
        reply_to_message=reply_to,
    )
    return {"update_id": next(_update_ids), "message": message}


def command_update(
    text: str,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    user_id: int = USER_ID,
    bot_username: str | None = None,
) -> JSONDict:
    """An `Update` with a command such as ``"/start payload"`` and its ``bot_command`` entity.

    With `bot_username` the command is addressed as ``/start@bot_username`` (as in groups).
    """
    if not text.startswith("/"):
        raise ValueError(f"a command starts with '/': {text!r}")
    command, separator, rest = text.partition(" ")
    if bot_username:
        command = f"{command}@{bot_username}"
    entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return text_update(
        f"{command}{separator}{rest}",
        chat_id=chat_id,
        chat_type=chat_type,
        user_id=user_id,
        entities=entities,
    )


def button_update(
    data: str,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    user_id: int = USER_ID,
    message_text: str = "…",
    message_id: int | None = None,
    reply_markup: JSONDict | None = None,
) -> JSONDict:
    """An `Update` with a callback query: the user pressed a button with `data`."""
    chat_id = _default_chat_id(chat_id, chat_type, user_id)
    bot_message: JSONDict = {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "date": int(time.time()),
        "chat": chat_dict(chat_id, chat_type, user_id),
        "from": bot_user_dict(),
        "text": message_text,
    }
    if reply_markup is not None:
        bot_message["reply_markup"] = reply_markup
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq{update_id}",
            "from": user_dict(user_id),
            "chat_instance": f"ci{chat_id}",
            "message": bot_message,
            "data": data,
        },
    }


def mention_entities(text: str, username: str = BOT_USERNAME) -> list[JSONDict]:
    """The `mention` entities Telegram adds for each ``@username`` in a text (UTF-16 offsets)."""
    encoded = text.encode("utf-16-le", "surrogatepass")
    handle = f"@{username}".lower().encode("utf-16-le")
    lowered = text.lower().encode("utf-16-le", "surrogatepass")
    found, start = [], 0
    while (index := lowered.find(handle, start)) >= 0:
        if index % 2 == 0:
            found.append({"type": "mention", "offset": index // 2, "length": len(handle) // 2})
        start = index + 2
    assert len(encoded) == len(lowered), "lowercasing changed the length"
    return found


NON_TEXT_CONTENT: dict[str, JSONDict] = {
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "s1u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "v1u", "duration": 3}},
    "location": {"location": {"latitude": 51.05, "longitude": 3.72}},
    "contact": {"contact": {"phone_number": "+3290000000", "first_name": "Iemand"}},
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}]},
    "document": {"document": {"file_id": "d1", "file_unique_id": "d1u"}},
    "video": {
        "video": {
            "file_id": "w1",
            "file_unique_id": "w1u",
            "width": 640,
            "height": 480,
            "duration": 5,
        }
    },
    "video_note": {
        "video_note": {"file_id": "n1", "file_unique_id": "n1u", "length": 240, "duration": 4}
    },
    "dice": {"dice": {"emoji": "🎲", "value": 3}},
}
"""Message contents without text, by kind (photo, document and video may add a caption)."""


def media_update(
    kind: str,
    caption: str | None = None,
    *,
    chat_id: int | None = None,
    chat_type: str = "private",
    user_id: int = USER_ID,
    caption_entities: list[JSONDict] | None = None,
    reply_to_bot: bool = False,
) -> JSONDict:
    """An `Update` with a message without text: a sticker, a photo (with a caption)…"""
    payload = text_update(
        "", chat_id=chat_id, chat_type=chat_type, user_id=user_id, reply_to_bot=reply_to_bot
    )
    message = payload["message"]
    del message["text"]
    message.update(NON_TEXT_CONTENT[kind])
    if caption is not None:
        message["caption"] = caption
    if caption_entities:
        message["caption_entities"] = caption_entities
    return payload


def group_text_update(
    text: str,
    mention_bot: bool,
    *,
    chat_id: int = GROUP_CHAT_ID,
    chat_type: str = "supergroup",
    user_id: int = USER_ID,
    bot_username: str = BOT_USERNAME,
) -> JSONDict:
    """An `Update` with a group message; `mention_bot` prefixes ``@bot_username`` (an entity)."""
    entities: list[JSONDict] | None = None
    if mention_bot:
        mention = f"@{bot_username}"
        text = f"{mention} {text}"
        entities = [{"type": "mention", "offset": 0, "length": len(mention)}]
    return text_update(
        text, chat_id=chat_id, chat_type=chat_type, user_id=user_id, entities=entities
    )


def inline_query_update(query: str, *, user_id: int = USER_ID) -> JSONDict:
    """An `Update` with an inline query: the user typed ``@bot <query>`` in some chat."""
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "inline_query": {
            "id": f"iq{update_id}",
            "from": user_dict(user_id),
            "query": query,
            "offset": "",
            "chat_type": "supergroup",
        },
    }


def chosen_inline_result_update(result_id: str, *, user_id: int = USER_ID) -> JSONDict:
    """An `Update` saying the user posted an inline result (with /setinlinefeedback on)."""
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "chosen_inline_result": {
            "result_id": result_id,
            "from": user_dict(user_id),
            "query": "iets",
        },
    }


def inline_button_update(
    data: str, *, inline_message_id: str = "inline-1", user_id: int = USER_ID
) -> JSONDict:
    """An `Update` with a press on a message sent through inline mode: no message, no chat,
    only the `inline_message_id`."""
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq{update_id}",
            "from": user_dict(user_id),
            "chat_instance": f"ci-inline-{inline_message_id}",
            "inline_message_id": inline_message_id,
            "data": data,
        },
    }
