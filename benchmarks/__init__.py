"""Benchmarks, run as ``python -m benchmarks NAME``; not part of the timed test suite.

Each benchmark is a module ``benchmarks/<name>.py`` exposing ``add_arguments(parser)`` and
``run(args) -> list[dict]``; every row has the keys figure, value, unit, command, ratio and
goal (the target the figure is judged against, printed beside it; the test suite asserts none).
"""

from __future__ import annotations

ROW_KEYS = ("figure", "value", "unit", "ratio", "goal", "command")


def row(figure: str, value: float, unit: str, command: str, ratio: float | None = None,
        goal: str | None = None) -> dict:
    """One result row; ``goal`` is the target, e.g. ``"< 5 s"``, shown beside the value."""
    return {"figure": figure, "value": value, "unit": unit, "command": command, "ratio": ratio, "goal": goal}


def format_table(rows: list[dict]) -> str:
    """Plain-text table of result rows."""
    cells = [[str(r.get("figure", "")),
              f"{r['value']:.4g}" if isinstance(r.get("value"), float) else str(r.get("value", "")),
              str(r.get("unit", "")),
              "" if r.get("ratio") is None else f"{r['ratio']:.1f}x",
              r.get("goal") or "",
              str(r.get("command", ""))] for r in rows]
    head = ["figure", "value", "unit", "ratio", "goal", "command"]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells]
    return "\n".join(lines)


def format_markdown(rows: list[dict]) -> str:
    """The rows as a Markdown table (for the README)."""
    lines = ["| figure | value | unit | ratio vs naive (same run) | goal | command |", "|---|---|---|---|---|---|"]
    for r in rows:
        value = f"{r['value']:.4g}" if isinstance(r.get("value"), float) else str(r.get("value", ""))
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.1f}×"
        lines.append(f"| {r['figure']} | {value} | {r.get('unit', '')} | {ratio} | {r.get('goal') or ''} "
                     f"| `{r.get('command', '')}` |")
    return "\n".join(lines)
