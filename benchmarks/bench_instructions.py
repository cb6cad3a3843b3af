"""Count the CPU instructions of answering questions: a speed comparison that noise cannot move.

The latency of `bench_matching.py` drifts by 30 % and more with other load on this shared
machine, so two versions of the code can only be compared by running them back to back, and
small differences drown. Instructions, counted by valgrind's callgrind, are the same for the
same code and input whatever else the machine does. This script counts them for the working
tree and, with `--base REV`, for a git revision checked out in a temporary worktree, side by
side (one core each), and prints instructions per question and the ratio.

Only the answering is counted: loading and training run first, outside the counted region.
The questions are answered inside `itertools.starmap`, and callgrind counts only within its C
function (`--toggle-collect=starmap_next`). Instructions are not time: a cache miss costs
cycles but no instructions, so a change that only saves memory traffic does not show here.

Run by hand (needs valgrind; about 4 minutes, most of it loading under valgrind):
`.venv/bin/python benchmarks/bench_instructions.py --base main~3 [--longest 30]`.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(args: argparse.Namespace) -> int:
    """Load the content, warm up, then answer the questions once inside `starmap`."""
    from bot.engine import Engine
    from bot.evaluation import load_questions
    from bot.store import ContentStore, shipped_model

    engine = Engine(ContentStore.open(args.content, model=shipped_model()))
    questions = [q.vraag for q in load_questions(args.questions)]
    if args.longest:
        questions = sorted(questions, key=len)[-args.longest :]
    for question in questions:
        engine.ask(question)
    # The counted region: callgrind collects only inside starmap's C function.
    for _ in itertools.starmap(engine.ask, ((q,) for q in questions)):
        pass
    print(len(questions))
    return 0


def tool(name: str) -> str:
    """The full path of a program this script needs, or exit saying it is missing."""
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} not found: this benchmark needs it (apt-get install {name})")
    return path


def start(tree: Path, out: Path, args: argparse.Namespace) -> subprocess.Popen[str]:
    """Run the worker under callgrind with the code of `tree`."""
    command = [
        tool("valgrind"),
        "--tool=callgrind",
        "--collect-atstart=no",
        "--toggle-collect=starmap_next",
        f"--callgrind-out-file={out}",
        sys.executable,
        str(ROOT / "benchmarks" / "bench_instructions.py"),
        "--worker",
        "--content",
        str(args.content),
        "--questions",
        str(args.questions),
        "--longest",
        str(args.longest),
    ]
    # The same hash seed for both: set orders, and so a few instructions, follow it.
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    return subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def counted(process: subprocess.Popen[str], out: Path) -> tuple[int, int]:
    """(instructions, questions) of a finished worker."""
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"worker failed:\n{stderr[-2000:]}")
    found = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    if found is None:
        raise SystemExit(f"no instruction total in {out}")
    return int(found.group(1)), int(stdout.split()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options; run as a worker or count both trees and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="git revision to compare with (default: none)")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.yaml")
    parser.add_argument("--longest", type=int, default=0, help="only the N longest questions")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    with tempfile.TemporaryDirectory() as temp:
        trees = {"working tree": ROOT}
        if args.base:
            base = Path(temp) / "base"
            subprocess.run(
                [
                    tool("git"),
                    "-C",
                    str(ROOT),
                    "worktree",
                    "add",
                    "--detach",
                    str(base),
                    args.base,
                ],
                check=True,
                capture_output=True,
            )
            trees[f"base {args.base}"] = base
        try:
            runs = {
                name: (start(tree, Path(temp) / f"{n}.out", args), Path(temp) / f"{n}.out")
                for n, (name, tree) in enumerate(trees.items())
            }
            totals = {name: counted(process, out) for name, (process, out) in runs.items()}
        finally:
            if args.base:
                subprocess.run(
                    [tool("git"), "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                    check=False,
                    capture_output=True,
                )
    which = f"the {args.longest} longest" if args.longest else "all"
    print(f"instructions per question ({which} of {args.questions.name}, answered once):")
    for name, (instructions, questions) in totals.items():
        print(f"  {name:<24} {instructions / questions:>12,.0f}")
    if args.base:
        (mine, n), (theirs, m) = totals["working tree"], totals[f"base {args.base}"]
        print(f"  base/working tree: {(theirs / m) / (mine / n):.3f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
