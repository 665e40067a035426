"""Many planners at once: N concurrent browser sessions against one app server.

Starts the real app (``streamlit run app.py``, as the end-to-end tests do), opens one headless
Chromium with N browser contexts (one Streamlit session each) and drives them concurrently
with ``playwright.async_api`` for a bounded time. Every session repeats: add a site by
coordinates (a new point each time, so its indicators are really computed), change the
cluster, switch the travel-time method, download the CSV; after 8 sites it clears them. New
sites are placed within ~1 km of a K17 town (on land, unique coordinates, so nothing is served
from the per-site cache).

Reported: actions completed, errors (an action that times out, or an exception/traceback
on the page; goal 0), median and p95 response time (action -> the app's script run finished
and the indicator table is shown; for the CSV, -> the download arrived), and the server's
memory (VmRSS of the streamlit process from /proc) after one session and at the peak with N
– the per-session increase shows that the cached layers, engines and map data
(``st.cache_resource``) are shared, not copied per session.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import row

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SCRIPT_STATE = "document.querySelector('.stApp')?.getAttribute('data-test-script-state')"
#: Counts finished script runs in the page (a run ends when the state leaves 'running').
RUN_COUNTER = """() => {
  if (window.__runsDone !== undefined) return;
  window.__runsDone = 0;
  let last = null;
  const watch = () => {
    const app = document.querySelector('.stApp');
    if (!app) { setTimeout(watch, 50); return; }
    last = app.getAttribute('data-test-script-state');
    new MutationObserver(() => {
      const now = app.getAttribute('data-test-script-state');
      if (last === 'running' && now !== 'running') window.__runsDone += 1;
      last = now;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  watch();
}"""
MAX_SITES_PER_SESSION = 8
TIMEOUT_MS = 120_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the sessions act")
    parser.add_argument("--think", type=float, default=0.3, help="pause between a session's actions (s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--actions", type=int, default=0,
                        help="each session does exactly this many actions (0: act for --seconds)")
    parser.add_argument("--url", default="", help="drive an app already running at this URL (default: start one)")


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.times.setdefault(kind, []).append(seconds)


def _rss_kib(pid: int) -> int:
    """VmRSS of a process and its children (streamlit runs in one process; children counted anyway)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by a process (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids] + [g for k in kids for g in _children(int(k))]


def _server_pid(port: int) -> int:
    """The streamlit process serving `port` (found by its command line)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
            return int(proc.name)
    raise RuntimeError(f"streamlit process for port {port} not found")


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every_s: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s, self.peak, self.stop_flag = pid, every_s, 0, threading.Event()

    def run(self) -> None:
        while not self.stop_flag.is_set():
            self.peak = max(self.peak, _rss_kib(self.pid))
            time.sleep(self.every_s)


async def _settled(page, runs_before: int) -> None:
    """Wait until at least one more script run finished and the app is idle again."""
    await page.wait_for_function(
        f"window.__runsDone > {runs_before} && {SCRIPT_STATE} !== 'running'", timeout=TIMEOUT_MS)


async def _runs(page) -> int:
    return await page.evaluate("window.__runsDone || 0")


async def _check_page(page, stats: Stats, who: str, seen: set[str]) -> None:
    """Count each new exception/traceback shown on the page once."""
    shown = page.locator('[data-testid="stException"]')
    texts = [await shown.nth(i).inner_text() for i in range(await shown.count())]
    body = await page.locator(".stApp").inner_text()
    if "Traceback" in body and not texts:
        texts = [body[body.index("Traceback"):][:400]]
    for text in texts:
        key = " ".join(text.split())[:300]
        if key not in seen:
            seen.add(key)
            stats.errors.append(f"{who}: exception on page: {key}")


async def _open(browser, url: str, stats: Stats, who: str):
    context = await browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = await context.new_page()
    page.on("pageerror", lambda e: stats.errors.append(f"{who}: page error {e}"))
    t0 = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded")
    await page.evaluate(RUN_COUNTER)
    await page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    await page.wait_for_function(f"{SCRIPT_STATE} === 'notRunning'", timeout=TIMEOUT_MS)
    stats.add("first load", time.perf_counter() - t0)
    return context, page


def _town_points() -> list[tuple[float, float]]:
    """(lat, lon) of the K17 towns: new sites are put near one (on land, like a planner would)."""
    from geo.crs import to_crs
    from geo.data.sources.embedded import load_default
    from geo.data.spatial import assign_municipality
    from geo.settings import CRS_DISPLAY, K17_CODES

    layers = load_default()
    towns = layers.towns[assign_municipality(layers.towns, layers.municipalities).isin(K17_CODES)]
    return [(p.y, p.x) for p in to_crs(towns, CRS_DISPLAY).geometry]


TOWNS: list[tuple[float, float]] = []


async def _add_site(page, rng: random.Random, n: int, who: str) -> None:
    await page.get_by_role("tab", name="Tilføj med koordinater").click()
    name = f"{who}-{n}"
    lat, lon = rng.choice(TOWNS)
    await page.get_by_label("Navn", exact=True).first.fill(name)
    await page.get_by_label("Breddegrad (lat)").fill(f"{lat + rng.uniform(-0.01, 0.01):.5f}")
    await page.get_by_label("Længdegrad (lon)").fill(f"{lon + rng.uniform(-0.01, 0.01):.5f}")
    before = await _runs(page)
    await page.get_by_role("button", name="Tilføj").first.click()
    await _settled(page, before)
    await page.get_by_role("table").filter(has_text=name).first.wait_for(timeout=TIMEOUT_MS)


async def _change_cluster(page, rng: random.Random) -> None:
    box = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Klynge")
    before = await _runs(page)
    await box.click()
    options = page.get_by_role("option")
    await options.first.wait_for(timeout=TIMEOUT_MS)
    # the first five clusters have workplaces in every data set; an empty cluster currently
    # breaks the map (see tests/test_faults_app.py::test_cluster_without_workplaces…)
    count = min(await options.count(), 5)
    others = [i for i in range(count)  # picking the current cluster would not rerun
              if await options.nth(i).get_attribute("aria-selected") != "true"]
    await options.nth(rng.choice(others or [0])).click()
    await _settled(page, before)


async def _switch_method(page, method: str) -> None:
    before = await _runs(page)
    await page.locator('[data-testid="stSidebar"]').get_by_text(method, exact=True).click()
    await _settled(page, before)


async def _download(page) -> None:
    async with page.expect_download(timeout=TIMEOUT_MS) as info:
        await page.get_by_role("button", name="Hent tabel som CSV").first.click()
    download = await info.value
    path = await download.path()
    if path is None or Path(path).stat().st_size == 0:
        raise RuntimeError("empty CSV download")


async def _clear(page) -> None:
    before = await _runs(page)
    await page.get_by_role("button", name="Fjern alle lokaliteter").click()
    await _settled(page, before)


async def _session(browser, url: str, deadline: float, args, stats: Stats, index: int) -> None:
    who = f"s{index}"
    rng = random.Random(args.seed * 1000 + index)
    try:
        context, page = await _open(browser, url, stats, who)
    except Exception as exc:  # noqa: BLE001 - a benchmark counts failures
        stats.errors.append(f"{who}: open failed: {type(exc).__name__}: {str(exc)[:200]}")
        return
    methods = ["Vejnet", "Estimat fra luftlinje"]
    step = sites = done = 0
    seen: set[str] = set()
    try:
        while done < args.actions if args.actions else time.perf_counter() < deadline:
            done += 1
            if sites >= MAX_SITES_PER_SESSION:
                kind, action = "clear sites", _clear(page)
                sites = 0
            else:
                kind = ("add site", "change cluster", "switch method", "download CSV")[step % 4]
                action = {
                    "add site": lambda: _add_site(page, rng, step, who),
                    "change cluster": lambda: _change_cluster(page, rng),
                    "switch method": lambda: _switch_method(page, methods[(step // 4) % 2]),
                    "download CSV": lambda: _download(page),
                }[kind]()
                if kind == "add site":
                    sites += 1
                if kind == "download CSV" and sites == 0:
                    action.close()
                    kind, action = "add site", _add_site(page, rng, step, who)
                    sites += 1
                step += 1
            t0 = time.perf_counter()
            try:
                await action
                stats.add(kind, time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001
                stats.errors.append(f"{who}: {kind}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
            await _check_page(page, stats, who, seen)
            await asyncio.sleep(args.think)
    finally:
        await context.close()


async def _drive(url: str, args, pid: int) -> tuple[Stats, dict[str, int]]:
    from playwright.async_api import async_playwright

    from tests.e2e_support import CHROMIUM_ARGS

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise SystemExit("headless Chromium not found (apt-get install -y chromium)")
    stats = Stats()
    memory = {"idle": _rss_kib(pid)}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            # one session first: warms the shared caches, gives the one-session memory
            warm = Stats()
            ctx, page = await _open(browser, url, warm, "warm")
            await _add_site(page, random.Random(0), 0, "warm")
            await ctx.close()
            memory["one session"] = _rss_kib(pid)
            sampler = RssSampler(pid)
            sampler.start()
            cpu0, t0 = _cpu_s(pid), time.perf_counter()
            deadline = t0 + args.seconds
            await asyncio.gather(*(_session(browser, url, deadline, args, stats, i)
                                   for i in range(args.sessions)))
            memory["cpu share"] = (_cpu_s(pid) - cpu0) / (time.perf_counter() - t0) / (os.cpu_count() or 1)
            sampler.stop_flag.set()
            sampler.join()
            memory["peak"] = max(sampler.peak, _rss_kib(pid))
            memory["end"] = _rss_kib(pid)
        finally:
            await browser.close()
    return stats, memory


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _measure(url: str, args: argparse.Namespace) -> tuple[Stats, dict[str, int], float]:
    pid = _server_pid(int(url.rsplit(":", 1)[1]))
    t0 = time.perf_counter()
    stats, memory = asyncio.run(_drive(url, args, pid))
    return stats, memory, time.perf_counter() - t0


def run(args: argparse.Namespace) -> list[dict]:
    from tests.e2e_support import running_app

    TOWNS[:] = _town_points()
    if args.url:
        stats, memory, wall = _measure(args.url, args)
    else:
        # as on a production server: no file watcher (a source edit during the run would otherwise
        # reload modules under the running sessions)
        with running_app(env={"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}, timeout=120) as url:
            stats, memory, wall = _measure(url, args)
    bound = f"{args.actions} actions" if args.actions else f"{args.seconds:g} s"
    cmd = f"python -m benchmarks load --sessions {args.sessions} " + (
        f"--actions {args.actions}" if args.actions else f"--seconds {args.seconds:g}")
    goal = (f"= {args.sessions * args.actions}" if args.actions
            else f">= {max(1, round(args.sessions * args.seconds / 10))} (1 per session per 10 s)")
    actions = [t for kind, ts in stats.times.items() if kind != "first load" for t in ts]
    rows = [
        row(f"{args.sessions} sessions x {bound}: actions completed", len(actions), "actions", cmd, goal=goal),
        row("errors (timeouts, exceptions, tracebacks on the page)", len(stats.errors), "errors", cmd, goal="0"),
        row("response time, median (action -> run finished, table shown)", _p(actions, 50) * 1000, "ms", cmd),
        row("response time, p95", _p(actions, 95) * 1000, "ms", cmd),
    ]
    for kind, ts in sorted(stats.times.items()):
        rows.append(row(f"  {kind}: n={len(ts)}, p95", _p(ts, 95) * 1000, "ms", cmd))
    one, peak = memory["one session"], memory["peak"]
    rows += [
        row("server RSS, idle after start", memory["idle"] / 1024, "MiB", cmd),
        row("server RSS, one session (caches warm)", one / 1024, "MiB", cmd),
        row(f"server RSS, peak with {args.sessions} sessions", peak / 1024, "MiB", cmd),
        row("server RSS per extra session ((peak - one) / (N - 1))",
            (peak - one) / 1024 / max(1, args.sessions - 1), "MiB", cmd),
        row("server CPU while driven (share of all cores; the browsers use the rest)",
            100 * memory["cpu share"], "%", cmd),
        row("wall time incl. start", wall, "s", cmd),
    ]
    for err in stats.errors[:10]:
        print("error:", err)
    return rows
