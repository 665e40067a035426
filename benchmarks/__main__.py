"""``python -m benchmarks NAME [options]``: one sub-command per module in this package."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

from benchmarks import format_markdown, format_table


def discover() -> dict[str, object]:
    """Benchmark modules: those in this folder with ``add_arguments`` and ``run``."""
    found = {}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"benchmarks.{info.name}")
        if hasattr(mod, "add_arguments") and hasattr(mod, "run"):
            found[info.name] = mod
    return found


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run one benchmark, print its table (and JSON with ``--json``)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True)
    for name, mod in discover().items():
        p = sub.add_parser(name, help=(mod.__doc__ or "").strip().splitlines()[0] if mod.__doc__ else None)
        p.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
        p.add_argument("--markdown", type=Path, default=None, help="also write the rows as a Markdown table")
        mod.add_arguments(p)
        p.set_defaults(_module=mod)
    args = parser.parse_args(argv)
    rows = args._module.run(args)
    print(format_table(rows))
    if args.markdown:
        args.markdown.write_text(format_markdown(rows) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
