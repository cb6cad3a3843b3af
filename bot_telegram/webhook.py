"""The webhook server of a replica started with `BOT_SETUP=0`: updates in, no set-up.

python-telegram-bot's `run_webhook` always calls setWebhook at start. With N replicas
behind one address, the webhook is set once (`playbook setup`) and each replica only
serves: this is a small tornado server (python-telegram-bot's own webhook dependency) that
checks Telegram's secret header and puts each update on the application's queue, as
`run_webhook` does. SIGTERM and SIGINT stop it cleanly (the usage figures are flushed).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.config import Settings

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_BODY_BYTES = 10 * 1024 * 1024


class _Updates(tornado.web.RequestHandler):
    """POST an update: 200 when queued, 403 without the secret, 400 when not an update."""

    def initialize(self, app: App, secret: str) -> None:  # tornado's hook, not __init__
        self._app = app
        self._secret = secret

    async def post(self, *_: str) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self._app.bot)
        except (ValueError, TypeError, KeyError):
            # Never log the body: it holds what a user typed.
            log.warning("webhook: a request that is not a Telegram update")
            self.set_status(400)
            return
        if update is not None:
            await self._app.update_queue.put(update)
        self.set_status(200)


async def serve(app: App, settings: Settings) -> None:
    """Serve updates until SIGTERM/SIGINT, with the application's start and stop hooks."""
    assert settings.webhook_secret is not None
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stopping.set)
    web = tornado.web.Application(
        [(r"/(.*)", _Updates, {"app": app, "secret": settings.webhook_secret})]
    )
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        server = HTTPServer(web, max_body_size=MAX_BODY_BYTES)
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        log.info("webhook on port %d (BOT_SETUP=0: no setWebhook)", settings.webhook_port)
        await stopping.wait()
        server.stop()
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def run(app: App, settings: Settings) -> None:
    """`serve` in a new event loop (what `playbook run` calls)."""
    asyncio.run(serve(app, settings))
