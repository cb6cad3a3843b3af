"""The `playbook` command line (same as `python -m bot`).

Dutch for people, JSON for tools. Every command reads the content folder from `--content`,
else `BOT_CONTENT_DIR`, else `content/`. Without a subcommand: run on Telegram when
`TELEGRAM_BOT_TOKEN` is set, otherwise open the console chat on the same engine.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot import health, redaction
from bot.config import Settings, SettingsError, StartupError
from bot.console import chat, render
from bot.content.loader import check_content
from bot.content.problems import ContentError, Level
from bot.content.schema import content_schema, file_schema, write_schemas
from bot.counting import CountingEngine
from bot.engine import Answer, Engine
from bot.evaluation import evaluate, judge_all, load_questions, report, scorecard
from bot.replies import Reply
from bot.sharing import deep_link, write_qr
from bot.storage import Storage, StorageError
from bot.store import ContentStore, shipped_model
from bot.usage import Usage, UsageConfig

log = logging.getLogger("bot")


def _content_dir(args: argparse.Namespace, settings: Settings) -> Path:
    given: str | None = getattr(args, "dir", None) or getattr(args, "content", None)
    return Path(given) if given else settings.content_dir


def _engine(directory: Path) -> Engine:
    return Engine(ContentStore.open(directory, model=shipped_model()))


def answer_json(query: str, answer: Answer, engine: Engine) -> dict[str, Any]:
    """The JSON shape of `playbook ask --json` (also used by `--batch` and the eval)."""
    library = engine.store.current.library
    return {
        "query": query,
        "outcome": answer.outcome.value,
        "urgent": answer.urgent,
        "hits": [
            {
                "id": hit.item_id,
                "kind": library.kinds[hit.item_id].value,
                "title": library.items[hit.item_id].titel,
                "score": hit.score,
            }
            for hit in answer.hits
        ],
        "text": answer.reply.plain_text(),
        "first_screen": answer.reply.first_screen(),
        "buttons": [
            {"label": b.label, "data": b.data or b.url} for b in answer.reply.all_buttons()
        ],
        "elapsed_ms": answer.elapsed_ms,
        # Added with urgency v3: how urgent the message read, and in which language.
        "urgency": (
            {
                "level": reading.urgency.level.value,
                "probability": round(reading.urgency.probability, 3),
                "reason": reading.urgency.reason,
            }
            if (reading := answer.reading) is not None
            else None
        ),
        "language": answer.reading.language if answer.reading is not None else None,
    }


def cmd_check(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Validate content; print every problem; exit 1 on errors."""
    directory = _content_dir(args, settings)
    library, problems = check_content(directory)
    for problem in problems:
        print(problem, file=out)
    errors = sum(p.level is Level.ERROR for p in problems)
    warnings = len(problems) - errors
    if library is not None:
        print(
            f"OK: {len(library.items)} items, {errors} fouten, {warnings} waarschuwingen.",
            file=out,
        )
        return 0
    print(f"NIET OK: {errors} fouten, {warnings} waarschuwingen.", file=out)
    return 1


def cmd_schema(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the JSON Schema of the content (or one file's), or write one per file."""
    if args.write:
        for path in write_schemas(Path(args.write)):
            print(path, file=out)
        return 0
    schema = file_schema(args.file) if args.file else content_schema()
    print(json.dumps(schema, indent=2, ensure_ascii=False), file=out)
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """List every answerable item."""
    library = ContentStore.open(_content_dir(args, settings)).current.library
    rows = [
        {"id": item_id, "kind": library.kinds[item_id].value, "title": item.titel}
        for item_id, item in library.items.items()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1), file=out)
    else:
        for row in rows:
            print(f"{row['id']:<40} {row['kind']:<8} {row['title']}", file=out)
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Answer one question, or one per stdin line with --batch."""
    engine = _engine(_content_dir(args, settings))
    if args.batch:
        for line in sys.stdin:
            query = line.rstrip("\n")
            answer = engine.ask(query)
            out.write(json.dumps(answer_json(query, answer, engine), ensure_ascii=False) + "\n")
        return 0
    query = " ".join(args.text)
    answer = engine.ask(query)
    if args.json:
        print(
            json.dumps(answer_json(query, answer, engine), ensure_ascii=False, indent=1), file=out
        )
    else:
        print(render(answer.reply), file=out)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Show the reply for one item id (what a button or deep link shows)."""
    engine = _engine(_content_dir(args, settings))
    reply = engine.show(args.id)
    if reply is None:
        print(f"Onbekend id: {args.id}", file=sys.stderr)
        return 1
    if args.json:
        data = {
            "id": args.id,
            "text": reply.plain_text(),
            "first_screen": reply.first_screen(),
            "details": Reply(reply.details).plain_text(),
            "buttons": [{"label": b.label, "data": b.data or b.url} for b in reply.all_buttons()],
        }
        print(json.dumps(data, ensure_ascii=False, indent=1), file=out)
    else:
        print(render(reply), file=out)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Interactive console chat on the same engine."""
    return chat(_engine(_content_dir(args, settings)), sys.stdin, out)


def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Run a labelled question set and print the quality figures."""
    engine = _engine(_content_dir(args, settings))
    questions = load_questions(Path(args.file))
    result = evaluate(engine, questions)
    print(report(result, show_misses=not args.quiet), file=out)
    # Issue 7's table (urgency by kind, traps, languages, small talk) for the same set.
    print("\nscorecard:", file=out)
    for measure in scorecard(judge_all(engine, questions)):
        print(f"  {measure}", file=out)
    return 0 if (result.passes_targets or not args.strict) else 1


def cmd_run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Run on Telegram if a token is set, else the console chat."""
    if not settings.token:
        print("Geen TELEGRAM_BOT_TOKEN: de consolechat start.", file=sys.stderr)
        return cmd_chat(args, settings, out)
    # The adapter is imported only here, so the domain never loads python-telegram-bot.
    from bot_telegram.app import run
    from bot_telegram.operations import Operations

    store = ContentStore.open(_content_dir(args, settings), model=shipped_model())
    storage = Storage.open(settings.data_dir, settings.database_url)
    log.info("usage figures in %s", storage.where)
    usage = Usage(storage, usage_config(settings))
    operations = Operations(
        storage=storage, usage=usage, watch=True, health_file=health.status_path(settings.data_dir)
    )
    try:
        run(settings, CountingEngine(store, usage), operations)
    finally:
        storage.close()
    return 0


def usage_config(settings: Settings) -> UsageConfig:
    """What the usage figures keep, from the settings."""
    return UsageConfig(
        log_unanswered=settings.log_unanswered,
        retention_days=settings.retention_days,
        secret=(settings.stats_secret or "").encode(),
    )


def cmd_health(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Exit 0 when the running bot serves content (its status file, rewritten every 15 s)
    and the Bot API answers getMe; milliseconds, the content folder is not loaded.

    `playbook health` itself takes a shorter way (`bot.entry`) that imports none of this.
    """
    return health.run(settings, out)


def cmd_setup(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """One-off set-up at Telegram: webhook (or none), command menus, descriptions."""
    if not settings.token:
        print("Geen TELEGRAM_BOT_TOKEN: er is niets in te stellen.", file=sys.stderr)
        return 2
    from bot_telegram.app import set_up_once

    library = ContentStore.open(_content_dir(args, settings)).current.library
    for line in set_up_once(settings, library):
        print(line, file=out)
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """The statistics of a year: Dutch text, or JSON; optionally the PNG chart."""
    from bot import chart, statistics  # Pillow only for this command

    library = ContentStore.open(_content_dir(args, settings)).current.library
    today = datetime.now(UTC).date()
    year = args.jaar or today.year
    storage = Storage.open(settings.data_dir, settings.database_url)
    try:
        report = statistics.build(storage, library, year, today)
    finally:
        storage.close()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1), file=out)
    else:
        print(render(statistics.to_reply(report, library)), file=out)
    if args.png:
        Path(args.png).write_bytes(chart.render_png(report, library))
        print(args.png, file=out if not args.json else sys.stderr)
    return 0


def cmd_link(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Print the deep link for an item (or `pc-<postcode>`); optionally write its QR code."""
    engine = _engine(_content_dir(args, settings))
    if not args.payload.startswith("pc-") and engine.show(args.payload) is None:
        print(f"Onbekend id: {args.payload}", file=sys.stderr)
        return 1
    try:
        link = deep_link(args.bot, args.payload)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print(link, file=out)
    if args.qr:
        print(write_qr(link, Path(args.qr)), file=out)
    return 0


def cmd_poster(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Write the printable A4 poster (PDF) for the bot, an item or `pc-<postcode>`."""
    from bot.poster import PosterError, poster_pdf
    from bot.sharing import target_for_payload

    engine = _engine(_content_dir(args, settings))
    target = target_for_payload(engine, args.payload)
    if target is None:
        print(f"Onbekend id of postcode: {args.payload}", file=sys.stderr)
        return 1
    try:
        link = deep_link(args.bot, target.payload)
        pdf = poster_pdf(engine.store.current.library, link, target.title)
    except (ValueError, PosterError) as error:
        print(error, file=sys.stderr)
        return 1
    output = Path(args.output)
    output.write_bytes(pdf)
    print(f"{output} ({link})", file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="playbook", description=__doc__)
    parser.add_argument("--content", help="content folder (default: $BOT_CONTENT_DIR or content/)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command")

    check = sub.add_parser("check", help="validate the content and list every problem")
    check.add_argument("dir", nargs="?", help="content folder")
    check.set_defaults(handler=cmd_check)

    schema = sub.add_parser("schema", help="print the JSON Schema of the content")
    schema.add_argument("--file", help="only the schema of this file, e.g. partners.yaml")
    schema.add_argument("--write", metavar="DIR", help="write one <file>.schema.json per file")
    schema.set_defaults(handler=cmd_schema)

    listing = sub.add_parser("list", help="list every answerable item")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("text", nargs="*")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--batch", action="store_true", help="one question per stdin line, JSONL")
    ask.set_defaults(handler=cmd_ask)

    show = sub.add_parser("show", help="show the reply for one item id")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_show)

    chat = sub.add_parser("chat", help="interactive console chat")
    chat.set_defaults(handler=cmd_chat)

    evaluation = sub.add_parser("eval", help="measure matching on a labelled question set")
    evaluation.add_argument("file", nargs="?", default="eval/questions.yaml")
    evaluation.add_argument("--quiet", action="store_true", help="do not list the misses")
    evaluation.add_argument("--strict", action="store_true", help="exit 1 below the targets")
    evaluation.set_defaults(handler=cmd_eval)

    link = sub.add_parser("link", help="deep link (and QR code) that opens one item")
    link.add_argument("payload", help="an item id, or pc-<postcode>")
    link.add_argument("--bot", required=True, help="the bot's username, e.g. PlaybookBot")
    link.add_argument("--qr", metavar="FILE", help="also write a QR code (.png or .svg)")
    link.set_defaults(handler=cmd_link)

    poster = sub.add_parser("poster", help="printable A4 poster (PDF) with the QR code")
    poster.add_argument(
        "payload", nargs="?", help="an item id, or pc-<postcode>; none: the bot itself"
    )
    poster.add_argument("--bot", required=True, help="the bot's username, e.g. PlaybookBot")
    poster.add_argument("-o", "--output", default="poster.pdf", help="the PDF file to write")
    poster.set_defaults(handler=cmd_poster)

    _add_operations(sub)
    return parser


def _add_operations(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The subcommands that run and operate the bot."""
    run = sub.add_parser("run", help="run the bot (Telegram with a token, else console)")
    run.set_defaults(handler=cmd_run)

    healthy = sub.add_parser(
        "health", help="exit 0 when the running bot serves content and reaches Telegram"
    )
    healthy.set_defaults(handler=cmd_health)

    setup = sub.add_parser(
        "setup", help="set the webhook, command menus and descriptions once (see BOT_SETUP)"
    )
    setup.set_defaults(handler=cmd_setup)

    stats = sub.add_parser("stats", help="usage figures of a year (per month, item, users)")
    stats.add_argument("--jaar", type=int, help="the year (default: this year)")
    stats.add_argument("--json", action="store_true")
    stats.add_argument("--png", metavar="FILE", help="also write the chart of use per month")
    stats.set_defaults(handler=cmd_stats)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of `playbook` and `python -m bot`."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the token. At DEBUG,
    # python-telegram-bot logs the token and every update's text: never, even with -v.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)  # connection chatter, nothing more
    logging.getLogger("telegram").setLevel(logging.INFO)
    out = out or sys.stdout
    try:
        settings = Settings.from_env()
        # Whatever still mentions the token (a traceback, a DEBUG line) is redacted.
        redaction.install(settings.secrets)
        handler = getattr(args, "handler", cmd_run)
        return int(handler(args, settings, out))
    except StartupError as error:
        print(error, file=sys.stderr)
        return 2
    except ContentError as error:
        for problem in error.problems:
            if problem.level is Level.ERROR:
                print(problem, file=sys.stderr)
        print(
            "De inhoud heeft fouten; los ze op en probeer opnieuw (playbook check).",
            file=sys.stderr,
        )
        return 1
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except StorageError as error:
        print(f"Database error: {error}", file=sys.stderr)
        return 2
