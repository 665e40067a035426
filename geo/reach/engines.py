"""Choose the catchment engine: road network when a graph is present, else the estimate."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from geo.data.roads import RoadGraph, load_default_roads
from geo.reach.catchment import CatchmentEngine, StraightLineEstimate
from geo.reach.network import NetworkEngine
from geo.settings import DATA_DIR

#: Environment variable naming a road graph file built by `python -m geo refresh --only roads`.
ENV_ROADS = "KLYNGESTED_ROADS"
#: Where `refresh --only roads` writes a real graph by default (git-ignored).
BUILT_ROADS = DATA_DIR / "roads.npz"


def find_roads(path: Path | None = None) -> RoadGraph | None:
    """The road graph to use: an explicit path, $KLYNGESTED_ROADS, a built real graph,
    or the synthetic default (labelled synthetic); None when none exists."""
    for candidate in (path, Path(os.environ[ENV_ROADS]) if os.environ.get(ENV_ROADS) else None, BUILT_ROADS):
        if candidate is not None and candidate.is_file():
            return _load(candidate.resolve())
    return load_default_roads()


@cache
def _load(path: Path) -> RoadGraph:
    return RoadGraph.load(path)


def select_engine(method: str, roads: Path | None = None) -> tuple[CatchmentEngine, list[str]]:
    """The engine for 'estimate' or 'network', and notes (Danish) when falling back."""
    if method == "estimate":
        return StraightLineEstimate(), []
    if method != "network":
        raise ValueError(f"unknown method {method!r}")
    graph = find_roads(roads)
    if graph is None:
        return StraightLineEstimate(), ["Intet vejnet fundet – rejsetider er estimeret fra luftlinje."]
    return NetworkEngine(graph), []
