"""How message splitting (`bot_telegram.render.to_messages`) scales with the reply's length.

Asserts nothing: prints the best of R runs for replies of 0.5, 1, 2 and 4 MB in three shapes
(one long paragraph, one word without spaces, many short bullet lines) and the time ratio
between each size and the one before. Linear splitting shows ratios near 2; the slicing it
replaced showed ratios near 3-4 for the single-line shapes.

    .venv/bin/python benchmarks/bench_render.py [--repeat R]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from bot.replies import Block, Reply, Style
from bot_telegram.render import to_messages

SIZES = (500_000, 1_000_000, 2_000_000, 4_000_000)
WORDS = ("woord", "kind", "ouders", "&", "<b>", "signalen", "x" * 30)


def _paragraph(size: int) -> Reply:
    rng = random.Random(size)
    text = " ".join(rng.choice(WORDS) for _ in range(size // 5))[:size]
    return Reply((Block(Style.TEXT, (text,)),))


def _no_spaces(size: int) -> Reply:
    return Reply((Block(Style.TITLE, ("a&b" * (size // 3),)),))


def _bullets(size: int) -> Reply:
    line = "signalen noteren en bespreken met een collega "
    return Reply((Block(Style.BULLETS, (line,) * (size // len(line))),))


SHAPES: dict[str, Callable[[int], Reply]] = {
    "paragraph": _paragraph,
    "no spaces": _no_spaces,
    "bullets": _bullets,
}


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'shape':<10} {'size':>9} {'messages':>9} {'best ms':>9} {'× previous':>11}")
    for name, make in SHAPES.items():
        previous: float | None = None
        for size in SIZES:
            reply = make(size)
            best = float("inf")
            count = 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                count = len(to_messages(reply))
                best = min(best, time.perf_counter() - started)
            ratio = f"{best / previous:.2f}" if previous else "-"
            print(f"{name:<10} {size:>9} {count:>9} {best * 1000:>9.1f} {ratio:>11}")
            previous = best


if __name__ == "__main__":
    main()
