"""The real bot as a separate process (`python -m bot run`), for tests of whole deployments.

`FakeBotApi` is a small Bot API on 127.0.0.1 (a thread): it answers getMe, sendMessage,
sendPhoto, answerCallbackQuery and the rest with canned JSON and counts the calls per
method. `BotProcess` starts `playbook run` in webhook mode with `BOT_SETUP=0` against it, on
a free port, posts Telegram updates to its webhook (with the secret header), and stops it
with SIGTERM, as Docker does (the bot then writes its last figures).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

from tests.telegram_fakes import BOT_ID, bot_user_dict

TOKEN = f"{BOT_ID}:PROCESS-TEST"
SECRET = "webhook-secret-for-tests"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeBotApi:
    """`with FakeBotApi() as api:` a Bot API at `api.base_url`; `api.calls` per method."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.sent_to: list[int] = []
        self.messages: list[dict[str, Any]] = []
        """The parameters of every sendMessage (the bot's replies, for the test to read)."""
        self._lock = threading.Lock()
        self._message_ids = iter(range(1, 10**9))
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the Bot API's verb
                method = self.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                params: dict[str, Any] = {}
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(body or b"{}")
                elif b"Content-Disposition" not in body[:200]:
                    params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                with api._lock:
                    api.calls[method] += 1
                    message_id = next(api._message_ids)
                    if "chat_id" in params and method.startswith("send"):
                        api.sent_to.append(int(params["chat_id"]))
                    if method == "sendMessage":
                        api.messages.append(params)
                result: object = True
                if method == "getMe":
                    result = bot_user_dict()
                elif method.startswith("send"):
                    chat_id = int(params.get("chat_id") or 1)
                    result = {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private", "first_name": "X"},
                        "from": bot_user_dict(),
                        "text": "…",
                    }
                data = json.dumps({"ok": True, "result": result}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The `TELEGRAM_API_BASE_URL` for the bot."""
        return f"http://127.0.0.1:{self.port}/bot"

    def count(self, method: str) -> int:
        with self._lock:
            return self.calls[method]

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class BotProcess:
    """One replica: `playbook run` in webhook mode, `BOT_SETUP=0`, its own port."""

    def __init__(
        self,
        api: FakeBotApi,
        *,
        content: Path,
        data_dir: Path,
        log_file: Path,
        env: Mapping[str, str] | None = None,
        verbose: bool = False,
    ) -> None:
        self.port = free_port()
        self.log_file = log_file
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(data_dir),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "BOT_CONTENT_DIR": str(content),
            "BOT_DATA_DIR": str(data_dir),
            "BOT_WEBHOOK_URL": "https://bot.example.org/telegram",
            "BOT_WEBHOOK_SECRET": SECRET,
            "BOT_WEBHOOK_LISTEN": "127.0.0.1",
            "BOT_WEBHOOK_PORT": str(self.port),
            "BOT_SETUP": "0",
            "PTB_TIMEDELTA": "1",
            **(env or {}),
        }
        command = [sys.executable, "-m", "bot"]
        if verbose:
            command.append("-v")
        command.append("run")
        self._log = log_file.open("wb")
        self.process = subprocess.Popen(
            command, env=environment, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited: {self.log_file.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"the bot did not listen: {self.log_file.read_text()[-3000:]}")

    def post(self, update: Mapping[str, Any]) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/telegram",
            data=json.dumps(update).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._log.close()
        return code


def wait_for(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())
