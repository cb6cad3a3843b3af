"""Benchmark the Telegram side: free-text updates per second through the real Application.

The bot is built by its composition root (`bot_telegram.app.build_application`) with the
offline `RecordingRequest` of the tests as transport, so no network is involved: what is
measured is our processing cost per update (JSON → `Update.de_json` → handler → engine →
rendering → PTB's request building), on one CPU core. Questions are varied: item titles and
search terms of the content, places, urgent phrases, ambiguous and unanswerable questions.

Runs:
- rate limiter off (the point: our own cost), N updates (default 5,000);
- rate limiter on (the real `AIORateLimiter`), fewer updates: it *sleeps by design* to keep
  the bot under Telegram's ~30 messages/s, so its figure is Telegram's cap, not ours;
- a simulated Bot API round trip (`--latency`, default 50 ms per call), updates fed through
  the application's update queue as the updater does: once handled one at a time (what the
  bot did before concurrent updates: 1/round trip), once with `concurrent_updates` as
  `playbook run` builds it (`BOT_CONCURRENT_UPDATES`, default 128, in order per chat), with
  the usage figures on (`CountingEngine`, SQLite, the flusher thread). Target: ≥ 300
  updates/s on one core, against Telegram's own 30/s.

Reported: updates/s, messages/s, per-update mean, p50 and p99 in ms, the engine's share
(`Engine.ask` alone on the same questions), and the ratio against Telegram's cap (30 msg/s)
and against the target of 1,000 updates/s.

Run by hand (not in CI): `.venv/bin/python benchmarks/bench_updates.py [--content DIR]
[--updates N] [--limited-updates M] [--cpu K]`.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import telegram
from telegram import Update

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tests.telegram_fakes` importable
    sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.counting import CountingEngine  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.store import ContentStore, shipped_model  # noqa: E402
from bot.usage import Usage  # noqa: E402
from bot_telegram.app import build_application  # noqa: E402
from bot_telegram.operations import Operations  # noqa: E402
from tests.telegram_fakes import JSONDict, RecordingRequest, text_update  # noqa: E402

FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
TOKEN = "123:TEST"
SEED = 42
TELEGRAM_CAP_PER_S = 30.0
"""Telegram's broadcast limit: about 30 messages a second for one bot, over all chats."""
TARGET_PER_S = 1_000.0
"""Updates a second this bot should handle on one core."""
WARMUP = 200
LATENCY_TARGET_PER_S = 300.0
"""Updates a second with a 50 ms Bot API round trip, on one core (issue 11)."""

EXTRA_QUESTIONS = (
    "wat is het weer op mars",
    "hoe laat is het",
    "er is een mes",
    "het kind is bewusteloos, wat nu",
    "Gent",
    "3500",
    "ik woon in Hasselt",
    "signalen",
    "wie kan ik bellen",
    "?!",
    "😀",
    "kind vertelt iets over thuis",
    "mag ik de ouders aanspreken",
    "beroepsgeheim en melden",
)
PREFIXES = ("", "Hoe zit het met ", "Vraag: ", "ik twijfel over ", "wat als ")
SUFFIXES = ("", "?", " graag hulp", " bij een kind van 3 jaar", "!!")


@dataclass(frozen=True)
class Result:
    """One timed run."""

    label: str
    updates: int
    messages: int
    seconds: float
    per_update_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.per_update_ms)
        return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def questions(engine: Engine, count: int, seed: int = SEED) -> list[str]:
    """`count` varied questions from the content (titles, search terms) and fixed extras."""
    library = engine.store.current.library
    base = [item.titel for item in library.items.values()]
    base += [term for item in library.items.values() for term in item.zoektermen]
    base += EXTRA_QUESTIONS
    rng = random.Random(seed)
    return [
        f"{rng.choice(PREFIXES)}{rng.choice(base)}{rng.choice(SUFFIXES)}" for _ in range(count)
    ]


def payloads(texts: Sequence[str]) -> list[JSONDict]:
    """Private-chat text updates from many different users."""
    return [text_update(text, user_id=1_000 + i % 500) for i, text in enumerate(texts)]


async def run_updates(
    engine: Engine, content: Path, texts: Sequence[str], *, rate_limit: bool, label: str
) -> Result:
    """Feed text updates through the Application one by one, as the update queue would."""
    rec = RecordingRequest()
    settings = Settings(content_dir=content, token=TOKEN)
    app = build_application(
        settings, engine, request=rec, updates_request=RecordingRequest(), rate_limit=rate_limit
    )
    warmup, timed = payloads(texts[:WARMUP]), payloads(texts[WARMUP:])
    async with app:
        for payload in warmup:
            await app.process_update(Update.de_json(payload, app.bot))
        rec.clear()
        per_update: list[float] = []
        started = time.perf_counter()
        for payload in timed:
            t0 = time.perf_counter()
            # Parsing is part of the cost: the updater does it for every update it fetches.
            await app.process_update(Update.de_json(payload, app.bot))
            per_update.append((time.perf_counter() - t0) * 1000)
        seconds = time.perf_counter() - started
    sent = len(rec.calls_to("sendMessage"))
    if sent < len(timed):
        raise RuntimeError(f"{label}: only {sent} messages for {len(timed)} updates")
    return Result(label, len(timed), sent, seconds, per_update)


class SlowRequest(RecordingRequest):
    """The offline transport with a simulated network round trip per Bot API call."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency
        self.sent = 0
        self.target = 0
        self.done = asyncio.Event()

    async def do_request(  # noqa: PLR0917 - BaseRequest.do_request's signature
        self,
        url: str,
        method: str,
        request_data: Any = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        await asyncio.sleep(self.latency)
        answer = await super().do_request(url, method, request_data)
        if url.endswith("/sendMessage"):
            self.sent += 1
            if self.sent >= self.target:
                self.done.set()
        self.calls.clear()  # keep memory flat over thousands of calls
        return answer


async def run_queued(
    content: Path, texts: Sequence[str], *, latency: float, concurrency: int, label: str
) -> Result:
    """Updates through the update queue (as the updater feeds them), a slow Bot API, the
    usage figures on: what `playbook run` does, minus the network."""
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage.open(Path(folder))
        usage = Usage(storage)
        engine = CountingEngine(ContentStore.open(content, model=shipped_model()), usage)
        rec = SlowRequest(latency)
        settings = Settings(
            content_dir=content, token=TOKEN, max_concurrent_updates=concurrency, setup=False
        )
        app = build_application(
            settings,
            engine,
            request=rec,
            updates_request=RecordingRequest(),
            rate_limit=False,
            operations=Operations(storage=storage, usage=usage),
        )
        warmup, timed = payloads(texts[:WARMUP]), payloads(texts[WARMUP:])
        async with app:
            assert app.post_init is not None
            await app.post_init(app)
            await app.start()

            async def feed(batch: list[JSONDict]) -> float:
                rec.target = rec.sent + len(batch)
                rec.done.clear()
                started = time.perf_counter()
                for payload in batch:
                    await app.update_queue.put(Update.de_json(payload, app.bot))
                await rec.done.wait()
                return time.perf_counter() - started

            await feed(warmup)
            seconds = await feed(timed)
            await app.stop()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
        storage.close()
    mean_ms = seconds / len(timed) * 1000
    return Result(label, len(timed), len(timed), seconds, [mean_ms] * len(timed))


def run_engine(engine: Engine, texts: Sequence[str]) -> Result:
    """`Engine.ask` alone on the same questions: the domain's share of the cost."""
    for text in texts[:WARMUP]:
        engine.ask(text)
    per_question: list[float] = []
    started = time.perf_counter()
    for text in texts[WARMUP:]:
        t0 = time.perf_counter()
        engine.ask(text)
        per_question.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - started
    count = len(per_question)
    return Result("Engine.ask alone", count, count, seconds, per_question)


def pin_to_one_core(cpu: int | None) -> str:
    """Run on one CPU core (Linux); returns a description for the report."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = cpu if cpu is not None else allowed[-1]
    os.sched_setaffinity(0, {chosen})
    return f"pinned to CPU {chosen} (of {len(allowed)} available)"


def report(result: Result) -> None:
    mean = statistics.fmean(result.per_update_ms)
    print(f"\n{result.label}")
    print(f"  updates:            {result.updates:,} in {result.seconds:.2f} s")
    print(f"  updates/s:          {result.per_second:,.0f}")
    if result.label != "Engine.ask alone":
        print(f"  messages/s:         {result.messages_per_second:,.0f}")
    if len(set(result.per_update_ms)) == 1:
        # Updates in flight together: only wall time ÷ updates means something.
        print(f"  wall time / update: {mean:.3f} ms (many in flight at once)")
    else:
        print(f"  per update, mean:   {mean:.3f} ms")
        print(f"  per update, p50:    {result.percentile(0.50):.3f} ms")
        print(f"  per update, p99:    {result.percentile(0.99):.3f} ms")
    if result.label != "Engine.ask alone":
        print(
            f"  vs Telegram's cap:  {result.messages_per_second / TELEGRAM_CAP_PER_S:,.1f}× "
            f"({TELEGRAM_CAP_PER_S:.0f} messages/s)"
        )
        print(
            f"  vs target:          {result.per_second / TARGET_PER_S:,.2f}× "
            f"({TARGET_PER_S:,.0f} updates/s)"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--content", type=Path, default=FIXTURE_CONTENT, help="content folder")
    parser.add_argument("--updates", type=int, default=5_000, help="timed updates, limiter off")
    parser.add_argument(
        "--limited-updates", type=int, default=300, help="timed updates, limiter on (0: skip)"
    )
    parser.add_argument("--cpu", type=int, default=None, help="the CPU core to run on")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="simulated Bot API round trip (s)"
    )
    parser.add_argument(
        "--latency-updates", type=int, default=3_000, help="timed updates at that latency"
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=Settings().max_concurrent_updates,
        help="concurrent updates (BOT_CONCURRENT_UPDATES)",
    )
    args = parser.parse_args(argv)

    pinning = pin_to_one_core(args.cpu)
    started = time.perf_counter()
    engine = Engine(ContentStore.open(args.content, model=shipped_model()))
    load_ms = (time.perf_counter() - started) * 1000
    library = engine.store.current.library
    print("bench_updates: free-text updates through the real Application, offline transport")
    print(f"  python {platform.python_version()}, python-telegram-bot {telegram.__version__}")
    print(f"  {platform.machine()} {platform.system()}, {pinning}")
    print(f"  content: {args.content} ({len(library.items)} items, loaded in {load_ms:.0f} ms)")

    texts = questions(engine, WARMUP + args.updates)
    outcomes: dict[str, int] = {}
    for text in texts[WARMUP:]:
        answer = engine.ask(text)
        key = f"{answer.outcome.value}{' (urgent)' if answer.urgent else ''}"
        outcomes[key] = outcomes.get(key, 0) + 1
    print(f"  question mix: {dict(sorted(outcomes.items()))}")

    report(run_engine(engine, texts))
    report(
        asyncio.run(
            run_updates(engine, args.content, texts, rate_limit=False, label="rate limiter off")
        )
    )
    if args.limited_updates > 0:
        limited = texts[: WARMUP + args.limited_updates]
        result = asyncio.run(
            run_updates(
                engine,
                args.content,
                limited,
                rate_limit=True,
                label="rate limiter on (AIORateLimiter: sleeps to stay under ~30 msg/s)",
            )
        )
        report(result)
        print(
            "  note: this is Telegram's cap enforced on purpose, not our processing cost\n"
            "  (the warm-up has used the limiter's initial burst, so this is its steady rate)."
        )
    if args.latency_updates > 0:
        ms = args.latency * 1000
        sequential = asyncio.run(
            run_queued(
                args.content,
                texts[: WARMUP + min(args.latency_updates, 200)],
                latency=args.latency,
                concurrency=1,
                label=f"{ms:.0f} ms Bot API round trip, one update at a time",
            )
        )
        report(sequential)
        concurrent = asyncio.run(
            run_queued(
                args.content,
                texts[: WARMUP + args.latency_updates],
                latency=args.latency,
                concurrency=args.concurrency,
                label=f"{ms:.0f} ms Bot API round trip, {args.concurrency} concurrent updates "
                "(in order per chat), usage figures on",
            )
        )
        report(concurrent)
        met = concurrent.per_second >= LATENCY_TARGET_PER_S
        print(
            f"  [{'MET' if met else 'MISSED'}] ≥ {LATENCY_TARGET_PER_S:.0f} updates/s at "
            f"{ms:.0f} ms: {concurrent.per_second:,.0f}/s = "
            f"{concurrent.per_second / TELEGRAM_CAP_PER_S:,.1f}× Telegram's 30/s "
            f"(one at a time: {sequential.per_second:,.1f}/s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
