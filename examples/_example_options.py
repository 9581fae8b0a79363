"""Command-line options shared by the examples: fast mode, the output folder, and where user
data is looked for.

    --fast          or FERROGRAD_EXAMPLE_FAST=1: a few seconds on small data (used by the tests)
    --out FOLDER    or FERROGRAD_EXAMPLE_OUT=FOLDER: where plots, saved models and files go
                    (default: the `output` folder beside the examples, which git ignores)
    --data FOLDER   where optional real datasets are read from (default: `data` under the
                    current folder, as in the tutorials' `./data/...` paths)
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

FAST_ENV = "FERROGRAD_EXAMPLE_FAST"
OUT_ENV = "FERROGRAD_EXAMPLE_OUT"
DEFAULT_OUT = Path(__file__).resolve().parent / "output"


def _env_flag(name: str) -> bool:
    """An environment switch: set and not one of '', '0', 'false', 'no'."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def parse_options(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """The parsed options, with `fast` (bool), `out` (an existing folder) and `data` (a Path).

    Also chooses matplotlib's file-only backend unless the user picked one (MPLBACKEND): an
    example saves its figures and must not stop on a window waiting to be closed.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--fast", action="store_true", help=f"small data, few epochs (also {FAST_ENV}=1)"
    )
    parser.add_argument("--out", type=Path, help=f"output folder (also {OUT_ENV})")
    parser.add_argument("--data", type=Path, default=Path("data"), help="real datasets' folder")
    args = parser.parse_args(argv)
    args.fast = args.fast or _env_flag(FAST_ENV)
    args.out = Path(args.out or os.environ.get(OUT_ENV) or DEFAULT_OUT)
    args.out.mkdir(parents=True, exist_ok=True)
    if "MPLBACKEND" not in os.environ:
        import matplotlib

        matplotlib.use("Agg")
    return args
