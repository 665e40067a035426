"""Benchmarks, run as ``python -m benchmarks NAME``; not part of the timed test suite.

Each benchmark is a module ``benchmarks/<name>.py`` exposing ``add_arguments(parser)`` and
``run(args) -> list[dict]``; every row has the keys figure, value, unit, command, ratio and
goal (the target the figure is judged against, printed beside it; the test suite asserts none).
`in_fresh_process` runs a measurement in a new process, so the peak memory it reports is that
measurement's own and not whatever the calling process reached before.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import resource
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection

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


def peak_memory_mb() -> float:
    """Peak resident memory of this process in MB: ``VmHWM`` of ``/proc/self/status``.

    Not ``getrusage(...).ru_maxrss``: Linux carries the peak of the process a new one was
    started from (fork, then exec) into the new one's ``ru_maxrss``, so a process started
    from a 1.4 GB parent reports at least 1.4 GB however little it uses. ``VmHWM`` belongs to
    the current address space, which exec replaces. Falls back to ``ru_maxrss`` without /proc.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(conn: Connection, target: Callable[..., object], args: tuple) -> None:
    try:
        result = target(*args)
    except BaseException:  # noqa: BLE001 - handed to the parent, which raises it
        conn.send(("error", traceback.format_exc()))
        return
    conn.send(("ok", (result, peak_memory_mb())))


def in_fresh_process(target: Callable[..., object], *args: object,
                     timeout: float | None = None) -> tuple[object, float] | None:
    """Run ``target(*args)`` in a new process (spawned: nothing of this one is inherited).

    Parameters
    ----------
    target : callable
        A module-level function (it is pickled by reference); its result must pickle.
    *args
        Its arguments.
    timeout : float, optional
        Seconds to wait; past them the process is terminated and None returned.

    Returns
    -------
    tuple or None
        The result and the peak resident memory of that process in MB (`peak_memory_mb`).

    Raises
    ------
    RuntimeError
        When ``target`` raised (with its traceback) or the process died without an answer.
    """
    context = multiprocessing.get_context("spawn")  # also: HiGHS threads do not survive fork
    parent, child = context.Pipe(duplex=False)
    proc = context.Process(target=_child, args=(child, target, args))
    proc.start()
    child.close()
    try:
        got = parent.recv() if parent.poll(timeout) else None
    except EOFError:
        got = ("error", f"the process ended with exit code {proc.exitcode} without an answer")
    if got is None:
        proc.terminate()
    proc.join()
    if got is None:
        return None
    status, value = got
    if status == "error":
        raise RuntimeError(f"{getattr(target, '__name__', target)} failed in its own process:\n{value}")
    return value


def run_benchmark(name: str, args: argparse.Namespace) -> list[dict]:
    """Rows of ``benchmarks.<name>``, importing only that module (the target of a fresh process)."""
    return importlib.import_module(f"benchmarks.{name}").run(args)
