"""The house rules of the code base, checked on the source: imports go one way only.

- geo/ never imports ui/, layers/ or streamlit, not even its `python -m geo` entry point;
- layers/ never imports ui/ or streamlit;
- inside geo/, packages follow the data path: data -> reach -> decide -> report -> cli,
  with settings, errors, i18n and style below them all;
- no import cycles between modules;
- no imports inside functions, except optional heavy dependencies marked `# optional:`.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("geo", "layers", "ui")
#: Rank of each geo sub-package along the data path; a module may import only its own rank or lower.
GEO_RANK = {"settings": 0, "errors": 0, "i18n": 0, "style": 0, "format": 0, "text": 0, "crs": 0,
            "data": 1, "reach": 2, "decide": 3, "report": 4, "api": 5, "cli": 6, "__init__": 5, "__main__": 7}


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__" and len(parts) > 1:
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, ast.AST, bool]]:
    """(imported module, node, inside a function) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, ast.AST, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                out.extend((alias.name, child, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    out.append((full if full in MODULES else child.module, child, in_function))
            visit(child, inner)

    visit(tree, False)
    return out


def _type_checking_lines(path: Path) -> set[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in ast.walk(node):
                if hasattr(child, "lineno"):
                    lines.add(child.lineno)
    return lines


def _project_target(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        skip = _type_checking_lines(path)
        for name, node, _ in _imports(path):
            target = _project_target(name)
            if target and target != module and node.lineno not in skip:
                graph.add_edge(module, target)
    return graph


def _geo_rank(module: str) -> int:
    parts = module.split(".")
    return GEO_RANK[parts[1]] if len(parts) > 1 else GEO_RANK["__init__"]


def test_the_rules_see_the_code() -> None:
    graph = _graph()
    assert {"geo.data.bundle", "geo.reach.indicators", "geo.report.formats", "geo.report.webmap.basemap",
            "ui.state", "layers.surface"} <= set(graph)
    assert graph.has_edge("geo.reach.indicators", "geo.data.bundle")


def test_geo_imports_neither_ui_layers_nor_streamlit() -> None:
    bad = []
    for module, path in MODULES.items():
        if not module.startswith("geo"):
            continue
        for name, node, _ in _imports(path):
            if name.split(".")[0] in {"ui", "layers", "streamlit", "streamlit_folium", "app"}:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not bad, "\n".join(bad)


def test_layers_imports_neither_ui_nor_streamlit() -> None:
    bad = [f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
           for module, path in MODULES.items() if module.startswith("layers")
           for name, node, _ in _imports(path) if name.split(".")[0] in {"ui", "streamlit", "app"}]
    assert not bad, "\n".join(bad)


def test_geo_packages_follow_the_data_path() -> None:
    bad = [f"{a} -> {b}" for a, b in _graph().edges
           if a.startswith("geo.") and b.startswith("geo.") and _geo_rank(b) > _geo_rank(a)]
    assert not bad, "imports against the data path:\n" + "\n".join(sorted(bad))


def test_no_import_cycles() -> None:
    cycles = list(nx.simple_cycles(_graph()))
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("package", ["geo", "layers", "ui", "app"])
def test_no_imports_inside_functions(package: str) -> None:
    bad = []
    for module, path in MODULES.items():
        if module.split(".")[0] != package:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for name, node, inside in _imports(path):
            if inside and "# optional:" not in lines[node.lineno - 1]:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name} inside a function")
    assert not bad, "\n".join(sorted(set(bad)))


MAX_FUNCTION_LINES = 100
MAX_MODULE_LINES = 600


def _length_checked() -> dict[str, Path]:
    return {m: p for m, p in MODULES.items() if m.split(".")[0] in {*PACKAGES, "app"}}


def test_the_length_rules_see_the_code() -> None:
    checked = _length_checked()
    assert {"app", "geo.api", "geo.report.pdf", "layers.surface", "ui.meeting"} <= set(checked)


def test_no_function_over_100_lines() -> None:
    long = []
    for module, path in _length_checked().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} has {lines} lines")
    assert not long, "\n".join(long)


def test_no_module_over_600_lines() -> None:
    long = [f"{path.relative_to(ROOT)} has {n} lines" for path in _length_checked().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, "\n".join(long)


def test_argparse_lives_only_in_the_cli() -> None:
    bad = [f"{path.relative_to(ROOT)}:{node.lineno} imports {name}"
           for module, path in MODULES.items()
           if module.startswith("geo") and not module.startswith("geo.cli")
           for name, node, _ in _imports(path) if name.split(".")[0] == "argparse"]
    bad += [f"{path.relative_to(ROOT)} mentions argparse.Namespace" for module, path in MODULES.items()
            if module.split(".")[0] in {"geo", "ui", "layers", "app"} and not module.startswith("geo.cli")
            and "Namespace" in path.read_text(encoding="utf-8")]
    assert not bad, "\n".join(bad)


def test_coordinates_are_transformed_in_one_place() -> None:
    """Every CRS transformation goes through geo/crs.py (one thread keeps pyproj's transformers)."""
    rule = re.compile(r"""\.to_crs\(|Transformer\b""")
    bad = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
           for module, path in {**MODULES, **{p.stem: p for p in (ROOT / "benchmarks").glob("*.py")}}.items()
           if module != "geo.crs"
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if rule.search(line)]
    assert not bad, "\n".join(bad)


def test_only_i18n_picks_the_language() -> None:
    """Danish or English is chosen in geo/i18n.py alone (catalogue keys, or `choose` for data pairs)."""
    bad = []
    for module, path in MODULES.items():
        if module == "geo.i18n":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"""\blang\s*[!=]=|[!=]=\s*lang\b|\bda\s*=\s*lang\b""", line):
                bad.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_indicator_decimals_are_decided_in_one_place() -> None:
    """Consumers read `IndicatorSpec.decimals`; none restates the unit -> decimals rule."""
    rule = re.compile(r"""in \(\s*["']km["'],\s*["'](%|pct)["']""")
    bad = [str(path.relative_to(ROOT)) for module, path in MODULES.items()
           if module != "geo.reach.indicators" and rule.search(path.read_text(encoding="utf-8"))]
    assert not bad, bad


#: Libraries the first page (the map, the sites, the indicator table) does not need: charts,
#: plots, workbooks, solvers and the suitability grid load when their tab or file is asked for;
#: scipy (the road network's sparse graphs) when the road network is chosen.
NOT_ON_THE_FIRST_PAGE = ("matplotlib", "altair", "openpyxl", "highspy", "h3", "typst", "geo.api", "scipy")

FIRST_PAGE = """
import sys
from streamlit.testing.v1 import AppTest
import ui.preload

seen = {{}}
preload = ui.preload._import_all


def recorded(modules):  # what the first run itself imported, just before the preload starts
    seen["first page"] = [m for m in {modules!r} if m in sys.modules]
    preload(modules)


ui.preload._import_all = recorded
at = AppTest.from_file("app.py", default_timeout=240)
at.query_params["s"] = "Næstved~55.2301~11.7605|Roskilde~55.6415~12.0803"  # a shared link: the tables drawn
at.run()
assert not at.exception, at.exception
assert len([e for e in at.html if "ks-table" in e.body]) >= 2, "no indicator table"
ui.preload.preload_after_first_page().join(240)
print(" ".join(seen["first page"]))
print(" ".join(m for m in {modules!r} if m in sys.modules))
"""


def test_the_first_page_loads_no_chart_solver_or_workbook_code_and_preloads_it_after() -> None:
    """In a fresh interpreter the app's first run (the cold server's first page) imports none of
    `NOT_ON_THE_FIRST_PAGE` (``import geo.i18n`` once pulled in all of `geo.api`: about 60 % of the
    first run on a cold server); the charts' and files' code is imported after it, on the preload
    thread (`ui.preload`), so the first chart tab does not wait for it."""
    code = FIRST_PAGE.format(modules=NOT_ON_THE_FIRST_PAGE)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    first_page, after = (line.split() for line in done.stdout.splitlines()[-2:])
    assert first_page == [], first_page
    assert {"matplotlib", "altair", "scipy"} <= set(after), after
