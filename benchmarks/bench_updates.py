"""Benchmark the Telegram side: free-text updates per second through the real Application.

The bot is built by its composition root (`bot_telegram.app.build_application`) with the
offline `RecordingRequest` of the tests as transport, so no network is involved: what is
measured is our processing cost per update (JSON → `Update.de_json` → handler → engine →
rendering → PTB's request building), on one CPU core. Questions are varied: item titles and
search terms of the content, places, urgent phrases, ambiguous and unanswerable questions.

Two runs:
- rate limiter off (the point: our own cost), N updates (default 5,000);
- rate limiter on (the real `AIORateLimiter`), fewer updates: it *sleeps by design* to keep
  the bot under Telegram's ~30 messages/s, so its figure is Telegram's cap, not ours.

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
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import telegram
from telegram import Update

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tests.telegram_fakes` importable
    sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.store import ContentStore, shipped_model  # noqa: E402
from bot_telegram.app import build_application  # noqa: E402
from tests.telegram_fakes import JSONDict, RecordingRequest, text_update  # noqa: E402

FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
TOKEN = "123:TEST"
SEED = 42
TELEGRAM_CAP_PER_S = 30.0
"""Telegram's broadcast limit: about 30 messages a second for one bot, over all chats."""
TARGET_PER_S = 1_000.0
"""Updates a second this bot should handle on one core."""
WARMUP = 200

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
