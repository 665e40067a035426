"""The session's keys are declared in one place (ui/state.py): checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

from geo.data.sites import Site
from ui.state import KEPT_WIDGETS, Outside, kept_keys

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES}


def _widget_keys(trees: dict[Path, ast.Module]) -> tuple[set[str], set[str]]:
    """Literal widget keys (``key="x"``) and the constant prefixes of f-string keys (``key=f"w_{c}"``)."""
    keys, prefixes = set(), set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "key":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    keys.add(node.value.value)
                elif isinstance(node.value, ast.JoinedStr) and isinstance(node.value.values[0], ast.Constant):
                    prefixes.add(node.value.values[0].value)
    return keys, prefixes


def _state_reads(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Literal keys used as ``state["x"]``, ``state.get("x")``, ``state.pop("x")`` and ``state.x``."""
    used = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "state" \
                    and isinstance(node.slice, ast.Constant):
                used[node.slice.value] = path.name
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop") \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "state" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                used[node.args[0].value] = path.name
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "state" \
                    and node.attr not in ("get", "pop"):
                used[node.attr] = path.name
    return used


def test_every_key_the_app_reads_is_declared_or_a_widget() -> None:
    trees = _trees()
    keys, prefixes = _widget_keys(trees)
    declared = set(kept_keys()) | set(KEPT_WIDGETS) | keys
    unknown = {k: f for k, f in _state_reads(trees).items()
               if k not in declared and not any(k.startswith(p) for p in prefixes)}
    assert unknown == {}


def test_the_check_finds_an_undeclared_key() -> None:
    tree = ast.parse('state["last_ranking"] = 1\nx = state.get("last_finance")\ny = state.locked\n')
    assert set(_state_reads({Path("x.py"): tree})) == {"last_ranking", "last_finance", "locked"}


def test_only_ui_state_touches_streamlit_session_state() -> None:
    users = [p.name for p in SOURCES if "session_state" in p.read_text(encoding="utf-8") and p.name != "state.py"]
    assert users == []


def test_sections_rerun_the_app_when_what_the_page_shows_changes() -> None:
    sites = (Site("Næstved", 55.23, 11.76),)
    suggestion = {"chosen": [{"name": "Ringsted", "lat": 55.44, "lon": 11.79}]}
    base = Outside(sites, 1, 0, None, None)
    assert not base.differs(Outside((Site("Næstved", 55.23, 11.76),), 1, 0, None, None))  # a weight moved
    assert base.differs(Outside((), 2, 0, None, None))  # a site removed
    assert base.differs(Outside(sites, 2, 0, None, None))  # a site renamed in the table
    assert base.differs(Outside(sites, 1, 1, None, None))  # a message to show
    assert base.differs(Outside(sites, 1, 0, suggestion, None))  # a suggestion placed on the map
    placed = Outside(sites, 1, 0, suggestion, None)
    assert placed.differs(Outside(sites, 1, 0, dict(suggestion), None))  # placed again: a new object
    assert base.differs(Outside(sites, 1, 0, None, {"offices": []}))  # a portfolio placed
