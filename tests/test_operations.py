"""Admins, statistics, feedback, unanswered questions, set-up and concurrency, offline.

The bot is built as `playbook run` builds it (`CountingEngine`, `Usage` on a `Storage`,
`Operations`), with the offline `RecordingRequest`; the storage is SQLite here (the storage
itself runs on both backends in tests/test_usage.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from telegram import Update

from bot import actions, health
from bot.config import Settings
from bot.content.limits import MAX_BUTTONS, MAX_FIRST_SCREEN_CHARS
from bot.content.model import DecisionOutcome
from bot.counting import CountingEngine, admin_texts
from bot.engine import Engine
from bot.replies import capped
from bot.storage import Storage
from bot.store import ContentStore, shipped_model
from bot.usage import Kind, Usage, UsageConfig
from bot_telegram.app import App, build_application
from bot_telegram.concurrency import ChatOrderedProcessor
from bot_telegram.operations import ADMIN_COMMANDS, Operations
from tests.conftest import FIXTURE_CONTENT, SHIPPED_CONTENT
from tests.telegram_fakes import (
    BOT_USERNAME,
    USER_ID,
    JSONDict,
    RecordingRequest,
    button_update,
    chosen_inline_result_update,
    command_update,
    text_update,
)
from tests.test_telegram_handlers import TOKEN, buttons, callback_data, check_sent_messages

ADMIN = 9001
YEAR_NOW = time.gmtime().tm_year
HELP = "Tekst hulp\n<blockquote expandable>Tekst hulp commandos</blockquote>"
"""The fixture's help as sent: the commands in its expandable details (issue 9)."""


class Bot:
    """One running bot with its storage, and the recorded Bot API calls."""

    def __init__(self, app: App, rec: RecordingRequest, engine: CountingEngine, storage: Storage):
        self.app = app
        self.rec = rec
        self.engine = engine
        self.storage = storage

    async def feed(self, payload: JSONDict) -> list[JSONDict]:
        """Process one update; the sendMessage calls it caused."""
        self.rec.clear()
        update = Update.de_json(payload, self.app.bot)
        assert update is not None
        await self.app.process_update(update)
        return self.rec.calls_to("sendMessage")

    def texts(self) -> list[str]:
        return [str(p["text"]) for p in self.rec.calls_to("sendMessage")]


@asynccontextmanager
async def running(
    tmp_path: Path,
    *,
    log_unanswered: bool = False,
    content: Path = FIXTURE_CONTENT,
    setup: bool = True,
) -> AsyncIterator[Bot]:
    storage = Storage.open(tmp_path / "data")
    usage = Usage(storage, UsageConfig(log_unanswered=log_unanswered, retention_days=30))
    engine = CountingEngine(ContentStore.open(content), usage)
    settings = Settings(
        content_dir=content,
        token=TOKEN,
        admin_ids=frozenset({ADMIN}),
        data_dir=tmp_path / "data",
        log_unanswered=log_unanswered,
        setup=setup,
    )
    ops = Operations(storage=storage, usage=usage)
    rec = RecordingRequest()
    app = build_application(
        settings,
        engine,
        request=rec,
        updates_request=RecordingRequest(),
        rate_limit=False,
        operations=ops,
    )
    async with app:
        assert app.post_init is not None
        await app.post_init(app)  # starts the flusher, as run_polling/run_webhook do
        rec.clear()
        try:
            yield Bot(app, rec, engine, storage)
            check_sent_messages(rec)
        finally:
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
    storage.close()


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_every_admin_command_gives_a_non_admin_the_ordinary_help(
    tmp_path: Path, command: str
) -> None:
    async with running(tmp_path, log_unanswered=True) as bot:
        before = bot.engine.store.current
        sent = await bot.feed(command_update(f"/{command} 2026", user_id=USER_ID))
        assert [p["text"] for p in sent] == [HELP]
        assert bot.rec.methods == ["sendMessage"]  # no photo, nothing else
        assert bot.engine.store.current is before


async def test_an_admin_sees_the_statistics_and_the_chart(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        for user in (1, 2, 3):
            await bot.feed(button_update("i:e-learning", user_id=user))
        await bot.feed(button_update("i:e-learning", user_id=2))  # again: not a new user
        await bot.feed(text_update("twijfel", user_id=4))
        sent = await bot.feed(command_update("/statistieken", user_id=ADMIN))
        text = "\n".join(str(p["text"]) for p in sent)
        assert f"Tekst statistieken titel jaar={YEAR_NOW}" in text
        assert "Tekst statistieken uniek aantal=4" in text  # an admin reading is not a use
        assert "titel=E learning aantal=4 uniek=3" in text
        [photo] = bot.rec.calls_to("sendPhoto")
        assert photo["chat_id"] == ADMIN


async def test_an_answer_asks_was_dit_nuttig_and_counts_the_vote(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        [answer] = await bot.feed(text_update("Ik twijfel, wat moet ik doen?"))
        assert str(answer["text"]).endswith("<i>Tekst nuttig vraag</i>")
        assert callback_data(answer)[:2] == ["f:1:twijfel", "f:0:twijfel"]
        assert [b["text"] for b in buttons(answer)][:2] == ["nuttig_ja", "nuttig_nee"]
        press = button_update(
            "f:1:twijfel",
            reply_markup={"inline_keyboard": answer["reply_markup"]["inline_keyboard"]},
        )
        assert await bot.feed(press) == []  # no new message: a notification
        [answered] = bot.rec.calls_to("answerCallbackQuery")
        assert answered["text"] == "Tekst nuttig bedankt"
        [edited] = bot.rec.calls_to("editMessageReplyMarkup")
        # The vote buttons are gone; the rest stays (Delen has no callback data but a query).
        assert all(
            not b.get("callback_data", "").startswith("f:")
            for row in edited["reply_markup"]["inline_keyboard"]
            for b in row
        )
        await bot.feed(button_update("f:0:twijfel"))
        await bot.feed(button_update("f:1:bestaat-niet"))  # a forged item: not counted
        bot.engine.usage.flush()
        votes = {
            (r.subject, r.detail): r.n
            for r in bot.storage.counts("2000-01-01", "2999-12-31")
            if r.kind == Kind.FEEDBACK
        }
        assert votes == {("twijfel", "ja"): 1, ("twijfel", "nee"): 1}


async def test_privacy_says_what_is_stored_on_this_server(tmp_path: Path) -> None:
    async with running(tmp_path / "off") as bot:
        [off] = await bot.feed(command_update("/privacy"))
    async with running(tmp_path / "on", log_unanswered=True) as bot:
        [on] = await bot.feed(command_update("/privacy"))
    assert "Tekst privacy opslag" in off["text"]
    assert "Tekst privacy onbeantwoord uit" in off["text"]
    assert "Tekst privacy onbeantwoord aan dagen=30" in on["text"]
    # Before the sources of the privacy item.
    assert on["text"].index("Tekst privacy opslag") < on["text"].index("Tekst bronnen")


async def test_unanswered_and_none_of_these_are_logged_redacted_and_grouped(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, log_unanswered=True) as bot:
        await bot.feed(text_update("Waar woont Joske Vermeulen, 0470 12 34 56?"))
        await bot.feed(text_update("waar woont Joske Vermeulen eigenlijk"))
        [clarify] = await bot.feed(text_update("signalen"))
        none = [d for d in callback_data(clarify) if d.startswith("n")]
        assert len(none) == 1
        assert none[0].startswith("n*:")  # in place, with the token of the held question
        await bot.feed(button_update(none[0]))
        sent = await bot.feed(command_update("/onbeantwoord", user_id=ADMIN))
        [report] = [str(p["text"]) for p in sent]
        assert "aantal=3 groepen=2" in report
        assert "Tekst onbeantwoord groep aantal=2 voorbeeld=waar woont [naam] [naam]" in report
        assert "aantal=1 voorbeeld=signalen" in report
        assert "Joske" not in report
        assert "0470" not in report


async def test_onbeantwoord_says_when_logging_is_off(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        await bot.feed(text_update("waar woont Joske"))
        [report] = await bot.feed(command_update("/onbeantwoord", user_id=ADMIN))
        assert report["text"] == "Tekst onbeantwoord uit"
        bot.engine.usage.flush()
        assert bot.storage.table_rows("unanswered") == 0


async def test_admin_commands_are_in_the_admins_menu_only(tmp_path: Path) -> None:
    rec = RecordingRequest()
    storage = Storage.open(tmp_path / "d2")
    settings = Settings(
        content_dir=FIXTURE_CONTENT, token=TOKEN, admin_ids=frozenset({ADMIN, ADMIN + 1})
    )
    engine = CountingEngine(ContentStore.open(FIXTURE_CONTENT), Usage(storage))
    app = build_application(
        settings, engine, request=rec, updates_request=RecordingRequest(), rate_limit=False
    )
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
    everyone, *admins = rec.calls_to("setMyCommands")
    assert "scope" not in everyone or everyone["scope"] == {"type": "default"}
    everyone_names = {c["command"] for c in everyone["commands"]}
    assert not everyone_names & set(ADMIN_COMMANDS)
    assert sorted(a["scope"]["chat_id"] for a in admins) == [ADMIN, ADMIN + 1]
    for call in admins:
        assert call["scope"]["type"] == "chat"
        assert set(ADMIN_COMMANDS) <= {c["command"] for c in call["commands"]}
    storage.close()


async def test_bot_setup_0_skips_the_set_up_at_start(tmp_path: Path) -> None:
    rec_calls: list[str] = []
    async with running(tmp_path, setup=False) as bot:
        rec_calls = list(bot.rec.methods)
        assert bot.app.post_init is not None
        bot.rec.clear()
        await bot.app.post_init(bot.app)
        rec_calls += bot.rec.methods
    assert "setMyCommands" not in rec_calls
    assert "setWebhook" not in rec_calls


async def test_one_chats_updates_stay_in_order_while_chats_run_concurrently() -> None:
    processor = ChatOrderedProcessor(8)
    log: list[str] = []
    in_flight = 0
    most = 0

    async def handle(name: str, delay: float) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        log.append(f"start {name}")
        await asyncio.sleep(delay)
        log.append(f"end {name}")
        in_flight -= 1

    def update(chat: int) -> Update:
        payload = text_update("x", user_id=chat)
        parsed = Update.de_json(payload, None)
        assert parsed is not None
        return parsed

    await asyncio.gather(
        processor.process_update(update(1), handle("a1", 0.05)),
        processor.process_update(update(1), handle("a2", 0.0)),
        processor.process_update(update(2), handle("b1", 0.01)),
    )
    assert log.index("end a1") < log.index("start a2")  # chat 1 in order
    assert log.index("start b1") < log.index("end a1")  # chat 2 did not wait for chat 1
    assert most == 2
    assert processor.chats_in_flight == 0


def test_health_reads_the_status_in_milliseconds(tmp_path: Path) -> None:
    path = health.status_path(tmp_path)
    assert health.check(path)[0] is False
    now = time.time()
    health.write(path, health.Status(now, 1, 45, now, 0, now - 3, None))
    started = time.perf_counter()
    healthy, reason = health.check(path, now)
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert (healthy, reason) == (True, "serving 45 items")
    assert elapsed_ms < 50
    # A refused reload leaves the bot healthy: it serves the last good content.
    health.write(path, health.Status(now, 1, 45, now, 3, now, None))
    assert health.check(path, now) == (
        True,
        "serving 45 items; last reload refused: 3 error(s)",
    )
    health.write(path, health.Status(now, 1, 0, now, 0, now, None))
    assert health.check(path, now) == (False, "no content in service")
    assert health.check(path, now + 90)[1].startswith("no heartbeat for 90 s")


async def test_the_heartbeat_writes_the_status_file(tmp_path: Path) -> None:
    storage = Storage.open(tmp_path / "data")
    usage = Usage(storage)
    engine = CountingEngine(ContentStore.open(FIXTURE_CONTENT), usage)
    path = health.status_path(tmp_path / "data")
    ops = Operations(storage=storage, usage=usage, health_file=path)
    settings = Settings(content_dir=FIXTURE_CONTENT, token=TOKEN, setup=False)
    app = build_application(
        settings,
        engine,
        request=RecordingRequest(),
        updates_request=RecordingRequest(),
        rate_limit=False,
        operations=ops,
    )
    async with app:
        assert app.post_init is not None
        assert app.post_shutdown is not None
        await app.post_init(app)
        for _ in range(100):
            if path.exists():
                break
            await asyncio.sleep(0.02)
        await app.post_shutdown(app)
    healthy, reason = health.check(path)
    assert healthy, reason
    assert reason.startswith("serving 46 items")
    storage.close()


def test_feedback_payloads_fit_and_round_trip() -> None:
    long_id = "a" * 40
    payload = actions.feedback(long_id, useful=False)
    assert len(payload.encode()) <= actions.MAX_PAYLOAD_BYTES
    action = actions.decode(payload)
    assert action is not None
    assert actions.feedback_of(action) == (long_id, False)
    assert actions.decode("f:1:Not-An-Id") is None
    assert actions.decode("n:short") is None
    assert actions.decode(actions.none_of_these("abcdefghijkl")) is not None


async def test_the_privacy_item_says_what_is_stored_however_it_is_opened(tmp_path: Path) -> None:
    async with running(tmp_path, log_unanswered=True) as bot:
        [button] = await bot.feed(button_update("i:privacy"))
        [link] = await bot.feed(command_update("/start privacy"))
        [question] = await bot.feed(text_update("privacy"))
        [other] = await bot.feed(button_update("i:twijfel"))
    for params in (button, link, question):
        assert "Tekst privacy onbeantwoord aan dagen=30" in params["text"]
    assert "Tekst privacy opslag" not in other["text"]


async def test_an_edited_admin_command_is_not_run_again(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        update = command_update("/statistieken", user_id=ADMIN)
        message = update.pop("message")
        update["edited_message"] = {**message, "edit_date": message["date"]}
        assert await bot.feed(update) == []
        assert bot.rec.methods == []


# -- after the merge with issues 8, 9 and 10 -------------------------------------------------


async def test_a_non_admin_in_a_group_gets_what_an_unknown_command_gets(tmp_path: Path) -> None:
    """Plain `/statistieken` in a group: silence, as for any command not addressed to the bot;
    `/statistieken@bot`: the ordinary help, never "bedoelde je…"."""
    async with running(tmp_path) as bot:
        for command in ADMIN_COMMANDS:
            assert await bot.feed(command_update(f"/{command}", chat_type="supergroup")) == []
            assert bot.rec.methods == []
            addressed = command_update(
                f"/{command}", chat_type="supergroup", bot_username=BOT_USERNAME
            )
            assert [p["text"] for p in await bot.feed(addressed)] == [HELP]


async def test_admin_replies_land_in_the_topic_and_count_as_delivered(tmp_path: Path) -> None:
    """The report and the chart go through `Handlers` (issue 8's delivery tracking, issue 9's
    forum topics): into the topic asked from, and no apology after them."""
    async with running(tmp_path) as bot:
        await bot.feed(button_update("i:e-learning", user_id=1))
        update = command_update("/statistieken", user_id=ADMIN, chat_type="supergroup")
        update["message"].update(message_thread_id=77, is_topic_message=True)
        sent = await bot.feed(update)
        [photo] = bot.rec.calls_to("sendPhoto")
        assert [p["message_thread_id"] for p in sent] == [77] * len(sent)
        assert photo["message_thread_id"] == 77
        handlers = getattr(next(iter(bot.app.error_handlers)), "__self__")  # noqa: B009
        assert update["update_id"] in handlers._answered


async def test_feedback_keeps_six_buttons_and_the_first_screen_on_the_shipped_content(
    tmp_path: Path,
) -> None:
    """👍/👎 take the first row; the answer keeps its menu row and its most needed related
    items, never more than six buttons in all, and "Was dit nuttig?" only where the first
    screen still fits. Navigation is never given up: the step plan keeps its six steps."""
    storage = Storage.open(tmp_path / "data")
    usage = Usage(storage, UsageConfig(log_unanswered=False, retention_days=30))
    engine = CountingEngine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()), usage)
    plain = Engine(ContentStore.open(SHIPPED_CONTENT, model=shipped_model()))
    texts = admin_texts(engine.store.current)
    voted, without = set(), set()
    try:
        for item in engine.store.current.library.items.values():
            for question in item.zoektermen[:2]:
                answer = engine.ask(question)
                if answer.outcome.value != "answer" or answer.urgent:
                    continue
                reply, before = answer.reply, plain.ask(question).reply
                assert len(reply.all_buttons()) <= MAX_BUTTONS, question
                assert len(reply.first_screen()) <= MAX_FIRST_SCREEN_CHARS, question
                if answer.hits[0].item_id != "privacy":  # which gets what this server stores
                    assert reply.details == before.details
                if reply.buttons == before.buttons:
                    without.add(answer.hits[0].item_id)
                    assert len(before.all_buttons()) > MAX_BUTTONS - 2, question
                    continue
                voted.add(answer.hits[0].item_id)
                assert [b.label for b in reply.buttons[0]] == [
                    texts.knop_nuttig_ja,
                    texts.knop_nuttig_nee,
                ]
                assert reply.buttons[1:] == capped(before.buttons, MAX_BUTTONS - 2), question
                if len(before.all_buttons()) > MAX_BUTTONS - 2:
                    assert reply.buttons[-1] == before.buttons[-1], question  # the menu stays
    finally:
        storage.close()
    assert len(voted) > 40
    assert without == {"stappenplan"}


async def test_decision_aid_outcomes_are_counted(tmp_path: Path) -> None:
    """Issue 11: each outcome of the decision aid reached is counted by its id; its questions,
    its start and a button the tree no longer has are not outcomes."""
    async with running(tmp_path) as bot:
        tree = bot.engine.store.current.replies.decision_tree
        assert tree is not None
        places = list(tree.paths())
        outcomes = [p for p in places if isinstance(p.node, DecisionOutcome)]
        questions = [p for p in places if not isinstance(p.node, DecisionOutcome)]
        assert outcomes
        assert questions
        await bot.feed(button_update(actions.decision()))
        for place in questions:
            await bot.feed(button_update(actions.decision(place.node.id, place.path)))
        for place in outcomes:
            await bot.feed(button_update(actions.decision(place.node.id, place.path)))
        await bot.feed(button_update(actions.decision(outcomes[0].node.id, (3, 3))))  # outdated
        bot.engine.usage.flush()
        counted = {
            r.detail: r.n
            for r in bot.storage.counts("2000-01-01", "2999-12-31")
            if r.kind == Kind.DECISION
        }
    expected: dict[str, int] = {}
    for place in outcomes:
        expected[place.node.id] = expected.get(place.node.id, 0) + 1
    assert counted == expected


async def test_an_inline_result_posted_counts_as_inline_use_of_its_item(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        assert await bot.feed(chosen_inline_result_update("twijfel")) == []
        await bot.feed(chosen_inline_result_update("twijfel", user_id=USER_ID + 1))
        await bot.feed(chosen_inline_result_update("bestaat-niet"))  # forged: not counted
        bot.engine.usage.flush()
        inline = {
            r.subject: r.n
            for r in bot.storage.counts("2000-01-01", "2999-12-31")
            if r.kind == Kind.INLINE
        }
        assert inline == {"twijfel": 2}
